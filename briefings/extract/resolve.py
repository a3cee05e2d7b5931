"""Speaker resolution: which source of the article's table a subject token stands for (names,
titles, appositions, pronouns, descriptions), and the names registered before reading."""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from briefings.extract.lexicon import (
    ORG_NAME_WORDS,
    PERSON_NOUNS,
    PERSONAL_TITLES,
    SPEAKING_CAPITALS,
)
from briefings.extract.mentions import (
    Description,
    in_main_clause,
    name_range,
    relative_antecedent,
    titled_conjunct,
)
from briefings.extract.reading import Paragraph
from briefings.extract.speakers import (
    Source,
    SourceTable,
    entity_span,
    gender_of_pronoun,
    honorific_gender,
    is_pronoun,
    is_relative,
    name_tokens,
    phrase,
    source_type,
)


class Resolver:
    """Resolves the mentions of one article to sources of its table, reading the text in order."""

    def __init__(self, text: str, table: SourceTable, paras: list[Paragraph]) -> None:
        self.text = text
        self.table = table
        self.paras = paras
        self._offsets = {id(p.doc): p.start for p in paras}

    def register_names(self) -> None:
        """Names and titles first, so that a speaker's fullest name is known wherever it appears."""
        for p in self.paras:
            assert p.doc is not None
            doc = p.doc
            if not p.parsed:
                for ent in doc.ents:
                    if ent.label_ == "PERSON" and re.search(r"\w", ent.text):
                        self.table.person(re.sub(r"\s*[’']s$", "", ent.text))
                continue
            for ent in doc.ents:
                if ent.label_ == "PERSON":
                    head = ent.root
                    rng = name_tokens(head) if head.pos_ == "PROPN" else None
                    if rng is None or rng[1] - rng[0] < 1:
                        continue
                    name = doc[rng[0] : rng[1]].text
                    if name.lower() in SPEAKING_CAPITALS:
                        continue
                    src = self.table.person(name, honorific_gender([t.text for t in phrase(head)]))
                    self.learn_roles(src, head, rng)
                elif ent.label_ == "ORG" and ent.end + 2 < len(doc) and doc[ent.end].text == "(":
                    acr = doc[ent.end + 1]
                    if acr.text.isupper() and doc[ent.end + 2].text == ")":
                        src = self.table.named(ent.text, "organization")
                        src.add_alias(acr.text)

    def learn_roles(self, src: Source, head: Token, rng: tuple[int, int]) -> None:
        doc = head.doc
        at = self.paras_offset(head.sent) + head.idx
        np = phrase(head)
        if np.start < rng[0]:
            role = doc[np.start : rng[0]].text
            if re.search(r"[A-Za-z]", role) and not role.lower().startswith(("by ", "from ", "with ")):
                src.set_role(role, at)
                src.add_alias(doc[np.start : rng[1]].text)
                g = honorific_gender(role.split())
                if g and src.gender is None:
                    src.gender = g
        for child in head.children:
            if child.dep_ == "appos" and child.pos_ in ("NOUN", "PROPN") and entity_span(child) is None:
                src.set_role(phrase(child).text, at)
        # "Another Democratic member of the committee, Ron Wyden": the name is the apposition
        if head.dep_ == "appos" and head.head.pos_ == "NOUN":
            src.set_role(phrase(head.head).text, at)

    def note_names(self, p: Paragraph) -> None:
        """The people an unparsed paragraph names: antecedents for later pronouns."""
        assert p.doc is not None
        for ent in p.doc.ents:
            if ent.label_ == "PERSON" and re.search(r"\w", ent.text):
                src = self.table.person(re.sub(r"\s*[’']s$", "", ent.text))
                self.table.note_subject(p.start + ent.start_char, src)

    def note_subjects(self, p: Paragraph, sent: Span, in_quote, contents: list[tuple[int, int]]) -> None:
        """Record this sentence's subjects (and passive agents) as antecedents for later pronouns.

        Subjects inside reported content ("said that James Clapper had agreed") are left out: the
        next "she said" is about the speaker, not about someone she spoke of. The main clause's
        subjects are noted again after the subordinate clauses' ones, so they are the latest: "René
        Meulensteen revealed how Ferguson broke the news. 'I found out this morning,' he said" is
        Meulensteen's.
        """

        def hidden(tok_at: int, at: int) -> bool:  # quoted, or inside a statement's content
            return in_quote(tok_at) or any(a <= at < b for a, b in contents)

        main: list[tuple[int, Source]] = []
        subordinate_after = person = False
        for tok in sent:
            agent = tok.dep_ == "pobj" and tok.head.dep_ == "agent"
            at = p.start + tok.idx
            if (
                (not agent and tok.dep_ not in ("nsubj", "nsubjpass"))
                or is_relative(tok)
                or hidden(tok.idx, at)
            ):
                continue
            src = self._pronoun_chain(tok, at) if is_pronoun(tok) else self.resolve(tok, at)[0]
            if src is None:
                continue
            self.table.note_subject(at, src)
            person = person or src.type == "person"
            if in_main_clause(tok):
                main.append((at, src))
            elif main:
                subordinate_after = True
        if subordinate_after:
            for at, src in main:  # noted again: the latest, for the sentences after this one
                self.table.note_subject(at, src)
        if not person:
            self._note_named_people(p, sent, hidden)

    def _pronoun_chain(self, tok: Token, at: int) -> Source | None:
        """The person a "he"/"she" subject continues, only when already known to be he/she: nothing is
        learnt here ("while she was an intern" must not make the man before it a woman)."""
        if tok.lower_ not in ("he", "she"):
            return None
        src = self.table.antecedent(tok.lower_, at)
        return src if src is not None and src.gender == gender_of_pronoun(tok.lower_) else None

    def _note_named_people(self, p: Paragraph, sent: Span, hidden) -> None:
        """A sentence with no person as subject still makes the people it names antecedents (a
        misparsed "since the labradoodle's inventor, Wally Conron, first created the breed. 'I've done
        a lot of damage,' he told ..."; "The award went to Peter Moss. 'I am delighted,' he said")."""
        for ent in sent.ents:
            at = p.start + ent.start_char
            if ent.label_ != "PERSON" or hidden(ent.start_char, at):
                continue
            src, _ = self.resolve(ent.root, p.start + ent.root.idx)
            if src is not None and src.type == "person" and _full_name(src):  # not "Lockheed Martin"
                self.table.note_subject(at, src)

    def paras_offset(self, sent: Span) -> int:
        return self._offsets.get(id(sent.doc), 0)

    def resolve(self, tok: Token | None, offset: int | None) -> tuple[Source | None, str]:
        """The source a subject token stands for, and the mention as written (the guide's "Speaker":
        names, pronouns and descriptions are resolved to one entity of the article's table), by the
        first step that settles it."""
        if tok is None:
            return None, ""
        if tok.ent_type_ in ("DATE", "TIME"):
            return None, ""  # "said Wednesday" misread as the subject: a day never speaks
        base = self.paras_offset(tok.sent) if offset is None else offset - tok.idx
        if is_relative(tok) and tok.head.dep_ in ("relcl",):
            tok = relative_antecedent(tok)
        if is_pronoun(tok):
            return self._resolve_pronoun(tok, base)
        settled = self._by_apposition(tok, base) or self._by_title_of(tok, base) or self._by_owner(tok, base)
        if settled is not None:
            return settled
        span = entity_span(tok)
        known_person = tok.text[:1].isupper() and self.table.known_person(tok.text) is not None
        if tok.pos_ == "PROPN" or known_person or (span is not None and tok.pos_ != "PRON"):
            return self.resolve_name(tok, span)
        return self.resolve_description(tok)

    def _resolve_pronoun(self, tok: Token, base: int) -> tuple[Source | None, str]:
        """Guide, "Speaker": pronouns ("he", "they") are resolved to the entity, here the latest
        compatible subject before them (a "he" teaches a person its gender). "I", "we", "you" outside a
        quotation are the writer's own narration, which is no statement; "one", "everyone" name nobody."""
        low = tok.lower_
        if low in ("i", "we", "you", "me", "us", "one", "something", "nothing", "everyone", "anyone"):
            return None, tok.text
        src = self.table.antecedent(low, base + tok.idx)
        if src is not None:
            g = gender_of_pronoun(low)
            if g and src.gender is None and src.type == "person":
                src.gender = g
        return src, tok.text

    def _by_apposition(self, tok: Token, base: int) -> tuple[Source | None, str] | None:
        """ "Another member of the committee, Ron Wyden, said": the name in apposition speaks, and the
        description becomes the person's role, or the organisation's alias (guide, "Speaker": ``name``
        is the fullest name the article gives, ``aliases`` the other ways it refers to the source).
        None when no apposition names the speaker."""
        own = entity_span(tok)
        if own is not None and own.label_ == "PERSON":
            return None
        # a person's name beats a parenthesised expansion ("of CEI (Italian Episcopal Conference),
        # Nunzio Galantino")
        apps = sorted(
            (c for c in tok.children if not (c.left_edge.i > 0 and c.doc[c.left_edge.i - 1].text == "(")),
            key=lambda c: c.ent_type_ != "PERSON",
        )
        for child in apps:
            if (
                child.dep_ == "appos"
                and child.pos_ == "PROPN"
                and (child.ent_type_ == "PERSON" or tok.pos_ == "NOUN" or tok.lemma_.lower() in PERSON_NOUNS)
            ):
                src, mention = self.resolve(child, base + child.idx)
                if src is not None:
                    head_np = phrase(tok).text
                    if src.type == "person":
                        src.set_role(head_np)
                    else:
                        src.add_alias(head_np)
                return src, mention
        return None

    def _by_title_of(self, tok: Token, base: int) -> tuple[Source | None, str] | None:
        """ "Governor of Washington Chris Gregoire said": a title whose "of" phrase ends in a person's
        name; the name speaks and the title is its role (guide, "Speaker": the fullest name, the title
        an alias). None when the subject is no such title."""
        if tok.lemma_.lower() not in PERSON_NOUNS and tok.lower_ not in PERSON_NOUNS:
            return None
        for prep in tok.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                name = next((g for g in prep.children if g.dep_ == "pobj" and g.ent_type_ == "PERSON"), None)
                if name is not None:
                    src, mention = self.resolve(name, base + name.idx)
                    if src is not None and src.type == "person":
                        src.set_role(self.text[base + tok.idx : base + name.idx].strip())
                    return src, mention
        return None

    def _by_owner(self, tok: Token, base: int) -> tuple[Source | None, str] | None:
        """ "X's statement said": the statement's owner speaks (guide, "What is annotated": content is
        attributed to its source, not to the text that carries it). None for any other subject, and
        for a pronoun owner ("his statement": the description resolves)."""
        if tok.lemma_.lower() not in ("statement", "tweet", "letter", "post") or not any(
            c.dep_ == "poss" for c in tok.children
        ):
            return None
        owner = next(c for c in tok.children if c.dep_ == "poss")
        return None if is_pronoun(owner) else self.resolve(owner, base + owner.idx)

    def resolve_name(self, tok: Token, span: Span | None) -> tuple[Source | None, str]:
        """A named speaker: the source of its fullest name (guide, "Speaker": ``name`` is the fullest
        name the article gives the source; case and a possessive "'s" do not count), the noun phrase
        as written becoming an alias."""
        rng = name_range(tok, span)
        name = re.sub(r"\s*[’']s$", "", tok.doc[rng[0] : rng[1]].text).strip()
        if not re.search(r"\w", name):
            return None, ""
        np = phrase(tok)
        src = self._source_of_name(tok, span.label_ if span is not None else None, name, rng, np)
        src.add_alias(np.text)
        return src, np.text

    def _source_of_name(
        self, tok: Token, label: str | None, name: str, rng: tuple[int, int], np: Span
    ) -> Source:
        """Which kind of source a name is (guide, "What is annotated": a person, a group, an
        organisation, a country ...): a capital speaks for its country ("Tehran"), "the United States
        and Iraq" is a group, a person's name or surname a person (with the roles around it), anything
        else an organisation or, for a place, a country (``_named_body``)."""
        low = name.lower()
        if low in SPEAKING_CAPITALS or low.removeprefix("the ") in SPEAKING_CAPITALS:
            return self.table.named(name, "country")
        if any(c.dep_ == "conj" for c in tok.children) and not any(
            c.dep_ == "conj" and c.ent_type_ == "PERSON" for c in tok.children
        ):
            # "the United States and Iraq": the pair speaks together
            src = self.table.named(np.text, "group")
            src.plural = True
            return src
        if self.table.known_surname(name):
            return self.table.person(name, honorific_gender([t.text for t in np]))
        if self._names_person(tok, label, name, np):
            src = self.table.person(name, honorific_gender([t.text for t in np]))
            self.learn_roles(src, tok, rng)
            return src
        return self._named_body(tok, label, name, rng, np)

    def _named_body(self, tok: Token, label: str | None, name: str, rng: tuple[int, int], np: Span) -> Source:
        """An organisation's name, or a place's (a country): "the European Commission" whole, but
        "The United States auto manufacturer Chrysler" is "Chrysler" (guide, "Speaker": ``name`` is the
        fullest name the article gives the source, a description before it is an alias)."""
        doc = tok.doc
        described = any(t.pos_ == "NOUN" and t.is_lower for t in doc[np.start : rng[0]])
        full = np.text if np.start < rng[0] and doc[np.start].lower_ == "the" and not described else name
        src = self.table.named(
            full if label != "GPE" else name, "country" if label == "GPE" else "organization"
        )
        if tok.tag_ == "NNPS":
            src.plural = True
        return src

    def _names_person(self, tok: Token, label: str | None, name: str, np: Span) -> bool:
        """Is a name a person's? The recogniser says so, a personal title or a role in apposition goes
        with it, or it is two or three capitalised words with no organisation word ("Jim Yong Kim")."""
        return (
            label == "PERSON"
            or self._looks_personal(np)
            or self._appos_role(tok)
            or (
                label in (None, "ORG")
                and 2 <= len(name.split()) <= 3
                and tok.tag_ == "NNP"
                and not ORG_NAME_WORDS & set(name.lower().split())
            )
        )

    def _appos_role(self, tok: Token) -> bool:
        """'Lars Oesterhelweg, Deputy Director of ...': an apposition naming a person's role."""
        return any(
            c.dep_ == "appos" and (c.lemma_.lower() in PERSON_NOUNS or c.lower_ in PERSON_NOUNS)
            for c in tok.children
        )

    def _looks_personal(self, np: Span) -> bool:
        words = {t.lower_.strip(".") for t in np}
        return bool(words & PERSONAL_TITLES)

    def resolve_description(self, tok: Token) -> tuple[Source | None, str]:
        """A described speaker ("the US president", "officials", "a UN report"): guide, "Speaker":
        descriptions are resolved to the entity; one that names no entity yet is a source of its own."""
        d = Description.of(tok)
        if d.personal and not d.plural:
            named = self._by_titled_conjunct(d, self.paras_offset(tok.sent))
            return named or (self._person_described(d, self.paras_offset(tok.sent) + tok.idx), d.text)
        return self._body_described(d), d.text

    def _by_titled_conjunct(self, d: Description, base: int) -> tuple[Source, str] | None:
        """ "The company president and CEO Louis Gallois said": two titles of one named person, who
        speaks, the description becoming the role (guide, "Speaker": ``name`` is the fullest name, the
        other ways the article refers to the source are aliases). None when no titled person's name
        is coordinated with the head, or it resolves to no person."""
        named = titled_conjunct(d.head)
        if named is None:
            return None
        src, mention = self.resolve(named, base + named.idx)
        if src is None or src.type != "person":
            return None
        src.set_role(d.text)
        return src, mention

    def _person_described(self, d: Description, at: int) -> Source:
        """A person described: a definite description ("the US president") is a person the text gave
        that title, else it becomes the title of the latest untitled person (``_titled_person``); an
        indefinite one ("another factory owner") is a new source (guide, "Speaker": descriptions are
        resolved to the entity; a description is one of its aliases)."""
        if d.definite:
            known = self._titled_person(d, at)
            if known is not None:
                return known
        src = self.table.named(d.text, "person")
        if d.first in ("a", "an", "another", "one") and src.intro is None:
            # "Another factory owner said": a new source, which a later "the factory owner" means
            # once it has spoken (a generic "an author will deliver" introduces nobody)
            src.intro = (d.text, at)
        return src

    def _titled_person(self, d: Description, at: int) -> Source | None:
        """The person a definite description means: one whose title (as given before ``at``) it
        matches, else ("Barack Obama led tributes ... The US president said") the latest person with
        a full name and no title known yet, who takes it as one. None when neither is there."""
        src = self.table.by_description(d.words, d.head.text, at)
        if src is not None:
            src.add_alias(d.text)
            return src
        if d.lemma != "counterpart" and not d.possessed:  # "his spokesman" is someone else's
            for m in reversed(self.table.subjects[-6:]):
                cand = m.source
                if cand.type == "person" and not cand.role_words and _full_name(cand):
                    cand.set_role(d.text)
                    return cand
        return None

    def _body_described(self, d: Description) -> Source:
        """A group, organisation or document described: the body it refers back to
        (``_earlier_body``), else a source of its own (guide, "What is annotated": groups,
        organisations, documents and anonymous "officials" are sources; "reports, studies and media
        count as sources"). A subject no source is like ("the bill") stays implausible until it speaks."""
        earlier = self._earlier_body(d)
        if earlier is not None:
            return earlier
        type_ = source_type(d.head, None)
        if type_ == "person":
            type_ = "group" if d.plural else "organization"
        src = self.table.named(d.text, type_)
        src.plural = src.plural or d.plural
        if not d.source_like and not src.spoke:
            src.plausible = False
        return src

    def _earlier_body(self, d: Description) -> Source | None:
        """ "the government" after "the Comoros government", "the organization" after "Amnesty
        International stated": a definite description of a body is the one named, or the organisation
        that spoke, before it (guide, "Speaker": descriptions are resolved to the entity)."""
        if not d.definite:
            return None
        if d.lemma in ("government", "ministry", "administration", "military", "army", "police"):
            for s in reversed(self.table.sources):
                if s.type == "organization" and d.lemma in s.name.lower():
                    s.add_alias(d.text)
                    return s
        if d.lemma in (
            "organization",
            "organisation",
            "group",
            "company",
            "firm",
            "agency",
            "body",
            "charity",
        ):
            for m in reversed(self.table.subjects[-8:]):
                if m.source.type == "organization" and m.source.plausible:
                    m.source.add_alias(d.text)
                    return m.source
        return None


def _full_name(src: Source) -> bool:
    """A person known by a first name and a surname ("Barack Obama"), the only kind a later bare title
    ("The US president said") may be taken to mean: a one-word "person" is as often a product or a
    misread word ("Rolex", "Dreamliner") as a surname."""
    return len(src.name.split()) >= 2
