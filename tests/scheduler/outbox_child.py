"""Child process for the kill -9 and two-worker tests: drains the outbox to Slack at ``argv[2]`` from the
store at ``argv[1]`` with the real SlackDeliverer and OutboxWorker (``argv[3]`` sends at once), then exits
0 (the test may kill it first). Optional, from the environment: ``OUTBOX_CHILD_LEASE`` (seconds a
PostgreSQL claim is leased, default 300), ``OUTBOX_CHILD_PACING`` (seconds between two messages to one
channel, default 0), ``OUTBOX_CHILD_RATE`` (Slack messages per second per workspace, default none),
``OUTBOX_CHILD_REDIS`` and ``OUTBOX_CHILD_REDIS_PREFIX`` (pacing shared through Redis),
``OUTBOX_CHILD_TOKEN`` (the bot token, so the test can tell the workers' posts apart),
``OUTBOX_CHILD_BARRIER`` (a folder) and ``OUTBOX_CHILD_BARRIER_N``: start sending only once N children
are ready (each leaves a file there), so that a slow start does not leave one of them nothing to send."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from bots.slack_app.app import make_client
from bots.slack_app.deliver import SlackDeliverer
from briefings.clock import SystemClock
from briefings.deliver.outbox import OutboxWorker
from briefings.deliver.pacing import PREFIX, LocalPacer, Pacer, RedisPacer
from briefings.settings import Settings
from briefings.store import open_store


async def main(db_url: str, api_url: str, concurrency: int) -> None:
    env = os.environ
    settings = Settings(env={"BRIEFBOT_SLACK_API_URL": api_url})
    redis_url = env.get("OUTBOX_CHILD_REDIS")
    pacer: Pacer = (
        RedisPacer.from_url(redis_url, prefix=env.get("OUTBOX_CHILD_REDIS_PREFIX", PREFIX))
        if redis_url
        else LocalPacer()
    )
    async with open_store(db_url, migrate=False) as store:
        client = make_client(
            settings, token=env.get("OUTBOX_CHILD_TOKEN", "xoxb-test-token"), retry_rate_limits=False
        )
        worker = OutboxWorker(
            store,
            {"slack": SlackDeliverer(client)},
            SystemClock(),
            pacing={"slack": float(env.get("OUTBOX_CHILD_PACING", "0"))},
            rates={"slack": float(env["OUTBOX_CHILD_RATE"])} if env.get("OUTBOX_CHILD_RATE") else None,
            rate_scopes={"slack": "workspace"},
            concurrency=concurrency,
            lease=float(env.get("OUTBOX_CHILD_LEASE", "300")),
            pacer=pacer,
        )
        await asyncio.to_thread(
            _barrier, env.get("OUTBOX_CHILD_BARRIER"), int(env.get("OUTBOX_CHILD_BARRIER_N", "0"))
        )
        try:
            for _ in range(100_000):
                wait = await worker.run_once()
                if wait is None:
                    return
                await asyncio.sleep(min(wait, 0.05))
            raise SystemExit("the outbox never drained")
        finally:
            await pacer.close()


def _barrier(folder: str | None, n: int) -> None:
    if not folder or n <= 1:
        return
    (Path(folder) / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + 120  # a guard against a hang
    while len(list(Path(folder).glob("ready-*"))) < n:
        if time.monotonic() > deadline:
            raise SystemExit("the other outbox children never became ready")
        time.sleep(0.02)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
