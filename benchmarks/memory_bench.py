"""Statement memory benchmark: ``who`` and ``track`` matching over 100,000 stored statements, on SQLite
and (with a URL) PostgreSQL. Prints one JSON object: p50/p95/max in milliseconds per operation.

- ``who_name``: ``/brief who <name>`` (a full name or a surname alone) -> rendered answer;
- ``who_keyword``: ``/brief who <word>`` naming nobody -> full-text search (FTS5 / tsvector + GIN) for
  a topic word found in about 1 % of the statements (1,000 matches);
- ``track_filed``: a feed's new article (5 statements) filed for a channel with 10 tracks (5 names,
  5 keywords): remembered, matched against every track, messages queued - one transaction.

    .venv/bin/python benchmarks/memory_bench.py [--statements 100000] [--runs 200]
        [--database-url postgresql+asyncpg://briefbot@127.0.0.1:54329/briefbot_test]

SQLite always runs (a temporary file); PostgreSQL runs with ``--database-url`` or
BRIEFBOT_TEST_DATABASE_URL, in a schema of its own that is dropped afterwards. Target: p95 <= 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine

import bots  # noqa: F401 - registers the platforms (tracking messages are rendered by Slack's)
from briefings.clock import FakeClock
from briefings.deliver.memory import MemoryService
from briefings.models import Briefing, StatementRecord
from briefings.settings import Settings
from briefings.store import Channel, MemorySpeaker, MemoryStatement, MemoryTrack, open_store
from briefings.store import memory as repo

NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
FIRST = (
    "John Jane Maria Ahmed Li Olga Pierre Fatima Kenji Ana Dmytro Hussein Sara Tom Amina Igor Chen Lucia "
    "Omar Eva Raj Nadia Paul Yuki Hans Ines Marco Leila Ivan Grace"
).split()
LAST = [
    f"{a}{b}"
    for a in ("Kal", "Mor", "Ben", "Sut", "Var", "Lin", "Dro", "Per", "Qas", "Ald")
    for b in (
        "ov",
        "ez",
        "son",
        "ari",
        "enko",
        "ini",
        "berg",
        "ani",
        "ski",
        "ton",
        "elli",
        "ova",
        "ard",
        "ez-Ruiz",
        "ic",
    )
]
WORDS = (
    "ceasefire talks drones weapons budget audit libraries strike port bridge vaccine election tariff "
    "pipeline sanctions refugees housing railway hospital teachers police border water energy grain "
    "prisoners exchange inquiry contract reform"
).split()
FILLER = "the government would and said that on with for a in of to next year city plan new all".split()
ACTS = ("offer", "demand", "denial", "accusation", "statement", "statement", "statement")


# Other words of the statements: a Zipf-distributed vocabulary of 5,000 made-up words.
VOCABULARY = [f"w{n}x" for n in range(5000)]
ZIPF = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(VOCABULARY))))


def sentence(rng: random.Random) -> str:
    """15 words; one statement in three carries one of the 30 topic words (each topic word is then in
    about 1 % of the statements, as "drones" or "ceasefire" would be in a year of news)."""
    words = rng.choices(FILLER, k=8) + rng.choices(VOCABULARY, cum_weights=ZIPF, k=6)
    if rng.random() < 0.33:
        words.append(rng.choice(WORDS))
    rng.shuffle(words)
    return " ".join(words).capitalize()


async def fill(store: Any, n: int, rng: random.Random) -> list[str]:
    """n statements in scope "slack:T1" (90 %) and "slack:T2", 5 per article, by 450 people and 30
    organisations; returns the people's names."""
    people = [f"{f} {ln}" for f in FIRST for ln in rng.sample(LAST, 15)]
    speakers: list[dict[str, Any]] = []
    for scope in ("slack:T1", "slack:T2"):
        for name in people:
            key = repo.normalise(name)
            first, last = repo.name_parts(key, True)
            speakers.append(
                dict(
                    scope=scope,
                    name=name,
                    first=first,
                    last=last,
                    person=True,
                    keys=f"|{key}|{last}|",
                    role="Minister",
                    aliases="[]",
                    type="person",
                    last_seen=NOW,
                )
            )
        for i in range(30):
            name = f"{rng.choice(WORDS).capitalize()} Council {i}"
            key = repo.normalise(name)
            speakers.append(
                dict(
                    scope=scope,
                    name=name,
                    first="",
                    last=key,
                    person=False,
                    keys=f"|{key}|",
                    role=None,
                    aliases="[]",
                    type="organization",
                    last_seen=NOW,
                )
            )
    async with store.session() as session, session.begin():
        await session.execute(insert(MemorySpeaker), speakers)
    async with store.session() as session:
        rows = (await session.execute(text("SELECT id, scope, name FROM memory_speakers"))).all()
    by_scope: dict[str, list[tuple[int, str]]] = {}
    for sid, scope, name in rows:
        by_scope.setdefault(scope, []).append((sid, name))
    batch: list[dict[str, Any]] = []
    for i in range(n):
        scope = "slack:T1" if i % 10 else "slack:T2"
        sid, name = rng.choice(by_scope[scope])
        article = i // 5
        batch.append(
            dict(
                scope=scope,
                speaker_id=sid,
                speaker=name,
                role=None,
                act=rng.choice(ACTS),
                kind="indirect",
                cue="said",
                content=sentence(rng),
                confidence=0.9,
                start=i % 5,
                article_key=f"{article:040d}",
                article_url=f"https://news.example/{article}",
                article_title=f"Story {article}",
                article_date=None,
                said_at=NOW - timedelta(minutes=rng.randrange(0, 60 * 24 * 89)),
                seen_at=NOW,
            )
        )
        if len(batch) == 5000:
            async with store.session() as session, session.begin():
                await session.execute(insert(MemoryStatement), batch)
            batch = []
    if batch:
        async with store.session() as session, session.begin():
            await session.execute(insert(MemoryStatement), batch)
    if store.dialect == "postgresql":
        async with store.engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    return people


