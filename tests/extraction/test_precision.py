"""Precision rules for unseen news, as tables: sentences that must give no statement (or no demand),
each beside a near twin that still must. Failing rows are xfail with the reason, never deleted.
"""

from __future__ import annotations

import pytest

from briefings.extract.acts import classify

# (body) -> no statement at all
NO_STATEMENT = [
    # a ditransitive "deny" withholds something: an action, not a denial
    "Intel denied AMD access to the consortium.",
    "The border guards denied him entry.",
    "The embassy denied them a visa.",
    "The court denied the journalist bail.",
    # feelings expressed without a that-clause are no statements, quoted words or not
    "Obama, in an interview during the campaign, expressed optimism of a “grand bargain” with the Republicans.",
    "The minister expressed hope for a quick end to the talks.",
    "Merkel expressed concern about the rising debt.",
    # topic-only verbs with a plain noun phrase object
    "The president outlined his priorities for the second term.",
    "The minister offered his explanation for the delay.",
    "Jones acknowledged the challenges facing the company.",
    # a question put to someone is no demand of the asker
    "Reporters asked Smith about the deal.",
    "One of the first questions he asked the crew who lifted him out of the capsule was about the election.",
    # what an allegation says is not its subject's statement, even misparsed
    "Officials have to face questions about corruption and allegations he ordered his forces to kill activists.",
    # a quoted title is no speech
    "The band played the song “Born in the USA” before the rally began.",
]


@pytest.mark.parametrize("body", NO_STATEMENT)
def test_no_statement(run, body) -> None:
    assert run(body).statements == []


# (body, speaker, content, act): the twins that keep their statement
STILL_STATEMENTS = [
    ("The government denied the reports.", "The government", "the reports", "denial"),
    ("The ministry denied that it had sent troops.", "The ministry", "it had sent troops", "denial"),
    (
        "Merkel expressed concern that the debt was “out of control”.",
        "Merkel",
        "the debt was “out of control”",
        "statement",
    ),
    (
        "The EU expressed its relief that the economy had “dodged a catastrophe”.",
        "The EU",
        "the economy had “dodged a catastrophe”",
        "statement",
    ),
    (
        "Jones acknowledged that the company faced challenges.",
        "Jones",
        "the company faced challenges",
        "statement",
    ),
    pytest.param(
        "The charity offered food to the refugees.",
        "The charity",
        "food",
        "offer",
        marks=pytest.mark.xfail(
            reason="the act model (v3, 244 articles) reads 'offered' + a bare noun phrase as a plain statement, "
            "as the annotators mostly did ('offered a plea bargain', 'offered free refills'; the guide: a bare "
            "noun phrase is no content); the briefing never shows it (flagged phrase)",
            strict=True,
        ),
    ),
    ("Reporters asked Smith to resign.", "Reporters", "Smith to resign", "demand"),
    (
        "The scandal grew with an accusation the government strongly denies.",
        "the government",
        "an accusation the government strongly denies",
        "denial",
    ),
]


@pytest.mark.parametrize(("body", "speaker", "content", "act"), STILL_STATEMENTS)
def test_twins_keep_their_statement(run, body, speaker, content, act) -> None:
    matches = [s for s in run(body).statements if s.content.startswith(content)]
    assert matches, run(body).statements
    assert matches[0].act == act
    assert speaker.lower() in matches[0].speaker.lower() or matches[0].speaker.lower() in speaker.lower()


def test_a_song_title_is_not_the_speakers_quote(run) -> None:
    ex = run(
        "To the sounds of Stevie Wonder’s “Signed, Sealed, Delivered, I’m Yours,” Obama told the crowd: "
        "“Tonight, more than 200 years after a former colony won the right to determine its own destiny, "
        "the task of perfecting our union moves forward.”"
    )
    assert [s.content[:7] for s in ex.statements] == ["Tonight"]
    assert ex.statements[0].kind == "direct"


def test_a_film_title_after_a_title_noun_is_no_quote(run) -> None:
    ex = run("Smith, who starred in the film “The Long Road Home”, said the shoot was hard.")
    assert [s.content for s in ex.statements] == ["the shoot was hard"]


