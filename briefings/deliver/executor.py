"""The seam between "in this process" and "on Celery workers", on the frontend's side.

Unset ``BRIEFBOT_BROKER_URL``: ``bots.bootstrap`` builds today's ``pipeline.Briefer`` (one NLP thread)
and runs the poller, scheduler and outbox loops in the process, exactly as before. Set: it builds a
``CeleryBriefer`` (same interface: ``brief``, ``brief_scheduled``, ``brief_source``, ``limits``) whose
briefings run as ``briefbot.brief`` tasks, and a ``Dispatcher`` that, instead of polling, deciding and
sending itself, queues the due feeds, slot decisions and outbox channels as tasks. The task bodies
are the functions the embedded loops call (see ``briefings.deliver.workers``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime
from typing import Any

from celery import states
from sqlalchemy import or_, select

from briefings.clock import Clock
from briefings.deliver import workers
from briefings.deliver.digests import briefing_from_json
from briefings.deliver.tenants import current_tenant
from briefings.errors import BriefbotError, InputError
from briefings.models import Article, Briefing
from briefings.pipeline import Briefer, Priority
from briefings.settings import Settings
from briefings.store import Feed, OutboxEntry, Store, SubscriptionRow

log = logging.getLogger(__name__)


# Slot decision tasks per round: each decides the channels whose id is its part modulo this.
DECIDE_PARTS = 4


class WorkersUnavailable(BriefbotError):
    """No worker answered in time."""


class CeleryBriefer(Briefer):
    """A ``pipeline.Briefer`` that briefs on the workers: each article a ``briefbot.brief`` task on its
    lane, the result awaited without blocking the event loop (its NLP thread is never started)."""

    def __init__(self, settings: Settings, *, timeout: float = 600.0) -> None:
        super().__init__(settings)
        self.app = workers.producer(settings)
        self.timeout = timeout
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._poller: asyncio.Future[None] | None = None

    async def brief(self, article: Article, *, priority: Priority = "interactive") -> Briefing:
        limit = self.settings.chat_max_chars
        if priority == "interactive" and len(article.text) > limit:
            raise InputError(
                f"That article is {len(article.text):,} characters; chat briefings take at most {limit:,} "
                "(BRIEFBOT_CHAT_MAX_CHARS)."
            )
        queue = workers.lane(len(article.text), priority, self.settings)
        result = await asyncio.to_thread(
            self.app.send_task,
            workers.BRIEF,
            args=(article.to_dict(), current_tenant.get()),
            queue=queue,
        )
        answer = await self._wait(result)
        result.forget()
        if "error" in answer:
            raise InputError(answer["error"])
        return briefing_from_json(answer["briefing"])

    async def _wait(self, result: Any) -> dict[str, Any]:
        """The task's answer. With a key-value result backend (Redis) one loop fetches every awaited
        result with one MGET per round; otherwise each result is polled."""
        backend = self.app.backend
        if not hasattr(backend, "get_key_for_task") or not hasattr(backend, "mget"):
            return await self._poll_one(result)
        done: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[result.id] = done
        if self._poller is None or self._poller.done():
            self._poller = asyncio.ensure_future(self._poll_all())
        try:
            return await asyncio.wait_for(done, self.timeout)
        except TimeoutError:
            raise WorkersUnavailable(
                f"no briefbot worker answered within {self.timeout:.0f} s (is `briefbot worker` running?)"
            ) from None
        finally:
            self._waiting.pop(result.id, None)

    async def _poll_all(self) -> None:

        backend = self.app.backend
        pause = 0.01
        while self._waiting:
            ids = list(self._waiting)
            values = backend.mget([backend.get_key_for_task(i) for i in ids])
            got = False
            for task_id, raw in zip(ids, values, strict=True):
                if raw is None:
                    continue
                meta = backend.decode_result(raw)
                if meta["status"] not in states.READY_STATES:
                    continue
                done = self._waiting.pop(task_id, None)
                got = True
                if done is None or done.done():
                    continue
                if meta["status"] == states.SUCCESS:
                    done.set_result(meta["result"])
                else:
                    done.set_exception(WorkersUnavailable(f"the briefing task failed: {meta['result']!r}"))
            pause = 0.01 if got else min(0.05, pause * 1.5)
            await asyncio.sleep(pause)

    async def _poll_one(self, result: Any) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        pause = 0.01
        while not result.ready():
            if time.monotonic() > deadline:
                raise WorkersUnavailable(
                    f"no briefbot worker answered within {self.timeout:.0f} s (is `briefbot worker` running?)"
                )
            await asyncio.sleep(pause)
            pause = min(0.1, pause * 1.5)
        value: dict[str, Any] = result.get(propagate=True, disable_sync_subtasks=False)
        return value

    def warm_up(self) -> None:
        """Nothing to load here: the workers load spaCy."""

    def close(self) -> None:
        """Close the broker and result connections."""
        if self._poller is not None:
            self._poller.cancel()
        self.app.close()
        super().close()


class Dispatcher:
    """Queues due work as tasks, at most one queued task per feed, per channel and for the slots."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Clock,
        *,
        interval: float = 1.0,
        decide_every: float = 5.0,
        decide_parts: int = DECIDE_PARTS,
        requeue_after: float = 10.0,
        send_batch: int = 25,
    ) -> None:
        import redis.asyncio as aioredis  # noqa: PLC0415 - optional dependency (celery[redis])

        self.store = store
        self.settings = settings
        self.clock = clock
        self.interval = interval
        self.app = workers.producer(settings)
        # Longer than a redelivery takes, so a killed task is redone by its own message, not queued twice.
        self.lock_seconds = settings.task_visibility_seconds * 3
        assert settings.broker_url
        self.redis: Any = (
            aioredis.Redis.from_url(settings.broker_url)
            if settings.broker_url.startswith(("redis://", "rediss://"))
            else None
        )
        self.decide_every = decide_every
        self.decide_parts = decide_parts
        # Channels this dispatcher queued, and when: not offered to Redis again for ``requeue_after``
        # seconds (a morning's backlog of thousands would otherwise cost a SET NX each, every round).
        self.requeue_after = requeue_after
        self._queued: dict[int, float] = {}
        self.send_batch = send_batch
        self._last_decide = float("-inf")
        self.queued = 0

    async def _free(self, names: list[str]) -> list[bool]:
        """Take the dispatch lock of each name (one round trip for all); True where it was free."""
        if self.redis is None:  # RabbitMQ: no shared lock; an idempotent task may be queued twice
            return [True] * len(names)
        async with self.redis.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.set(workers.LOCK_PREFIX + name, "1", nx=True, ex=self.lock_seconds)
            return [bool(ok) for ok in await pipe.execute()]

    async def _send(self, items: list[tuple[str, tuple[Any, ...], str]]) -> None:
        """Publish each (task, args, queue) in one producer session."""
        if not items:
            return

        def publish() -> None:
            with self.app.producer_or_acquire() as producer:
                for task, args, queue in items:
                    self.app.send_task(task, args=args, queue=queue, producer=producer)

        await asyncio.to_thread(publish)
        self.queued += len(items)

    async def due_feeds(self, now: datetime) -> list[int]:
        async with self.store.session() as session:
            return list(
                (
                    await session.execute(
                        select(Feed.id).where(
                            Feed.id.in_(
                                select(SubscriptionRow.feed_id).where(SubscriptionRow.active.is_(True))
                            ),
                            or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now),
                        )
                    )
                ).scalars()
            )

    async def ready_channels(self, now: datetime) -> list[int]:
        async with self.store.session() as session:
            return list(
                (
                    await session.execute(
                        select(OutboxEntry.channel_id)
                        .where(
                            OutboxEntry.status.in_(("pending", "sending")),
                            OutboxEntry.next_attempt_at <= now,
                        )
                        .distinct()
                    )
                ).scalars()
            )

    async def round(self) -> None:
        """Queue everything due now: feed polls, the slot decisions, channels with sendable entries (in
        tasks of ``send_batch`` channels, sent side by side by the worker)."""
        now = self.clock.now()
        items: list[tuple[str, tuple[Any, ...], str]] = []
        feeds = await self.due_feeds(now)
        for feed_id, ok in zip(feeds, await self._free([f"poll:{f}" for f in feeds]), strict=True):
            if ok:
                items.append((workers.POLL_FEED, (feed_id,), "polling"))
        if time.monotonic() - self._last_decide >= self.decide_every:
            self._last_decide = time.monotonic()
            # In parts, so that a morning of thousands of channels is decided by several processes.
            names = [f"decide:{part}/{self.decide_parts}" for part in range(self.decide_parts)]
            for part, ok in enumerate(await self._free(names)):
                if ok:
                    items.append((workers.DECIDE_SLOTS, (part, self.decide_parts), "scheduled"))
        tick = time.monotonic()
        self._queued = {c: t for c, t in self._queued.items() if tick - t < self.requeue_after}
        channels = [c for c in await self.ready_channels(now) if c not in self._queued]
        oks = await self._free([f"outbox:{c}" for c in channels])
        free = [c for c, ok in zip(channels, oks, strict=True) if ok]
        self._queued.update(dict.fromkeys(free, tick))
        for start in range(0, len(free), self.send_batch):
            items.append((workers.SEND_OUTBOX, (free[start : start + self.send_batch],), "delivery"))
        await self._send(items)

    async def run(self, stop: asyncio.Event) -> None:
        """A round every ``interval`` seconds until ``stop``; a failing round is logged, never fatal."""
        while not stop.is_set():
            try:
                await self.round()
            except Exception:  # noqa: BLE001 - keep dispatching after a broker or DB hiccup
                log.exception("dispatch round failed; retrying")
            try:
                await asyncio.wait_for(stop.wait(), self.interval)
            except TimeoutError:
                pass

    async def close(self) -> None:
        self.app.close()
        if self.redis is not None:
            await self.redis.aclose()
