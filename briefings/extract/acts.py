"""Speech acts: offer, demand, denial, accusation or plain statement, judged from the cue and the content."""

from __future__ import annotations

import re

from briefings.extract.lexicon import hints
from briefings.models import Act, Kind

_READY = re.compile(
    # only an adverb may come between ("is still ready"), not a participle ("had been left open")
    r"\b(?:is|are|was|were|be|been|being|am|'re|’re|'m|’m|remains?|stands?)\s+"
    r"(?:\w+ly\s+|still\s+|now\s+|also\s+|always\s+|more\s+|very\s+|not\s+|n[’']t\s+)?"
    r"(?:ready|willing|prepared|open)\b(?!\s+for\s+(?:war|a\s+fight|battle))",
    re.IGNORECASE,
)
# "n't" has no word boundary before it ("don't"): it is matched on its own
_NOT_BEFORE = re.compile(r"(?:\b(?:whether|if|not|never|no)|n[’']t)\b[^.;:]{0,40}$", re.IGNORECASE)
_OFFER_WORDS = re.compile(
    r"\b(?:offer(?:s|ed)? to|to offer|propos(?:e|es|ed) to|promis(?:e|es|ed) to|pledg(?:e|es|ed) to|vow(?:s|ed)? to|"
    r"commit(?:s|ted)? (?:ourselves|myself|itself|themselves) to|stand ready|(?:I|we) agree to)\b",
    re.IGNORECASE,
)
# Commitments: "we will deliver", "I will sign it", "will continue to meet", "will look into".
_COMMIT = re.compile(
    r"\b(?:will|shall|would|'ll|’ll|are going to|must now)\s+(?:also\s+|now\s+|immediately\s+|"
    r"continue\s+to\s+|carry\s+on\s+)?(?P<verb>[a-z]+)",
)
_GIVING = frozenset(
    """deliver provide sign help work meet support give offer send fund invest consider hold
    engage keep build restore protect ensure guarantee introduce bring return
    cooperate talk negotiate look review release allow pay free rebuild compensate open""".split()
)
# A passive commitment: "a discussion table will be opened", "funds will be made available".
_COMMIT_PASSIVE = re.compile(
    r"\b(?:will|shall|would)\s+be\s+(?:opened|provided|given|offered|released|set\s+up|established|"
    r"made\s+available|returned|restored|guaranteed|compensated|funded|granted)\b"
)
# Clear wrongdoing laid at someone's door, whatever the cue ("the Taliban is using them as human
# shields", "unlawful restrictions", "has not followed through on its commitments").
_WRONGDOING = re.compile(
    r"\b(?:unlawful(?:ly)?|draconian|human\s+shields?|genocide|atrocit(?:y|ies)|massacred?|"
    r"provocations?|war\s+crimes?|crimes?\s+against\s+humanity|"
    r"(?:is|are|was|were|has\s+been|have\s+been)\s+(?:\w+\s+)?(?:attempting|trying)\s+to\s+"
    r"(?:quash|silence|suppress|hide|cover\s+up|intimidate)|"
    r"(?:has|have|had)\s+not\s+(?:followed\s+through|kept|honou?red|delivered\s+on)|"
    r"(?:broke|broken|reneged\s+on)\s+(?:its|their|his|her)\s+(?:promises?|commitments?|word)|"
    r"(?:is|are|was|were)\s+(?:\w+\s+){0,2}responsible\s+for\s+(?:the\s+)?(?:attacks?|killings?|deaths?|"
    r"terror|violence|bombings?)|inflicts?)\b",
    re.IGNORECASE,
)
_DEMAND_WORDS = re.compile(
    # (not the noun, "our two demands", "demand for goods", nor the passive "demanded by MEPs")
    r"(?<!\bthe )(?<!\bour )(?<!\btheir )(?<!\bits )(?<!\btwo )(?<!\ba )(?<!\bhis )(?<!\bher )"
    # ("in demand", "lose orders", "maintain orders", "no orders"; "would have asked him to": unreal)
    r"(?<!\bin )(?<!\blose )(?<!\bmaintain )(?<!\bno )(?<!\bnew )(?<!\bwould have )(?<!\bIn )"
    r"\b(?:demand(?:s|ed)?(?! by\b)(?! for\b)|urge[sd]?|call(?:s|ed)? (?:on|upon)|ask(?:s|ed)? (?:\w+ ){1,3}to|"
    r"order(?:s|ed)? [^.;]{0,80}? to [a-z]+|encourag(?:e|es|ed) [^.;]{0,40}? to [a-z]+|"
    r"insist(?:s|ed)? that [^.;]{0,60}\bmust|must (?:stop|cease|end|withdraw|halt)|"
    # obligations put on others: "make them understand they have to come forward"
    r"make (?:them|him|her|everyone|people) understand (?:that )?(?:they|he|she) (?:must|have to|has to))\b",
)
_DENIAL_WORDS = re.compile(
    r"\b(?:(?:is|was|it's|it’s) not true|(?:deny|denies|denied|reject(?:s|ed)?|refute[sd]?) "
    r"(?:the |these |those |any |all )?(?:allegations?|claims?|accusations?|charges?|reports?)|"
    r"(?:was|is|were) certainly not|baseless|unfounded|groundless|far-fetched|untrue|nonsense|"
    r"far from (?:any |the |all )?(?:allegations?|accusations?|charges?|claims?)|no truth (?:in|to))\b",
    re.IGNORECASE,
)
_ACCUSE_WORDS = re.compile(
    r"\b(?:accuse[sd]?|blame[sd]?|(?:is|are|was|were) (?:\w+ ){0,2}responsible for|guilty of|inflicts?|"
    r"condemn(?:s|ed)?|war crimes?)\b",
    re.IGNORECASE,
)
_SAY_AGAIN = re.compile(r"\b(?:say|said|saying|promis\w+)\s+(?:that\s+)?(?:he|she|it|they|we)\s+$")
_RELATIVE_BEFORE = re.compile(r"\b(?:that|which|who|where)\s+$")
_NEGATION = re.compile(r"(?:\b(?:not|never|no)|n[’']t)\b", re.IGNORECASE)
_IMPERATIVE_START = re.compile(r"^(?:Don[’']t|Do not|Never|Please|Let us|Let’s|Let's)\b")


