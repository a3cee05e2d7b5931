"""Reported speech from the dependency parse: the cues of a sentence.

``sentence_cues`` collects three kinds: cue verbs of the lexicon (``verb_cues``: "said", "denied",
"urged" ...; the content they govern is ``frames.content_of``'s, their speaker ``subjects.subject_of``),
topic verbs whose object quotes the speaker or judges something (``quoted_object_cues``: "called the
sentence “dangerous”") and source phrases (``source_cues``: "according to X", "in the words of X").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from spacy.tokens import Span, Token

from briefings.extract.cue import Cue
from briefings.extract.frames import content_of
from briefings.extract.lexicon import (
    AS_VERBS,
    CLAIM_NOUNS,
    CUE_LEMMAS,
    DENIAL_VERBS,
    DOCUMENT_NOUNS,
    DOCUMENT_ONLY,
    FEELING_NOUNS,
    GRANTED_NOUNS,
    HYPOTHETICAL_AUX,
    HYPOTHETICAL_HEADS,
    QUOTED_OBJECT_VERBS,
    SPEECH_NOUNS,
    TOPIC_NP,
)
from briefings.extract.spans import OPENING_MARKS, char_span, cue_text, cut_relatives, span_of
from briefings.extract.subjects import passive_agent, subject_of


def sentence_cues(sent: Span, in_quote: Callable[[int], bool]) -> list[Cue]:
    """The cues of a sentence in order (verbs, source phrases, quoting topic verbs); speech inside
    speech is annotated once, at the outer level; the writer's own question has none."""
    cues = sorted(
        [*verb_cues(sent, in_quote), *source_cues(sent, in_quote), *quoted_object_cues(sent, in_quote)],
        key=lambda c: c.token.i,
    )
    if sent.text.rstrip().endswith("?") and not in_quote(sent.end_char - 1):
        return []  # "Does this stem from organisations offering ...?"
    return [
        c
        for c in cues
        if not any(o is not c and o.start <= c.token.idx < o.end and o.frame != "source" for o in cues)
    ]


def verb_cues(sent: Span, in_quote: Callable[[int], bool]) -> Iterator[Cue]:
    """Cue verbs of a sentence with their speaker and content (offsets into ``sent.doc.text``)."""
    for tok in sent:
        lemma = tok.lemma_.lower()
        if tok.pos_ not in ("VERB", "AUX") or in_quote(tok.idx):
            continue
        lemma = _phrasal(tok, lemma)
        if lemma not in CUE_LEMMAS:
            continue
        if tok.dep_ in ("amod", "compound", "nmod") or _hypothetical(tok):
            continue
        if tok.dep_ in ("acl", "ccomp") and tok.head.lemma_.lower() in CLAIM_NOUNS:
            continue  # "faces allegations he ordered ...": what is alleged, not what he said
        subj = subject_of(tok) or passive_agent(tok, lemma)
        if subj is None or in_quote(subj.idx):
            continue
        if subj.i < tok.i and subj.left_edge.i > sent.start:
            before = sent.doc[subj.left_edge.i - 1]
            # ("an accusation the government denies" has the noun as its content: kept)
            own = any(c.dep_ in ("dobj", "ccomp", "xcomp") for c in tok.rights)
            if own and (before.lemma_.lower() in CLAIM_NOUNS or before.lower_ in CLAIM_NOUNS):
                continue  # the same, misparsed: "... and allegations he ordered his forces to ..."
        if lemma in DOCUMENT_ONLY and not _document_like(subj):
            continue
        if _reports_nothing(tok, lemma, list(tok.rights)):
            continue
        cue = content_of(tok, lemma, subj)
        if cue is not None:
            yield cue


def _phrasal(tok: Token, lemma: str) -> str:
    """Multi-word cues: "made clear" -> "make clear", "points out" -> "point out"."""
    if lemma == "make" and any(
        c.lower_ == "clear" and c.dep_ in ("oprd", "ccomp", "acomp", "dobj", "advmod") for c in tok.children
    ):
        return "make clear"
    if lemma == "point" and any(c.lower_ == "out" and c.dep_ == "prt" for c in tok.children):
        return "point out"
    return lemma


