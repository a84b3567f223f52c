"""The policy language: compile ruleset text into the frozen dataclasses of dsl.model."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from dsl.compiler import compile_file, compile_text
from dsl.errors import PolicyError, PolicySemanticError, PolicySyntaxError

__all__ = [
    "PolicyError", "PolicySemanticError", "PolicySyntaxError", "compile_file", "compile_text",
    "default_ruleset_path",
]


def default_ruleset_path() -> Path:
    """The shipped default policy, found through the installed `rulesets` package."""
    return Path(str(resources.files("rulesets") / "default.rules"))
