"""A paginator that counts no further than a few pages past the one asked for.

The events list's count of a long window (every upcoming event of the programme) read every
row of the window: at 100,000 events it was the page's slowest query, and it grew with N. A
list that can say "at least" (SeriesWindow.count_at_least) is counted up to AHEAD pages past
the requested one (each page counted costs about a millisecond more at any N); the page then says "At least N events" and its pager "Page k" instead of
"Page k of M" (Next stays while there are more). Other lists are counted as Django does.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property

AHEAD = 2  # pages counted past the requested one


class BoundedPaginator(Paginator):
    """``floor``: count at least this far whatever the page (the API counts exactly up to it)."""

    def __init__(
        self, object_list: Any, per_page: int, *, requested: Any = None, floor: int = 0
    ) -> None:
        super().__init__(object_list, per_page)
        try:
            self._requested = max(1, int(requested))
        except (TypeError, ValueError):
            self._requested = 1
        self._floor = floor
        self.more = False  # count is a lower bound

    @cached_property
    def count(self) -> int:
        at_least = getattr(self.object_list, "count_at_least", None)
        if at_least is None:
            return super().count
        wanted = max(self._floor, (self._requested + AHEAD) * self.per_page)
        count, self.more = at_least(wanted)
        return int(count)
