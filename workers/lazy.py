"""Modules imported on first use. numpy, Pillow and pytesseract serve only pages read as pixels,
yet every start imported them (numpy alone 0.07-0.1 s): a run of text pages never needs them.
"""
from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """Stands for module `name` in a module's globals until one of its attributes is used.

    The first use imports it (through the import system, so a second thread waits for the first
    rather than seeing it half-run) and rebinds every global of `namespace` that holds this
    stand-in to the module itself: later uses are plain attribute lookups again. The stand-in
    has no attributes of its own to shadow the module's (`np.load` is numpy's).
    """

    def __init__(self, name: str, namespace: dict[str, Any]) -> None:
        vars(self).update(_lazy_name=name, _lazy_namespace=namespace)

    def __getattr__(self, attr: str) -> Any:
        module = importlib.import_module(vars(self)["_lazy_name"])
        namespace = vars(self)["_lazy_namespace"]
        for key, value in list(namespace.items()):
            if value is self:
                namespace[key] = module
        return getattr(module, attr)
