"""What the reading of one article passes between its stages: its paragraphs (parsed, with their
quotations) and the statements found so far (``Statements``: the ones of the paragraph being read
claim their text)."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from briefings.extract.cue import ActCue
from briefings.extract.quotes import Quote
from briefings.extract.speakers import Source, SourceTable
from briefings.models import Act, Kind


@dataclass
class Paragraph:
    start: int  # offset in Article.text
    end: int
    doc: Doc | None = None
    quotes: list[Quote] = field(default_factory=list)
    parsed: bool = True  # False: no cue and no quotation mark, so only names were recognised


@dataclass
class Found:
    """A statement before its speaker's final name is known."""

    source: Source
    start: int
    end: int
    kind: Kind
    act: Act
    cue: str
    mention: str
    cue_start: int | None
    priority: int  # which one to keep when two statements claim the same text
    act_cue: ActCue  # what the act decision reads of the cue
    para: int = 0  # index of its paragraph


def tokens_between(p: Paragraph, after: int, before: int) -> list[Token]:
    """Tokens of paragraph ``p`` starting strictly between two offsets of the article text."""
    doc = p.doc
    assert doc is not None
    starts = doc.user_data.get("starts")
    if starts is None:
        starts = doc.user_data["starts"] = [t.idx for t in doc]
    lo = bisect.bisect_right(starts, after - p.start)
    hi = bisect.bisect_left(starts, before - p.start)
    return [doc[i] for i in range(lo, hi)]


def in_quote_test(p: Paragraph) -> Callable[[int], bool]:
    """Is a character offset of the paragraph's doc inside one of its quotations (marks included)?"""
    spans = [
        (q.open_mark - p.start, (q.close_mark if q.close_mark is not None else q.end) - p.start)
        for q in p.quotes
    ]

    def test(idx: int) -> bool:
        return any(a <= idx <= b for a, b in spans)

    return test


class Statements:
    """The statements of one article in the order they are found, and its source table."""

    def __init__(self, table: SourceTable) -> None:
        self.table = table
        self.found: list[Found] = []
        self.here: list[Found] = []  # statements of the paragraph being read (none spans two)
        self.last_para = -10  # paragraph index of the last statement (for floating quotes)

    def new_paragraph(self) -> None:
        self.here = []

    def claimed(self, q: Quote) -> bool:
        return any(f.start <= q.start and q.end <= f.end + 1 for f in self.here) or any(
            f.start == q.start for f in self.here
        )

    def overlaps_claimed(self, start: int, end: int) -> bool:
        for f in self.here:
            inter = min(end, f.end) - max(start, f.start)
            if inter > 0 and inter >= 0.5 * (max(end, f.end) - min(start, f.start)):
                return True
        return False

    def emit(self, pi: int, f: Found) -> None:
        if f.end <= f.start:
            return
        f.para = pi
        if f.source.intro is not None and not f.source.role_words:
            f.source.set_role(*f.source.intro)
        self.found.append(f)
        self.here.append(f)
        self.table.spoke(f.source)
        self.last_para = pi
