"""``briefbot serve slack``: Socket Mode when SLACK_APP_TOKEN is set, else HTTP at /slack/events.

HTTP mode also serves the OAuth install pages (/slack/install, /slack/oauth_redirect)
when SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are set, and /healthz for container checks.
Start-up fails fast with one line naming a missing, malformed or refused setting.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.app.async_server import AsyncSlackAppServer
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError, SlackClientError

from briefings.errors import ConfigError
from briefings.settings import Settings

from .app import EVENTS_PATH, api_url, build_app, make_client, oauth_enabled
from .config import slack_settings
from .installations import SlackInstallations, open_installations

log = logging.getLogger(__name__)


@web.middleware
async def reject_malformed_signatures(request: web.Request, handler: Any) -> web.StreamResponse:
    """A request to the events URL whose X-Slack-Request-Timestamp is not a number is unsigned: 401.

    bolt's verifier calls ``int()`` on the header and answered such a request with a 500.
    """
    if request.method == "POST" and request.path == EVENTS_PATH:
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "").strip()
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            return web.json_response({"error": "invalid request"}, status=401)
    return await handler(request)


def build_web_app(app: AsyncApp) -> web.Application:
    """The aiohttp application for HTTP mode: bolt's routes plus a health check."""
    web_app = AsyncSlackAppServer(port=0, path=EVENTS_PATH, app=app).web_app
    web_app.middlewares.append(reject_malformed_signatures)

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    web_app.router.add_get("/healthz", healthz)
    return web_app


def settle_heap() -> None:
    """Take what start-up loaded (the spaCy pipeline: a large object graph) out of the garbage collector's
    full scans. Those scans stalled the event loop for 130-220 ms at a time under load, delaying acks
    (ack p99 over 5x50 commands 497 ms without, 175 ms with; benchmarks/slack_ack_bench.py)."""
    gc.collect()
    gc.freeze()


async def check_token(app: AsyncApp, settings: Settings) -> dict[str, Any]:
    """Ask Slack (auth.test) whether the bot token works, so a bad token fails at start-up, not later."""
    try:
        response = await app.client.auth_test()
    except SlackApiError as exc:
        raise ConfigError(
            f"SLACK_BOT_TOKEN was refused by Slack ({exc.response.get('error')}); "
            "copy it again from Slack app > OAuth & Permissions"
        ) from None
    except (SlackClientError, OSError, TimeoutError) as exc:
        raise ConfigError(
            f"cannot reach the Slack Web API at {app.client.base_url} ({type(exc).__name__}); "
            "check the network or BRIEFBOT_SLACK_API_URL"
        ) from None
    return dict(response.data) if isinstance(response.data, dict) else {}


async def serve(
    settings: Settings,
    services: Any,
    *,
    host: str = "0.0.0.0",
    port: int = 3000,
    stop: asyncio.Event | None = None,
    ready: asyncio.Event | None = None,
    freeze_heap: bool = False,
) -> None:
    """Serve Slack until ``stop`` is set (or the task is cancelled); ``briefbot run`` calls this too.

    ``freeze_heap``: after loading spaCy, see ``settle_heap`` (for a process that only serves).
    """
    slack_settings(settings).require()
    if not 0 <= port <= 65535:
        raise ConfigError(f"--port must be between 0 and 65535 (0: any free port), got {port}")
    stop = stop or asyncio.Event()
    installations: SlackInstallations | None = None
    if oauth_enabled(settings):
        installations = await open_installations(settings)
    try:
        app = build_app(
            settings,
            services,
            client=make_client(settings, token=None if installations else slack_settings(settings).bot_token),
            installation_store=installations.installation_store if installations else None,
            state_store=installations.state_store if installations else None,
        )
        if not installations:
            identity = await check_token(app, settings)
            log.info("Slack bot %s in workspace %s", identity.get("user"), identity.get("team"))
        # Load spaCy before taking traffic (after the checks, so a bad token fails at once).
        warm_up = getattr(services.briefer, "warm_up", None)
        if warm_up is not None:
            await asyncio.to_thread(warm_up)
            if freeze_heap:
                settle_heap()
        if slack_settings(settings).app_token and not installations:
            await _serve_socket_mode(app, settings, stop, ready)
        else:
            await _serve_http(app, host, port, stop, ready)
    finally:
        if installations:
            await installations.close()


async def _serve_socket_mode(
    app: AsyncApp, settings: Settings, stop: asyncio.Event, ready: asyncio.Event | None
) -> None:
    handler = AsyncSocketModeHandler(app, slack_settings(settings).app_token)
    # The socket client retries a refused token forever; ask for the first URL ourselves to fail fast.
    try:
        handler.client.wss_uri = await handler.client.issue_new_wss_url()
    except SlackApiError as exc:
        await handler.client.close()
        raise ConfigError(
            f"SLACK_APP_TOKEN was refused by Slack ({exc.response.get('error')}); create an app-level token "
            "with connections:write under Slack app > Basic Information > App-Level Tokens"
        ) from None
    except (SlackClientError, OSError, TimeoutError) as exc:
        await handler.client.close()
        raise ConfigError(
            f"cannot reach Slack for Socket Mode ({type(exc).__name__}); check the network"
        ) from None
    await handler.connect_async()
    print("briefbot: Slack app connected (Socket Mode)", flush=True)
    if ready:
        ready.set()
    try:
        await stop.wait()
    finally:
        await handler.close_async()


async def _serve_http(
    app: AsyncApp, host: str, port: int, stop: asyncio.Event, ready: asyncio.Event | None
) -> None:
    runner = web.AppRunner(build_web_app(app), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port"
            ) from None
        where = (
            "" if not app.oauth_flow else f", install at http://{host}:{port}{app.oauth_flow.install_path}"
        )
        print(f"briefbot: Slack app listening on http://{host}:{port}{EVENTS_PATH}{where}", flush=True)
        if ready:
            ready.set()
        await stop.wait()
    finally:
        await runner.cleanup()


def check_settings(settings: Settings) -> None:
    """Fail fast, with one line naming the setting, before anything loads (``briefbot serve slack``)."""
    slack_settings(settings).require()
    api_url(settings)  # a malformed BRIEFBOT_SLACK_API_URL fails here, before anything loads
