"""The composition root: settings -> store -> services -> adapters. The only place things are wired;
``briefbot run``, ``briefbot digest`` and the tests all build the app through here."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import signal
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

from briefings.clock import Clock, SystemClock
from briefings.deliver.chat import ChatCommands
from briefings.deliver.delivery import Deliverer
from briefings.deliver.memory import MemoryService
from briefings.deliver.outbox import OutboxWorker
from briefings.deliver.polling import Poller, run_poller
from briefings.deliver.scheduler import Scheduler
from briefings.deliver.subscriptions import SubscriptionService
from briefings.errors import ConfigError
from briefings.pipeline import Briefer
from briefings.settings import Settings
from briefings.store import Store, open_store

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything a process runs, built once from Settings and shared by every adapter."""

    settings: Settings
    clock: Clock
    store: Store
    briefer: Briefer
    poller: Poller
    subscriptions: SubscriptionService
    chat: ChatCommands
    memory: MemoryService
    scheduler: Scheduler
    outbox: OutboxWorker
    deliverers: dict[str, Deliverer] = field(default_factory=dict)

    async def step(self) -> None:
        """Do now whatever is due now: polls, slot decisions, sends (the console calls it after /advance)."""
        await self.poller.poll_due()
        await self.scheduler.tick()
        await self.outbox.run_once()

    async def run_background(self, stop: asyncio.Event) -> None:
        """Scheduler, feed polling and outbox until ``stop`` is set."""
        await asyncio.gather(
            self.scheduler.run(stop),
            run_poller(self.poller, stop),
            self.outbox.run(stop, idle_seconds=2.0),
        )


@contextlib.asynccontextmanager
async def bootstrap(
    settings: Settings,
    *,
    clock: Clock | None = None,
    deliverers: Mapping[str, Deliverer] | None = None,
    briefer: Briefer | None = None,
) -> AsyncIterator[Services]:
    """Open the store (migrated) and build the services; close everything on exit."""
    clock = clock or SystemClock()
    own_briefer = briefer is None
    briefer = briefer or Briefer(settings)
    try:
        async with open_store(settings.effective_database_url) as store:
            # Feed articles go ahead of interactive giants in the NLP queue (when the briefer has one).
            poller = Poller(store, settings, clock, briefer.brief_scheduled)
            subscriptions = SubscriptionService(store, poller, settings, clock)
            memory = MemoryService(store, settings, clock)
            poller.on_filed.append(memory.filed)
            chat = ChatCommands(
                briefer=briefer, subscriptions=subscriptions, settings=settings, clock=clock, memory=memory
            )
            scheduler = Scheduler(store, settings, clock)
            scheduler.housekeeping.append(memory.purge_due)
            outbox = OutboxWorker(store, dict(deliverers or {}), clock)
            # New messages wake the outbox at once instead of at its next idle check.
            scheduler.on_queued.append(outbox.wake)
            poller.on_queued.append(outbox.wake)
            subscriptions.on_queued.append(outbox.wake)
            yield Services(
                settings=settings,
                clock=clock,
                store=store,
                briefer=briefer,
                poller=poller,
                subscriptions=subscriptions,
                chat=chat,
                memory=memory,
                scheduler=scheduler,
                outbox=outbox,
                deliverers=outbox.deliverers,
            )
    finally:
        if own_briefer:
            briefer.close()


def configured_platforms(settings: Settings) -> list[str]:
    """The platforms whose tokens are set (Slack: bot token or OAuth client; Discord: bot token)."""
    out = []
    if settings.slack_bot_token or (settings.slack_client_id and settings.slack_client_secret):
        out.append("slack")
    if settings.discord_token:
        out.append("discord")
    return out


@contextlib.asynccontextmanager
async def platform_deliverers(
    settings: Settings, platforms: list[str]
) -> AsyncIterator[dict[str, Deliverer]]:
    """Slack/Discord Deliverers (REST only) for the given platforms, closed on exit."""
    out: dict[str, Deliverer] = {}
    async with contextlib.AsyncExitStack() as stack:
        if "slack" in platforms:
            out["slack"] = await stack.enter_async_context(_slack_deliverer(settings))
        if "discord" in platforms:
            from bots.discord_bot.deliver import DiscordDeliverer  # noqa: PLC0415 - optional adapter (slack_bolt/discord.py), imported only when configured

            settings.require_discord()
            out["discord"] = await stack.enter_async_context(DiscordDeliverer(settings))
        yield out


