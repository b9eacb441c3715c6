"""Template filters of the coordinator's desk used on public pages."""

from __future__ import annotations

from typing import Any

from django import template

from common.roles import is_coordinator

register = template.Library()


@register.filter
def is_desk_coordinator(user: Any) -> bool:
    """True for coordinators (the "Edit on the desk" link); no query for anonymous visitors."""
    return is_coordinator(user)
