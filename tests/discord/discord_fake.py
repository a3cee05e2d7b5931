"""Discord played on loopback: the REST API (records every request, answers like Discord, scripts
failures) and a minimal gateway websocket (HELLO, READY after IDENTIFY, heartbeat ACKs, dispatches).

Only the endpoints briefbot's discord.py calls reach are served: login, command sync,
interaction callbacks and webhook followups, channel messages (with nonce
deduplication as ``enforce_nonce`` does it), channel history, threads, /gateway/bot.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

API = "/api/v10"
APPLICATION_ID = "1180000000000000001"
BOT_ID = APPLICATION_ID  # a bot user's id is its application's id
BOT_USER = {
    "id": BOT_ID,
    "username": "briefbot",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
    "flags": 0,
    "public_flags": 0,
}
WAIT_LIMIT = 60.0  # seconds: a hung bot fails the test instead of hanging the suite
TIMESTAMP = "2026-11-27T07:30:00.000000+00:00"


@dataclass
class Request:
    """One request as it arrived: method, path below /api/v10, query, JSON body."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    at: int = 0  # time.perf_counter_ns() on arrival, to order it against other loopback servers

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Scripted:
    """An answer to give instead of the normal one, to the next request matching ``pattern``."""

    pattern: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class FakeDiscord:
    """A loopback Discord REST server; ``url`` is the value for BRIEFBOT_DISCORD_API_BASE."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.channel_messages: dict[str, list[dict[str, Any]]] = {}
        self._nonces: dict[tuple[str, str], dict[str, Any]] = {}
        self._scripted: list[Scripted] = []
        self._ids = itertools.count(1190000000000000000)
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.gateway_url = ""
        self.gateway_received: list[dict[str, Any]] = []
        self.identified = asyncio.Event()
        self._gateway: web.WebSocketResponse | None = None
        self._seq = 0
        self._arrived = asyncio.Event()

    # -- test controls -------------------------------------------------------------------------
    def script(
        self, route_pattern: str, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        """Answer the next request whose "METHOD /path" matches the regex with this response."""
        self._scripted.append(Scripted(re.compile(route_pattern), status, body, headers or {}))

    def rate_limit_next(self, route_pattern: str, retry_after: float) -> None:
        """A 429 as Discord sends it: JSON body with retry_after, and a Via header (Cloudflare passed)."""
        self.script(
            route_pattern,
            429,
            {"message": "You are being rate limited.", "retry_after": retry_after, "global": False},
            {"Via": "1.1 google", "Retry-After": str(max(1, int(retry_after)))},
        )

    async def wait_for(self, route_pattern: str, count: int = 1) -> list[Request]:
        """Wait (event-driven, no polling sleeps) until ``count`` requests match; return them."""
        async with asyncio.timeout(WAIT_LIMIT):
            while len(found := self.matching(route_pattern)) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return found

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway DISPATCH (op 0) to the connected bot."""
        assert self._gateway is not None, "no bot connected to the gateway"
        self._seq += 1
        await self._gateway.send_json({"op": 0, "t": event, "s": self._seq, "d": data})

    def matching(self, route_pattern: str) -> list[Request]:
        pattern = re.compile(route_pattern)
        return [r for r in self.requests if pattern.search(r.route)]

    # -- server --------------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", API + "/{tail:.*}", self._handle)
        app.router.add_get("/gateway", self._gateway_socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}{API}"
        self.gateway_url = f"ws://127.0.0.1:{port}/gateway"
        return self.url

    async def close(self) -> None:
        if self._gateway is not None:
            await self._gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def new_id(self) -> str:
        return str(next(self._ids))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        body: Any = None
        if raw:
            if request.content_type == "application/json":
                body = json.loads(raw)
            else:  # multipart: discord.py puts the JSON in payload_json
                form = await request.post()
                body = json.loads(str(form.get("payload_json") or "null"))
        path = "/" + request.match_info["tail"]
        rec = Request(
            request.method, path, dict(request.query), body, dict(request.headers), time.perf_counter_ns()
        )
        self.requests.append(rec)
        self._arrived.set()
        for i, scripted in enumerate(self._scripted):
            if scripted.pattern.search(rec.route):
                del self._scripted[i]
                return _json(scripted.body, scripted.status, scripted.headers)
        status, answer = self._answer(rec)
        if answer is None:
            return web.Response(status=status)
        return _json(answer, status)

    # -- Discord's behaviour -------------------------------------------------------------------
    def _answer(self, r: Request) -> tuple[int, Any]:
        m = re.fullmatch
        if r.route == "GET /users/@me":
            if r.headers.get("Authorization") != "Bot " + TOKEN:
                return 401, {"message": "401: Unauthorized", "code": 0}
            return 200, BOT_USER
        if r.route == "GET /gateway/bot":
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
            return 200, {"url": self.gateway_url, "shards": 1, "session_start_limit": limit}
        if r.route == "GET /oauth2/applications/@me":
            return 200, application_info()
        if (hit := m(r"PUT /applications/(\d+)(?:/guilds/(\d+))?/commands", r.route)) is not None:
            return 200, [
                {
                    "description": "",  # Discord answers context menus with an empty description
                    **cmd,
                    "id": self.new_id(),
                    "application_id": hit.group(1),
                    "version": "1",
                    "guild_id": hit.group(2),
                }
                for cmd in r.body
            ]
        if (hit := m(r"POST /interactions/(\d+)/([^/]+)/callback", r.route)) is not None:
            return 200, self._callback(hit.group(1), r.body)
        if (hit := m(r"POST /webhooks/(\d+)/([^/]+)", r.route)) is not None:
            return 200, self.message(channel_id="0", author=BOT_USER, body=r.body, webhook_id=hit.group(1))
        if m(r"PATCH /webhooks/(\d+)/([^/]+)/messages/@original", r.route):
            return 200, self.message(channel_id="0", author=BOT_USER, body=r.body)
        if m(r"DELETE /webhooks/(\d+)/([^/]+)/messages/@original", r.route):
            return 204, None
        if (hit := m(r"POST /channels/(\d+)/threads", r.route)) is not None:
            return 201, self._thread(hit.group(1), r.body)
        if (hit := m(r"POST /channels/(\d+)/messages", r.route)) is not None:
            return 200, self._create_message(hit.group(1), r.body)
        if (hit := m(r"GET /channels/(\d+)/messages", r.route)) is not None:
            limit = int(r.query.get("limit", "50"))
            return 200, list(reversed(self.channel_messages.get(hit.group(1), [])))[:limit]
        return 404, {"message": f"Unknown route {r.route}", "code": 0}

    def _callback(self, interaction_id: str, body: dict[str, Any]) -> dict[str, Any]:
        flags = (body.get("data") or {}).get("flags", 0)
        answer: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_id": self.new_id(),
                "response_message_loading": body["type"] == 5,
                "response_message_ephemeral": bool(flags & 64),
            }
        }
        if body["type"] == 4:
            answer["resource"] = {
                "type": 4,
                "message": self.message(channel_id="0", author=BOT_USER, body=body.get("data") or {}),
            }
        return answer

    async def _gateway_socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._gateway = ws
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 45000}, "s": None, "t": None})  # HELLO
        async for frame in ws:
            message = json.loads(frame.data)
            self.gateway_received.append(message)
            if message["op"] == 1:  # HEARTBEAT
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif message["op"] == 2:  # IDENTIFY
                self._seq += 1
                ready = {
                    "v": 10,
                    "user": BOT_USER,
                    "guilds": [],
                    "session_id": "loopback-session",
                    "resume_gateway_url": self.gateway_url,
                    "shard": message["d"].get("shard", [0, 1]),
                    "application": {"id": APPLICATION_ID, "flags": 0},
                }
                await ws.send_json({"op": 0, "t": "READY", "s": self._seq, "d": ready})
                self.identified.set()
        return ws

    def _thread(self, parent_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """A thread started without a message, as Discord returns it."""
        return {
            "id": self.new_id(),
            "type": body.get("type", 12),
            "guild_id": "1160000000000000001",
            "parent_id": parent_id,
            "owner_id": BOT_ID,
            "name": body["name"],
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "total_message_sent": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration", 1440),
                "archive_timestamp": TIMESTAMP,
                "locked": False,
                "create_timestamp": TIMESTAMP,
            },
        }

    def _create_message(self, channel_id: str, body: dict[str, Any]) -> dict[str, Any]:
        nonce = body.get("nonce")
        if nonce and body.get("enforce_nonce") and (channel_id, nonce) in self._nonces:
            return self._nonces[(channel_id, nonce)]  # Discord returns the message already created
        message = self.message(channel_id=channel_id, author=BOT_USER, body=body)
        self.channel_messages.setdefault(channel_id, []).append(
            {k: v for k, v in message.items() if k != "nonce"}
        )
        if nonce:
            self._nonces[(channel_id, nonce)] = message
        return message

    def message(
        self, *, channel_id: str, author: dict[str, Any], body: dict[str, Any], **extra: Any
    ) -> dict[str, Any]:
        """A message object as Discord returns it for what was sent."""
        data = {
            "id": self.new_id(),
            "type": 19 if body.get("message_reference") else 0,
            "channel_id": channel_id,
            "author": author,
            "content": body.get("content") or "",
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": [],
            "pinned": False,
            "flags": body.get("flags", 0),
        }
        if body.get("nonce"):
            data["nonce"] = body["nonce"]
        if body.get("message_reference"):
            data["message_reference"] = body["message_reference"]
        data.update(extra)
        return data


def _json(body: Any, status: int, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json", as Discord sends it: discord.py parses JSON only on that exact value.
    return web.Response(
        body=json.dumps(body).encode(), status=status, headers=headers, content_type="application/json"
    )


TOKEN = "MTE4MDAwMDAwMDAwMDAwMDAwMQ.GfAkEt.loopback-test-token-not-real"


def application_info() -> dict[str, Any]:
    return {
        "id": APPLICATION_ID,
        "name": "briefbot",
        "icon": None,
        "description": "",
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": 0,
        "owner": {**BOT_USER, "id": "1170000000000000001", "username": "owner", "bot": False},
        "team": None,
        "bot": BOT_USER,
    }
