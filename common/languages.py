"""The languages the product speaks: ``settings.LANGUAGES`` is the one list. Content exists
per language in ``<field>_<code>`` columns (``title_en``, ``title_ru``); everything else comes
from the translation catalogue."""

from __future__ import annotations

from django.conf import settings


def codes() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)


def normalise(language: str | None) -> str:
    """The configured language ``language`` names ("ru-RU" → "ru"), else the default."""
    wanted = (language or "").lower()
    for code in codes():
        if wanted.startswith(code):
            return code
    return settings.LANGUAGE_CODE


def localized(obj: object, field: str, language: str) -> str:
    """``obj.<field>_<language>``, else the default language's, else any language's."""
    order = [normalise(language), settings.LANGUAGE_CODE, *codes()]
    for code in dict.fromkeys(order):
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return value
    return ""
