"""A reminder's wire form (the bytes the SMTP server receives), built once per template and
filled in per recipient.

Recipients of one template (same event, occurrence, kind, language, zone, "tomorrow" wording,
feed link and city copy) get the same mail but for four values: the address (To header and
the .ics ATTENDEE), the unsubscribe token (List-Unsubscribe header, text and HTML bodies),
the Message-ID and the Date. A template is that mail built once, the normal way, with unique
placeholders for them; filling it in joins cached bytes with the recipient's values instead
of rendering three templates and serialising the MIME tree again (~4 ms a message).

Exactness: a header or ATTENDEE line holding a placeholder is replaced as a *whole line*,
folded for the recipient by the same function the generator (or icalendar) used, so line
folding is what a full build gives. Bodies are patched in place only when every part went
out as 7bit/8bit (no quoted-printable or base64 that could split a placeholder). A template
that does not satisfy this, or a recipient whose values would need encoding (a non-ASCII
address, an odd token), is built in full instead. tests/notifications/test_mailwire.py
checks filled mails byte for byte against full builds.
"""

from __future__ import annotations

import functools
import re
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from email import policy as email_policy
from email.message import Message
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import forbid_multi_line_headers, sanitize_address
from icalendar.parser import Contentline

from events.ical import wire as ical_wire

# What Django's SafeMIME*.as_bytes(linesep="\r\n") folds headers with (see BytesGenerator).
_POLICY = email_policy.compat32.clone(linesep="\r\n")

# A dot-atom addr-spec: Django's sanitize_address and the To header leave it as it is.
_ADDRESS = re.compile(
    r"(?=[^@]{1,64}@)[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\Z"
)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
_MESSAGE_ID = re.compile(r"<[A-Za-z0-9._-]{1,200}@[A-Za-z0-9.-]{1,253}>\Z")
_DATE = re.compile(r"[A-Za-z0-9 ,:+-]{1,64}\Z")
# Non-7bit/8bit bodies may wrap or encode a placeholder.
_ENCODED_PART = re.compile(rb"(?im)^content-transfer-encoding:\s*(?:quoted-printable|base64)")

_MARK = secrets.token_hex(8)  # per process: event text cannot contain a placeholder by accident


@dataclass(frozen=True)
class Personal:
    """What differs between the recipients of one template."""

    address: str
    token: str
    message_id: str
    date: str

    def fits(self) -> bool:
        """Values a template can take as they are (plain ASCII, no encoding or escaping)."""
        return bool(
            _ADDRESS.match(self.address)
            and _TOKEN.match(self.token)
            and _MESSAGE_ID.match(self.message_id)
            and _DATE.match(self.date)
        )

    def fill(self, text: str) -> str:
        for placeholder, value in zip(PLACEHOLDERS.values(), self.values(), strict=True):
            text = text.replace(placeholder, value)
        return text

    def values(self) -> tuple[str, str, str, str]:
        return (self.address, self.token, self.message_id, self.date)


# The longest token a rule can have (64): a filled body line is never longer than the template's.
PLACEHOLDERS = Personal(
    address=f"recipient.{_MARK}@placeholder.invalid",
    token=("tok" + _MARK * 8)[:64],
    message_id=f"<message.{_MARK}@placeholder.invalid>",
    date=f"date.{_MARK}",
)


_SHORT_VALUE = re.compile(r"[!-~]+\Z")  # printable ASCII without spaces
_SPLIT = re.compile(r"[;,]")  # where Header.encode may split a value


def _fold_header(name: str, value: str) -> bytes:
    """A header line as Django's message serialises it (CRLF-terminated)."""
    if len(name) + 2 + len(value) <= 78 and _SHORT_VALUE.match(value) and not _SPLIT.search(value):
        return f"{name}: {value}\r\n".encode()  # what Header.encode leaves as it is
    name, value = forbid_multi_line_headers(name, value, "utf-8")
    return _POLICY.fold_binary(name, value)


