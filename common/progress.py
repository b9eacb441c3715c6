"""Progress of a long management command on its stderr: a bar redrawn in place on a terminal,
a line per tenth otherwise (logs stay short)."""

from __future__ import annotations

from typing import TextIO


class ProgressBar:
    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.tty = stream.isatty()
        self._last: tuple[str, int] = ("", -1)

    def __call__(self, stage: str, done: int, total: int) -> None:
        total = max(total, 1)
        tenth = done * 10 // total
        if self.tty:
            filled = self.width * done // total
            self.stream.write(
                f"\r{stage:>8} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total}"
            )
            if done >= total:
                self.stream.write("\n")
        elif (stage, tenth) != self._last:
            self.stream.write(f"{stage}: {done}/{total}\n")
        self._last = (stage, tenth)
        self.stream.flush()
