"""compose(): what a briefing keeps, in which order, and how it trims (on hand-made Extractions)."""

from __future__ import annotations

import re

import pytest
from render_builders import ALLIES, AMIR, KULEBA, article, seed_extraction, statement

from briefings.models import Article, Briefing, Entity, Extraction
from briefings.present.compose import compose, digest_of

ORDER = ("offer", "demand", "denial", "accusation", "statement")


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def test_seed_briefing_puts_offers_demands_denials_accusations_first():
    b = compose(seed_extraction())
    acts = [x.act for x in b.bullets]
    assert acts == sorted(acts, key=ORDER.index)
    assert acts[:7] == ["offer"] * 3 + ["demand"] * 2 + ["denial"] * 2
    assert acts[7] == "accusation"
    offers = [x for x in b.bullets if x.act == "offer"]
    assert {x.speaker for x in offers} == {AMIR}
    assert [x.text for x in offers][2] == "Iran is ready to help the two sides reach a ceasefire"
    assert {x.speaker for x in b.bullets if x.act == "demand"} == {KULEBA}
    assert [x.speaker for x in b.bullets if x.act == "accusation"] == [ALLIES]
    assert "Iran" in {x.speaker for x in b.bullets if x.act == "denial"}


def test_seed_briefing_metadata_speakers_and_counts():
    ex = seed_extraction()
    b = compose(ex)
    assert b.headline == "FM: Iran Ready to Help End Ukraine War"
    assert b.dateline == "TEHRAN" and b.place == "TEHRAN"
    assert b.source == "seeds/iran-ready-to-help-end-ukraine-war.txt"
    assert [s.name for s in b.speakers][:2] == [AMIR, KULEBA]
    amir = b.speakers[0]
    assert amir.role == "Iranian Foreign Minister" and amir.statements == 7
    assert b.total_statements == 14
    assert len(b.bullets) == 10
    assert b.omitted == 4
    assert b.counts == {"offer": 3, "demand": 2, "denial": 2, "accusation": 1, "statement": 6}
    assert sum(b.counts.values()) == b.total_statements
    for x in b.bullets:
        assert x.speaker_role == {s.name: s.role for s in b.speakers}[x.speaker]


def test_every_bullet_is_a_prefix_of_its_statement_and_keeps_its_span():
    ex = seed_extraction()
    text = ex.article.text
    b = compose(ex, max_bullets=25, max_chars=80)
    assert len(b.bullets) == 14
    for x in b.bullets:
        source = _norm(text[x.start : x.end])
        assert len(x.text) <= 80
        if x.trimmed:
            assert x.text.endswith("…")
            assert source.startswith(x.text[:-1]), (x.text, source)
            # Cut at a word boundary: the shown text never ends inside a word of the source.
            shown = x.text[:-1]
            assert len(shown) == len(source) or not source[len(shown)].isalnum() or not shown[-1].isalnum()
        else:
            assert source.rstrip(",") == x.text


@pytest.mark.parametrize("max_bullets", [1, 3, 5, 10])
def test_max_bullets_is_respected_and_priority_acts_win(max_bullets):
    b = compose(seed_extraction(), max_bullets=max_bullets)
    assert len(b.bullets) == max_bullets
    assert b.omitted == 14 - max_bullets
    # 8 statements are offers/demands/denials/accusations: they fill the first slots.
    assert all(x.act != "statement" for x in b.bullets[: min(max_bullets, 8)])


def test_long_quote_is_cut_at_a_clause_boundary():
    b = compose(seed_extraction(), max_chars=200)
    long = next(x for x in b.bullets if x.text.startswith("We have good relations"))
    assert long.trimmed
    assert long.text == (
        "We have good relations with Russia and have had defense cooperation in the past, but our policy "
        "toward the war in Ukraine is to respect the territorial integrity of the countries…"
    )


def test_near_duplicates_and_trivial_statements_are_skipped():
    text = "Headline here\nShe said the talks will resume in Geneva next week. She repeated that the talks will resume in Geneva next week. Yes, she said. She said it was a deal on grain exports from the port.\n"
    ents = [Entity("a", "Ann Lee", "person", "envoy")]
    sts = [
        statement(text, "the talks will resume in Geneva next week", "Ann Lee", "statement", speaker_id="a"),
        statement(
            text, "that the talks will resume in Geneva next week", "Ann Lee", "statement", speaker_id="a"
        ),
        statement(text, "Yes", "Ann Lee", "statement", kind="direct", speaker_id="a"),
        statement(
            text, "it was a deal on grain exports from the port", "Ann Lee", "statement", speaker_id="a"
        ),
    ]
    b = compose(Extraction(article(text), ents, sts))
    shown = [x.text for x in b.bullets]
    assert shown == [
        "the talks will resume in Geneva next week",
        "it was a deal on grain exports from the port",
    ]
    assert b.omitted == 2 and b.total_statements == 4


def test_unresolved_speaker_is_shown_as_unnamed_and_not_listed():
    text = "Headline\nOfficials said that the border crossing at Rafah would reopen on Monday morning.\n"
    st = statement(text, "the border crossing at Rafah would reopen on Monday morning", "", "statement")
    b = compose(Extraction(article(text), [], [st]))
    assert b.bullets[0].speaker == "Unnamed source"
    assert b.speakers == []


