"""An HTML page -> Article: main text (paragraphs kept), title, date, author and site name, via trafilatura.

Layout of the Article text: ``title + "\\n\\n" + paragraphs joined by "\\n\\n"``,
``body_start`` just after the title block, so the headline is never mined.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from briefings.errors import InputError, MissingPartError
from briefings.ingest.language import looks_english
from briefings.ingest.netsafety import shorten
from briefings.ingest.text import MAX_TEXT_CHARS
from briefings.models import Article

log = logging.getLogger(__name__)

MIN_ARTICLE_WORDS = 40  # fewer words than this is a teaser, a paywall or an app shell, not an article
MAX_PAGE_BYTES = 20_000_000  # trafilatura's MAX_FILE_SIZE: it discards larger pages (a saved local file)
# trafilatura's settings, tuned on ../shared/corpus/html with benchmarks/html_text_f1.py.
EXTRACT_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": False,
    "include_images": False,
    "include_links": False,
    "favor_recall": False,
    "favor_precision": False,
    "deduplicate": False,
}
# Elements of trafilatura's output tree that are one paragraph each.
_BLOCKS = frozenset({"p", "head", "item", "quote", "code", "row", "cell"})
_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_WORD = re.compile(r"\w+")
_HOME_PATH = re.compile(r"^/?(?:(?:index|home|default)\.\w+|home|news|en)?/?$", re.I)


def article_from_html(html: bytes | str, *, source: str, url: str | None = None) -> Article:
    """Extract the article of a web page; raise InputError "couldn't find article text at ..." when there is none."""
    try:
        import trafilatura  # noqa: PLC0415 - slow to import; only pages need it
    except ImportError as exc:
        raise MissingPartError.of("the HTML reader (trafilatura)", exc) from None

    where = shorten(url or source)
    size = len(html.encode("utf-8", "replace")) if isinstance(html, str) else len(html)
    if size > MAX_PAGE_BYTES:
        raise InputError(
            f"{where} is too large to read ({size / 1e6:.0f} MB; pages over {MAX_PAGE_BYTES / 1e6:.0f} MB "
            "are not read)"
        )
    if isinstance(html, bytes):
        if not html.strip():
            raise InputError(f"{where} is empty: there is no article to brief")
        if b"\x00" in html[:8192]:
            raise InputError(f"{where} looks like a binary file, not a web page")
    elif not html.strip():
        raise InputError(f"{where} is empty: there is no article to brief")
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, **EXTRACT_OPTIONS)
    except Exception as exc:  # trafilatura/lxml raise many types on broken markup
        raise InputError(
            f"couldn't find article text at {where}", detail=f"trafilatura failed: {exc!r}"
        ) from None
    if isinstance(doc, dict) or doc is None or doc.body is None:  # dict only with as_dict=True
        raise InputError(f"couldn't find article text at {where}", detail="trafilatura found no main text")
    title = trim_site_suffix(
        clean_line(doc.title or ""),
        site_name=clean_line(doc.sitename or "") or None,
        host=urlsplit(url).hostname if url else (doc.hostname or None),
        author=clean_line(doc.author or "") or None,
    )
    paragraphs = tree_paragraphs(doc.body)
    if paragraphs and title and _same_words(paragraphs[0], title):
        paragraphs = paragraphs[1:]  # the page's <h1> repeats the title
    if url and _HOME_PATH.match(urlsplit(url).path) and (doc.pagetype or "").lower() != "article":
        # A front page's teasers read like prose; briefing them would mix unrelated stories.
        raise InputError(f"couldn't find article text at {where}", detail="a home page, not an article")
    words = sum(len(_WORD.findall(p)) for p in paragraphs)
    if words < MIN_ARTICLE_WORDS:
        raise InputError(
            f"couldn't find article text at {where}",
            detail=f"only {words} words of main text (paywall, app shell?)",
        )
    article = make_article(
        title,
        paragraphs,
        source=source,
        url=url,
        published=doc.date or None,
        author=clean_line(doc.author or "") or None,
        site_name=clean_line(doc.sitename or "") or None,
    )
    if not looks_english(article.body):
        raise InputError(f"{where} does not look like English text; briefbot briefs English news only")
    return article


# " | Yonhap News Agency", " - BBC News", " — The Guardian": a page title's trailing site name.
_TITLE_SEPARATOR = re.compile(r"\s+(\||--|-|–|—|::|·)\s+(?=[^|–—·]*$)")
_DOMAIN = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}$", re.IGNORECASE)  # "Sott.net"
_HOST_NOISE = frozenset(
    {"www", "m", "amp", "edition", "mobile", "com", "org", "net", "gov", "edu", "co", "news"}
)
_NAME_WORD = re.compile(r"^(?:[A-Z0-9][\w.&’'-]*|of|the|and|for|on|&|de|la|le)$")


def _key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _names_site(tail: str, site_name: str | None, host: str | None, author: str | None) -> bool:
    """Whether ``tail`` names the site (its site_name, host or initials) or the article's author."""
    tail_key = _key(tail)
    if len(tail_key) < 2:
        return False
    if _DOMAIN.match(tail):
        return True
    for name in (site_name, author):
        key = _key(name or "")
        if len(key) >= 3 and (tail_key == key or tail_key.startswith(key) or key.startswith(tail_key)):
            return True  # "CNN Politics" on CNN, "Yonhap News Agency" on Yonhap News Agency
    initials = "".join(w[0] for w in re.findall(r"\w+", tail)).lower()
    for label in (host or "").lower().split("."):
        if len(label) >= 2 and label not in _HOST_NOISE:
            if tail_key.startswith(label) or (len(label) >= 3 and label in tail_key) or initials == label:
                return True  # "BBC News" on www.bbc.co.uk, "Yonhap News Agency" on www.yna.co.kr
    return False


