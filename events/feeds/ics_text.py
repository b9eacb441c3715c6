"""The text properties of a VEVENT as our fields want them: one line, and one value per
language (SUMMARY, DESCRIPTION, LOCATION may come once per LANGUAGE)."""

from __future__ import annotations

from common import languages


def has_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def one_line(text: str) -> str:
    return ", ".join(line.strip() for line in text.splitlines() if line.strip())


def text_of(component, name: str) -> str:
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value).strip()


def in_languages(component, name: str, *, by_script: bool) -> tuple[str, str]:
    """(English, Russian) text of a property that may come once per language: SUMMARY or
    LOCATION with ``LANGUAGE=ru`` (or ru-RU, as Exchange writes) is the Russian one, another
    or none the English one; the first of each wins. With ``by_script`` untagged or
    otherwise-tagged Cyrillic text is Russian too (Outlook tags a title with its own UI
    language, en-us, whatever the title's)."""
    values = component.get(name)
    english = russian = ""
    for value in values if isinstance(values, list) else [values] if values is not None else []:
        text = str(value).strip()
        if not text:
            continue
        tag = str(getattr(value, "params", {}).get("LANGUAGE", ""))
        if (tag and languages.normalise(tag) == "ru") or (by_script and has_cyrillic(text)):
            russian = russian or text
        else:
            english = english or text
    return english, russian
