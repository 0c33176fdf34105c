"""Logging: JSON lines in production, readable lines in development, a request id on every line.

Modules log through `logging.getLogger(__name__)`. Code never passes secrets to a
logger; the redacting filter here is a second line of defence that masks what
looks like a bearer token, a personal identity number, a phone number or a
one-time code should one slip into a message or an argument.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_REDACTIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?i)bearer\s+[A-Za-z0-9\-_.~+/=]+"), "Bearer [redacted]"),
    (re.compile(r"eyJ[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*"), "[redacted-jwt]"),
    # Personal identity / coordination numbers: (YY)YYMMDD, optional separator, four digits.
    (re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+ ]?\d{4}(?!\d)"), "[redacted-number]"),
    # Phone numbers in international or Swedish national form.
    (re.compile(r"(?<![\w])(?:\+|00)\d[\d\s\-]{6,16}\d"), "[redacted-phone]"),
    (re.compile(r"(?<!\d)0\d{1,3}[\s\-]?\d{2,3}[\s\-]?\d{2}[\s\-]?\d{2,3}(?!\d)"), "[redacted-phone]"),
    # One-time codes and tokens written as key=value.
    (re.compile(r"(?i)\b(code|otp|token|password|secret|key)=([^\s&]+)"), r"\1=[redacted]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            # The exception type only: a traceback may carry values from the frames.
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s")

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's own name
        return f"  ({ei[0].__name__})" if ei and ei[0] else ""


def configure(*, structured: bool, level: str = "INFO", stream: TextIO | None = None) -> None:
    """Install one handler on the root logger; idempotent."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if structured else TextFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_sigill", False):
            root.removeHandler(old)
    handler._sigill = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # The Azure SDKs log request headers and URLs at INFO, aiosqlite every statement with its parameters
    # (addresses, digests) at DEBUG; keep them at WARNING.
    for noisy in ("azure", "azure.core.pipeline.policies.http_logging_policy", "aiohttp.access", "aiosqlite"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
