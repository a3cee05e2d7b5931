"""Feeds: RSS 0.91, RSS 1.0 (RDF), RSS 2.0 and Atom parsed; malformed and empty feeds; full text fetched on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_loopback import LoopbackServer

from briefings.errors import FeedError, FetchError, InputError
from briefings.ingest.feeds import FULL_TEXT_MIN_WORDS, entry_article, fetch_feed, parse_feed
from briefings.ingest.source import load_feed_file
from briefings.settings import Settings

LONG = " ".join(
    f"The minister said on day {n} that talks would continue and that the government was ready to listen."
    for n in range(12)
)
assert len(LONG.split()) > FULL_TEXT_MIN_WORDS

RSS_091 = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel>
<title>Old Wire</title><link>http://oldwire.example/</link><description>News</description><language>en</language>
<item><title>Caf\xe9 owners protest</title><link>http://oldwire.example/cafe</link>
<description>Owners said the new rules would close their doors.</description></item>
</channel></rss>""".encode("latin-1")

RSS_10 = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://rdf.example/"><title>RDF Times</title><link>http://rdf.example/</link>
<description>d</description><items><rdf:Seq><rdf:li resource="http://rdf.example/1"/></rdf:Seq></items></channel>
<item rdf:about="http://rdf.example/1"><title>Port strike ends</title><link>http://rdf.example/1</link>
<description>Unions accepted the offer.</description><dc:date>2026-11-20T10:00:00+01:00</dc:date>
<dc:creator>A. Writer</dc:creator></item>
</rdf:RDF>"""

RSS_20 = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Daily &amp; Weekly</title><link>https://daily.example/</link><description>d</description>
<item><title>Full story inside</title><link>/stories/full</link><guid isPermaLink="false">story-1</guid>
<pubDate>Fri, 20 Nov 2026 08:30:00 GMT</pubDate><description>A short teaser.</description>
<content:encoded><![CDATA[<p>{LONG}</p><p>"We are ready," the minister said.</p><script>alert(1)</script>]]></content:encoded>
</item>
<item><title>Teaser only</title><link>https://daily.example/stories/teaser</link><guid>https://daily.example/stories/teaser</guid>
<description>&lt;p&gt;Just a &lt;b&gt;teaser&lt;/b&gt; of the story.&lt;/p&gt;</description></item>
</channel></rss>""".encode()

EMPTY_RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title><link>https://q.example/</link></channel></rss>'


def atom(base: str, *, full: bool) -> bytes:
    """An Atom feed whose entries link to pages on ``base``; with ``full`` they carry their whole text."""
    entries = []
    for n in (1, 2):
        content = f'<content type="html">&lt;p&gt;{LONG}&lt;/p&gt;</content>' if full else ""
        entries.append(
            f"""<entry><title>Story {n}</title><link rel="alternate" href="{base}/story{n}.html"/>
<id>urn:uuid:0000000{n}</id><updated>2026-11-2{n}T09:00:00Z</updated>
<summary>Summary of story {n}.</summary>{content}<author><name>Reporter {n}</name></author></entry>"""
        )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Wire</title><link href="{base}/"/>
