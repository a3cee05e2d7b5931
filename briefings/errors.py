"""Errors the core raises, each with a short message fit to show a user.

Adapters catch ``BriefbotError`` and show ``str(error)``; the detail for logs
goes in ``detail``. Anything else escaping the core is a bug.
"""

from __future__ import annotations


class BriefbotError(Exception):
    """A failure with a one-line, user-facing message."""

    exit_code = 2

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail or message


class InputError(BriefbotError):
    """The input cannot be briefed: missing, empty, binary, not UTF-8, not English, not an article."""


class FetchError(BriefbotError):
    """A URL could not be fetched (DNS, timeout, HTTP error, too large, wrong type)."""


class UnsafeURLError(FetchError):
    """A URL was refused: wrong scheme, or its host is private, loopback, link-local, ..."""


class FeedError(BriefbotError):
    """A feed could not be read or parsed."""


class ConfigError(BriefbotError):
    """A setting is missing or malformed; the message names the variable."""


class MissingPartError(BriefbotError):
    """A library briefbot needs for this input could not be imported (a broken or partial install)."""

    @classmethod
    def of(cls, part: str, exc: ImportError) -> MissingPartError:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return cls(
            f"{part} could not be loaded ({reason[:200]}); reinstall briefbot: pip install -e .",
            detail=repr(exc),
        )


class PermissionDenied(BriefbotError):
    """The user may not do that here (e.g. change someone else's subscription)."""
