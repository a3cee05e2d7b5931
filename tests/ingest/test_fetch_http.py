"""fetch() against real loopback servers: redirects, caps, bombs, timeouts, charsets, types, HTTP errors, 304s."""

from __future__ import annotations

import asyncio
import gzip
import zlib

import brotli
import httpx
import pytest
from aiohttp import web
from ingest_loopback import LoopbackServer, resolver_for

from briefings.errors import FetchError, InputError, UnsafeURLError
from briefings.ingest.fetch import FetchStatusError, SafeClient, decode_body, fetch, safe_client
from briefings.settings import Settings

PAGE = "<html><head><title>T</title></head><body><p>Hello from the loopback server.</p></body></html>"


def redirect(location: str, status: int = 302):
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=status, headers={"Location": location})

    return handler


async def test_plain_page_is_fetched_with_our_user_agent(
    server: LoopbackServer, private_ok: Settings
) -> None:
    url = server.page("/a.html", PAGE, ETag='"v1"', **{"Last-Modified": "Wed, 25 Nov 2026 10:00:00 GMT"})
    result = await fetch(url, private_ok)
    assert result.status == 200 and not result.not_modified
    assert result.content_type == "text/html"
    assert "Hello from the loopback server." in result.text
    assert result.etag == '"v1"' and result.last_modified == "Wed, 25 Nov 2026 10:00:00 GMT"
    seen = server.requests[0].headers
    assert seen["User-Agent"] == private_ok.user_agent and "briefbot" in seen["User-Agent"]
    assert "gzip" in seen["Accept-Encoding"]


async def test_conditional_get_returns_not_modified(server: LoopbackServer, private_ok: Settings) -> None:
    async def handler(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"v1"' or request.headers.get("If-Modified-Since"):
            return web.Response(status=304, headers={"ETag": '"v1"'})
        return web.Response(text=PAGE, content_type="text/html", headers={"ETag": '"v1"'})

    url = server.route("/feed", handler)
    first = await fetch(url, private_ok)
    again = await fetch(url, private_ok, etag=first.etag)
    since = await fetch(url, private_ok, last_modified="Wed, 25 Nov 2026 10:00:00 GMT")
    assert not first.not_modified and first.text
    assert again.not_modified and again.status == 304 and again.content == b"" and again.etag == '"v1"'
    assert since.not_modified
    assert server.requests[1].headers["If-None-Match"] == '"v1"'


async def test_redirect_chain_is_followed_to_the_final_url(
    server: LoopbackServer, private_ok: Settings
) -> None:
    server.page("/final", PAGE)
    server.route("/r3", redirect("/final", 308))
    server.route("/r2", redirect(server.url("/r3"), 307))
    server.route("/r1", redirect("r2", 301))  # relative
    result = await fetch(server.url("/r1"), private_ok)
    assert result.url == server.url("/final")
    assert [r.path for r in server.requests] == ["/r1", "/r2", "/r3", "/final"]


async def test_more_than_five_redirects_is_an_error(server: LoopbackServer, private_ok: Settings) -> None:
    for n in range(10):
        server.route(f"/hop{n}", redirect(f"/hop{n + 1}"))
    server.page("/hop10", PAGE)
    with pytest.raises(FetchError, match="redirected too many times"):
        await fetch(server.url("/hop0"), private_ok)
    assert len(server.requests) == 6  # the first request and five redirects, no more


async def test_redirect_loop_and_missing_location(server: LoopbackServer, private_ok: Settings) -> None:
    server.route("/loop", redirect("/loop"))

    async def no_location(request: web.Request) -> web.Response:
        return web.Response(status=302)

    server.route("/nowhere", no_location)
    with pytest.raises(FetchError, match="redirected too many times"):
        await fetch(server.url("/loop"), private_ok)
    with pytest.raises(FetchError, match="redirect without a destination"):
        await fetch(server.url("/nowhere"), private_ok)


async def test_redirect_to_another_scheme_is_refused(server: LoopbackServer, private_ok: Settings) -> None:
    server.route("/to-file", redirect("file:///etc/passwd"))
    server.route("/to-creds", redirect(f"http://admin:pw@127.0.0.1:{server.port}/x"))
    with pytest.raises(UnsafeURLError, match="only fetches http"):
        await fetch(server.url("/to-file"), private_ok)
    with pytest.raises(UnsafeURLError, match="user name or password"):
        await fetch(server.url("/to-creds"), private_ok)
    assert server.hits("/x") == 0


async def test_connection_goes_to_the_checked_address_with_the_name_in_host(
    server: LoopbackServer, private_ok: Settings
) -> None:
    # The resolver answers differently the second time (DNS rebinding): the fetch must
    # use the first answer, resolved once, and keep the name in the Host header.
    calls: list[str] = []
    answers = iter([["127.0.0.1"], ["127.0.0.2"], ["127.0.0.2"]])

    async def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers)

    url = server.page("/a.html", PAGE).replace("127.0.0.1", "news.example")
    result = await fetch(url, private_ok, resolver=rebinding)
    assert "Hello from the loopback server." in result.text
    assert calls == ["news.example"]
    assert server.requests[0].headers["Host"] == f"news.example:{server.port}"