<id>urn:feed</id><updated>2026-11-22T09:00:00Z</updated>{"".join(entries)}</feed>""".encode()


def story_page(n: int) -> str:
    paragraphs = "".join(
        f"<p>The spokesman for story {n} said the ministry was ready to resume talks with the unions, "
        f"and that officials would meet again in paragraph {k} of this report next week.</p>"
        for k in range(6)
    )
    return (
        f"<html><head><title>Story {n} full text</title></head><body><article><h1>Story {n} full text</h1>"
        f"{paragraphs}</article></body></html>"
    )


def test_rss_091() -> None:
    feed = parse_feed(RSS_091, url="http://oldwire.example/rss")
    assert feed.title == "Old Wire" and feed.link == "http://oldwire.example/"
    (entry,) = feed.entries
    assert entry.title == "Café owners protest"  # declared ISO-8859-1, decoded right
    assert entry.link == "http://oldwire.example/cafe"
    assert entry.summary == "Owners said the new rules would close their doors."
    assert entry.content is None


def test_rss_10_rdf() -> None:
    feed = parse_feed(RSS_10, url="http://rdf.example/rss")
    (entry,) = feed.entries
    assert feed.title == "RDF Times"
    assert entry.title == "Port strike ends" and entry.link == "http://rdf.example/1"
    assert entry.published == "2026-11-20T09:00:00+00:00"  # normalised to UTC
    assert entry.author == "A. Writer"


def test_rss_20_full_content_and_teasers() -> None:
    feed = parse_feed(RSS_20, url="https://daily.example/feed.xml")
    full, teaser = feed.entries
    assert feed.title == "Daily & Weekly"
    assert full.link == "https://daily.example/stories/full"  # relative link resolved
    assert full.guid and "story-1" in full.guid
    assert full.published == "2026-11-20T08:30:00+00:00"
    assert full.content and full.content.endswith('"We are ready," the minister said.')
    assert "alert" not in full.content  # scripts are stripped
    assert full.summary == "A short teaser."
    assert teaser.content is None and teaser.summary == "Just a teaser of the story."


def test_atom_with_and_without_content() -> None:
    with_content = parse_feed(atom("https://atom.example", full=True), url="https://atom.example/feed")
    summaries = parse_feed(atom("https://atom.example", full=False), url="https://atom.example/feed")
    assert [e.title for e in with_content.entries] == ["Story 1", "Story 2"]
    assert all(e.content and e.content.startswith("The minister said on day 0") for e in with_content.entries)
    assert all(e.content is None and e.summary for e in summaries.entries)
    first = summaries.entries[0]
    assert first.guid == "urn:uuid:00000001" and first.link == "https://atom.example/story1.html"
    assert first.published == "2026-11-21T09:00:00+00:00" and first.author == "Reporter 1"


def test_empty_feed_has_no_entries() -> None:
    feed = parse_feed(EMPTY_RSS, url="https://q.example/rss")
    assert feed.title == "Quiet" and feed.entries == []


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "is empty"),
        (b"   \n ", "is empty"),
        (b"this is not xml at all", "isn't a readable RSS or Atom feed"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "isn't a readable RSS or Atom feed"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><title>x', "isn't a readable RSS or Atom feed"),
        (b"<?xml version='1.0'?><note><to>Tove</to></note>", "isn't a readable RSS or Atom feed"),
        (
            b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"></head><body>hi</body></html>',
            "is a web page, not an RSS or Atom feed; its feed is https://site.example/rss.xml",
        ),
    ],
)
def test_malformed_and_empty_feeds_raise_feed_error(data: bytes, words: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(data, url="https://site.example/page")
    assert words in caught.value.message and "\n" not in caught.value.message


def test_truncated_feed_keeps_the_entries_it_can_read() -> None:
    data = RSS_20[: RSS_20.index(b"<item><title>Teaser only")] + b"<item><title>Cut"
    feed = parse_feed(data, url="https://daily.example/feed.xml")
    assert feed.entries[0].title == "Full story inside"


def test_entity_expansion_is_not_a_bomb() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>
<rss version="2.0"><channel><title>&h;</title></channel></rss>"""
    try:
        feed = parse_feed(bomb, url="https://bomb.example/")
    except FeedError:
        return  # refused: fine
    assert len(feed.title) < 1_000_000


async def test_atom_entries_with_summaries_get_their_pages_fetched(server: LoopbackServer) -> None:
    settings = Settings(allow_private_hosts=True)
    for n in (1, 2):
        server.page(f"/story{n}.html", story_page(n))
    server.page("/atom.xml", atom(server.url(""), full=False), content_type="application/atom+xml")
    feed, result = await fetch_feed(server.url("/atom.xml"), settings)
    assert feed is not None and result.status == 200 and len(feed.entries) == 2
    articles = [await entry_article(e, settings) for e in feed.entries]
    assert server.hits("/story1.html") == 1 and server.hits("/story2.html") == 1
    first = articles[0]
    assert first.title == "Story 1 full text"
    assert first.body.count("\n\n") >= 5 and "spokesman for story 1" in first.body
    assert first.guid == "urn:uuid:00000001" and first.summary == "Summary of story 1."
    assert first.url == server.url("/story1.html") and first.author == "Reporter 1"
    assert first.published


async def test_entries_with_full_content_are_not_fetched(server: LoopbackServer) -> None:
    settings = Settings(allow_private_hosts=True)
    server.page("/atom.xml", atom(server.url(""), full=True), content_type="application/atom+xml")
    feed, _ = await fetch_feed(server.url("/atom.xml"), settings)
    assert feed is not None
    article = await entry_article(feed.entries[0], settings)
    assert article.title == "Story 1" and article.body.startswith("The minister said on day 0")
    assert article.text == f"Story 1\n\n{article.body}" and article.body_start == len("Story 1\n\n")
    assert server.hits("/story1.html") == 0


async def test_paywalled_link_falls_back_to_the_summary(server: LoopbackServer) -> None:
    settings = Settings(allow_private_hosts=True)
    server.page("/story1.html", "<html><body><p>Subscribe to read.</p></body></html>")
    feed = parse_feed(atom(server.url(""), full=False), url=server.url("/atom.xml"))
    article = await entry_article(feed.entries[0], settings)
    assert article.title == "Story 1" and article.body == "Summary of story 1."


