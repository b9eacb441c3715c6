"""The languages the product speaks: ``settings.LANGUAGES`` is the one list. Content exists
per language in ``<field>_<code>`` columns (``title_en``, ``title_ru``); a field that was
single-language keeps its bare column as the default language's value (``location`` is the
English one beside ``location_ru``). Everything else comes from the translation catalogue."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


@functools.cache
def codes() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)


@functools.lru_cache(maxsize=64)  # bounded: imported files name any tag they like
def normalise(language: str | None) -> str:
    """The configured language ``language`` names ("ru-RU" → "ru"), else the default."""
    wanted = (language or "").lower()
    for code in codes():
        if wanted.startswith(code):
            return code
    return settings.LANGUAGE_CODE


@functools.lru_cache(maxsize=64)
def _fallbacks(language: str) -> tuple[tuple[str, bool], ...]:
    """The codes ``localized`` tries for ``language``, in order, each with whether it is the
    default language (its bare column stands in for a missing ``<field>_<code>``)."""
    order = dict.fromkeys([normalise(language), settings.LANGUAGE_CODE, *codes()])
    return tuple((code, code == settings.LANGUAGE_CODE) for code in order)


@receiver(setting_changed)
def _languages_changed(*, setting: str, **kwargs: Any) -> None:
    # Cached per process (a feed asks for thousands of values); tests override the settings.
    if setting in ("LANGUAGES", "LANGUAGE_CODE"):
        for cached in (codes, normalise, _fallbacks):
            cached.cache_clear()


def value_in(obj: object, field: str, code: str) -> str:
    """``obj``'s own value of ``field`` in ``code`` (no fallback): ``<field>_<code>``, or for
    the default language the bare ``<field>`` column where there is no ``<field>_<code>``."""
    return _value(obj, field, code, code == settings.LANGUAGE_CODE)


def _value(obj: object, field: str, code: str, default: bool) -> str:
    value = getattr(obj, f"{field}_{code}", None)
    if value is None and default:
        value = getattr(obj, field, None)
    return value if isinstance(value, str) else ""


def localized(obj: object, field: str, language: str) -> str:
    """The one fallback rule for content: the reader's language's value, else the default
    language's, else any language's, else empty (README, "Languages")."""
    for code, default in _fallbacks(language):
        value = _value(obj, field, code, default)
        if value.strip():
            return value
    return ""
