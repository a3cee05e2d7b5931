"""The hostile-URL suite: every URL that could reach a private service is refused, and nothing is fetched."""

from __future__ import annotations

import ipaddress

import pytest
from ingest_loopback import LoopbackServer, resolver_for

from briefings.errors import FetchError, InputError, UnsafeURLError
from briefings.ingest.fetch import fetch
from briefings.ingest.netsafety import (
    PRIVATE_MESSAGE,
    AddressPolicy,
    address_problem,
    check_url,
    parse_ip_host,
    resolve_public,
)
from briefings.settings import Settings

# URLs whose host is private in some spelling: refused before any network use.
PRIVATE_URLS = [
    "http://127.0.0.1/",
    "http://127.0.0.1:8080/admin",
    "http://2130706433/",  # decimal
    "http://0x7f000001/",  # hex
    "http://0x7f.1/",  # hex, short form
    "http://127.1/",  # short form
    "http://127.0.1/",
    "http://0/",  # 0.0.0.0
    "http://0.0.0.0:22/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://169.254.169.254/latest/meta-data/",  # AWS/GCP/Azure metadata
    "http://100.100.100.200/",  # Alibaba metadata
    "http://192.0.0.192/",  # Oracle metadata
    "http://224.0.0.1/",  # multicast
    "http://255.255.255.255/",
    "http://240.0.0.1/",  # reserved
    "http://198.18.0.1/",  # benchmarking
    "http://[::1]/",
    "http://[::]/",
    "http://[0:0:0:0:0:0:0:1]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::127.0.0.1]/",  # IPv4-compatible (deprecated)
    "http://[fe80::1]/",  # link-local
    "http://[fe80::1%25eth0]/",  # zone id
    "http://[fc00::1]/",
    "http://[fd00:ec2::254]/",  # AWS metadata over IPv6
    "http://[fec0::1]/",  # site-local
    "http://[ff02::1]/",  # multicast
    "http://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
    "http://[2002:a9fe:a9fe::]/",  # 6to4 around 169.254.169.254
    "http://[64:ff9b::7f00:1]/",  # NAT64 around 127.0.0.1
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",  # Teredo
    "http://localhost/",
    "http://LOCALHOST:3000/",
    "http://app.localhost/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://db.internal/",
    "http://127。0。0。1/",  # full-width dots (IDNA maps them to dots)
]

# Not http(s), credentials, or not a URL at all.
OTHER_REFUSALS = [
    ("file:///etc/passwd", UnsafeURLError, "only fetches http:// and https://"),
    ("gopher://example.com:70/_stats", UnsafeURLError, "only fetches http:// and https://"),
    ("ftp://example.com/file", UnsafeURLError, "only fetches http:// and https://"),
    ("javascript:alert(1)", UnsafeURLError, "only fetches http:// and https://"),
    ("data:text/html,<p>hi</p>", UnsafeURLError, "only fetches http:// and https://"),
    ("http://user:secret@example.com/", UnsafeURLError, "user name or password"),
    ("http://example.com@127.0.0.1/", UnsafeURLError, "user name or password"),
    ("http://1.2.3.4.5/", InputError, "not a valid web address"),
    ("http://999.1.1.1/", InputError, "not a valid web address"),
    ("http://0189.0.0.1/", InputError, "not a valid web address"),
    ("http://%31%32%37.0.0.1/", InputError, "not a valid web address"),
    ("http://exa mple.com/", InputError, "not a valid web address"),
    ("http://a..b/", InputError, "not a valid web address"),
    ("http:///path", InputError, "no host name"),
    ("http://", InputError, "that is not a valid web address (it has no host name)"),
    ("http://:80/", InputError, "that is not a valid web address (it has no host name)"),
    # A port past 65535 reached the socket and came back as a traceback (OverflowError).
    ("http://example.com:99999/", InputError, "port 99999 is out of range"),
    ("http://127.0.0.1:65536/", InputError, "port 65536 is out of range"),
    ("http://example.com:0/", InputError, "port 0 is out of range"),
    ("http://" + "a" * 2100 + ".com/", InputError, "too long"),
]

PUBLIC_URLS = [
    "https://www.reuters.com/world/",
    "http://8.8.8.8/",
    "http://134744072/",  # 8.8.8.8 spelled as a number: public, allowed
    "https://[2606:4700:4700::1111]/",
    "https://bücher.example/news",
    "http://example.com:8080/a?b=c",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_private_urls_are_refused_with_one_message(url: str) -> None:
    with pytest.raises(UnsafeURLError) as caught:
        check_url(url)
    assert caught.value.message == PRIVATE_MESSAGE
    assert caught.value.detail != caught.value.message  # the reason goes to the logs


@pytest.mark.parametrize(("url", "error", "words"), OTHER_REFUSALS)
def test_other_bad_urls_are_refused(url: str, error: type[Exception], words: str) -> None:
    with pytest.raises(error) as caught:
        check_url(url)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_urls_pass(url: str) -> None:
    assert check_url(url).scheme in ("http", "https")


def test_fragment_is_dropped_and_markup_encoded() -> None:
    assert str(check_url("https://example.com/a#top")) == "https://example.com/a"
    assert "<" not in str(check_url("https://example.com/<!channel>"))


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("192.168.257", "192.168.1.1"),
        ("0x0A.0x0.0x0.0x1", "10.0.0.1"),
        ("0", "0.0.0.0"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("example.com", None),
        ("123.example", None),
    ],
)
def test_ip_spellings_parse_like_inet_aton(host: str, address: str | None) -> None:
    parsed = parse_ip_host(host)
    assert (str(parsed) if parsed else None) == address


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "93.184.216.34", "1.1.1.1", "2606:4700::1111", "2a00:1450:4001:82b::200e", "::ffff:8.8.8.8"],
)
def test_public_addresses_have_no_problem(address: str) -> None:
    assert address_problem(ipaddress.ip_address(address)) is None


