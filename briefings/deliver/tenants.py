"""Per-tenant (Slack workspace / Discord guild) concurrency caps for briefings on workers.

The frontend names the tenant of a briefing (``tenant_scope``, a context variable, so no signature
changes along the way); the worker holds a lease in a Redis sorted set while it briefs. A tenant at its
cap has its task put back at the end of its queue, so the other tenants' briefings run first. Leases
expire (a worker killed with kill -9 frees its slot after ``lease_seconds``); a redelivered task
re-uses its own lease (the member is the task id).
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator
from typing import Any

current_tenant: contextvars.ContextVar[str | None] = contextvars.ContextVar("briefbot_tenant", default=None)

_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0
"""


@contextlib.contextmanager
def tenant_scope(tenant: str | None) -> Iterator[None]:
    """Briefings asked for inside this block count against ``tenant``'s cap on the workers."""
    token = current_tenant.set(tenant)
    try:
        yield
    finally:
        current_tenant.reset(token)


def tenant_of(platform: str, workspace: str | None, channel: str) -> str:
    """``slack:T123`` (a workspace), ``discord:4567`` (a guild); a channel when there is no workspace."""
    return f"{platform}:{workspace or channel}"


class TenantLeases:
    """At most ``cap`` briefings at once per tenant, across every worker sharing the Redis at ``redis``."""

    def __init__(self, redis: Any, cap: int, *, lease_seconds: float = 900.0) -> None:
        self.redis = redis
        self.cap = cap
        self.lease_seconds = lease_seconds
        self._acquire = redis.register_script(_ACQUIRE)

    @staticmethod
    def key(tenant: str) -> str:
        return f"briefbot:tenant:{tenant}"

    def acquire(self, tenant: str, holder: str) -> bool:
        now = time.time()
        ttl = int(self.lease_seconds) + 60
        return bool(
            self._acquire(
                keys=[self.key(tenant)], args=[now, now + self.lease_seconds, self.cap, holder, ttl]
            )
        )

    def release(self, tenant: str, holder: str) -> None:
        self.redis.zrem(self.key(tenant), holder)

    def held(self, tenant: str) -> int:
        self.redis.zremrangebyscore(self.key(tenant), "-inf", time.time())
        return int(self.redis.zcard(self.key(tenant)))
