"""The languages the product speaks: ``settings.LANGUAGES`` is the one list. Content exists
per language in ``<field>_<code>`` columns (``title_en``, ``title_ru``); a field that was
single-language keeps its bare column as the default language's value (``location`` is the
English one beside ``location_ru``). Everything else comes from the translation catalogue."""

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


def value_in(obj: object, field: str, code: str) -> str:
    """``obj``'s own value of ``field`` in ``code`` (no fallback): ``<field>_<code>``, or for
    the default language the bare ``<field>`` column where there is no ``<field>_<code>``."""
    value = getattr(obj, f"{field}_{code}", None)
    if value is None and code == settings.LANGUAGE_CODE:
        value = getattr(obj, field, None)
    return value if isinstance(value, str) else ""


def localized(obj: object, field: str, language: str) -> str:
    """The one fallback rule for content: the reader's language's value, else the default
    language's, else any language's, else empty (README, "Languages")."""
    order = [normalise(language), settings.LANGUAGE_CODE, *codes()]
    for code in dict.fromkeys(order):
        value = value_in(obj, field, code)
        if value.strip():
            return value
    return ""