def _hypothetical(verb: Token) -> bool:
    """Hypothetical or future speech is no statement: "would say", "did not say", "is expected to say"."""
    if any(c.dep_ in ("aux",) and c.lower_ in HYPOTHETICAL_AUX for c in verb.children):
        return True
    if any(c.dep_ == "neg" for c in verb.children) and verb.lemma_ not in DENIAL_VERBS:
        return True
    head = verb.head
    if verb.dep_ == "xcomp" and head.lemma_.lower() in HYPOTHETICAL_HEADS:
        return True
    # "is expected to say": the xcomp hangs off a passive participle or adjective
    return verb.dep_ == "xcomp" and head.tag_ in ("VBN", "JJ") and head.lemma_.lower() in HYPOTHETICAL_HEADS


def _reports_nothing(tok: Token, lemma: str, rights: list[Token]) -> bool:
    """Uses of a cue verb that report no speech: "denied them a visa", "outlined his priorities",
    "one of the questions he asked the crew", "asked Smith about the deal"."""
    if lemma in DENIAL_VERBS and _denies_a_thing(rights):
        return True
    if _topic_only(lemma, rights):
        return True
    if lemma == "ask" and tok.dep_ == "relcl" and tok.head.lemma_.lower() == "question":
        return True
    # "asked Smith about the deal", "asked questions": a question put to someone, no demand
    return (
        lemma == "ask"
        and not any(c.dep_ in ("ccomp", "xcomp") for c in rights)
        and (
            any(c.dep_ == "prep" and c.lower_ == "about" for c in rights)
            or any(c.dep_ == "dobj" and c.lemma_.lower() == "question" for c in rights)
        )
    )


_FINITE_TAGS = frozenset("VBD VBZ VBP MD".split())


def _denies_a_thing(rights: list[Token]) -> bool:
    """A ditransitive denial is an action: "denied them a visa", "denied AMD access to ..."."""
    if any(c.dep_ == "dative" and c.pos_ in ("PRON", "PROPN", "NOUN") for c in rights):
        return True
    return any(c.dep_ == "dobj" and c.lemma_.lower() in GRANTED_NOUNS for c in rights)


def _topic_only(lemma: str, rights: list[Token]) -> bool:
    """ "outlined his priorities", "offered his explanation": a plain noun phrase object names a topic.

    An object carrying a finite clause ("his priorities ..., which included holding elections") or a
    quotation still has content; so does any clause or infinitive complement of the verb.
    """
    if lemma not in TOPIC_NP:
        return False
    if any(c.dep_ in ("ccomp", "xcomp") for c in rights):
        return False
    objs = [c for c in rights if c.dep_ == "dobj"]
    if len(objs) != 1:
        return False
    obj = objs[0]
    if lemma == "offer" and obj.lemma_.lower() not in SPEECH_NOUNS:
        return False  # "offered aid": a real offer
    sub = list(obj.subtree)
    if any(t.text in OPENING_MARKS or t.text == "``" for t in sub):
        return False
    return not any(t.tag_ in _FINITE_TAGS and t.dep_ in ("relcl", "ccomp", "advcl", "acl") for t in sub)


def _document_like(subj: Token) -> bool:
    return subj.lemma_.lower() in DOCUMENT_NOUNS or subj.ent_type_ == "ORG" or subj.lower_ in DOCUMENT_NOUNS


# -- topic verbs whose object quotes the speaker, and judgements -----------------------------------
# Verbs that only name a topic ("criticised the plan") unless their object quotes the speaker:
# "thanking France for pressuring Colombia to “think of other options”" is a (mixed) statement.


