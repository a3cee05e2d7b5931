"""The deployment of docs/scaling.md "By hand, without Docker", every service a real process: ``briefbot
migrate`` on a PostgreSQL schema, a Celery ``briefbot worker`` on a Redis broker, ``briefbot scheduler``
(the dispatcher) and ``briefbot serve slack`` (Socket Mode) with the broker set. A /brief of an article
sent to the frontend is acknowledged and queued (nothing is posted while no worker runs), then briefed by
the worker once it starts, and posted once to the loopback Slack.

Needs BRIEFBOT_TEST_REDIS_URL and BRIEFBOT_TEST_DATABASE_URL (``.ci/run`` starts both); skipped without.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from slack_loopback import HANG_GUARD, command_form

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scale"))
from scale_support import (  # noqa: E402 - the scale tests' process helpers
    Workers,
    drop_pg_schema,
    free_redis_db,
    pg_schema,
    release_redis_db,
)

REDIS = os.environ.get("BRIEFBOT_TEST_REDIS_URL")
PG = os.environ.get("BRIEFBOT_TEST_DATABASE_URL")
ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "iran-ready-to-help-end-ukraine-war.txt"

pytestmark = [
    pytest.mark.skipif(not REDIS, reason="BRIEFBOT_TEST_REDIS_URL is not set (.ci/start-redis)"),
    pytest.mark.skipif(not PG, reason="BRIEFBOT_TEST_DATABASE_URL is not set (.ci/start-postgres)"),
    pytest.mark.timeout(240),
]


async def _service(*argv: str, env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bots",
        *argv,
        env=env,
        cwd=str(ROOT),
        stdout=asyncio.subprocess.PIPE if argv[0] == "serve" else log.open("ab"),
        stderr=log.open("ab"),
    )


async def _stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), HANG_GUARD)
        except TimeoutError:
            proc.kill()


async def test_by_hand_deployment_serves_a_brief_end_to_end(slack, tmp_path):
    broker, pacing = free_redis_db(REDIS), free_redis_db(REDIS)
    db = await pg_schema(PG)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BRIEFBOT_"))},
        "PYTHONPATH": str(ROOT),
        "BRIEFBOT_DATABASE_URL": db,
        "BRIEFBOT_REDIS_URL": pacing,
        "BRIEFBOT_BROKER_URL": broker,
        "BRIEFBOT_DATA_DIR": str(tmp_path / "data"),
        "BRIEFBOT_SLACK_API_URL": slack.base_url,
        "SLACK_BOT_TOKEN": "xoxb-e2e",
        "SLACK_APP_TOKEN": "xapp-1-e2e",
    }
    workers = Workers(env=env, logs=tmp_path)
    services: list[asyncio.subprocess.Process] = []
    try:
        migrate = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bots",
            "migrate",
            env=env,
            cwd=str(ROOT),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(migrate.communicate(), HANG_GUARD)
        assert migrate.returncode == 0, err.decode()[-2000:]
        assert b"database at the latest schema" in out
        services.append(await _service("scheduler", env=env, log=tmp_path / "scheduler.log"))
        frontend = await _service("serve", "slack", env=env, log=tmp_path / "slack.log")
        services.append(frontend)
        assert frontend.stdout is not None
        line = await asyncio.wait_for(frontend.stdout.readline(), HANG_GUARD)
        assert b"Slack app connected (Socket Mode)" in line, line

        await slack.socket_send(
            {
                "envelope_id": "deploy-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": command_form(SEED.read_text("utf-8"), response_url=slack.response_url("deploy")),
            }
        )
        await slack.wait_for(lambda s: s.socket_acks)
        await asyncio.sleep(2.0)
        assert slack.calls_to("chat.postMessage") == []  # the frontend only queued it: no worker yet
        workers.start("w1")
        (call,) = await slack.wait_calls("chat.postMessage")
        blocks = str(call.params["blocks"])
        assert "Iran Ready to Help End Ukraine War" in blocks and "OFFER" in blocks
        assert call.token == "xoxb-e2e" and call.params["channel"] == "C0NEWS"
        await asyncio.sleep(1.0)
        assert len(slack.calls_to("chat.postMessage")) == 1
    finally:
        for proc in services:
            await _stop(proc)
        workers.stop_all()
        release_redis_db(broker)
        release_redis_db(pacing)
        await drop_pg_schema(PG, db)
