"""Our real bolt app behind bolt's aiohttp adapter on 127.0.0.1, and a way to send it signed requests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_loopback import (
    SIGNING_SECRET,
    SlackLoopback,
    command_form,
    form_body,
    interaction_body,
    signed_headers,
)

from bots.slack_app.app import build_app, make_client
from bots.slack_app.config import slack_settings as slack_config
from bots.slack_app.serve import build_web_app
from briefings.settings import Settings


@dataclass
class RunningApp:
    """Our bolt app behind bolt's aiohttp adapter on 127.0.0.1, and a way to send it signed requests."""

    bolt: AsyncApp
    url: str
    slack: SlackLoopback
    http: aiohttp.ClientSession
    acks: list[tuple[int, str]] = field(default_factory=list)

    async def post(
        self, body: str, *, content_type: str, secret: str = SIGNING_SECRET, timestamp: int | None = None
    ) -> tuple[int, str]:
        headers = signed_headers(body, secret=secret, timestamp=timestamp, content_type=content_type)
        async with self.http.post(self.url, data=body.encode(), headers=headers) as response:
            result = (response.status, await response.text())
        self.acks.append(result)
        return result

    async def command(self, text: str, **overrides: Any) -> tuple[int, str]:
        form = command_form(text, response_url=self.slack.response_url(), **overrides)
        return await self.post(form_body(form), content_type="application/x-www-form-urlencoded")

    async def interaction(self, payload: dict[str, Any]) -> tuple[int, str]:
        return await self.post(interaction_body(payload), content_type="application/x-www-form-urlencoded")


async def start_app(
    settings: Settings, services: Any, slack: SlackLoopback, sleeps: list[float]
) -> RunningApp:
    async def record_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await asyncio.sleep(0)

    client = make_client(settings, token=slack_config(settings).bot_token, sleep=record_sleep)
    bolt = build_app(settings, services, client=client)
    runner = web.AppRunner(build_web_app(bolt), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    app = RunningApp(bolt, f"http://127.0.0.1:{port}/slack/events", slack, aiohttp.ClientSession())
    app._runner = runner  # type: ignore[attr-defined]
    return app


async def stop_app(app: RunningApp) -> None:
    await app.http.close()
    await app._runner.cleanup()  # type: ignore[attr-defined]