def trim_site_suffix(
    title: str, *, site_name: str | None = None, host: str | None = None, author: str | None = None
) -> str:
    """A page or feed title without its trailing site name: "Talks resume | Yonhap News Agency" ->
    "Talks resume". A segment is cut when it names the site (site_name, host, the author) or, after
    " | ", is short; after a dash only when it reads as a name ("- BBC News", not "- officials say").
    The headline itself keeps at least three words."""
    for _ in range(2):  # "Title | World | Reuters"
        match = _TITLE_SEPARATOR.search(title)
        if match is None:
            break
        head, tail = title[: match.start()].strip(), title[match.end() :].strip()
        if len(head.split()) < 3 or not tail:
            break
        words = tail.split()
        short = len(words) <= 4 and len(tail) <= 40 and not re.search(r"[.!?:;,\d]", tail)
        name_like = short and all(_NAME_WORD.match(w) for w in words) and words[0][:1].isupper()
        if _names_site(tail, site_name, host, author) or (match.group(1) == "|" and short) or name_like:
            title = head
        else:
            break
    return title


def make_article(title: str, paragraphs: list[str], *, source: str, **fields: Any) -> Article:
    """The Article layout shared by pages and feed entries: title, blank line, paragraphs split by blank lines."""
    body = "\n\n".join(p for p in paragraphs if p)
    if title:
        text = f"{title}\n\n{body}"
        body_start = len(title) + 2
    else:
        text, body_start = body, 0
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"{shorten(source)} is too long to brief ({len(text):,} characters)")
    return Article(text=text, title=title, source=source, body_start=body_start, **fields)


def tree_paragraphs(body: Any) -> list[str]:
    """Paragraph texts of trafilatura's output tree, in order; nested blocks (a <p> in a quote) stand alone."""
    out: list[str] = []

    def visit(element: Any) -> None:
        if element.tag in _BLOCKS and not any(
            child.tag in _BLOCKS or child.tag == "list" for child in element
        ):
            out.extend(_block_lines(element))
            return
        if element.tag in _BLOCKS:  # a block holding blocks: its loose text is a paragraph of its own
            loose = clean_line(element.text or "")
            if loose:
                out.append(loose)
        for child in element:
            visit(child)
            if element.tag in _BLOCKS:
                tail = clean_line(child.tail or "")
                if tail:
                    out.append(tail)

    for child in body:
        visit(child)
    return out


def fragment_paragraphs(fragment: str) -> list[str]:
    """Paragraphs of an HTML fragment (a feed entry's content or summary), without trafilatura's pruning."""
    try:
        import lxml.html  # noqa: PLC0415 - loaded with trafilatura, only when a page is read
    except ImportError as exc:
        raise MissingPartError.of("the HTML reader (lxml)", exc) from None

    if not fragment.strip():
        return []
    if "<" not in fragment:  # plain text: blank lines separate paragraphs
        return [line for line in (clean_line(p) for p in re.split(r"\n\s*\n", fragment)) if line]
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # lxml raises ParserError and others on junk
        return [clean_line(re.sub(r"<[^>]*>", " ", fragment))]
    for bad in root.xpath(".//script|.//style|.//noscript|.//iframe|.//object|.//form"):
        bad.drop_tree()
    for br in root.xpath(".//br"):
        br.tail = "\n" + (br.tail or "")
    block_tags = {
        "p",
        "li",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "dd",
        "dt",
        "figcaption",
        "td",
    }
    out: list[str] = []

    def visit(element: Any, buffer: list[str]) -> None:
        for child in element:
            if not isinstance(child.tag, str):  # comments, processing instructions
                buffer.append(child.tail or "")
                continue
            if child.tag in block_tags or child.tag in (
                "div",
                "section",
                "article",
                "ul",
                "ol",
                "table",
                "tr",
            ):
                flush(buffer)
                if child.tag in block_tags and not child.xpath(".//p|.//li|.//blockquote|.//div"):
                    out.extend(_split_lines(child.text_content()))
                else:
                    inner = [child.text or ""]
                    visit(child, inner)
                    flush(inner)
                buffer.append(child.tail or "")
            else:
                buffer.append(child.text_content())
                buffer.append(child.tail or "")

    def flush(buffer: list[str]) -> None:
        out.extend(_split_lines("".join(buffer)))
        buffer.clear()

    top = [root.text or ""]
    visit(root, top)
    flush(top)
    return out


def _split_lines(text: str) -> list[str]:
    return [line for line in (clean_line(part) for part in re.split(r"\n\s*\n|\n", text)) if line]


def _block_lines(element: Any) -> list[str]:
    """The text of one block; a line break (``<br>``, trafilatura's ``lb``) ends a paragraph."""
    for lb in element.iter("lb"):
        lb.tail = "\n" + (lb.tail or "")
    return _split_lines("".join(element.itertext()))


def clean_line(text: str) -> str:
    """One paragraph on one line: no control or zero-width characters, single spaces."""
    text = _ZERO_WIDTH.sub("", text)
    text = _CONTROL.sub(" ", text)
    return _SPACE.sub(" ", text.replace("\n", " ").replace("\r", " ")).strip()


def _same_words(a: str, b: str) -> bool:
    return [w.lower() for w in _WORD.findall(a)] == [w.lower() for w in _WORD.findall(b)]
