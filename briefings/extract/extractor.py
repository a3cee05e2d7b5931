"""Who said what: the extractor's entry points, from Articles to Extractions (statements, speakers, acts).

Paragraphs of every article go through ``nlp.pipe`` in one stream; each article is then read in order:
quotations are scanned from the characters, reported speech from the parse, and every statement is
attributed to one entity of the article's source table.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from briefings.extract.actmodel import ActInput, decide
from briefings.extract.acts import classify
from briefings.extract.dateline import find_dateline
from briefings.extract.lexicon import (
    DOCUMENT_NOUNS,
    GROUP_NOUNS,
    ORG_NAME_WORDS,
    PERSON_NOUNS,
    PERSONAL_TITLES,
    QUANTITY_NOUNS,
    RHETORICAL_IMPERATIVES,
    SAY_VERBS,
    SOURCE_HEADS,
    SPEAKING_CAPITALS,
    TITLE_STOP,
    WORK_NOUNS,
)
from briefings.extract.morph import cue_forms
from briefings.extract.quotes import Quote, find_quotes
from briefings.extract.reported import quoted_object_cues, source_cues, subject_of, verb_cues
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
from briefings.models import ENTITY_TYPES, Act, Article, Entity, EntityType, Extraction, Kind, Statement

log = logging.getLogger(__name__)

MAX_CHUNK = 3_000  # characters parsed at once: long paragraphs are cut at sentence ends (the parser's
# working memory grows with the longest documents of a batch)
BATCH_SIZE = 64  # documents per nlp.pipe batch, at most
BATCH_CHARS = 25_000  # characters per batch, at most (roughly 2,500 tokens)
_SENT_END = re.compile(r"[.!?][\"”’']?\s+")
_FLOATING_MIN_WORDS = 3
_QUOTE_CHARS = re.compile(r"[“”„«»\"‘]|(?:^|\s)'")
_CUE_FORMS = frozenset(cue_forms())
_WORDS = re.compile(r"[a-z]+")


@dataclass
class Paragraph:
    start: int  # offset in Article.text
    end: int
    doc: Doc | None = None
    quotes: list[Quote] = field(default_factory=list)
    parsed: bool = True  # False: no cue and no quotation mark, so only names were recognised


@dataclass
class Found:
    """A statement before its speaker's final name is known."""

    source: Source
    start: int
    end: int
    kind: Kind
    act: Act
    cue: str
    mention: str
    cue_start: int | None
    priority: int  # which one to keep when two statements claim the same text
    para: int = 0  # index of its paragraph
    lemma: str = ""  # the cue's lemma, for the act decision
    addressee_to: bool = False  # "urged X to ...": an addressee, then an infinitive
    imperative: bool = False  # a quotation opening with a bare verb


