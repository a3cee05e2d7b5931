"""HTML pages -> Article: real publishers' pages from ../shared served on loopback, and small pages written here."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from ingest_loopback import LoopbackServer

from briefings.errors import InputError
from briefings.ingest.html import article_from_html, fragment_paragraphs
from briefings.ingest.pages import fetch_article
from briefings.ingest.source import load_path
from briefings.settings import Settings

_TOKEN = re.compile(r"\w+")

ARTICLE_HTML = """<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Minister offers talks on grain corridor | Example News</title>
<meta property="og:title" content="Minister offers talks on grain corridor">
<meta property="og:site_name" content="Example News">
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2026-11-20T08:30:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Minister offers talks on grain corridor</h1>
<p>The foreign minister said on Friday that his government was ready to hold talks on reopening the grain
corridor, adding that "the door remains open" to negotiations with all parties.</p>
<p>Officials in the capital denied reports that shipments had been halted, saying the ports were working
normally and that exports would continue through the winter months.</p>
<p>"We will not accept any conditions that harm our farmers," the minister told reporters at a news
conference, according to a transcript released by his office.<br>He did not take questions.</p>
<blockquote><p>"This is a moment for calm heads," said one diplomat.</p></blockquote>
<ul><li>Talks could start next week.</li><li>Both sides have named negotiators.</li></ul>
</article>
<footer>Copyright Example News. All rights reserved. Contact us. Privacy policy.</footer>
</body></html>"""


def token_f1(got: str, expected: str) -> float:
    a = Counter(t.lower() for t in _TOKEN.findall(got))
    b = Counter(t.lower() for t in _TOKEN.findall(expected))
    common = sum((a & b).values())
    if not common:
        return 0.0
    p, r = common / sum(a.values()), common / sum(b.values())
    return 2 * p * r / (p + r)


def test_article_layout_title_blank_line_paragraphs() -> None:
    article = article_from_html(ARTICLE_HTML, source="page.html", url="https://news.example/a")
    assert article.title == "Minister offers talks on grain corridor"
    assert article.text.startswith(article.title + "\n\n")
    assert article.body_start == len(article.title) + 2
    paragraphs = article.body.split("\n\n")
    assert paragraphs[0].startswith("The foreign minister said on Friday")
    assert "the door remains open" in paragraphs[0] and "\n" not in paragraphs[0]
    assert any(p.startswith('"We will not accept any conditions') for p in paragraphs)
    assert "He did not take questions." in paragraphs  # <br> ends a paragraph
    assert '"This is a moment for calm heads," said one diplomat.' in paragraphs
    assert "Talks could start next week." in paragraphs
    assert not any("Copyright" in p or p == "Home" for p in paragraphs)
    assert article.title not in article.body  # the <h1> is not repeated as a paragraph
    assert article.site_name == "Example News"
    assert article.author == "Jane Reporter"
    assert article.published and article.published.startswith("2026-11-20")
    assert article.url == "https://news.example/a" and article.source == "page.html"


@pytest.mark.parametrize(
    ("html", "words"),
    [
        (
            "<html><body><div id='root'></div><script>render()</script></body></html>",
            "couldn't find article text",
        ),
        (
            "<html><body><h1>Subscribe to read</h1><p>This article is for subscribers only.</p></body></html>",
            "couldn't find article text",
        ),
        (
            "<html><body><nav>"
            + " ".join(f"<a href='/s{n}'>Section {n}</a>" for n in range(40))
            + "</nav></body></html>",
            "couldn't find article text",
        ),
        ("", "is empty"),
        (b"\x00\x01\x02PNG", "binary"),
    ],
)
def test_pages_without_article_text_get_a_clear_message(html, words: str) -> None:
    with pytest.raises(InputError, match=words) as caught:
        article_from_html(html, source="x.html", url="https://news.example/x")
    assert "\n" not in caught.value.message


def test_home_page_teasers_are_not_an_article() -> None:
    teasers = "".join(
        f"<div class='teaser'><h2><a href='/story{n}'>Headline {n}</a></h2><p>Officials said on Monday that "
        f"the talks over issue {n} would continue into next week, a spokesman said.</p></div>"
        for n in range(20)
    )
    home = (
        "<html><head><title>Example News</title><meta property='og:type' content='website'></head>"
        f"<body><main>{teasers}</main></body></html>"
    )
    for url in ("https://news.example/", "https://news.example", "https://news.example/index.html"):
        with pytest.raises(InputError, match="couldn't find article text at"):
            article_from_html(home, source=url, url=url)
    # The same markup at an article's address is read (a short article, not a front page).
    assert article_from_html(home, source="x", url="https://news.example/2026/11/talks").body


def test_non_english_page_is_refused() -> None:
    body = "".join(
        f"<p>Der Minister sagte am Freitag, die Regierung sei bereit, über den Getreidekorridor zu verhandeln {n}.</p>"
        for n in range(8)
    )
    with pytest.raises(InputError, match="does not look like English"):
        article_from_html(f"<html><body><article>{body}</article></body></html>", source="de.html")


def test_control_and_zero_width_characters_are_removed() -> None:
    html = ARTICLE_HTML.replace("foreign minister", "for\u200beign\x07 minister")
    article = article_from_html(html, source="x.html")
    assert "\u200b" not in article.text and "\x07" not in article.text
    assert "foreign minister" in article.body


def test_fragment_paragraphs_of_feed_content() -> None:
    fragment = (
        "<p>First paragraph with <b>bold</b> text.</p>Loose text<br>after a break"
        "<ul><li>one</li><li>two</li></ul><script>alert(1)</script><blockquote><p>quoted</p></blockquote>"
    )
    assert fragment_paragraphs(fragment) == [
        "First paragraph with bold text.",
        "Loose text",
        "after a break",
        "one",
        "two",
        "quoted",
    ]
    assert fragment_paragraphs("Plain text.\n\nSecond paragraph.") == ["Plain text.", "Second paragraph."]
    assert fragment_paragraphs("") == []


def test_local_html_file(tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    page.write_text(ARTICLE_HTML, encoding="utf-8")
    article = load_path(page)
    assert article.title == "Minister offers talks on grain corridor"
    assert article.source == str(page)


def test_a_local_page_too_large_to_read_says_so(tmp_path: Path) -> None:
    """A 21 MB saved page said "couldn't find article text" (the HTML reader drops pages over 20 MB)."""
    page = tmp_path / "huge.html"
    page.write_bytes(b"<html><body><p>" + b"word " * 4_200_000 + b"</p></body></html>")
    with pytest.raises(InputError) as caught:
        load_path(page)
    assert caught.value.message == f"{page} is too large to read (21 MB; pages over 20 MB are not read)"


async def test_page_served_on_loopback_becomes_an_article(server: LoopbackServer) -> None:
    url = server.page("/world/grain.html", ARTICLE_HTML.encode("utf-8"))
    article = await fetch_article(url, Settings(allow_private_hosts=True))
    assert article.title == "Minister offers talks on grain corridor"
    assert article.url == url and article.source == url
    assert len(article.body.split("\n\n")) >= 5


async def test_plain_text_url_is_read_like_a_seed_file(server: LoopbackServer) -> None:
    text = "Minister offers talks\n\nThe minister said the door remains open to talks with all parties on Friday.\n"
    url = server.page("/story.txt", text, content_type="text/plain; charset=utf-8")
    article = await fetch_article(url, Settings(allow_private_hosts=True))
    assert article.title == "Minister offers talks" and article.url == url


async def test_feed_url_given_as_an_article_says_so(server: LoopbackServer) -> None:
    rss = '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
    url = server.page("/feed.xml", rss, content_type="application/rss+xml")
    with pytest.raises(InputError, match="is a feed, not an article"):
        await fetch_article(url, Settings(allow_private_hosts=True))


@pytest.mark.shared
async def test_real_pages_served_on_loopback(shared_dir: Path, server: LoopbackServer) -> None:
    """Every page of ../shared/corpus/html, served with its bytes as-is, becomes an Article with paragraphs."""
    html_dir = shared_dir / "corpus" / "html"
    pages = [p for p in json.loads((html_dir / "index.json").read_text("utf-8")) if p.get("expected_text")]
    settings = Settings(allow_private_hosts=True)
    scores = []
    for n, page in enumerate(pages):
        url = server.page(f"/p{n}.html", (html_dir / page["file"]).read_bytes(), content_type="text/html")
        article = await fetch_article(url, settings)
        assert article.title, page["file"]
        assert article.text.startswith(article.title + "\n\n"), page["file"]
        assert len(article.body.split("\n\n")) >= 3, page["file"]
        assert "\n\n\n" not in article.text, page["file"]
        scores.append(token_f1(article.body, page["expected_text"]))
    assert len(scores) == len(pages) >= 30
    mean = sum(scores) / len(scores)
    assert mean >= 0.90, f"mean token F1 {mean:.3f}"
    assert sorted(scores)[len(scores) // 2] >= 0.95  # the median page is near-perfect


# Real titles from ../shared/corpus/html (as trafilatura reads them), with the page's site name and host.
REAL_TITLES = [
    (
        "N. Korea slams S. Korea for joint military drill, warns of consequences | Yonhap News Agency",
        {"site_name": "Yonhap News Agency", "host": "en.yna.co.kr"},
        "N. Korea slams S. Korea for joint military drill, warns of consequences",
    ),
    (
        "Takeaways from Donald Trump’s contentious testimony in his civil fraud trial | CNN Politics",
        {"site_name": "CNN", "host": "edition.cnn.com"},
        "Takeaways from Donald Trump’s contentious testimony in his civil fraud trial",
    ),
    (
        "Obama admits US gun laws are his 'biggest frustration' - BBC News",
        {"host": "www.bbc.com"},
        "Obama admits US gun laws are his 'biggest frustration'",
    ),
    (
        "'What is the sea telling us?': Māori tribes fearful over whale strandings | Eleanor Ainge Roy",
        {"site_name": "The Guardian", "author": "Eleanor Ainge Roy"},
        "'What is the sea telling us?': Māori tribes fearful over whale strandings",
    ),
    (
        "'The American friends': New court files expose Sheldon Adelson's security team -- Sott.net",
        {},
        "'The American friends': New court files expose Sheldon Adelson's security team",
    ),
    (
        "Zimbabwe coup: Robert Mugabe and wife Grace 'insisting he finishes his term' — The Telegraph",
        {"site_name": "The Telegraph"},
        "Zimbabwe coup: Robert Mugabe and wife Grace 'insisting he finishes his term'",
    ),
]
# Titles whose dash is part of the headline: kept whole.
KEPT_TITLES = [
    "Ceasefire holds in the south - officials say",
    "Iran - Ukraine talks resume in Geneva",
    "Markets rally | Q3 2026 results",
    "Obama: gun laws - his 'biggest frustration'",
    "Hamas - Israel",
]


@pytest.mark.parametrize("title, page, expected", REAL_TITLES)
def test_site_suffix_is_trimmed_from_real_titles(title: str, page: dict, expected: str) -> None:
    from briefings.ingest.html import trim_site_suffix

    assert trim_site_suffix(title, **page) == expected


@pytest.mark.parametrize("title", KEPT_TITLES)
def test_a_dash_inside_a_headline_is_kept(title: str) -> None:
    from briefings.ingest.html import trim_site_suffix

    assert trim_site_suffix(title, site_name="Example News", host="news.example") == title


def test_page_title_loses_its_site_name() -> None:
    """The <title> "… | Yonhap News Agency" of a page with og:site_name becomes the bare headline (and the
    <h1> repeating it is not briefed as a paragraph)."""
    html = ARTICLE_HTML.replace(
        "<title>Minister offers talks on grain corridor | Example News</title>",
        "<title>N. Korea slams S. Korea for joint drill | Yonhap News Agency</title>",
    ).replace('<meta property="og:title" content="Minister offers talks on grain corridor">', "")
    html = html.replace("Example News", "Yonhap News Agency").replace(
        "<h1>Minister offers talks on grain corridor</h1>", "<h1>N. Korea slams S. Korea for joint drill</h1>"
    )
    article = article_from_html(html, source="page.html", url="https://en.yna.co.kr/view/AEN2026")
    assert article.title == "N. Korea slams S. Korea for joint drill"
    assert article.site_name == "Yonhap News Agency"
    assert not article.body.startswith("N. Korea slams")


def test_corpus_titles_carry_no_site_suffix(shared_dir: Path) -> None:
    """Every page of the corpus whose title trafilatura reads with a " | Site" tail loses it."""
    html_dir = shared_dir / "corpus" / "html"
    titles = []
    for page in json.loads((html_dir / "index.json").read_text("utf-8")):
        try:
            article = article_from_html((html_dir / page["file"]).read_bytes(), source=page["file"])
        except InputError:
            continue
        titles.append(article.title)
    assert len(titles) >= 30
    suffixed = [t for t in titles if re.search(r" \| (CNN|Yonhap|BBC|Reuters)", t)]
    assert suffixed == []
    assert sum(" | " in t for t in titles) == 0, [t for t in titles if " | " in t]
