"""Hostile article text (mass mentions, markup, links, terminal codes) renders inert in every format."""

from __future__ import annotations

import json

import pytest
from render_builders import hostile_extraction
from render_checks import FORMATS, check_discord, check_safe, check_slack

from briefings.deliver.platforms import render, render_digest
from briefings.present.compose import compose, digest_of


@pytest.fixture(scope="module")
def hostile():
    return compose(hostile_extraction(), max_chars=1000)


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_briefing_is_inert(hostile, fmt):
    out = render(hostile, fmt)
    check_safe(out, fmt)
    if fmt == "slack":
        check_slack(out)
    elif fmt == "discord":
        check_discord(out)
    flat = " ".join((out if isinstance(out, str) else json.dumps(out, ensure_ascii=False)).split())
    # Still readable: the words are there, only their power is gone.
    assert "We will fight" in flat and "until the end" in flat


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_digest_is_inert(hostile, fmt):
    d = digest_of(
        [(hostile, "https://news.example/<!channel>"), (hostile, None)], title="@everyone <!here>", cap=1
    )
    for m in render_digest(d, fmt):
        check_safe(m, fmt)


def test_slack_markup_cannot_form(hostile):
    payload = render(hostile, "slack")
    out = json.dumps(payload, ensure_ascii=False)
    mrkdwn = json.dumps([b for b in payload["blocks"] if b["type"] != "header"], ensure_ascii=False)
    assert "*bold*" not in mrkdwn and "`code`" not in mrkdwn and "~strike~" not in mrkdwn
    assert "*bold*" not in payload["text"] and "`code`" not in payload["text"]
    assert "&lt;!channel&gt;" in out  # shown, escaped
    assert "http://evil.example/<" not in out  # the article's unsafe URL is never linked


def test_discord_markup_cannot_form(hostile):
    out = render(hostile, "discord")
    flat = json.dumps(out, ensure_ascii=False)
    assert "**b**" not in flat and "||spoiler||" not in flat
    assert "url" not in out["embeds"][0]  # the article's URL had markup in it: not linked


def test_terminal_codes_are_stripped(hostile):
    out = render(hostile, "text")
    assert "\x1b" not in out and "red" in out


def test_the_checks_themselves_catch_violations():
    with pytest.raises(AssertionError):
        check_slack(
            {"text": "x", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "a" * 3001}}]}
        )
    with pytest.raises(AssertionError):
        check_slack({"text": "x", "blocks": [{"type": "divider"}] * 51})
    with pytest.raises(AssertionError):
        check_slack({"text": "", "blocks": [{"type": "divider"}]})
    too_big = {"title": "t", "description": "d" * 4000, "fields": [{"name": "n", "value": "v" * 1000}] * 3}
    with pytest.raises(AssertionError):
        check_discord({"content": "", "embeds": [too_big], "allowed_mentions": {"parse": []}})
    with pytest.raises(AssertionError):
        check_discord({"content": "hi", "embeds": [], "allowed_mentions": {"parse": ["everyone"]}})
    for bad, fmt in [
        ("<!channel>", "slack"),
        ("hi @here", "slack"),
        ("<@U1>", "slack"),
        ("@everyone", "discord"),
        ("<@123>", "discord"),
        ("[x](http://evil.example)", "discord"),
        ("@here", "text"),
    ]:
        with pytest.raises(AssertionError):
            check_safe({"t": bad}, fmt)
