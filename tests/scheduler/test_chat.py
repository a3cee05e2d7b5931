"""ChatCommands: parsing of /brief sub-commands, permissions, ephemeral errors, and local files only
for the console."""

from __future__ import annotations

import pytest

from briefings.deliver import platforms
from briefings.deliver.chat import ChatCommands, parse_subscribe
from briefings.deliver.delivery import ChannelRef
from briefings.deliver.polling import Poller
from briefings.deliver.subscriptions import SubscriptionService
from briefings.errors import InputError
from briefings.pipeline import Briefer

SLACK = ChannelRef("slack", "C1", "T1")
CONSOLE = ChannelRef("console", "terminal")


@pytest.fixture
async def chat(store, settings, clock):
    briefer = Briefer(settings)
    poller = Poller(store, settings, clock, briefer.brief)
    subs = SubscriptionService(store, poller, settings, clock)
    yield ChatCommands(briefer=briefer, subscriptions=subs, settings=settings, clock=clock)
    briefer.close()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("https://x.example/f.xml", dict(times=None, weekdays="mon-sun", tz=None, mode="digest", backfill=0)),
        (
            "https://x.example/f.xml daily 07:30,18:00 tz Europe/Berlin",
            dict(times=["07:30", "18:00"], weekdays="mon-sun", tz="Europe/Berlin"),
        ),
        ("<https://x.example/f.xml|my feed> weekdays 6:45", dict(times=["6:45"], weekdays="weekdays")),
        ("https://x.example/f.xml at 08:00 days mon,wed,fri", dict(times=["08:00"], weekdays="mon,wed,fri")),
        ("https://x.example/f.xml mode instant", dict(mode="instant")),
        ("https://x.example/f.xml instant --backfill 3", dict(mode="instant", backfill=3)),
        (
            "https://x.example/f.xml 07:00 sat-sun timezone America/New_York",
            dict(times=["07:00"], weekdays="sat-sun", tz="America/New_York"),
        ),
    ],
)
def test_parse_subscribe(words, expected):
    # What a Slack user sends: the Slack platform reads its <url|label> links first (as ChatCommands does).
    parsed = parse_subscribe(platforms.get("slack").plain_links(words))
    assert parsed.feed_url == "https://x.example/f.xml"
    for name, value in expected.items():
        assert getattr(parsed, name) == value


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("", "give the feed's address"),
        ("https://x.example/f.xml tz", "tz needs a value"),
        ("https://x.example/f.xml backfill lots", "backfill needs a number"),
        ("https://x.example/f.xml please", "I don't understand 'please'"),
        ("https://x.example/f.xml at noon", "at needs a time"),
    ],
)
def test_parse_subscribe_errors_say_what_is_wrong(words, message):
    with pytest.raises(InputError, match=message):
        parse_subscribe(words)


def test_a_feed_path_is_one_word_not_a_filter_regex():
    """``/brief subscribe /srv/feeds/city.xml daily 07:30`` said "I don't understand '.xml'": the
    filters' tokenizer read ``/srv/`` as a /regex/ with flags ``feeds``."""
    parsed = parse_subscribe("/srv/feeds/city.xml daily 07:30")
    assert parsed.feed_url == "/srv/feeds/city.xml" and parsed.times == ["07:30"]


async def test_subscribing_to_a_path_says_it_is_not_a_feed_address(chat):
    reply = await chat.handle(
        "subscribe /srv/feeds/city.xml daily 07:30", channel=SLACK, user="U1", can_manage=True
    )
    assert reply.error
    assert reply.text == (
        "'/srv/feeds/city.xml' is not a feed address; give an http(s) URL of an RSS or Atom feed"
    )


async def test_empty_opens_the_modal_and_help_is_ephemeral(chat):
    assert (await chat.handle("", channel=SLACK, user="U1", can_manage=True)).kind == "modal"
    reply = await chat.handle("help", channel=SLACK, user="U1", can_manage=False)
    assert reply.kind == "help" and reply.ephemeral and "/brief subscribe" in reply.text


async def test_changing_subscriptions_needs_permission(chat, feed_server):
    feed_server.add("news", 2)
    for text in (f"subscribe {feed_server.url('news')}", "unsubscribe 1"):
        reply = await chat.handle(text, channel=SLACK, user="U1", can_manage=False)
        assert reply.error and reply.ephemeral and "permission" in reply.text
    assert feed_server.requests == []  # refused before anything was fetched
    ok = await chat.handle(
        f"subscribe {feed_server.url('news')} daily 06:00", channel=SLACK, user="U1", can_manage=True
    )
    assert not ok.error and ok.ephemeral and "a digest daily at 06:00 (UTC)" in ok.text
    listed = await chat.handle("list", channel=SLACK, user="U2", can_manage=False)  # anyone may look
    assert listed.text.startswith("Subscriptions here:\n1. Feed news")


