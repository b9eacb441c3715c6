"""Writes for reminders and change notices."""

from __future__ import annotations


def record_event_change(*, event_id: int, sequence: int) -> None:
    """Called inside the transaction that changed an event's time, place or status.

    The reminders issue replaces this with a debounced change-notice row per event.
    """
