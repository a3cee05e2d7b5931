"""Floods: at most BRIEFBOT_FEED_MAX_NEW new entries per feed per poll (the newest; the rest in one
line), at most BRIEFBOT_DIGEST_MAX_LISTED headlines in a digest's "and N more", and a feed of thousands
of entries read at both ends only - on SQLite and PostgreSQL, with the real fetcher and NLP."""

from __future__ import annotations

import json

import pytest
from sched_support import briefing
from sqlalchemy import func, select

from briefings.deliver.delivery import ChannelRef
from briefings.deliver.platforms import render_digest
from briefings.deliver.polling import Poller
from briefings.deliver.subscriptions import SubscriptionService
from briefings.ingest.feeds import parse_feed, trim_entries
from briefings.pipeline import Briefer
from briefings.present.compose import digest_of
from briefings.settings import Settings
from briefings.store import ChannelItem, OutboxEntry, SeenItem

CH = ChannelRef("slack", "C1", "T1")


@pytest.fixture
async def svc(store, settings, clock):
    settings.feed_max_new = 3
    briefer = Briefer(settings)
    poller = Poller(store, settings, clock, briefer.brief)
    yield SubscriptionService(store, poller, settings, clock)
    briefer.close()


async def _outbox(store) -> list[OutboxEntry]:
    async with store.session() as session:
        return list((await session.execute(select(OutboxEntry).order_by(OutboxEntry.id))).scalars())


@pytest.mark.parametrize("mode", ["instant", "digest"])
async def test_a_burst_of_new_entries_gives_the_newest_few_and_one_line(svc, store, feed_server, mode):
    feed_server.add("news", 2)
    sub = await svc.subscribe(CH, feed_server.url("news"), mode=mode)
    feed_server.add("news", 10, start=2)  # ten new stories at once: numbers 2..11
    report = await svc.poller.poll_feed(1)
    assert report.new_items == 3 and report.skipped == 7
    async with store.session() as session:
        titles = sorted((await session.execute(select(ChannelItem.title))).scalars())
        seen = await session.scalar(select(func.count()).select_from(SeenItem))
    assert titles == sorted(f"Libraries plan number {i}" for i in (9, 10, 11))  # the newest three
    assert seen >= 12 * 2  # guid and link of every entry: the seven left out are not news next time
    entries = await _outbox(store)
    notices = [e for e in entries if e.kind == "notice"]
    assert len(notices) == 1
    assert "… and 7 more new items in Feed news" in json.loads(notices[0].payload)["text"]
    assert len([e for e in entries if e.kind == "instant"]) == (3 if mode == "instant" else 0)
    again = await svc.poller.poll_feed(1)  # nothing new now, nothing said again
    assert again.new_items == 0 and again.skipped == 0 and len(await _outbox(store)) == len(entries)
    assert sub.feed_url == feed_server.url("news")


def test_a_digest_lists_at_most_max_listed_headlines_and_counts_the_rest():
    briefs = [(briefing(n), None) for n in range(1, 31)]
    digest = digest_of(briefs, title="Morning briefing", cap=5, max_listed=10)
    assert len(digest.items) == 5 and len(digest.more) == 10 and digest.unlisted == 15
    text = "\n".join(str(p) for p in render_digest(digest, "text"))
    assert "And 25 more:" in text and "… and 15 more not listed" in text
    slack = json.dumps(render_digest(digest, "slack"), ensure_ascii=False)
    assert "And 25 more:" in slack and "… and 15 more not listed" in slack
    discord = json.dumps(render_digest(digest, "discord"), ensure_ascii=False)
    assert "And 25 more" in discord and "… and 15 more not listed" in discord
    markdown = "\n".join(str(p) for p in render_digest(digest, "markdown"))
    assert "And 25 more:" in markdown and "… and 15 more not listed" in markdown


def test_settings_validate_the_flood_caps():
    s = Settings.from_env({"BRIEFBOT_FEED_MAX_NEW": "8", "BRIEFBOT_DIGEST_MAX_LISTED": "4"})
    assert (s.feed_max_new, s.digest_max_listed) == (8, 4)
    assert (Settings.from_env({}).feed_max_new, Settings.from_env({}).digest_max_listed) == (5, 10)
    from briefings.errors import ConfigError

    with pytest.raises(ConfigError, match="BRIEFBOT_FEED_MAX_NEW must be between 1 and 100"):
        Settings.from_env({"BRIEFBOT_FEED_MAX_NEW": "0"})
    with pytest.raises(ConfigError, match="BRIEFBOT_DIGEST_MAX_LISTED must be a whole number"):
        Settings.from_env({"BRIEFBOT_DIGEST_MAX_LISTED": "ten"})


def test_a_feed_of_thousands_of_entries_is_read_at_both_ends():
    items = "".join(
        f"<item><guid isPermaLink='false'>e{i}</guid><title>Entry {i}</title></item>" for i in range(1500)
    )
    data = (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>Big</title>{items}</channel></rss>".encode()
    )
    trimmed, left_out = trim_entries(data, 1000)
    assert left_out == 500
    feed = parse_feed(trimmed, url="https://big.example/feed.xml")
    guids = [e.guid for e in feed.entries]
    assert guids == [f"e{i}" for i in range(500)] + [f"e{i}" for i in range(1000, 1500)]
    assert trim_entries(data, 2000) == (data, 0)