def paragraphs(article: Article) -> list[Paragraph]:
    """Body paragraphs (one per non-blank line), long ones cut into chunks at sentence ends."""
    text = article.text
    out: list[Paragraph] = []
    dl = find_dateline(text, article.body_start)
    for line in re.finditer(r"[^\n]+", text[article.body_start :]):
        s = article.body_start + line.start()
        e = article.body_start + line.end()
        if dl is not None and s <= dl.start < e:
            s = dl.end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e <= s:
            continue
        while e - s > MAX_CHUNK:
            cut = s + MAX_CHUNK
            ends = [m.end() for m in _SENT_END.finditer(text, s + MAX_CHUNK // 2, cut)]
            if ends:  # the last sentence end in the second half of the chunk
                cut = ends[-1]
            out.append(Paragraph(s, cut))
            s = cut
        out.append(Paragraph(s, e))
    return out


def extract_docs(articles: Iterable[Article], nlp: Language) -> Iterator[Extraction]:
    """Who said what in each article, in order; paragraphs are parsed in batches through ``nlp.pipe``.

    Lazy: articles are read as the output is consumed. An article that fails yields an empty
    Extraction (logged) so that one bad input never stops a batch.
    """
    pending: dict[int, tuple[Article, list[Paragraph]]] = {}
    repeats: dict[int, dict[int, int]] = {}  # article -> {paragraph: the earlier one with its text}
    ner = _standalone_ner(nlp)

    def stream() -> Iterator[Item]:
        for n, article in enumerate(articles):
            try:
                paras = paragraphs(article)
            except Exception:  # noqa: BLE001 - one bad article must not stop the batch
                log.exception("could not split %s into paragraphs", article.source)
                paras = []
            pending[n] = (article, paras)
            if not paras:
                yield "", n, -1, True
            seen: dict[str, int] = {}
            for i, p in enumerate(paras):
                text = article.text[p.start : p.end]
                first = seen.setdefault(text, i)
                if first != i and i > 0:
                    # a paragraph repeated word for word (page furniture, a pasted block) parses the
                    # same: copy the first parse instead of running the parser again
                    repeats.setdefault(n, {})[i] = first
                    continue
                # no cue and no quotation mark: no statement can be here, only names (antecedents)
                p.parsed = ner is None or may_attribute(text)
                yield text, n, i, p.parsed

    def finish(n: int) -> Extraction:
        article, paras = pending.pop(n)
        for i, first in repeats.pop(n, {}).items():
            original = paras[first]
            if original.doc is not None:
                paras[i].doc = original.doc.copy()
                paras[i].parsed = original.parsed
        return _finish(article, paras)

    current = -1
    for batch in _batches(stream()):
        full = [item for item in batch if item[3]]
        names = [item for item in batch if not item[3]]
        done: dict[tuple[int, int], Doc] = dict(
            zip(
                [(n, i) for _, n, i, _ in full],
                nlp.pipe([t for t, *_ in full], batch_size=len(full) or 1),
                strict=True,
            )
        )
        if names and ner is not None:
            docs = ner.pipe((nlp.make_doc(t) for t, *_ in names), batch_size=len(names))
            done.update(zip([(n, i) for _, n, i, _ in names], docs, strict=True))
        for _, n, i, _ in batch:
            if n != current and current >= 0:
                yield finish(current)
            current = n
            if i >= 0:
                doc = done[(n, i)]
                _release(doc)
                pending[n][1][i].doc = doc
    if current >= 0:
        yield finish(current)


def extract(article: Article, nlp: Language) -> Extraction:
    """Who said what in one article."""
    return next(extract_docs([article], nlp))


Item = tuple[str, int, int, bool]  # text, article number, paragraph number, to be parsed


def _batches(items: Iterator[Item]) -> Iterator[list[Item]]:
    """Batches for ``nlp.pipe`` bounded in characters as well as in documents.

    The parser's working memory grows with the tokens of a batch, so a batch of long paragraphs
    holds fewer of them; this keeps peak memory flat whatever the input.
    """
    batch: list[Item] = []
    size = 0
    for item in items:
        batch.append(item)
        size += len(item[0])
        if size >= BATCH_CHARS or len(batch) >= BATCH_SIZE:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _release(doc: Doc) -> None:
    """Drop the token vectors a parsed doc keeps (most of its memory; the reader never uses them)."""
    doc.tensor = numpy.zeros((0, 0), dtype="float32")


def _standalone_ner(nlp: Language):
    """The entity recogniser when it runs on its own (its own token vectors), else None."""
    if "ner" not in nlp.pipe_names:
        return None
    ner = nlp.get_pipe("ner")
    model = getattr(ner, "model", None)
    if model is None or any("listener" in layer.name.lower() for layer in model.walk()):
        return None
    return ner


def may_attribute(text: str) -> bool:
    """Can this paragraph hold a statement? Only with a quotation mark or a cue word in it."""
    return bool(_QUOTE_CHARS.search(text)) or not _CUE_FORMS.isdisjoint(_WORDS.findall(text.lower()))


def _finish(article: Article, paras: list[Paragraph]) -> Extraction:
    try:
        return read_article(article, paras)
    except Exception:  # noqa: BLE001 - one bad article must not stop the batch
        log.exception("extraction failed for %s", article.source)
        return Extraction(article=article)


# -- reading one article -----------------------------------------------------------------------


class Reader:
    """Reads the parsed paragraphs of one article in order and collects its statements."""

    def __init__(self, article: Article, paras: list[Paragraph]) -> None:
        self.article = article
        self.paras = [p for p in paras if p.doc is not None]
        self.table = SourceTable()
        self.found: list[Found] = []
        self.here: list[Found] = []  # statements of the paragraph being read (none spans two)
        self._offsets = {id(p.doc): p.start for p in self.paras}
        self.last_para = -10  # paragraph index of the last statement (for floating quotes)

    # names and titles first, so that a speaker's fullest name is known wherever it appears
    def register_names(self) -> None:
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
                    self._learn_roles(src, head, rng)
                elif ent.label_ == "ORG" and ent.end + 2 < len(doc) and doc[ent.end].text == "(":
                    acr = doc[ent.end + 1]
                    if acr.text.isupper() and doc[ent.end + 2].text == ")":
                        src = self.table.named(ent.text, "organization")
                        src.add_alias(acr.text)

    def _learn_roles(self, src: Source, head: Token, rng: tuple[int, int]) -> None:
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

    def run(self) -> list[Found]:
        self.register_names()
        for pi, p in enumerate(self.paras):
            assert p.doc is not None
            if not p.parsed:
                # no statement here, but the people it names are antecedents for later pronouns
                for ent in p.doc.ents:
                    if ent.label_ == "PERSON" and re.search(r"\w", ent.text):
                        src = self.table.person(re.sub(r"\s*[’']s$", "", ent.text))
                        self.table.note_subject(p.start + ent.start_char, src)
                continue
            p.quotes = find_quotes(self.article.text, p.start, p.end)
            self.here = []
            for sent in p.doc.sents:
                self.read_sentence(pi, p, sent)
        return self.found

    def in_quote(self, p: Paragraph) -> Callable[[int], bool]:
        spans = [
            (q.open_mark - p.start, (q.close_mark if q.close_mark is not None else q.end) - p.start)
            for q in p.quotes
        ]

        def test(idx: int) -> bool:
            return any(a <= idx <= b for a, b in spans)

        return test

    def read_sentence(self, pi: int, p: Paragraph, sent: Span) -> None:
        in_quote = self.in_quote(p)
        used: set[int] = set()  # quotes of this paragraph already claimed (by index)
        cues = sorted(
            [*verb_cues(sent, in_quote), *source_cues(sent, in_quote), *quoted_object_cues(sent, in_quote)],
            key=lambda c: c.token.i,
        )
        if sent.text.rstrip().endswith("?") and not in_quote(sent.end_char - 1):
            cues = []  # the writer's own question ("Does this stem from organisations offering ...?")
        # speech inside speech is annotated once, at the outer level
        cues = [
            c
            for c in cues
            if not any(o is not c and o.start <= c.token.idx < o.end and o.frame != "source" for o in cues)
        ]
        # subjects before the cues resolve ("Tutu led a service, where he called for ..."), but not
        # the ones inside what was said
        self.note_subjects(p, sent, in_quote, [(p.start + c.start, p.start + c.end) for c in cues])
        for cue in cues:
            src, mention = self.resolve(cue.subject, p.start + cue.token.idx)
            if src is None or not src.plausible:
                continue
            self.table.note_subject(p.start + cue.token.idx, src)
            start, end = p.start + cue.start, p.start + cue.end
            if cue.frame != "verb" and self.article.text[start] in "“\"‘'«„":
                continue  # '“A,” he said, “B.”': the quotations themselves are the statements
            # Does the content coincide with a quotation, or open with one ('said, “A,” and added')?
            # Then it is that direct quote.
            q = self.quote_covering(p, start, end)
            if q is None and not cue.topic_only:
                q = next(
                    (
                        q
                        for q in p.quotes
                        if start in (q.open_mark, q.start)
                        and (q.close_mark is None or (q.end < end and self._quote_ends_clause(q, end)))
                    ),
                    None,
                )
            if q is not None and cue.topic_only and q.end - q.start < 0.7 * (end - start):
                q = None  # 'talked about “swarms” of people ...': the quote is part of the content
            if q is not None:
                qi = p.quotes.index(q)
                if qi in used or self.claimed(q):
                    continue
                used.add(qi)
                lemma = cue.decision_lemma(quoted=True)
                self.add_quote(pi, p, q, src, lemma, cue.text, mention, p.start + cue.token.idx)
                continue
            if self.overlaps_claimed(start, end):
                continue
            inner = [q for q in p.quotes if q.open_mark >= start and (q.close_mark or q.end) <= end + 1]
            kind: Kind = "mixed" if inner else "indirect"
            content = self.article.text[start:end]
            lemma = cue.decision_lemma(quoted=False)
            act = classify(lemma, content, kind, addressee_to=cue.addressee_to)
            pr = 2 if cue.frame in ("verb", "fronted") else 1
            found = Found(src, start, end, kind, act, cue.text, mention, p.start + cue.token.idx, pr)
            found.lemma, found.addressee_to = lemma, cue.addressee_to
            self.emit(pi, found)
        # quotations opening in this sentence that no cue claimed yet
        for q in p.quotes:
            if not (p.start + sent.start_char <= q.open_mark < p.start + sent.end_char) or self.claimed(q):
                continue
            self.attribute_quote(pi, p, q, sent, in_quote)

    # -- quotes ------------------------------------------------------------------------------

    def quote_covering(self, p: Paragraph, start: int, end: int) -> Quote | None:
        for q in p.quotes:
            inter = min(end, q.end) - max(start, q.start)
            if inter <= 0:
                continue
            outside = (end - start) - inter
            # outside text of at most a few characters (marks, punctuation): the content is the quote
            if outside <= 0.3 * (end - start) or outside <= 3:
                return q
        return None

    def _quote_ends_clause(self, q: Quote, end: int) -> bool:
        """Is a quote opening a reported clause a whole utterance ('said, “A,” and added'), not a
        quoted phrase inside the clause ('demanded that “repeat offenders” be “sent away”')?"""
        text = self.article.text
        assert q.close_mark is not None
        after = text[q.close_mark + 1 : end].lstrip()
        return (
            text[q.end - 1] in ",.!?;" or not after or after[0] in ",;" or after.startswith(("and ", "but "))
        )

    def claimed(self, q: Quote) -> bool:
        return any(f.start <= q.start and q.end <= f.end + 1 for f in self.here) or any(
            f.start == q.start for f in self.here
        )

    def overlaps_claimed(self, start: int, end: int) -> bool:
        for f in self.here:
            inter = min(end, f.end) - max(start, f.start)
            if inter > 0 and inter >= 0.5 * (max(end, f.end) - min(start, f.start)):
                return True
        return False

    def add_quote(
        self,
        pi: int,
        p: Paragraph,
        q: Quote,
        src: Source,
        lemma: str,
        cue: str,
        mention: str,
        cue_at: int | None,
    ) -> None:
        content = self.article.text[q.start : q.end]
        imperative = self.imperative(p, q)
        act = classify(lemma, content, "direct", imperative=imperative)
        found = Found(src, q.start, q.end, "direct", act, cue, mention, cue_at, 3)
        found.lemma, found.imperative = lemma, imperative
        self.emit(pi, found)

    def imperative(self, p: Paragraph, q: Quote) -> bool:
        assert p.doc is not None
        for tok in _tokens_between(p, q.start - 1, q.end):
            if p.start + tok.idx >= q.start and not tok.is_punct:
                return (
                    tok.tag_ == "VB"
                    and not any(c.dep_.startswith("nsubj") for c in tok.children)
                    and tok.dep_ in ("ROOT", "ccomp")
                    # "Imagine it like a walking millipede": a figure of speech, asking nothing
                    and tok.lemma_.lower() not in RHETORICAL_IMPERATIVES
                )
        return False

    def attribute_quote(self, pi: int, p: Paragraph, q: Quote, sent: Span, in_quote) -> None:
        doc = p.doc
        assert doc is not None
        text = self.article.text
        if _quoted_title(text[max(p.start, q.open_mark - 40) : q.open_mark], text[q.start : q.end]):
            return  # 'to Stevie Wonder's “Signed, Sealed, Delivered”': a title, nobody's speech
        close = q.close_mark if q.close_mark is not None else q.end
        # right context: '..." he said.' up to the sentence end or the next quotation
        nxt = min([o.open_mark for o in p.quotes if o.open_mark > close] + [p.end])
        right = _tokens_between(p, close, nxt)
        cue_tok = None
        for n, t in enumerate(right):
            if t.text in (".", "!", "?", ";") or n > 10:
                break
            if t.lemma_.lower() in SAY_VERBS and t.pos_ in ("VERB", "AUX"):
                # only the speaker may stand between the quote and its cue: '," the minister said'
                subj = subject_of(t)
                between = right[:n]
                if all(
                    b.is_punct
                    or (subj is not None and b in list(subj.subtree))
                    or b.dep_ in ("advmod", "aux")
                    for b in between
                ):
                    cue_tok = t
                break
        if cue_tok is None:
            # left context: 'X said: "...' / 'X told reporters, "...' / 'saying "...'
            prev_close = max(
                [(o.close_mark or o.end) for o in p.quotes if (o.close_mark or o.end) < q.open_mark]
                + [p.start - 1]
            )
            left = _tokens_between(p, prev_close, q.open_mark)
            # only the sentence holding the quote (a full stop ends the left context)
            for n in range(len(left) - 1, -1, -1):
                if left[n].text in (".", "!", "?") and n < len(left) - 1:
                    left = left[n + 1 :]
                    break
            # 'Zuma said. “Our nation ...”' takes the cue of the sentence before; 'blamed the media.
            # “I probably ...”' does not: that cue has content of its own
            after_stop = bool(left) and left[-1].text in (".", "!", "?")
            colon = bool(left) and left[-1].text == ":"
            for n in range(len(left) - 1, -1, -1):
                t = left[n]
                if t.lemma_.lower() in SAY_VERBS and t.pos_ in ("VERB", "AUX"):
                    naming = t.lemma_.lower() in ("call", "describe") and not any(
                        c.dep_ in ("prep", "prt") and c.lower_ in ("on", "for", "upon") for c in t.children
                    )
                    # (the object of "told the BBC." is the addressee, not content)
                    has_content = any(
                        c.dep_ in ("ccomp", "xcomp") or (c.dep_ == "dobj" and t.lemma_.lower() != "tell")
                        for c in t.children
                        if c.i > t.i
                    )
                    if (colon or len(left) - 1 - n <= 6) and not naming and not (after_stop and has_content):
                        cue_tok = t
                    break
            if cue_tok is None and colon:
                # 'X struck a defiant tone: "..."' - the subject of the clause before the colon
                root = next((t for t in left if t.dep_ == "ROOT" and t.pos_ in ("VERB", "AUX")), None)
                if root is not None and subject_of(root) is not None:
                    src, mention = self.resolve(subject_of(root), p.start + root.idx)
                    if src is not None:
                        self.add_quote(
                            pi, p, q, src, root.lemma_.lower(), root.text, mention, p.start + root.idx
                        )
                        return
        if cue_tok is not None:
            subj = subject_of(cue_tok)
            if subj is not None and subj.left_edge.idx <= q.open_mark - p.start <= subj.right_edge.idx:
                return  # 'The “Stand with Malala” petition, calling for ...': a title inside the speaker
            src, mention = self.resolve(subj, p.start + cue_tok.idx) if subj is not None else (None, "")
            if src is not None and src.plausible:
                self.add_quote(
                    pi, p, q, src, cue_tok.lemma_.lower(), cue_tok.text, mention, p.start + cue_tok.idx
                )
                return
        # floating quote: a whole sentence in quotation marks, spoken by the latest speaker
        lead = text[max(p.start, q.open_mark - 3) : q.open_mark].strip()
        starts_sentence = q.open_mark == p.start or lead == "" or lead[-1:] in '.!?”"’:'
        words = len(text[q.start : q.end].split())
        if not starts_sentence or words < _FLOATING_MIN_WORDS:
            return
        # 'Peter Fincham recalls the moment. “I thought ...”': a source introduced in this paragraph
        # after the last statement speaks; otherwise the latest speaker goes on
        last_end = max([f.end for f in self.here] + [p.start - 1])
        before = _tokens_between(p, p.start - 1, q.open_mark)
        prev_start = p.start + before[-1].sent.start_char if before else q.open_mark
        fresh = [
            m.source
            for m in self.table.subjects[-12:]
            if max(last_end, prev_start - 1) < m.offset < q.open_mark and m.source.type == "person"
        ]
        if not fresh and before and pi - self.last_para > 0:
            # 'For McCormack, the argument hinges on ... “Right now ...”': a person the sentence names
            for tok in before:
                if p.start + tok.idx < max(last_end, prev_start) or in_quote(tok.idx):
                    continue
                known = self.table.known_person(tok.lower_) if tok.pos_ == "PROPN" else None
                if known is not None and known.type == "person":
                    fresh = [known]
                    break
                span = entity_span(tok) if tok.ent_type_ == "PERSON" and tok.ent_iob_ == "B" else None
                if span is not None:
                    fresh = [self.table.person(re.sub(r"\s*[’']s$", "", span.text))]
                    break
        if not fresh and before and before[-1].sent.start_char + p.start > last_end:
            # 'Other supporters offer a simpler explanation. “He's not afraid ...”': a speech verb
            # naming only a topic still introduces whoever speaks next, a group as well as a person
            root = before[-1].sent.root
            subj = subject_of(root) if root.lemma_.lower() in SAY_VERBS else None
            if subj is not None and not in_quote(subj.idx):
                src, _ = self.resolve(subj, p.start + subj.idx)
                fresh = [src] if src is not None and src.plausible else []
        if fresh:
            # the sentence just before: its first person subject (main clauses come first)
            self.add_quote(pi, p, q, fresh[0], "say", "(floating quote)", "", None)
        elif self.table.last_speaker is not None and pi - self.last_para <= 2:
            self.add_quote(pi, p, q, self.table.last_speaker, "say", "(floating quote)", "", None)

    # -- speakers ----------------------------------------------------------------------------

    def note_subjects(self, p: Paragraph, sent: Span, in_quote, contents: list[tuple[int, int]]) -> None:
        """Record this sentence's subjects (and passive agents) as antecedents for later pronouns.

        Subjects inside reported content ("said that James Clapper had agreed") are left out: the
        next "she said" is about the speaker, not about someone she spoke of.
        """
        for tok in sent:
            agent = tok.dep_ == "pobj" and tok.head.dep_ == "agent"
            if not agent and tok.dep_ not in ("nsubj", "nsubjpass"):
                continue
            if in_quote(tok.idx) or is_pronoun(tok) or is_relative(tok):
                continue
            at = p.start + tok.idx
            if any(a <= at < b for a, b in contents):
                continue
            src, _ = self.resolve(tok, at)
            if src is not None:
                self.table.note_subject(at, src)

    def paras_offset(self, sent: Span) -> int:
        return self._offsets.get(id(sent.doc), 0)

    def resolve(self, tok: Token | None, offset: int | None) -> tuple[Source | None, str]:
        """The source a subject token stands for, and the mention as written."""
        if tok is None:
            return None, ""
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
                            src.set_role(self.article.text[base + tok.idx : base + name.idx].strip())
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
            while start < tok.i and doc[start].text.lower().strip(".") in TITLE_STOP:
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
            self._learn_roles(src, tok, rng)
        else:
            full = np.text if np.start < rng[0] and doc[np.start].lower_ == "the" else name
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
            if definite:
                src = self.table.by_description(words, head.text, self.paras_offset(tok.sent) + tok.idx)
                if src is not None:
                    src.add_alias(text)
                    return src, text
                # "Barack Obama led tributes ... The US president said": the latest person with no title
                # known yet takes this one
                if lemma != "counterpart":
                    for m in reversed(self.table.subjects[-6:]):
                        cand = m.source
                        if cand.type == "person" and not cand.role_words:
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

    # -- output ------------------------------------------------------------------------------

    def emit(self, pi: int, f: Found) -> None:
        if f.end <= f.start:
            return
        f.para = pi
        if f.source.intro is not None and not f.source.role_words:
            f.source.set_role(*f.source.intro)
        self.found.append(f)
        self.here.append(f)
        self.table.spoke(f.source)
        self.last_para = pi


_TITLE_DETERMINERS = frozenset("the a an his her their its our my your".split())


def _quoted_title(before: str, quoted: str) -> bool:
    """A quotation that is the name of a work: after a possessive ("Wonder's"), a title noun ("the
    song") or a determiner with a title-cased name ("the “Grand Old Party”"), it is no speech."""
    words = before.split()
    if not words:
        return False
    last = words[-1].lower().strip(",")
    if not before[-1:].isspace():
        return False  # the quote is glued to a word (no title position)
    if last.endswith(("'s", "’s")) or (last.endswith(("s'", "s’")) and len(last) > 2):
        return _title_cased(quoted)
    if last in WORK_NOUNS:
        return True
    return last in _TITLE_DETERMINERS and _title_cased(quoted)


def _title_cased(quoted: str) -> bool:
    """Most words capitalised, as in a title ("Signed, Sealed, Delivered, I'm Yours")."""
    words = [w for w in quoted.split() if w[:1].isalpha()]
    if not words or len(words) > 12:
        return False
    caps = sum(1 for w in words if w[0].isupper())
    return caps >= max(2, len(words) - 1) or (len(words) == 1 and caps == 1)


def _tokens_between(p: Paragraph, after: int, before: int) -> list[Token]:
    """Tokens of paragraph ``p`` starting strictly between two offsets of the article text."""
    doc = p.doc
    assert doc is not None
    starts = doc.user_data.get("starts")
    if starts is None:
        starts = doc.user_data["starts"] = [t.idx for t in doc]
    lo = bisect.bisect_right(starts, after - p.start)
    hi = bisect.bisect_left(starts, before - p.start)
    return [doc[i] for i in range(lo, hi)]


def read_article(article: Article, paras: list[Paragraph]) -> Extraction:
    """Statements and entities of one parsed article."""
    reader = Reader(article, paras)
    found = reader.run()
    found = _dedupe(found)
    sources = [s for s in reader.table.sources if any(f.source is s for f in found)]
    entities = [
        Entity(id=s.id, name=s.name, type=_entity_type(s), role=s.role, aliases=list(s.aliases))
        for s in sources
    ]
    statements = []
    for f in sorted(found, key=lambda f: f.start):
        content = article.text[f.start : f.end]
        act, confidence = decide(act_input(f, content))
        statements.append(
            Statement(
                speaker=f.source.name,
                start=f.start,
                end=f.end,
                kind=f.kind,
                act=act,
                cue=f.cue,
                content=content,
                speaker_id=f.source.id,
                speaker_mention=f.mention or None,
                cue_start=f.cue_start,
                confidence=round(confidence, 3),
                rule_act=f.act,
                cue_lemma=f.lemma or None,
                cue_flags=tuple(
                    n for n, on in (("addressee_to", f.addressee_to), ("imperative", f.imperative)) if on
                ),
            )
        )
    return Extraction(
        article=article,
        entities=entities,
        statements=statements,
        dateline=find_dateline(article.text, article.body_start),
    )


def act_input(f: Found, content: str) -> ActInput:
    """What the act decision sees of a found statement (also what it is trained on)."""
    return ActInput(f.lemma, content, f.kind, f.act, f.addressee_to, f.imperative)


def _entity_type(s: Source) -> EntityType:
    return next((t for t in ENTITY_TYPES if t == s.type), "person")


def _dedupe(found: list[Found]) -> list[Found]:
    """Two statements on (mostly) the same text: keep the one with the stronger evidence.

    Statements never span paragraphs, so each paragraph is deduplicated on its own.
    """
    by_para: dict[int, list[Found]] = {}
    for f in found:
        by_para.setdefault(f.para, []).append(f)
    return [k for group in by_para.values() for k in _dedupe_group(group)]


def _dedupe_group(found: list[Found]) -> list[Found]:
    keep: list[Found] = []
    for f in sorted(found, key=lambda f: -f.priority):
        clash = False
        for k in keep:
            inter = min(f.end, k.end) - max(f.start, k.start)
            if inter > 0 and inter >= 0.5 * (max(f.end, k.end) - min(f.start, k.start)):
                clash = True
                break
        if not clash:
            keep.append(f)
    return keep
