"""``briefbot serve slack`` start-up: one line naming a missing, malformed or refused setting; Socket Mode."""

from __future__ import annotations

import asyncio

import pytest
from slack_loopback import HANG_GUARD, command_form

from bots.cli import main
from bots.slack_app.config import slack_settings as slack_config
from bots.slack_app.serve import serve


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "abc"}, "SLACK_BOT_TOKEN must be a bot token starting with xoxb-"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"},
            "SLACK_APP_TOKEN must be an app-level token",
        ),
        ({"SLACK_CLIENT_ID": "1.2"}, "SLACK_CLIENT_SECRET is not set"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "BRIEFBOT_SLACK_API_URL": "ftp://x/"},
            "BRIEFBOT_SLACK_API_URL must be an http(s) URL",
        ),
    ],
)
def test_missing_or_malformed_setting_fails_fast_in_one_line(env, named, monkeypatch, capsys):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["serve", "slack"]) == 2
    captured = capsys.readouterr()
    assert named in _one_line(captured.err)
    assert captured.out == ""


def test_port_out_of_range_is_named(monkeypatch, capsys):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    assert main(["serve", "slack", "--port", "70000"]) == 2
    assert "--port must be between 0 and 65535" in _one_line(capsys.readouterr().err)


async def test_refused_bot_token_fails_at_start_with_one_line(slack, monkeypatch, capsys):
    slack.refused_tokens.add("xoxb-revoked")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-revoked")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("BRIEFBOT_SLACK_API_URL", slack.base_url)
    code = await asyncio.to_thread(main, ["serve", "slack", "--port", "0"])
    assert code == 2
    line = _one_line(capsys.readouterr().err)
    assert "SLACK_BOT_TOKEN was refused by Slack (invalid_auth)" in line
    assert [c.method for c in slack.calls] == ["auth.test"]


async def test_socket_mode_answers_a_slash_command_envelope(settings, slack, slack_services):
    """serve() with SLACK_APP_TOKEN: apps.connections.open, hello, an envelope in, its ack out, then the work."""
    slack_config(settings).app_token = "xapp-1-test"
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(settings, slack_services, stop=stop, ready=ready))
    try:
        await asyncio.wait_for(ready.wait(), HANG_GUARD)
        (opened,) = slack.calls_to("apps.connections.open")
        assert opened.token == "xapp-1-test"
        await slack.socket_send(
            {
                "envelope_id": "57d6a792-4d35-4d0b-b6aa-3361493e1caf",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": command_form("help", response_url=slack.response_url("socket")),
            }
        )
        await slack.wait_for(lambda s: s.socket_acks and s.responses)
        assert slack.socket_acks[0]["envelope_id"] == "57d6a792-4d35-4d0b-b6aa-3361493e1caf"
        (posted,) = slack.responses
        assert posted.key == "socket" and posted.body["response_type"] == "ephemeral"
        assert "/brief" in posted.body["text"]
    finally:
        stop.set()
        await asyncio.wait_for(task, HANG_GUARD)


async def test_refused_app_token_is_named(settings, slack, slack_services):
    slack_config(settings).app_token = "xapp-1-revoked"
    slack.script("apps.connections.open", 200, {"ok": False, "error": "invalid_auth"})
    from briefings.errors import ConfigError

    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN was refused by Slack"):
        await serve(settings, slack_services)


async def test_http_mode_serves_events_and_healthz(settings, slack, slack_services, capsys):
    """serve() without an app token: the aiohttp server at /slack/events (signed requests only) and /healthz."""
    import socket

    import aiohttp
    from slack_loopback import form_body, signed_headers

    with socket.socket() as s:  # a free port for the server (serve() prints, it does not return, its address)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    stop, ready = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(
        serve(settings, slack_services, host="127.0.0.1", port=port, stop=stop, ready=ready)
    )
    try:
        await asyncio.wait_for(ready.wait(), HANG_GUARD)
        assert f"listening on http://127.0.0.1:{port}/slack/events" in capsys.readouterr().out
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200 and (await response.text()).strip() == "ok"
            body = form_body(command_form("help", response_url=slack.response_url("http")))
            headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
            async with http.post(
                f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
            ) as response:
                assert response.status == 200
            async with http.post(f"http://127.0.0.1:{port}/slack/events", data=body, headers={}) as response:
                assert response.status == 401
        await slack.wait_for(lambda s: s.responses)
        assert slack.responses[0].body["response_type"] == "ephemeral"
    finally:
        stop.set()
        await asyncio.wait_for(task, HANG_GUARD)


async def test_briefbot_serve_slack_process_end_to_end(slack, tmp_path):
    """The real command in its own process: Socket Mode, a /brief help envelope answered, SIGTERM stops it."""
    import os
    import signal
    import sys

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BRIEFBOT_"))},
        "SLACK_BOT_TOKEN": "xoxb-e2e",
        "SLACK_APP_TOKEN": "xapp-1-e2e",
        "BRIEFBOT_SLACK_API_URL": slack.base_url,
        "BRIEFBOT_DATA_DIR": str(tmp_path / "data"),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bots",
        "serve",
        "slack",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), HANG_GUARD)
        assert b"Slack app connected (Socket Mode)" in line, line
        await slack.socket_send(
            {
                "envelope_id": "e2e-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": command_form("help", response_url=slack.response_url("e2e")),
            }
        )
        await slack.wait_for(lambda s: s.socket_acks and s.responses)
        assert slack.socket_acks[0]["envelope_id"] == "e2e-1"
        assert "/brief subscribe" in slack.responses[0].body["text"]  # the shared chat layer's help
        assert {c.token for c in slack.calls_to("auth.test")} == {"xoxb-e2e"}
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), HANG_GUARD)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert (tmp_path / "data" / "briefbot.sqlite3").exists()  # the store was opened and migrated
