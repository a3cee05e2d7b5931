"""One scheduler leader at a time (PostgreSQL advisory lock): the leader is killed with kill -9, the
other process takes over, and each (subscription, date, slot) fires exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sched_support import Rows
from sqlalchemy import select

from briefings.deliver.leader import Leadership
from briefings.deliver.scheduler import Scheduler
from briefings.store import SlotRun, open_store

CHILD = Path(__file__).with_name("leader_child.py")
ROOT = Path(__file__).resolve().parents[2]
TIMES = "07:00,07:10,07:20,07:30,07:40,07:50"
START = datetime(2026, 3, 28, 5, 58, tzinfo=UTC)  # 06:58 in Berlin (the subscriptions' zone)
SPEED = 300.0  # five clock minutes per second: the six slots fall 2 s apart, 07:50 at 10.4 s


class Child:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        async for raw in self.proc.stdout:
            self.lines.append(raw.decode().strip())

    async def wait_line(self, predicate) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + 60  # a guard against a hang, not a timing assertion
        while not any(predicate(line) for line in self.lines):
            assert self.proc.returncode is None or self.lines, "child died"
            assert time.monotonic() < deadline, self.lines
            await asyncio.sleep(0.02)

    def decided(self) -> list[tuple[str, str, str]]:
        return [tuple(line.split()[1:4]) for line in self.lines if line.startswith("decided")]  # type: ignore[misc]


async def _child(db_url: str, epoch: float) -> Child:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(CHILD),
        db_url,
        START.isoformat(),
        str(epoch),
        str(SPEED),
        cwd=str(ROOT),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
    )
    return Child(proc)


async def test_leader_killed_the_other_takes_over_and_each_slot_fires_once(db_url):
    if db_url.startswith("sqlite"):
        pytest.skip("on SQLite the single process is the leader")
    subs = 4
    async with open_store(db_url) as store:
        rows = Rows(store)
        for c in range(subs):
            await rows.subscription(channel=f"C{c}", times=TIMES)
        epoch = time.time() + 1.0  # the clock reads 06:58 one second from now, in both processes
        first = await _child(db_url, epoch)
        await first.wait_line(lambda line: line == "elected")
        second = await _child(db_url, epoch)
        try:
            await second.wait_line(lambda line: line == "started")
            # The first leads: it decides 07:00 and 07:10 ... then it is killed.
            await first.wait_line(lambda line: line.startswith("decided") and " 07:20 " in line)
            assert "elected" not in second.lines and not second.decided()  # one leader at a time
            first.proc.send_signal(signal.SIGKILL)
            assert await first.proc.wait() == -signal.SIGKILL
            # PostgreSQL drops the dead leader's connection and lock; the other takes over ...
            await second.wait_line(lambda line: line == "elected")
            # ... and decides the rest, up to 07:50.
            await second.wait_line(lambda line: line.startswith("decided") and " 07:50 " in line)
        finally:
            for child in (first, second):
                if child.proc.returncode is None:
                    child.proc.send_signal(signal.SIGTERM)
                    await asyncio.wait_for(child.proc.wait(), 30)
                await child.reader
        async with store.session() as session:
            runs = Counter(
                (r.subscription_id, r.local_date, r.slot)
                for r in (await session.execute(select(SlotRun))).scalars()
            )
    by_first, by_second = first.decided(), second.decided()
    assert len(runs) == subs * 6 and set(runs.values()) == {1}  # every slot decided, each once
    assert by_first and by_second and not set(by_first) & set(by_second)
    assert len(by_first) + len(by_second) == subs * 6


async def test_without_a_leader_two_schedulers_still_fire_each_slot_once(db_url, settings, clock):
    """The guarantee under the leadership: the unique (subscription, date, slot) row, written in the same
    transaction as the digest's outbox entries. Two schedulers ticking at once (no lock) decide each
    slot once between them; the loser's decision is 'taken'."""
    async with open_store(db_url) as store:
        rows = Rows(store)
        for c in range(10):
            await rows.subscription(channel=f"C{c}", times="07:30")
        clock.set(datetime(2026, 3, 28, 6, 31, tzinfo=UTC))
        a, b = Scheduler(store, settings, clock), Scheduler(store, settings, clock)
        first, second = await asyncio.gather(a.tick(), b.tick())
        statuses = Counter(d.status for d in first + second)
        async with store.session() as session:
            runs = (await session.execute(select(SlotRun))).scalars().all()
    assert len(runs) == 10 and len({(r.subscription_id, r.local_date, r.slot) for r in runs}) == 10
    assert statuses["taken"] == len(first + second) - 10  # the rest were refused by the unique row


async def test_on_sqlite_the_single_process_leads(tmp_path):
    async with open_store(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}") as store:
        ran = asyncio.Event()

        async def work(stop: asyncio.Event) -> None:
            ran.set()

        leadership = Leadership(store)
        await leadership.run(work, asyncio.Event())
    assert ran.is_set() and leadership.leading