async def test_a_shared_client_reuses_the_pinned_transport(
    server: LoopbackServer, private_ok: Settings
) -> None:
    server.page("/a.html", PAGE)
    calls: list[str] = []
    resolver = resolver_for({"news.example": ["127.0.0.1"]}, calls)
    async with safe_client(private_ok, resolver=resolver) as client:
        for _ in range(3):
            await fetch(f"http://news.example:{server.port}/a.html", private_ok, client=client)
    assert server.hits("/a.html") == 3
    assert 1 <= len(calls) <= 3  # resolved per new connection, never bypassed
    with pytest.raises(TypeError, match="safe_client"):
        async with httpx.AsyncClient() as plain:
            await fetch(server.url("/a.html"), private_ok, client=plain)
    with pytest.raises(TypeError, match="safe_client"):
        SafeClient(transport=httpx.AsyncHTTPTransport(), trust_env=False)
    assert server.hits("/a.html") == 3


async def test_dns_failure_and_closed_port_are_fetch_errors(private_ok: Settings) -> None:
    with pytest.raises(FetchError, match="couldn't find the site nowhere.example"):
        await fetch("http://nowhere.example/", private_ok, resolver=resolver_for({}))
    closed = LoopbackServer().start()
    port = closed.port
    closed.stop()
    with pytest.raises(FetchError, match="couldn't connect to 127.0.0.1"):
        await fetch(f"http://127.0.0.1:{port}/", private_ok)


async def test_slow_drip_body_hits_the_total_timeout(server: LoopbackServer, private_ok: Settings) -> None:
    async def drip(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        for _ in range(200):  # a byte every 50 ms: each read is quick, the whole is not
            await response.write(b"<p>.")
            await asyncio.sleep(0.05)
        return response

    server.route("/drip", drip)
    with pytest.raises(FetchError, match="took too long to answer") as caught:
        await fetch(server.url("/drip"), private_ok, total_timeout=0.4)
    assert "0.4 s" in caught.value.message


async def test_server_that_never_answers_hits_the_timeout(
    server: LoopbackServer, private_ok: Settings
) -> None:
    async def silent(request: web.Request) -> web.Response:
        await asyncio.sleep(5)  # runs on the server thread; the client gives up long before
        return web.Response(text="late")

    server.route("/silent", silent)
    with pytest.raises(FetchError, match="took too long"):
        await fetch(server.url("/silent"), private_ok, total_timeout=0.3)


async def test_endless_body_stops_at_the_cap(server: LoopbackServer) -> None:
    sent = []

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        chunk = b"<p>" + b"x" * 16_000 + b"</p>"
        while True:  # stops when the client hangs up
            await response.write(chunk)
            sent.append(len(chunk))

    server.route("/endless", endless)
    settings = Settings(allow_private_hosts=True, max_fetch_bytes=256 * 1024)
    with pytest.raises(FetchError, match="the page is larger than 256 KB"):
        await fetch(server.url("/endless"), settings)


async def test_declared_length_over_the_cap_is_refused_before_reading(server: LoopbackServer) -> None:
    big = b"<p>" + b"y" * 300_000 + b"</p>"
    server.page("/big", big)
    settings = Settings(allow_private_hosts=True, max_fetch_bytes=100_000)
    with pytest.raises(FetchError, match="larger than"):
        await fetch(server.url("/big"), settings)


def _bomb_server(server: LoopbackServer, path: str, body: bytes, encoding: str) -> str:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body, headers={"Content-Type": "text/html", "Content-Encoding": encoding})

    return server.route(path, handler)


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
        ("br", lambda data: brotli.compress(data, quality=5)),
    ],
)
async def test_compression_bombs_stop_at_the_cap(server: LoopbackServer, encoding: str, compress) -> None:
    payload = compress(b"<p>" + b"\0" * (32 * 1024 * 1024))  # 32 MB of zeros, ~32 KB compressed or less
    assert len(payload) < 100_000
    url = _bomb_server(server, "/bomb", payload, encoding)
    settings = Settings(allow_private_hosts=True)
    with pytest.raises(FetchError, match="the page is larger than 5 MB") as caught:
        await fetch(url, settings)
    assert "decompresses past" in caught.value.detail


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),
        ("br", brotli.compress),
        ("identity", lambda data: data),
    ],
)
async def test_compressed_pages_are_decoded(
    server: LoopbackServer, private_ok: Settings, encoding, compress
) -> None:
    url = _bomb_server(server, "/z", compress(PAGE.encode()), encoding)
    assert (await fetch(url, private_ok)).text == PAGE


