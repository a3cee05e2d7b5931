"""The content a cue verb governs, one short function per frame (the lexicon's frames say which a
verb may take).

``content_of`` tries what follows the verb first (``_complement``: ``_say_that``, ``_to_infinitive``,
``_object_content``, ``_prep_frame`` with ``_accuse_of`` and ``_call_on``, ``_call_for_clause``,
``_made_clear``), then what stands around it (``_fronted_clause``, ``_relative_clause``,
``_claim_noun``, ``_parenthetical``), and returns the ``Cue`` with its content span.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from briefings.extract.cue import Cue, Frame
from briefings.extract.lexicon import (
    ACCUSATION_VERBS,
    ADDRESSEE_TO,
    BLAME_FOR,
    CLAIM_NOUNS,
    DENIAL_VERBS,
    INFINITIVE,
    OBJECT_CONTENT,
    PARENTHETICAL,
    PREP_CONTENT,
    verbs_with_act,
)
from briefings.extract.spans import (
    OPENING_MARKS,
    char_span,
    cue_text,
    cut_coordinated_cue,
    cut_relatives,
    span_of,
)

_CONDITIONAL = frozenset("if unless until".split())
# Object verbs whose object is what is asked for or offered (its phrases and purpose belong to it).
_ASKS_OR_OFFERS = verbs_with_act("offer") | verbs_with_act("demand")


def content_of(tok: Token, lemma: str, subj: Token) -> Cue | None:
    """The content a cue verb governs, frame by frame (None: the verb reports nothing here).

    What follows the verb first (``_complement``: say-that, tell, urge-X-to, to-infinitive, object,
    accuse-X-of, call-on-X-to); failing that, what stands around it: the clause before it ("..., X
    said"), the relative clause it sits in, the claim noun it denies, the clause around a
    parenthetical cue.
    """
    rights = list(tok.rights)
    ccomps, hung = _clauses(rights)
    if lemma == "ask" and _asks_whether(ccomps):
        return None
    comp = _complement(tok, lemma, rights, ccomps)
    if comp is None:
        return None
    if comp.parts:
        return _after_cue(tok, lemma, subj, comp, hung)
    return (
        _fronted_clause(tok, lemma, subj)
        or _relative_clause(tok, lemma, subj)
        or _claim_noun(tok, lemma, subj)
        or _parenthetical(tok, lemma, subj)
    )


@dataclass
class _Complement:
    """What a cue verb governs after it, as a frame found it."""

    parts: list[Token] = field(default_factory=list)  # the heads whose subtrees make the content
    extra: Token | None = None  # a word shown with the cue ("called for", "accused ... of")
    addressee_to: bool = False  # an addressee, then an infinitive ("urged X to ...")


def _clauses(rights: list[Token]) -> tuple[list[Token], bool]:
    """The verb's clausal complements, and whether the parser hung the clause on an object instead
    ("telling his counterpart that Tehran is ready", "points out in the rules that ...")."""
    ccomps = [c for c in rights if c.dep_ == "ccomp"]
    if ccomps:
        return ccomps, False
    hung = False
    objects = [o for o in rights if o.dep_ in ("dobj", "dative", "npadvmod")]
    objects += [g for o in rights if o.dep_ == "prep" for g in o.children if g.dep_ == "pobj"]
    for o in objects:
        # after a prepositional object ("points out in the rules that drones had better ..."),
        # a "that" taken for the subject of a clause that has its own is a complementiser too
        that_deps = ("mark", "nsubj") if o.dep_ == "pobj" else ("mark",)
        for g in o.rights:
            if (
                g.dep_ in ("acl", "relcl")
                and any(m.lower_ == "that" and m.dep_ in that_deps for m in g.children)
                and any(m.dep_.startswith("nsubj") and m.lower_ != "that" for m in _near(g))
            ):
                ccomps = [g]
                hung = True
    return ccomps, hung


def _asks_whether(ccomps: list[Token]) -> bool:
    """ "asked whether ...": a question, no demand."""
    if not ccomps:
        return False
    return ccomps[0].left_edge.lower_ in ("whether", "if") or any(
        c.lower_ in ("whether", "if") and c.dep_ == "mark" for c in ccomps[0].children
    )


def _complementiser_subject(tok: Token) -> bool:
    """A "that" the parser took for a subject although its clause has one ("that drones had better")."""
    return tok.dep_ == "nsubj" and any(c.dep_ == "nsubj" and c is not tok for c in _near(tok.head))


def _near(verb: Token) -> list[Token]:
    """The verb's children and grandchildren (a subject may hang on an auxiliary: "drones had better")."""
    return [g for c in verb.children for g in (c, *c.children)]


def _complement(tok: Token, lemma: str, rights: list[Token], ccomps: list[Token]) -> _Complement | None:
    """What the verb governs after it, by the first frame that finds some; None when a frame rules
    content out (an appeal with nothing appealed for, "called" with no "for" clause, "denied it")."""
    comp = _Complement()
    if lemma in PREP_CONTENT:
        comp = _prep_frame(lemma, rights)
        if lemma == "appeal" and not comp.parts:
            return None
    if lemma in BLAME_FOR and not comp.parts:
        return None  # "criticised the plan": a topic ("criticised X for Y" has its content)
    if lemma == "call" and not comp.parts:
        call_for = _call_for_clause(rights)
        if call_for is None:
            return None
        comp = call_for
    if not comp.parts:
        objs = [c for c in rights if c.dep_ in ("dobj", "dative")]
        xcomps = _infinitives(rights)
        if ccomps:
            _say_that(lemma, objs, ccomps, comp)
        elif xcomps and lemma in ADDRESSEE_TO | INFINITIVE:
            _to_infinitive(lemma, objs, xcomps, comp)
        elif objs and lemma in OBJECT_CONTENT and not _object_content(lemma, rights, objs, comp):
            return None
    if lemma == "make clear":
        comp.parts = _made_clear(tok, comp.parts)
    return comp


def _prep_frame(lemma: str, rights: list[Token]) -> _Complement:
    """A verb whose content comes with a preposition: "accused Iran of ...", "called on X to ...",
    "appealed for calm", "asked for help", "threatened X with bans if ..."."""
    comp = _Complement()
    for c in rights:
        if c.dep_ in ("prep", "prt") and c.lower_ in PREP_CONTENT[lemma]:
            if lemma in ("call", "appeal", "press", "plead") or (lemma == "ask" and c.lower_ == "for"):
                comp = _call_on(c, rights)
            else:
                comp = _accuse_of(c, rights)
            break
    if comp.parts and comp.extra is not None and comp.extra.dep_ != "prt":
        # "asking for help in dealing with the PKK": the phrases after the object belong too
        comp.parts += [
            c
            for c in rights
            if c.dep_ == "prep" and c.i > comp.extra.i and c.lower_ not in ("after", "before")
        ]
        if lemma == "threaten":
            comp.parts += [c for c in rights if c.dep_ == "advcl" and c.i > comp.extra.i and _conditional(c)]
    return comp


def _conditional(clause: Token) -> bool:
    """Conditions belong to a threat or a promise: "threatened X with bans if the reform stalls"."""
    return any(m.dep_ == "mark" and m.lower_ in _CONDITIONAL for m in clause.children)


def _call_on(prep: Token, rights: list[Token]) -> _Complement:
    """ "called on X to ...", "appealed for calm", "pressed for talks": what is called for, and the
    clause after it."""
    objs = [g for g in prep.children if g.dep_ in ("pobj", "pcomp")]
    parts = list(objs)
    if prep.dep_ == "prt":
        parts.extend(g for g in rights if g.dep_ in ("dobj",))
    else:
        # "asked the government for more aid", "pressed Iran for talks": the addressee belongs too
        parts.extend(g for g in rights if g.dep_ == "dobj" and g.i < prep.i)
    parts.extend(
        g
        for g in rights
        if g.dep_ in ("xcomp", "ccomp")
        or (g.dep_ == "advcl" and any(a.dep_ == "aux" and a.lower_ == "to" for a in g.children))
    )
    addressee_to = any(g.dep_ in ("xcomp", "ccomp") for g in rights) or any(
        g.dep_ in ("xcomp", "acl", "relcl") for o in objs for g in o.children
    )
    if prep.lower_ in ("on", "upon", "to"):
        addressee_to = True
    return _Complement(parts, prep, addressee_to)


def _accuse_of(prep: Token, rights: list[Token]) -> _Complement:
    """ "accused Iran of ...", "warned Turkey against ...": the object and the prepositional phrase."""
    return _Complement([*(g for g in rights if g.dep_ == "dobj" and g.i < prep.i), prep], prep)


def _call_for_clause(rights: list[Token]) -> _Complement | None:
    """ "protesters calling for Mubarak to stand trial": the parser made "for" a clause marker."""
    parts = [
        c
        for c in rights
        if c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ == "for" for m in c.children)
    ]
    if not parts:
        return None
    return _Complement(parts, next(m for m in parts[0].children if m.dep_ == "mark"), True)


