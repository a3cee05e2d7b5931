"""The adapter's small pure parts: links in a message, the footer ref, the API base setting."""

from __future__ import annotations

import pytest
from discord_checks import embed_chars

from bots.discord_bot.brief_commands import links_in
from bots.discord_bot.deliver import nonce_of, ref_of, with_ref
from bots.discord_bot.rest import DISCORD_API_BASE, api_base_of
from briefings.errors import ConfigError
from briefings.settings import Settings


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("see https://a.example/x.", ["https://a.example/x"]),
        (
            "<https://a.example/x> and (http://b.example/y?q=1)",
            ["https://a.example/x", "http://b.example/y?q=1"],
        ),
        ("twice https://a.example/x https://a.example/x", ["https://a.example/x"]),
        ("no link, just ftp://c.example and words", []),
        ("[masked](https://d.example/z)", ["https://d.example/z"]),
    ],
)
def test_links_in(text, links):
    assert links_in(text) == links


def test_ref_is_added_to_the_footer_when_it_fits():
    payload = {
        "content": "",
        "embeds": [{"title": "t", "footer": {"text": "briefbot"}}],
        "allowed_mentions": {"parse": []},
    }
    marked = with_ref(payload, "outbox-1")
    assert marked["embeds"][0]["footer"]["text"] == f"briefbot · {ref_of('outbox-1')}"
    assert payload["embeds"][0]["footer"]["text"] == "briefbot"  # the caller's payload is untouched


def test_ref_never_pushes_a_message_over_6000_characters():
    full = {
        "embeds": [
            {"title": "t" * 256, "description": "d" * 4096, "fields": [{"name": "n", "value": "v" * 1024}]}
        ]
    }
    full["embeds"][0]["footer"] = {"text": "f" * (6000 - embed_chars(full["embeds"][0]))}
    assert embed_chars(full["embeds"][0]) == 6000
    assert with_ref(full, "outbox-1") is full


def test_nonce_fits_discord_and_is_stable():
    assert len(nonce_of("x" * 500)) == 25 and nonce_of("k") == nonce_of("k") != nonce_of("k2")


@pytest.mark.parametrize(
    ("value", "base"),
    [
        (None, DISCORD_API_BASE),
        ("http://127.0.0.1:8080/api/v10", "http://127.0.0.1:8080/api/v10"),
        ("http://proxy:3000/api/", "http://proxy:3000/api/v10"),
        ("https://proxy.internal/api/v9", "https://proxy.internal/api/v9"),
    ],
)
def test_api_base(value, base):
    assert api_base_of(Settings(env={"BRIEFBOT_DISCORD_API_BASE": value})) == base


def test_api_base_must_be_http():
    with pytest.raises(ConfigError, match="BRIEFBOT_DISCORD_API_BASE"):
        api_base_of(Settings(env={"BRIEFBOT_DISCORD_API_BASE": "discord.com/api"}))
