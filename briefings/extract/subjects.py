"""The speaker token of a cue verb in the parse: its subject, the subject it shares ("..., saying"),
a passive agent ("were told by officials"), the object of "quoted X as saying" ...

Which source of the article that token stands for is ``resolve.Resolver.resolve``'s question.
"""

from __future__ import annotations

from spacy.tokens import Token

from briefings.extract.lexicon import (
    BY_SAYING,
    DOCUMENT_NOUNS,
    GROUP_NOUNS,
    ISSUED_NOUNS,
    PASSIVE_AGENT,
    QUOTE_AS,
    ROLE_NOUNS,
    SAY_VERBS,
)


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
    if (
        verb.dep_ == "advcl"
        and verb.head.lemma_.lower() in SAY_VERBS
        and any(c.dep_ == "aux" and c.tag_ == "TO" for c in verb.children)
    ):
        return subject_of(verb.head, depth + 1)  # "wrote to ministers to ask them to ...": the writer
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
