"""Fetch a URL safely (async httpx): checked redirects, pinned addresses, size cap, timeouts, charsets.

Every failure is a ``FetchError`` (or ``UnsafeURLError``/``InputError``) with one
short message; the technical detail goes in ``detail`` for the logs.
"""

from __future__ import annotations

import asyncio
import codecs
import functools
import logging
import re
import ssl
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpcore
import httpx

from briefings.errors import BriefbotError, FetchError, InputError, UnsafeURLError
from briefings.ingest.netsafety import AddressPolicy, Resolver, check_url, resolve_public, shorten
from briefings.redact import redact_urls
from briefings.settings import Settings

try:  # brotli is optional (httpx[brotli]); without it we do not ask for "br"
    import brotli
except ImportError:  # pragma: no cover - depends on the install
    brotli = None

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 20.0
ACCEPT_PAGE = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,application/xml;q=0.5"
ACCEPT_FEED = (
    "application/rss+xml,application/atom+xml,application/rdf+xml;q=0.9,"
    "application/xml;q=0.8,text/xml;q=0.8,text/html;q=0.3"
)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/x-rss+xml",
        "application/x-atom+xml",
    }
)
TEXT_TYPES = frozenset({"text/plain"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]")
# Labels servers send by default whatever the page really is; WHATWG reads them as windows-1252.
_WEAK_CHARSETS = frozenset({"cp1252"})


@dataclass
class FetchResult:
    """What a successful fetch returned (``not_modified``: a 304 to a conditional GET, no body)."""

    url: str  # the final URL, after redirects
    status: int
    content_type: str  # the media type without parameters, lower case ("" when absent)
    text: str  # the body decoded (charset from header, BOM, meta or XML declaration)
    content: bytes  # the body as bytes, content-encoding removed
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    encoding: str | None = None  # the codec ``text`` was decoded with
    charset: str | None = None  # the charset the Content-Type header declared, if any


class FetchStatusError(FetchError):
    """The server answered with an HTTP error; ``status`` and ``retry_after`` (seconds) for schedulers."""

    def __init__(
        self, message: str, *, status: int, retry_after: float | None = None, detail: str | None = None
    ):
        super().__init__(message, detail=detail)
        self.status = status
        self.retry_after = retry_after


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Resolves each host once, refuses private answers, and connects to exactly those addresses.

    httpcore still sends the URL's host name in the Host header and as the TLS
    server name, so certificates are checked against the name, not the address.
    """

    def __init__(self, *, policy: AddressPolicy, resolver: Resolver | None) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._policy = policy
        self._resolver = resolver

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve_public(host, port, policy=self._policy, resolver=self._resolver)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc  # try the next address the name resolved to
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise UnsafeURLError("briefbot only fetches http:// and https:// addresses", detail="unix socket")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@functools.cache
def _default_ssl_context() -> ssl.SSLContext:
    """One shared client SSL context: loading the CA bundle costs 30-80 ms of event-loop time per
    fetch otherwise (measured in benchmarks/slack_ack_bench.py); a context is safe to share."""
    return httpx.create_ssl_context(trust_env=False)


class _PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with our network backend under its connection pool."""

    def __init__(
        self, *, policy: AddressPolicy, resolver: Resolver | None, ssl_context: ssl.SSLContext | None
    ) -> None:
        # Not calling super().__init__: it only builds ``self._pool``, which we build
        # with the pinned backend instead (httpx has no public option for it).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or _default_ssl_context(),
            max_connections=20,
            max_keepalive_connections=10,
            keepalive_expiry=5.0,
            network_backend=_PinnedBackend(policy=policy, resolver=resolver),
        )


class SafeClient(httpx.AsyncClient):
    """An httpx client that only connects to vetted addresses; build it with ``safe_client``."""

    def __init__(self, *, transport: _PinnedTransport, **kwargs: Any) -> None:
        # The guarantee ``fetch`` relies on: every request goes through the pinned transport.
        if (
            not isinstance(transport, _PinnedTransport)
            or kwargs.get("mounts")
            or kwargs.get("trust_env", True)
        ):
            raise TypeError("build a SafeClient with briefings.ingest.fetch.safe_client()")
        super().__init__(transport=transport, **kwargs)


