"""Attribution: a cue's content becomes a statement (indirect, mixed, or the direct quotation it
coincides with), and quotations no cue claimed find their speaker (a cue after or before them, the
subject before a colon, or the latest speaker for a floating quote)."""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.tokens import Token

from briefings.extract.acts import classify
from briefings.extract.cue import ActCue, Cue
from briefings.extract.lexicon import RHETORICAL_IMPERATIVES, SAY_VERBS, WORK_NOUNS
from briefings.extract.quotes import Quote
from briefings.extract.reading import Found, Paragraph, Statements, tokens_between
from briefings.extract.resolve import Resolver
from briefings.extract.speakers import Source, entity_span
from briefings.extract.subjects import subject_of
from briefings.models import Act, Kind

_FLOATING_MIN_WORDS = 3


class Attribution:
    """Turns the cues and quotations of one article into statements (``Statements.emit``)."""

    def __init__(self, text: str, statements: Statements, resolver: Resolver) -> None:
        self.text = text
        self.statements = statements
        self.resolver = resolver
        self.table = resolver.table

    def attribute_cue(self, pi: int, p: Paragraph, cue: Cue, used: set[int]) -> None:
        """The statement of a cue's content: the direct quote it coincides with (``used`` holds the
        quotes of the paragraph already claimed), else an indirect or mixed statement."""
        src, mention = self.resolver.resolve(cue.subject, p.start + cue.token.idx)
        if src is None or not src.plausible:
            return
        self.table.note_subject(p.start + cue.token.idx, src)
        start, end = p.start + cue.start, p.start + cue.end
        if cue.frame != "verb" and self.text[start] in "“\"‘'«„":
            return  # '“A,” he said, “B.”': the quotations themselves are the statements
        q = self.quote_of_content(p, cue, start, end)
        if q is not None:
            qi = p.quotes.index(q)
            if qi in used or self.statements.claimed(q):
                return
            used.add(qi)
            lemma = cue.decision_lemma(quoted=True)
            self.add_quote(pi, p, q, src, lemma, cue.text, mention, p.start + cue.token.idx)
            return
        if self.statements.overlaps_claimed(start, end):
            return
        inner = [q for q in p.quotes if q.open_mark >= start and (q.close_mark or q.end) <= end + 1]
        kind: Kind = "mixed" if inner else "indirect"
        act_cue = ActCue(cue.decision_lemma(quoted=False), addressee_to=cue.addressee_to)
        act = _rule_act(act_cue, self.text[start:end], kind)
        pr = 2 if cue.frame in ("verb", "fronted") else 1
        cue_at = p.start + cue.token.idx
        self.statements.emit(pi, Found(src, start, end, kind, act, cue.text, mention, cue_at, pr, act_cue))

    def quote_of_content(self, p: Paragraph, cue: Cue, start: int, end: int) -> Quote | None:
        """The quotation a cue's content is: the one it coincides with, or opens with ('said, “A,” and
        added'); not a quoted phrase a topic verb's content holds ('talked about “swarms” of ...')."""
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
            return None
        return q

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
        text = self.text
        assert q.close_mark is not None
        after = text[q.close_mark + 1 : end].lstrip()
        return (
            text[q.end - 1] in ",.!?;" or not after or after[0] in ",;" or after.startswith(("and ", "but "))
        )

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
        act_cue = ActCue(lemma, imperative=self.imperative(p, q))
        act = _rule_act(act_cue, self.text[q.start : q.end], "direct")
        self.statements.emit(pi, Found(src, q.start, q.end, "direct", act, cue, mention, cue_at, 3, act_cue))

    def imperative(self, p: Paragraph, q: Quote) -> bool:
        assert p.doc is not None
        for tok in tokens_between(p, q.start - 1, q.end):
            if p.start + tok.idx >= q.start and not tok.is_punct:
                return (
                    tok.tag_ == "VB"
                    and not any(c.dep_.startswith("nsubj") for c in tok.children)
                    and tok.dep_ in ("ROOT", "ccomp")
                    # "Imagine it like a walking millipede": a figure of speech, asking nothing
                    and tok.lemma_.lower() not in RHETORICAL_IMPERATIVES
                )
        return False

    def attribute_quote(self, pi: int, p: Paragraph, q: Quote, in_quote: Callable[[int], bool]) -> None:
        """The speaker of a quotation no cue claimed: the cue after it ('," the minister said'), the cue
        before it ('X said: "'), the subject before a colon, else (a floating quote) a source just
        introduced or the latest speaker."""
        text = self.text
        if _quoted_title(text[max(p.start, q.open_mark - 40) : q.open_mark], text[q.start : q.end]):
            return  # 'to Stevie Wonder's “Signed, Sealed, Delivered”': a title, nobody's speech
        cue_tok = _cue_after(p, q)
        if cue_tok is None:
            # left context: 'X said: "...' / 'X told reporters, "...' / 'saying "...'
            left = _left_context(p, q)
            colon = bool(left) and left[-1].text == ":"
            cue_tok = _cue_before(left, colon=colon)
            if cue_tok is None and colon and self._by_colon(pi, p, q, left):
                return
        if cue_tok is not None and self._by_cue(pi, p, q, cue_tok):
            return
        self._floating(pi, p, q, in_quote)

    def _by_colon(self, pi: int, p: Paragraph, q: Quote, left: list[Token]) -> bool:
        """'X struck a defiant tone: "..."': the subject of the clause before the colon speaks."""
        root = next((t for t in left if t.dep_ == "ROOT" and t.pos_ in ("VERB", "AUX")), None)
        if root is None or subject_of(root) is None:
            return False
        src, mention = self.resolver.resolve(subject_of(root), p.start + root.idx)
        if src is None:
            return False
        self.add_quote(pi, p, q, src, root.lemma_.lower(), root.text, mention, p.start + root.idx)
        return True

    def _by_cue(self, pi: int, p: Paragraph, q: Quote, cue_tok: Token) -> bool:
        """The cue's speaker says the quote; True when that settles it (a title inside the speaker,
        'The “Stand with Malala” petition, calling for ...', settles it too: nobody's speech)."""
        subj = subject_of(cue_tok)
        if subj is not None and subj.left_edge.idx <= q.open_mark - p.start <= subj.right_edge.idx:
            return True
        src, mention = self.resolver.resolve(subj, p.start + cue_tok.idx) if subj is not None else (None, "")
        if src is None or not src.plausible:
            return False
        self.add_quote(pi, p, q, src, cue_tok.lemma_.lower(), cue_tok.text, mention, p.start + cue_tok.idx)
        return True

    def _floating(self, pi: int, p: Paragraph, q: Quote, in_quote: Callable[[int], bool]) -> None:
        """A floating quote, a whole sentence in quotation marks: a source introduced in this paragraph
        after the last statement speaks it ('Peter Fincham recalls the moment. “I thought ...”'),
        otherwise the latest speaker goes on."""
        text = self.text
        lead = text[max(p.start, q.open_mark - 3) : q.open_mark].strip()
        starts_sentence = q.open_mark == p.start or lead == "" or lead[-1:] in '.!?”"’:'
        words = len(text[q.start : q.end].split())
        if not starts_sentence or words < _FLOATING_MIN_WORDS:
            return
        fresh = self._introduced(pi, p, q, in_quote)
        if fresh:
            # the sentence just before: its first person subject (main clauses come first)
            self.add_quote(pi, p, q, fresh[0], "say", "(floating quote)", "", None)
        elif self.table.last_speaker is not None and pi - self.statements.last_para <= 2:
            self.add_quote(pi, p, q, self.table.last_speaker, "say", "(floating quote)", "", None)

    def _introduced(self, pi: int, p: Paragraph, q: Quote, in_quote: Callable[[int], bool]) -> list[Source]:
        """Sources introduced before a floating quote since the last statement: the persons noted as
        subjects, else a person the sentence names, else the subject of a speech verb naming a topic."""
        last_end = max([f.end for f in self.statements.here] + [p.start - 1])
        before = tokens_between(p, p.start - 1, q.open_mark)
        prev_start = p.start + before[-1].sent.start_char if before else q.open_mark
        fresh = [
            m.source
            for m in self.table.subjects[-12:]
            if max(last_end, prev_start - 1) < m.offset < q.open_mark and m.source.type == "person"
        ]
        if not fresh and before and pi - self.statements.last_para > 0:
            fresh = self._named_before(p, before, max(last_end, prev_start), in_quote)
        if not fresh and before and before[-1].sent.start_char + p.start > last_end:
            fresh = self._topic_speaker(p, before, in_quote)
        return fresh

    def _named_before(
        self, p: Paragraph, before: list[Token], since: int, in_quote: Callable[[int], bool]
    ) -> list[Source]:
        """'For McCormack, the argument hinges on ... “Right now ...”': a person the sentence names."""
        for tok in before:
            if p.start + tok.idx < since or in_quote(tok.idx):
                continue
            known = self.table.known_person(tok.lower_) if tok.pos_ == "PROPN" else None
            if known is not None and known.type == "person":
                return [known]
            span = entity_span(tok) if tok.ent_type_ == "PERSON" and tok.ent_iob_ == "B" else None
            if span is not None:
                return [self.table.person(re.sub(r"\s*[’']s$", "", span.text))]
        return []

    def _topic_speaker(
        self, p: Paragraph, before: list[Token], in_quote: Callable[[int], bool]
    ) -> list[Source]:
        """'Other supporters offer a simpler explanation. “He's not afraid ...”': a speech verb naming
        only a topic still introduces whoever speaks next, a group as well as a person."""
        root = before[-1].sent.root
        subj = subject_of(root) if root.lemma_.lower() in SAY_VERBS else None
        if subj is None or in_quote(subj.idx):
            return []
        src, _ = self.resolver.resolve(subj, p.start + subj.idx)
        return [src] if src is not None and src.plausible else []