async def test_unreachable_link_is_a_fetch_error_for_retry(server: LoopbackServer) -> None:
    feed = parse_feed(atom(server.url(""), full=False), url=server.url("/atom.xml"))
    with pytest.raises(FetchError, match="there is no page at"):  # 404: the scheduler retries later
        await entry_article(feed.entries[0], Settings(allow_private_hosts=True))
    with pytest.raises(FetchError, match="private network"):  # and links are vetted like any URL
        await entry_article(feed.entries[0], Settings())


async def test_conditional_feed_fetch(server: LoopbackServer) -> None:
    from aiohttp import web

    async def feed_handler(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"f1"':
            return web.Response(status=304, headers={"ETag": '"f1"'})
        return web.Response(body=EMPTY_RSS, headers={"Content-Type": "application/rss+xml", "ETag": '"f1"'})

    settings = Settings(allow_private_hosts=True)
    url = server.route("/rss", feed_handler)
    feed, result = await fetch_feed(url, settings)
    assert feed is not None and feed.title == "Quiet" and result.etag == '"f1"'
    again, result2 = await fetch_feed(url, settings, etag=result.etag)
    assert again is None and result2.not_modified


async def test_html_page_fetched_as_feed_says_where_the_feed_is(server: LoopbackServer) -> None:
    page = '<html><head><link rel="alternate" type="application/atom+xml" href="/atom.xml"></head><body></body></html>'
    url = server.page("/", page)
    with pytest.raises(
        FeedError, match=r"is a web page, not an RSS or Atom feed; its feed is http://127\.0\.0\.1"
    ):
        await fetch_feed(url, Settings(allow_private_hosts=True))


def test_local_feed_file(tmp_path: Path) -> None:
    path = tmp_path / "daily.xml"
    path.write_bytes(RSS_20)
    articles = load_feed_file(path)
    assert [a.title for a in articles] == ["Full story inside", "Teaser only"]
    assert articles[0].body.endswith('"We are ready," the minister said.')
    assert articles[1].body == "Just a teaser of the story."  # offline: the summary
    empty = tmp_path / "empty.rss"
    empty.write_bytes(EMPTY_RSS)
    with pytest.raises(InputError, match="no entries with text"):
        load_feed_file(empty)
    with pytest.raises(InputError, match="no such file"):
        load_feed_file(tmp_path / "missing.atom")


def test_feed_entry_titles_lose_the_site_name() -> None:
    """Aggregator feeds title entries "Headline - BBC News"; the briefing's headline is the headline."""
    data = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>BBC News</title>"
        b"<link>https://www.bbc.co.uk/news</link>"
        b"<item><guid>1</guid><link>https://www.bbc.co.uk/news/a</link>"
        b"<title>Talks to resume in Geneva next week - BBC News</title><description>x</description></item>"
        b"<item><guid>2</guid><link>https://www.bbc.co.uk/news/b</link>"
        b"<title>Ceasefire holds in the south - officials say</title><description>y</description></item>"
        b"</channel></rss>"
    )
    feed = parse_feed(data, url="https://www.bbc.co.uk/news/rss.xml")
    assert [e.title for e in feed.entries] == [
        "Talks to resume in Geneva next week",
        "Ceasefire holds in the south - officials say",
    ]


def test_digest_says_when_an_item_is_its_feed_summary_and_dates_read_in_the_time_zone(
    server: LoopbackServer, monkeypatch, capsys, caplog
) -> None:
    """Issue 11: a page that cannot be read falls back to the feed summary, and the item says so (and the
    log warns); the entry's date reads "20 Nov 2026, 17:30" in BRIEFBOT_TIMEZONE, not as raw ISO."""
    from bots.cli import main

    summary = (
        "The port authority said on Friday that the strike had ended after unions accepted a new offer, "
        "and that ships would be unloaded again from Monday morning."
    )
    server.page("/paywalled.html", "<html><body><p>Subscribe to read.</p></body></html>")
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Port News</title>
<link>{server.url("/")}</link><item><guid>p1</guid><link>{server.url("/paywalled.html")}</link>
<title>Port strike ends</title><pubDate>Fri, 20 Nov 2026 08:30:00 GMT</pubDate>
<description>{summary}</description></item></channel></rss>"""
    url = server.page("/feed.xml", feed.encode(), content_type="application/rss+xml")
    monkeypatch.setenv("BRIEFBOT_ALLOW_PRIVATE_HOSTS", "1")
    monkeypatch.setenv("BRIEFBOT_TIMEZONE", "Asia/Seoul")
    with caplog.at_level("WARNING", logger="briefings.ingest.feeds"):
        assert main(["digest", "--to", "console", url]) == 0
    out = capsys.readouterr().out
    assert "1. Port strike ends" in out
    assert "20 Nov 2026, 17:30" in out and "2026-11-20T" not in out
    assert "feed summary: the article page could not be read" in " ".join(out.split())
    assert any(
        r.levelname == "WARNING" and "briefing the feed summary" in r.getMessage() for r in caplog.records
    )
