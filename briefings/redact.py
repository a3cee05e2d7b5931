"""Credentials never reach a log line: ``user:pass@`` in any URL is replaced by ``***@``.

``redact_urls`` is the one helper for every URL that is logged or printed; ``RedactingFilter``
applies it to each record of a logging handler (the CLI installs it), so third-party log lines
(bolt, httpx) are covered too.
"""

from __future__ import annotations

import logging
import re

# scheme://userinfo@ : the userinfo (anything up to "@" without "/", whitespace or quotes) is dropped.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"<>]+@")


def redact_urls(text: object) -> str:
    """``text`` with the user name and password of every URL in it replaced by ``***``."""
    return _USERINFO.sub(r"\1***@", str(text))


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (arguments merged in) when it holds a URL with credentials."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's problem, not ours
            return True
        redacted = redact_urls(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