async def test_corrupt_or_unknown_compression_is_a_fetch_error(
    server: LoopbackServer, private_ok: Settings
) -> None:
    _bomb_server(server, "/corrupt", b"\x1f\x8b\x08\x00garbage-garbage-garbage", "gzip")
    _bomb_server(server, "/zstd", b"(\xb5/\xfd....", "zstd")
    with pytest.raises(FetchError, match="corrupt compressed page"):
        await fetch(server.url("/corrupt"), private_ok)
    with pytest.raises(FetchError, match="encoding briefbot can't read"):
        await fetch(server.url("/zstd"), private_ok)


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        # The header says latin-1 (a common server default) but the page is UTF-8.
        ("text/html; charset=iso-8859-1", "<p>Café – “quoted” Zürich</p>".encode(), "Café – “quoted” Zürich"),
        # The header says UTF-8 but the bytes are windows-1252.
        ("text/html; charset=utf-8", "<p>Café – “quoted”</p>".encode("cp1252"), "Café – “quoted”"),
        # No charset in the header; the meta tag tells.
        (
            "text/html",
            '<meta charset="windows-1251"><p>Москва</p>'.encode("cp1251"),
            "Москва",
        ),
        # Meta tag is wrong (says UTF-8, bytes are latin-1): fall back to windows-1252.
        ("text/html", '<meta charset="utf-8"><p>Señor Niño</p>'.encode("latin-1"), "Señor Niño"),
        # Unknown charset label: fall back sanely.
        ("text/html; charset=x-klingon", "<p>naïve</p>".encode(), "naïve"),
        # A BOM wins over everything.
        ("text/html; charset=iso-8859-1", b"\xef\xbb\xbf" + "<p>Ünïcödé</p>".encode(), "Ünïcödé"),
        # XML declaration for feeds.
        (
            "application/rss+xml",
            '<?xml version="1.0" encoding="iso-8859-15"?><rss><title>€uro</title></rss>'.encode(
                "iso-8859-15"
            ),
            "€uro",
        ),
    ],
)
async def test_wrong_or_missing_charsets_decode_sanely(
    server: LoopbackServer, private_ok: Settings, content_type: str, body: bytes, expected: str
) -> None:
    url = server.page("/c", body, content_type=content_type)
    result = await fetch(url, private_ok)
    assert expected in result.text
    assert "\ufffd" not in result.text


def test_decode_body_falls_back_to_windows_1252_for_junk() -> None:
    text, codec = decode_body(b"\x81\x8d\x8f caf\xe9", None, "text/html")
    assert codec == "cp1252" and "café" in text


