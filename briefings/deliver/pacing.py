"""Send pacing shared by every outbox worker, as GCRA buckets: per channel (one message per ``pacing``
seconds, and a 429's ``Retry-After`` for that channel only) and per rate scope (the platform's
app-wide rate: per workspace on Slack, per bot on Discord; the outbox names the bucket).

A bucket is one number, its *theoretical arrival time* (TAT): a send may start when
``TAT - interval * (burst - 1) <= now``, and taking a slot moves the TAT one interval on, so over any
window of W seconds a bucket grants at most ``burst + W / interval`` slots, however many processes
take from it (``take`` grants a slot only when one is free now; ``reserve`` takes the next one, now or
later, and tells the caller when to send). A 429 pushes the TAT of the channel to the end of
``Retry-After``. Times are whole microseconds (an interval of 1/95 s is 10,526 us, not a truncated
10 ms that would send at 100/s).

``LocalPacer`` keeps the buckets in this process (the embedded default, no Redis). ``RedisPacer``
keeps them in Redis (``BRIEFBOT_REDIS_URL``), each call one atomic Lua script, so that N worker
processes on any number of machines share each channel's pacing and each platform-wide budget, and a
429 seen by one of them pauses that channel (only) for all of them. Both take the caller's clock, so
tests can use a fake one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

# Times are whole microseconds (a rate of 95/s is an interval of 10,526 us, not a truncated 10 ms).
# The GCRA state both scripts read: the bucket's theoretical arrival time (TAT) and the earliest
# time a send is allowed; and the step that takes a slot (the TAT one interval on).
_STATE = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
if tat < now then tat = now end
local allowed = tat - interval * (burst - 1)
"""
_STEP = """
local nxt = tat + interval
redis.call('SET', KEYS[1], string.format('%d', nxt), 'PX', math.ceil(math.max(nxt - now, 0) / 1000) + 60000)
"""
# Returns 0 when a slot was taken now, else the microseconds to wait (nothing taken).
# KEYS[1]: bucket; ARGV: now_us, interval_us, burst.
_TAKE = _STATE + "if allowed > now then return allowed - now end\n" + _STEP + "return 0\n"

# Takes the bucket's next slot, now or in the future, and returns the microseconds until it (0: now):
# the caller sends then. One call per send, however many processes wait on the bucket (polling ``_TAKE``
# costs each of them a call per slot). KEYS[1]: bucket; ARGV: now_us, interval_us, burst.
_RESERVE = _STATE + _STEP + "if allowed > now then return allowed - now end\nreturn 0\n"

# Pushes the bucket's TAT to at least ARGV[2] (a 429's end). KEYS[1]: bucket; ARGV: now_us, until_us.
_BLOCK = """
local now = tonumber(ARGV[1])
local untl = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if untl > tat then
  redis.call('SET', KEYS[1], string.format('%d', untl), 'PX', math.ceil(math.max(untl - now, 0) / 1000) + 60000)
end
return 0
"""


# Keys ``<PREFIX>:<bucket>`` (microsecond TATs; the millisecond ones of older versions were ``briefbot:pace``).
PREFIX = "briefbot:pace-us"


def _us(when: datetime) -> int:
    """``when`` in whole microseconds since the epoch (below 2**53: exact in Lua's doubles)."""
    return round(when.timestamp() * 1_000_000)


def _interval_us(interval: float) -> int:
    return round(interval * 1_000_000)


class Pacer(Protocol):
    """Shared buckets: ``take`` a send slot, ``block`` a bucket after a 429."""

    async def take(self, key: str, interval: float, now: datetime, *, burst: int = 1) -> float:
        """Take a slot of bucket ``key`` if one is free at ``now`` (return 0.0), else return the seconds
        until one is (nothing taken)."""
        ...

    async def reserve(self, key: str, interval: float, now: datetime, *, burst: int = 1) -> float:
        """Take the next slot of bucket ``key``, at ``now`` or later, and return the seconds until it
        (0.0: now); the caller sends at that time. The same grants as ``take`` polled without delay."""
        ...

    async def block(self, key: str, until: datetime, now: datetime) -> None:
        """No slot of ``key`` before ``until`` (a 429's Retry-After)."""
        ...

    async def close(self) -> None: ...


class LocalPacer:
    """The buckets in this process: the embedded default, same semantics as ``RedisPacer``."""

    def __init__(self) -> None:
        self._tat: dict[str, int] = {}

    async def take(self, key: str, interval: float, now: datetime, *, burst: int = 1) -> float:
        now_us, step = _us(now), _interval_us(interval)
        tat = max(self._tat.get(key, now_us), now_us)
        allowed = tat - step * (max(1, burst) - 1)
        if allowed > now_us:
            return (allowed - now_us) / 1_000_000
        self._tat[key] = tat + step
        return 0.0

    async def reserve(self, key: str, interval: float, now: datetime, *, burst: int = 1) -> float:
        now_us, step = _us(now), _interval_us(interval)
        tat = max(self._tat.get(key, now_us), now_us)
        self._tat[key] = tat + step
        return max(0, tat - step * (max(1, burst) - 1) - now_us) / 1_000_000

    async def block(self, key: str, until: datetime, now: datetime) -> None:
        self._tat[key] = max(self._tat.get(key, 0), _us(until))

    async def close(self) -> None:
        return None


class RedisPacer:
    """The buckets in Redis (keys ``<prefix>:<bucket>``), shared by every worker that uses the same URL."""

    def __init__(self, client: Any, *, prefix: str = PREFIX) -> None:
        self.client = client
        self.prefix = prefix
        self._take = client.register_script(_TAKE)
        self._reserve = client.register_script(_RESERVE)
        self._block = client.register_script(_BLOCK)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = PREFIX) -> RedisPacer:
        import redis.asyncio as redis  # noqa: PLC0415 - optional dependency (the `scale` extra)

        return cls(redis.Redis.from_url(url), prefix=prefix)

    async def take(self, key: str, interval: float, now: datetime, *, burst: int = 1) -> float:
        wait = await self._take(
            keys=[f"{self.prefix}:{key}"], args=[_us(now), _interval_us(interval), max(1, burst)]
        )
        return int(wait) / 1_000_000

    async def reserve(self, key: str, interval: float, now: datetime, *, burst: int = 1) -> float:
        wait = await self._reserve(
            keys=[f"{self.prefix}:{key}"], args=[_us(now), _interval_us(interval), max(1, burst)]
        )
        return int(wait) / 1_000_000

    async def block(self, key: str, until: datetime, now: datetime) -> None:
        await self._block(keys=[f"{self.prefix}:{key}"], args=[_us(now), _us(until)])

    async def close(self) -> None:
        await self.client.aclose()


def open_pacer(redis_url: str | None) -> Pacer:
    """``RedisPacer`` when a Redis URL is configured, else ``LocalPacer``."""
    return RedisPacer.from_url(redis_url) if redis_url else LocalPacer()


async def wait_for_slot(pacer: Pacer, key: str, interval: float, clock: Any, *, burst: int = 1) -> None:
    """Wait (on ``clock``) until a slot of ``key`` is taken."""
    while True:
        wait = await pacer.take(key, interval, clock.now(), burst=burst)
        if wait <= 0:
            return
        await clock.sleep(wait)