def summary(times: list[float]) -> dict[str, float]:
    ms = sorted(t * 1000 for t in times)
    return {
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(ms[max(0, int(len(ms) * 0.95) - 1)], 2),
        "max_ms": round(ms[-1], 2),
        "runs": len(ms),
    }


async def bench(url: str, *, n: int, runs: int, schema: str | None = None) -> dict[str, Any]:
    rng = random.Random(14)
    clock = FakeClock(NOW)
    async with open_store(url, schema=schema) as store:
        t0 = time.perf_counter()
        people = await fill(store, n, rng)
        loaded = time.perf_counter() - t0
        memory = MemoryService(store, Settings(), clock)
        async with store.session() as session, session.begin():
            channel = Channel(platform="slack", workspace="T1", channel="C1", created_at=NOW)
            session.add(channel)
            await session.flush()
            for term in [*rng.sample(people, 5), *rng.sample(WORDS, 5)]:
                session.add(MemoryTrack(channel_id=channel.id, term=term, acts="", created_at=NOW))
        out: dict[str, Any] = {"statements": n, "load_s": round(loaded, 1)}
        timings: dict[str, list[float]] = {"who_name": [], "who_keyword": [], "track_filed": []}
        for i in range(runs):
            person = rng.choice(people)
            name = person if i % 2 else person.split()[-1]  # full name, or the surname alone
            t = time.perf_counter()
            await memory.who("slack:T1", name + (" 30d" if i % 3 == 0 else ""))
            timings["who_name"].append(time.perf_counter() - t)
            t = time.perf_counter()
            await memory.who("slack:T1", rng.choice(WORDS))
            timings["who_keyword"].append(time.perf_counter() - t)
            record = [
                StatementRecord(
                    speaker=rng.choice(people),
                    act=rng.choice(ACTS),
                    kind="direct",
                    content=sentence(rng),
                    cue="said",
                    start=k * 100,
                )
                for k in range(5)
            ]
            briefing = Briefing(
                headline=f"New story {i}", source="", url=f"https://news.example/new/{i}", record=record
            )
            t = time.perf_counter()
            async with store.session() as session, session.begin():
                await memory.filed(session, channel, briefing)
            timings["track_filed"].append(time.perf_counter() - t)
        for name, times in timings.items():
            out[name] = summary(times)
        return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database-url", default=os.environ.get("BRIEFBOT_TEST_DATABASE_URL"))
    args = parser.parse_args()
    result: dict[str, Any] = {"target_p95_ms": 50}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        result["sqlite"] = await bench(url, n=args.statements, runs=args.runs)
    if args.database_url:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        try:
            result["postgresql"] = await bench(
                args.database_url, n=args.statements, runs=args.runs, schema=schema
            )
        finally:
            engine = create_async_engine(args.database_url)
            async with engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            await engine.dispose()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