def test_allowed_networks_open_only_those_networks() -> None:
    policy = AddressPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),))
    assert policy.problem(ipaddress.ip_address("127.0.0.1")) is None
    assert policy.problem(ipaddress.ip_address("::ffff:127.0.0.1")) is None
    assert policy.problem(ipaddress.ip_address("127.0.0.2")) is not None
    assert policy.problem(ipaddress.ip_address("10.0.0.1")) is not None
    assert AddressPolicy(allow_private=True).problem(ipaddress.ip_address("10.0.0.1")) is None


async def test_a_name_with_any_private_address_is_refused() -> None:
    resolver = resolver_for({"mixed.example": ["93.184.216.34", "10.0.0.7"], "ok.example": ["93.184.216.34"]})
    with pytest.raises(UnsafeURLError, match="private network"):
        await resolve_public("mixed.example", 80, resolver=resolver)
    assert await resolve_public("ok.example", 80, resolver=resolver) == ["93.184.216.34"]


async def test_unknown_name_is_a_clear_fetch_error() -> None:
    with pytest.raises(FetchError, match="couldn't find the site nowhere.example") as caught:
        await resolve_public("nowhere.example", 80, resolver=resolver_for({}))
    assert not isinstance(caught.value, UnsafeURLError)


async def test_public_looking_name_resolving_to_loopback_fetches_nothing(server: LoopbackServer) -> None:
    server.page("/secret", "<p>internal admin page</p>")
    calls: list[str] = []
    resolver = resolver_for({"news.example.com": ["127.0.0.1"]}, calls)
    with pytest.raises(UnsafeURLError, match="private network"):
        await fetch(f"http://news.example.com:{server.port}/secret", Settings(), resolver=resolver)
    assert calls == ["news.example.com"]  # it was resolved, refused, and never connected to
    assert server.requests == []


async def test_loopback_server_is_unreachable_by_default(server: LoopbackServer) -> None:
    server.page("/secret", "<p>internal admin page</p>")
    for url in (
        server.url("/secret"),
        f"http://2130706433:{server.port}/secret",
        f"http://127.1:{server.port}/secret",
    ):
        with pytest.raises(UnsafeURLError):
            await fetch(url, Settings())
    assert server.requests == []


async def test_redirect_into_a_private_address_is_refused_at_the_hop() -> None:
    # Only 127.0.0.1 is allowed; the redirect leads to another loopback address
    # (127.0.0.2) where a second server waits: it must receive nothing.
    inner = LoopbackServer(host="127.0.0.2").start()
    outer = LoopbackServer(host="127.0.0.1").start()
    try:
        inner.page("/admin", "<p>private</p>")
        targets = {
            "/to-loopback": inner.url("/admin"),
            "/to-decimal": f"http://2130706434:{inner.port}/admin",  # 127.0.0.2
            "/to-metadata": "http://169.254.169.254/latest/meta-data/",
            "/to-mapped": f"http://[::ffff:127.0.0.2]:{inner.port}/admin",
            "/to-file": "file:///etc/passwd",
        }
        for path, location in targets.items():
            outer.handlers[path] = _redirect(location)
        settings = Settings(allowed_private_networks=("127.0.0.1/32",))
        for path in targets:
            with pytest.raises(UnsafeURLError):
                await fetch(outer.url(path), settings)
            assert outer.hits(path) == 1  # the first hop was fetched, the next refused
        assert inner.requests == []
    finally:
        outer.stop()
        inner.stop()


async def test_redirect_to_a_name_resolving_privately_is_refused(server: LoopbackServer) -> None:
    server.handlers["/go"] = _redirect(f"http://intranet.example:{server.port}/admin")
    server.page("/admin", "<p>private</p>")
    calls: list[str] = []
    resolver = resolver_for({"intranet.example": ["127.0.0.1"], "news.example": ["127.0.0.1"]}, calls)
    settings = Settings(allowed_private_networks=("127.0.0.1/32",))
    # With 127.0.0.1 allowed the name may resolve there; without it, both hops are refused.
    result = await fetch(f"http://news.example:{server.port}/go", settings, resolver=resolver)
    assert result.url.endswith("/admin") and server.hits("/admin") == 1
    with pytest.raises(UnsafeURLError):
        await fetch(f"http://news.example:{server.port}/go", Settings(), resolver=resolver)
    assert server.hits("/go") == 1 and server.hits("/admin") == 1


def _redirect(location: str):
    from aiohttp import web

    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": location})

    return handler


def test_private_networks_setting_is_validated() -> None:
    from briefings.errors import ConfigError

    settings = Settings.from_env({"BRIEFBOT_ALLOW_PRIVATE_NETWORKS": "10.20.0.0/16, 192.168.1.5"})
    assert settings.allowed_private_networks == ("10.20.0.0/16", "192.168.1.5/32")
    policy = AddressPolicy.from_settings(settings)
    assert policy.problem(ipaddress.ip_address("10.20.3.4")) is None
    assert policy.problem(ipaddress.ip_address("10.21.0.1")) is not None
    with pytest.raises(ConfigError, match="BRIEFBOT_ALLOW_PRIVATE_NETWORKS"):
        Settings.from_env({"BRIEFBOT_ALLOW_PRIVATE_NETWORKS": "intranet"})
    assert Settings.from_env({"BRIEFBOT_ALLOW_PRIVATE_HOSTS": "1"}).allow_private_hosts
