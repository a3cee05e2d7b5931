"""Plain text (a ``.txt`` file, pasted text, stdin, a text/plain page) -> ``Article``.

Every refusal is an ``InputError`` with a one-line message.
"""

from __future__ import annotations

import re

from briefings.errors import InputError
from briefings.ingest.language import looks_english
from briefings.models import Article

MAX_TEXT_CHARS = 2_000_000  # a briefing of more than this is not a news article
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode_text(data: bytes, source: str) -> str:
    """Decode UTF-8 bytes exactly (no newline translation); refuse binary and non-UTF-8 input."""
    if not data.strip():
        raise InputError(f"{source} is empty: there is no article to brief")
    if b"\x00" in data[:8192]:
        raise InputError(f"{source} looks like a binary file, not an article (expected UTF-8 text)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source} is not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8 and try again"
        ) from None
    if len(_CONTROL.findall(text[:8192])) > 8:
        raise InputError(f"{source} looks like a binary file, not an article (expected UTF-8 text)")
    return text


def article_from_text(text: str, source: str = "pasted text", *, headline_line: bool = True) -> Article:
    """Build an Article from plain text: line 1 is the headline when ``headline_line`` (as in ``seeds/``).

    Offsets of later stages index into ``text`` exactly as given.
    """
    if not text.strip():
        raise InputError(f"{source} is empty: there is no article to brief")
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(
            f"{source} is too long to brief ({len(text):,} characters; the limit is {MAX_TEXT_CHARS:,})"
        )
    if not looks_english(text):
        raise InputError(f"{source} does not look like English text; briefbot briefs English news only")
    title = ""
    body_start = 0
    if headline_line:
        lead = len(text) - len(text.lstrip())
        newline = text.find("\n", lead)
        first = text[lead:newline] if newline >= 0 else text[lead:]
        rest = text[newline + 1 :] if newline >= 0 else ""
        # A one-line text, or a first line that reads as a paragraph rather than a
        # headline, is body too.
        if rest.strip() and _is_headline(first):
            title = first.strip()
            body_start = newline + 1
    return Article(text=text, title=title, source=source, body_start=body_start)


def _is_headline(line: str) -> bool:
    line = line.strip()
    if not line or len(line) > 200:
        return False
    # A headline rarely ends in a full stop and rarely holds two sentences.
    return not re.search(r"[.!?][\"'”’]?\s+[A-Z“\"]", line) and not line.endswith((".", ":"))
