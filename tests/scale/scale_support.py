"""Helpers of the scale tests and of ``benchmarks/scale_bench.py`` and ``fanout_bench.py``: real Redis,
real PostgreSQL, real ``briefbot worker`` subprocesses (each in its own process group, killed with it),
loopback Slack (counting, or enforcing a rate limit), the fan-out's seed."""

from __future__ import annotations

import asyncio
import hashlib
import math
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "slack"))
from slack_loopback import SlackLoopback  # noqa: E402

from briefings.clock import SystemClock  # noqa: E402
from briefings.deliver.digests import briefing_to_json  # noqa: E402
from briefings.models import Briefing, Bullet, Speaker  # noqa: E402
from briefings.store import ArticleRow, Channel, ChannelItem, Feed, SubscriptionRow  # noqa: E402

WORKER_TOKENS = {"a": "xoxb-worker-a", "b": "xoxb-worker-b"}


def free_redis_db(base_url: str) -> str:
    """A Redis database (1-15) nobody uses now, flushed: concurrent runs on one server stay apart."""
    import redis

    root = base_url.rsplit("/", 1)[0] if base_url.count("/") > 2 else base_url.rstrip("/")
    for db in sorted(range(1, 16), key=lambda _: uuid.uuid4().int):
        client = redis.Redis.from_url(f"{root}/{db}")
        if client.set("briefbot:test:owner", str(os.getpid()), nx=True, ex=3600) and client.dbsize() == 1:
            return f"{root}/{db}"
    raise RuntimeError("no free Redis database (1-15) for this test")


