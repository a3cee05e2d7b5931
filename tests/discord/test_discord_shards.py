"""``briefbot serve discord --shards 0,1 --shard-count 4``: a subset of shards per process, validated with
one clear line, identified no faster than the gateway's ``max_concurrency`` per 5 s."""

from __future__ import annotations

import asyncio
import time

import pytest

from bots.cli import main
from bots.discord_bot.bot import BriefBot
from bots.discord_bot.serve import serve
from bots.discord_bot.shards import IdentifyPacer, ShardPlan, parse_shards
from briefings.errors import ConfigError
from briefings.pipeline import Briefer


def test_shard_arguments_are_parsed():
    assert parse_shards(None, None) == ShardPlan(None, None)
    assert parse_shards("0,1", 4) == ShardPlan([0, 1], 4)
    assert parse_shards("2-3", 4) == ShardPlan([2, 3], 4)
    assert parse_shards(None, 2) == ShardPlan([0, 1], 2)


@pytest.mark.parametrize(
    ("shards", "count", "message"),
    [
        ("0,1", None, "--shards needs --shard-count"),
        ("0,4", 4, "--shards 4 is not below --shard-count 4"),
        ("a", 4, "shard numbers such as 0,1"),
        ("1,1", 4, "names a shard twice"),
        ("0", 0, "--shard-count must be between 1"),
    ],
)
def test_bad_shard_arguments_get_one_line(shards, count, message):
    with pytest.raises(ConfigError, match=message):
        parse_shards(shards, count)


def test_the_cli_refuses_bad_shards_before_connecting(monkeypatch, capsys):
    monkeypatch.setenv("DISCORD_TOKEN", "MTA.abc.def")
    assert main(["serve", "discord", "--shards", "0,5", "--shard-count", "4"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["briefbot: --shards 5 is not below --shard-count 4 (shards are numbered from 0)"]


async def test_the_client_is_built_with_the_shards_of_this_process(discord_settings):
    briefer = Briefer(discord_settings)
    try:
        bot = BriefBot(discord_settings, briefer=briefer, shard_ids=[0, 1], shard_count=4)
        assert bot.shard_ids == [0, 1] and bot.shard_count == 4
    finally:
        briefer.close()


async def test_identifies_respect_max_concurrency():
    pacer = IdentifyPacer(max_concurrency=2, window=0.3)
    start = time.monotonic()
    stamps = []
    for _ in range(5):
        await pacer.wait()
        stamps.append(time.monotonic() - start)
    # two at once, then two a window later, then one more window later
    assert stamps[1] < 0.1 and 0.3 <= stamps[2] < 0.4 and stamps[3] < 0.4 and stamps[4] >= 0.6


async def test_serve_two_of_four_shards_on_the_loopback_gateway(discord_settings, fake_discord):
    briefer = Briefer(discord_settings)
    bot = asyncio.create_task(serve(discord_settings, briefer=briefer, shards=ShardPlan([2, 3], 4)))
    try:

        def identifies():
            return [m["d"]["shard"] for m in fake_discord.gateway_received if m["op"] == 2]

        for _ in range(3000):  # a guard against a hang: one identify per 5 s (max_concurrency 1)
            if len(identifies()) >= 2:
                break
            await asyncio.sleep(0.01)
        assert identifies() == [[2, 4], [3, 4]]
    finally:
        bot.cancel()
        await asyncio.gather(bot, return_exceptions=True)
        briefer.close()
    routes = [r.route for r in fake_discord.requests]
    assert "GET /gateway/bot" in routes  # the gateway URL and max_concurrency came from Discord
