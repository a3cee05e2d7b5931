"""Which URLs briefbot may fetch: http(s) only, no credentials, public addresses only (no SSRF).

``check_url`` refuses bad URLs before any network use; ``resolve_public`` resolves
a host once and refuses it if any address is not public. ``fetch`` connects to
exactly the addresses ``resolve_public`` returned, so DNS cannot change in between.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from briefings.errors import FetchError, InputError, UnsafeURLError
from briefings.redact import redact_urls

if TYPE_CHECKING:
    from briefings.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# (host, port) -> the addresses the host resolves to, as strings; injectable for tests.
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

PRIVATE_MESSAGE = (
    "that address is on a private network; briefbot only fetches public web pages "
    "(to allow private addresses, set BRIEFBOT_ALLOW_PRIVATE_HOSTS=1 or BRIEFBOT_ALLOW_PRIVATE_NETWORKS)"
)
MAX_URL_CHARS = 2048

# Blocked explicitly rather than trusting ``is_global`` alone: its answers differ
# between Python releases (e.g. 192.0.0.0/24 and multicast count as global in 3.11).
_BLOCKED_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network", unspecified
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT (also Alibaba's metadata 100.100.100.200)
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata 169.254.169.254
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments (Oracle metadata 192.0.0.192)
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, broadcast
    )
)
_BLOCKED_V6 = tuple(
    ipaddress.IPv6Network(n)
    for n in (
        "::/96",  # unspecified, loopback, deprecated IPv4-compatible
        "100::/64",  # discard
        "2001::/23",  # IETF special purpose, Teredo (2001::/32) included
        "2001:db8::/32",
        "3fff::/20",
        "5f00::/16",
        "64:ff9b:1::/48",  # local-use NAT64
        "fc00::/7",  # unique local (AWS metadata fd00:ec2::254)
        "fe80::/10",
        "fec0::/10",  # deprecated site-local
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_BLOCKED_NAMES = (
    "localhost",
    "localhost.localdomain",
    "metadata",
    "metadata.google.internal",
    "instance-data",
)
_BLOCKED_SUFFIXES = (".localhost", ".internal")
_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_NUMERIC_PART = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")


def address_problem(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public unicast address (None when it is)."""
    if isinstance(ip, ipaddress.IPv6Address):
        # Addresses that carry an IPv4 address are judged by that address.
        if ip.ipv4_mapped is not None:
            return address_problem(ip.ipv4_mapped)
        if ip in _NAT64:
            return address_problem(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None:
            return address_problem(ip.sixtofour)
        for net in _BLOCKED_V6:
            if ip in net:
                return f"{ip} is in {net}"
    else:
        for net4 in _BLOCKED_V4:
            if ip in net4:
                return f"{ip} is in {net4}"
    if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return f"{ip} is not a global unicast address"
    return None


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses may be fetched: public ones, plus all (``allow_private``) or some private networks."""

    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> AddressPolicy:
        networks = tuple(ipaddress.ip_network(n, strict=False) for n in settings.allowed_private_networks)
        return cls(allow_private=settings.allow_private_hosts, allowed_networks=networks)

    def problem(self, ip: IPAddress) -> str | None:
        """Why ``ip`` may not be fetched under this policy (None when it may)."""
        if self.allow_private:
            return None
        mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
        for candidate in (ip, mapped):
            if candidate is not None and any(
                candidate.version == n.version and candidate in n for n in self.allowed_networks
            ):
                return None
        return address_problem(ip)


def parse_ip_host(host: str) -> IPAddress | None:
    """The address a URL host denotes when it is an IP literal, in any spelling a resolver accepts.

    Accepts IPv6 literals and the inet_aton forms of IPv4 (``2130706433``,
    ``0x7f.1``, ``0177.0.0.1``, ``127.1``). None for a host name. Raises InputError
    for a numeric host that is not a valid address (``1.2.3.4.5``, ``999.1.1.1``).
    """
    host = host.lower().rstrip(".")
    if ":" in host:
        if "%" in host:  # a zone id only makes sense for link-local addresses
            raise UnsafeURLError(PRIVATE_MESSAGE, detail=f"IPv6 zone id in host {host!r}")
        try:
            return ipaddress.IPv6Address(host.strip("[]"))
        except ValueError:
            raise InputError("that is not a valid web address", detail=f"bad IPv6 host {host!r}") from None
    parts = host.split(".")
    if not all(_NUMERIC_PART.match(p) for p in parts):
        return None
    values: list[int] = []
    for part in parts:
        if part.startswith("0x"):
            values.append(int(part[2:] or "0", 16))
        elif len(part) > 1 and part.startswith("0"):
            if not set(part) <= set("01234567"):
                raise InputError("that is not a valid web address", detail=f"bad octal in host {host!r}")
            values.append(int(part, 8))
        else:
            values.append(int(part))
    if len(values) > 4:
        raise InputError("that is not a valid web address", detail=f"too many parts in host {host!r}")
    # inet_aton: the last part fills all remaining bytes ("127.1" is 127.0.0.1).
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (5 - len(values)):
        raise InputError("that is not a valid web address", detail=f"out-of-range host {host!r}")
    number = 0
    for v in head:
        number = number << 8 | v
    number = number << 8 * (5 - len(values)) | last
    return ipaddress.IPv4Address(number)


def check_url(url: str, *, policy: AddressPolicy | None = None) -> httpx.URL:
    """Parse and vet a URL before any network use; return it normalised (no fragment).

    Refuses non-http(s) schemes, credentials, malformed hosts, and IP literals
    and well-known names of private hosts that ``policy`` does not allow.
    Host names are checked again after resolution by ``resolve_public``.
    """
    policy = policy or AddressPolicy()
    url = url.strip()
    if len(url) > MAX_URL_CHARS:
        raise InputError(f"that web address is too long (over {MAX_URL_CHARS} characters)")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise InputError("that is not a valid web address (it contains spaces or control characters)")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise InputError("that is not a valid web address", detail=f"{exc}: {url!r}") from None
    shown = shorten(str(parsed))  # normalised: markup characters are percent-encoded
    if parsed.scheme not in ("http", "https"):
        raise UnsafeURLError(
            "briefbot only fetches http:// and https:// addresses",
            detail=f"scheme {parsed.scheme!r} in {url!r}",
        )
    if parsed.userinfo:
        raise UnsafeURLError(
            "that address contains a user name or password; briefbot doesn't log in to sites",
            detail=f"credentials in {redact_urls(shown)}",
        )
    try:
        host = parsed.raw_host.decode("ascii").lower()
    except UnicodeDecodeError:
        raise InputError(f"{shown} is not a valid web address", detail="non-ASCII host") from None
    if not host:  # nothing to show: "http://" normalises to "http:"
        raise InputError("that is not a valid web address (it has no host name)", detail=repr(url))
    if parsed.port is not None and not 1 <= parsed.port <= 65535:  # the socket would raise OverflowError
        raise InputError(f"{shown} is not a valid web address (port {parsed.port} is out of range)")
    ip = parse_ip_host(host)
    if ip is None:
        name = host.rstrip(".")
        labels = name.split(".")
        if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
            raise InputError(f"{shown} is not a valid web address", detail=f"bad host name {host!r}")
        if not policy.allow_private and (name in _BLOCKED_NAMES or name.endswith(_BLOCKED_SUFFIXES)):
            raise UnsafeURLError(PRIVATE_MESSAGE, detail=f"host name {name!r} is private")
    else:
        problem = policy.problem(ip)
        if problem:
            raise UnsafeURLError(PRIVATE_MESSAGE, detail=f"{host}: {problem}")
    return parsed.copy_with(fragment=None)


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve with the operating system's resolver (getaddrinfo), off the event loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def resolve_public(
    host: str, port: int, *, policy: AddressPolicy | None = None, resolver: Resolver | None = None
) -> list[str]:
    """Resolve ``host`` once; return its addresses, or refuse if ANY of them is not public.

    Refusing on any private answer (not only the first) stops a name that mixes a
    public and a private address from reaching the private one on a retry.
    """
    ip = parse_ip_host(host)
    if ip is not None:
        addresses = [ip]
    else:
        try:
            answers = await (resolver or system_resolver)(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError(
                f"couldn't find the site {shorten(host, 80)} (its name does not resolve)", detail=repr(exc)
            ) from None
        addresses = []
        for answer in answers:
            try:
                addresses.append(ipaddress.ip_address(answer.split("%", 1)[0]))
            except ValueError:
                raise FetchError(
                    f"couldn't find the site {shorten(host, 80)}", detail=f"resolver returned {answer!r}"
                ) from None
        if not addresses:
            raise FetchError(f"couldn't find the site {shorten(host, 80)} (its name does not resolve)")
    policy = policy or AddressPolicy()
    for address in addresses:
        problem = policy.problem(address)
        if problem:
            raise UnsafeURLError(PRIVATE_MESSAGE, detail=f"{host} resolves to {address}: {problem}")
    # Keep the resolver's order (it prefers what is reachable) without duplicates.
    return list(dict.fromkeys(str(a) for a in addresses))


def shorten(text: str, limit: int = 100) -> str:
    """``text`` cut to ``limit`` characters for a user-facing message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
