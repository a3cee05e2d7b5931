"""How a speaker mention reads in the parse, before ``resolve.Resolver`` says which source of the
article it is: the tokens of a name (``name_range``), the noun a relative pronoun stands for
(``relative_antecedent``), a name coordinated with a title (``titled_conjunct``), whether a subject
is the main clause's (``in_main_clause``), and what a description says (``Description``: its head,
whether it is definite, plural, possessed)."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from briefings.extract.lexicon import (
    DOCUMENT_NOUNS,
    GROUP_NOUNS,
    ORG_TITLE_STOP,
    PERSON_NOUNS,
    PERSONAL_TITLES,
    QUANTITY_NOUNS,
    SOURCE_HEADS,
    TITLE_STOP,
)
from briefings.extract.speakers import name_tokens, phrase


def relative_antecedent(tok: Token) -> Token:
    """The noun a relative pronoun stands for ("the minister, who said"), or the name that noun is in
    apposition to ("Geert Wilders, the far-right populist, who demanded ..."): guide, "Speaker":
    pronouns are resolved to the entity."""
    tok = tok.head.head
    if (
        tok.dep_ == "appos"
        and tok.head.pos_ == "PROPN"
        and tok.pos_ == "NOUN"
        and tok.head.ent_type_ in ("PERSON", "ORG", "GPE", "NORP")
    ):
        return tok.head
    return tok


def name_range(tok: Token, span: Span | None) -> tuple[int, int]:
    """The tokens of a speaker's name: the parse's compounds, or the recogniser's span where it is
    longer ("al-Maliki", "Ahmed Abdallah ..."), without the titles and honorifics before it (guide,
    "Speaker": ``name`` is the fullest name the article gives the source, a title is no name)."""
    doc = tok.doc
    rng = name_tokens(tok) if tok.pos_ == "PROPN" else None
    if span is not None and span.end == tok.i + 1 and (rng is None or span.start < rng[0]):
        start = span.start if rng is None else min(span.start, rng[0])
        stop = ORG_TITLE_STOP if span.label_ == "ORG" else TITLE_STOP
        while start < tok.i and doc[start].text.lower().strip(".") in stop:
            start += 1
        rng = (start, span.end)
    return rng if rng is not None else (tok.i, tok.i + 1)


@dataclass(frozen=True)
class Description:
    """A described speaker as its resolution reads it: the noun phrase as written, the noun that says
    what it is ("officials" in "a number of officials"), its first word, and whether it is definite or
    plural."""

    text: str
    words: list[str]  # the phrase's words, punctuation left out
    head: Token
    lemma: str  # the head's
    plural: bool
    first: str  # the phrase's first word, lower-cased ("the", "another")
    definite: bool
    possessed: bool  # "his spokesman", "the minister's lawyer"

    @classmethod
    def of(cls, tok: Token) -> Description:
        np = phrase(tok)
        head = tok
        # "a spate of authoritative polls", "a number of officials": the noun after "of" says what it is
        if tok.lemma_.lower() in QUANTITY_NOUNS:
            of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            pobj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
            if pobj is not None:
                head = pobj
        first = np[0].lower_ if len(np) else ""
        return cls(
            text=np.text,
            words=[t.text for t in np if not t.is_punct],
            head=head,
            lemma=head.lemma_.lower(),
            plural=head.tag_ in ("NNS", "NNPS"),
            first=first,
            definite=first in ("the", "his", "her", "its", "their", "this", "that") or np[0].dep_ == "poss",
            possessed=first in ("his", "her", "its", "their") or np[0].dep_ == "poss",
        )

    @property
    def personal(self) -> bool:
        """A person noun ("president", "owner")."""
        return self.lemma in PERSON_NOUNS or self.head.lower_ in PERSON_NOUNS

    @property
    def source_like(self) -> bool:
        """A noun a source can be: a source head, a group or document noun, people in the plural."""
        return (
            self.lemma in SOURCE_HEADS
            or self.head.lower_ in GROUP_NOUNS
            or self.head.lower_ in DOCUMENT_NOUNS
            or self.lemma in DOCUMENT_NOUNS
            or (self.lemma in PERSON_NOUNS and self.plural)
        )


def titled_conjunct(head: Token) -> Token | None:
    """A person's name coordinated with a title head and itself titled ("president and CEO Louis
    Gallois"), or None ("the minister and Anna Berg" stays two people)."""
    for c in head.children:
        if c.dep_ == "conj" and c.ent_type_ == "PERSON" and c.pos_ == "PROPN":
            titles = [
                t
                for t in c.children
                if t.dep_ == "compound" and (t.lower_ in PERSON_NOUNS or t.lower_ in PERSONAL_TITLES)
            ]
            if titles:
                return c
    return None


def in_main_clause(tok: Token) -> bool:
    """Is this subject (or passive agent) the subject of the sentence's main verb, or of a verb
    coordinated with it?"""
    verb = tok.head.head if tok.dep_ == "pobj" else tok.head
    if tok.dep_ == "pobj" and verb.dep_ == "agent":
        verb = verb.head
    while verb.dep_ == "conj" and verb.head is not verb:
        verb = verb.head
    return verb.dep_ == "ROOT"
