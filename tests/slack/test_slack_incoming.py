"""Slack-formatted input -> what the user meant (links, mentions, entities)."""

from __future__ import annotations

import pytest

from bots.slack_app.incoming import links_in, to_plain


@pytest.mark.parametrize(
    ("slack_text", "plain"),
    [
        ("<https://example.org/a?b=1&amp;c=2|example.org/a>", "https://example.org/a?b=1&c=2"),
        ("<http://example.org/x>", "http://example.org/x"),
        (
            "subscribe <https://feeds.example/rss.xml|feeds.example/rss.xml> daily 07:30",
            "subscribe https://feeds.example/rss.xml daily 07:30",
        ),
        ("hi <@U012AB|jane> and <@U034CD>", "hi @jane and @U034CD"),
        ("see <#C0123|general>", "see #general"),
        ("<!channel> <!here> <!everyone> <!here|here>", "@channel @here @everyone here"),
        ("<!subteam^S0123|@editors> please", "@editors please"),
        ("<mailto:a@b.example|write to us>", "write to us"),
        ("a &lt;b&gt; &amp; c", "a <b> & c"),
        ("&amp;lt;", "&lt;"),  # a typed "&lt;" stays as typed
        ("", ""),
    ],
)
def test_to_plain(slack_text, plain):
    assert to_plain(slack_text) == plain


def test_links_in_keeps_http_links_in_order_without_duplicates():
    text = "<https://a.example/1|one> <mailto:x@y.example> <https://b.example/2> <https://a.example/1> <@U1>"
    assert links_in(text) == ["https://a.example/1", "https://b.example/2"]


def test_a_typed_angle_bracket_is_not_a_link():
    assert links_in("&lt;https://evil.example&gt;") == []
