"""The composition root end to end: one store, scheduler and outbox; a subscription made through the
chat commands fires its morning digest into Slack (the Web API played on loopback)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from aiohttp import web

from bots.bootstrap import bootstrap, configured_platforms, platform_deliverers
from briefings.deliver.delivery import ChannelRef
from briefings.settings import Settings


class SlackApi:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict]] = []

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = (
            await request.json() if request.content_type == "application/json" else dict(await request.post())
        )
        self.calls.append((method, body))
        if method == "conversations.history":
            return web.json_response({"ok": True, "messages": []})
        return web.json_response({"ok": True, "channel": body.get("channel"), "ts": f"{len(self.calls)}.000"})


@pytest.fixture
async def slack_api():
    api = SlackApi()
    app = web.Application()
    app.router.add_post("/api/{method}", api.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    api.base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/api/"
    yield api
    await runner.cleanup()


async def test_a_subscription_made_in_chat_fires_its_morning_digest_into_slack(
    db_url, tmp_path, clock, feed_server, slack_api
):
    settings = Settings(
        data_dir=tmp_path,
        database_url=db_url,
        allow_private_hosts=True,
        env={
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": "secret",
            "BRIEFBOT_SLACK_API_URL": slack_api.base,
        },
    )
    assert configured_platforms(settings) == ["slack"]
    feed_server.add("news", 10)
    channel = ChannelRef("slack", "C42", "T1")
    clock.set(datetime(2026, 11, 27, 20, 0, tzinfo=UTC))
    async with (
        platform_deliverers(settings, ["slack"]) as deliverers,
        bootstrap(settings, clock=clock, deliverers=deliverers) as services,
    ):
        reply = await services.chat.handle(
            f"subscribe {feed_server.url('news')} daily 07:30 tz Europe/Berlin backfill 2",
            channel=channel,
            user="U1",
            can_manage=True,
        )
        assert not reply.error, reply.text
        await services.step()
        assert [m for m, _ in slack_api.calls if m == "chat.postMessage"] == []  # not before 07:30
        clock.set(datetime(2026, 11, 28, 6, 30, 5, tzinfo=UTC))  # 07:30:05 in Berlin
        await services.step()
        await services.step()  # a second look changes nothing: decided once
    posts = [body for method, body in slack_api.calls if method == "chat.postMessage"]
    assert len(posts) >= 1 and all(p["channel"] == "C42" for p in posts)
    text = json.dumps(posts)
    assert "Morning briefing, Saturday 28 November" in text
    assert "Libraries plan number 9" in text and "Libraries plan number 8" in text
    assert "Libraries plan number 7" not in text
    keys = [p["metadata"]["event_payload"]["idempotency_key"] for p in posts]
    assert len(keys) == len(set(keys))
