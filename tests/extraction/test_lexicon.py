"""The lexicon as data: every entry can fire.

For every cue verb of ``briefings.extract.lexicon``, each inflected form the morph component maps
gets the verb's lemma, and a sentence built for the verb's frame yields a statement with that cue.
A verb that is listed but can never be a cue (as ``implore`` or ``rebut`` once were: in the act sets,
but not among the speech verbs, so the lemma table never produced them) fails here.
"""

from __future__ import annotations

import pytest

from briefings.extract import lexicon
from briefings.extract.morph import inflections, lemma_of

# Past tenses the regular rules do not give (the morph table maps the irregular ones itself).
PAST = {
    "say": "said",
    "tell": "told",
    "write": "wrote",
    "find": "found",
    "read": "read",
    "forecast": "forecast",
    "beg": "begged",
    "commit": "committed",
    "rebut": "rebutted",
    "refer": "referred",
    "think": "thought",
    "feel": "felt",
}
THAT = "that the council would close the library on Monday"

# A sentence per verb whose frame the default ("Anna Berg <past> that ...") does not fit.
SENTENCES = {
    "tell": "Anna Berg told reporters that the council would close the library on Monday.",
    "inform": "Anna Berg informed reporters that the council would close the library on Monday.",
    "remind": "Anna Berg reminded reporters that the council would close the library on Monday.",
    "assure": "Anna Berg assured residents that the council would reopen the library on Monday.",
    "reassure": "Anna Berg reassured residents that the council would reopen the library on Monday.",
    "press": "Anna Berg pressed the council to reopen the library.",
    "implore": "Anna Berg implored the council to reopen the library.",
    "beg": "Anna Berg begged the council to reopen the library.",
    "instruct": "Anna Berg instructed the council to reopen the library.",
    "invite": "Anna Berg invited the council to reopen the library.",
    "plead": "Anna Berg pleaded with the council to reopen the library.",
    "order": "Anna Berg ordered the council to reopen the library.",
    "urge": "Anna Berg urged the council to reopen the library.",
    "encourage": "Anna Berg encouraged the council to reopen the library.",
    "call": "Anna Berg called for the library to be reopened.",
    "appeal": "Anna Berg appealed to the council to reopen the library.",
    "commit": "Anna Berg committed herself to reopening the library.",
    "volunteer": "Anna Berg volunteered to reopen the library.",
    "rebut": "Anna Berg rebutted the claims that she had closed the library.",
    "accuse": "Anna Berg accused the council of closing the library.",
    "blame": "Anna Berg blamed the council for the closure of the library.",
    "charge": "Anna Berg charged that the council had closed the library illegally.",
    "threaten": "Anna Berg threatened to close the library.",
    "offer": "Anna Berg offered to reopen the library.",
    "continue": "The library would close on Monday, Anna Berg continued.",
    "post": "Anna Berg posted that the council would close the library on Monday.",
    # the topic verbs: only a quoted object makes them speech
    "thank": "Anna Berg thanked the council for its “brave decision” on the library.",
    "praise": "Anna Berg praised the council's “brave decision” on the library.",
    "welcome": "Anna Berg welcomed the council's “brave decision” on the library.",
    "condemn": "Anna Berg condemned the council's “cowardly decision” on the library.",
    "criticise": "Anna Berg criticised the council's “cowardly decision” on the library.",
    "criticize": "Anna Berg criticized the council's “cowardly decision” on the library.",
    "slam": "Anna Berg slammed the council's “cowardly decision” on the library.",
    "talk": "Anna Berg talked about the council's “brave decision” on the library.",
    "express": "Anna Berg expressed her view that the decision was “brave”.",
    "pay": "Anna Berg paid tribute to the volunteers, “the bravest people I know”.",
    "hail": "Anna Berg hailed the council's “brave decision” on the library.",
    "term": "Anna Berg termed the decision “a disgrace”.",
    "dub": "Anna Berg dubbed the decision “a disgrace”.",
    "label": "Anna Berg labelled the decision “a disgrace”.",
    "brand": "Anna Berg branded the decision “a disgrace”.",
    "describe": "Anna Berg described the ruling as historic.",
    "refer": "Anna Berg referred to the ruling as “historic”.",
    "characterise": "Anna Berg characterised the ruling as historic.",
    "characterize": "Anna Berg characterized the ruling as historic.",
    "portray": "Anna Berg portrayed the ruling as historic.",
    "depict": "Anna Berg depicted the ruling as historic.",
    "rate": "Anna Berg rated the ruling as historic.",
    "list": "Anna Berg listed the ruling as a highlight of the year.",
}
DOCUMENT = "The report {past} that the council would close the library on Monday."
# The lemma the statement carries when it is not the verb's own.
CUE_LEMMA = {"term": "term", "dub": "dub"}
# Known misses of the small parser on the generated sentence: (reason).
MISSES: dict[str, str] = {}

