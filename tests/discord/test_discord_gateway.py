"""``serve``: the whole bot over discord.py's real gateway client, against the loopback gateway and REST API."""

from __future__ import annotations

import asyncio

import pytest
from discord_checks import check_message, flat
from discord_payloads import interaction

from bots.discord_bot.config import discord_settings as discord_config
from bots.discord_bot.serve import serve
from briefings.errors import BriefbotError
from briefings.pipeline import Briefer


async def test_serve_answers_an_interaction_from_the_gateway(discord_settings, fake_discord, seed_path):
    briefer = Briefer(discord_settings)
    bot = asyncio.create_task(serve(discord_settings, briefer=briefer))
    try:
        await asyncio.wait_for(fake_discord.identified.wait(), 60)
        (identify,) = [m for m in fake_discord.gateway_received if m["op"] == 2]
        assert identify["d"]["token"] == discord_config(discord_settings).token
        assert identify["d"]["intents"] == 1  # guilds only: no privileged intents
        text = seed_path.read_text(encoding="utf-8")
        await fake_discord.dispatch(
            "INTERACTION_CREATE",
            interaction("slash_brief", options=[{"name": "text", "type": 3, "value": text}]),
        )
        (followup,) = await fake_discord.wait_for(r"^POST /webhooks/")
    finally:
        bot.cancel()
        await asyncio.gather(bot, return_exceptions=True)
        briefer.close()
    routes = [r.route for r in fake_discord.requests]
    assert routes.index("GET /gateway/bot") > routes.index("GET /users/@me")  # REST login, sync, then gateway
    assert any(r.startswith("PUT /applications/") for r in routes)
    (callback,) = fake_discord.matching(r"/callback$")
    assert callback.body["type"] == 5 and callback.at < followup.at
    check_message(followup.body)
    assert "Kuleba" in flat(followup.body)


async def test_serve_without_a_gateway_stops_with_one_line(discord_settings, fake_discord):
    fake_discord.script(r"^GET /gateway/bot$", 404, {"message": "404: Not Found", "code": 0})
    briefer = Briefer(discord_settings)
    try:
        with pytest.raises(BriefbotError, match="gateway address .* BRIEFBOT_DISCORD_API_BASE"):
            await serve(discord_settings, briefer=briefer)
    finally:
        briefer.close()
