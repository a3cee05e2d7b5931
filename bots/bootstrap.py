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
from typing import TYPE_CHECKING

from briefings.clock import Clock, SystemClock
from briefings.deliver import platforms
from briefings.deliver.chat import ChatCommands
from briefings.deliver.delivery import Deliverer
from briefings.deliver.leader import Leadership
from briefings.deliver.memory import MemoryService
from briefings.deliver.outbox import OutboxWorker
from briefings.deliver.pacing import open_pacer
from briefings.deliver.polling import Poller, run_poller
from briefings.deliver.scheduler import Scheduler
from briefings.deliver.subscriptions import SubscriptionService
from briefings.errors import ConfigError
from briefings.pipeline import Briefer
from briefings.settings import Settings
from briefings.store import Store, open_store

if TYPE_CHECKING:
    from bots.discord_bot.shards import ShardPlan
    from briefings.deliver.executor import Dispatcher  # celery (the `scale` extra): a type only
    from briefings.deliver.workers import Runtime

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
    # With BRIEFBOT_BROKER_URL: queues polls, slot decisions and sends as Celery tasks instead of doing them.
    dispatcher: Dispatcher | None = None

    async def step(self) -> None:
        """Do now whatever is due now: polls, slot decisions, sends (the console calls it after /advance)."""
        if self.dispatcher is not None:
            await self.dispatcher.round()
            return
        await self.poller.poll_due()
        await self.scheduler.tick()
        await self.outbox.run_once()

    async def run_background(self, stop: asyncio.Event, *, outbox: bool = True) -> None:
        """Scheduler and feed polling (while this process leads: one leader per PostgreSQL database) and
        the outbox (any number of processes) until ``stop`` is set."""
        if self.dispatcher is not None:
            await self.dispatcher.run(stop)
            return
        await asyncio.gather(
            self.run_leader(stop),
            *([self.outbox.run(stop, idle_seconds=2.0)] if outbox else []),
        )

    async def run_leader(self, stop: asyncio.Event) -> None:
        """The scheduler and feed polling, in whichever process holds the leadership."""

        async def lead(leading: asyncio.Event) -> None:
            await asyncio.gather(self.scheduler.run(leading), run_poller(self.poller, leading))

        await Leadership(self.store).run(lead, stop)


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
    dispatcher = None
    if briefer is None and settings.broker_url:
        from briefings.deliver.executor import CeleryBriefer  # noqa: PLC0415 - optional dependency (celery, the `scale` extra): only with a broker

        briefer = CeleryBriefer(settings)
    briefer = briefer or Briefer(settings)
    try:
        async with (
            open_store(settings.effective_database_url) as store,
            contextlib.AsyncExitStack() as stack,
        ):
            if settings.broker_url:
                from briefings.deliver.executor import Dispatcher  # noqa: PLC0415 - optional dependency (celery, the `scale` extra): only with a broker

                dispatcher = Dispatcher(store, settings, clock)
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
            outbox = await stack.enter_async_context(outbox_worker(store, deliverers or {}, clock, settings))
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
                dispatcher=dispatcher,
            )
    finally:
        if dispatcher is not None:
            await dispatcher.close()
        if own_briefer:
            briefer.close()


@contextlib.asynccontextmanager
async def worker_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """A Celery worker process's runtime: the store (migrated by the frontend, not here), the poller
    briefing in this process, the scheduler, and an outbox with the configured platforms' Deliverers."""
    from briefings.deliver.workers import Runtime, local_brief  # noqa: PLC0415 - optional dependency (celery, the `scale` extra): only in workers

    clock = SystemClock()
    async with (
        open_store(settings.effective_database_url, migrate=False) as store,
        platform_deliverers(settings, configured_platforms(settings)) as deliverers,
        outbox_worker(store, deliverers, clock, settings) as outbox,
    ):
        yield Runtime(
            settings=settings,
            poller=Poller(store, settings, clock, local_brief(settings)),
            scheduler=Scheduler(store, settings, clock),
            outbox=outbox,
        )