def _rule_act(act_cue: ActCue, content: str, kind: Kind) -> Act:
    """The rules' act of a statement (``acts.classify``), from its ``ActCue`` and its content."""
    return classify(
        act_cue.lemma, content, kind, addressee_to=act_cue.addressee_to, imperative=act_cue.imperative
    )


def _cue_after(p: Paragraph, q: Quote) -> Token | None:
    """The cue right after a quotation ('..." he said.'), before the sentence end or the next quote;
    only the speaker may stand between them ('," the minister said')."""
    close = q.close_mark if q.close_mark is not None else q.end
    nxt = min([o.open_mark for o in p.quotes if o.open_mark > close] + [p.end])
    right = tokens_between(p, close, nxt)
    for n, t in enumerate(right):
        if t.text in (".", "!", "?", ";") or n > 10:
            return None
        if t.lemma_.lower() in SAY_VERBS and t.pos_ in ("VERB", "AUX"):
            subj = subject_of(t)
            between = right[:n]
            if all(
                b.is_punct or (subj is not None and b in list(subj.subtree)) or b.dep_ in ("advmod", "aux")
                for b in between
            ):
                return t
            return None
    return None


def _left_context(p: Paragraph, q: Quote) -> list[Token]:
    """The tokens before a quotation since the previous one, within the sentence holding it (a full
    stop ends the left context; one right before the quote is kept)."""
    prev_close = max(
        [(o.close_mark or o.end) for o in p.quotes if (o.close_mark or o.end) < q.open_mark] + [p.start - 1]
    )
    left = tokens_between(p, prev_close, q.open_mark)
    for n in range(len(left) - 1, -1, -1):
        if left[n].text in (".", "!", "?") and n < len(left) - 1:
            return left[n + 1 :]
    return left


def _cue_before(left: list[Token], *, colon: bool) -> Token | None:
    """The cue before a quotation: the last speech verb of its left context, near the quote (or
    before a colon), not a naming ("called it"), nor after a full stop a cue with content of its own
    ('Zuma said. “Our nation ...”' takes it; 'blamed the media. “I probably ...”' does not)."""
    after_stop = bool(left) and left[-1].text in (".", "!", "?")
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
                return t
            return None
    return None


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
