"""Speech acts: offer, demand, denial, accusation or plain statement, judged from the cue and the content."""

from __future__ import annotations

import re

from .cues import ACCUSATION_VERBS, DEMAND_VERBS, DENIAL_VERBS, OFFER_VERBS

_READY = re.compile(
    r"\b(?:is|are|was|were|be|been|being|am|'re|’re|'m|’m|remains?|stands?)\s+(?:\w+\s+)?"
    r"(?:ready|willing|prepared|open|available)\s+(?:to|for)\b",
    re.IGNORECASE,
)
_OFFER_WORDS = re.compile(
    r"\b(?:offer(?:s|ed)? to|propos(?:e|es|ed) to|promis(?:e|es|ed)|pledg(?:e|es|ed)|vow(?:s|ed)? to|"
    r"commit(?:s|ted)? (?:ourselves|myself|itself|themselves) to|stand ready)\b",
    re.IGNORECASE,
)
# First-person commitments: "we will deliver", "I will sign it", "we shall make every effort".
_COMMIT = re.compile(
    r"\b(?:I|we|We)\s+(?:will|shall|'ll|’ll|are going to|must now|must)\s+(?:also\s+|now\s+|immediately\s+|"
    r"continue to\s+|carry on\s+)?(?P<verb>\w+)",
)
_GIVING = frozenset(
    """deliver provide sign help work meet support give offer send fund invest consider hold
    continue engage make keep build restore protect ensure guarantee introduce bring return
    carry open cooperate talk negotiate look review release allow pay""".split()
)
_DEMAND_WORDS = re.compile(
    r"\b(?:I|we|We)\s+(?:demand(?:ed)?|urge[d]?|call(?:ed)? (?:on|upon|for)|ask(?:ed)?\s+\w+\s+to|"
    r"insist(?:ed)? that)\b|\b(?:calls? (?:on|upon)|must (?:stop|cease|end|withdraw|halt))\b",
)
_DENIAL_WORDS = re.compile(
    r"\b(?:(?:is|was|it's|it’s) not true|(?:deny|denies|denied|reject(?:s|ed)?|refute[sd]?) "
    r"(?:the |these |those |any |all )?(?:allegations?|claims?|accusations?|charges?|reports?)|"
    r"(?:was|is|were) certainly not|baseless|unfounded|groundless)\b",
    re.IGNORECASE,
)
_ACCUSE_WORDS = re.compile(
    r"\b(?:accuse[sd]?|blame[sd]?|responsible for|guilty of|inflicts?|condemn)\b", re.IGNORECASE
)
_IMPERATIVE_START = re.compile(r"^(?:Don[’']t|Do not|Never|Please|Let us|Let’s|Let's)\b")


def classify(
    lemma: str, content: str, kind: str, *, addressee_to: bool = False, imperative: bool = False
) -> str:
    """One act per statement from the cue ``lemma`` (e.g. "deny"), the content and its kind.

    ``addressee_to`` is True for the "urged X to ..." shape (an addressee then an infinitive);
    ``imperative`` when the quoted content opens with a bare verb ("Reject pessimism").
    """
    if lemma in DENIAL_VERBS:
        return "denial"
    if lemma in ACCUSATION_VERBS:
        return "accusation"
    if lemma in OFFER_VERBS:
        return "offer"
    if lemma in DEMAND_VERBS and (lemma != "ask" or addressee_to) and (lemma != "order" or addressee_to):
        return "demand"
    if lemma in ("tell", "warn", "advise") and addressee_to:
        return "demand"
    if lemma == "insist" and re.search(r"\b(?:must|should)\b", content):
        return "demand"
    head = content[:400]
    if _READY.search(head) or _OFFER_WORDS.search(head):
        return "offer"
    m = _COMMIT.search(head)
    if m and m.group("verb").lower() in _GIVING:
        return "offer"
    if _DEMAND_WORDS.search(head):
        return "demand"
    if kind == "direct" and (imperative or _IMPERATIVE_START.match(content)):
        return "demand"
    if _DENIAL_WORDS.search(head):
        return "denial"
    return "statement"
