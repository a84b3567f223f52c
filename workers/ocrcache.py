"""OCR results kept by content, so a page OCR'd once is never OCR'd again in the same job.

The cache holds recognised text, which is patient data: its directory must live in the job's
protected work directory (the pipeline gives it a private per-run temp dir by default) and be
deleted with it. Nothing here logs what it stores.
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from .textlayer import TextLine

# Without a directory the cache is a small in-memory LRU: a record's three passes (analyse,
# redact, verify) revisit each page a few pages apart, so a few hundred entries are plenty.
MEMORY_ENTRIES = 512


def dump_lines(lines: list[tuple[TextLine, float]]) -> str:
    # "reused": a verification reading kept pass 1's lines for unchanged pixels (`ocrdiff`).
    return json.dumps([{"text": line.text, "boxes": [list(b) for b in line.boxes], "conf": conf,
                        **({"reused": True} if line.reused else {}),
                        **({"unsure": line.unsure} if line.unsure else {})}
                       for line, conf in lines], ensure_ascii=False)


def load_lines(data: str) -> list[tuple[TextLine, float]]:
    return [(TextLine(item["text"], [tuple(b) for b in item["boxes"]], "ocr",
                      bool(item.get("reused")), item.get("unsure", "")),
             float(item.get("conf", 0.0))) for item in json.loads(data)]


class OcrCache:
    """Maps a content key (see `workers.ocrjob.job_key`) to OCR lines in PDF coordinates."""

    def __init__(self, directory: Path | None = None):
        self.directory = Path(directory) if directory is not None else None
        self._memory: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[tuple[TextLine, float]] | None:
        if self.directory is None:
            with self._lock:
                data = self._memory.get(key)
                if data is not None:
                    self._memory.move_to_end(key)
        else:
            try:
                data = self._path(key).read_text(encoding="utf-8")
            except FileNotFoundError:
                data = None
        return None if data is None else load_lines(data)

    def put(self, key: str, lines: list[tuple[TextLine, float]]) -> None:
        data = dump_lines(lines)
        if self.directory is None:
            with self._lock:
                self._memory[key] = data
                self._memory.move_to_end(key)
                while len(self._memory) > MEMORY_ENTRIES:
                    self._memory.popitem(last=False)
            return
        path = self._path(key)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        # Write then rename: a worker killed mid-write must not leave a truncated entry that
        # a re-run would trust.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
        os.replace(tmp, path)

    def __contains__(self, key: str) -> bool:
        if self.directory is None:
            with self._lock:
                return key in self._memory
        return self._path(key).is_file()
