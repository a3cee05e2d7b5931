"""Speaker resolution: which source of the article's table a subject token stands for (names,
titles, appositions, pronouns, descriptions), and the names registered before reading."""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from briefings.extract.lexicon import (
    DOCUMENT_NOUNS,
    GROUP_NOUNS,
    ORG_NAME_WORDS,
    ORG_TITLE_STOP,
    PERSON_NOUNS,
    PERSONAL_TITLES,
    QUANTITY_NOUNS,
    SOURCE_HEADS,
    SPEAKING_CAPITALS,
    TITLE_STOP,
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
        main: list[tuple[int, Source]] = []
        subordinate_after = person = False
        for tok in sent:
            agent = tok.dep_ == "pobj" and tok.head.dep_ == "agent"
            if not agent and tok.dep_ not in ("nsubj", "nsubjpass"):
                continue
            if in_quote(tok.idx) or is_relative(tok):
                continue
            if is_pronoun(tok) and tok.lower_ not in ("he", "she"):
                continue
            at = p.start + tok.idx
            if any(a <= at < b for a, b in contents):
                continue
            if is_pronoun(tok):
                # only a person already known to be "he"/"she" continues the chain, and nothing is
                # learnt here ("while she was an intern" must not make the man before it a woman)
                src = self.table.antecedent(tok.lower_, at)
                if src is None or src.gender != gender_of_pronoun(tok.lower_):
                    continue
            else:
                src, _ = self.resolve(tok, at)
            if src is None:
                continue
            self.table.note_subject(at, src)
            person = person or src.type == "person"
            if _in_main_clause(tok):
                main.append((at, src))
            elif main:
                subordinate_after = True
        if subordinate_after:
            for at, src in main:  # noted again: the latest, for the sentences after this one
                self.table.note_subject(at, src)
        if not person:
            self._note_named_people(p, sent, in_quote, contents)

    def _note_named_people(self, p: Paragraph, sent: Span, in_quote, contents: list[tuple[int, int]]) -> None:
        """A sentence with no person as subject still makes the people it names antecedents (a
        misparsed "since the labradoodle's inventor, Wally Conron, first created the breed. 'I've done
        a lot of damage,' he told ..."; "The award went to Peter Moss. 'I am delighted,' he said")."""
        for ent in sent.ents:
            at = p.start + ent.start_char
            if ent.label_ != "PERSON" or in_quote(ent.start_char) or any(a <= at < b for a, b in contents):
                continue
            src, _ = self.resolve(ent.root, p.start + ent.root.idx)
            if src is not None and src.type == "person" and _full_name(src):  # not "Lockheed Martin"
                self.table.note_subject(at, src)

    def paras_offset(self, sent: Span) -> int:
        return self._offsets.get(id(sent.doc), 0)

    def resolve(self, tok: Token | None, offset: int | None) -> tuple[Source | None, str]:
        """The source a subject token stands for, and the mention as written."""
        if tok is None:
            return None, ""
        if tok.ent_type_ in ("DATE", "TIME"):
            return None, ""  # "said Wednesday" misread as the subject: a day never speaks
        base = self.paras_offset(tok.sent) if offset is None else offset - tok.idx
        if is_relative(tok) and tok.head.dep_ in ("relcl",):
            tok = tok.head.head
            if (
                tok.dep_ == "appos"
                and tok.head.pos_ == "PROPN"
                and tok.pos_ == "NOUN"
                and tok.head.ent_type_ in ("PERSON", "ORG", "GPE", "NORP")
            ):
                tok = tok.head  # "Geert Wilders, the far-right populist, who demanded ...": the name
        if is_pronoun(tok):
            low = tok.lower_
            if low in ("i", "we", "you", "me", "us", "one", "something", "nothing", "everyone", "anyone"):
                return None, tok.text
            src = self.table.antecedent(low, base + tok.idx)
            if src is not None:
                g = gender_of_pronoun(low)
                if g and src.gender is None and src.type == "person":
                    src.gender = g
            return src, tok.text
        # "Another member of the committee, Ron Wyden, said": the name in apposition speaks
        own = entity_span(tok)
        if own is None or own.label_ != "PERSON":
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
                    and (
                        child.ent_type_ == "PERSON"
                        or tok.pos_ == "NOUN"
                        or tok.lemma_.lower() in PERSON_NOUNS
                    )
                ):
                    src, mention = self.resolve(child, base + child.idx)
                    if src is not None:
                        head_np = phrase(tok).text
                        if src.type == "person":
                            src.set_role(head_np)
                        else:
                            src.add_alias(head_np)
                    return src, mention
        # "Governor of Washington Chris Gregoire said": a title whose "of" phrase ends in the name
        if tok.lemma_.lower() in PERSON_NOUNS or tok.lower_ in PERSON_NOUNS:
            for prep in tok.children:
                if prep.dep_ == "prep" and prep.lower_ == "of":
                    name = next(
                        (g for g in prep.children if g.dep_ == "pobj" and g.ent_type_ == "PERSON"), None
                    )
                    if name is not None:
                        src, mention = self.resolve(name, base + name.idx)
                        if src is not None and src.type == "person":
                            src.set_role(self.text[base + tok.idx : base + name.idx].strip())
                        return src, mention
        # "X's statement said": the owner of the statement speaks
        if tok.lemma_.lower() in ("statement", "tweet", "letter", "post") and any(
            c.dep_ == "poss" for c in tok.children
        ):
            owner = next(c for c in tok.children if c.dep_ == "poss")
            if not is_pronoun(owner):
                return self.resolve(owner, base + owner.idx)
        span = entity_span(tok)
        known_person = tok.text[:1].isupper() and self.table.known_person(tok.text) is not None
        if tok.pos_ == "PROPN" or known_person or (span is not None and tok.pos_ != "PRON"):
            return self.resolve_name(tok, span)
        return self.resolve_description(tok)

    def resolve_name(self, tok: Token, span: Span | None) -> tuple[Source | None, str]:
        doc = tok.doc
        rng = name_tokens(tok) if tok.pos_ == "PROPN" else None
        if span is not None and span.end == tok.i + 1 and (rng is None or span.start < rng[0]):
            # the recogniser's span is longer than the parse's compounds ("al-Maliki", "Ahmed Abdallah ...")
            start = span.start if rng is None else min(span.start, rng[0])
            stop = ORG_TITLE_STOP if span.label_ == "ORG" else TITLE_STOP
            while start < tok.i and doc[start].text.lower().strip(".") in stop:
                start += 1
            rng = (start, span.end)
        if rng is None:
            rng = (tok.i, tok.i + 1)
        name = doc[rng[0] : rng[1]].text
        name = re.sub(r"\s*[’']s$", "", name).strip()
        if not re.search(r"\w", name):
            return None, ""
        low = name.lower()
        label = span.label_ if span is not None else None
        np = phrase(tok)
        conj = any(c.dep_ == "conj" for c in tok.children)
        if low in SPEAKING_CAPITALS or low.removeprefix("the ") in SPEAKING_CAPITALS:
            src = self.table.named(name, "country")
        elif conj and not any(c.dep_ == "conj" and c.ent_type_ == "PERSON" for c in tok.children):
            # "the United States and Iraq": the pair speaks together
            src = self.table.named(np.text, "group")
            src.plural = True
        elif self.table.known_surname(name):
            src = self.table.person(name, honorific_gender([t.text for t in np]))
        elif (
            label == "PERSON"
            or self._looks_personal(np)
            or self._appos_role(tok)
            or (
                label in (None, "ORG")
                and 2 <= len(name.split()) <= 3
                and tok.tag_ == "NNP"
                and not ORG_NAME_WORDS & set(low.split())
            )
        ):
            src = self.table.person(name, honorific_gender([t.text for t in np]))
            self.learn_roles(src, tok, rng)
        else:
            # "the European Commission" whole; "The United States auto manufacturer Chrysler": the name
            described = any(t.pos_ == "NOUN" and t.is_lower for t in doc[np.start : rng[0]])
            full = np.text if np.start < rng[0] and doc[np.start].lower_ == "the" and not described else name
            src = self.table.named(
                full if label != "GPE" else name, "country" if label == "GPE" else "organization"
            )
            if tok.tag_ == "NNPS":
                src.plural = True
        src.add_alias(np.text)
        return src, np.text

    def _appos_role(self, tok: Token) -> bool:
        """'Lars Oesterhelweg, Deputy Director of ...': an apposition naming a person's role."""
        return any(
            c.dep_ == "appos" and (c.lemma_.lower() in PERSON_NOUNS or c.lower_ in PERSON_NOUNS)
            for c in tok.children
        )

    def _looks_personal(self, np: Span) -> bool:
        words = {t.lower_.strip(".") for t in np}
        return bool(words & PERSONAL_TITLES)

    def _titled_conjunct(self, head: Token) -> Token | None:
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

    def resolve_description(self, tok: Token) -> tuple[Source | None, str]:
        np = phrase(tok)
        text = np.text
        head = tok
        # "a spate of authoritative polls", "a number of officials": the noun after "of" says what it is
        if tok.lemma_.lower() in QUANTITY_NOUNS:
            of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            pobj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
            if pobj is not None:
                head = pobj
        words = [t.text for t in np if not t.is_punct]
        lemma = head.lemma_.lower()
        plural = head.tag_ in ("NNS", "NNPS")
        first = np[0].lower_ if len(np) else ""
        definite = first in ("the", "his", "her", "its", "their", "this", "that") or np[0].dep_ == "poss"
        if (lemma in PERSON_NOUNS or head.lower_ in PERSON_NOUNS) and not plural:
            named = self._titled_conjunct(head)
            if named is not None:
                # "The company president and CEO Louis Gallois said": two titles of one named person
                src, mention = self.resolve(named, self.paras_offset(tok.sent) + named.idx)
                if src is not None and src.type == "person":
                    src.set_role(text)
                    return src, mention
            if definite:
                src = self.table.by_description(words, head.text, self.paras_offset(tok.sent) + tok.idx)
                if src is not None:
                    src.add_alias(text)
                    return src, text
                # "Barack Obama led tributes ... The US president said": the latest person with no title
                # known yet takes this one; "his spokesman", "her lawyer" are someone else's
                possessed = first in ("his", "her", "its", "their") or np[0].dep_ == "poss"
                if lemma != "counterpart":
                    for m in reversed(self.table.subjects[-6:]):
                        cand = m.source
                        if (
                            cand.type == "person"
                            and not cand.role_words
                            and not possessed
                            and _full_name(cand)
                        ):
                            cand.set_role(text)
                            return cand, text
            src = self.table.named(text, "person")
            if first in ("a", "an", "another", "one") and src.intro is None:
                # "Another factory owner said": a new source, which a later "the factory owner" means
                # once it has spoken (a generic "an author will deliver" introduces nobody)
                src.intro = (text, self.paras_offset(tok.sent) + tok.idx)
            return src, text
        type_ = source_type(head, None)
        plausible = (
            lemma in SOURCE_HEADS
            or head.lower_ in GROUP_NOUNS
            or head.lower_ in DOCUMENT_NOUNS
            or lemma in DOCUMENT_NOUNS
            or (lemma in PERSON_NOUNS and plural)
        )
        if lemma in ("government", "ministry", "administration", "military", "army", "police") and definite:
            # "the government" after "the Comoros government": the same body
            for s in reversed(self.table.sources):
                if s.type == "organization" and lemma in s.name.lower():
                    s.add_alias(text)
                    return s, text
        if (
            lemma in ("organization", "organisation", "group", "company", "firm", "agency", "body", "charity")
            and definite
        ):
            # "the organization said" after "Amnesty International stated": the latest organisation
            for m in reversed(self.table.subjects[-8:]):
                if m.source.type == "organization" and m.source.plausible:
                    m.source.add_alias(text)
                    return m.source, text
        if type_ == "person":
            type_ = "group" if plural else "organization"
        src = self.table.named(text, type_)
        src.plural = src.plural or plural
        if not plausible and not src.spoke:
            src.plausible = False
        return src, text


def _full_name(src: Source) -> bool:
    """A person known by a first name and a surname ("Barack Obama"), the only kind a later bare title
    ("The US president said") may be taken to mean: a one-word "person" is as often a product or a
    misread word ("Rolex", "Dreamliner") as a surname."""
    return len(src.name.split()) >= 2


def _in_main_clause(tok: Token) -> bool:
    """Is this subject (or passive agent) the subject of the sentence's main verb, or of a verb
    coordinated with it?"""
    verb = tok.head.head if tok.dep_ == "pobj" else tok.head
    if tok.dep_ == "pobj" and verb.dep_ == "agent":
        verb = verb.head
    while verb.dep_ == "conj" and verb.head is not verb:
        verb = verb.head
    return verb.dep_ == "ROOT"