def send_rates(settings: Settings) -> dict[str, float]:
    """Messages per second per platform (per rate scope): each platform's documented default
    (``Limits.rate``), overridden by ``BRIEFBOT_SEND_RATES``; an unknown platform there is a ConfigError."""
    known = {p.name: p for p in platforms.registered()}
    unknown = sorted(set(settings.send_rates) - set(known))
    if unknown:
        raise ConfigError(
            f"BRIEFBOT_SEND_RATES names no platform {unknown[0]!r} (platforms: {', '.join(known)})"
        )
    rates = {name: rate for name, p in known.items() if (rate := p.limits.rate)}
    return rates | settings.send_rates


@contextlib.asynccontextmanager
async def outbox_worker(
    store: Store, deliverers: Mapping[str, Deliverer], clock: Clock, settings: Settings
) -> AsyncIterator[OutboxWorker]:
    """The outbox with the platforms' pacing and rates; with ``BRIEFBOT_REDIS_URL`` its buckets (each
    channel's pacing and 429 pauses, each platform-wide rate budget) are shared by every worker."""
    rates = send_rates(settings)
    pacer = open_pacer(settings.redis_url)
    try:
        yield OutboxWorker(
            store,
            dict(deliverers),
            clock,
            pacing={p.name: p.limits.pacing for p in platforms.registered()},
            rates=rates,
            rate_scopes={p.name: p.limits.rate_scope for p in platforms.registered()},
            pacer=pacer,
            lease=settings.outbox_lease_seconds,
        )
    finally:
        await pacer.close()


def configured_platforms(settings: Settings) -> list[str]:
    """The registered platforms whose settings are present (Slack: bot token or OAuth client; Discord:
    bot token; webhooks: a URL), in registration order."""
    return [p.name for p in platforms.registered() if p.configured(settings)]


@contextlib.asynccontextmanager
async def platform_deliverers(settings: Settings, names: list[str]) -> AsyncIterator[dict[str, Deliverer]]:
    """The platforms' Deliverers (REST only), closed on exit."""
    out: dict[str, Deliverer] = {}
    async with contextlib.AsyncExitStack() as stack:
        for name in names:
            out[name] = await stack.enter_async_context(platforms.get(name).deliverer(settings))
        yield out


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
    shards: ShardPlan | None = None,
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
            await serve_platforms(
                services, platforms, stop, host=host, port=port, freeze_heap=freeze_heap, shards=shards
            )
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
    shards: ShardPlan | None = None,
) -> None:
    """Serve the chat side of each configured platform in this process, sharing ``services``."""
    for platform, module in (("slack", "bots.slack_app.serve"), ("discord", "bots.discord_bot.serve")):
        if platform in platforms and importlib.util.find_spec(module) is None:
            raise ConfigError(
                f"{platform} tokens are set but this install has no {platform} adapter ({module})"
            )
    tasks = []
    if "slack" in platforms:
        from bots.slack_app.app import SlackServices  # noqa: PLC0415 - heavy (slack_bolt, aiohttp web: 1.7 s): only when Slack is served
        from bots.slack_app.serve import serve as serve_slack  # noqa: PLC0415 - heavy (slack_bolt, aiohttp web: 1.7 s): only when Slack is served

        slack = SlackServices(briefer=services.briefer, chat=services.chat)
        tasks.append(
            asyncio.ensure_future(
                serve_slack(
                    services.settings, slack, host=host, port=port, stop=stop, freeze_heap=freeze_heap
                )
            )
        )
    if "discord" in platforms:
        from bots.discord_bot.serve import serve as serve_discord  # noqa: PLC0415 - heavy (discord.py: 0.5 s): only when Discord is served

        tasks.append(
            asyncio.ensure_future(
                serve_discord(services.settings, briefer=services.briefer, chat=services.chat, shards=shards)
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
