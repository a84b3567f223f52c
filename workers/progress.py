"""A progress bar for terminals; silent when output is not a terminal (CI, pipes, logs)."""
from __future__ import annotations

import sys
import time
from typing import TextIO

STAGES = {"analyse": "分析", "redact": "脱敏", "verify": "校验", "done": "完成"}


class ProgressBar:
    def __init__(self, stream: TextIO | None = None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width = width
        self.enabled = self.stream.isatty()
        self.started = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        filled = int(self.width * done / total)
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.monotonic() - self.started
        self.stream.write(f"\r[{bar}] {100 * done // total:3d}% {STAGES.get(stage, stage)} "
                          f"{elapsed:5.1f}s")
        if stage == "done":
            self.stream.write("\n")
        self.stream.flush()
