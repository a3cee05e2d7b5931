"""The core's entry points: what the CLI and every adapter call.

``extract_articles`` and ``brief_article`` are synchronous and CPU-bound;
``Briefer`` runs them on one worker thread so async adapters stay responsive and
the spaCy pipeline is never used by two threads at once.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

from . import nlp as nlp_loader
from .extract import extract_docs
from .ingest import article_from_text, load_path
from .models import Article, Briefing, Extraction
from .settings import Settings

_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


def extract_articles(articles: Iterable[Article], settings: Settings | None = None) -> Iterator[Extraction]:
    """Who said what, for each article, batched through ``nlp.pipe``."""
    settings = settings or Settings()
    return extract_docs(articles, nlp_loader.load(settings.model))


def brief_article(article: Article, settings: Settings | None = None) -> Briefing:
    """Article in, short briefing out."""
    from .compose import compose  # noqa: PLC0415 - keeps `extract` free of presentation imports

    settings = settings or Settings()
    extraction = next(iter(extract_articles([article], settings)))
    return compose(extraction, max_bullets=settings.max_bullets, max_chars=settings.max_bullet_chars)


def is_url(text: str) -> bool:
    return bool(_URL.match(text.strip()))


async def load_source(source: str, settings: Settings, *, allow_files: bool = False) -> Article:
    """A URL, pasted text or (only with ``allow_files``, for the CLI) a local path -> Article.

    Chat adapters never pass ``allow_files``: text a stranger types must not read the server's files.
    """
    source = source.strip()
    if is_url(source):
        from .fetch import fetch_article  # noqa: PLC0415 - httpx only for URLs

        return await fetch_article(source, settings)
    if allow_files and "\n" not in source and len(source) < 4096:
        from pathlib import Path  # noqa: PLC0415

        if await asyncio.to_thread(Path(source).is_file):
            return await asyncio.to_thread(load_path, source)
    return article_from_text(source, "pasted text")


class Briefer:
    """Runs the CPU-bound stages on one worker thread; shared by every adapter of a process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefbot-nlp")

    async def brief(self, article: Article) -> Briefing:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, brief_article, article, self.settings)

    async def brief_source(self, source: str) -> tuple[Article, Briefing]:
        """Brief a URL or pasted text typed in a chat (never a local file)."""
        article = await load_source(source, self.settings)
        return article, await self.brief(article)

    def warm_up(self) -> None:
        """Load the pipeline now (at start-up) rather than on the first command."""
        self._executor.submit(nlp_loader.load, self.settings.model).result()

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
