"""The outbox worker: sends queued messages through the platform Deliverers, at most once per entry.

Delivery guarantee
------------------
Every outbox entry is sent until the platform accepts it (or it fails permanently / exhausts
``max_attempts`` retryable failures, which is logged and recorded as ``failed``); nothing is dropped
silently. Entries are *claimed* (status ``sending``, attempts + 1) in a committed transaction before
any of them is sent (a batch of up to ``batch`` at a time), and the outcome of each is recorded as soon
as its send returns, in its own short transaction (status ``sent`` with the platform's message id). If
the process dies after the platform accepted a message but before the record, only that message (one
per channel being served at that instant) is found in ``sending`` on restart and
``Deliverer.already_sent(channel, idempotency_key)`` is asked before sending again: with Discord
(message nonce + ``enforce_nonce``, key also in the embed footer found in recent history) and Slack
(key in message metadata, found in recent channel history) this makes delivery **exactly once**. Where
``already_sent`` cannot know (the console after a restart; a Slack channel whose history the bot may
not read; a message pushed out of the recent history window) the guarantee is **at least once**, and
only for the messages in flight at the crash. The same check runs after an ambiguous failure (a 5xx or
a connection error, which the platform may have processed), not after a 429, which it did not process.
The decision to send a scheduled digest and its outbox entries are one transaction (see scheduler), so
a crash there loses nothing and repeats nothing either.

Messages of one channel go out in order (a digest's continuation messages), one at a time, at most one
per ``pacing[platform]`` seconds per channel; channels are served concurrently, at most ``rates[platform]``
messages per second per rate scope when a rate is known (``rate_scopes[platform]``: the whole platform,
or each workspace apart), taken before each send. A 429 pauses only the channel (the route) it came
from, for its ``retry_after``. All are buckets of a ``Pacer`` (``deliver/pacing.py``): in this process
by default, in Redis with ``BRIEFBOT_REDIS_URL`` so that every worker paces together and the rate
budget is one budget however many workers send.

Several workers (processes or machines) may drain one PostgreSQL outbox: an entry is claimed with
``SELECT ... FOR UPDATE SKIP LOCKED`` (one claimant per entry) and leased for ``lease`` seconds, so a
live worker's ``sending`` entry is left alone and a dead worker's is taken over (after an
``already_sent`` check) when its lease runs out. SQLite keeps the single-process path: no lease, a
``sending`` entry found at start is the previous run's.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from briefings.clock import Clock, sleep_until_woken
from briefings.deliver.delivery import (
    ChannelRef,
    Deliverer,
    DeliveryError,
    PermanentDeliveryError,
    RateLimited,
)
from briefings.deliver.pacing import LocalPacer, Pacer
from briefings.storage import OutboxEntryRecord, Storage
from briefings.store.repositories import SqlOutbox

log = logging.getLogger(__name__)

# Seconds between two messages to the same channel (Slack: about 1 message/s/channel).
DEFAULT_PACING: dict[str, float] = {"slack": 1.0, "discord": 0.5, "console": 0.0}
# Messages per second across all channels of a platform, paced ahead so 429s stay rare (Discord's
# global limit is 50 requests/s per bot). ``bots.bootstrap`` passes each platform's ``Limits`` instead.
DEFAULT_RATES: dict[str, float] = {"discord": 45.0}
PACE_BURST = 2  # sends that may go back to back after a pause (platforms allow a little burst)
# A reserved send slot overslept by more than this many intervals is given up for a fresh one. Sends
# up to this late put at most PACE_BURST + LATE_SLOTS = 5 sends in any window beyond the rate (a
# platform's short burst; scale_bench's loopback Slack allows 5). At 2, a loaded machine's oversleeps
# (20-40 ms: the event loop busy with other sends) gave up 7% of the budget's slots.
LATE_SLOTS = 3
# Seconds a PostgreSQL claim is leased to its worker (well over one send's HTTP timeouts and retries).
DEFAULT_LEASE = 300.0


async def enqueue(
    session: AsyncSession,
    channel_id: int,
    kind: str,
    payloads: Sequence[Any],
    *,
    key: str,
    now: datetime,
) -> int:
    """Queue ``payloads`` (in order) for a channel, in the caller's transaction (the code not yet on the
    storage port; the rest calls ``uow.outbox.enqueue``). Returns how many were queued."""
    return await SqlOutbox(session).enqueue(channel_id, kind, payloads, key=key, now=now)


@dataclass
class _Head:
    """The first unsent entry of one channel."""

    entry: OutboxEntryRecord
    ref: ChannelRef

    @property
    def route(self) -> str:
        """The pacing bucket of this channel (Slack and Discord rate-limit posting per channel)."""
        return f"{self.ref.platform}:{self.ref.workspace or ''}:{self.ref.channel}"


@dataclass
class WorkerStats:
    sent: int = 0
    recovered: int = 0  # found already sent after a crash or an ambiguous failure
    retried: int = 0
    rate_limited: int = 0
    failed: int = 0
    late_slots: int = 0  # reserved budget slots given up: woken too late to send in them


class OutboxWorker:
    """Drains the outbox. ``run_once()`` sends everything sendable now; ``run()`` loops until stopped."""

    def __init__(
        self,
        store: Storage,
        deliverers: Mapping[str, Deliverer],
        clock: Clock,
        *,
        pacing: Mapping[str, float] | None = None,
        rates: Mapping[str, float] | None = None,
        rate_scopes: Mapping[str, str] | None = None,
        concurrency: int = 16,
        batch: int = 50,
        max_attempts: int = 8,
        base_backoff: float = 2.0,
        max_backoff: float = 900.0,
        rng: random.Random | None = None,
        pacer: Pacer | None = None,
        lease: float = DEFAULT_LEASE,
    ) -> None:
        self.store = store
        self.deliverers = dict(deliverers)
        self.clock = clock
        self.pacing = {**DEFAULT_PACING, **(pacing or {})}
        self.rates = {**DEFAULT_RATES, **(rates or {})}
        # platform -> "platform" (one budget for the bot) or "workspace" (one per workspace/guild)
        self.rate_scopes = dict(rate_scopes or {})
        self.pacer: Pacer = pacer or LocalPacer()  # channel and platform buckets (Redis: shared)
        self.lease = timedelta(seconds=lease)
        self._pacers: dict[str, asyncio.Lock] = {}
        self.concurrency = concurrency
        self.batch = batch
        self.max_attempts = max_attempts
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self.rng = rng or random.Random()
        self.stats = WorkerStats()
        # route -> not before (what this worker last learnt of the route's bucket: pacing or a 429)
        self._not_before: dict[str, datetime] = {}
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """New entries were queued: look now rather than at the next poll."""
        self._wake.set()

    async def _heads(self, channel_ids: Sequence[int] | None = None) -> list[_Head]:
        """The first unsent entry of every channel (of ``channel_ids`` only, when given)."""
        async with self.store.unit_of_work() as uow:
            rows = await uow.outbox.heads(channel_ids)
        return [_Head(entry, ChannelRef(ch.platform, ch.channel, ch.workspace or None)) for entry, ch in rows]

    def _ready_at(self, head: _Head) -> datetime:
        """When this channel's head entry may be sent: its own backoff (or lease), channel pacing or 429
        pause as far as this worker knows (the pacer has the last word when the slot is taken)."""
        at = head.entry.next_attempt_at
        not_before = self._not_before.get(head.route)
        if not_before is not None:
            at = max(at, not_before)
        return at

    async def run_once(self, channel_ids: Sequence[int] | None = None) -> float | None:
        """Send every entry that can go now (channels in parallel, each in order); return the seconds
        until the next entry becomes sendable, or None when the outbox is empty. With ``channel_ids``
        (a worker's outbox task) only those channels: their heads read in one query and claimed in one
        transaction, not one of each per channel."""
        sem = asyncio.Semaphore(self.concurrency)
        while True:
            heads = [h for h in await self._heads(channel_ids) if h.ref.platform in self.deliverers]
            if not heads:
                return None
            now = self.clock.now()
            ready = [h for h in heads if self._ready_at(h) <= now]
            if not ready:
                soonest = min(self._ready_at(h) for h in heads)
                return max(0.0, (soonest - now).total_seconds())
            # Claims are written a batch at a time; each outcome is recorded as soon as its send returns.
            for start in range(0, len(ready), self.batch):
                await self._send_batch(ready[start : start + self.batch], sem)

    async def _send_batch(self, batch: list[_Head], sem: asyncio.Semaphore) -> None:
        claimed = await self._claim(batch)
        # Outcomes not recorded yet: each is recorded as soon as its send returns (a kill -9 then repeats
        # at most the messages in flight), and whatever a cancellation interrupted is recorded below.
        outcomes: list[tuple[_Head, dict[str, Any]]] = []

        async def one(head: _Head) -> None:
            async with sem:
                # A 429 earlier in this batch pauses the platform: leave the rest for the next round.
                if self._ready_at(head) > self.clock.now():
                    outcomes.append((head, self._unclaim(head)))
                    return
                await self._pace(head.ref)
                if self._ready_at(head) > self.clock.now() or not await self._take_route(head):
                    # A 429 came while we waited, or the channel's slot is taken (by another worker).
                    outcomes.append((head, self._unclaim(head)))
                    return
                outcome = (head, await self._attempt(head))
                outcomes.append(outcome)
                await self._record([outcome])
                outcomes.remove(outcome)

        tasks = [asyncio.ensure_future(one(h)) for h in batch if h.entry.id in claimed]
        try:
            if tasks:
                await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for t in tasks:
                if t.done() and not t.cancelled() and t.exception() is not None:
                    raise t.exception()  # type: ignore[misc]
        finally:
            # On any failure of the worker itself, nothing else of the batch goes out.
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            # Record what happened even when cancelled; a kill here leaves entries ``sending``, which
            # the next process checks with ``already_sent`` before sending again.
            if outcomes:
                await self._record(outcomes)

    def rate_bucket(self, ref: ChannelRef) -> str:
        """The platform-wide budget a send to ``ref`` draws from: ``rate:<platform>``, or
        ``rate:<platform>:<workspace>`` when the platform rates each workspace apart (Slack)."""
        if self.rate_scopes.get(ref.platform) == "workspace":
            return f"rate:{ref.platform}:{ref.workspace or ''}"
        return f"rate:{ref.platform}"

    async def _pace(self, ref: ChannelRef) -> None:
        """Wait for the next send slot of ``ref``'s rate budget: at most ``rates[platform]`` sends per
        second per budget, however many workers send (with Redis the bucket is theirs together).

        A GCRA token bucket of depth ``PACE_BURST``. One waiter at a time per worker and budget (the
        others queue behind it on a lock) reserves the next slot, one call to the pacer per send, and
        sleeps until it: waiters polling for a free slot cost each worker a call per slot, and most of
        a send's CPU. A waiter that wakes more than ``LATE_SLOTS`` intervals after its slot (this
        process or the machine stalled) takes a fresh slot instead of sending at once, so that the
        sends held up together do not bunch up beyond the platform's own burst allowance and run into
        429s: the budget stays timed by when sends really start, as far as a stall lets it.
        """
        rate = self.rates.get(ref.platform)
        if not rate:
            return
        bucket = self.rate_bucket(ref)
        interval = 1.0 / rate
        lock = self._pacers.setdefault(bucket, asyncio.Lock())
        async with lock:
            while True:
                asked = self.clock.now()
                wait = await self.pacer.reserve(bucket, interval, asked, burst=PACE_BURST)
                if wait <= 0:
                    return
                await self.clock.sleep(wait)
                late = (self.clock.now() - asked).total_seconds() - wait
                if late <= LATE_SLOTS * interval:
                    return
                self.stats.late_slots += 1

    async def _take_route(self, head: _Head) -> bool:
        """Take this channel's next send slot (``pacing[platform]`` apart); False when it is not free yet."""
        interval = self.pacing.get(head.ref.platform, 0.0)
        now = self.clock.now()
        wait = await self.pacer.take(head.route, interval, now)
        if wait > 0:
            self._not_before[head.route] = now + timedelta(seconds=wait)
            return False
        self._not_before[head.route] = now + timedelta(seconds=interval)
        return True

    async def run(self, stop: asyncio.Event, *, idle_seconds: float = 5.0) -> None:
        """Drain the outbox until ``stop`` is set; a failing round is logged and retried."""
        while not stop.is_set():
            self._wake.clear()
            try:
                wait = await self.run_once()
            except Exception:  # noqa: BLE001 - the loop must survive a DB hiccup
                log.exception("outbox round failed; retrying")
                wait = idle_seconds
            wait = idle_seconds if wait is None else min(wait, idle_seconds)
            if wait <= 0:
                continue
            await sleep_until_woken(self.clock, wait, self._wake, stop)

    async def _claim(self, batch: list[_Head]) -> set[int]:
        """Mark entries ``sending`` (attempts + 1) before touching the platform, committed, so a crash
        after a send is visible; returns the ids this worker got (another worker may have taken some)."""
        # One worker (SQLite): claimed by (id, attempts seen), a concurrent claim makes ours miss. Several
        # (PostgreSQL): each entry to one claimant (SKIP LOCKED), leased (``next_attempt_at`` = now +
        # lease) so other workers leave it alone while this one sends, and take it over (checking
        # ``already_sent`` first) if this one dies.
        lease = self.lease if self.store.concurrent else None
        seen = {head.entry.id: head.entry.attempts for head in batch}
        now = self.clock.now()
        async with self.store.unit_of_work() as uow:
            return await uow.outbox.claim(seen, now=now, lease=lease)

    def _unclaim(self, head: _Head) -> dict[str, Any]:
        """Not attempted after all: back to how it was (a ``sending`` entry stays ``sending``)."""
        return {
            "status": head.entry.status,
            "attempts": head.entry.attempts,
            "next_attempt_at": head.entry.next_attempt_at,
        }

    async def _record(self, outcomes: list[tuple[_Head, dict[str, Any]]]) -> None:
        async with self.store.unit_of_work() as uow:
            await uow.outbox.record([(head.entry.id, values) for head, values in outcomes])

    async def _attempt(self, head: _Head) -> dict[str, Any]:
        """One delivery attempt; returns the entry's new column values."""
        entry, ref = head.entry, head.ref
        deliverer = self.deliverers[ref.platform]
        attempt = entry.attempts + 1
        # Was a previous attempt possibly accepted by the platform? (crash while ``sending``, or an
        # ambiguous failure such as a 5xx); a 429 was certainly not processed.
        ambiguous = entry.status == "sending" or (
            entry.attempts > 0 and not (entry.last_error or "").startswith("429")
        )
        try:
            message_id: str | None = None
            if ambiguous:
                message_id = await deliverer.already_sent(ref, entry.idempotency_key)
                if message_id is not None:
                    self.stats.recovered += 1
                    log.info(
                        "outbox %d was already in %s (message %s): not re-sent", entry.id, ref, message_id
                    )
            if message_id is None:
                message_id = await deliverer.send(
                    ref, json.loads(entry.payload), idempotency_key=entry.idempotency_key
                )
                self.stats.sent += 1
            now = self.clock.now()
            return {"status": "sent", "message_id": str(message_id)[:128], "sent_at": now, "last_error": None}
        except RateLimited as exc:
            now = self.clock.now()
            wait = exc.retry_after if exc.retry_after is not None else self._backoff(attempt)
            self.stats.rate_limited += 1
            until = now + timedelta(seconds=wait)
            # Only this channel (route) waits, in every worker sharing the pacer.
            await self.pacer.block(head.route, until, now)
            self._not_before[head.route] = max(until, self._not_before.get(head.route, until))
            # A 429 is the platform pacing us, not a failure of this message: it does not use up an attempt.
            return {
                "status": "pending",
                "attempts": entry.attempts,
                "next_attempt_at": until,
                "last_error": f"429 {exc}"[:500],
            }
        except PermanentDeliveryError as exc:
            self.stats.failed += 1
            log.error("outbox %d to %s failed permanently: %s", entry.id, ref, exc)
            return {"status": "failed", "last_error": str(exc)[:500]}
        except (DeliveryError, OSError, TimeoutError) as exc:
            return self._retry_later(entry, ref, attempt, exc)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug in one adapter must not stop the whole outbox
            log.exception(
                "outbox %d to %s: unexpected error from the %s deliverer", entry.id, ref, ref.platform
            )
            return self._retry_later(entry, ref, attempt, exc)

    def _backoff(self, attempt: int) -> float:
        delay = min(self.max_backoff, self.base_backoff * 2 ** (attempt - 1))
        return delay * (0.8 + 0.4 * self.rng.random())  # jitter so a storm does not retry in lockstep

    def _retry_later(
        self, entry: OutboxEntryRecord, ref: ChannelRef, attempt: int, exc: BaseException
    ) -> dict[str, Any]:
        retry_after = getattr(exc, "retry_after", None)
        if attempt >= self.max_attempts:
            self.stats.failed += 1
            log.error("outbox %d to %s failed after %d attempts: %s", entry.id, ref, attempt, exc)
            return {"status": "failed", "last_error": str(exc)[:500]}
        wait = max(retry_after or 0.0, self._backoff(attempt))
        self.stats.retried += 1
        log.warning("outbox %d to %s: %s; retry %d in %.0f s", entry.id, ref, exc, attempt, wait)
        return {
            "status": "pending",
            "next_attempt_at": self.clock.now() + timedelta(seconds=wait),
            "last_error": (str(exc) or type(exc).__name__)[:500],
        }