def quoted_object_cues(sent: Span, in_quote: Callable[[int], bool]) -> Iterator[Cue]:
    """Topic verbs whose object holds a quotation of the speaker: mixed statements.

    Verbs that characterise something ("describes the ruling as historic", "refers to them as
    prisoners", "called the sentence “dangerous”") state the speaker's judgement, quoted or not.
    """
    for tok in sent:
        lemma = tok.lemma_.lower()
        if tok.pos_ not in ("VERB", "AUX") or in_quote(tok.idx):
            continue
        as_any = _as_judgement(tok, lemma)
        naming = _naming(tok, lemma)
        if lemma not in QUOTED_OBJECT_VERBS and not as_any and not naming:
            continue
        if tok.dep_ in ("amod", "compound") or _hypothetical(tok):
            continue
        subj = subject_of(tok)
        if subj is None or in_quote(subj.idx):
            continue
        # "referred to the database as NEEMIS" names a thing; only a quoted "as" judges it
        cue = _topic_object(tok, lemma, subj, naming=naming, judged=as_any and lemma != "refer")
        if cue is not None:
            yield cue


def _as_judgement(tok: Token, lemma: str) -> bool:
    """ "describes the ruling as historic" (the parser may hang "as" inside the object: "listed deals
    with Iran and the response to the crisis as highlights")."""
    return lemma in AS_VERBS and any(
        c.dep_ == "prep" and c.lower_ == "as" and c.head.i >= tok.i and c.head.dep_ != "relcl"
        for r in tok.rights
        if r.dep_ in ("dobj", "prep")
        for c in (r, *r.subtree)
    )


def _naming(tok: Token, lemma: str) -> bool:
    """ "called the sentence “dangerous”" names a judgement ("what Brown called “home rule”" does not)."""
    return (
        lemma == "call"
        and any(c.dep_ == "oprd" for c in tok.rights)
        and not any(c.lower_ in ("what", "which", "that") for c in tok.children)
        and tok.dep_ != "relcl"
    )


def _topic_object(tok: Token, lemma: str, subj: Token, *, naming: bool, judged: bool) -> Cue | None:
    """The object of a topic verb as content, when it quotes the speaker or the verb judges it."""
    doc = tok.doc
    parts = [
        c
        for c in tok.rights
        if c.dep_ in ("dobj", "ccomp", "oprd")
        or (c.dep_ == "prep" and c.lower_ in ("about", "to", "for", "as", "of", "that"))
    ]
    if not parts:
        return None
    if lemma == "express":
        expressed = _expressed(parts)
        if expressed is None:
            return None
        parts = expressed
    lo, hi = span_of(parts)
    hi = cut_relatives(doc, lo, hi)
    if hi < lo:
        return None
    quoted = any(t.text in OPENING_MARKS or t.text == "``" for t in doc[lo : hi + 1])
    if not quoted and not judged:
        return None
    if lemma in ("talk", "pay", "refer"):
        lo = _past_topic_preposition(doc, lemma, lo, hi)
    start, end = char_span(doc, lo, hi)
    return Cue(tok, lemma, subj, start, end, cue_text(tok, None), naming=naming) if end > start else None


def _expressed(parts: list[Token]) -> list[Token] | None:
    """ "expressed its relief that the economy had “dodged a catastrophe”": the that-clause; None for
    a feeling without one ("expressed optimism of a “grand bargain”": no speech)."""
    clause = [
        g
        for o in parts
        for g in o.children
        if g.dep_ in ("acl", "ccomp") and any(m.dep_ == "mark" and m.lower_ == "that" for m in g.children)
    ]
    if not clause and any(o.lemma_.lower() in FEELING_NOUNS for o in parts):
        return None
    return clause or parts


def _past_topic_preposition(doc, lemma: str, lo: int, hi: int) -> int:
    """ "talked about X", "paid tribute to X", "refers to X as": the content starts at X."""
    first = doc[lo]
    if first.dep_ != "prep" and first.lower_ != "tribute":
        return lo
    return next(
        (
            t.left_edge.i if lemma == "refer" else t.i
            for t in doc[lo : hi + 1]
            if t.dep_ in ("pobj",) or t.text in OPENING_MARKS
        ),
        lo,
    )


