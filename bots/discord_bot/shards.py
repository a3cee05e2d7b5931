"""``briefbot serve discord --shards 0,1 --shard-count 4``: run a subset of the bot's shards in this process
(Discord requires sharding from 2,500 guilds; each process takes some shards), and IDENTIFY them no faster
than the gateway allows: ``max_concurrency`` identifies per 5 seconds (``session_start_limit`` of
``GET /gateway/bot``), where discord.py on its own waits 5 s before every shard after the first."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass

from briefings.errors import ConfigError

IDENTIFY_WINDOW = 5.0  # seconds: Discord's identify rate-limit window


@dataclass(frozen=True)
class ShardPlan:
    shard_ids: list[int] | None  # None: all shards (discord.py asks Discord how many)
    shard_count: int | None


def parse_shards(shards: str | None, shard_count: int | None) -> ShardPlan:
    """Validate ``--shards`` / ``--shard-count``; one clear line per mistake."""
    if shards is None and shard_count is None:
        return ShardPlan(None, None)
    if shard_count is None:
        raise ConfigError("--shards needs --shard-count (the bot's total number of shards, e.g. 4)")
    if not 1 <= shard_count <= 100_000:
        raise ConfigError(f"--shard-count must be between 1 and 100000, got {shard_count}")
    if shards is None:
        return ShardPlan(list(range(shard_count)), shard_count)
    ids: list[int] = []
    for part in shards.split(","):
        part = part.strip()
        lo, dash, hi = part.partition("-")
        if not (lo.isdigit() and (not dash or hi.isdigit())):
            raise ConfigError(f"--shards takes shard numbers such as 0,1 or 0-3, got {part!r}")
        ids.extend(range(int(lo), int(hi if dash else lo) + 1))
    bad = [i for i in ids if i >= shard_count]
    if bad:
        raise ConfigError(
            f"--shards {bad[0]} is not below --shard-count {shard_count} (shards are numbered from 0)"
        )
    if not ids:
        raise ConfigError("--shards names no shard")
    if len(set(ids)) != len(ids):
        raise ConfigError("--shards names a shard twice")
    return ShardPlan(sorted(ids), shard_count)


class IdentifyPacer:
    """At most ``max_concurrency`` IDENTIFYs per ``window`` seconds (the gateway's session start limit)."""

    def __init__(self, max_concurrency: int = 1, window: float = IDENTIFY_WINDOW) -> None:
        self.max_concurrency = max(1, max_concurrency)
        self.window = window
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                while self._sent and now - self._sent[0] >= self.window:
                    self._sent.popleft()
                if len(self._sent) < self.max_concurrency:
                    self._sent.append(now)
                    return
                await asyncio.sleep(self.window - (now - self._sent[0]))