# demands that the content alone made: (cue lemma, content, kind) -> act
ACTS = [
    ("say", "One of our two demands was that it doesn’t sell", "direct", "statement"),
    (
        "claim",
        "the larger health warnings demanded by MEPs went well beyond what was needed",
        "indirect",
        "statement",
    ),
    ("say", "a ban would increase demand for black-market goods", "indirect", "statement"),
    ("ask", "Why would anyone want to screw up a bike by putting a motor on it?", "direct", "statement"),
    ("ask", "Is there any prospect of our ever being able to reintroduce wolves?”", "direct", "statement"),
    ("say", "tiger skins were in demand in Tibet", "indirect", "statement"),
    (
        "say",
        "the deal ensured that factories would not lose orders because brands committed to them",
        "indirect",
        "statement",
    ),
    (
        "say",
        "In order to have wolves, we don’t need to remove people from the landscape,",
        "direct",
        "statement",
    ),
    ("say", "If he had been a woman I would have asked him to marry me.", "direct", "statement"),
    # the twins: real demands stay demands
    ("say", "the government ordered the army to withdraw", "indirect", "demand"),
    ("say", "I have asked the minister to resign", "direct", "demand"),
    ("say", "they demanded the release of the prisoners", "indirect", "demand"),
    ("ask", "government officials how such documents are stored", "indirect", "demand"),
    ("ask", "Please come home?", "direct", "demand"),
]


@pytest.mark.parametrize(("lemma", "content", "kind", "act"), ACTS)
def test_content_demands(lemma, content, kind, act) -> None:
    assert classify(lemma, content, kind) == act


def test_a_rhetorical_imperative_is_no_demand(run) -> None:
    (s,) = run(
        "“Imagine it like a walking millipede of a city,” says the architect Krister Lindstedt."
    ).statements
    assert s.act == "statement"
    (s,) = run("“Stop the war now,” says the architect Krister Lindstedt.").statements
    assert s.act == "demand"


def test_a_topic_only_speech_verb_still_introduces_the_next_speaker(run) -> None:
    ex = run(
        "“I like the way he speaks,” says Sandra Murray of Dubuque.\n\n"
        "Other supporters offer a simpler explanation. “He’s not afraid of anybody or anything. That’s pretty cool.”"
    )
    by_content = {s.content[:8]: s.speaker for s in ex.statements}
    assert by_content == {"I like t": "Sandra Murray", "He’s not": "Other supporters"}


def test_a_quotation_after_the_addressee_is_no_infinitive_content(run) -> None:
    ex = run("Craig Anderson tells customers: “Ride this once and try not to smile.”")
    assert [s.content for s in ex.statements] == ["Ride this once and try not to smile."]


def test_suffice_to_say_asks_nothing(run) -> None:
    (s,) = run(
        "“Suffice to say there’s been significant interest from many companies,” says Jordan Axani."
    ).statements
    assert s.act == "statement"


def test_the_addressee_of_told_is_no_content(run) -> None:
    # the parser may take the "’s" of "BBC Radio 4’s" for an infinitive complement of "told"
    ex = run(
        "We may as well get used to it, said David Kirkpatrick, author of The Facebook Effect. “It might very "
        "well go away further down the road but something this big takes a long time to disappear,” he told "
        "BBC Radio 4’s Today programme. “Facebook has proven its ability to change and it will continue to be "
        "a very, very major player.”"
    )
    assert [s.act for s in ex.statements] == ["statement"] * 3
    assert not any("Today programme" in s.content for s in ex.statements)


def test_names_titles_and_bare_noun_phrases_are_flagged_and_never_shown() -> None:
    """The guide: a name, title or bare noun phrase is no content (`offered a primer`, said
    "Meet the Press"). The extraction keeps them, flagged `phrase`; the briefing never shows them, never
    counts them, never files them in the statement memory."""
    from briefings.extract import nlp as nlp_loader
    from briefings.extract.extractor import extract
    from briefings.models import Article
    from briefings.present.compose import compose

    text = (
        "Meta chief speaks\n\nMark Zuckerberg offered a primer on the company's plans. "
        'Robert Gates said: "Meet the Press." Anna Berg said the council would publish every '
        "contract next week.\n"
    )
    ex = extract(Article(text=text, title="Meta chief speaks", body_start=17), nlp_loader.load())
    flagged = {s.content.strip(" .") for s in ex.statements if "phrase" in s.cue_flags}
    # (an offer's object runs to the end of its clause: "a primer on the company's plans")
    assert "Meet the Press" in flagged and any(c.startswith("a primer") for c in flagged)
    assert not any("council" in c for c in flagged)
    shown = [b.text for b in compose(ex).bullets]
    assert shown and all("primer" not in t and "Meet the Press" not in t for t in shown)
    assert any("council would publish every contract" in t for t in shown)
    briefing = compose(ex)
    assert briefing.total_statements == len(ex.statements) - len(flagged) == len(briefing.record)
    assert briefing.omitted == briefing.total_statements - len(briefing.bullets)
    assert not any("primer" in r.content or "Meet the Press" in r.content for r in briefing.record)