def _infinitives(rights: list[Token]) -> list[Token]:
    """The verb's open complements ("urged X to ...", "denied using ..."), not a quotation the parser
    hung on the verb ('tells customers: “Ride this once”' is the quote's content, not an infinitive
    after the addressee)."""
    return [
        c
        for c in rights
        if c.dep_ == "xcomp"
        and c.left_edge.text not in OPENING_MARKS + "``"
        and c.pos_ in ("VERB", "AUX")  # (not a stray "’s" in "told BBC Radio 4’s Today")
    ]


def _say_that(lemma: str, objs: list[Token], ccomps: list[Token], comp: _Complement) -> None:
    """ "said that ...", "told X that ...": the clause (and an addressee verb's object: "warned X
    that ..."; whom one tells is no content)."""
    comp.parts = objs + ccomps if lemma in ADDRESSEE_TO and lemma != "tell" and objs else ccomps
    if lemma in ADDRESSEE_TO and any(
        t.tag_ == "TO" or t.lower_ == "to" for t in ccomps[0].children if t.dep_ == "aux"
    ):
        comp.addressee_to = True


def _to_infinitive(lemma: str, objs: list[Token], xcomps: list[Token], comp: _Complement) -> None:
    """ "urged X to ...", "told X to ...", "threatened to ...", "denied using live ammunition"."""
    comp.parts = objs + xcomps
    comp.addressee_to = bool(objs) and lemma in ADDRESSEE_TO


