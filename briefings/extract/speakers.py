"""Who is speaking: one entity per source, with names, roles and the mentions that resolve to it.

Names come from the entity recogniser and the parse (titles before a name, appositions after it);
pronouns resolve to the latest compatible subject, descriptions ("the Iranian foreign minister",
"his Ukrainian counterpart") to the person whose title they share, unknown descriptions and
anonymous sources ("officials") become entities of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from briefings.extract.lexicon import (
    CAPITALS,
    DOCUMENT_NOUNS,
    GROUP_NOUNS,
    HONORIFIC_F,
    HONORIFIC_M,
    ORG_NOUNS,
    ORG_TITLE_STOP,
    ROLE_NOUNS,
    TITLE_STOP,
)

NAME_LABELS = ("PERSON", "ORG", "GPE", "NORP", "FAC")
_PRONOUNS_M = frozenset("he him his himself".split())
_PRONOUNS_F = frozenset("she her hers herself".split())
_PRONOUNS_P = frozenset("they them their we i you".split())
_PRONOUNS_N = frozenset(["it"])
_RELATIVE = frozenset("who which that whom".split())
_DETERMINERS = frozenset("the a an his her its their our this that one another".split())
_NATION_STEM = re.compile(r"(?:ian|ean|an|ese|ish|i|’s|'s)$")


def _stem(word: str) -> str:
    """A crude stem that lets "Ukrainian" meet "Ukraine" and "Iranian" meet "Iran"."""
    w = word.lower().strip(".,’'")
    w = _NATION_STEM.sub("", w)
    return w[:5] if len(w) > 5 else w


_QUALIFIERS = frozenset(_stem(w) for w in "deputy vice former assistant junior acting shadow".split())


def _clean(text: str) -> str:
    """A name as shown: one line, no trailing relative clause, parentheses closed."""
    text = re.sub(r"\s+", " ", text).strip(" ,;:–—-")
    text = re.sub(r",\s+(?:which|who|whose|where)\b.*$", "", text)
    if text.count("(") > text.count(")"):
        text += ")"
    return text


def _slug(name: str) -> str:
    s = re.sub(r"[^\w]+", "-", name.lower()).strip("-")
    return s or "source"


@dataclass
class Source:
    """An entity under construction: names, roles and mentions seen so far."""

    id: str
    name: str
    type: str  # person, organization, country, group, document, anonymous
    role: str | None = None
    aliases: list[str] = field(default_factory=list)
    role_words: set[str] = field(default_factory=set)
    role_seen: dict[str, int] = field(default_factory=dict)  # title word -> where the text first gave it
    gender: str | None = None  # "m" / "f" when a pronoun or honorific told us
    plural: bool = False
    spoke: bool = False
    plausible: bool = True  # False for subjects that cannot be sources ("the bill", "earmarks")
    intro: tuple[str, int] | None = None  # an indefinite description and where ("another owner")

    def add_alias(self, text: str) -> None:
        text = _clean(text)
        if text and text != self.name and text not in self.aliases and len(text) < 120:
            self.aliases.append(text)

    def set_role(self, role: str, at: int = 0) -> None:
        role = _clean(role)
        if not role or len(role) > 100:
            return
        # a title as written ("Iranian Foreign Minister") beats a description ("his Iranian counterpart")
        if self.role is None or (self.role.split()[0].lower() in _DETERMINERS and role[:1].isupper()):
            self.role = role
        self.add_alias(role)
        for w in re.findall(r"[\w’'-]+", role):
            if w.lower() not in ("the", "a", "an"):
                st = _stem(w)
                self.role_words.add(st)
                self.role_seen[st] = min(self.role_seen.get(st, at), at)


@dataclass
class Mention:
    """A subject seen at ``offset`` (for pronoun antecedents)."""

    offset: int
    source: Source


class SourceTable:
    """The entity table of one article, built while reading it in order."""

    def __init__(self) -> None:
        self.sources: list[Source] = []
        self._by_key: dict[str, Source] = {}
        self.subjects: list[Mention] = []  # subjects and speakers, in text order
        self.last_speaker: Source | None = None

    # -- building ---------------------------------------------------------------------------

    def _new(self, name: str, type_: str) -> Source:
        base = _slug(name)
        ids = {s.id for s in self.sources}
        sid, n = base, 2
        while sid in ids:
            sid, n = f"{base}-{n}", n + 1
        src = Source(sid, name, type_)
        self.sources.append(src)
        return src

    def person(self, name: str, gender: str | None = None) -> Source:
        """The person entity for ``name``, merging "Kuleba" with "Dmytro Kuleba"; the fullest name wins.

        ``gender`` comes from an honorific ("Lord Carnarvon", "Lady Carnarvon"): two people of one
        surname and different honorifics stay apart.
        """
        name = _clean(re.sub(r"[’']s$", "", name))
        words = name.split()
        key = "p:" + words[-1].lower()
        src = self._by_key.get(key)
        if src is not None and gender and src.gender and gender != src.gender:
            key = f"p:{words[-1].lower()}:{gender}"
            src = self._by_key.get(key)
        if src is not None and len(words) > 1 and len(src.name.split()) > 1:
            if src.name.split()[0].lower() != words[0].lower():
                # same surname, another first name: another person ("Mohamed Bacar", "Abdourahim Said Bacar")
                key = "p:" + name.lower()
                src = self._by_key.get(key)
        if src is None and len(words) == 1:
            # A first name alone ("Zimarco") for someone named in full before.
            for s in self.sources:
                if s.type == "person" and s.name.split()[0].lower() == words[0].lower():
                    src = s
                    break
        if src is None:
            src = self._new(name, "person")
            self._by_key[key] = src
            self._by_key.setdefault("p:" + name.lower(), src)
            src.gender = gender or first_name_gender(words[0])
        elif len(words) > len(src.name.split()):
            src.add_alias(src.name)
            src.name = name
        else:
            src.add_alias(name)
        return src

    def named(self, name: str, type_: str) -> Source:
        """An organisation, country or group by name (capitals map to their countries)."""
        name = _clean(name)
        low = re.sub(r"^the\s+", "", name.lower())
        low = re.sub(r"[’']s$", "", low)
        if type_ == "country" and low in CAPITALS:
            country = self.named(CAPITALS[low], "country")
            country.add_alias(name)
            return country
        key = "n:" + low
        src = self._by_key.get(key)
        if src is None:
            # "The International Monetary Fund (IMF)" / "IMF": acronyms and contained names.
            for s in self.sources:
                if s.type == "person":
                    continue
                names = [s.name.lower(), *(a.lower() for a in s.aliases)]
                if any(low == re.sub(r"^the\s+", "", n) for n in names) or _acronym(s.name) == low.upper():
                    src = s
                    break
        if src is None:
            src = self._new(name, type_)
            m = re.search(r"\(([A-Z]{2,8})\)", name)
            if m:
                src.add_alias(m.group(1))
                src.add_alias(name)
                src.name = _clean(name[: m.start()])
        else:
            src.add_alias(name)
        self._by_key[key] = src
        return src

    def note_subject(self, offset: int, source: Source) -> None:
        self.subjects.append(Mention(offset, source))

    def spoke(self, source: Source) -> None:
        source.spoke = True
        self.last_speaker = source

    # -- looking up -------------------------------------------------------------------------

    def known_person(self, name: str) -> Source | None:
        """The source a person's name or surname was registered under ("Kuleba", "Dmytro Kuleba"), or
        None; the source may have been retyped since (check ``type``)."""
        return self._by_key.get("p:" + name.lower())

    def known_surname(self, name: str) -> bool:
        """Is the last word of ``name`` a person's surname (or name) the table knows?"""
        words = name.split()
        return bool(words) and self.known_person(words[-1]) is not None

    # -- resolving --------------------------------------------------------------------------

    def antecedent(self, pronoun: str, offset: int) -> Source | None:
        """The latest compatible subject before ``offset`` for a third-person pronoun."""
        p = pronoun.lower()
        recent = self.subjects[-200:]  # antecedents are near: never scan a whole long article
        if p in _PRONOUNS_M or p in _PRONOUNS_F:
            want = "m" if p in _PRONOUNS_M else "f"
            fallback = None
            for m in reversed(recent):
                if m.offset >= offset or m.source.type != "person":
                    continue
                if m.source.gender in (None, want):
                    return m.source
                fallback = fallback or m.source
            return fallback
        if p in _PRONOUNS_N:
            for m in reversed(recent):
                if m.offset < offset and m.source.type != "person" and not m.source.plural:
                    return m.source
            return None
        if p in _PRONOUNS_P:
            for m in reversed(recent):
                if m.offset < offset and (m.source.plural or m.source.type in ("organization", "country")):
                    return m.source
        return None

    def by_description(self, words: list[str], head: str, offset: int | None = None) -> Source | None:
        """A person whose title (as the text gave it before ``offset``) shares the head and the
        modifiers of a description; ties go to the person mentioned last."""
        words = [w for w in words if w.lower() not in _DETERMINERS]
        stems = {_stem(w) for w in words}
        head_stem = _stem(head)
        recency: dict[str, int] = {}
        for m in self.subjects:
            if offset is None or m.offset < offset:
                recency[m.source.id] = max(recency.get(m.source.id, -1), m.offset)
        best, best_key = None, (0, -2)
        for s in self.sources:
            if s.type != "person":
                continue
            role = {w for w, at in s.role_seen.items() if offset is None or at < offset}
            if not role:
                continue
            if head.lower() == "counterpart":
                score = len(stems & role)
            elif head_stem in role:
                if (role & _QUALIFIERS) - stems:
                    continue  # "the prime minister" is not the deputy (or former) prime minister
                score = 1 + len((stems - {head_stem}) & role)
                # A modifier the title contradicts ("Ukrainian" minister vs an Iranian one) rules it out.
                nation = {w for w in stems - {head_stem} if w[:1].isalpha()} - role
                if any(_looks_national(w, words) for w in nation):
                    continue
            else:
                continue
            key = (score, recency.get(s.id, -1))
            if score > 0 and key > best_key:
                best, best_key = s, key
        return best

    def output(self) -> list[Source]:
        return [s for s in self.sources if s.spoke]


