"""compose.yaml (docker cannot run here): its structure, and every service's command a real briefbot
subcommand that parses."""

from __future__ import annotations

from pathlib import Path

import yaml

from bots.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_has_the_services_of_a_scaled_deployment():
    services = _compose()["services"]
    assert {"postgres", "redis", "migrate", "scheduler", "worker", "slack", "discord"} <= set(services)
    assert services["worker"]["deploy"]["replicas"] == 2
    for name in ("postgres", "redis", "slack"):
        assert services[name]["healthcheck"]["test"], name
    # The migration is a one-shot that everything else waits for.
    assert services["migrate"]["restart"] == "no"
    for name in ("scheduler", "worker", "slack", "discord"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        env = services[name]["environment"]
        assert env["BRIEFBOT_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert env["BRIEFBOT_REDIS_URL"].startswith("redis://")
        assert env["BRIEFBOT_BROKER_URL"].startswith("redis://")
    # The workers are Celery workers (briefings, polls, slot decisions, sends), not bare outbox loops.
    assert services["worker"]["command"][0] == "worker"


def test_every_briefbot_service_runs_a_real_subcommand():
    parser = build_parser()
    services = _compose()["services"]
    ours = {name: s for name, s in services.items() if s.get("image") == "briefbot"}
    assert len(ours) == 5
    for name, service in ours.items():
        args = parser.parse_args(service["command"])  # argparse exits on an unknown command or option
        assert callable(args.func), name
