"""An adversarial huge article (hundreds of statements, 5000-char quotes, 400-char names, many speakers)
and huge digests stay within every Slack and Discord limit, single briefings and continuations alike."""

from __future__ import annotations

import json

import pytest
from render_builders import adversarial_extraction
from render_checks import check_discord, check_safe, check_slack

from briefings.deliver.platforms import render, render_digest
from briefings.models import Briefing, Bullet, Speaker
from briefings.present.compose import compose, digest_of


@pytest.fixture(scope="module")
def huge():
    return adversarial_extraction(n_statements=400, quote_chars=5000, name_chars=400)


@pytest.mark.parametrize("max_bullets, max_chars", [(10, 200), (25, 1000)])
def test_huge_article_briefing_is_short(huge, max_bullets, max_chars):
    b = compose(huge, max_bullets=max_bullets, max_chars=max_chars)
    assert len(b.bullets) == max_bullets
    assert all(len(x.text) <= max_chars for x in b.bullets)
    assert b.total_statements == 400 and b.omitted == 400 - max_bullets


@pytest.mark.parametrize("max_bullets, max_chars", [(10, 200), (25, 1000)])
def test_huge_article_slack_within_limits(huge, max_bullets, max_chars):
    out = render(compose(huge, max_bullets=max_bullets, max_chars=max_chars), "slack")
    check_slack(out)
    check_safe(out, "slack")


@pytest.mark.parametrize("max_bullets, max_chars", [(10, 200), (25, 1000)])
def test_huge_article_discord_within_limits(huge, max_bullets, max_chars):
    out = render(compose(huge, max_bullets=max_bullets, max_chars=max_chars), "discord")
    check_discord(out)
    check_safe(out, "discord")
    embed = out["embeds"][0]
    # What had to be dropped to stay under 6,000 characters is said, not hidden.
    shown = len(embed["fields"])
    assert f"{shown} of 400 statements shown" in embed["footer"]["text"]


def _monster_briefing(i: int, n_bullets: int = 25) -> Briefing:
    """A briefing built directly, past what compose allows: the renderer must still hold the limits."""
    name = "N" * 400
    bullets = [
        Bullet(
            speaker=name,
            act="offer",
            kind="direct",
            text=("q & <b> " * 700)[:5000],
            cue="said " * 20,
            start=0,
            end=1,
            speaker_role="R" * 400,
        )
        for _ in range(n_bullets)
    ]
    speakers = [Speaker(name=f"{name}{k}", role="R" * 400, statements=3) for k in range(60)]
    return Briefing(
        headline=f"{i} " + "H & <x> " * 200,
        source="s" * 500,
        url=f"https://news.example/{i}",
        dateline="D" * 400,
        date="2026-11-27",
        site_name="S" * 400,
        speakers=speakers,
        bullets=bullets,
        total_statements=500,
        omitted=475,
        counts={"offer": 500},
    )


@pytest.mark.parametrize("fmt, check", [("slack", check_slack), ("discord", check_discord)])
def test_monster_briefing_within_limits(fmt, check):
    out = render(_monster_briefing(1), fmt)
    check(out)
    check_safe(out, fmt)


@pytest.mark.parametrize("fmt, check", [("slack", check_slack), ("discord", check_discord)])
@pytest.mark.parametrize("cap, n", [(5, 40), (20, 300)])
def test_huge_digest_splits_into_continuations_within_limits(fmt, check, cap, n):
    pairs = [(_monster_briefing(i), f"https://news.example/{i}") for i in range(n)]
    d = digest_of(pairs, title="Morning briefing " + "T" * 400, cap=cap)
    messages = render_digest(d, fmt)
    for m in messages:
        check(m)
        check_safe(m, fmt)
    flat = json.dumps(messages)
    # Nothing lost: every article's link is in some message.
    for i in range(n):
        assert f"https://news.example/{i}" in flat, i
    if n > 100:
        assert len(messages) > 1
    if fmt == "slack" and len(messages) > 1:
        assert messages[1]["blocks"][0]["text"]["text"].endswith(f"(2/{len(messages)})")
    if fmt == "discord" and len(messages) > 1:
        assert messages[1]["content"].endswith(f"(2/{len(messages)})")


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_huge_digest_text_formats_are_one_message(fmt):
    pairs = [(_monster_briefing(i), f"https://news.example/{i}") for i in range(30)]
    (out,) = render_digest(digest_of(pairs, title="Digest", cap=5), fmt)
    assert "https://news.example/29" in out
    check_safe(out, fmt)
