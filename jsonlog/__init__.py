"""Structured JSON log lines on stderr, for every process of the system.

A bottom layer: it imports nothing of ours, so the server, the client core and both apps can
use it without breaking the import layers (apps never import ``signaling``).

Call sites pass facts as ``extra={"fields": {...}}`` (or :func:`fields`); the formatter puts
them beside the message.  Secrets never reach here because call sites only log identifiers
(kiosk, agent, call ids), never tokens, SDP bodies, chat text or phone numbers; and whatever a
library logs, anything shaped like one of our tokens or like a phone number is redacted on the
way out.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

_RESERVED = frozenset(vars(logging.makeLogRecord({})))
_SECRET = re.compile(
    r"(etk_|bearer\.|Bearer )[A-Za-z0-9_.~+/=-]{8,}|v1\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{20,}"
)


# Phone numbers (callback requests, issue 14): international with "+", or Finnish national
# ones starting with 0, as typed (spaces or dashes between groups). Epoch times, ids and
# counters never start with "+" or a lone 0 followed by six or more digits.
_PHONE = re.compile(
    r"\+\s?\d(?:[\s()-]{0,2}\d){6,16}"
    r"|(?<![\w.+-])0\d(?:[\s-]?\d){5,12}(?![\w.])"
)


def redact(text: str) -> str:
    """``text`` with anything shaped like a device or session token or a phone number
    replaced."""
    return _PHONE.sub("[phone]", _SECRET.sub("[redacted]", text))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and structured fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as one JSON line."""
        line: dict[str, Any] = {
            "ts": round(record.created, 3),
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            line.update(extra)
        for key, value in vars(record).items():
            if key not in _RESERVED and key not in ("fields", "message", "asctime"):
                line.setdefault(key, value)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(line, default=str, ensure_ascii=False))


def setup_logging(level: str = "INFO") -> None:
    """Send every logger's records as JSON lines to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiohttp's access log would print request lines with query strings; we log our own.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("websockets").setLevel(logging.INFO)
    # aioice logs every candidate pair check at INFO: noise in a kiosk's journal.
    logging.getLogger("aioice").setLevel(logging.WARNING)


def fields(**values: Any) -> dict[str, Any]:
    """Shorthand for ``extra={"fields": {...}}``."""
    return {"fields": values}
