"""Progress of long commands: a bar on a terminal, a line per tenth in a log."""

from __future__ import annotations

import io

from common.progress import ProgressBar


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_one_line_per_tenth():
    out = io.StringIO()
    bar = ProgressBar(out)

    for done in range(101):
        bar("written", done, 100)

    lines = out.getvalue().splitlines()
    assert lines[0] == "written: 0/100"
    assert lines[-1] == "written: 100/100"
    assert len(lines) == 11


def test_a_terminal_gets_a_bar_redrawn_in_place():
    out = _Tty()
    bar = ProgressBar(out, width=10)

    bar("written", 5, 10)
    bar("written", 10, 10)

    assert out.getvalue() == "\r written [#####.....] 5/10\r written [##########] 10/10\n"
