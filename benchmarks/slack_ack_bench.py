"""Ack latency of ``/brief``: N concurrent signed commands against the real bolt app on loopback.

Prints p50/p99/max of the time from sending each command to its HTTP answer (Slack
wants it within 3 s), while the briefings themselves run on the NLP worker thread,
and how long until all N briefings were posted. A benchmark that prints figures,
not a test.

    .venv/bin/python benchmarks/slack_ack_bench.py [--n 50] [--rounds 3] [--cold]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "slack")]

from slack_loopback import (  # noqa: E402 - the loopback Slack of the tests
    BOT_TOKEN,
    SIGNING_SECRET,
    SlackLoopback,
    command_form,
    form_body,
    signed_headers,
)

from bots.bootstrap import bootstrap  # noqa: E402
from bots.slack_app.app import SlackServices, build_app, make_client  # noqa: E402
from bots.slack_app.serve import build_web_app, settle_heap  # noqa: E402
from briefings.pipeline import Briefer  # noqa: E402
from briefings.settings import Settings  # noqa: E402

SEED = ROOT / "seeds" / "iran-ready-to-help-end-ukraine-war.txt"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def fire(url: str, bodies: list[str]) -> list[tuple[float, int]]:
    """Send every command at once and time each answer - run in another process: Slack is another
    machine, whose clock keeps running when ours stalls (a client thread would stall with us)."""

    async def one(http: aiohttp.ClientSession, body: str) -> tuple[float, int]:
        headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
        start = time.perf_counter()
        async with http.post(url, data=body.encode(), headers=headers) as response:
            await response.read()
            return time.perf_counter() - start, response.status

    async def all_of_them() -> list[tuple[float, int]]:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            return await asyncio.gather(*(one(http, b) for b in bodies))

    return asyncio.run(all_of_them())


class SlackThread:
    """The loopback Slack on its own thread and event loop: the platform is not our process's work."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.slack: SlackLoopback = self.call(SlackLoopback().start())

    def call(self, coro):  # type: ignore[no-untyped-def]
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    async def wait_for(self, predicate) -> None:  # type: ignore[no-untyped-def]
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self.slack.wait_for(predicate), self.loop))

    def stop(self) -> None:
        self.call(self.slack.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()


async def main(n: int, cold: bool, rounds: int) -> None:
    platform = SlackThread()
    settings = Settings(
        allow_private_hosts=True,
        data_dir=Path(tempfile.mkdtemp(prefix="slack-ack-bench-")),
        env={
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "BRIEFBOT_SLACK_API_URL": platform.slack.base_url,
        },
    )
    briefer = Briefer(settings)
    try:
        if not cold:
            await asyncio.to_thread(briefer.warm_up)
            settle_heap()  # as serve() does after loading the pipeline
        async with bootstrap(settings, briefer=briefer) as core:
            await burst(settings, SlackServices(briefer=briefer, chat=core.chat), platform, n, cold, rounds)
    finally:
        briefer.close()
        platform.stop()


async def burst(
    settings: Settings, services: SlackServices, platform: SlackThread, n: int, cold: bool, rounds: int
) -> None:
    slack = platform.slack
    loop = asyncio.get_running_loop()
    slack_side = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    await loop.run_in_executor(slack_side, time.perf_counter)  # start the process before timing anything
    seed = SEED.read_text("utf-8")
    article_url = slack.serve_article("seed.txt", seed)
    bolt = build_app(settings, services, client=make_client(settings, token=BOT_TOKEN))
    runner = web.AppRunner(build_web_app(bolt), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/slack/events"
    if not cold:
        # a running server has answered a command before: bolt's one-time auth.test is behind it
        await loop.run_in_executor(
            slack_side, fire, url, [form_body(command_form("help", response_url=slack.response_url("w")))]
        )
        await platform.wait_for(lambda s: s.responses)
        slack.responses.clear()

    print(
        f"/brief x{n} concurrent, {'cold (spaCy loads during the burst)' if cold else 'warm (spaCy loaded)'}"
    )
    all_ms: list[float] = []
    for r in range(rounds):
        # half fetch the seed from a loopback URL, half paste it
        bodies = [
            form_body(
                command_form(article_url if i % 2 else seed, response_url=slack.response_url(f"r{r}-{i}"))
            )
            for i in range(n)
        ]
        posted_before, answered_before = len(slack.calls_to("chat.postMessage")), len(slack.responses)
        started = time.perf_counter()
        timings = await loop.run_in_executor(slack_side, fire, url, bodies)
        acked = time.perf_counter() - started
        expected = posted_before + answered_before + n
        await platform.wait_for(
            lambda s, e=expected: len(s.calls_to("chat.postMessage")) + len(s.responses) >= e
        )
        done = time.perf_counter() - started
        ms = [t * 1000 for t, _ in timings]
        all_ms += ms
        posted = len(slack.calls_to("chat.postMessage")) - posted_before
        print(
            f"  round {r + 1}: HTTP {sorted({s for _, s in timings})}  ack ms p50 {statistics.median(ms):.1f}"
            f"  p99 {percentile(ms, 99):.1f}  max {max(ms):.1f}  (burst acked in {acked * 1000:.0f} ms);"
            f"  posted {posted}/{n}, errors {len(slack.responses) - answered_before}, all done in {done:.1f} s"
        )
    await runner.cleanup()
    slack_side.shutdown()
    print(
        f"  all {len(all_ms)} commands: ack ms p50 {statistics.median(all_ms):.1f}  p99 {percentile(all_ms, 99):.1f}"
        f"  max {max(all_ms):.1f}  (Slack allows 3000)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="concurrent /brief commands (default 50)")
    parser.add_argument("--cold", action="store_true", help="do not load spaCy first")
    parser.add_argument("--rounds", type=int, default=3, help="bursts one after another (default 3)")
    args = parser.parse_args()
    asyncio.run(main(args.n, args.cold, args.rounds))
