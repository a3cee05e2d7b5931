"""Morning briefings on time: local slots in each subscription's IANA zone (DST-correct), decided exactly
once per (subscription, local date, slot) in the same transaction as their outbox entries."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from briefings.clock import Clock, sleep_until_woken
from briefings.deliver.digests import QueueDigest, queue_digest
from briefings.errors import InputError
from briefings.settings import Settings
from briefings.storage import ChannelRecord, Conflict, SlotRecord, Storage, SubscriptionRecord

log = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Channels whose slots are decided at once on PostgreSQL (each a short transaction of its own; a
# morning of thousands of channels is decided at the database's pace, not one round trip after another).
# SQLite has one writer: one at a time.
DECIDE_CONCURRENCY = 8
_DAY_ALIASES = {"daily": "mon-sun", "everyday": "mon-sun", "weekdays": "mon-fri", "weekends": "sat-sun"}


# ---------------------------------------------------------------- parsing (user input -> canonical)


def parse_times(times: Iterable[str] | str) -> list[str]:
    """``"7:30,18:00"`` or ``["07:30"]`` -> ``["07:30", "18:00"]``; InputError on anything else."""
    items = times.split(",") if isinstance(times, str) else list(times)
    out: set[str] = set()
    for raw in items:
        raw = raw.strip()
        if not raw:
            continue
        hh, sep, mm = raw.partition(":")
        if not (
            sep and hh.isdigit() and mm.isdigit() and len(mm) == 2 and 0 <= int(hh) < 24 and int(mm) < 60
        ):
            raise InputError(f"{raw!r} is not a time of day; use 24-hour HH:MM such as 07:30")
        out.add(f"{int(hh):02d}:{int(mm):02d}")
    if not out:
        raise InputError("give at least one time of day, such as 07:30")
    if len(out) > 6:
        raise InputError("at most 6 briefing times a day")
    return sorted(out)


def parse_weekdays(spec: str) -> frozenset[int]:
    """``"mon-fri"``, ``"sat,sun"``, ``"daily"``, ``"fri-mon"`` -> weekday numbers (Monday = 0)."""
    spec = _DAY_ALIASES.get(spec.strip().lower(), spec.strip().lower())
    days: set[int] = set()
    for part in spec.split(","):
        part = part.strip()[:7]
        first, dash, last = part.partition("-")
        try:
            a = WEEKDAYS.index(first.strip()[:3])
            b = WEEKDAYS.index(last.strip()[:3]) if dash else a
        except ValueError:
            raise InputError(f"{part!r} is not a day or range of days; use e.g. mon-fri or sat,sun") from None
        n = a
        while True:  # ranges may wrap around the week (fri-mon)
            days.add(n)
            if n == b:
                break
            n = (n + 1) % 7
    return frozenset(days)


def canonical_weekdays(days: frozenset[int]) -> str:
    if len(days) == 7:
        return "mon-sun"
    if days == frozenset(range(5)):
        return "mon-fri"
    return ",".join(WEEKDAYS[d] for d in sorted(days))


def parse_timezone(name: str) -> ZoneInfo:
    try:
        if "/" not in name and name.upper() != "UTC":
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"{name!r} is not a time zone; use an IANA name such as Europe/Berlin") from None


# ---------------------------------------------------------------- slots (pure, DST-correct)


@dataclass(frozen=True)
class Slot:
    """One scheduled briefing: the local date and time it belongs to, and the UTC instant it is due."""

    local_date: date
    slot: str  # "07:30"
    due_at: datetime  # aware UTC


def local_instant(day: date, hhmm: str, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall time ``hhmm`` on ``day`` in ``tz``.

    Ambiguous (fall-back) wall times take their first occurrence. Wall times that do not exist
    (spring-forward gap) take the first valid instant after the gap, i.e. the transition itself.
    """
    hh, mm = (int(x) for x in hhmm.split(":"))
    wall = datetime.combine(day, time(hh, mm))
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first
    # In a gap: fold=0 lands after the transition, fold=1 before it; find the transition instant.
    lo = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    hi = first
    lo, hi = min(lo, hi), max(lo, hi)
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0)