def release_redis_db(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


async def pg_schema(base: str) -> str:
    return f"{base}{'&' if '?' in base else '?'}schema=t_{uuid.uuid4().hex[:16]}"


async def drop_pg_schema(base: str, url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    schema = url.rsplit("schema=", 1)[1]
    engine = create_async_engine(base)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await engine.dispose()


@dataclass
class Workers:
    """``briefbot worker`` subprocesses sharing one environment; every one is killed on ``stop_all``."""

    env: dict[str, str]
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: Path | None = None

    def start(self, name: str, *, queues: str | None = None, concurrency: int = 1, **env: str) -> None:
        argv = [
            sys.executable,
            "-m",
            "bots",
            "worker",
            "--concurrency",
            str(concurrency),
            "--name",
            f"{name}@test",
        ]
        if queues:
            argv += ["--queues", queues]
        log = open(self.logs / f"worker-{name}.log", "ab") if self.logs else subprocess.DEVNULL  # noqa: SIM115
        self.procs[name] = subprocess.Popen(
            argv,
            cwd=str(ROOT),
            env={**self.env, **env, "PYTHONPATH": str(ROOT)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill -9 takes the pool processes too
        )

    def kill(self, name: str) -> None:
        """kill -9 the worker and its pool processes (a machine lost mid-task)."""
        proc = self.procs[name]
        with _suppress():
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the workers' processes, pool processes included (each
        worker is a process group of its own; Linux ``/proc``), for a benchmark's CPU per message."""
        groups = {proc.pid for proc in self.procs.values()}
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with _suppress():
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) in groups:  # pgrp; then utime and stime at 11 and 12
                    ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop_all(self) -> None:
        for proc in self.procs.values():
            with _suppress():
                os.killpg(proc.pid, signal.SIGKILL)
        for proc in self.procs.values():
            with _suppress():
                proc.wait(10)


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> bool:
        return exc[0] is not None and issubclass(exc[0], (ProcessLookupError, PermissionError, OSError))


class CountingSlack(SlackLoopback):
    """Slack on loopback that knows which worker posted (each has its own token) and can kill -9 that
    worker the moment the platform has accepted its ``kill_at``-th post (it never learns it)."""

    def __init__(self) -> None:
        super().__init__()
        self.kill_at: int | None = None
        self.kill_worker: Any = None  # callable run once, when the post number kill_at arrives
        self.kill_token: str | None = None
        self.posts_by_token: dict[str | None, int] = {}
        self.killed = False

    def keys(self) -> list[str]:
        return [
            c.params["metadata"]["event_payload"]["idempotency_key"]
            for c in self.calls_to("chat.postMessage")
            if c.params.get("metadata")
        ]

    def _answer(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        answer = super()._answer(method, params, token)
        if method == "chat.postMessage":
            self.posts_by_token[token] = self.posts_by_token.get(token, 0) + 1
            if (
                not self.killed
                and self.kill_worker is not None
                and token == self.kill_token
                and self.posts_by_token[token] >= (self.kill_at or 1)
            ):
                self.killed = True
                self.kill_worker()
        return answer


class RateLimitedSlack:
    """Slack's Web API on loopback enforcing one rate limit for all callers: chat.postMessage draws from
    a token bucket of ``rate``/s (``burst`` deep) and is answered 429 + ``Retry-After`` (whole seconds,
    as Slack) beyond it; conversations.history answers from what was accepted (so ``already_sent``
    works). Lighter than ``SlackLoopback`` (nothing but the two methods), so that the loopback itself
    does not slow a fan-out of thousands of posts down."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.last = time.monotonic()
        self.accepted: list[str] = []  # idempotency keys, in order
        self.times: list[float] = []  # when each was accepted (time.monotonic)
        self.by_channel: dict[str, list[dict[str, Any]]] = {}
        self.limited = 0
        self.refused: list[tuple[float, str]] = []  # (when, idempotency key) of each 429
        self.first_ok = 0.0
        self.last_ok = 0.0
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Serve on a free port; return the Web API base URL."""
        app = web.Application()
        app.router.add_post("/api/chat.postMessage", self.post_message)
        app.router.add_post("/api/conversations.history", self.history)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/api/"  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def post_message(self, request: web.Request) -> web.Response:
        body = await request.json()
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens < 1:
            self.limited += 1
            self.refused.append((now, body["metadata"]["event_payload"]["idempotency_key"]))
            wait = max(1, math.ceil((1 - self.tokens) / self.rate))
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(wait)}
            )
        self.tokens -= 1
        self.first_ok = self.first_ok or now
        self.last_ok = now
        self.accepted.append(body["metadata"]["event_payload"]["idempotency_key"])
        self.times.append(now)
        ts = f"{now:.6f}"
        self.by_channel.setdefault(body["channel"], []).append(
            {"type": "message", "ts": ts, "metadata": body["metadata"]}
        )
        return web.json_response({"ok": True, "channel": body["channel"], "ts": ts})

    async def history(self, request: web.Request) -> web.Response:
        params = dict(request.query)
        if request.can_read_body:
            params.update(dict(await request.post()))
        return web.json_response({"ok": True, "messages": self.by_channel.get(params.get("channel", ""), [])})

    def bound(self, messages: int) -> float:
        """The least time from the first accepted post to the last for ``messages`` posts: the burst
        goes at once, the rest at ``rate``/s."""
        return max(1e-9, (messages - self.burst) / self.rate)

    def counters(self) -> dict[str, Any]:
        """What a benchmark reads back at the end (``RateLimitedSlackProcess.collect``)."""
        return {
            "accepted": self.accepted,
            "times": self.times,
            "limited": self.limited,
            "refused": self.refused,
            "first_ok": self.first_ok,
            "last_ok": self.last_ok,
        }