def _object_content(lemma: str, rights: list[Token], objs: list[Token], comp: _Complement) -> bool:
    """ "denied the allegations", "accused Iran of ...": the object is the content (False for a bare
    "it", "this", "so": nothing to report)."""
    comp.parts = [o for o in objs if o.dep_ == "dobj"]
    if comp.parts and lemma in _ASKS_OR_OFFERS:
        # "requested donations via his blog, in order to help ...", "pledged much of their wealth to aid
        # projects": what is asked for or offered runs to the end of the clause
        after = comp.parts[0].i
        comp.parts += [
            c
            for c in rights
            if c.i > after
            and (
                (
                    c.dep_ == "prep"
                    and c.lower_ not in ("after", "before", "during", "since", "at", "according")
                )
                or (c.dep_ == "advcl" and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children))
            )
        ]
    # "accused Iran of ...", "warned Turkey against ...": the prepositional phrase belongs too
    if comp.parts and lemma in PREP_CONTENT:
        comp.parts += [c for c in rights if c.dep_ == "prep" and c.i > comp.parts[0].i]
    first = comp.parts[0] if comp.parts else None
    return not (
        first is not None and first.lower_ in ("it", "this", "that", "so") and len(list(first.subtree)) == 1
    )


def _made_clear(tok: Token, parts: list[Token]) -> list[Token]:
    """ "made clear that ...": the content is the clause under "clear" (or beside it)."""
    clear = next(c for c in tok.children if c.lower_ == "clear")
    return (
        [c for c in clear.children if c.dep_ in ("ccomp", "advcl")]
        or [c for c in parts if c is not clear]
        or parts
    )


def _after_cue(tok: Token, lemma: str, subj: Token, comp: _Complement, hung: bool) -> Cue | None:
    """The cue whose content its complement's tokens span (cut before other statements)."""
    doc = tok.doc
    parts = comp.parts
    lo, hi = span_of(parts)
    if hung and doc[lo].lower_ == "that" and _complementiser_subject(doc[lo]):
        lo += 1  # "that drones had better ...": a complementiser the parser took for a subject
    if lo < tok.i:  # a fronted complement mixed with later ones: keep what follows the cue
        lo = min(p.left_edge.i for p in parts if p.i > tok.i) if any(p.i > tok.i for p in parts) else lo
    hi = min(cut_relatives(doc, lo, hi), cut_coordinated_cue(parts, hi))
    if hi < lo:
        return None
    start, end = char_span(doc, lo, hi)
    if end <= start:
        return None
    frame: Frame = "verb" if lo > tok.i else "fronted"
    addressee_to = _urges_to(tok, lemma, lo, hi, comp.addressee_to)
    return Cue(tok, lemma, subj, start, end, cue_text(tok, comp.extra), addressee_to, frame=frame)


