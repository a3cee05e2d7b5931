"""clip/fit/pack keep text within limits without cutting escapes; the escapers neutralise hostile text."""

from __future__ import annotations

import re

import pytest

from briefings.present import limits as L
from briefings.present.escape import (
    clean_text,
    discord_escape,
    md_escape,
    safe_url,
    slack_escape,
    slack_plain,
)

SENTENCE = (
    "Tehran was ready to discuss the allegations, in a joint session with Ukrainian officials, next week"
)


@pytest.mark.parametrize("limit", [1, 2, 5, 10, 37, 50, 80, len(SENTENCE) - 1])
def test_clip_is_a_prefix_plus_ellipsis_within_the_limit(limit):
    out = L.clip(SENTENCE, limit)
    assert len(out) <= limit
    assert out.endswith("…")
    assert SENTENCE.startswith(out[:-1])


def test_clip_leaves_fitting_text_alone_and_prefers_clauses():
    assert L.clip(SENTENCE, len(SENTENCE)) == SENTENCE
    assert (
        L.clip(SENTENCE, 90, clauses=True)
        == "Tehran was ready to discuss the allegations, in a joint session with Ukrainian officials…"
    )
    assert L.clip(SENTENCE, 40) == "Tehran was ready to discuss the…"
    assert L.clip("x" * 5000, 100) == "x" * 99 + "…"  # one endless word is cut inside the word


@pytest.mark.parametrize(
    "escape, text",
    [
        (slack_escape, "a & b < c > d " * 50),
        (discord_escape, "**b** __u__ ||s|| \\ " * 50),
        (md_escape, "<b>&</b> [x] " * 50),
    ],
)
@pytest.mark.parametrize("limit", [20, 101, 333])
def test_fit_measures_the_escaped_text_and_never_splits_an_escape(escape, text, limit):
    out = L.fit(text, limit, escape)
    assert 0 < len(out) <= limit
    assert out.endswith("…")
    body = out[:-1]
    assert not body.endswith("\\") or body.endswith("\\\\")
    if escape is slack_escape:
        last = body.rfind("&")
        assert last < 0 or ";" in body[last:], body[-10:]


def test_pack_fills_chunks_up_to_the_limit_in_order():
    pieces = [f"line {i} " + "x" * 50 for i in range(100)]
    chunks = L.pack(pieces, 500)
    assert all(len(c) <= 500 for c in chunks)
    assert "\n".join(chunks).split("\n") == pieces
    assert L.pack(["y" * 900], 500)[0].endswith("…")


def test_slack_escape_neutralises_mentions_links_and_formatting():
    s = slack_escape(
        "<!channel> <!here|here> <@U123> <#C1> <http://evil|x> @here @everyone & *b* _i_ ~s~ `c`"
    )
    assert "<" not in s and ">" not in s
    assert "&lt;!channel&gt;" in s and "&amp;" in s
    assert "@here" not in s and "@everyone" not in s
    assert not any(ch in s for ch in "*~`")
    assert "snake_case" in slack_escape("snake_case")  # inner underscores are not formatting
    assert slack_plain("<!channel> @here").startswith("<\u200b!channel>")


def test_discord_escape_neutralises_mentions_markdown_and_masked_links():
    s = discord_escape("@everyone @here <@123> <@&5> <#7> **b** __u__ ||s|| [x](http://evil) `c`")
    assert "@everyone" not in s and "@here" not in s
    assert "<@" not in s and "<#" not in s
    assert "\\*\\*b\\*\\*" in s and "\\_\\_u" in s and "\\|\\|s" in s and "\\[x\\](http://evil)" in s
    assert discord_escape("# Heading\n-# sub\n- item").splitlines() == ["\\# Heading", "\\-# sub", "\\- item"]


def test_md_escape_and_clean_text():
    assert md_escape("*a* <b> [c](d) # e") == "\\*a\\* \\<b\\> \\[c\\](d) # e"
    assert md_escape("# h") == "\\# h"
    assert clean_text("red\x1b[31m!\x1b[0m\x07 \u202eevil\r\nok") == "red! evil\nok"


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://news.example/a?b=1", True),
        ("http://x.example", True),
        ("javascript:alert(1)", False),
        ("https://x.example/|<!channel>", False),
        ("https://x.example/a) [y](http://evil", False),
        ("ftp://x.example", False),
        (None, False),
    ],
)
def test_safe_url(url, ok):
    assert (safe_url(url) is not None) is ok


def test_md_escape_neutralises_an_ordered_list_start_without_a_visible_backslash():
    """Issue 11: "10. Downing Street" became "\\10." (a backslash before a digit is not an escape)."""
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py renders the Markdown")
    md = markdown_it.MarkdownIt("commonmark")
    for raw in (
        "10. Downing Street said the talks would resume",
        "3) the third point",
        "1. first\n2. second",
    ):
        escaped = md_escape(raw)
        assert not re.search(r"\\\d", escaped), escaped
        html = md.render(escaped)
        assert "<ol" not in html and "<li>" not in html, html
        assert "\\" not in html, html
        shown = re.sub(r"<[^>]+>", "", html).strip()
        assert shown == raw, shown
    # As the headline of a Markdown briefing ("## " + the escaped headline): still a heading, no artefact.
    html = md.render("## " + md_escape("10. Downing Street rejects the offer"))
    assert html.strip() == "<h2>10. Downing Street rejects the offer</h2>"