# Frequent female first names in English-language news, for "she" (others stay unknown, never "he").
_FEMALE = frozenset(
    """mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa margaret
    betty sandra ashley dorothy kimberly emily donna michelle carol amanda melissa deborah stephanie
    rebecca laura sharon cynthia kathleen amy shirley angela helen anna brenda pamela nicole ruth
    katherine samantha christine catherine emma julie olivia sophie hillary condoleezza dianne diane
    theresa angela ursula marine nicola jacinda kamala christine julia jenny tanya marcy ingrid íngrid
    carla rosalind sujata yulia benazir indira golda aung sonia cristina dilma michelle madeleine
    nikki elizabeth priti liz yvette harriet jacqueline joanna kate caroline maria ana anne annie
    alice claire clare sara hannah rachel victoria charlotte lucy grace jane janet joan judith judy
    louise lynn megan natalie rose sally sue tina wendy zoe fatima aisha leila maryam gloria valeska
    fiona helena heather hilary irene isabel jacqueline jean jo josephine kathryn kirsty lara lauren
    lesley lorna lynne madonna marie marion martha melanie miriam monica nadia natasha nina nora
    paula pauline penelope rebekah rita roberta rosa ruth sabrina sandra sheila sonia stella susanna
    sylvia teresa valerie vanessa vera veronica virginia yvonne amina asma benazir mariam shirin
    ayesha priya sunita anita kiran meera angelina beyonce serena venus simone oprah greta malala
    ingrid ilse petra ulrike annegret christiane heidi birgit sigrid margrethe ségolène martine
    christine marine anne-marie francoise françoise sophie chloe camille manon léa lea giulia
    francesca chiara elena alessandra carmen pilar rocio dolores graciela michele shannon tracy""".split()
)


