"""Who said what: the extractor's entry points, from Articles to Extractions (statements, speakers, acts).

Paragraphs of every article go through ``nlp.pipe`` in one stream; each article is then read in order
by ``Reader``: names first (``resolve``), then quotations scanned from the characters (``quotes``),
cues from the parse (``reported``), and every statement attributed (``attribution``) to one entity of
the article's source table (``speakers``). docs/architecture.md describes the stages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator

import numpy
from spacy.language import Language
from spacy.tokens import Doc, Span

from briefings.extract.actmodel import ActInput, decide
from briefings.extract.attribution import Attribution
from briefings.extract.dateline import find_dateline
from briefings.extract.morph import cue_forms
from briefings.extract.quotes import find_quotes
from briefings.extract.reading import Found, Paragraph, Statements, in_quote_test, tokens_between
from briefings.extract.reported import sentence_cues
from briefings.extract.resolve import Resolver
from briefings.extract.speakers import Source, SourceTable
from briefings.models import ENTITY_TYPES, Article, Entity, EntityType, Extraction, Statement

log = logging.getLogger(__name__)

MAX_CHUNK = 3_000  # characters parsed at once: long paragraphs are cut at sentence ends (the parser's
# working memory grows with the longest documents of a batch)
BATCH_SIZE = 64  # documents per nlp.pipe batch, at most
BATCH_CHARS = 25_000  # characters per batch, at most (roughly 2,500 tokens)
_SENT_END = re.compile(r"[.!?][\"”’']?\s+")
_QUOTE_CHARS = re.compile(r"[“”„«»\"‘]|(?:^|\s)'")
_CUE_FORMS = frozenset(cue_forms())
_WORDS = re.compile(r"[a-z]+")


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
    """Reads the parsed paragraphs of one article in order, the thin orchestrator of its stages: names
    first (``Resolver``), then each sentence's cues (``reported``) and quotations (``quotes``), which
    ``Attribution`` turns into statements of sources of one table (``speakers``)."""

    def __init__(self, article: Article, paras: list[Paragraph]) -> None:
        self.article = article
        self.paras = [p for p in paras if p.doc is not None]
        self.table = SourceTable()
        self.statements = Statements(self.table)
        self.resolver = Resolver(article.text, self.table, self.paras)
        self.attribution = Attribution(article.text, self.statements, self.resolver)

    def run(self) -> list[Found]:
        self.resolver.register_names()
        for pi, p in enumerate(self.paras):
            assert p.doc is not None
            if not p.parsed:
                # no statement here, but the people it names are antecedents for later pronouns
                self.resolver.note_names(p)
                continue
            p.quotes = find_quotes(self.article.text, p.start, p.end)
            self.statements.new_paragraph()
            for sent in p.doc.sents:
                self.read_sentence(pi, p, sent)
        return self.statements.found

    def read_sentence(self, pi: int, p: Paragraph, sent: Span) -> None:
        in_quote = in_quote_test(p)
        used: set[int] = set()  # quotes of this paragraph already claimed (by index)
        cues = sentence_cues(sent, in_quote)
        # subjects before the cues resolve ("Tutu led a service, where he called for ..."), but not
        # the ones inside what was said
        self.resolver.note_subjects(p, sent, in_quote, [(p.start + c.start, p.start + c.end) for c in cues])
        for cue in cues:
            self.attribution.attribute_cue(pi, p, cue, used)
        # quotations opening in this sentence that no cue claimed yet
        for q in p.quotes:
            if not (
                p.start + sent.start_char <= q.open_mark < p.start + sent.end_char
            ) or self.statements.claimed(q):
                continue
            self.attribution.attribute_quote(pi, p, q, in_quote)


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
                cue_lemma=f.act_cue.lemma or None,
                cue_flags=f.act_cue.flags + (("phrase",) if _bare_phrase(paras[f.para], f) else ()),
            )
        )
    return Extraction(
        article=article,
        entities=entities,
        statements=statements,
        dateline=find_dateline(article.text, article.body_start),
    )


# At most this many words make a name, a title or a bare noun phrase ("a primer", "Meet the Press").
_PHRASE_WORDS = 8
_TITLE_SMALL_WORDS = frozenset("a an the of and or in on at for to with by from".split())


def _bare_phrase(p: Paragraph, f: Found) -> bool:
    """Content without a clause: a name, a title or a bare noun phrase (no verb, a few words). The
    guide says it is no content (`offered a primer`, `said "Meet the Press"`); the briefing never shows
    it as a bullet (flag ``phrase``), the extraction keeps it for the record."""
    if p.doc is None:
        return False
    words = [
        t for t in tokens_between(p, f.start - 1, f.end) if t.idx < f.end and not (t.is_punct or t.is_space)
    ]
    if not 0 < len(words) <= _PHRASE_WORDS:
        return False
    if len(words) > 1 and all(t.is_title or t.lower_ in _TITLE_SMALL_WORDS or not t.is_alpha for t in words):
        return True  # a name or a title: "Meet the Press"
    return not any(t.pos_ in ("VERB", "AUX") for t in words)


def act_input(f: Found, content: str) -> ActInput:
    """What the act decision sees of a found statement (also what it is trained on)."""
    c = f.act_cue
    return ActInput(c.lemma, content, f.kind, f.act, c.addressee_to, c.imperative)


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
