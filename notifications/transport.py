"""The SMTP side: one connection per worker process, reopened after errors, and the
classification of SMTP failures into permanent and temporary."""

from __future__ import annotations

import contextlib
import smtplib
from typing import Any

from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from notifications.mailwire import FilledEmail

# One SMTP connection per worker process, reused across tasks (reopened after any error).
_connection: Any = None


def _get_connection() -> Any:
    global _connection
    if _connection is None:
        connection = get_connection(fail_silently=False)
        # Opened here, so send_messages() keeps it open for the next task.
        connection.open()
        _connection = connection
    return _connection


def drop_connection() -> None:
    global _connection
    if _connection is not None:
        with contextlib.suppress(Exception):  # the connection is broken anyway
            _connection.close()
    _connection = None


class PermanentError(Exception):
    pass


class TemporaryError(Exception):
    pass


def classify(exc: BaseException) -> type[Exception]:
    """5xx answers are permanent, 4xx answers and lost connections temporary."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return PermanentError if any(code >= 500 for code in codes) else TemporaryError
    if isinstance(exc, smtplib.SMTPResponseException):
        return PermanentError if exc.smtp_code >= 500 else TemporaryError
    return TemporaryError


def deliver(message) -> None:
    """Send through the process's connection; on a stale connection reopen once."""
    for attempt in range(2):
        connection = _get_connection()
        try:
            _send(connection, message)
            return
        except smtplib.SMTPServerDisconnected:
            drop_connection()
            if attempt:
                raise
        except Exception:
            drop_connection()
            raise


def _send(connection: Any, message: Any) -> None:
    smtp = getattr(connection, "connection", None)
    if isinstance(message, FilledEmail) and isinstance(connection, SmtpBackend) and smtp:
        # What Django's backend would do, minus re-deriving the envelope for every message:
        # the sender was sanitised with the template, the address is a plain addr-spec.
        smtp.sendmail(message.envelope_from, message.to, message.wire)
    else:
        connection.send_messages([message])