class RateLimitedSlackProcess(RateLimitedSlack):
    """``RateLimitedSlack`` served from a process of its own, on its own event loop, as the real Slack is
    not on ours: a benchmark's services stalling their loop must not hold requests unread and then
    hand them to the token bucket back to back (a burst the senders never sent). Same rules (it is the
    same class, in the child); ``collect()`` reads its counters back (``time.monotonic`` is the
    machine's, so its times compare with the parent's)."""

    def __init__(self, rate: float, burst: int) -> None:
        super().__init__(rate, burst)
        self._proc: Any = None
        self._conn: Any = None

    async def start(self) -> str:
        ctx = multiprocessing.get_context("spawn")  # nothing of this process's loop or sockets crosses
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve_rate_limited, args=(self.rate, self.burst, child), daemon=True)
        self._proc.start()
        child.close()
        url: str = await asyncio.to_thread(self._conn.recv)
        return url

    async def collect(self) -> None:
        """Copy the child's counters (accepted keys, times, 429s, first and last accepted post) here."""
        self._conn.send("counters")
        for name, value in (await asyncio.to_thread(self._conn.recv)).items():
            setattr(self, name, value)

    async def stop(self) -> None:
        if self._proc is None:
            return
        with _suppress():
            self._conn.send("stop")
        await asyncio.to_thread(self._proc.join, 10)
        if self._proc.is_alive():
            self._proc.kill()
        self._conn.close()
        self._proc = None


def _serve_rate_limited(rate: float, burst: int, conn: Any) -> None:
    """The child of ``RateLimitedSlackProcess``: serve until told to stop (or the parent is gone)."""

    async def serve() -> None:
        slack = RateLimitedSlack(rate, burst)
        conn.send(await slack.start())
        try:
            while await asyncio.to_thread(conn.recv) != "stop":
                conn.send(slack.counters())
        except EOFError:
            pass
        finally:
            await slack.stop()

    asyncio.run(serve())


def sample_briefing(i: int) -> Briefing:
    return Briefing(
        headline=f"Council agrees budget {i}",
        source=f"https://bench.example/{i}",
        url=f"https://bench.example/{i}",
        speakers=[Speaker(name="Mayor Jane Doe", statements=2)],
        bullets=[Bullet("Mayor Jane Doe", "offer", "direct", "We will fund it", "said", 0, 15)],
        total_statements=2,
        counts={"offer": 1, "statement": 1},
    )


async def seed_fanout(store: Any, n: int, *, workspace: str = "T0TEST", tz: str = "Europe/Berlin") -> None:
    """n Slack channels subscribed to a digest due a minute ago, each with one briefed article waiting."""
    now = SystemClock().now()
    due = (now - timedelta(minutes=1)).astimezone(ZoneInfo(tz)).strftime("%H:%M")
    async with store.session() as session, session.begin():
        feed = Feed(url="https://bench.example/feed.xml", interval_s=900, consecutive_failures=0)
        # Not due for a poll during the test (the feed is not served).
        feed.next_poll_at = now + timedelta(days=1)
        session.add(feed)
        await session.flush()
        for i in range(n):
            ch = Channel(
                platform="slack", workspace=workspace, channel=f"C{i:06d}", timezone=tz, created_at=now
            )
            session.add(ch)
            await session.flush()
            session.add(
                SubscriptionRow(
                    channel_id=ch.id,
                    feed_id=feed.id,
                    times=due,
                    weekdays="mon-sun",
                    timezone=tz,
                    mode="digest",
                    active=True,
                    created_at=now - timedelta(hours=1),
                )
            )
            b = sample_briefing(i)
            h = hashlib.sha256(f"bench {i}".encode()).hexdigest()
            session.add(
                ArticleRow(
                    content_hash=h,
                    url=b.url,
                    title=b.headline,
                    text="",
                    briefing_json=briefing_to_json(b),
                    created_at=now,
                )
            )
            await session.flush()
            session.add(
                ChannelItem(
                    channel_id=ch.id,
                    feed_id=feed.id,
                    content_hash=h,
                    url=b.url,
                    title=b.headline,
                    discovered_at=now,
                )
            )


async def wait_until(predicate: Any, guard: float, what: str, step: float = 0.1) -> None:
    """Poll ``predicate`` (sync or async) until true; fail naming ``what`` after ``guard`` s (a hang guard)."""
    deadline = asyncio.get_running_loop().time() + guard
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {guard:.0f} s waiting for {what}")
        await asyncio.sleep(step)