def slots_between(
    times: Iterable[str], weekdays: frozenset[int], tz: ZoneInfo, start: datetime, end: datetime
) -> list[Slot]:
    """Every slot due in ``(start, end]`` (UTC instants), oldest first."""
    out: list[Slot] = []
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    while day <= last:
        if day.weekday() in weekdays:
            for hhmm in times:
                due = local_instant(day, hhmm, tz)
                if start < due <= end:
                    out.append(Slot(day, hhmm, due))
        day += timedelta(days=1)
    return sorted(out, key=lambda s: s.due_at)


def next_slot(times: Iterable[str], weekdays: frozenset[int], tz: ZoneInfo, after: datetime) -> Slot | None:
    slots = slots_between(times, weekdays, tz, after, after + timedelta(days=8))
    return slots[0] if slots else None


def digest_title(when: datetime, tz: ZoneInfo, kind: str = "briefing") -> str:
    """``Morning briefing, Friday 27 November`` in the channel's local time."""
    local = when.astimezone(tz)
    part = "Morning" if local.hour < 12 else "Afternoon" if local.hour < 17 else "Evening"
    return f"{part} {kind}, {local:%A} {local.day} {local:%B}"


# ---------------------------------------------------------------- the scheduler


@dataclass
class Decision:
    subscription_id: int
    local_date: str
    slot: str
    status: str  # queued | empty | skipped | taken (another process decided first)
    messages: int = 0