def classify(
    lemma: str, content: str, kind: Kind, *, addressee_to: bool = False, imperative: bool = False
) -> Act:
    """One act per statement from the cue ``lemma`` (e.g. "deny"), the content and its kind.

    ``addressee_to`` is True for the "urged X to ..." shape (an addressee then an infinitive);
    ``imperative`` when the quoted content opens with a bare verb ("Reject pessimism").
    """
    for act, when in hints(lemma):
        if _holds(when, content, kind, addressee_to):
            return act
    head = content[:300]
    for m in (_READY.search(head), _OFFER_WORDS.search(head)):
        if m and not _NOT_BEFORE.search(head[: m.start()]):
            return "offer"
    # the commitment is the main clause's ("he would work with ...", "I will sign it"), or one
    # reported again inside it ("he would write to say he would cooperate"), not a subordinate one
    # ("a button that will deliver a shock")
    for m in _COMMIT.finditer(head[:160]):
        if (
            _base(m.group("verb")) in _GIVING
            and not _NOT_BEFORE.search(head[: m.start()][-30:])
            and not re.match(r"[^.!?]*\?", head[m.end() :])  # "who will pay them?" asks, not offers
            and (
                m.start() < 60
                or re.search(r"\b(?:I|we|We)\s+$", head[: m.start()])
                or _SAY_AGAIN.search(head[: m.start()])
            )
        ):
            return "offer"
    m = _COMMIT_PASSIVE.search(head[:160])
    # a commitment of the clause itself, not of a relative one ("the locations that would be given")
    if m and not _NOT_BEFORE.search(head[: m.start()]) and not _RELATIVE_BEFORE.search(head[: m.start()]):
        return "offer"
    if _DEMAND_WORDS.search(head[:120]):
        return "demand"
    if kind == "direct" and (imperative or _IMPERATIVE_START.match(content)):
        return "demand"
    if _DENIAL_WORDS.search(head):
        return "denial"
    m = _ACCUSE_WORDS.search(head[:160]) if kind == "direct" else None
    # "have not been accused of anything", "we don't want to ... blame others": no blame laid
    if m and not _NOT_BEFORE.search(head[: m.start()]):
        return "accusation"
    if _WRONGDOING.search(head):
        return "accusation"
    return "statement"


def _holds(when: str, content: str, kind: Kind, addressee_to: bool) -> bool:
    """Does the condition of a lexicon act hint (see ``lexicon``) hold for this statement?"""
    if when == "always":
        return True
    if when == "addressee":
        return addressee_to
    if when == "not-question":
        # 'he asked: “Why would anyone ...?”': a question, nobody is asked to act
        return not (kind == "direct" and not addressee_to and content.rstrip(" ”\"’'").endswith("?"))
    if when == "against":
        # "cautioned against buying ...", "cautioned investors against buying" (not "... of a war
        # against Iran")
        return (
            re.match(
                r"(?:against\b|(?!of\b|about\b|that\b)[\w'’-]+(?:\s[\w'’-]+){0,3}\s+against\s+\w+ing\b)",
                content,
            )
            is not None
        )
    if when == "will":
        return re.search(r"\b(?:will|would|shall)\b", content[:120]) is not None
    if when == "to":
        return content.startswith("to ")
    if when == "must":
        return re.search(r"\b(?:must|should)\b", content) is not None
    if when == "negated":
        return _NEGATION.search(content[:40]) is not None and " and " not in content[:40]
    raise ValueError(f"unknown act condition {when!r}")


def _base(word: str) -> str:
    """working -> work, helps -> help: enough for the commitment verbs above."""
    for suffix in ("ing", "s"):
        if word.endswith(suffix) and word[: -len(suffix)] in _GIVING:
            return word[: -len(suffix)]
    return word


_SIGNALS = {
    "ready": _READY,
    "offer_words": _OFFER_WORDS,
    "commit_passive": _COMMIT_PASSIVE,
    "wrongdoing": _WRONGDOING,
    "demand_words": _DEMAND_WORDS,
    "denial_words": _DENIAL_WORDS,
    "accuse_words": _ACCUSE_WORDS,
}


def signals(content: str) -> list[str]:
    """The content patterns above that fire, by name (``_neg`` when a negation comes before): the
    act model's view of the rules, beside their verdict."""
    head = content[:300]
    out = []
    for name, rx in _SIGNALS.items():
        m = rx.search(head)
        if m:
            out.append(name + ("_neg" if _NOT_BEFORE.search(head[: m.start()][-40:]) else ""))
    for m in _COMMIT.finditer(head[:160]):
        if _base(m.group("verb")) in _GIVING:
            out.append("commit" + ("_neg" if _NOT_BEFORE.search(head[: m.start()][-30:]) else ""))
            break
    return out
