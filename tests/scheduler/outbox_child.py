"""Child process for the kill -9 test: drains the outbox to Slack at ``argv[2]`` from the store at
``argv[1]`` with the real SlackDeliverer and OutboxWorker, then exits 0 (the test may kill it first)."""

from __future__ import annotations

import asyncio
import sys

from bots.slack_app.app import make_client
from bots.slack_app.deliver import SlackDeliverer
from briefings.clock import SystemClock
from briefings.deliver.outbox import OutboxWorker
from briefings.settings import Settings
from briefings.store import open_store


async def main(db_url: str, api_url: str, concurrency: int) -> None:
    settings = Settings(slack_api_url=api_url)
    async with open_store(db_url, migrate=False) as store:
        client = make_client(settings, token="xoxb-test-token")
        worker = OutboxWorker(
            store,
            {"slack": SlackDeliverer(client)},
            SystemClock(),
            pacing={"slack": 0.0},
            concurrency=concurrency,
        )
        for _ in range(100_000):
            wait = await worker.run_once()
            if wait is None:
                return
            await asyncio.sleep(min(wait, 0.05))
        raise SystemExit("the outbox never drained")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
