"""The feed tests' ALSIB ceremony and local-mode Victory Day, shared with the interop suite."""

from tests.feeds.conftest import ceremony, victory_day

__all__ = ["ceremony", "victory_day"]
