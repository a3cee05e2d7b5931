"""The record a cue travels in: ``reported.sentence_cues`` finds it (``frames`` for a verb's content,
``subjects`` for its speaker token), ``attribution`` makes it a statement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from spacy.tokens import Token

from briefings.extract.lexicon import BLAME_VERBS, QUOTED_OBJECT_VERBS

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


@dataclass(frozen=True)
class ActCue:
    """What the act decision reads of a statement's cue, set once where the statement is found: the
    rules (``acts.classify``) and the model (``actmodel.ActInput``) take it from here, and so do the
    statement's ``cue_lemma`` and ``cue_flags``."""

    lemma: str  # ``Cue.decision_lemma``; for a quotation without a Cue record, its cue verb's lemma
    addressee_to: bool = False  # "urged X to ...": an addressee, then an infinitive
    imperative: bool = False  # a quotation opening with a bare verb

    @property
    def flags(self) -> tuple[str, ...]:
        """The flags that are set, by name (the first of ``Statement.cue_flags``)."""
        return tuple(
            n for n, on in (("addressee_to", self.addressee_to), ("imperative", self.imperative)) if on
        )