async def test_every_core_error_is_an_ephemeral_one_liner(chat, feed_server):
    for text, message in [
        ("subscribe ftp://x.example/feed", "not a feed address"),
        ("subscribe https://x.example/f.xml tz Mars/Base", "IANA"),
        (f"subscribe {feed_server.url('missing')}", "404"),
        ("unsubscribe one", "give the number"),
        ("word", "not a URL or an article"),
    ]:
        reply = await chat.handle(text, channel=SLACK, user="U1", can_manage=True)
        assert reply.kind == "text" and reply.error and reply.ephemeral, text
        assert message in reply.text and "\n" not in reply.text


async def test_digest_with_nothing_new_says_so(chat):
    reply = await chat.handle("digest", channel=SLACK, user="U1", can_manage=False)
    assert reply.kind == "text" and reply.text == "Nothing new since the last digest."


async def test_local_files_are_read_only_for_the_console(chat, seed_path):
    from_console = await chat.handle(str(seed_path), channel=CONSOLE, user="me", can_manage=True)
    assert from_console.kind == "briefing" and "Iran" in from_console.briefing.headline
    # From a chat platform a path is just a word: the server's disk is never read.
    from_slack = await chat.handle(str(seed_path), channel=SLACK, user="U1", can_manage=True)
    assert from_slack.error and "not a URL or an article" in from_slack.text


async def test_pasted_text_is_briefed(chat, seed_path):
    reply = await chat.handle(
        seed_path.read_text(encoding="utf-8"), channel=SLACK, user="U1", can_manage=False
    )
    assert reply.kind == "briefing" and not reply.ephemeral
    assert reply.briefing.counts.get("offer", 0) >= 1


async def test_subscribing_says_the_existing_items_were_marked_seen_and_how_to_backfill(chat, feed_server):
    feed_server.add("news", 3)
    reply = await chat.handle(
        f"subscribe {feed_server.url('news')} daily 07:30 tz Europe/Berlin",
        channel=SLACK,
        user="U1",
        can_manage=True,
    )
    assert not reply.error and reply.ephemeral
    assert reply.text.startswith("Subscribed to Feed news: a digest daily at 07:30 (Europe/Berlin).")
    assert reply.text.endswith(
        " 3 existing items marked as seen; add `backfill N` to have the latest N in the next digest."
    )


async def test_subscribing_with_backfill_says_what_goes_into_the_next_digest(chat, feed_server):
    feed_server.add("news", 3)
    feed_server.add("other", 1)
    reply = await chat.handle(
        f"subscribe {feed_server.url('news')} backfill 2", channel=SLACK, user="U1", can_manage=True
    )
    assert reply.text.endswith(" The latest 2 items will be in the next digest; 1 older item marked as seen.")
    reply = await chat.handle(
        f"subscribe {feed_server.url('other')} mode instant backfill 1",
        channel=SLACK,
        user="U1",
        can_manage=True,
    )
    assert reply.text.endswith(" The latest item will be posted here now.")
    digest = await chat.subscriptions.digest_now(SLACK)
    assert digest is not None and len(digest.items) == 2  # the two backfilled digest items


async def test_backfill_is_capped_by_the_per_poll_setting_in_one_line(chat, feed_server, settings):
    feed_server.add("news", 9)
    for words, message in [
        (
            f"backfill {settings.feed_max_new + 1}",
            f"backfill must be a number from 0 to {settings.feed_max_new} (BRIEFBOT_FEED_MAX_NEW), got 6",
        ),
        ("backfill -1", "backfill needs a number, got '-1'"),
        ("backfill", "backfill needs a value"),
    ]:
        reply = await chat.handle(
            f"subscribe {feed_server.url('news')} {words}", channel=SLACK, user="U1", can_manage=True
        )
        assert reply.error and reply.ephemeral and message in reply.text and "\n" not in reply.text, words
    assert await chat.subscriptions.list(SLACK) == []  # nothing stored


@pytest.mark.parametrize("text", ["list extra", "export now", "digest now", "LIST all feeds"])
async def test_a_command_that_takes_nothing_refuses_extra_words(chat, text):
    """``/brief digest now`` was briefed as a pasted article "digest now" ("No statements attributed to
    a source were found in this article")."""
    reply = await chat.handle(text, channel=SLACK, user="U1", can_manage=True)
    assert reply.error and reply.kind == "text"
    command, rest = text.split(" ", 1)
    assert reply.text == f"/brief {command.lower()} takes nothing after it (got {rest!r}); try /brief help"
