"""OPML in and out, on SQLite and PostgreSQL: `/brief export` (a code block on every platform),
`briefbot feeds export` and `briefbot feeds import FILE --to ...` round-trip a channel's feeds; a
malformed or hostile OPML file gets one line."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from bots.discord_bot.briefing_group import reply_payloads
from briefings.deliver import platforms
from briefings.deliver.chat import ChatCommands
from briefings.deliver.delivery import ChannelRef
from briefings.deliver.opml import OpmlFeed, parse_opml, to_opml
from briefings.deliver.polling import Poller
from briefings.deliver.subscriptions import SubscriptionService
from briefings.errors import InputError
from briefings.pipeline import Briefer

CH = ChannelRef("slack", "C1", "T1")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
async def svc(store, settings, clock):
    briefer = Briefer(settings)
    poller = Poller(store, settings, clock, briefer.brief)
    yield SubscriptionService(store, poller, settings, clock)
    briefer.close()


@pytest.fixture
def chat(svc, settings, clock):
    return ChatCommands(briefer=svc.poller, subscriptions=svc, settings=settings, clock=clock)


async def _cli(db_url: str, tmp_path, *args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_DATABASE")}
    env.update(BRIEFBOT_DATABASE_URL=db_url, BRIEFBOT_ALLOW_PRIVATE_HOSTS="1", PYTHONPATH=ROOT)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bots",
        *args,
        env=env,
        cwd=tmp_path,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate(stdin)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_opml_round_trip_through_chat_and_the_cli(chat, svc, db_url, tmp_path, feed_server):
    for name in ("one", "two"):
        feed_server.add(name, 1)
        await chat.handle(f"subscribe {feed_server.url(name)}", channel=CH, user="U1", can_manage=True)
    reply = await chat.handle("export", channel=CH, user="U1", can_manage=True)
    assert reply.code is not None and reply.text.startswith("This channel's 2 feeds as OPML")
    exported = parse_opml(reply.code)
    assert exported == [
        OpmlFeed(feed_server.url("one"), "Feed one"),
        OpmlFeed(feed_server.url("two"), "Feed two"),
    ]
    # The same export as each platform shows it: a code block.
    [slack] = platforms.get("slack").renderer.code(reply.text, reply.code)
    assert "```&lt;?xml" in str(slack) and "xmlUrl" in str(slack)
    [discord] = reply_payloads(reply)
    assert discord["content"].count("```") == 2 and "<opml" in discord["content"]
    # Import it into another channel with the CLI (its current items count as seen), add a third feed.
    feed_server.add("three", 1)
    path = tmp_path / "feeds.opml"
    path.write_text(
        to_opml(
            [*exported, OpmlFeed(feed_server.url("three"), "Three"), OpmlFeed(feed_server.url("gone"))],
            title="mine",
        )
    )
    code, out, err = await _cli(db_url, tmp_path, "feeds", "import", str(path), "--to", "discord:123456789")
    assert code == 2, err  # one feed could not be read: reported, the others subscribed
    assert out.count("subscribed discord:123456789 to") == 3
    code, out, err = await _cli(db_url, tmp_path, "feeds", "import", str(path), "--to", "console")
    # The channel it subscribed, the console of `briefbot run` (it said console:stdout).
    assert out.count("subscribed console:terminal to") == 3, err
    assert "skipped " + feed_server.url("gone") in err and "404" in err and "3 of 4 feeds subscribed" in err
    other = ChannelRef("discord", "123456789")
    assert [v.feed_url for v in await svc.list(other)] == [
        feed_server.url(n) for n in ("one", "two", "three")
    ]
    code, out, err = await _cli(db_url, tmp_path, "feeds", "export", "--from", "discord:123456789")
    assert code == 0, err
    assert [f.url for f in parse_opml(out)] == [feed_server.url(n) for n in ("one", "two", "three")]
    code, out, _ = await _cli(db_url, tmp_path, "feeds", "export")  # every channel's feeds, each once
    assert len(parse_opml(out)) == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<opml><body><outline", "is not well-formed XML"),
        (b"<rss version='2.0'><channel/></rss>", "is not OPML: its root element is <rss>"),
        (b"<opml version='2.0'><head/></opml>", "has no <body>"),
        (b"<opml version='2.0'><body><outline text='folder'/></body></opml>", "lists no feeds"),
        (
            b"<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>]><opml><body/></opml>",
            "declares a DOCTYPE or entities",
        ),
        (b"\xff\xfe\x00garbage", "is not well-formed XML"),
    ],
)
def test_malformed_opml_gets_one_line(data, message):
    with pytest.raises(InputError) as err:
        parse_opml(data, name="feeds.opml")
    assert message in err.value.message and "\n" not in err.value.message


def test_nested_outlines_and_escaping_survive_a_round_trip():
    feeds = [
        OpmlFeed("https://a.example/rss?x=1&y=2", 'Tom & Jerry "news" <daily>'),
        OpmlFeed("https://b.example/f"),
    ]
    nested = (
        "<opml version='1.0'><body><outline text='News'>"
        + "".join(f"<outline text='x' xmlUrl='{f.url.replace('&', '&amp;')}'/>" for f in feeds)
        + "</outline></body></opml>"
    )
    assert [f.url for f in parse_opml(nested)] == [f.url for f in feeds]
    assert parse_opml(to_opml(feeds, title="t & t")) == [
        feeds[0],
        OpmlFeed("https://b.example/f", "https://b.example/f"),
    ]


async def test_cli_import_of_a_malformed_file_is_one_line(db_url, tmp_path):
    bad = tmp_path / "bad.opml"
    bad.write_text("<html><body>not a feed list</body></html>")
    code, _out, err = await _cli(db_url, tmp_path, "feeds", "import", str(bad), "--to", "slack:C0123ABCD")
    assert code == 2 and err.strip().count("\n") == 0
    assert err.startswith("briefbot: ") and "is not OPML" in err


def test_cli_export_to_a_folder_that_is_not_there_is_one_line(tmp_path, capsys):
    """``feeds export -o missing/dir/x.opml`` was a FileNotFoundError traceback."""
    from bots.cli import main

    target = tmp_path / "missing" / "feeds.opml"
    assert main(["feeds", "export", "-o", str(target)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"briefbot: cannot write {target}: No such file or directory\n"


@pytest.mark.parametrize(
    ("option", "line"),
    [
        (
            ["--time", "25:00"],
            "briefbot: --time: '25:00' is not a time of day; use 24-hour HH:MM such as 07:30\n",
        ),
        (
            ["--tz", "Mars/Olympus"],
            "briefbot: --tz: 'Mars/Olympus' is not a time zone; use an IANA name such as Europe/Berlin\n",
        ),
    ],
)
def test_cli_import_checks_its_options_once_before_any_feed(tmp_path, capsys, option, line):
    """``feeds import --time 25:00`` fetched every feed and printed the same refusal once per feed, then
    "0 of N feeds subscribed"."""
    from bots.cli import main

    path = tmp_path / "feeds.opml"
    path.write_text(to_opml([OpmlFeed("https://a.example/f"), OpmlFeed("https://b.example/f")], title="t"))
    assert main(["feeds", "import", str(path), "--to", "console", *option]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == line


async def test_export_of_one_feed_says_one_feed(chat, feed_server):
    feed_server.add("one", 1)
    await chat.handle(f"subscribe {feed_server.url('one')}", channel=CH, user="U1", can_manage=True)
    reply = await chat.handle("export", channel=CH, user="U1", can_manage=True)
    assert reply.text == "This channel's 1 feed as OPML (save it as briefbot.opml):"  # was "1 feed(s)"
