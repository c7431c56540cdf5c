"""The log as one line per record, for every way the skill is served.

A newline or an escape code in an intent name or an error message must not
forge a log line: the Flask server and gunicorn log through
:func:`configure_logging`; on AWS Lambda the runtime's own handler gets the
same :class:`EscapedLog` filter (:func:`escape_handlers`).
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import IO

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_log_text(text: str) -> str:
    """``text`` on one line: newlines, escape codes and other control
    characters written as Python escapes (``\\n``, ``\\x1b``)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text) if _CONTROL.search(text) else text


class EscapedLog(logging.Filter):
    """Makes every record one line of log: the message escaped, and of a
    traceback only its frames kept as lines, the exception's text escaped.
    So a newline or an escape code in an intent name or an error message
    cannot forge a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = escape_log_text(record.getMessage()), None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            frames = "".join(traceback.format_tb(exc.__traceback__))
            last = escape_log_text("".join(traceback.format_exception_only(exc)).rstrip("\n"))
            record.exc_text = f"Traceback (most recent call last):\n{frames}{last}"
        return True


def configure_logging(level: int = logging.INFO, stream: IO[str] | None = None) -> logging.Handler:
    """The application log for a server: one escaped line per record on
    ``stream`` (stderr; tracebacks as indented frames), from every logger."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(EscapedLog())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def escape_handlers(logger: logging.Logger | None = None) -> None:
    """Give every handler of ``logger`` (the root logger) the escaping filter
    once: what AWS Lambda's runtime installed, which writes each record as it is."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, EscapedLog) for f in handler.filters):
            handler.addFilter(EscapedLog())