def first_name_gender(first: str) -> str | None:
    return "f" if first.lower().strip(".") in _FEMALE else None


def _acronym(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[:1].isupper() and w.lower() not in ("of", "and", "the"))


def _looks_national(stem: str, words: list[str]) -> bool:
    for w in words:
        if _stem(w) == stem and w[:1].isupper():
            return True
    return False


# -- reading noun phrases --------------------------------------------------------------------


def entity_span(tok: Token) -> Span | None:
    """The named-entity span holding ``tok`` when it is a name-like entity."""
    if tok.ent_type_ not in NAME_LABELS:
        return None
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end:
            return ent
    return None


def name_tokens(head: Token) -> tuple[int, int] | None:
    """Token range [start, end) of the proper name ending at ``head`` (compounds of PROPN)."""
    if head.pos_ != "PROPN":
        return None
    start = head.i
    person = head.ent_type_ == "PERSON"
    for child in reversed(list(head.lefts)):
        if person and child.pos_ != "PUNCT" and child.ent_type_ != "PERSON":
            break  # "NASA Administrator Charles Bolden", "Washington Chris Gregoire": the name ends here
        if (
            child.i == start - 1
            and child.dep_ in ("compound", "flat", "punct")
            and child.pos_ in ("PROPN", "PUNCT")
        ):
            start = child.i
        elif child.i == start - 1 and child.dep_ == "compound" and child.tag_ == "NNP":
            start = child.i
        else:
            break
    doc = head.doc
    end = head.i + 1
    if person:
        # "Eberhard van der Laan": the parser may hang the surname after a particle as an apposition;
        # the recogniser's person span, all proper nouns, is then the name
        ent = entity_span(head)
        if ent is not None and all(t.pos_ == "PROPN" or t.text in "-‐" for t in ent):
            start, end = min(start, ent.start), max(end, ent.end)
    # Titles are not names: "President Bush", "Foreign Minister Kuleba" (an organisation's name keeps
    # its words but an honorific: "General Motors", "Mr MacFarlane")
    stop = ORG_TITLE_STOP if head.ent_type_ == "ORG" else TITLE_STOP
    while start < head.i and doc[start].text.lower().strip(".") in stop:
        start += 1
    while start < head.i and doc[start].pos_ == "PUNCT":
        start += 1
    return start, end