def safe_client(
    settings: Settings,
    *,
    connect_timeout: float = CONNECT_TIMEOUT,
    resolver: Resolver | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> SafeClient:
    """A client for ``fetch``: pinned addresses, no proxies or .netrc from the environment, no auto-redirects.

    Reuse one across many fetches (the scheduler's feed polls) to keep connections alive.
    ``ssl_context`` replaces the default CA bundle (certifi), e.g. for an intranet CA.
    """
    policy = AddressPolicy.from_settings(settings)
    return SafeClient(
        transport=_PinnedTransport(policy=policy, resolver=resolver, ssl_context=ssl_context),
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": accept_encoding()},
        timeout=httpx.Timeout(connect_timeout, read=TOTAL_TIMEOUT, write=TOTAL_TIMEOUT, pool=TOTAL_TIMEOUT),
        follow_redirects=False,
        trust_env=False,
    )


def accept_encoding() -> str:
    """The encodings we can decode with an output limit (brotli needs ``output_buffer_limit``, 1.2+)."""
    if brotli is not None and hasattr(brotli.Decompressor(), "can_accept_more_data"):
        return "gzip, deflate, br"
    return "gzip, deflate"


async def fetch(
    url: str,
    settings: Settings,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str = ACCEPT_PAGE,
    client: httpx.AsyncClient | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    total_timeout: float = TOTAL_TIMEOUT,
    resolver: Resolver | None = None,
) -> FetchResult:
    """GET ``url`` (HTML, XML/feeds or plain text), checking every redirect hop; conditional when given validators.

    ``total_timeout`` bounds everything (DNS, redirects, a slow-drip body);
    ``client`` must come from ``safe_client`` (then ``resolver``/``connect_timeout`` are the client's).
    """
    if client is not None and not isinstance(client, SafeClient):
        raise TypeError("fetch() needs a client made by briefings.ingest.fetch.safe_client()")
    try:
        target = check_url(url, policy=AddressPolicy.from_settings(settings))
        try:
            async with asyncio.timeout(total_timeout):
                if client is not None:
                    return await _fetch(client, target, settings, etag, last_modified, accept)
                async with safe_client(settings, connect_timeout=connect_timeout, resolver=resolver) as own:
                    return await _fetch(own, target, settings, etag, last_modified, accept)
        except TimeoutError:
            raise FetchError(
                f"{_host(target)} took too long to answer (over {total_timeout:g} s)",
                detail=f"total timeout fetching {target}",
            ) from None
    except BriefbotError as exc:
        log.info("fetch %.200r refused or failed: %s", redact_urls(url), redact_urls(exc.detail))
        raise


async def _fetch(
    client: httpx.AsyncClient,
    target: httpx.URL,
    settings: Settings,
    etag: str | None,
    last_modified: str | None,
    accept: str,
) -> FetchResult:
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            async with client.stream("GET", target, headers=headers) as response:
                if response.status_code in _REDIRECTS:
                    target = _redirect_target(response, target, settings)
                    continue
                return await _read(response, target, settings)
        except httpx.TimeoutException as exc:
            raise FetchError(f"{_host(target)} took too long to answer", detail=repr(exc)) from None
        except httpx.ConnectError as exc:
            if _caused_by_tls(exc):
                raise FetchError(
                    f"couldn't make a secure connection to {_host(target)} (its certificate was refused)",
                    detail=repr(exc),
                ) from None
            raise FetchError(f"couldn't connect to {_host(target)}", detail=repr(exc)) from None
        except httpx.InvalidURL as exc:
            raise InputError("that is not a valid web address", detail=repr(exc)) from None
        except httpx.HTTPError as exc:  # protocol errors, broken connections
            raise FetchError(f"{_host(target)} sent a broken response", detail=repr(exc)) from None
    raise FetchError(
        f"{_host(target)} redirected too many times (more than {MAX_REDIRECTS})", detail=f"last hop {target}"
    )


def _redirect_target(response: httpx.Response, current: httpx.URL, settings: Settings) -> httpx.URL:
    location = response.headers.get("Location", "").strip()
    if not location:
        raise FetchError(
            f"{_host(current)} sent a redirect without a destination",
            detail=f"HTTP {response.status_code} without Location from {current}",
        )
    try:
        joined = current.join(location)
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(f"{_host(current)} redirected to an invalid address", detail=repr(exc)) from None
    # The same vetting as the first URL; the address check happens again at connect time.
    try:
        nxt = check_url(str(joined), policy=AddressPolicy.from_settings(settings))
    except InputError as exc:  # the site's fault, not the user's
        raise FetchError(f"{_host(current)} redirected to an invalid address", detail=exc.detail) from None
    log.info("redirect %s -> %s", current, nxt)
    return nxt


async def _read(response: httpx.Response, url: httpx.URL, settings: Settings) -> FetchResult:
    status = response.status_code
    etag = response.headers.get("ETag")
    last_modified = response.headers.get("Last-Modified")
    media_type, charset = _media_type(response.headers.get("Content-Type", ""))
    if status == 304:
        return FetchResult(str(url), status, media_type, "", b"", etag, last_modified, not_modified=True)
    if status >= 400 or status < 200 or status in (204, 205):
        raise _status_error(response, url)
    if media_type and media_type not in HTML_TYPES | FEED_TYPES | TEXT_TYPES:
        raise FetchError(
            f"{shorten(str(url))} is not a web page or feed (it is {shorten(media_type, 60)})",
            detail=f"Content-Type {response.headers.get('Content-Type')!r}",
        )
    limit = settings.max_fetch_bytes
    too_large = FetchError(f"the page is larger than {_megabytes(limit)}", detail=f"{url} over {limit} bytes")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    decoder = _Decoder(response.headers.get("Content-Encoding", ""), limit, url)
    chunks: list[bytes] = []
    raw_size = 0
    async for raw in response.aiter_raw():
        raw_size += len(raw)
        if raw_size > limit:
            raise too_large
        chunks.append(decoder.feed(raw))
    chunks.append(decoder.finish())
    content = b"".join(chunks)
    if not media_type:
        media_type = sniff_media_type(content)
        if not media_type:
            raise FetchError(
                f"{shorten(str(url))} is not a web page or feed", detail="no Content-Type, not markup"
            )
    text, encoding = decode_body(content, charset, media_type)
    return FetchResult(
        str(url), status, media_type, text, content, etag, last_modified, False, encoding, charset
    )


class _Decoder:
    """Removes Content-Encoding chunk by chunk, never producing more than ``limit`` bytes (gzip bombs)."""

    def __init__(self, header: str, limit: int, url: httpx.URL) -> None:
        codings = [
            c.strip().lower() for c in header.split(",") if c.strip() and c.strip().lower() != "identity"
        ]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate", "br")):
            raise FetchError(
                f"{_host(url)} sent the page in an encoding briefbot can't read",
                detail=f"Content-Encoding {header!r}",
            )
        if codings == ["br"] and (brotli is None or not accept_encoding().endswith("br")):
            raise FetchError(
                f"{_host(url)} sent the page in an encoding briefbot can't read", detail="brotli"
            )
        self.coding = codings[0] if codings else ""
        self.limit = limit
        self.produced = 0
        self.url = url
        self._zlib: Any = None
        self._brotli: Any = None
        self._deflate_buffer = b""
        if self.coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.coding == "br":
            self._brotli = brotli.Decompressor()

    def feed(self, data: bytes) -> bytes:
        if not self.coding:
            return self._count(data)
        try:
            if self._brotli is not None:
                return self._feed_brotli(data)
            return self._feed_zlib(data)
        except (zlib.error, getattr(brotli, "error", zlib.error)) as exc:
            raise FetchError(f"{_host(self.url)} sent a corrupt compressed page", detail=repr(exc)) from None

    def finish(self) -> bytes:
        if self._deflate_buffer:  # a one-byte deflate body cannot be valid
            raise FetchError(
                f"{_host(self.url)} sent a corrupt compressed page", detail="1-byte deflate body"
            )
        if self._zlib is None:
            return b""
        try:
            return self._count(self._zlib.flush())
        except zlib.error as exc:
            raise FetchError(f"{_host(self.url)} sent a corrupt compressed page", detail=repr(exc)) from None

    def _feed_zlib(self, data: bytes) -> bytes:
        if self._zlib is None:  # "deflate": zlib-wrapped by the standard, raw from some servers
            self._deflate_buffer += data
            if len(self._deflate_buffer) < 2:
                return b""
            data, self._deflate_buffer = self._deflate_buffer, b""
            zlib_header = data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
        # max_length = budget + 1: reaching it means the page is over the cap.
        return self._count(self._zlib.decompress(data, self.limit - self.produced + 1))

    def _feed_brotli(self, data: bytes) -> bytes:
        out = [self._count(self._brotli.process(data, output_buffer_limit=self.limit - self.produced + 1))]
        while not self._brotli.can_accept_more_data():
            out.append(
                self._count(self._brotli.process(b"", output_buffer_limit=self.limit - self.produced + 1))
            )
        return b"".join(out)

    def _count(self, out: bytes) -> bytes:
        self.produced += len(out)
        if self.produced > self.limit:
            raise FetchError(
                f"the page is larger than {_megabytes(self.limit)}",
                detail=f"{self.url} decompresses past {self.limit} bytes ({self.coding or 'identity'})",
            )
        return out


def decode_body(content: bytes, charset: str | None, media_type: str) -> tuple[str, str]:
    """Decode a body: BOM, then the header's charset, then <meta>/XML declaration, then UTF-8, then windows-1252.

    A header saying latin-1/ASCII (a common server default) loses to valid UTF-8.
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if content.startswith(bom):
            return content.decode(codec, errors="replace"), codec
    candidates: list[str] = []
    header_codec = _codec(charset)
    if header_codec:
        if header_codec in _WEAK_CHARSETS and not content.isascii():
            candidates.append("utf-8")
        candidates.append(header_codec)
    head = content[:4096]
    declared = (
        _XML_ENCODING.match(head) if "xml" in media_type or head.lstrip().startswith(b"<?xml") else None
    )
    declared = declared or (_META_CHARSET.search(head) if "html" in media_type or not media_type else None)
    meta_codec = _codec(declared.group(1).decode("ascii")) if declared else None
    if meta_codec:
        candidates.append(meta_codec)
    candidates.append("utf-8")
    for codec in dict.fromkeys(candidates):
        try:
            return content.decode(codec), codec
        except (UnicodeDecodeError, LookupError):
            continue
    return content.decode("cp1252", errors="replace"), "cp1252"


def _codec(label: str | None) -> str | None:
    """Python's codec name for a charset label, or None when unknown (or UTF-16/32, which need a BOM)."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None
    # As browsers do (WHATWG): latin-1 and ASCII labels mean windows-1252.
    return "cp1252" if name in ("iso8859-1", "latin-1", "ascii") else name


def _media_type(header: str) -> tuple[str, str | None]:
    parts = [p.strip() for p in header.split(";")]
    media_type = parts[0].lower()
    charset = None
    for param in parts[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return media_type, charset


def sniff_media_type(content: bytes) -> str:
    """A media type for a body served without Content-Type (markup only; anything else is refused)."""
    head = content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml") or head.startswith((b"<rss", b"<feed", b"<rdf")):
        return "application/xml"
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<p", b"<div")):
        return "text/html"
    return ""


def _status_error(response: httpx.Response, url: httpx.URL) -> FetchStatusError:
    status = response.status_code
    host = _host(url)
    retry_after = _retry_after(response.headers.get("Retry-After", ""), response.headers.get("Date", ""))
    if status in (404, 410):
        message = f"there is no page at {shorten(str(url))} (the site answered {status})"
    elif status in (401, 402, 403, 451):
        message = f"{host} refused access to that page (HTTP {status}); it may need a login or block bots"
    elif status == 429:
        message = f"{host} is limiting requests from briefbot (HTTP 429); try again later"
    elif status >= 500:
        message = f"{host} had a server error (HTTP {status}); try again later"
    else:
        message = f"{host} answered HTTP {status} for that page"
    return FetchStatusError(
        message, status=status, retry_after=retry_after, detail=f"HTTP {status} for {url}"
    )


def _retry_after(value: str, date: str) -> float | None:
    """Seconds to wait: ``Retry-After`` in seconds, or as an HTTP date measured against the server's ``Date``."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        # Against the server's own clock, so no local clock is needed.
        return max(0.0, (parsedate_to_datetime(value) - parsedate_to_datetime(date)).total_seconds())
    except (TypeError, ValueError, IndexError):
        return None


def _caused_by_tls(exc: BaseException) -> bool:
    cause: BaseException | None = exc
    for _ in range(5):  # httpx wraps httpcore, which wraps the ssl error
        if cause is None:
            return False
        if isinstance(cause, ssl.SSLError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _host(url: httpx.URL) -> str:
    return shorten(url.host or str(url), 80)


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} KB"


def is_feed(result: FetchResult) -> bool:
    """Whether a fetched body is an RSS/Atom/RDF feed (by its media type and its root element)."""
    return result.content_type in FEED_TYPES and bool(_FEED_ROOT.search(result.content[:4096]))