def _urges_to(tok: Token, lemma: str, lo: int, hi: int, addressee_to: bool) -> bool:
    """Does an addressee verb's content ask for an action ("urged Turkey not to attack")?

    An infinitive ("to attack", not the preposition in "returning to clashes") after the addressee;
    "warned that documents will be lost to bit rot" has no addressee: a finite clause.
    """
    if lemma not in ADDRESSEE_TO or lemma in ("call", "appeal", "tell"):
        return addressee_to
    finite = any(
        c.dep_ == "ccomp" and any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children) for c in tok.rights
    ) and not any(c.dep_ in ("dobj", "dative") for c in tok.rights)
    if finite:
        return addressee_to
    doc = tok.doc
    addressee_to = addressee_to or any(
        t.lower_ == "to" and t.dep_ == "aux" and t.i > lo for t in doc[lo : min(hi + 1, lo + 16)]
    )
    if lemma == "warn" and not any(t.lower_ == "to" and t.dep_ == "aux" for t in doc[lo : hi + 1]):
        addressee_to = any(t.lower_ == "against" for t in doc[lo : min(hi + 1, lo + 12)])
    return addressee_to


def _cue_over(tok: Token, lemma: str, subj: Token, lo: int, hi: int, frame: Frame) -> Cue | None:
    """A cue whose content is the tokens lo..hi around it (None when they hold no text)."""
    start, end = char_span(tok.doc, lo, hi)
    return Cue(tok, lemma, subj, start, end, cue_text(tok, None), frame=frame) if end > start else None


def _fronted_clause(tok: Token, lemma: str, subj: Token) -> Cue | None:
    """ "..., X said": the reported clause before the cue (and on after it: "It's one way, he said,
    of making sure ...")."""
    fronted = [c for c in tok.lefts if c.dep_ == "ccomp"]
    if not fronted or subj.i <= fronted[0].i:
        return None
    doc = tok.doc
    lo, hi = span_of(fronted)
    after = max([tok.i] + [c.right_edge.i for c in tok.rights if c.dep_ not in ("punct", "cc", "conj")]) + 1
    sent = tok.sent
    if (
        after + 1 < sent.end - 1
        and doc[after].text == ","
        and (
            doc[after + 1] not in list(tok.subtree)
            or doc[after + 1].dep_ in ("prep", "attr", "acomp", "npadvmod", "oprd")
        )
        and doc[after + 1].dep_ not in ("cc",)
        and doc[after + 1].lower_ not in ("but", "and", "or", "while", "although")
        and not doc[after + 1].is_punct
    ):
        lo, hi = min(lo, sent.start), sent.end - 1
        hi = cut_relatives(doc, lo, hi)
    return _cue_over(tok, lemma, subj, lo, hi, "fronted")


def _relative_clause(tok: Token, lemma: str, subj: Token) -> Cue | None:
    """ "militants, which they say killed 10 people": the relative clause, its pronoun included."""
    if (
        tok.dep_ == "relcl"
        and any(c.dep_ == "nsubj" and c.lower_ in ("which", "who", "that") for c in tok.lefts)
        and any(c.dep_ in ("xcomp", "ccomp") for c in tok.rights)
        and subj.lower_ not in ("which", "who", "that")
    ):
        return _cue_over(tok, lemma, subj, tok.left_edge.i, tok.right_edge.i, "fronted")
    return None


def _claim_noun(tok: Token, lemma: str, subj: Token) -> Cue | None:
    """ "an accusation the government strongly denies": the noun the relative clause hangs on."""
    if (
        tok.dep_ == "relcl"
        and tok.head.lemma_.lower() in CLAIM_NOUNS
        and lemma in DENIAL_VERBS | ACCUSATION_VERBS
        and not any(c.dep_ in ("dobj", "ccomp", "xcomp") for c in tok.rights)
        and subj.i > tok.head.i
    ):
        return _cue_over(tok, lemma, subj, tok.head.left_edge.i, tok.right_edge.i, "fronted")
    return None


def _parenthetical(tok: Token, lemma: str, subj: Token) -> Cue | None:
    """ "Drones, he said, are ...": the whole clause around a parenthetical cue."""
    if tok.dep_ == "parataxis" and lemma in PARENTHETICAL:
        return _cue_over(tok, lemma, subj, tok.sent.start, tok.sent.end - 1, "parenthetical")
    return None
