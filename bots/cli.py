"""The ``briefbot`` command: parses arguments and hands each subcommand to its module.

Each module in ``COMMANDS`` exposes ``register(subparsers)``, which adds its
subcommand(s) with ``set_defaults(func=...)``; ``func(args)`` returns an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import sys

from briefings import __version__
from briefings.errors import BriefbotError, MissingPartError
from briefings.redact import RedactingFilter

COMMANDS = (
    "bots.commands.brief",  # brief, extract
    "bots.commands.run",  # run: console chat + scheduler on SQLite
    "bots.commands.digest",  # digest --to console|slack:ID|discord:ID
    "bots.commands.feeds",  # feeds import|export (OPML)
    "bots.commands.serve",  # serve slack|discord
    "bots.commands.discord",  # discord invite
    "bots.commands.scale",  # migrate, scheduler, outbox: services of a deployment past one process
    "bots.commands.worker",  # worker: Celery worker when BRIEFBOT_BROKER_URL is set
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefbot",
        description="Short briefings of news articles: who said what, and what was offered, "
        "demanded, denied or alleged.",
    )
    parser.add_argument("--version", action="version", version=f"briefbot {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if importlib.util.find_spec(name) is None:  # an adapter not built into this install
            continue
        importlib.import_module(name).register(sub)
    _remember_parsers(parser)
    return parser


def _remember_parsers(parser: argparse.ArgumentParser) -> None:
    """Each (sub)command's parser in its own defaults, so that ``main`` reports an unknown option with
    that command's usage ("briefbot brief: error: …"), not the top level's."""
    parser.set_defaults(parser_=parser)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                _remember_parsers(child)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        args.parser_.error(f"unrecognized arguments: {' '.join(unknown)}")
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # The HTML reader logs its own ERROR/WARNING lines for a page it cannot read; briefbot says what went
    # wrong in one line (and logs the detail at -v), so they are shown only with -v.
    logging.getLogger("trafilatura").setLevel(logging.NOTSET if args.verbose else logging.CRITICAL)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BriefbotError as exc:
        print(f"briefbot: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except ImportError as exc:  # a broken install: one line, not a traceback
        error = MissingPartError.of(f"a part briefbot needs ({exc.name or 'a module'})", exc)
        print(f"briefbot: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
