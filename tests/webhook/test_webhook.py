"""The outgoing webhook platform over a loopback receiver: signed JSON posts, retries through the outbox,
``briefbot digest --to webhook:NAME``, console subscriptions ``to webhook:NAME``, the fetch safety rules."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from webhook_support import SECRET

from bots.bootstrap import bootstrap, platform_deliverers
from bots.cli import main
from bots.console import CHANNEL
from bots.webhook.deliver import WebhookDeliverer, sign
from briefings.deliver.outbox import OutboxWorker, enqueue
from briefings.deliver.platforms import render
from briefings.models import Briefing, Bullet, Speaker
from briefings.settings import Settings
from briefings.store import Channel, OutboxEntry, open_store

HEADLINE = "FM: Iran Ready to Help End Ukraine War"


def _env(monkeypatch, receiver, *, name: str = "OPS", private: bool = True) -> None:
    monkeypatch.setenv(f"BRIEFBOT_WEBHOOK_{name}_URL", receiver.hook_url)
    monkeypatch.setenv(f"BRIEFBOT_WEBHOOK_{name}_SECRET", SECRET)
    if private:
        monkeypatch.setenv("BRIEFBOT_ALLOW_PRIVATE_HOSTS", "1")


def _briefing() -> Briefing:
    return Briefing(
        headline="Harbour <!channel> plan",
        source="s",
        url="https://news.example/harbour",
        speakers=[Speaker("Jane Doe", "mayor", statements=2)],
        bullets=[Bullet("Jane Doe", "offer", "direct", "We are ready to pay", "told", 0, 10, "mayor")],
        total_statements=2,
        counts={"offer": 1, "statement": 1},
    )


def test_the_payload_follows_the_documented_schema():
    payload = render(_briefing(), "webhook")
    assert payload["schema"] == "briefbot.webhook/1" and payload["type"] == "briefing"
    assert (
        payload["headline"] == "Harbour <!channel> plan" and payload["url"] == "https://news.example/harbour"
    )
    assert payload["speakers"] == [{"name": "Jane Doe", "role": "mayor", "statements": 2}]
    assert payload["bullets"][0] | {} == {
        "act": "offer",
        "kind": "direct",
        "speaker": "Jane Doe",
        "speaker_role": "mayor",
        "cue": "told",
        "text": "We are ready to pay",
        "tracked": False,
    }
    counts = payload["counts"]
    assert (counts["statements"], counts["shown"], counts["offer"], counts["demand"]) == (2, 1, 1, 0)
    assert payload["text"].startswith("## ")  # the Markdown rendering, for chat tools that show `text`


async def test_digest_cli_posts_one_signed_digest_to_the_named_hook(monkeypatch, capsys, seed_path, receiver):
    _env(monkeypatch, receiver)
    code = await asyncio.to_thread(main, ["digest", "--to", "webhook:ops", str(seed_path)])
    assert code == 0, capsys.readouterr().err
    (post,) = receiver.posts
    assert post.signed() and not post.signed("another secret")
    assert post.headers["X-Briefbot-Signature"] == sign(post.body, SECRET)
    assert post.headers["X-Briefbot-Timestamp"].isdigit() and post.headers["X-Briefbot-Delivery"]
    assert post.headers["Content-Type"].startswith("application/json")
    digest = post.json
    assert digest["type"] == "digest" and digest["counts"] == {"articles": 1, "briefed": 1}
    (item,) = digest["items"]
    assert item["headline"] == HEADLINE
    assert {b["act"] for b in item["bullets"]} >= {"offer", "demand", "denial", "accusation"}
    assert all(b["speaker"] and b["text"] for b in item["bullets"])
    assert "posted a digest of 1 article to webhook:ops in 1 message" in capsys.readouterr().err


async def test_a_private_webhook_address_is_refused_unless_allowed(monkeypatch, capsys, seed_path, receiver):
    _env(monkeypatch, receiver, private=False)
    code = await asyncio.to_thread(main, ["digest", "--to", "webhook:ops", str(seed_path)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and receiver.posts == []
    assert err.count("\n") == 0 and "BRIEFBOT_WEBHOOK_OPS_URL" in err and "private network" in err


async def test_an_unknown_hook_or_a_missing_secret_is_one_line(monkeypatch, capsys, seed_path, receiver):
    _env(monkeypatch, receiver)
    assert await asyncio.to_thread(main, ["digest", "--to", "webhook:news", str(seed_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "briefbot: --to webhook:news: no webhook named 'news' (set BRIEFBOT_WEBHOOK_NEWS_URL); configured: ops"
    )
    monkeypatch.delenv("BRIEFBOT_WEBHOOK_OPS_SECRET")
    assert await asyncio.to_thread(main, ["digest", "--to", "webhook:ops", str(seed_path)]) == 2
    assert "BRIEFBOT_WEBHOOK_OPS_SECRET is not set" in capsys.readouterr().err


async def _queue(db_url, clock, payload) -> tuple:
    store_cm = open_store(db_url)
    store = await store_cm.__aenter__()
    async with store.session() as session, session.begin():
        ch = Channel(platform="webhook", workspace="", channel="ops", created_at=clock.now())
        session.add(ch)
        await session.flush()
        await enqueue(session, ch.id, "digest", [payload], key="k1", now=clock.now())
    return store_cm, store


async def _entries(store) -> list[OutboxEntry]:
    from sqlalchemy import select

    async with store.session() as session:
        return list((await session.execute(select(OutboxEntry))).scalars())


@pytest.mark.parametrize(("statuses", "posts", "status"), [([500], 2, "sent"), ([400], 1, "failed")])
async def test_the_outbox_retries_a_5xx_with_backoff_and_never_a_4xx(
    monkeypatch, db_url, clock, receiver, statuses, posts, status
):
    _env(monkeypatch, receiver)
    receiver.statuses = list(statuses)
    settings = Settings.from_env()
    store_cm, store = await _queue(db_url, clock, render(_briefing(), "webhook"))
    try:
        async with WebhookDeliverer(settings, clock=clock) as deliverer:
            worker = OutboxWorker(store, {"webhook": deliverer}, clock, base_backoff=30.0)
            await worker.run_once()
            assert len(receiver.posts) == 1
            (entry,) = await _entries(store)
            if status == "sent":
                assert entry.status == "pending" and entry.next_attempt_at > clock.now()
                await worker.run_once()  # not yet: the backoff holds it
                assert len(receiver.posts) == 1
                clock.advance(timedelta(seconds=61))
                await worker.run_once()
            (entry,) = await _entries(store)
    finally:
        await store_cm.__aexit__(None, None, None)
    assert len(receiver.posts) == posts and entry.status == status
    assert {p.headers["X-Briefbot-Delivery"] for p in receiver.posts} == {entry.idempotency_key}
    assert len({p.body for p in receiver.posts}) == 1 and all(p.signed() for p in receiver.posts)
    if status == "failed":
        assert "HTTP 400" in (entry.last_error or "")


async def test_console_subscribes_a_webhook_and_its_digest_is_posted(monkeypatch, db_url, clock, receiver):
    _env(monkeypatch, receiver)
    settings = Settings.from_env()
    settings.database_url = db_url
    feed = f"{receiver.base}/feed.xml"
    async with (
        platform_deliverers(settings, ["webhook"]) as deliverers,
        bootstrap(settings, clock=clock, deliverers=deliverers) as services,
    ):
        chat = services.chat

        async def say(text: str, *, manager: bool = True) -> str:
            reply = await chat.handle(text, channel=CHANNEL, user="console", can_manage=manager)
            return reply.text

        assert "to webhook:NAME" in await say("help")
        refused = await say(f"subscribe {feed} daily 07:30 to webhook:ops", manager=False)
        assert refused.startswith("Only those who manage")
        said = await say(f"subscribe {feed} daily 07:30 backfill 1 to webhook:ops")
        assert said.startswith("Subscribed to Harbour news: a digest daily at 07:30"), said
        assert "Harbour news" in await say("list to webhook:ops")
        assert await say("list") == "No subscriptions here yet. Try /brief subscribe <feed-url>."
        assert "is not a target" in await say(f"subscribe {feed} to slack:C0123ABCD")
        clock.advance(timedelta(minutes=31))  # past 07:30: the morning digest is due
        await services.step()
    (post,) = receiver.posts
    assert post.signed()
    digest = post.json
    assert digest["type"] == "digest" and [i["headline"] for i in digest["items"]] == [
        "Harbour plan approved"
    ]
    assert any(b["act"] == "offer" for b in digest["items"][0]["bullets"])


def test_brief_format_webhook_prints_the_json(capsys, seed_path):
    assert main(["brief", "--format", "webhook", str(seed_path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["headline"] == HEADLINE and out["counts"]["offer"] == 3