CUE_VERBS = sorted(v.lemma for v in lexicon.VERBS if v.speech or v.frames & {"topic-only", "as-judgement"})


def past_of(lemma: str) -> str:
    if lemma in PAST:
        return PAST[lemma]
    if lemma.endswith("e"):
        return lemma + "d"
    if lemma.endswith("y") and lemma[-2] not in "aeiou":
        return lemma[:-1] + "ied"
    return lemma + "ed"


def sentence(lemma: str) -> str:
    if lemma in SENTENCES:
        return SENTENCES[lemma]
    if lemma in lexicon.DOCUMENT_ONLY:
        return DOCUMENT.format(past=past_of(lemma))
    return f"Anna Berg {past_of(lemma)} {THAT}."


@pytest.mark.parametrize("lemma", sorted(v.lemma for v in lexicon.VERBS))
def test_every_inflected_form_gets_the_lemma(lemma) -> None:
    for form in inflections(lemma):
        assert lemma_of(form, "VBD") == lemma, f"{form!r} -> {lemma_of(form, 'VBD')!r}, not {lemma!r}"


def test_every_entry_is_well_formed() -> None:
    for v in lexicon.VERBS:
        assert v.frames and v.frames <= lexicon.FRAMES, v
        for act, when in v.acts:
            assert act in ("offer", "demand", "denial", "accusation") and when in lexicon.CONDITIONS, v
        assert not (v.speech and "thought" in v.frames), f"{v.lemma}: a thought is never a cue"
    assert all(v.preps for v in lexicon.VERBS if "accuse-X-of" in v.frames)


@pytest.mark.parametrize(
    "lemma",
    [
        pytest.param(m, marks=pytest.mark.xfail(reason=MISSES[m], strict=True)) if m in MISSES else m
        for m in CUE_VERBS
    ],
)
def test_every_cue_verb_can_fire(run, lemma) -> None:
    body = sentence(lemma)
    ex = run(body)
    want = CUE_LEMMA.get(lemma, lemma)
    assert any(s.cue_lemma == want for s in ex.statements), (
        f"{body!r}: {[(s.cue_lemma, s.cue, s.content) for s in ex.statements]}"
    )


def test_thoughts_are_never_cues(run) -> None:
    for lemma in sorted(lexicon.THOUGHT_VERBS):
        assert run(f"Anna Berg {past_of(lemma)} {THAT}.").statements == [], lemma


def test_quoted_as_saying_gives_the_quoted_source(run) -> None:
    (s,) = run("The agency quoted Anna Berg as saying that the talks had failed.").statements
    assert (s.speaker, s.content) == ("Anna Berg", "the talks had failed")


# The cues the issue named as missing, and demand frames without a demand verb: (body, cue lemma, act).
NAMED = [
    ("“We will fight on,” Anna Berg shouted.", "shout", "statement"),
    ("Anna Berg blurted out that the council had lied.", "blurt", "statement"),
    ("The inquiry concluded that the council had acted within the law.", "conclude", "statement"),
    ("The panel recommends that every school should have a nurse.", "recommend", "demand"),
    ("Anna Berg calls for the law to be repealed.", "call", "demand"),
    ("Anna Berg pleaded with the president to intervene.", "plead", "demand"),
    ("Anna Berg advised the board to resign.", "advise", "demand"),
    ("Anna Berg implored the council to reopen the library.", "implore", "demand"),
    ("Anna Berg encouraged the council to reopen the library.", "encourage", "demand"),
    ("Anna Berg advised that every member should vote.", "advise", "demand"),
]


@pytest.mark.parametrize(("body", "lemma", "act"), NAMED)
def test_named_cues_and_demand_frames(run, body, lemma, act) -> None:
    (s,) = run(body).statements
    assert (s.cue_lemma, s.rule_act) == (lemma, act)


def test_a_second_quote_after_adding_is_the_speakers(run) -> None:
    ex = run("“The talks failed,” Anna Berg said, adding, “We will try again next week.”")
    assert [(s.speaker, s.kind, s.cue_lemma) for s in ex.statements] == [
        ("Anna Berg", "direct", "say"),
        ("Anna Berg", "direct", "add"),
    ]


def test_a_plan_to_speak_is_no_statement(run) -> None:
    assert run("Anna Berg plans to announce that the library will close.").statements == []
