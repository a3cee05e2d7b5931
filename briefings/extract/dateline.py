"""News datelines: ``TEHRAN --``, ``WASHINGTON (Reuters) -``, ``LONDON, March 3 (AP) —`` opening a body."""

from __future__ import annotations

import re

from briefings.models import Dateline

_DATELINE = re.compile(
    r"""(?P<place>[A-Z][A-Z.'’\- ]{1,40}?[A-Z.])         # place in capitals
    (?:,\s*(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?))?   # optional date
    \s*(?:\((?P<agency>[A-Za-z][\w .&-]{1,30})\))?        # optional (Agency)
    \s*(?:--|-|–|—|:)\s+""",
    re.VERBOSE,
)


def find_dateline(text: str, body_start: int = 0) -> Dateline | None:
    """The dateline opening the body of ``text``, with offsets of the whole dateline, or None."""
    lead = len(text[body_start:]) - len(text[body_start:].lstrip())
    at = body_start + lead
    m = _DATELINE.match(text, at, min(len(text), at + 120))
    if not m:
        return None
    place = m.group("place").strip()
    # "A" or "I" followed by a dash is prose, not a place; places have at least two letters.
    if len(place.replace(" ", "")) < 2 or not any(ch.isalpha() for ch in place):
        return None
    return Dateline(place=place, agency=m.group("agency"), date=m.group("date"), start=at, end=m.end())
