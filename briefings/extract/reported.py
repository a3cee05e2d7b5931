"""Reported speech from the dependency parse: cue verbs, their speakers and the content they report.

Each cue is a verb of the lexicon (``say``, ``deny``, ``urge`` ...) or a source phrase (``according
to X``); its content is the complement the verb governs, from after the cue (without ``that``) to the
end of the clause, or the clause before it for ``..., X said``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from spacy.tokens import Span, Token

from briefings.extract.lexicon import (
    ACCUSATION_VERBS,
    ADDRESSEE_TO,
    AS_VERBS,
    BLAME_VERBS,
    BY_SAYING,
    CLAIM_NOUNS,
    DENIAL_VERBS,
    DOCUMENT_NOUNS,
    DOCUMENT_ONLY,
    FEELING_NOUNS,
    GRANTED_NOUNS,
    GROUP_NOUNS,
    HYPOTHETICAL_AUX,
    HYPOTHETICAL_HEADS,
    INFINITIVE,
    ISSUED_NOUNS,
    OBJECT_CONTENT,
    PARENTHETICAL,
    PASSIVE_AGENT,
    PREP_CONTENT,
    QUOTE_AS,
    QUOTED_OBJECT_VERBS,
    ROLE_NOUNS,
    SAY_VERBS,
    SPEECH_NOUNS,
    TOPIC_NP,
)

_CONDITIONAL = frozenset("if unless until".split())
_STRIP = " \t\r\n,;:–—-"
_CUE_LEFT = ("aux", "auxpass", "neg", "advmod")


Frame = Literal["verb", "fronted", "parenthetical", "source"]


@dataclass
class Cue:
    """A cue found in a sentence, the one record a cue travels in from the parse to the act decision.

    ``frame`` says where the content stands: after the verb (``verb``), before it (``fronted``,
    "..., X said"), around it (``parenthetical``, "Drones, he said, are ..."), or beside a source
    phrase (``source``, "according to X"). Flags are fields, never folded into the lemma.
    """

    token: Token  # the cue verb; the first word of a source phrase ("according", "words")
    lemma: str  # the verb's lemma ("say", "make clear", "call"), or the source phrase ("according to")
    subject: Token | None  # the speaker's head token
    start: int  # content offsets into the paragraph doc's text; -1 when the cue governs no content
    end: int
    text: str  # the cue words as written
    addressee_to: bool = False  # "urged X to ...": an addressee, then an infinitive
    frame: Frame = "verb"
    naming: bool = False  # "called the sentence “dangerous”": a naming, not a call for something

    @property
    def topic_only(self) -> bool:
        """A verb that names a topic unless it quotes ("criticised the “plan”"), a naming included."""
        return self.naming or self.lemma in QUOTED_OBJECT_VERBS

    @property
    def blames(self) -> bool:
        """The participle of a blame verb: "condemned the attack, saying ..." lays blame."""
        tok = self.token
        return (
            self.frame != "source"
            and tok.tag_ == "VBG"
            and (
                tok.head.lemma_.lower() in BLAME_VERBS
                or (tok.dep_ == "acl" and tok.head.head.lemma_.lower() in BLAME_VERBS)
            )
        )

    def decision_lemma(self, *, quoted: bool) -> str:
        """The lemma the act decision reads (a statement's ``cue_lemma``, what the act model learnt).

        "according" for a source phrase, "dub" for a naming, "condemn" for reported content after a
        blame verb; a quotation the cue introduces keeps the verb's own lemma.
        """
        if self.frame == "source":
            return "according"
        if self.blames and not quoted:
            return "condemn"
        if self.naming:
            return "dub"
        return self.lemma


def subject_of(verb: Token, depth: int = 0) -> Token | None:
    """The head token of the verb's speaker: its subject, or the subject it shares ("..., saying")."""
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if subjects:
        if any(c.dep_ == "nsubjpass" for c in subjects):
            return None  # "was told", "is said": the speaker is not the subject
        # two subjects means a name the tokenizer split ("al", "-", "Maliki"): the last is its head
        return subjects[-1]
    if depth > 3:
        return None
    if verb.dep_ == "relcl":
        return verb.head
    if verb.dep_ == "conj" and verb.head.dep_ == "ccomp" and verb.head.head.lemma_.lower() in SAY_VERBS:
        # "said the talks had failed and added that ...": the parser hung the second cue on the
        # reported clause; it is the speaker's own
        return subject_of(verb.head.head, depth + 1)
    if verb.dep_ == "advcl" and verb.tag_ == "VBG":
        absolute = _with_subject(verb)
        if absolute is not None:
            return absolute
    if verb.dep_ in ("advcl", "conj", "xcomp") and (verb.dep_ != "advcl" or verb.tag_ == "VBG"):
        return subject_of(verb.head, depth + 1)
    if verb.dep_ == "acl" and verb.tag_ == "VBG" and verb.head.pos_ in ("PROPN", "NOUN"):
        head = verb.head
        if (
            head.pos_ == "NOUN"
            and head.dep_ == "dobj"
            and not head.ent_type_
            and head.lemma_.lower() not in ROLE_NOUNS | GROUP_NOUNS | DOCUMENT_NOUNS
        ):
            # "criticized last week's attack saying ...": the participle goes with the verb's subject
            return subject_of(head.head, depth + 1)
        owner = _owner_of(head)
        return owner if owner is not None else head
    quoted = _quoted_as(verb)
    if quoted is not None:
        return quoted  # "the agency quoted the minister as saying ...": the minister speaks
    if (
        verb.dep_ == "pcomp"
        and verb.tag_ == "VBG"
        and (
            verb.lemma_ in BY_SAYING
            or verb.head.lower_ == "by"  # "reacted by proposing ...", "responded by denying ..."
        )
        and verb.head.head.pos_ in ("VERB", "AUX")
    ):
        return subject_of(verb.head.head, depth + 1)  # "started his speech by saying ..."
    # Inverted order with a parse that made the speaker an object: '"...," said KCNA.'
    nxt = verb.doc[verb.i + 1] if verb.i + 1 < len(verb.doc) else None
    if nxt is not None and nxt.dep_ in ("dobj", "attr", "npadvmod", "compound") and nxt.pos_ == "PROPN":
        return nxt.head if nxt.dep_ == "compound" and nxt.head.head is verb else nxt
    # '"...," read the statement': an inverted cue after its fronted clause, the source as its object
    if nxt is not None and any(c.dep_ == "ccomp" and c.i < verb.i for c in verb.children):
        obj = next((c for c in verb.rights if c.dep_ in ("dobj", "attr")), None)
        if obj is not None and obj.pos_ == "NOUN" and obj.left_edge.i == verb.i + 1:
            return obj
    return None


def _quoted_as(verb: Token) -> Token | None:
    """The source of "quoted X as saying ...": the object of the quote-as verb, or None."""
    if verb.dep_ != "pcomp" or verb.tag_ != "VBG" or verb.head.lower_ != "as":
        return None
    up = verb.head.head
    if up.pos_ in ("NOUN", "PROPN") and up.dep_ == "dobj":
        return up if up.head.lemma_.lower() in QUOTE_AS else None
    if up.lemma_.lower() in QUOTE_AS:
        return next((c for c in up.children if c.dep_ == "dobj"), None)
    return None


def passive_agent(verb: Token, lemma: str) -> Token | None:
    """The speaker of a passive cue given by its agent ("were told by officials that ..."), or None."""
    if lemma not in PASSIVE_AGENT or not any(c.dep_ == "auxpass" for c in verb.children):
        return None
    agent = next((c for c in verb.children if c.dep_ == "agent"), None)
    if agent is None:
        return None
    return next((c for c in agent.children if c.dep_ == "pobj"), None)


def _owner_of(noun: Token) -> Token | None:
    """The named issuer of a request-like noun ("the request of X"), or None."""
    if noun.lemma_.lower() not in ISSUED_NOUNS:
        return None
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ in ("of", "by", "from"):
            pobj = next((g for g in prep.children if g.dep_ == "pobj"), None)
            if pobj is not None and (pobj.pos_ == "PROPN" or pobj.ent_type_):
                return pobj
    return None


def _with_subject(verb: Token) -> Token | None:
    """The subject of an absolute participle: "..., with its president, Jim Yong Kim, urging ..."."""
    doc = verb.doc
    i = verb.left_edge.i - 1
    while i >= 0 and doc[i].text == ",":
        i -= 1
    if i < 0:
        return None
    for prep in verb.head.children:
        if prep.dep_ == "prep" and prep.lower_ == "with" and prep.right_edge.i in (i, i + 1):
            return next((g for g in prep.children if g.dep_ == "pobj"), None)
    return None


def _hypothetical(verb: Token) -> bool:
    if any(c.dep_ in ("aux",) and c.lower_ in HYPOTHETICAL_AUX for c in verb.children):
        return True
    if any(c.dep_ == "neg" for c in verb.children) and verb.lemma_ not in DENIAL_VERBS:
        return True
    head = verb.head
    if verb.dep_ == "xcomp" and head.lemma_.lower() in HYPOTHETICAL_HEADS:
        return True
    # "is expected to say": the xcomp hangs off a passive participle or adjective
    return verb.dep_ == "xcomp" and head.tag_ in ("VBN", "JJ") and head.lemma_.lower() in HYPOTHETICAL_HEADS


def _cue_text(verb: Token, extra: Token | None) -> str:
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


def _span_of(tokens: list[Token]) -> tuple[int, int]:
    lo = min(t.left_edge.i for t in tokens)
    hi = max(t.right_edge.i for t in tokens)
    return lo, hi


_TIME_MARKS = frozenset("after following".split())


def _cut_relatives(doc, lo: int, hi: int) -> int:
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


def _cut_coordinated_cue(parts: list[Token], hi: int) -> int:
    """End of the content before a coordinated cue of the same speaker.

    "said he had noted some progress but warned that time was running out": "warned" is a statement of
    its own (its subject is the one of "noted"), so the first content stops before "but".
    """
    for p in parts:
        for c in p.rights:
            if (
                c.dep_ == "conj"
                and c.pos_ == "VERB"
                and c.lemma_.lower() in SAY_VERBS
                and not any(g.dep_.startswith("nsubj") for g in c.children)
                and any(g.dep_ in ("ccomp", "xcomp", "dobj") for g in c.children)
            ):
                doc = c.doc
                cut = c.left_edge.i - 1
                # back over "but", "and", commas and adverbs ("but also blamed the media")
                while cut > p.i and (doc[cut].dep_ in ("cc", "advmod") or doc[cut].is_punct):
                    cut -= 1
                return min(hi, cut)
    return hi


def _complementiser_subject(tok: Token) -> bool:
    """A "that" the parser took for a subject although its clause has one ("that drones had better")."""
    return tok.dep_ == "nsubj" and any(c.dep_ == "nsubj" and c is not tok for c in _near(tok.head))


def _near(verb: Token) -> list[Token]:
    """The verb's children and grandchildren (a subject may hang on an auxiliary: "drones had better")."""
    return [g for c in verb.children for g in (c, *c.children)]


def _char_span(doc, lo: int, hi: int) -> tuple[int, int]:
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
        if lemma not in SAY_VERBS:
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
        cue = _content(tok, lemma, subj)
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
    if any(t.text in _OPENING_MARKS or t.text == "``" for t in sub):
        return False
    return not any(t.tag_ in _FINITE_TAGS and t.dep_ in ("relcl", "ccomp", "advcl", "acl") for t in sub)


def _document_like(subj: Token) -> bool:
    return subj.lemma_.lower() in DOCUMENT_NOUNS or subj.ent_type_ == "ORG" or subj.lower_ in DOCUMENT_NOUNS


def _content(tok: Token, lemma: str, subj: Token) -> Cue | None:
    """The content a cue verb governs, frame by frame (None: the verb reports nothing here).

    What follows the verb first (``_complement``: say-that, tell, urge-X-to, to-infinitive, object,
    accuse-X-of, call-on-X-to); failing that, what stands around it: the clause before it ("..., X
    said"), the relative clause it sits in, the claim noun it denies, the clause around a
    parenthetical cue.
    """
    rights = list(tok.rights)
    if _reports_nothing(tok, lemma, rights):
        return None
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


def _complement(tok: Token, lemma: str, rights: list[Token], ccomps: list[Token]) -> _Complement | None:
    """What the verb governs after it, by the first frame that finds some; None when a frame rules
    content out (an appeal with nothing appealed for, "called" with no "for" clause, "denied it")."""
    comp = _Complement()
    if lemma in PREP_CONTENT:
        comp = _prep_frame(lemma, rights)
        if lemma == "appeal" and not comp.parts:
            return None
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
        and c.left_edge.text not in _OPENING_MARKS + "``"
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
    lo, hi = _span_of(parts)
    if hung and doc[lo].lower_ == "that" and _complementiser_subject(doc[lo]):
        lo += 1  # "that drones had better ...": a complementiser the parser took for a subject
    if lo < tok.i:  # a fronted complement mixed with later ones: keep what follows the cue
        lo = min(p.left_edge.i for p in parts if p.i > tok.i) if any(p.i > tok.i for p in parts) else lo
    hi = min(_cut_relatives(doc, lo, hi), _cut_coordinated_cue(parts, hi))
    if hi < lo:
        return None
    start, end = _char_span(doc, lo, hi)
    if end <= start:
        return None
    frame: Frame = "verb" if lo > tok.i else "fronted"
    addressee_to = _urges_to(tok, lemma, lo, hi, comp.addressee_to)
    return Cue(tok, lemma, subj, start, end, _cue_text(tok, comp.extra), addressee_to, frame=frame)


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
    start, end = _char_span(tok.doc, lo, hi)
    return Cue(tok, lemma, subj, start, end, _cue_text(tok, None), frame=frame) if end > start else None


def _fronted_clause(tok: Token, lemma: str, subj: Token) -> Cue | None:
    """ "..., X said": the reported clause before the cue (and on after it: "It's one way, he said,
    of making sure ...")."""
    fronted = [c for c in tok.lefts if c.dep_ == "ccomp"]
    if not fronted or subj.i <= fronted[0].i:
        return None
    doc = tok.doc
    lo, hi = _span_of(fronted)
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
        hi = _cut_relatives(doc, lo, hi)
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


# Verbs that only name a topic ("criticised the plan") unless their object quotes the speaker:
# "thanking France for pressuring Colombia to “think of other options”" is a (mixed) statement.
_OPENING_MARKS = '“"«„‘'


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
    lo, hi = _span_of(parts)
    hi = _cut_relatives(doc, lo, hi)
    if hi < lo:
        return None
    quoted = any(t.text in _OPENING_MARKS or t.text == "``" for t in doc[lo : hi + 1])
    if not quoted and not judged:
        return None
    if lemma in ("talk", "pay", "refer"):
        lo = _past_topic_preposition(doc, lemma, lo, hi)
    start, end = _char_span(doc, lo, hi)
    return Cue(tok, lemma, subj, start, end, _cue_text(tok, None), naming=naming) if end > start else None


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
            if t.dep_ in ("pobj",) or t.text in _OPENING_MARKS
        ),
        lo,
    )


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
        start, end = _char_span(doc, lo, hi)
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
        lo, hi = lo_p - 2, _cut_relatives(doc, lo_p - 2, after[1])
    if tok.lower_ == "words":
        # "The minister will try, in the words of one aide, to ...": the whole clause is the content
        lo, hi = sent.start, sent.end - 1
    return lo, hi
