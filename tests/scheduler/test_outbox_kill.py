"""kill -9 of a real process in the middle of a fan-out to a Slack (on loopback) whose history the bot
may not read: ``already_sent`` cannot help, so only the messages in flight at the kill may repeat."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sched_support import T0, Rows
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "slack"))
from slack_loopback import SlackLoopback  # noqa: E402

from briefings.deliver.outbox import enqueue  # noqa: E402
from briefings.store import OutboxEntry, open_store  # noqa: E402

CHILD = Path(__file__).with_name("outbox_child.py")
ROOT = Path(__file__).resolve().parents[2]


class NoHistorySlack(SlackLoopback):
    """chat:write.public without history scopes; SIGKILLs the worker when post number ``kill_at`` arrives
    (the platform has accepted that message; the worker never learns it)."""

    def __init__(self, kill_at: int) -> None:
        super().__init__()
        self.kill_at = kill_at
        self.pid: int | None = None
        self.keys: list[str] = []
        self.killed = False

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if method == "conversations.history":
            return {"ok": False, "error": "missing_scope", "needed": "channels:history"}
        if method == "chat.postMessage":
            self.keys.append(params["metadata"]["event_payload"]["idempotency_key"])
            if len(self.keys) == self.kill_at and self.pid is not None and not self.killed:
                self.killed = True
                os.kill(self.pid, signal.SIGKILL)
        return super()._answer(method, params, token)


async def _run_child(db_url: str, slack: NoHistorySlack, concurrency: int) -> int:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(CHILD),
        db_url,
        slack.base_url,
        str(concurrency),
        cwd=str(ROOT),
        # PostgreSQL: the killed worker's claims are taken over 1 s after they were made.
        env={**os.environ, "PYTHONPATH": str(ROOT), "OUTBOX_CHILD_LEASE": "1"},
    )
    slack.pid = proc.pid
    return await asyncio.wait_for(proc.wait(), 300)  # a guard against a hang, not a timing assertion


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_kill_9_mid_fan_out_without_history_repeats_at_most_the_messages_in_flight(db_url, concurrency):
    channels, per_channel = 4, 30
    async with open_store(db_url) as store:
        rows = Rows(store)
        for c in range(channels):
            _sub, ch = await rows.subscription(channel=f"C{c}")
            async with store.session() as session, session.begin():
                await enqueue(
                    session,
                    ch.id,
                    "digest",
                    [{"text": f"C{c} part {i}"} for i in range(per_channel)],
                    key=f"fanout-{c}",
                    now=T0,
                )
        slack = await NoHistorySlack(kill_at=70).start()
        try:
            first = await _run_child(db_url, slack, concurrency)
            assert first == -signal.SIGKILL and slack.killed
            assert len(slack.keys) < channels * per_channel  # killed mid fan-out
            second = await _run_child(db_url, slack, concurrency)
            assert second == 0
        finally:
            await slack.stop()
        async with store.session() as session:
            statuses = Counter((await session.execute(select(OutboxEntry.status))).scalars())
    counts = Counter(slack.keys)
    duplicates = sum(n - 1 for n in counts.values())
    assert len(counts) == channels * per_channel  # every message arrived
    assert statuses == {"sent": channels * per_channel}
    # Before: outcomes were recorded per batch of 50, so such a kill repeated up to 50 messages.
    assert 1 <= duplicates <= concurrency, counts.most_common(5)
