"""Subscription filters (only ACTS, include/exclude words or /regex/, speaker) on SQLite and
PostgreSQL: validated with one-line errors, stored with the subscription, applied when a feed's new
articles are filed, changed with /brief filter, and the same words from Discord's options."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sched_support import ARTICLE, T0, FeedItem
from sqlalchemy import select

from bots.discord_bot.briefing_group import filter_words
from briefings.deliver.chat import ChatCommands, parse_subscribe
from briefings.deliver.delivery import ChannelRef
from briefings.deliver.filters import Filters, compile_term, parse_filter_words, tokens
from briefings.deliver.polling import Poller
from briefings.deliver.subscriptions import SubscriptionService
from briefings.errors import InputError
from briefings.models import Briefing, Speaker
from briefings.pipeline import Briefer
from briefings.store import ChannelItem, SubscriptionRow

CH = ChannelRef("slack", "C1", "T1")
SPORT = (
    "Cup final\n\n"
    "The home side won the cup final on penalties after a goalless draw that lasted two hours. "
    '"The players gave everything," coach Tom Berg told the crowd outside the stadium. '
    "Fans celebrated in the old town square until the early hours, police said, and the team bus "
    "will tour the city on Sunday afternoon before a reception at the town hall."
)


@pytest.fixture
async def svc(store, settings, clock):
    briefer = Briefer(settings)
    poller = Poller(store, settings, clock, briefer.brief)
    yield SubscriptionService(store, poller, settings, clock)
    briefer.close()


@pytest.fixture
def chat(svc, settings, clock):
    return ChatCommands(briefer=svc.poller, subscriptions=svc, settings=settings, clock=clock)


async def _pending(store) -> list[str]:
    async with store.session() as session:
        rows = await session.execute(
            select(ChannelItem.title).where(ChannelItem.digested_at.is_(None)).order_by(ChannelItem.id)
        )
        return list(rows.scalars())


def _publish(feed_server, path: str) -> None:
    feed_server.feeds[path] += [
        FeedItem(
            "lib",
            "https://news.example/lib",
            "Libraries plan",
            T0,
            ARTICLE.format(title="Libraries plan", who="Mayor Jane Doe", day="Monday", n=4),
        ),
        FeedItem("cup", "https://news.example/cup", "Cup final", T0, SPORT),
    ]


@pytest.mark.parametrize(
    ("words", "kept"),
    [
        ("", ["Libraries plan", "Cup final"]),
        ("only offer,denial", ["Libraries plan"]),
        ("only accusation", []),
        ('include "new libraries"', ["Libraries plan"]),
        ("include /CUP\\s+FINAL/i", ["Cup final"]),
        ("include /CUP FINAL/", []),  # a regex without i is case-sensitive
        ("exclude /cup|penalt/i", ["Libraries plan"]),
        ("speaker Doe", ["Libraries plan"]),
        ('speaker "Jane Doe" only demand exclude sport', ["Libraries plan"]),
        ("speaker Kuleba", []),
    ],
)
async def test_filters_decide_which_new_articles_are_filed(chat, svc, store, clock, feed_server, words, kept):
    feed_server.add("news", 1)
    reply = await chat.handle(
        f"subscribe {feed_server.url('news')} daily 07:30 {words}", channel=CH, user="U1", can_manage=True
    )
    assert not reply.error, reply.text
    if words:
        assert "Filters: " in reply.text
    _publish(feed_server, "news")
    clock.advance(timedelta(minutes=30))
    report = await svc.poller.poll_due()
    assert sorted(await _pending(store)) == sorted(kept)
    assert report.filtered == 2 - len(kept)


async def test_filters_are_stored_listed_and_replaced(chat, svc, store, feed_server):
    feed_server.add("news", 1)
    await chat.handle(
        f'subscribe {feed_server.url("news")} only offers include "cease fire" exclude /sport/i speaker Kuleba',
        channel=CH,
        user="U1",
        can_manage=True,
    )
    async with store.session() as session:
        sub = (await session.execute(select(SubscriptionRow))).scalar_one()
    assert Filters.from_json(sub.filters).describe() == (
        'only offer; include "cease fire"; exclude /sport/i; speaker Kuleba'
    )
    listed = await chat.handle("list", channel=CH, user="U1", can_manage=True)
    assert 'filters: only offer; include "cease fire"; exclude /sport/i; speaker Kuleba' in listed.text
    changed = await chat.handle("filter 1 only denial", channel=CH, user="U1", can_manage=True)
    assert changed.text.endswith("only denial.")
    cleared = await chat.handle("filter 1 none", channel=CH, user="U1", can_manage=True)
    assert "none: every article" in cleared.text
    async with store.session() as session:
        assert (await session.execute(select(SubscriptionRow.filters))).scalar_one() is None
    refused = await chat.handle("filter 1 only offer", channel=CH, user="U2", can_manage=False)
    assert refused.error and "permission" in refused.text


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("include /[a-/", "is not a valid regular expression"),
        ("include /(a+)+$/", "repeats a repeat"),
        ("exclude /(\\w+\\s?)*x/i", "repeats a repeat"),
        ("include /(a)\\1/", "back-references are not allowed"),
        ("include /" + "a" * 101 + "/", "at most 100 characters"),
        ("include /sport/g", "the only flag is i"),
        ("include //", "matches everything"),
        ("only offer,statement", "only takes acts"),
        ("include", "include needs a value"),
        ("speaker ...", "speaker needs a name"),
    ],
)
def test_bad_filters_get_one_clear_line(words, message):
    with pytest.raises(InputError) as err:
        parse_subscribe(f"https://news.example/feed.xml {words}")
    assert message in err.value.message and "\n" not in err.value.message


def test_too_many_terms_and_slow_regexes_are_bounded():
    with pytest.raises(InputError, match="at most 10 include"):
        parse_filter_words(tokens(" ".join(f"include w{i}" for i in range(11))))
    # Overlapping alternatives slip past the static check; the search's time limit stops them.
    term = compile_term("/(a|aa)*c/")
    assert term.search("a" * 5000) is False


def test_matching_rules():
    b = Briefing(headline="Talks", source="x", speakers=[Speaker(name="Dmytro Kuleba")], counts={"denial": 1})
    text = "Ukraine said a cease-fire was possible."
    assert parse_filter_words(tokens("speaker kuleba only denial")).matches(b, text)
    assert not parse_filter_words(tokens("speaker Dmytro")).matches(
        Briefing(headline="x", source="x", speakers=[Speaker(name="Dmitri Peskov")]), text
    )
    assert parse_filter_words(tokens("include /cease-?fire/")).matches(b, text)
    assert not parse_filter_words(tokens("include fire")).matches(b, "firefighters")  # whole words
    assert parse_filter_words(tokens("include “cease-fire”")).matches(b, text)  # typographic quotes


def test_discord_options_become_the_shared_words():
    words = filter_words(
        only="offer, denial", include="peace talks", exclude="/sport/i", speaker="Dmytro Kuleba"
    )
    assert words == [
        "only",
        "offer,denial",
        "include",
        '"peace talks"',
        "exclude",
        "/sport/i",
        "speaker",
        '"Dmytro Kuleba"',
    ]
    parsed = parse_subscribe("https://news.example/f.xml " + " ".join(words))
    assert (
        parsed.filters.describe()
        == 'only offer,denial; include "peace talks"; exclude /sport/i; speaker "Dmytro Kuleba"'
    )