def phrase(head: Token, *, drop_appos: bool = True) -> Span:
    """The noun phrase headed by ``head`` without relative clauses, appositions and trailing commas."""
    drop = {"relcl", "acl", "punct", "advcl", "parataxis"}
    if drop_appos:
        drop.add("appos")
    start, end = head.i, head.i + 1
    for child in head.lefts:
        if child.dep_ not in drop:
            start = min(start, child.left_edge.i)
    doc = head.doc
    for child in head.rights:
        if child.dep_ in drop or _when(child):
            break
        if child.dep_ in ("prep", "cc", "conj", "compound", "nummod", "case", "pobj", "flat"):
            edge = child.right_edge.i + 1
            # a comma inside ends the phrase ("Results of NCLAN studies, published in a paper by ...")
            comma = next((t.i for t in doc[child.i : edge] if t.text == ","), edge)
            end = max(end, comma)
            if comma < edge:
                break
        else:
            break
    while end > start + 1 and doc[end - 1].is_punct:
        end -= 1
    return doc[start:end]


def _when(child: Token) -> bool:
    """A time phrase ("from Friday", "in 2014"): when a source spoke, not part of its name (which
    "a report for 2009", "the plan of 2010" are)."""
    return (
        child.dep_ == "prep"
        and child.lower_ not in ("for", "of")
        and any(g.dep_ == "pobj" and g.ent_type_ in ("DATE", "TIME") for g in child.children)
    )


def source_type(head: Token, span: Span | None) -> str:
    if span is not None:
        label = span.label_
        if label == "PERSON":
            return "person"
        if label == "GPE":
            return "country"
        return "organization"
    lemma = head.lemma_.lower()
    text = head.text.lower()
    if lemma in DOCUMENT_NOUNS or text in DOCUMENT_NOUNS:
        return "document"
    if text in GROUP_NOUNS or head.tag_ in ("NNS", "NNPS") or any(c.dep_ == "conj" for c in head.children):
        return "group"
    if lemma in ORG_NOUNS:
        return "organization"
    if lemma in ROLE_NOUNS:
        return "person"
    return "person" if head.tag_ == "NN" else "group"


def is_pronoun(tok: Token) -> bool:
    return tok.pos_ == "PRON" or tok.lower_ in _PRONOUNS_M | _PRONOUNS_F | _PRONOUNS_P | _PRONOUNS_N


def gender_of_pronoun(word: str) -> str | None:
    w = word.lower()
    if w in _PRONOUNS_M:
        return "m"
    if w in _PRONOUNS_F:
        return "f"
    return None


def honorific_gender(words: list[str]) -> str | None:
    for w in words:
        lw = w.lower()
        if lw in HONORIFIC_M:
            return "m"
        if lw in HONORIFIC_F:
            return "f"
    return None


def is_relative(tok: Token) -> bool:
    return tok.lower_ in _RELATIVE
