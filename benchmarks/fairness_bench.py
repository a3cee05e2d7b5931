"""Fairness benchmark: three users keep a giant one-line page (BRIEFBOT_CHAT_MAX_CHARS characters, the
most a chat may ask for) in the NLP queue with ``/brief <url>`` while a fourth user asks for a normal
article every half second. Everything goes through the real ChatCommands, fetcher and NLP, articles
served on loopback. Prints JSON with the normal /brief's latency p50/p95/max (target p95 <= 5 s) and
how many giants finished meanwhile.

    .venv/bin/python benchmarks/fairness_bench.py [--normal 20] [--giant-chars 200000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

from briefings.clock import SystemClock
from briefings.deliver.chat import ChatCommands
from briefings.deliver.delivery import ChannelRef
from briefings.deliver.polling import Poller
from briefings.deliver.subscriptions import SubscriptionService
from briefings.pipeline import Briefer
from briefings.settings import Settings
from briefings.store import open_store

SEED = Path(__file__).resolve().parents[1] / "seeds" / "iran-ready-to-help-end-ukraine-war.txt"


async def run(normal: int, giant_chars: int) -> dict[str, object]:
    seed = SEED.read_text("utf-8")
    title, _, body = seed.partition("\n")
    one_line = body.replace("\n", " ")
    giant = title + "\n" + (one_line * (giant_chars // len(one_line) + 1))[:giant_chars]
    pages = {"seed": seed, "giant": giant}

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=pages[request.match_info["name"]], content_type="text/plain")

    app = web.Application()
    app.router.add_get("/{name}", page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    settings = Settings(allow_private_hosts=True, chat_max_chars=max(giant_chars + 1000, 200_000))
    clock = SystemClock()
    briefer = Briefer(settings)
    briefer.warm_up()
    stop = asyncio.Event()
    giants_done = 0
    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        async with open_store(f"sqlite+aiosqlite:///{Path(tmp) / 'b.sqlite3'}") as store:
            subs = SubscriptionService(store, Poller(store, settings, clock, briefer.brief), settings, clock)
            chat = ChatCommands(briefer=briefer, subscriptions=subs, settings=settings, clock=clock)

            async def giant_user(n: int) -> None:
                nonlocal giants_done
                while not stop.is_set():
                    reply = await chat.handle(
                        f"{base}/giant",
                        channel=ChannelRef("slack", f"CG{n}", "T"),
                        user=f"UG{n}",
                        can_manage=False,
                    )
                    assert reply.kind == "briefing", reply.text
                    giants_done += 1

            giants = [asyncio.ensure_future(giant_user(n)) for n in range(3)]
            await asyncio.sleep(1.0)  # the giants are queued and running
            try:
                for _ in range(normal):
                    t0 = time.perf_counter()
                    reply = await chat.handle(
                        f"{base}/seed",
                        channel=ChannelRef("slack", "CN", "T"),
                        user="UNORMAL",
                        can_manage=False,
                    )
                    latencies.append(time.perf_counter() - t0)
                    assert reply.kind == "briefing", reply.text
                    await asyncio.sleep(0.5)
            finally:
                stop.set()
                await asyncio.gather(*giants, return_exceptions=True)
    briefer.close()
    await runner.cleanup()
    latencies.sort()
    return {
        "giant_chars": giant_chars,
        "giants_running": 3,
        "giants_finished_meanwhile": giants_done,
        "normal_briefs": normal,
        "normal_p50_s": round(statistics.median(latencies), 2),
        "normal_p95_s": round(latencies[max(0, round(0.95 * len(latencies)) - 1)], 2),
        "normal_max_s": round(latencies[-1], 2),
        "target": "p95 <= 5 s",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--normal", type=int, default=20)
    parser.add_argument("--giant-chars", type=int, default=200_000)
    args = parser.parse_args()
    json.dump(asyncio.run(run(args.normal, args.giant_chars)), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
