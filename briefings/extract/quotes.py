"""Quotation-mark scanning: the spans of quoted text in a paragraph, in every common quote style.

Works on characters, not tokens, so apostrophes (``Iran’s``, ``countries’``) and unbalanced marks are
judged from their neighbours; a mark that never closes is dropped without disturbing the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

# opener -> the closers it accepts (German „…“ and „…” are both in use)
_PAIRS: dict[str, str] = {
    "“": '”"',
    "„": '“”"',
    "«": "»",
    "»": "«",  # Danish/Swedish »…«
    '"': '"”',
    "‘": "’'",
    "'": "'’",
}
_DOUBLE_OPENERS = "“„«"
_BEFORE_OPEN = " \t\n\r([{—–-/:;,…"  # characters that may stand just before an opening mark
_AFTER_CLOSE = " \t.,;:!?)]}—–-…"


@dataclass(frozen=True)
class Quote:
    """Quoted text: ``start``/``end`` exclude the marks; offsets into the text given to ``find_quotes``."""

    start: int
    end: int
    open_mark: int  # offset of the opening mark
    close_mark: int | None  # offset of the closing mark, None when the quote runs to the paragraph end
    double: bool = True  # double marks (“ " « „) rather than single ones

    @property
    def runs_on(self) -> bool:
        """True when the quote does not close in its paragraph (a multi-paragraph quote)."""
        return self.close_mark is None


def _opens(text: str, i: int, start: int = 0) -> bool:
    prev = text[i - 1] if i > start else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    # French guillemets take a space inside: « non merci »
    return (prev in _BEFORE_OPEN or prev in "\"“‘'„«") and (not nxt.isspace() or text[i] == "«")


def _closes(text: str, i: int) -> bool:
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    return (not prev.isspace() or text[i] == "»") and (
        nxt in _AFTER_CLOSE or nxt in "\"”’'»\n\r" or i + 1 == len(text)
    )


def find_quotes(text: str, start: int = 0, end: int | None = None) -> list[Quote]:
    """Outermost quotations in ``text[start:end]`` (one paragraph); nested quotes stay inside their parent.

    A quote left open at the paragraph end is kept (``runs_on``) only when it opened the paragraph or
    followed a colon, the shape of a quote that continues in the next paragraph; other unclosed marks
    are ignored so that they cannot swallow the text after them.
    """
    end = len(text) if end is None else end
    stack: list[tuple[str, int]] = []
    found: list[Quote] = []
    i = start
    while i < end:
        c = text[i]
        if c not in _PAIRS and c not in "”’":
            i += 1
            continue
        top = stack[-1][0] if stack else None
        # 1) a closer of the innermost open quote
        if top is not None and c in _PAIRS[top] and (_closes(text, i) or c in "”»«“" and top in "„«»“"):
            if top in "‘'" and c in "’'" and i + 1 < end and text[i + 1].isalpha():
                i += 1  # an apostrophe inside a word (don’t), not a closing single mark
                continue
            mark, pos = stack.pop()
            if not stack:
                a, b = pos + 1, i
                while a < b and text[a].isspace():
                    a += 1
                while b > a and text[b - 1].isspace():
                    b -= 1
                found.append(Quote(a, b, pos, i, mark not in "‘'"))
            i += 1
            continue
        # 2) an opener
        if c in _PAIRS and _opens(text, i, start) and len(stack) < 3:
            if c in "‘'" and stack and stack[-1][0] in "‘'":
                i += 1
                continue
            # Straight single quotes open only where a word starts (not in "rock 'n' roll"-like spots
            # following letters, which _opens already refuses).
            stack.append((c, i))
            i += 1
            continue
        i += 1
    if stack:
        mark, pos = stack[0]
        lead = text[start:pos].strip()
        # the shape of a quote continued in the next paragraph: it opens the paragraph, follows a
        # colon or a comma ('said, "...'), or opens a sentence ('Zuma said. “Our nation has lost ...')
        if mark in _DOUBLE_OPENERS + '"' and (not lead or lead.endswith((":", ".", "!", "?", ","))):
            stop = end
            while stop > pos + 1 and text[stop - 1].isspace():
                stop -= 1
            found.append(Quote(pos + 1, stop, pos, None, True))
        else:
            # A stray mark: forget it and read the rest of the paragraph again without it.
            found.extend(find_quotes(text, pos + 1, end))
    return [q for q in found if q.end > q.start]


def inside(quotes: list[Quote], offset: int) -> Quote | None:
    """The quote whose marks enclose ``offset``, if any."""
    for q in quotes:
        if q.open_mark <= offset < (q.close_mark + 1 if q.close_mark is not None else q.end):
            return q
    return None
