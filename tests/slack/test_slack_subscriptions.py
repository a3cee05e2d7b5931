"""``/brief subscribe|list|digest|unsubscribe`` through the real ChatCommands and store (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

import pytest
from slack_harness import start_app, stop_app

from bots.bootstrap import bootstrap, platform_deliverers
from bots.slack_app.app import SlackServices
from bots.slack_app.config import slack_settings as slack_config
from briefings.clock import FakeClock

NOW = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)


def _rss(seed: str, link: str) -> str:
    title, _, body = seed.partition("\n")
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n") if p.strip())
    return (
        "<?xml version='1.0' encoding='utf-8'?>"
        "<rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel>"
        "<title>World Desk</title><link>https://news.example/</link>"
        f"<item><guid isPermaLink='false'>seed-1</guid><link>{escape(link)}</link><title>{escape(title)}</title>"
        f"<pubDate>{format_datetime(NOW)}</pubDate><description>{escape(title)}</description>"
        f"<content:encoded><![CDATA[{paragraphs}]]></content:encoded></item>"
        "</channel></rss>"
    )


@pytest.fixture
async def chat_app(settings, briefer, slack, sleeps, db_url):
    settings.database_url = db_url
    async with (
        platform_deliverers(settings, ["slack"]) as deliverers,
        bootstrap(settings, clock=FakeClock(NOW), briefer=briefer, deliverers=deliverers) as services,
    ):
        app = await start_app(settings, SlackServices(briefer=briefer, chat=services.chat), slack, sleeps)
        app.services = services  # type: ignore[attr-defined]
        yield app
        await stop_app(app)


async def _ephemeral(slack, n: int) -> str:
    await slack.wait_for(lambda s: len(s.responses) >= n)
    posted = slack.responses[n - 1]
    assert posted.body["response_type"] == "ephemeral"
    return posted.body["text"]


async def test_subscribe_list_digest_unsubscribe(chat_app, slack, seed_path):
    seed = seed_path.read_text("utf-8")
    feed = slack.serve_article("world.xml", _rss(seed, slack.article_url("story")), "application/rss+xml")

    await chat_app.command(f"subscribe <{feed}> daily 07:30 tz Europe/Berlin backfill 1")
    text = await _ephemeral(slack, 1)
    assert "Subscribed to World Desk" in text and "07:30" in text and "Europe/Berlin" in text
    assert "The latest item will be in the next digest." in text  # backfill 1, parsed by the core

    await chat_app.command("list")
    text = await _ephemeral(slack, 2)
    assert "World Desk" in text and "1" in text

    await chat_app.command("digest")  # the backfilled article, briefed, queued for the channel
    assert "being posted here" in await _ephemeral(slack, 3)
    await chat_app.services.outbox.run_once()  # the outbox posts it
    (call,) = await slack.wait_calls("chat.postMessage")
    assert call.params["channel"] == "C0NEWS"
    blocks = json.dumps(call.params["blocks"], ensure_ascii=False)
    assert "Iran Ready to Help End Ukraine War" in blocks
    assert len(call.params["blocks"]) <= 50 and call.params["text"]

    await chat_app.command("unsubscribe 1")
    text = await _ephemeral(slack, 4)
    assert "Unsubscribed from World Desk" in text

    await chat_app.command("list")
    assert "No subscriptions" in await _ephemeral(slack, 5)


def _feed(slack, name: str, title: str) -> str:
    return slack.serve_article(
        name, f"<rss version='2.0'><channel><title>{title}</title></channel></rss>", "application/rss+xml"
    )


async def test_only_the_creator_and_admins_may_change_a_subscription(chat_app, slack, settings):
    slack.users["UADMIN"] = {"is_admin": True}
    slack.users["UOWNER"] = {"is_owner": True}
    slack_config(settings).admins = ("ULISTED",)
    world, sport = _feed(slack, "w.xml", "World"), _feed(slack, "s.xml", "Sport")
    n = 0

    async def say(text: str, user: str) -> str:
        nonlocal n
        await chat_app.command(text, user_id=user)
        n += 1
        return await _ephemeral(slack, n)

    assert "Subscribed to World" in await say(f"subscribe {world}", "UCREATOR")
    # A stranger may neither remove it, re-schedule it, nor take the channel's digest early.
    refused = await say("unsubscribe 1", "USTRANGER")
    assert refused == (
        "Only the person who subscribed this channel to World or a workspace admin may remove that subscription."
    )
    assert "may change that subscription" in await say(f"subscribe {world} daily 05:00", "USTRANGER")
    assert "may take its digest early" in await say("digest", "USTRANGER")
    assert "World" in await say("list", "USTRANGER")  # reading is allowed
    assert {c.params["user"] for c in slack.calls_to("users.info")} == {"UCREATOR", "USTRANGER"}
    # The creator may change their own; a stranger may set up a feed of their own, then it is theirs.
    assert "05:00" in await say(f"subscribe {world} daily 05:00", "UCREATOR")
    assert "Subscribed to Sport" in await say(f"subscribe {sport}", "USTRANGER")
    assert "Unsubscribed from Sport" in await say("unsubscribe 2", "USTRANGER")
    # Workspace admins and owners (users.info) and BRIEFBOT_SLACK_ADMINS may change anyone's.
    assert "Nothing new" in await say("digest", "UOWNER")
    assert "06:00" in await say(f"subscribe {world} daily 06:00", "ULISTED")
    assert "Unsubscribed from World" in await say("unsubscribe 1", "UADMIN")
    assert "No subscriptions" in await say("list", "USTRANGER")
    assert all(p.body["response_type"] == "ephemeral" for p in slack.responses)
    assert not slack.calls_to("chat.postMessage")


async def test_users_info_failing_means_not_an_admin(chat_app, slack):
    world = _feed(slack, "w.xml", "World")
    await chat_app.command(f"subscribe {world}", user_id="UCREATOR")
    await _ephemeral(slack, 1)
    slack.script("users.info", 200, {"ok": False, "error": "missing_scope", "needed": "users:read"})
    await chat_app.command("unsubscribe 1", user_id="UADMIN")
    assert "or a workspace admin may remove" in await _ephemeral(slack, 2)


async def test_bad_subscribe_arguments_are_one_ephemeral_line(chat_app, slack):
    await chat_app.command("subscribe https://feeds.example/x.xml at noon")
    text = await _ephemeral(slack, 1)
    assert "at needs a time" in text and "\n" not in text.strip()
    assert not slack.calls_to("chat.postMessage")


async def test_a_digest_whose_post_fails_is_retried_not_lost(chat_app, slack, seed_path):
    seed = seed_path.read_text("utf-8")
    feed = slack.serve_article("world.xml", _rss(seed, slack.article_url("story")), "application/rss+xml")
    await chat_app.command(f"subscribe <{feed}> backfill 1")
    await _ephemeral(slack, 1)
    # Slack fails the post: an error the platform may or may not have acted on.
    slack.script("chat.postMessage", 200, {"ok": False, "error": "internal_error"})
    await chat_app.command("digest")
    assert "being posted here" in await _ephemeral(slack, 2)
    outbox = chat_app.services.outbox
    wait = await outbox.run_once()
    assert len(slack.calls_to("chat.postMessage")) == 1 and not slack.channels["C0NEWS"]
    assert wait is not None and wait > 0  # the entry waits for its retry; the articles wait with it

    chat_app.services.clock.advance(wait)
    assert await outbox.run_once() is None
    posts = slack.calls_to("chat.postMessage")
    assert len(posts) == 2 and len(slack.channels["C0NEWS"]) == 1
    assert "Iran Ready to Help End Ukraine War" in json.dumps(posts[1].params["blocks"], ensure_ascii=False)
    assert slack.calls_to("conversations.history")  # checked it had not gone through before re-sending
    await chat_app.command("digest")  # taken once: not in the next digest again
    assert "Nothing new" in await _ephemeral(slack, 3)
