"""Child process for the leader failover test: a scheduler process on the store at ``argv[1]`` whose clock
reads ``argv[2]`` (ISO) at real time ``argv[3]`` (epoch seconds) and runs ``argv[4]`` times faster. It
prints ``elected`` when it takes the leadership and one ``decided <sub> <date> <slot> <status>`` line per
slot it decides; it runs until killed or SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from datetime import datetime, timedelta

from briefings.deliver.leader import Leadership
from briefings.deliver.scheduler import Scheduler
from briefings.settings import Settings
from briefings.store import open_store


class FastClock:
    def __init__(self, start: datetime, epoch: float, speed: float) -> None:
        self.start, self.epoch, self.speed = start, epoch, speed

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.time() - self.epoch) * self.speed)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)


class PrintingScheduler(Scheduler):
    async def tick(self):  # type: ignore[no-untyped-def]
        decisions = await super().tick()
        for d in decisions:
            print(f"decided {d.subscription_id} {d.local_date} {d.slot} {d.status}", flush=True)
        return decisions


async def main(db_url: str, start: str, epoch: float, speed: float) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    clock = FastClock(datetime.fromisoformat(start), epoch, speed)
    async with open_store(db_url, migrate=False) as store:
        scheduler = PrintingScheduler(store, Settings(), clock, tick_seconds=10.0)
        leadership = Leadership(store, retry_seconds=0.2, on_elected=lambda: print("elected", flush=True))
        print("started", flush=True)
        await leadership.run(scheduler.run, stop)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])))
