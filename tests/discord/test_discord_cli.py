"""``briefbot serve discord`` failing fast, and ``briefbot discord invite``."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import pytest
from discord_checks import check_message, flat
from discord_fake import TOKEN
from discord_payloads import CHANNEL_ID

from bots.cli import main
from bots.discord_bot.invite import needed_permissions


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "DISCORD_TOKEN is not set"),
        ({"DISCORD_TOKEN": "Bot abc.def.ghi"}, "DISCORD_TOKEN must be the bare token"),
        ({"DISCORD_TOKEN": "not-a-token"}, "DISCORD_TOKEN is malformed"),
        (
            {"DISCORD_TOKEN": "abc.def.ghi", "BRIEFBOT_DISCORD_API_BASE": "ftp://x"},
            "BRIEFBOT_DISCORD_API_BASE",
        ),
        ({"DISCORD_TOKEN": "abc.def.ghi", "BRIEFBOT_DISCORD_GUILD": "general"}, "BRIEFBOT_DISCORD_GUILD"),
    ],
)
def test_serve_fails_fast_with_one_line_naming_the_setting(monkeypatch, capsys, env, named):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["serve", "discord"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and named in err, err


def test_invite_url_has_both_scopes_and_exactly_the_needed_permissions(monkeypatch, capsys):
    monkeypatch.setenv("DISCORD_APPLICATION_ID", "1180000000000000001")
    assert main(["discord", "invite"]) == 0
    url = urlsplit(capsys.readouterr().out.strip())
    query = parse_qs(url.query)
    assert (url.scheme, url.netloc, url.path) == ("https", "discord.com", "/oauth2/authorize")
    assert query["client_id"] == ["1180000000000000001"]
    assert query["scope"] == ["bot applications.commands"]
    # View Channel (1 << 10), Send Messages (1 << 11), Embed Links (1 << 14), Read Message History (1 << 16)
    assert query["permissions"] == [str(1 << 10 | 1 << 11 | 1 << 14 | 1 << 16)]
    assert needed_permissions().value == int(query["permissions"][0])


def test_invite_takes_the_id_from_the_token(monkeypatch, capsys):
    monkeypatch.setenv("DISCORD_TOKEN", "MTE4MDAwMDAwMDAwMDAwMDAwMQ.GfAkEt.loopback")
    assert main(["discord", "invite", "--guild", "1160000000000000001"]) == 0
    query = parse_qs(urlsplit(capsys.readouterr().out.strip()).query)
    assert query["client_id"] == ["1180000000000000001"]
    assert query["guild_id"] == ["1160000000000000001"]


def test_invite_without_an_id_names_the_setting(capsys):
    assert main(["discord", "invite"]) == 2
    assert "DISCORD_APPLICATION_ID is not set" in capsys.readouterr().err


@pytest.mark.parametrize("token", ["x", "not-a-token.at.all", "aGVsbG8.GfAkEt.loopback"])
def test_invite_with_a_token_that_holds_no_id_says_what_to_set(monkeypatch, capsys, token):
    """Issue 11: ``DISCORD_TOKEN=x briefbot discord invite`` says, in one line, what is missing and where."""
    monkeypatch.setenv("DISCORD_TOKEN", token)
    assert main(["discord", "invite"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.strip().splitlines()
    assert line.startswith("briefbot: the invite URL needs your application id")
    assert "could not be read from DISCORD_TOKEN" in line and "set DISCORD_APPLICATION_ID" in line
    assert "GfAkEt" not in line and "not-a-token" not in line  # the token itself is never echoed


async def test_digest_to_discord_posts_over_rest(monkeypatch, capsys, fake_discord, seed_path):
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("BRIEFBOT_DISCORD_API_BASE", fake_discord.url)
    # The command runs its own event loop; the loopback Discord keeps serving on this one meanwhile.
    code = await asyncio.to_thread(main, ["digest", "--to", f"discord:{CHANNEL_ID}", str(seed_path)])
    assert code == 0, capsys.readouterr().err
    posts = fake_discord.matching(rf"^POST /channels/{CHANNEL_ID}/messages$")
    assert posts and not fake_discord.matching(r"gateway")  # REST only: login and post
    for post in posts:
        assert post.body["enforce_nonce"] is True and len(post.body["nonce"]) <= 25
        check_message(post.body)
    assert "Kuleba" in "\n".join(flat(p.body) for p in posts)


async def test_serve_with_a_refused_token_exits_with_one_line(monkeypatch, capsys, fake_discord):
    monkeypatch.setenv("DISCORD_TOKEN", "MTE4.refused.token")
    monkeypatch.setenv("BRIEFBOT_DISCORD_API_BASE", fake_discord.url)
    assert await asyncio.to_thread(main, ["serve", "discord"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Discord refused DISCORD_TOKEN" in err, err


def test_invite_with_threads_adds_exactly_the_thread_permissions(monkeypatch, capsys):
    monkeypatch.setenv("DISCORD_APPLICATION_ID", "1180000000000000001")
    assert main(["discord", "invite", "--threads"]) == 0
    query = parse_qs(urlsplit(capsys.readouterr().out.strip()).query)
    base = 1 << 10 | 1 << 11 | 1 << 14 | 1 << 16
    assert query["permissions"] == [str(base | 1 << 35 | 1 << 38)]  # Create Public Threads, Send in Threads
