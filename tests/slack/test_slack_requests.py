"""Requests reaching the HTTP app: signatures, acknowledgement, help, and the paste modal opening."""

from __future__ import annotations

import json
import time

from slack_loopback import TEAM_ID, command_form, fixture_payload, form_body


async def test_forged_signature_is_rejected_with_401(running_app, slack):
    status, _ = await running_app.post(
        form_body(command_form("help", response_url=slack.response_url())),
        content_type="application/x-www-form-urlencoded",
        secret="not-the-signing-secret",
    )
    assert status == 401
    assert slack.calls == [] and slack.responses == []


async def test_stale_timestamp_is_rejected_with_401(running_app, slack):
    ten_minutes_ago = int(time.time()) - 600
    status, _ = await running_app.post(
        form_body(command_form("help", response_url=slack.response_url())),
        content_type="application/x-www-form-urlencoded",
        timestamp=ten_minutes_ago,
    )
    assert status == 401
    assert slack.calls == [] and slack.responses == []


async def test_tampered_body_is_rejected_with_401(running_app, slack):
    """A signature made for one body does not let another through."""
    from slack_loopback import signed_headers

    good = form_body(command_form("help", response_url=slack.response_url()))
    headers = signed_headers(good, content_type="application/x-www-form-urlencoded")
    evil = form_body(command_form("https://evil.example/", response_url=slack.response_url()))
    async with running_app.http.post(running_app.url, data=evil.encode(), headers=headers) as response:
        assert response.status == 401


async def test_help_is_ephemeral_through_the_response_url(running_app, slack):
    status, _ = await running_app.command("help")
    assert status == 200
    await slack.wait_for(lambda s: s.responses)
    (posted,) = slack.responses
    assert posted.body["response_type"] == "ephemeral"
    text = json.dumps(posted.body)
    assert "/brief" in text
    # single-workspace authorization asked Slack who we are, and nothing was posted to the channel
    assert slack.calls_to("auth.test")
    assert not slack.calls_to("chat.postMessage")


async def test_brief_without_text_opens_the_paste_modal(running_app, slack):
    status, body = await running_app.command("")
    assert status == 200 and body == ""
    (call,) = await slack.wait_calls("views.open")
    assert call.params["trigger_id"] == fixture_payload("slash_command.json")["trigger_id"]
    view = call.params["view"]
    assert view["type"] == "modal" and view["callback_id"] == "brief_modal"
    assert json.loads(view["private_metadata"]) == {"channel": "C0NEWS", "team": TEAM_ID}
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert inputs and all(b["element"]["type"] == "plain_text_input" for b in inputs)
    assert inputs[0]["element"]["multiline"] is True and not inputs[0].get("optional")
    # Slack refuses a plain_text_input longer than 3000 characters
    assert all(b["element"]["max_length"] <= 3000 for b in inputs)
    assert call.token == "xoxb-test-token"


async def test_empty_modal_submission_gets_a_field_error(running_app, slack):
    payload = fixture_payload("view_submission.json")
    payload["view"]["state"]["values"] = {
        "article_0": {"text": {"type": "plain_text_input", "value": "  \n "}}
    }
    status, body = await running_app.interaction(payload)
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors" and "article_0" in answer["errors"]
    assert not slack.calls_to("chat.postMessage")


async def test_non_numeric_timestamp_is_rejected_with_401(running_app, slack):
    """Issue 11: bolt raised on int("soon") and answered 500."""
    from slack_loopback import signed_headers

    body = form_body(command_form("help", response_url=slack.response_url()))
    headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
    headers["X-Slack-Request-Timestamp"] = "soon"
    async with running_app.http.post(running_app.url, data=body.encode(), headers=headers) as response:
        assert response.status == 401
    assert slack.calls == [] and slack.responses == []


async def test_unsigned_requests_are_rejected_with_401(running_app, slack):
    """No signature headers at all, with a form, a JSON or an empty body: 401, and Slack is never asked."""
    bodies = [
        (
            "application/x-www-form-urlencoded",
            form_body(command_form("help", response_url=slack.response_url())),
        ),
        ("application/json", json.dumps({"type": "event_callback", "event": {"type": "app_mention"}})),
        ("application/json", ""),
        ("text/plain", "hello"),
    ]
    for content_type, body in bodies:
        headers = {"Content-Type": content_type}
        async with running_app.http.post(running_app.url, data=body.encode(), headers=headers) as response:
            assert response.status == 401, (content_type, body, response.status)
    assert slack.calls == [] and slack.responses == []
