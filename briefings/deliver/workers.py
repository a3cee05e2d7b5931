"""Celery workers: the CPU-bound and retried work of briefbot, when ``BRIEFBOT_BROKER_URL`` is set.

Each task body is the function the embedded (one-process) mode calls: ``pipeline.brief_article``,
``Poller.poll_feed``, ``OutboxWorker.run_once`` (the outbox's claim / attempt / record path) and
``Scheduler.tick``. Unset broker: none of this is imported and nothing changes.

Queues (lanes), so that one kind of work never waits behind another:

``interactive``  a chat's ``/brief`` (short and medium articles)
``giant``        any briefing of an article over ``BRIEFBOT_GIANT_CHARS`` characters
``scheduled``    scheduled briefings and the morning slot decisions
``polling``      feed polls (a feed's new articles are briefed inside its poll, on that worker)
``delivery``     sending one channel's outbox entries

Every task is ``acks_late`` with ``reject_on_worker_lost``: a worker killed mid-task (kill -9) leaves
its message unacknowledged, and the broker hands it to another worker (at once when a pool process
dies, after ``BRIEFBOT_TASK_VISIBILITY_SECONDS`` when the whole worker dies). The bodies are
idempotent: a briefing has no side effect; a poll files each entry once (seen keys); a slot is decided
once (a unique row, in one transaction with its outbox entries); an outbox entry left ``sending`` is
checked with ``Deliverer.already_sent`` before it is sent again.

Each worker process (prefork pool) loads spaCy once and opens its runtime (``worker_process_init``),
and keeps one event loop, one store connection pool and the platform Deliverers for its lifetime.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from celery import Celery, signals

from briefings.clock import SystemClock
from briefings.deliver.digests import briefing_to_json
from briefings.deliver.outbox import OutboxWorker
from briefings.deliver.polling import Poller
from briefings.deliver.scheduler import Scheduler
from briefings.deliver.tenants import TenantLeases
from briefings.errors import BriefbotError
from briefings.models import Article, Briefing
from briefings.settings import Settings
from briefings.store import open_store

log = logging.getLogger(__name__)

QUEUES = ("interactive", "giant", "scheduled", "polling", "delivery")
BRIEF = "briefbot.brief"
POLL_FEED = "briefbot.poll_feed"
SEND_OUTBOX = "briefbot.send_outbox"
DECIDE_SLOTS = "briefbot.decide_slots"
# Dispatch locks: at most one queued task per feed / channel (set by the dispatcher, cleared by the task).
LOCK_PREFIX = "briefbot:queued:"

app = Celery("briefbot")


def result_backend(broker_url: str) -> str:
    """Redis keeps results in Redis; with RabbitMQ they come back over the broker (``rpc://``)."""
    return broker_url if broker_url.startswith(("redis://", "rediss://")) else "rpc://"


def _conf(settings: Settings) -> dict[str, Any]:
    """The broker and the delivery guarantees (producer and worker alike)."""
    if not settings.broker_url:
        raise BriefbotError("BRIEFBOT_BROKER_URL is not set (e.g. redis://127.0.0.1:6379/0)")
    return dict(
        broker_url=settings.broker_url,
        result_backend=result_backend(settings.broker_url),
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a busy process never sits on a task another could run
        task_default_queue="interactive",
        task_create_missing_queues=True,
        result_expires=3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_proc_alive_timeout=120,  # spaCy loads in worker_process_init (seconds on a busy machine)
        broker_transport_options={
            "visibility_timeout": settings.task_visibility_seconds,
            # Look for the unacknowledged tasks of a dead worker often enough to honour the timeout.
            "unacked_restore_interval": max(1, min(10, settings.task_visibility_seconds // 5)),
            "unacked_restore_throttle": 1,
        },
        result_backend_transport_options={"visibility_timeout": settings.task_visibility_seconds},
    )


def configure(settings: Settings) -> Celery:
    """Point the worker's app (the one the tasks are registered on) at the broker."""
    app.conf.update(_conf(settings))
    return app


def producer(settings: Settings) -> Celery:
    """A new app for a frontend that queues tasks by name (its own connection pools, so a process may
    talk to another broker later, as tests do)."""
    client = Celery("briefbot-frontend")
    client.conf.update(_conf(settings))
    return client


def lane(chars: int, priority: str, settings: Settings) -> str:
    """The queue of a briefing: giants on their own lane, then interactive or scheduled."""
    if chars > settings.giant_chars:
        return "giant"
    return "interactive" if priority == "interactive" else "scheduled"


# ---------------------------------------------------------------- the worker process's runtime


@dataclass
class Runtime:
    """What the tasks of one worker process share: the store, the poller, scheduler and outbox."""

    settings: Settings
    poller: Any = None  # briefings.polling.Poller
    scheduler: Any = None  # briefings.scheduler.Scheduler
    outbox: Any = None  # briefings.outbox.OutboxWorker
    redis: Any = None
    leases: Any = None  # briefings.deliver.tenants.TenantLeases
    extra: dict[str, Any] = field(default_factory=dict)


RuntimeFactory = Callable[[Settings], AbstractAsyncContextManager[Runtime]]


@contextlib.asynccontextmanager
async def default_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """Store, poller, scheduler and an outbox without Deliverers (``bots.bootstrap`` adds them)."""

    async with open_store(settings.effective_database_url, migrate=False) as store:
        clock = SystemClock()
        yield Runtime(
            settings=settings,
            poller=Poller(store, settings, clock, local_brief(settings)),
            scheduler=Scheduler(store, settings, clock),
            outbox=OutboxWorker(store, {}, clock),
        )


def local_brief(settings: Settings) -> Callable[[Article], Any]:
    """The poller's ``brief`` on a worker: this process briefs the feed's article itself."""
    from briefings.pipeline import brief_article  # noqa: PLC0415 - loads spaCy (2.5 s): in pool processes only, not the Celery main process

    async def brief(article: Article) -> Briefing:
        return brief_article(article, settings)

    return brief


_factory: RuntimeFactory = default_runtime
_state: dict[str, Any] = {}


def set_runtime_factory(factory: RuntimeFactory) -> None:
    """The composition root (``bots.bootstrap.worker_runtime``) adds the platform Deliverers."""
    global _factory
    _factory = factory


def _loop() -> asyncio.AbstractEventLoop:
    loop = _state.get("loop")
    if loop is None:
        loop = _state["loop"] = asyncio.new_event_loop()
    return loop


def runtime() -> Runtime:
    """This process's runtime, opened on first use (after the fork: no connection crosses it)."""
    rt = _state.get("runtime")
    if rt is None:
        settings = _state.get("settings") or Settings.from_env()
        stack = contextlib.AsyncExitStack()
        rt = _loop().run_until_complete(stack.enter_async_context(_factory(settings)))
        _state["stack"] = stack
        if settings.broker_url and settings.broker_url.startswith(("redis://", "rediss://")):
            import redis  # noqa: PLC0415 - optional dependency (celery[redis]), only with a Redis broker

            rt.redis = redis.Redis.from_url(settings.broker_url)
            rt.leases = TenantLeases(
                rt.redis, settings.max_briefings_per_tenant, lease_seconds=settings.task_visibility_seconds
            )
        _state["runtime"] = rt
    return rt


def run(coro: Any) -> Any:
    return _loop().run_until_complete(coro)


@signals.worker_process_init.connect
def _process_init(**_: Any) -> None:
    """Each pool process: settings once, spaCy loaded once and the runtime (store, Deliverers, Redis)
    opened, before the first task arrives (a morning fan-out does not wait for cold processes)."""
    from briefings.extract import nlp as nlp_loader  # noqa: PLC0415 - loads spaCy (2.5 s): in pool processes only

    _state.clear()
    settings = _state["settings"] = Settings.from_env()
    nlp_loader.load(settings.model)
    try:
        runtime()
    except Exception:  # noqa: BLE001 - e.g. the database not up yet: the first task opens it
        log.exception("could not open the worker runtime at start; the first task will retry")


@signals.worker_process_shutdown.connect
def _process_shutdown(**_: Any) -> None:
    stack = _state.pop("stack", None)
    if stack is not None:
        with contextlib.suppress(Exception):
            run(stack.aclose())


def _unlock(rt: Runtime, name: str) -> None:
    if rt.redis is not None:
        rt.redis.delete(LOCK_PREFIX + name)


# ---------------------------------------------------------------- tasks

_TASK = {"acks_late": True, "reject_on_worker_lost": True, "bind": True}


@app.task(name=BRIEF, max_retries=None, **_TASK)
def brief_task(self: Any, article: dict[str, Any], tenant: str | None = None) -> dict[str, Any]:
    """Brief one article (``pipeline.brief_article``); a tenant at its cap goes to the back of the queue."""
    from briefings.pipeline import brief_article  # noqa: PLC0415 - loads spaCy (2.5 s): in pool processes only

    rt = runtime()
    holder = str(self.request.id)
    leased = False
    if tenant and rt.leases is not None:
        if not rt.leases.acquire(tenant, holder):
            raise self.retry(countdown=0.2 + 0.3 * random.random())
        leased = True
    try:
        return {"briefing": briefing_to_json(brief_article(Article(**article), rt.settings))}
    except BriefbotError as exc:
        return {"error": exc.message}
    finally:
        if leased:
            rt.leases.release(tenant, holder)


@app.task(name=POLL_FEED, **_TASK)
def poll_feed_task(self: Any, feed_id: int) -> dict[str, int]:
    """One feed's conditional GET and filing (``Poller.poll_feed``)."""
    rt = runtime()
    try:
        report = run(rt.poller.poll_feed(feed_id))
    finally:
        _unlock(rt, f"poll:{feed_id}")
    return {"new_items": report.new_items, "failed": report.failed}


@app.task(name=SEND_OUTBOX, **_TASK)
def send_outbox_task(self: Any, channel_ids: list[int]) -> int:
    """Send these channels' sendable outbox entries (``OutboxWorker.run_once`` on these channels: one
    query for their heads, one claim for all, the sends side by side, each paced and recorded); a short
    pacing wait is slept here, a longer one is left to the dispatcher's next round. Returns the
    messages this task sent."""
    rt = runtime()

    async def all_of() -> int:
        sent = rt.outbox.stats.sent
        wait = await rt.outbox.run_once(channel_ids)
        while wait is not None and wait <= 1.5:
            await asyncio.sleep(wait)
            wait = await rt.outbox.run_once(channel_ids)
        return int(rt.outbox.stats.sent - sent)

    try:
        return int(run(all_of()))
    finally:
        if rt.redis is not None and channel_ids:
            rt.redis.delete(*(LOCK_PREFIX + f"outbox:{c}" for c in channel_ids))


@app.task(name=DECIDE_SLOTS, **_TASK)
def decide_slots_task(self: Any, part: int = 0, parts: int = 1) -> int:
    """The morning slot decisions due now (``Scheduler.tick``), of one part of the channels; each slot
    is decided once."""
    rt = runtime()
    try:
        decisions = run(rt.scheduler.tick(part=part, parts=parts))
    finally:
        _unlock(rt, f"decide:{part}/{parts}")
    return sum(1 for d in decisions if d.status == "queued")
