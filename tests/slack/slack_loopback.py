"""Slack played on loopback: a real aiohttp server that records every Web API call and response_url post.

The same idea as bolt's own ``tests/mock_web_api_server``: the app's
``AsyncWebClient(base_url=...)`` points here, the test asserts on the JSON that
actually arrived. It also serves articles (for ``/brief <url>``) and a Socket
Mode WebSocket speaking the envelope protocol.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import WSMsgType, web
from slack_sdk.signature import SignatureVerifier

PAYLOADS = Path(__file__).parent / "payloads"
SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token"
TEAM_ID = "T0TEST"
# Seconds before a wait gives up: only a guard against a hang (NLP on a busy machine can be slow).
HANG_GUARD = 300
# Form fields Slack's SDK sends JSON-encoded
_JSON_FIELDS = ("blocks", "view", "metadata", "attachments")


@dataclass
class Call:
    """One Web API call as it arrived."""

    method: str
    params: dict[str, Any]
    token: str | None


@dataclass
class Posted:
    """A response_url post."""

    key: str
    body: dict[str, Any]


@dataclass
class SlackLoopback:
    """The Web API at /api/<method>, response_url at /respond/<key>, Socket Mode at /socket, articles at /articles/<name>."""

    calls: list[Call] = field(default_factory=list)
    responses: list[Posted] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    # method -> queued (status, headers, body) answers served before the normal one
    scripted: dict[str, deque[tuple[int, dict[str, str], dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(deque)
    )
    articles: dict[str, tuple[str, str]] = field(default_factory=dict)
    channels: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    refused_tokens: set[str] = field(default_factory=set)
    not_in_channel: set[str] = field(default_factory=set)
    # users.info: member id -> the user object's flags (is_admin, is_owner); others are plain members
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    port: int = 0

    def __post_init__(self) -> None:
        self._changed = asyncio.Condition()
        self._ts = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> SlackLoopback:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/articles/{name}", self._article)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str = "r1") -> str:
        return f"http://127.0.0.1:{self.port}/respond/{key}"

    def article_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/articles/{name}"

    # -- what arrived -----------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, predicate: Callable[[SlackLoopback], Any]) -> Any:
        """Wait until ``predicate(self)`` is truthy (a guard against hangs, not a timing assertion)."""

        async def waiting() -> Any:
            async with self._changed:
                await self._changed.wait_for(lambda: predicate(self))
            return predicate(self)

        return await asyncio.wait_for(waiting(), HANG_GUARD)

    async def wait_calls(self, method: str, count: int = 1) -> list[Call]:
        await self.wait_for(lambda s: len(s.calls_to(method)) >= count)
        return self.calls_to(method)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def script(
        self, method: str, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        """Answer the next call to ``method`` with this (e.g. a 429 with Retry-After)."""
        self.scripted[method].append((status, headers or {}, body))

    def serve_article(self, name: str, text: str, content_type: str = "text/plain; charset=utf-8") -> str:
        self.articles[name] = (content_type, text)
        return self.article_url(name)

    # -- Socket Mode ------------------------------------------------------------------------------

    async def socket_send(self, envelope: dict[str, Any]) -> None:
        await self.wait_for(lambda s: s._sockets)
        await self._sockets[-1].send_json(envelope)

    # -- handlers ---------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            params.update(dict(await request.post()))
        for name in _JSON_FIELDS:
            if isinstance(params.get(name), str):
                params[name] = json.loads(params[name])
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.get("token")
        self.calls.append(Call(method, params, token))
        try:
            if self.scripted.get(method):
                status, headers, body = self.scripted[method].popleft()
                return web.json_response(body, status=status, headers=headers)
            return web.json_response(self._answer(method, params, token))
        finally:
            await self._notify()

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if token in self.refused_tokens:
            return {"ok": False, "error": "invalid_auth"}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://briefbot-test.slack.com/",
                "team": "Briefbot Test",
                "user": "briefbot",
                "team_id": TEAM_ID,
                "user_id": "UBRIEFBOT",
                "bot_id": "BBRIEFBOT",
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            channel = params.get("channel", "")
            if channel in self.not_in_channel:
                return {"ok": False, "error": "not_in_channel"}
            ts = f"{int(time.time())}.{next(self._ts):06d}"
            message = {
                "type": "message",
                "ts": ts,
                "text": params.get("text", ""),
                "blocks": params.get("blocks"),
                "bot_id": "BBRIEFBOT",
            }
            if params.get("thread_ts"):
                message["thread_ts"] = params["thread_ts"]
            if params.get("metadata"):
                message["metadata"] = params["metadata"]
            self.channels[channel].append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{int(time.time())}.{next(self._ts):06d}"}
        if method == "users.info":
            uid = params.get("user", "")
            return {
                "ok": True,
                "user": {"id": uid, "is_admin": False, "is_owner": False, **self.users.get(uid, {})},
            }
        if method == "views.open":
            return {"ok": True, "view": {"id": "VTEST", **(params.get("view") or {})}}
        if method == "conversations.history":
            with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
            limit = int(params.get("limit") or 100)
            messages = []
            for m in reversed(self.channels.get(params.get("channel", ""), [])[-limit:]):
                m = dict(m)
                if not with_metadata:
                    m.pop("metadata", None)
                messages.append(m)
            return {"ok": True, "messages": messages, "has_more": False}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        if method == "oauth.v2.access":
            return {
                "ok": True,
                "app_id": "ATEST",
                "authed_user": {"id": "UINSTALLER"},
                "scope": "commands,chat:write",
                "token_type": "bot",
                "access_token": "xoxb-installed-token",
                "bot_user_id": "UBRIEFBOT",
                "team": {"id": "T0OTHER", "name": "Other Workspace"},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        return {"ok": True}

    async def _respond(self, request: web.Request) -> web.Response:
        self.responses.append(Posted(request.match_info["key"], await request.json()))
        await self._notify()
        return web.Response(text="ok")

    async def _article(self, request: web.Request) -> web.Response:
        found = self.articles.get(request.match_info["name"])
        if found is None:
            return web.Response(status=404, text="not found")
        content_type, text = found
        return web.Response(body=text.encode("utf-8"), headers={"Content-Type": content_type})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "loopback", "approximate_connection_time": 18060},
                "connection_info": {"app_id": "ATEST"},
            }
        )
        await self._notify()
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.socket_acks.append(json.loads(msg.data))
                await self._notify()
        return ws


# -- requests as Slack sends them --------------------------------------------------------------------


def fixture_payload(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / name).read_text("utf-8"))


def command_form(text: str, *, response_url: str, **overrides: str) -> dict[str, str]:
    form = fixture_payload("slash_command.json")
    form.update(text=text, response_url=response_url, **overrides)
    return form


def signed_headers(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None, content_type: str
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }


def form_body(form: dict[str, str]) -> str:
    return urlencode(form)


def interaction_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})
