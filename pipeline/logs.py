"""Logging set-up of the ``dipnews`` command: readable text for people, one JSON object per line for machines.

``--log-format json`` makes every log record one line such as::

    {"ts": "2026-11-23T15:20:01.123Z", "level": "INFO", "logger": "pipeline.run",
     "message": "run 20261123T152001Z-3f9a1c: 4 sources, 9 feeds (9 due)", "pid": 4242}

A log call's ``extra={...}`` fields are added as keys, and an exception as ``exc_info`` text, so a log
shipper can index them without parsing messages.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime
from typing import IO, Any

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

#: attributes every LogRecord has; anything else on a record came from ``extra=`` and is emitted
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON (no newline inside: messages are escaped by ``json.dumps``).

    >>> record = logging.LogRecord("dipnews", logging.WARNING, "x.py", 1, "hello %s", ("world",), None)
    >>> doc = json.loads(JsonFormatter().format(record))
    >>> doc["level"], doc["logger"], doc["message"]
    ('WARNING', 'dipnews', 'hello world')
    """

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace(
                "+00:00", "Z"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process or os.getpid(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                doc[key] = value
        if record.exc_info:
            doc["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


def configure(log_format: str = "text", *, verbose: bool = False, stream: IO[str] | None = None) -> None:
    """Send the process's logs to ``stream`` (stderr) in ``log_format``, INFO with ``verbose`` else WARNING.

    Replaces any handler already on the root logger, so calling it twice does not print lines twice.
    """
    if log_format not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, got {log_format!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
