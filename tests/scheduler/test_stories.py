"""Digests that read like an editor made them: the same story from several loopback feeds is one digest
item "also reported by" the others (rewrites by shingle similarity, identical copies by content hash);
a feed's own near-identical items and unrelated stories stay apart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sched_support import ARTICLE, T0, FeedItem

from briefings.deliver.delivery import ChannelRef
from briefings.deliver.platforms import render_digest
from briefings.deliver.polling import Poller
from briefings.deliver.stories import SAME_STORY, cluster, shingles, similarity
from briefings.deliver.subscriptions import SubscriptionService
from briefings.pipeline import Briefer

CH = ChannelRef("slack", "C1", "T1")

SPORT = (
    "{title}\n\n"
    "The home side won the cup final on penalties after a goalless draw that lasted two hours. "
    '"The players gave everything," the coach told the crowd outside the stadium. '
    "Fans celebrated in the old town square until the early hours, police said, and the team bus "
    "will tour the city on Sunday afternoon before a reception at the town hall."
)


@pytest.fixture
async def svc(store, settings, clock):
    briefer = Briefer(settings)
    poller = Poller(store, settings, clock, briefer.brief)
    yield SubscriptionService(store, poller, settings, clock)
    briefer.close()


def _item(guid: str, link: str, title: str, text: str) -> FeedItem:
    return FeedItem(guid=guid, link=link, title=title, published=T0, text=text)


async def test_two_feeds_with_the_same_story_give_one_digest_item_also_reported_by(svc, clock, feed_server):
    for path in ("a", "b", "c"):
        feed_server.add(path, 1, host=f"{path}.example")
        await svc.subscribe(CH, feed_server.url(path))
    story = ARTICLE.format(title="Libraries for the north", who="Mayor Jane Doe", day="Monday", n=7)
    # Feed b rewrote it (another headline, a paragraph of its own, a sentence cut): the same story.
    rewrite = (
        story.replace("Libraries for the north", "City promises seven libraries").replace(
            " Opposition leaders denied that the plan had been agreed.", ""
        )
        + "\nThe mayor's office did not say when building work would start."
    )
    feed_server.feeds["a"].append(
        _item("a-s", "https://a.example/libraries", "Libraries for the north", story)
    )
    feed_server.feeds["b"].append(
        _item("b-s", "https://b.example/7-libraries", "City promises seven libraries", rewrite)
    )
    # Feed c carried the very same text as a (filed once by content hash, remembered as a carrier).
    feed_server.feeds["c"].append(_item("c-s", "https://c.example/wire/1", "Libraries for the north", story))
    # An unrelated story in b stays its own item.
    feed_server.feeds["b"].append(
        _item("b-f", "https://b.example/cup", "Cup final", SPORT.format(title="Cup final"))
    )
    clock.advance(timedelta(minutes=30))
    await svc.poller.poll_due()
    digest = await svc.digest_now(CH)
    assert digest is not None
    headlines = [item.headline for item in digest.items]
    assert len(headlines) == 2 and "Cup final" in headlines
    [libraries] = [item for item in digest.items if item.headline != "Cup final"]
    assert sorted(libraries.also) == sorted({"Feed a", "Feed b", "Feed c"} - {_feed_of(libraries.url)})
    [cup] = [item for item in digest.items if item.headline == "Cup final"]
    assert cup.also == []
    text = render_digest(digest, "text")[0]
    assert "Also reported by Feed" in str(text) and str(text).count("Also reported by") == 1
    slack = render_digest(digest, "slack")[0]
    assert "_Also reported by Feed" in str(slack)
    discord = render_digest(digest, "discord")[0]
    assert "*Also reported by Feed" in str(discord)


def _feed_of(url: str | None) -> str:
    return {"a.example": "Feed a", "b.example": "Feed b", "c.example": "Feed c"}[url.split("/")[2]]


async def test_one_feeds_templated_items_are_separate_stories(svc, clock, feed_server):
    feed_server.add("news", 1)
    await svc.subscribe(CH, feed_server.url("news"))
    feed_server.add("news", 3, start=1)  # "Libraries plan number 1..3": near-identical texts, one feed
    clock.advance(timedelta(minutes=30))
    await svc.poller.poll_due()
    digest = await svc.digest_now(CH)
    assert digest is not None and len(digest.items) == 3 and all(not i.also for i in digest.items)


def test_cluster_threshold_and_sources():
    a = ARTICLE.format(title="x", who="Mayor Jane Doe", day="Monday", n=3)
    b = ARTICLE.format(title="y", who="Mayor Jane Doe", day="Tuesday", n=4)
    sport = SPORT.format(title="z")
    assert similarity(shingles(a), shingles(b)) >= SAME_STORY
    assert similarity(shingles(a), shingles(sport)) < SAME_STORY
    assert cluster([a, sport, b]) == [[0, 2], [1]]
    assert cluster([a, sport, b], sources=["f1", "f2", "f1"]) == [[0], [1], [2]]
    assert cluster([]) == []
