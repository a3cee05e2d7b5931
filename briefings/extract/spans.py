"""Where a cue's words and its content begin and end: token ranges cut before what is not part of
what was said (a relative clause with a cue of its own, a coordinated cue), and turned into
character spans of the paragraph's text (no leading "that", no final full stop)."""

from __future__ import annotations

from spacy.tokens import Token

from briefings.extract.lexicon import CUE_LEMMAS, SAY_VERBS, THOUGHT_VERBS

OPENING_MARKS = '“"«„‘'
_STRIP = " \t\r\n,;:–—-"
_CUE_LEFT = ("aux", "auxpass", "neg", "advmod")


def cue_text(verb: Token, extra: Token | None) -> str:
    """The cue words as written: the verb with the auxiliaries, negation and adverb right before it, its
    particle ("points out"), and ``extra`` ("called for", "accused ... of")."""
    start = verb.i
    for child in reversed(list(verb.lefts)):
        if child.dep_ in _CUE_LEFT and child.i == start - 1:
            start = child.i
        else:
            break
    end = verb.i + 1
    for child in verb.rights:
        if child.dep_ == "prt" and child.i == end:
            end = child.i + 1
    doc = verb.doc
    words = doc[start:end].text
    if extra is not None and extra.i >= end:
        words += " " + extra.text
    return words


def span_of(tokens: list[Token]) -> tuple[int, int]:
    """The token range the subtrees of ``tokens`` cover."""
    lo = min(t.left_edge.i for t in tokens)
    hi = max(t.right_edge.i for t in tokens)
    return lo, hi


_TIME_MARKS = frozenset("after following".split())


def cut_relatives(doc, lo: int, hi: int) -> int:
    """End of the content before a trailing clause that is not part of what was said.

    ", which has ordered ..." with a cue of its own is a statement of its own; "after the US pulled
    back ..." dates the speech; ": “...”" opens a direct quote of its own.
    """
    for t in doc[lo + 1 : hi + 1]:
        if t.right_edge.i < hi or t.i <= lo:
            continue
        first = t.left_edge.i
        if first <= lo:
            continue
        if t.dep_ == "relcl" and doc[first - 1].text == "," and doc[first].lower_ in ("which", "who"):
            return first - 2
        before = doc[first - 1].text
        if before in ("”", '"', "’") and first >= 2 and doc[first - 2].text == ",":
            before = ","  # '..., " drawing laughter': the comma sits inside the closing mark
        if t.dep_ in ("advcl", "acl", "conj", "xcomp") and t.tag_ == "VBG" and before in (",", "–", "—", "-"):
            # ", bringing Yes Scotland within ...": the writer's gloss; "– warning the leaders ...": a
            # statement of its own
            return first - 2
        if t.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in _TIME_MARKS for m in t.children):
            return first - 1
        if (
            t.pos_ == "NOUN"
            and doc[first - 1].text == ","
            and any(g.dep_ == "relcl" and g.lemma_.lower() in SAY_VERBS for g in t.children)
        ):
            # "..., an accusation the government strongly denies": another source's statement
            return first - 2
    for t in doc[lo + 1 : hi + 1]:
        if t.text == ":" and t.i + 1 <= hi and doc[t.i + 1].text in ("“", '"', "‘", "«"):
            return t.i - 1
    return hi


def cut_coordinated_cue(parts: list[Token], hi: int) -> int:
    """End of the content before a coordinated cue of the same speaker.

    "said he had noted some progress but warned that time was running out": "warned" is a statement of
    its own (its subject is the one of "noted"), so the first content stops before "but"; so does a
    coordinated thought ("denies he is X and believes that ...": no statement, not the denial's).
    """
    for p in parts:
        for c in p.rights:
            if (
                c.dep_ == "conj"
                and c.pos_ == "VERB"
                and not any(g.dep_.startswith("nsubj") for g in c.children)
                and (
                    (
                        c.lemma_.lower() in SAY_VERBS
                        and any(g.dep_ in ("ccomp", "xcomp", "dobj") for g in c.children)
                    )
                    or (
                        # a finite verb like the cue's own ("and cautioned against ...", "and
                        # believes that ..."), not an infinitive inside the content ("to curb X and
                        # commit to ...")
                        c.tag_ in ("VBD", "VBZ", "VBP")
                        and c.lemma_.lower() in CUE_LEMMAS | THOUGHT_VERBS
                        and any(g.dep_ in ("ccomp", "xcomp", "dobj", "prep") for g in c.children)
                    )
                )
            ):
                doc = c.doc
                cut = c.left_edge.i - 1
                # back over "but", "and", commas and adverbs ("but also blamed the media")
                while cut > p.i and (doc[cut].dep_ in ("cc", "advmod") or doc[cut].is_punct):
                    cut -= 1
                return min(hi, cut)
    return hi


def char_span(doc, lo: int, hi: int) -> tuple[int, int]:
    """Character span of tokens lo..hi without leading "that"/punctuation or a final full stop."""
    while lo <= hi and (
        doc[lo].text in (",", ":", ";", "-", "–", "—")
        or (doc[lo].lower_ in ("that", "for") and doc[lo].dep_ == "mark")
    ):
        lo += 1
    if lo > hi:
        return 0, 0
    text = doc.user_data.get("text")
    if text is None:  # Doc.text joins every token: build it once per paragraph
        text = doc.user_data["text"] = doc.text
    start = doc[lo].idx
    end = doc[hi].idx + len(doc[hi].text)
    while end > start and text[end - 1] in _STRIP + ".":
        end -= 1
    if end < len(text) and _unclosed(text[start:end], text[end]):
        end += 1  # 'as “genocide”.': the closing mark the parser hung elsewhere belongs to the content
    return start, end


def _unclosed(content: str, nxt: str) -> bool:
    """Does ``content`` leave a quotation open that the next character ``nxt`` closes?"""
    if nxt == "”":
        return content.count("“") > content.count("”")
    if nxt == '"':
        return content.count('"') % 2 == 1
    return False
