"""``briefbot brief`` (one briefing, any format) and ``briefbot extract`` (the who-said-what contract)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from briefings.deliver import platforms
from briefings.errors import BriefbotError, InputError
from briefings.ingest.source import address_scheme, article_from_bytes, load_address, load_path
from briefings.models import Article
from briefings.pipeline import extract_articles
from briefings.present.compose import compose
from briefings.present.render import briefing_data
from briefings.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "brief",
        help="brief one article (a file, a URL, or - for stdin)",
        description="Print a short briefing of one article: who said what, offers and demands first.",
    )
    p.add_argument(
        "source", metavar="PATH|URL|-", help="article file (.txt, .html), an http(s) URL, or - for stdin"
    )
    p.add_argument(
        "--format",
        "-f",
        choices=(*platforms.formats(), "json"),
        default="text",
        help="output format (default: text)",
    )
    p.add_argument("--max-bullets", type=int, help="at most this many bullets (default 10)")
    p.set_defaults(func=cmd_brief)

    e = sub.add_parser(
        "extract",
        help="print who said what as JSON Lines, one object per article",
        description="Print one JSON object per article with its entities and statements "
        "(speaker, start, end, kind, act, cue, content); offsets index into the file's text.",
    )
    e.add_argument(
        "sources",
        nargs="+",
        metavar="PATH|URL",
        help="article files (.txt, .html), http(s) URLs, or - for stdin",
    )
    e.add_argument("--format", "-f", choices=("jsonl",), default="jsonl")
    e.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    e.set_defaults(func=cmd_extract)


def _read_stdin(source: str = "-") -> Article:
    """stdin as an article; ``source`` is what the output names it ("-" in the extract contract,
    "pasted text" in a briefing)."""
    article = article_from_bytes(sys.stdin.buffer.read(), "standard input")
    article.source = source
    return article


def _looks_like_text(source: str) -> bool:
    """An argument that reads as a sentence rather than a file name ("The mayor said the bridge…")."""
    return len(source.split()) >= 3 and "/" not in source and "\\" not in source


def _load_file(source: str) -> Article:
    if _looks_like_text(source) and not Path(source).exists():
        shown = source if len(source) <= 60 else source[:59] + "…"
        raise InputError(f"no such file: {shown!r} (to brief pasted text, pipe it to `briefbot brief -`)")
    return load_path(source)


def cmd_brief(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if args.max_bullets is not None:
        if not 1 <= args.max_bullets <= 25:
            raise InputError("--max-bullets must be between 1 and 25")
        settings.max_bullets = args.max_bullets
    if args.source == "-":
        article = _read_stdin("pasted text")
    elif address_scheme(args.source):
        article = asyncio.run(load_address(args.source, settings))
    else:
        article = _load_file(args.source)
    extraction = next(iter(extract_articles([article], settings)))
    briefing = compose(extraction, max_bullets=settings.max_bullets, max_chars=settings.max_bullet_chars)
    if args.format == "json":
        out = json.dumps(briefing_data(briefing), ensure_ascii=False, indent=2)
    else:
        rendered = platforms.render(briefing, args.format, tz=settings.default_timezone)
        out = rendered if isinstance(rendered, str) else json.dumps(rendered, ensure_ascii=False, indent=2)
    sys.stdout.write(out.rstrip("\n") + "\n")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    failures: list[str] = []

    def articles() -> Iterator[Article]:
        for source in args.sources:
            try:
                if source == "-":
                    yield _read_stdin()
                elif address_scheme(source):
                    yield asyncio.run(load_address(source, settings))
                else:
                    yield load_path(source)
            except BriefbotError as exc:
                failures.append(exc.message)
                print(f"briefbot: {exc.message}", file=sys.stderr)

    show_progress = not args.no_progress and sys.stderr.isatty() and len(args.sources) > 3
    total = len(args.sources)
    for n, extraction in enumerate(extract_articles(articles(), settings), 1):
        sys.stdout.write(json.dumps(extraction.to_contract(), ensure_ascii=False) + "\n")
        if show_progress:
            done = int(30 * n / total)
            print(f"\r[{'#' * done}{'.' * (30 - done)}] {n}/{total}", end="", file=sys.stderr, flush=True)
    if show_progress:
        print(file=sys.stderr)
    return 2 if failures else 0
