"""SlackDeliverer against loopback Slack: metadata idempotency, error mapping, per-workspace tokens."""

from __future__ import annotations

import pytest
from slack_loopback import BOT_TOKEN
from slack_sdk.oauth.installation_store import Installation

from bots.slack_app.app import make_client
from bots.slack_app.config import slack_settings as slack_config
from bots.slack_app.deliver import SlackDeliverer
from bots.slack_app.installations import open_installations
from briefings.deliver.delivery import (
    ChannelRef,
    Deliverer,
    DeliveryError,
    PermanentDeliveryError,
    RateLimited,
)
from briefings.deliver.platforms import render
from briefings.models import Briefing, Bullet, Speaker

CHANNEL = ChannelRef("slack", "C0NEWS", "T0TEST")


@pytest.fixture
def deliverer(settings, sleeps) -> SlackDeliverer:
    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    return SlackDeliverer(make_client(settings, token=BOT_TOKEN, sleep=record, retry_rate_limits=False))


def _payload() -> dict:
    briefing = Briefing(
        headline="Council <!channel> Offers Talks",
        source="https://news.example/a",
        speakers=[Speaker("Jane Doe", "mayor", statements=1)],
        bullets=[Bullet("Jane Doe", "offer", "direct", "We offer talks @here", "said", 0, 10, "mayor")],
        total_statements=1,
        counts={"offer": 1},
    )
    return render(briefing, "slack")


async def test_is_a_deliverer():
    assert isinstance(SlackDeliverer(make_client_for_protocol()), Deliverer)


def make_client_for_protocol():
    from slack_sdk.web.async_client import AsyncWebClient

    return AsyncWebClient(token="xoxb-x", base_url="http://127.0.0.1:9/api/")


async def test_send_embeds_the_key_and_already_sent_finds_it(deliverer, slack):
    assert await deliverer.already_sent(CHANNEL, "outbox-17") is None
    ts = await deliverer.send(CHANNEL, _payload(), idempotency_key="outbox-17")
    (call,) = slack.calls_to("chat.postMessage")
    assert call.token == BOT_TOKEN and call.params["channel"] == "C0NEWS"
    assert call.params["metadata"] == {
        "event_type": "briefbot_delivery",
        "event_payload": {"idempotency_key": "outbox-17"},
    }
    assert "<!channel>" not in call.params["text"] and call.params["blocks"]
    # a crash after the send, before the outbox recorded it: the retry finds the message instead of re-posting
    assert await deliverer.already_sent(CHANNEL, "outbox-17") == ts
    assert await deliverer.already_sent(CHANNEL, "outbox-18") is None
    (history, *_) = slack.calls_to("conversations.history")
    assert history.params["include_all_metadata"] in (True, "true", "1", 1)


async def test_a_429_goes_back_to_the_outbox_at_once_not_retried_by_the_client(deliverer, slack, sleeps):
    """The outbox answers a 429 (pauses the channel, sends again on a slot of the shared budget); a
    retry inside slack_sdk would post outside that budget."""
    slack.script("chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "7"})
    with pytest.raises(RateLimited) as caught:
        await deliverer.send(CHANNEL, _payload(), idempotency_key="k")
    assert caught.value.retry_after == 7
    assert len(slack.calls_to("chat.postMessage")) == 1 and sleeps == []
    assert slack.channels["C0NEWS"] == []


async def test_a_client_that_retries_429s_itself_is_refused(settings):
    with pytest.raises(ValueError, match="must not retry 429s"):
        SlackDeliverer(make_client(settings, token=BOT_TOKEN))  # the interactive client keeps the retry


@pytest.mark.parametrize(
    "error", ["channel_not_found", "not_in_channel", "is_archived", "invalid_auth", "invalid_blocks"]
)
async def test_refusals_are_permanent(deliverer, slack, error):
    slack.script("chat.postMessage", 200, {"ok": False, "error": error})
    with pytest.raises(PermanentDeliveryError, match=error):
        await deliverer.send(CHANNEL, _payload(), idempotency_key="k")


async def test_server_errors_are_retryable_and_not_retried_blindly(deliverer, slack):
    slack.script("chat.postMessage", 500, {"ok": False, "error": "internal_error"})
    with pytest.raises(DeliveryError) as caught:
        await deliverer.send(CHANNEL, _payload(), idempotency_key="k")
    assert caught.value.retryable and not isinstance(caught.value, PermanentDeliveryError)
    assert len(slack.calls_to("chat.postMessage")) == 1  # the outbox decides, after already_sent


async def test_unreachable_slack_is_a_retryable_error(settings):
    slack_config(settings).api_url = "http://127.0.0.1:9/api/"  # nothing listens on the discard port

    async def no_wait(_: float) -> None:
        return None

    deliverer = SlackDeliverer(make_client(settings, token=BOT_TOKEN, sleep=no_wait, retry_rate_limits=False))
    with pytest.raises(DeliveryError) as caught:
        await deliverer.send(CHANNEL, _payload(), idempotency_key="k")
    assert caught.value.retryable


async def test_history_without_permission_means_not_known_sent(deliverer, slack):
    slack.script("conversations.history", 200, {"ok": False, "error": "missing_scope"})
    assert await deliverer.already_sent(CHANNEL, "k") is None


async def test_distributed_app_posts_with_each_workspaces_token(settings, slack, db_url):
    slack_config(settings).client_id, slack_config(settings).client_secret = "111.222", "secret"
    settings.database_url = db_url
    installations = await open_installations(settings)
    try:
        await installations.installation_store.async_save(
            Installation(
                app_id="ATEST",
                team_id="T0OTHER",
                bot_token="xoxb-other",
                bot_id="B1",
                bot_user_id="U1",
                user_id="UINSTALLER",
            )
        )
        deliverer = SlackDeliverer(
            make_client(settings, retry_rate_limits=False),
            installation_store=installations.installation_store,
        )
        await deliverer.send(ChannelRef("slack", "C0THERE", "T0OTHER"), _payload(), idempotency_key="k")
        assert slack.calls_to("chat.postMessage")[0].token == "xoxb-other"
        with pytest.raises(PermanentDeliveryError, match="not installed"):
            await deliverer.send(ChannelRef("slack", "C1", "T0NOWHERE"), _payload(), idempotency_key="k2")
    finally:
        await installations.close()


async def test_briefbot_digest_to_slack_posts_through_the_deliverer(slack, seed_path, monkeypatch, capsys):
    """``briefbot digest --to slack:C…`` (the composition root + outbox) ends in our chat.postMessage."""
    import asyncio

    from bots.cli import main

    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("BRIEFBOT_SLACK_API_URL", slack.base_url)
    code = await asyncio.to_thread(main, ["digest", "--to", "slack:C0DIGEST", str(seed_path)])
    assert code == 0, capsys.readouterr().err
    calls = slack.calls_to("chat.postMessage")
    assert calls and all(c.params["channel"] == "C0DIGEST" and c.token == BOT_TOKEN for c in calls)
    assert all(c.params["metadata"]["event_type"] == "briefbot_delivery" for c in calls)
    assert "Iran Ready to Help End Ukraine War" in str(calls[0].params["blocks"])