@pytest.mark.parametrize(
    "content_type",
    ["image/png", "application/pdf", "application/octet-stream", "video/mp4", "application/json"],
)
async def test_other_content_types_are_refused(
    server: LoopbackServer, private_ok: Settings, content_type
) -> None:
    url = server.page("/file", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, content_type=content_type)
    with pytest.raises(FetchError, match="is not a web page or feed") as caught:
        await fetch(url, private_ok)
    assert content_type in caught.value.message


async def test_missing_content_type_is_sniffed(private_ok: Settings) -> None:
    async def bare(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request_line = await reader.readline()
        while (await reader.readline()).strip():
            pass
        body = PAGE.encode() if b"/page" in request_line else b"\x00\x01\x02 binary"
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
        await writer.drain()
        writer.close()

    srv = await asyncio.start_server(bare, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        result = await fetch(f"http://127.0.0.1:{port}/page", private_ok)
        assert result.content_type == "text/html" and result.text == PAGE
        with pytest.raises(FetchError, match="not a web page or feed"):
            await fetch(f"http://127.0.0.1:{port}/binary", private_ok)
    finally:
        srv.close()
        await srv.wait_closed()


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (404, "there is no page at"),
        (410, "there is no page at"),
        (403, "refused access"),
        (401, "refused access"),
        (429, "limiting requests"),
        (500, "server error (HTTP 500)"),
        (503, "server error (HTTP 503)"),
        (418, "answered HTTP 418"),
    ],
)
async def test_http_errors_map_to_one_line(
    server: LoopbackServer, private_ok: Settings, status, words
) -> None:
    async def failing(request: web.Request) -> web.Response:
        return web.Response(status=status, text="nope", headers={"Retry-After": "120"})

    url = server.route("/err", failing)
    with pytest.raises(FetchStatusError) as caught:
        await fetch(url, private_ok)
    assert words in caught.value.message and "\n" not in caught.value.message
    assert caught.value.status == status and caught.value.retry_after == 120.0


async def test_retry_after_as_an_http_date(server: LoopbackServer, private_ok: Settings) -> None:
    async def busy(request: web.Request) -> web.Response:
        return web.Response(
            status=503,
            headers={"Retry-After": "Fri, 27 Nov 2026 10:05:00 GMT", "Date": "Fri, 27 Nov 2026 10:00:00 GMT"},
        )

    with pytest.raises(FetchStatusError) as caught:
        await fetch(server.route("/busy", busy), private_ok)
    assert caught.value.retry_after == 300.0


async def test_broken_response_is_a_fetch_error(private_ok: Settings) -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()
        writer.write(b"NOT HTTP AT ALL\r\n\r\n")
        await writer.drain()
        writer.close()

    srv = await asyncio.start_server(garbage, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        with pytest.raises(FetchError, match="sent a broken response"):
            await fetch(f"http://127.0.0.1:{port}/", private_ok)
    finally:
        srv.close()
        await srv.wait_closed()


async def test_bad_urls_never_reach_the_network(server: LoopbackServer, private_ok: Settings) -> None:
    for url in ("ftp://127.0.0.1/", "not a url", f"http://u:p@127.0.0.1:{server.port}/"):
        with pytest.raises((InputError, UnsafeURLError)):
            await fetch(url, private_ok)
    assert server.requests == []


@pytest.mark.parametrize(
    "raw",
    [
        b"",  # connection closed at once
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n<p>cut short",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nxx\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nnope",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: br\r\nContent-Length: 4\r\n\r\n\xff\xff\xff\xff",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: deflate\r\nContent-Length: 1\r\n\r\nx",
        b"HTTP/1.1 99999 Weird\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nBad Header Line\r\n\r\n",
        b"HTTP/1.1 301 Moved\r\nLocation: http://[::1\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 302 Found\r\nLocation: http://%zz/\r\nContent-Length: 0\r\n\r\n",
        b"\x00\xff" * 100,
    ],
)
async def test_broken_servers_only_raise_fetch_errors(private_ok: Settings, raw: bytes) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await reader.readline()).strip():
            pass
        writer.write(raw)
        await writer.drain()
        writer.close()

    srv = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        with pytest.raises(FetchError) as caught:
            await fetch(f"http://127.0.0.1:{port}/", private_ok, total_timeout=5)
        assert caught.value.message and "\n" not in caught.value.message
    finally:
        srv.close()
        await srv.wait_closed()
