"""Structured logs: one JSON object per line in production, plain text in development.

Every record carries the id of the request it was written in (``request_id``), so the lines
of one request can be found together; the same id is sent back in the ``X-Request-ID`` header.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


# Private links whose address is the secret (a customer's consent link, a reference's answer link,
# the withdrawal link in every e-mail to a contact): the token never reaches a log line, whether in
# a message, a logged request, an access-log path or a Referer header.
_SECRET_LINK = re.compile(r"(/(?:consent|answer|withdraw)/)[^/\s?#'\"<>]+")


def mask_secrets(text: str) -> str:
    """``/consent/<token>/`` → ``/consent/[hidden]/`` anywhere in ``text`` (also ``/answer/`` and
    ``/withdraw/``)."""
    return _SECRET_LINK.sub(r"\1[hidden]", text)


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "message", "request_id", ...extra, "exception"}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool | None) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return mask_secrets(json.dumps(entry, ensure_ascii=False))


class PlainFormatter(logging.Formatter):
    """The development format, with private links masked like the JSON lines."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_secrets(super().format(record))