_CACHE: OrderedDict[tuple, Template | None] = OrderedDict()
_CACHE_SIZE = 256


def template_for(
    content: tuple, compose: Callable[[], EmailMultiAlternatives], ics: bytes | None
) -> Template | None:
    """The template for ``content`` (everything the placeholder mail is made of), built with
    ``compose`` the first time. Kept per process, least recently used first out: the same
    content gives the same bytes, so a hit is never stale."""
    if content in _CACHE:
        _CACHE.move_to_end(content)
        return _CACHE[content]
    template = Template.build(compose(), ics)
    _CACHE[content] = template
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return template


def _fold_ours(line: str) -> bytes:
    return ical_wire.fold(line)[:-2]  # without its CRLF, like icalendar's


def _fold_icalendar(line: str) -> bytes:
    return Contentline(line).to_ical()


# The .ics comes from events.ical: its own wire writer or icalendar; each folds a little
# differently, so a template remembers which one folded each line.
_FOLDERS = (_fold_ours, _fold_icalendar)


class WireMessage:
    """What ``FilledEmail.message()`` returns: the prebuilt bytes for ``as_bytes`` (what the SMTP
    backend sends); anything that looks inside gets the message Django builds from the same
    fields (made only then)."""

    def __init__(self, data: bytes, build: Callable[[], Message]) -> None:
        self._data = data
        self._build = build
        self._parsed: Message | None = None

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n", **kwargs: Any) -> bytes:
        if linesep == "\r\n":
            return self._data
        return self._data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, *args: Any, **kwargs: Any) -> str:
        return self.as_bytes().decode("utf-8", "surrogateescape")

    def __bytes__(self) -> bytes:
        return self.as_bytes()

    def __str__(self) -> str:
        return self.as_string()

    def parsed(self) -> Message:
        if self._parsed is None:
            self._parsed = self._build()
        return self._parsed

    def __getitem__(self, name: str) -> Any:
        return self.parsed()[name]

    def __contains__(self, name: str) -> bool:
        return name in self.parsed()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.parsed(), name)