class Scheduler:
    """Fires due slots: ``tick()`` decides everything due now; ``run()`` ticks until stopped."""

    def __init__(
        self,
        storage: Storage,
        settings: Settings,
        clock: Clock,
        *,
        tick_seconds: float = 20.0,
        queue_digest: QueueDigest = queue_digest,
    ) -> None:
        self.storage = storage
        # Takes the channel's digest and queues it in the slot's unit of work: (messages, articles).
        self.queue_digest = queue_digest
        self.settings = settings
        self.clock = clock
        self.tick_seconds = tick_seconds
        self.grace = timedelta(hours=settings.grace_hours)
        self._wake = asyncio.Event()
        self.on_queued: list[Callable[[], None]] = []  # woken when messages were queued (the outbox worker)
        # Housekeeping run at each tick, given the time (the statement memory's retention purge).
        self.housekeeping: list[Callable[[datetime], Awaitable[object]]] = []

    def wake(self) -> None:
        self._wake.set()

    async def tick(self, *, part: int = 0, parts: int = 1) -> list[Decision]:
        """Decide every slot due between (now - lookback) and now that has no decision yet; with
        ``parts`` > 1 only the channels whose id is ``part`` modulo ``parts`` (workers decide a morning
        in parts side by side; the housekeeping runs in part 0)."""
        now = self.clock.now()
        if part == 0:
            for job in self.housekeeping:
                try:
                    await job(now)
                except Exception:  # noqa: BLE001 - housekeeping never holds up a briefing
                    log.exception("scheduler housekeeping failed")
        lookback = self.grace + timedelta(days=1)
        async with self.storage.unit_of_work() as uow:
            rows = await uow.subscriptions.scheduled(part=part, parts=parts)
            done = await uow.slots.decided_since(now - lookback - timedelta(days=1), part=part, parts=parts)
        # The due slots, grouped by channel: one channel's slots are decided in order (two of its
        # subscriptions must not both take its pending articles), channels side by side on PostgreSQL.
        by_channel: dict[int, list[tuple[int, SubscriptionRecord, ChannelRecord, Slot, str]]] = {}
        n = 0
        # Subscriptions on the same schedule (times, days, zone) have the same slots: computed once per
        # tick, not once per subscription (a tick on a morning of thousands repeats every few seconds).
        schedules: dict[tuple[tuple[str, ...], str, str, datetime], list[Slot]] = {}
        for sub, channel in rows:
            start = max(sub.created_at, now - lookback)
            schedule = (tuple(sub.times), sub.weekdays, sub.timezone, start)
            if (due := schedules.get(schedule)) is None:
                tz = ZoneInfo(sub.timezone)
                due = schedules[schedule] = slots_between(
                    sub.times, parse_weekdays(sub.weekdays), tz, start, now
                )
            for slot in due:
                key = (sub.id, slot.local_date.isoformat(), slot.slot)
                if key in done:
                    continue
                late = now - slot.due_at
                status = "queued"
                if late > self.grace:
                    status = "skipped"
                    log.warning(
                        "skipped the %s briefing of %s for subscription %d in %s: %s late, beyond the %s grace window",
                        slot.slot,
                        slot.local_date,
                        sub.id,
                        channel.platform,
                        late,
                        self.grace,
                    )
                by_channel.setdefault(channel.id, []).append((n, sub, channel, slot, status))
                n += 1
        decided: dict[int, Decision] = {}
        sem = asyncio.Semaphore(DECIDE_CONCURRENCY if self.storage.concurrent else 1)

        async def decide_channel(due: list[tuple[int, SubscriptionRecord, ChannelRecord, Slot, str]]) -> None:
            async with sem:
                for i, sub, channel, slot, status in due:
                    decided[i] = await self._decide(sub, channel, slot, status, now)

        outcomes = await asyncio.gather(
            *(decide_channel(due) for due in by_channel.values()), return_exceptions=True
        )
        # A failure (a DB hiccup) fails the tick as before, once every other channel's decision is done;
        # the next tick retries what was not decided.
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        decisions = [decided[i] for i in range(n)]
        if any(d.status == "queued" and d.messages for d in decisions):
            for callback in self.on_queued:
                callback()
        return decisions

    async def _decide(
        self, sub: SubscriptionRecord, channel: ChannelRecord, slot: Slot, status: str, now: datetime
    ) -> Decision:
        key_date = slot.local_date.isoformat()
        try:
            async with self.storage.unit_of_work() as uow:
                messages = 0
                items = 0
                if status == "queued":
                    title = digest_title(slot.due_at, ZoneInfo(sub.timezone))
                    messages, items = await self.queue_digest(
                        uow,
                        channel,
                        title=title,
                        now=now,
                        key=f"slot:{sub.id}:{key_date}:{slot.slot}",
                        cap=self.settings.digest_max_articles,
                        max_listed=self.settings.digest_max_listed,
                    )
                    if not messages:
                        status = "empty"
                await uow.slots.record(
                    SlotRecord(sub.id, key_date, slot.slot, slot.due_at, now, status, items)
                )
        except Conflict:
            # Another process decided this slot first: its transaction holds the outbox entries.
            return Decision(sub.id, key_date, slot.slot, "taken")
        if status != "skipped":
            log.info(
                "slot %s %s of subscription %d: %s (%d messages)",
                key_date,
                slot.slot,
                sub.id,
                status,
                messages,
            )
        return Decision(sub.id, key_date, slot.slot, status, messages)

    async def next_due(self) -> datetime | None:
        """The earliest future slot of any subscription (for sleeping until then)."""
        now = self.clock.now()
        async with self.storage.unit_of_work() as uow:
            rows = await uow.subscriptions.scheduled()
        best: datetime | None = None
        for sub, _channel in rows:
            s = next_slot(sub.times, parse_weekdays(sub.weekdays), ZoneInfo(sub.timezone), now)
            if s and (best is None or s.due_at < best):
                best = s.due_at
        return best

    async def run(self, stop: asyncio.Event) -> None:
        """Tick until ``stop`` is set; a failing tick is logged and retried, never fatal."""
        while not stop.is_set():
            try:
                await self.tick()
                nxt = await self.next_due()
            except Exception:  # noqa: BLE001 - the loop must survive a bad tick (DB hiccup)
                log.exception("scheduler tick failed; retrying")
                nxt = None
            wait = self.tick_seconds
            if nxt is not None:
                wait = max(0.05, min(wait, (nxt - self.clock.now()).total_seconds()))
            self._wake.clear()
            await sleep_until_woken(self.clock, wait, self._wake, stop)
