"""Injected time: every scheduling decision asks a ``Clock``; tests and demos move it instead of sleeping."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """The current time (timezone-aware, UTC) and a way to wait for it to pass."""

    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """Real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class ShiftedClock(SystemClock):
    """Real time shifted by an offset (``briefbot run --now/--at``); ``advance`` jumps ahead for demos."""

    def __init__(self, start: datetime | None = None) -> None:
        self.offset = timedelta(0)
        if start is not None:
            self.offset = _aware(start) - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


class FakeClock:
    """Time that moves only when told to; ``sleep`` advances it at once (tests never really wait)."""

    def __init__(self, start: datetime) -> None:
        self._now = _aware(start)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = _aware(when)

    def advance(self, delta: timedelta | float) -> None:
        self._now += delta if isinstance(delta, timedelta) else timedelta(seconds=delta)

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.advance(seconds)
        await asyncio.sleep(0)  # still let other tasks run


async def sleep_until_woken(clock: Clock, seconds: float, *events: asyncio.Event) -> None:
    """Sleep ``seconds`` on ``clock``, or less when any of ``events`` is set first (a wake-up or stop)."""
    waiters = [
        asyncio.ensure_future(clock.sleep(seconds)),
        *(asyncio.ensure_future(e.wait()) for e in events),
    ]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waiters:
            w.cancel()


def _aware(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("clock times must be timezone-aware")
    return when.astimezone(UTC)
