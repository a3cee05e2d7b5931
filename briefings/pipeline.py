"""The core's entry points: what the CLI and every adapter call.

``extract_articles`` and ``brief_article`` are synchronous and CPU-bound;
``Briefer`` runs them on one worker thread so async adapters stay responsive and
the spaCy pipeline is never used by two threads at once. Work waits for that thread
in a priority queue: short articles before long ones, scheduled (feed) briefings
before interactive giants, first come first served within a class.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

from briefings.errors import InputError
from briefings.extract import nlp as nlp_loader
from briefings.extract.extractor import extract_docs
from briefings.ingest.source import load_source
from briefings.models import Article, Briefing, Extraction
from briefings.present.compose import compose
from briefings.settings import Settings

Priority = Literal["scheduled", "interactive"]
# Size classes of the NLP queue, by characters: a short article never waits behind a long one queued
# before it (one already running is not interrupted: 200,000 characters take about 1.3 s).
SIZE_CLASSES = (20_000, 100_000)


def size_class(chars: int) -> int:
    return sum(chars >= bound for bound in SIZE_CLASSES)


def queue_rank(article: Article, priority: Priority) -> tuple[int, int]:
    """Order of the NLP queue: size class first, then scheduled before interactive. A scheduled
    briefing counts as at most medium-sized, so it never waits behind an interactive giant."""
    cls = size_class(len(article.text))
    if priority == "scheduled":
        return (min(cls, 1), 0)
    return (cls, 1)


def _briefings(n: int) -> str:
    return f"{n} briefing" if n == 1 else f"{n} briefings"


class BriefingLimits:
    """Briefings in progress per user and per channel; ``hold`` refuses one over the limit at once."""

    def __init__(self, per_user: int, per_channel: int) -> None:
        self.per_user = per_user
        self.per_channel = per_channel
        self.users: Counter[str] = Counter()
        self.channels: Counter[str] = Counter()

    @contextlib.contextmanager
    def hold(self, user: str, channel: str) -> Iterator[None]:
        if self.users[user] >= self.per_user:
            raise InputError(
                f"You already have {_briefings(self.users[user])} running; wait for one to finish "
                "(BRIEFBOT_MAX_BRIEFINGS_PER_USER)."
            )
        if self.channels[channel] >= self.per_channel:
            raise InputError(
                f"This channel already has {_briefings(self.channels[channel])} running; wait for one to "
                "finish (BRIEFBOT_MAX_BRIEFINGS_PER_CHANNEL)."
            )
        self.users[user] += 1
        self.channels[channel] += 1
        try:
            yield
        finally:
            self.users[user] -= 1
            self.channels[channel] -= 1
            if not self.users[user]:
                del self.users[user]
            if not self.channels[channel]:
                del self.channels[channel]


def extract_articles(articles: Iterable[Article], settings: Settings | None = None) -> Iterator[Extraction]:
    """Who said what, for each article, batched through ``nlp.pipe``."""
    settings = settings or Settings()
    return extract_docs(articles, nlp_loader.load(settings.model))


def brief_article(article: Article, settings: Settings | None = None) -> Briefing:
    """Article in, short briefing out."""
    settings = settings or Settings()
    extraction = next(iter(extract_articles([article], settings)))
    return compose(extraction, max_bullets=settings.max_bullets, max_chars=settings.max_bullet_chars)


class Briefer:
    """Runs the CPU-bound stages on one worker thread, fed by a priority queue (see ``queue_rank``);
    shared by every adapter of a process. ``limits`` caps briefings in progress per user and channel."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefbot-nlp")
        self._queue: list[tuple[tuple[int, int], int, Article, asyncio.Future[Briefing]]] = []
        self._seq = itertools.count()
        self._running = False
        self.limits = BriefingLimits(settings.max_briefings_per_user, settings.max_briefings_per_channel)

    async def brief(self, article: Article, *, priority: Priority = "interactive") -> Briefing:
        """Brief on the NLP thread when the article's turn comes. An interactive article (from a chat)
        longer than BRIEFBOT_CHAT_MAX_CHARS is refused with one line."""
        limit = self.settings.chat_max_chars
        if priority == "interactive" and len(article.text) > limit:
            raise InputError(
                f"That article is {len(article.text):,} characters; chat briefings take at most {limit:,} "
                "(BRIEFBOT_CHAT_MAX_CHARS)."
            )
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Briefing] = loop.create_future()
        heapq.heappush(self._queue, (queue_rank(article, priority), next(self._seq), article, done))
        self._next(loop)
        return await done

    async def brief_scheduled(self, article: Article) -> Briefing:
        """A feed's article (subscriptions, morning briefings): ahead of interactive giants."""
        return await self.brief(article, priority="scheduled")

    def _next(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start the queue's best job on the NLP thread unless one is running."""
        while self._queue and not self._running:
            _rank, _seq, article, done = heapq.heappop(self._queue)
            if done.done():  # its caller gave up (cancelled)
                continue
            self._running = True
            job = loop.run_in_executor(self._executor, brief_article, article, self.settings)

            def finished(job: asyncio.Future[Briefing], done: asyncio.Future[Briefing] = done) -> None:
                self._running = False
                if not done.done():
                    if job.cancelled():
                        done.cancel()
                    elif (exc := job.exception()) is not None:
                        done.set_exception(exc)
                    else:
                        done.set_result(job.result())
                self._next(loop)

            job.add_done_callback(finished)

    async def brief_source(self, source: str) -> tuple[Article, Briefing]:
        """Brief a URL or pasted text typed in a chat (never a local file)."""
        article = await load_source(source, self.settings)
        return article, await self.brief(article)

    def warm_up(self) -> None:
        """Load the pipeline now (at start-up) rather than on the first command."""
        self._executor.submit(nlp_loader.load, self.settings.model).result()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