@contextlib.asynccontextmanager
async def _slack_deliverer(settings: Settings) -> AsyncIterator[Deliverer]:
    import aiohttp  # noqa: PLC0415 - comes with the Slack adapter's extra, only when configured

    from bots.slack_app.app import make_client, oauth_enabled  # noqa: PLC0415 - optional adapter (slack_bolt/discord.py), imported only when configured
    from bots.slack_app.deliver import SlackDeliverer  # noqa: PLC0415 - optional adapter (slack_bolt/discord.py), imported only when configured

    if not oauth_enabled(settings) and not settings.slack_bot_token:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set (Slack app > OAuth & Permissions > Bot User OAuth Token)"
        )
    # One HTTP session for all posts: keeps connections to Slack open across a fan-out.
    async with aiohttp.ClientSession() as http:
        if oauth_enabled(settings):
            from bots.slack_app.installations import open_installations  # noqa: PLC0415 - optional adapter (slack_bolt/discord.py), imported only when configured

            installations = await open_installations(settings)
            try:
                client = make_client(settings)
                client.session = http
                yield SlackDeliverer(client, installation_store=installations.installation_store)
            finally:
                await installations.close()
            return
        client = make_client(settings, token=settings.slack_bot_token)
        client.session = http
        yield SlackDeliverer(client)


def stop_on_signals(stop: asyncio.Event) -> None:
    """SIGTERM and SIGINT set ``stop`` (where the loop can catch signals)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows; not the main thread
            loop.add_signal_handler(sig, stop.set)


async def run_platforms(
    settings: Settings,
    platforms: list[str],
    *,
    host: str,
    port: int,
    warm_up: bool = False,
    freeze_heap: bool = False,
) -> None:
    """The whole bot for the given platforms: store, scheduler, feed polling and outbox (REST
    deliverers), and each platform's chat side, until SIGTERM/SIGINT (``briefbot serve``)."""
    stop = asyncio.Event()
    stop_on_signals(stop)
    async with (
        platform_deliverers(settings, platforms) as deliverers,
        bootstrap(settings, deliverers=deliverers) as services,
    ):
        if warm_up:  # the first /brief should not wait for spaCy
            await asyncio.to_thread(services.briefer.warm_up)
        # Subscriptions made with /brief subscribe are delivered by the same process.
        background = asyncio.ensure_future(services.run_background(stop))
        try:
            await serve_platforms(services, platforms, stop, host=host, port=port, freeze_heap=freeze_heap)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(background, return_exceptions=True), timeout=10)


async def serve_platforms(
    services: Services,
    platforms: list[str],
    stop: asyncio.Event,
    *,
    host: str,
    port: int,
    freeze_heap: bool = False,
) -> None:
    """Serve the chat side of each configured platform in this process, sharing ``services``."""
    for platform, module in (("slack", "bots.slack_app.serve"), ("discord", "bots.discord_bot.serve")):
        if platform in platforms and importlib.util.find_spec(module) is None:
            raise ConfigError(
                f"{platform} tokens are set but this install has no {platform} adapter ({module})"
            )
    tasks = []
    if "slack" in platforms:
        from bots.slack_app.app import SlackServices  # noqa: PLC0415 - optional adapter (slack_bolt/discord.py), imported only when configured
        from bots.slack_app.serve import serve as serve_slack  # noqa: PLC0415 - optional adapter (slack_bolt/discord.py), imported only when configured

        slack = SlackServices(briefer=services.briefer, chat=services.chat)
        tasks.append(
            asyncio.ensure_future(
                serve_slack(
                    services.settings, slack, host=host, port=port, stop=stop, freeze_heap=freeze_heap
                )
            )
        )
    if "discord" in platforms:
        from bots.discord_bot.serve import serve as serve_discord  # noqa: PLC0415 - optional adapter (slack_bolt/discord.py), imported only when configured

        tasks.append(
            asyncio.ensure_future(
                serve_discord(services.settings, briefer=services.briefer, chat=services.chat)
            )
        )
    if not tasks:
        return
    stopper = asyncio.ensure_future(stop.wait())
    try:
        done, _ = await asyncio.wait({*tasks, stopper}, return_when=asyncio.FIRST_COMPLETED)
        for t in done:
            if t is not stopper and t.exception() is not None:
                raise t.exception()  # type: ignore[misc]
    finally:
        for t in (*tasks, stopper):
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