def test_no_statements_gives_an_empty_but_valid_briefing():
    text = "Markets rally\nShares rose on Friday.\n"
    b = compose(Extraction(article(text, published="2026-11-27"), [], []))
    assert b.bullets == [] and b.total_statements == 0 and b.omitted == 0 and b.counts == {}
    assert b.headline == "Markets rally" and b.date == "2026-11-27"


def test_headline_falls_back_to_first_line_of_body_then_source():
    text = "Shares rose on Friday after the central bank said rates would stay on hold for a third month."
    b = compose(Extraction(Article(text=text, source="x.txt"), [], []))
    assert b.headline == text
    b2 = compose(Extraction(Article(text="   ", source="dir/x.txt"), [], []))
    assert b2.headline == "x.txt"


def _briefing(headline: str, offers: int = 0, demands: int = 0, total: int = 0) -> Briefing:
    counts = {k: v for k, v in (("offer", offers), ("demand", demands)) if v}
    return Briefing(
        headline=headline,
        source=headline,
        url=f"https://news.example/{headline}",
        counts=counts,
        total_statements=total,
    )


def test_digest_ranks_offers_and_demands_then_statement_count_then_recency():
    newest_first = [
        (_briefing("plain-new", total=3), None),
        (_briefing("chatty", total=12), None),
        (_briefing("offer", offers=1, total=2), "https://feed.example/offer"),
        (_briefing("plain-old", total=3), None),
        (_briefing("demands", demands=2, total=4), None),
    ]
    d = digest_of(newest_first, title="Morning briefing", cap=3, generated_at="2026-11-27T07:30:00+01:00")
    assert [i.headline for i in d.items] == ["demands", "offer", "chatty"]
    assert [i.headline for i in d.more] == ["plain-new", "plain-old"]
    assert d.items[1].url == "https://feed.example/offer"  # the feed's link wins over the article's
    assert d.items[0].briefing is newest_first[4][0]
    assert all(i.briefing is None and i.url for i in d.more)
    assert d.title == "Morning briefing" and d.generated_at == "2026-11-27T07:30:00+01:00"


def test_digest_cap_zero_and_empty():
    d = digest_of([(_briefing("a"), None)], title="t", cap=0)
    assert d.items == [] and [i.headline for i in d.more] == ["a"]
    assert digest_of([], title="t").items == []


@pytest.mark.parametrize(
    "role, aliases, shown",
    [
        ("Ukraine's Foreign Minister", [], "Ukraine's Foreign Minister"),
        ("the Iranian foreign minister", [], "Iranian foreign minister"),
        (
            "his Iranian counterpart",
            ["Amir-Abdollahian", "Iranian Foreign Minister Ann Lee"],
            "Iranian Foreign Minister",
        ),
        ("their spokeswoman", ["Lee"], None),
        (None, ["a senior envoy Ann Lee"], "senior envoy"),
        (None, [], None),
        ("Ann", [], None),  # a piece of the name is not a role
    ],
)
def test_role_shown_beside_the_name(role, aliases, shown):
    text = "Headline\nAnn Lee said the talks in Geneva would resume next week after the holiday.\n"
    st = statement(
        text,
        "the talks in Geneva would resume next week after the holiday",
        "Ann Lee",
        "statement",
        speaker_id="a",
    )
    b = compose(Extraction(article(text), [Entity("a", "Ann Lee", "person", role, aliases)], [st]))
    assert b.speakers[0].role == shown
    assert b.bullets[0].speaker_role == shown


def test_a_second_voice_beats_another_quote_of_equal_weight():
    text = (
        "Headline\n"
        "Ann Lee said grain exports through the southern ports would double quickly before winter arrives there. "
        "Ann Lee said fertiliser shipments through the northern ports would triple quickly before spring arrives there. "
        "Bo Chan said insurance premiums for cargo vessels crossing contested waters fell sharply this month.\n"
    )
    ents = [Entity("a", "Ann Lee", "person"), Entity("b", "Bo Chan", "person")]
    sts = [
        statement(
            text,
            "grain exports through the southern ports would double quickly before winter arrives there",
            "Ann Lee",
            "statement",
            speaker_id="a",
        ),
        statement(
            text,
            "fertiliser shipments through the northern ports would triple quickly before spring arrives there",
            "Ann Lee",
            "statement",
            speaker_id="a",
        ),
        statement(
            text,
            "insurance premiums for cargo vessels crossing contested waters fell sharply this month",
            "Bo Chan",
            "statement",
            speaker_id="b",
        ),
    ]
    b = compose(Extraction(article(text), ents, sts), max_bullets=2)
    assert [x.speaker for x in b.bullets] == ["Ann Lee", "Bo Chan"]


def test_an_act_outside_the_contract_is_shown_as_a_statement():
    text = "Headline\nThe envoy said the talks in Geneva would resume next week after the holiday.\n"
    st = statement(text, "the talks in Geneva would resume next week after the holiday", "Ann Lee", "musing")
    b = compose(Extraction(article(text), [], [st]))
    assert b.bullets[0].act == "statement" and b.counts == {"statement": 1}