# -- source phrases --------------------------------------------------------------------------------


def source_cues(sent: Span, in_quote: Callable[[int], bool]) -> Iterator[Cue]:
    """``according to X, ...`` / ``..., according to X`` / ``in the words of X``: X is the source."""
    doc = sent.doc
    for tok in sent:
        if in_quote(tok.idx):
            continue
        found = _source_phrase(tok)
        if found is None:
            continue
        source, phrase_head = found
        lo, hi = _source_content(sent, tok, source, phrase_head)
        if hi - lo < 2:
            continue
        start, end = char_span(doc, lo, hi)
        if end > start:
            phrase = "according to" if tok.lower_ == "according" else "in the words of"
            yield Cue(tok, phrase, source, start, end, phrase, frame="source")


def _source_phrase(tok: Token) -> tuple[Token, Token] | None:
    """The source of the phrase ``tok`` opens and the phrase's head, or None."""
    if tok.lower_ == "according":
        return _according_to(tok)
    if tok.lower_ == "words" and tok.dep_ == "pobj" and tok.head.lower_ == "in":
        of = next((c for c in tok.children if c.lower_ == "of"), None)
        source = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        return (source, tok.head) if source is not None else None
    return None


def _according_to(tok: Token) -> tuple[Token, Token] | None:
    """ "according to X": X (the agent of "according to the private fears expressed by a senior
    official")."""
    doc = tok.doc
    to = next((c for c in tok.children if c.lower_ == "to"), None)
    if to is None and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
        to = doc[tok.i + 1]
    if to is None:
        return None
    source = next((c for c in to.children if c.dep_ == "pobj"), None)
    if source is None:
        return None
    if source.pos_ == "NOUN" and source.lemma_.lower() not in DOCUMENT_NOUNS:
        for acl in source.children:
            agent = next((c for c in acl.children if c.dep_ == "agent"), None) if acl.dep_ == "acl" else None
            by = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent else None
            if by is not None:
                return by, tok
    return source, tok


def _source_content(sent: Span, tok: Token, source: Token, phrase_head: Token) -> tuple[int, int]:
    """Token range of what a source phrase attributes: the clause before or after it."""
    doc = sent.doc
    lo_p = min(phrase_head.left_edge.i, tok.i)
    hi_p = max(phrase_head.right_edge.i, source.right_edge.i)
    before = (sent.start, lo_p - 1)
    after = (hi_p + 1, sent.end - 1)
    n_before = before[1] - before[0] + 1
    n_after = after[1] - after[0] + 1
    # ", according to X" follows its clause; "According to X, ..." opens the sentence
    lo, hi = before if n_before >= 3 and (n_before >= n_after or doc[lo_p - 1].text == ",") else after
    if (
        (lo, hi) == before
        and n_after >= 3
        and not any(t.pos_ in ("VERB", "AUX") for t in doc[before[0] : before[1] + 1])
    ):
        # "At the same time, according to X, the troops were ...": an adverbial before, the clause after
        lo, hi = after
    if (
        (lo, hi) == before
        and n_after >= 3
        and not doc[hi_p + 1].is_punct
        and any(t.dep_ in ("nsubj", "nsubjpass", "expl") for t in doc[after[0] : after[1] + 1])
    ):
        # ", according to X there may be ...": no comma after the source, a clause of its own follows
        lo, hi = after
    if (
        lo_p >= 2
        and doc[lo_p - 1].text == ","
        and hi_p + 1 < len(doc)
        and doc[hi_p + 1].text == ","
        and doc[lo_p - 2].lower_ in ("which", "who", "that")
        and n_after >= 3
    ):
        # "..., which, according to AFP, both sides have criticised": the relative clause it sits in
        lo, hi = lo_p - 2, cut_relatives(doc, lo_p - 2, after[1])
    if tok.lower_ == "words":
        # "The minister will try, in the words of one aide, to ...": the whole clause is the content
        lo, hi = sent.start, sent.end - 1
    return lo, hi
