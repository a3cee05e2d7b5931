"""One scheduler leader at a time: a PostgreSQL session-level advisory lock held by the leader's own
connection. Every scheduler process asks for it; one gets it and runs the scheduler (and feed polling);
the others wait and ask again every ``retry_seconds``. If the leader dies (even kill -9), PostgreSQL
drops its connection and with it the lock, and the next one to ask takes over. A leader whose
connection fails stops leading at once and asks again.

Leadership only avoids double work: each (subscription, local date, slot) is decided exactly once in
any case, by the unique ``slot_runs`` row written in the same transaction as the digest's outbox
entries (``scheduler.Scheduler._decide``), so even two leaders at once cannot send a slot twice.

On SQLite the single process is the leader.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..store import Store

log = logging.getLogger(__name__)

# The lock's name; the schema is part of the key so that databases shared by schemas lead apart.
LOCK_NAME = "briefbot:scheduler-leader:"

Work = Callable[[asyncio.Event], Awaitable[None]]


class Leadership:
    """``run(work, stop)`` runs ``work(leading)`` while this process holds the lock, until ``stop``."""

    def __init__(
        self,
        store: Store,
        *,
        retry_seconds: float = 5.0,
        on_elected: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.retry_seconds = retry_seconds
        self.on_elected = on_elected
        self.leading = False

    async def run(self, work: Work, stop: asyncio.Event) -> None:
        if self.store.dialect != "postgresql":
            self._elected()
            await work(stop)
            return
        while not stop.is_set():
            try:
                await self._lead_once(work, stop)
            except (SQLAlchemyError, OSError) as exc:
                log.warning("scheduler leadership: database unavailable (%s); asking again", exc)
            self.leading = False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.retry_seconds)

    def _elected(self) -> None:
        self.leading = True
        log.info("this process leads the scheduler")
        if self.on_elected:
            self.on_elected()

    async def _lead_once(self, work: Work, stop: asyncio.Event) -> None:
        """Try the lock once; if got, run ``work`` until ``stop`` or until the connection fails."""
        async with self.store.engine.connect() as conn:
            got = await conn.scalar(
                text("SELECT pg_try_advisory_lock(hashtext(:name || current_schema()))"), {"name": LOCK_NAME}
            )
            await conn.commit()  # a session-level lock: no transaction is kept open while leading
            if not got:
                return
            self._elected()
            leading = asyncio.Event()  # set: stop leading (asked to stop, or the lock is lost)
            task = asyncio.ensure_future(work(leading))
            try:
                while not stop.is_set() and not task.done():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self.retry_seconds)
                    try:  # still connected, so still holding the lock?
                        await conn.scalar(text("SELECT 1"))
                        await conn.commit()
                    except (SQLAlchemyError, OSError) as exc:
                        log.warning("scheduler leadership lost with the connection (%s)", exc)
                        break
            finally:
                leading.set()
                await asyncio.gather(task, return_exceptions=True)
                self.leading = False
            with contextlib.suppress(SQLAlchemyError, OSError):
                await conn.execute(
                    text("SELECT pg_advisory_unlock(hashtext(:name || current_schema()))"),
                    {"name": LOCK_NAME},
                )
                await conn.commit()
