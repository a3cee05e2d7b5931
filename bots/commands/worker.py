"""``briefbot worker``: a Celery worker (prefork pool) for briefings, feed polls, slot decisions and
outbox sends queued by the frontends when ``BRIEFBOT_BROKER_URL`` is set."""

from __future__ import annotations

import argparse
import os
import socket

from bots.bootstrap import worker_runtime
from briefings.errors import ConfigError, InputError
from briefings.settings import Settings

QUEUES = ("interactive", "giant", "scheduled", "polling", "delivery")
ALL_QUEUES = ",".join(QUEUES)


def check_queues(spec: str) -> list[str]:
    queues = [q.strip() for q in spec.split(",") if q.strip()]
    if not queues or any(q not in QUEUES for q in queues):
        raise InputError(f"--queues takes some of {ALL_QUEUES}; got {spec!r}")
    return queues


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "worker",
        help="run a worker for the queues of BRIEFBOT_BROKER_URL (Redis or RabbitMQ)",
        description="Run a Celery worker: spaCy is loaded once per pool process. Queues: interactive "
        "(chat /brief), giant (articles over BRIEFBOT_GIANT_CHARS), scheduled (feed briefings, morning "
        "slot decisions), polling (feed polls), delivery (outbox sends).",
    )
    p.add_argument(
        "--queues", "-Q", default=ALL_QUEUES, help=f"comma-separated queues to consume (default {ALL_QUEUES})"
    )
    p.add_argument(
        "--concurrency", "-c", type=int, default=0, help="pool processes (default: one per CPU core)"
    )
    p.add_argument("--name", "-n", help="worker name (default briefbot-<pid>@<host>)")
    p.set_defaults(func=cmd_worker)


def cmd_worker(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if not settings.broker_url:
        raise ConfigError(
            "BRIEFBOT_BROKER_URL is not set (e.g. redis://127.0.0.1:6379/0 or amqp://guest@127.0.0.1//)"
        )
    queues = check_queues(args.queues)
    if args.concurrency < 0 or args.concurrency > 256:
        raise ConfigError(f"--concurrency must be between 1 and 256, got {args.concurrency}")
    try:
        from briefings.deliver import workers  # noqa: PLC0415 - celery is the optional `scale` extra
    except ImportError:
        raise ConfigError(
            "Celery is not installed; install the extra: pip install 'briefbot[scale]'"
        ) from None

    app = workers.configure(settings)
    workers.set_runtime_factory(worker_runtime)
    argv = [
        "worker",
        "--pool=prefork",
        f"--queues={','.join(queues)}",
        f"--hostname={args.name or f'briefbot-{os.getpid()}@{socket.gethostname()}'}",
        f"--loglevel={'INFO' if args.verbose else 'WARNING'}",
        "--without-gossip",
        "--without-mingle",
    ]
    if args.concurrency:
        argv.append(f"--concurrency={args.concurrency}")
    app.worker_main(argv)
    return 0