class FilledEmail(EmailMultiAlternatives):
    """An email filled in from a template: Django's fields as usual (what the locmem backend
    and the tests read) and its wire form already made (what the SMTP backend sends)."""

    def __init__(self, *args: Any, wire: bytes, envelope_from: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.wire = wire
        self.envelope_from = envelope_from

    def message(self, *args: Any, **kwargs: Any) -> Any:
        return WireMessage(self.wire, functools.partial(super().message, *args, **kwargs))


@dataclass(frozen=True)
class _Slot:
    start: int
    end: int
    kind: str  # a header name, "ics:<n>" (an ATTENDEE line) or "value:<n>" (a placeholder)


@dataclass
class Template:
    """A mail built with the placeholders, cut at every place a recipient's value goes."""

    message: EmailMultiAlternatives
    segments: list[bytes]
    kinds: list[str]
    attendee_lines: list[tuple[str, bytes, int]]  # (line with the placeholder, folded, folder)
    ics: bytes | None
    envelope_from: str

    @classmethod
    def build(cls, message: EmailMultiAlternatives, ics: bytes | None) -> Template | None:
        """``message`` was built with PLACEHOLDERS and carries ``ics`` (built for the
        placeholder address) as its only attachment. None when it cannot be a template."""
        built: Any = message.message()  # Django's SafeMIME*, whose as_bytes takes linesep
        wire: bytes = built.as_bytes(linesep="\r\n")
        if _ENCODED_PART.search(wire) or max(map(len, wire.split(b"\r\n"))) > 900:
            return None
        head_end = wire.index(b"\r\n\r\n") + 2
        slots: list[_Slot] = []
        headers = {"To": ", ".join(message.to), **message.extra_headers}
        for name, value in headers.items():
            if not any(placeholder in value for placeholder in PLACEHOLDERS.values()):
                continue
            line = _fold_header(name, value)
            if wire.count(line, 0, head_end) != 1:
                return None
            start = wire.index(line)
            slots.append(_Slot(start, start + len(line), name))
        attendee_lines = _attendee_lines(ics) if ics is not None else []
        if attendee_lines is None:
            return None
        for n, (_logical, folded, _folder) in enumerate(attendee_lines):
            assert ics is not None
            if wire.count(folded) != ics.count(folded):
                return None
            slots.extend(_find(wire, folded, f"ics:{n}"))
        bodies = [message.body, *(str(content) for content, _type in message.alternatives)]
        for n, placeholder in enumerate(PLACEHOLDERS.values()):
            found = [
                slot
                for slot in _find(wire, placeholder.encode(), f"value:{n}")
                if not any(s.start <= slot.start < s.end for s in slots)
            ]
            if len(found) != sum(body.count(placeholder) for body in bodies):
                return None  # in an attachment, an encoded word or a split line
            slots.extend(found)
        slots.sort(key=lambda slot: slot.start)
        segments, kinds, position = [], [], 0
        for slot in slots:
            if slot.start < position:
                return None  # overlapping slots: not a shape this module knows
            segments.append(wire[position : slot.start])
            kinds.append(slot.kind)
            position = slot.end
        segments.append(wire[position:])
        sender = sanitize_address(message.from_email, message.encoding or settings.DEFAULT_CHARSET)
        return cls(message, segments, kinds, attendee_lines, ics, sender)

    def fill(self, personal: Personal) -> FilledEmail:
        """The mail for one recipient (``personal.fits()`` must hold)."""
        headers = {name: personal.fill(value) for name, value in self.message.extra_headers.items()}
        values = personal.values()
        folded_attendees = [
            _FOLDERS[folder](logical.replace(PLACEHOLDERS.address, personal.address))
            for logical, _folded, folder in self.attendee_lines
        ]
        parts = [self.segments[0]]
        for kind, segment in zip(self.kinds, self.segments[1:], strict=True):
            if kind.startswith("value:"):
                parts.append(values[int(kind[6:])].encode())
            elif kind.startswith("ics:"):
                parts.append(folded_attendees[int(kind[4:])])
            elif kind == "To":
                parts.append(_fold_header("To", personal.address))
            else:
                parts.append(_fold_header(kind, headers[kind]))
            parts.append(segment)
        filled = FilledEmail(
            subject=self.message.subject,
            body=personal.fill(str(self.message.body)),
            from_email=self.message.from_email,
            to=[personal.address],
            headers=headers,
            alternatives=[
                (personal.fill(str(content)), mimetype)
                for content, mimetype in self.message.alternatives
            ],
            wire=b"".join(parts),
            envelope_from=self.envelope_from,
        )
        for name, _content, mimetype in self.message.attachments:
            assert self.ics is not None
            ics = self.ics
            for (_l, folded, _f), mine in zip(self.attendee_lines, folded_attendees, strict=True):
                ics = ics.replace(folded, mine)
            filled.attach(name, ics, mimetype)
        return filled


def _find(wire: bytes, needle: bytes, kind: str) -> list[_Slot]:
    found, start = [], wire.find(needle)
    while start >= 0:
        found.append(_Slot(start, start + len(needle), kind))
        start = wire.find(needle, start + len(needle))
    return found


def _attendee_lines(ics: bytes) -> list[tuple[str, bytes, int]] | None:
    """The distinct content lines naming the placeholder address, folded, and which folder
    folded them; None when a line names it twice or is folded in a way neither folder does."""
    text = ics.decode().replace("\r\n ", "")
    lines = []
    for line in dict.fromkeys(text.split("\r\n")):
        if PLACEHOLDERS.address not in line:
            continue
        if line.count(PLACEHOLDERS.address) != 1:
            return None
        for n, folder in enumerate(_FOLDERS):
            folded = folder(line)
            if folded + b"\r\n" in ics:
                lines.append((line, folded, n))
                break
        else:
            return None
    return lines
