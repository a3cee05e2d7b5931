"""HTTPS to a pinned address: the certificate is still checked against the host name, not the address."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest
from ingest_loopback import LoopbackServer, resolver_for

from briefings.errors import FetchError
from briefings.ingest.fetch import fetch, safe_client
from briefings.settings import Settings

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


@pytest.fixture
def tls_server(tmp_path: Path):
    """An HTTPS loopback server whose self-signed certificate names only news.example."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=news.example", "-addext", "subjectAltName=DNS:news.example",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    srv = LoopbackServer(ssl_context=server_ctx).start()
    srv.page("/a.html", "<p>secure hello</p>")
    yield srv, ssl.create_default_context(cafile=str(cert))
    srv.stop()


async def test_tls_name_is_checked_while_connecting_to_the_pinned_address(tls_server) -> None:
    server, trust = tls_server
    settings = Settings(allow_private_hosts=True)
    resolver = resolver_for({"news.example": ["127.0.0.1"], "evil.example": ["127.0.0.1"]})
    async with safe_client(settings, resolver=resolver, ssl_context=trust) as client:
        result = await fetch(f"https://news.example:{server.port}/a.html", settings, client=client)
        assert "secure hello" in result.text
        assert server.requests[-1].headers["Host"] == f"news.example:{server.port}"
        # Same address, other name: the certificate does not match, so nothing is fetched.
        with pytest.raises(FetchError, match="couldn't make a secure connection to evil.example"):
            await fetch(f"https://evil.example:{server.port}/a.html", settings, client=client)
    assert server.hits("/a.html") == 1


async def test_untrusted_certificate_is_refused(tls_server) -> None:
    server, _ = tls_server
    settings = Settings(allow_private_hosts=True)
    resolver = resolver_for({"news.example": ["127.0.0.1"]})
    with pytest.raises(FetchError, match="secure connection"):
        await fetch(f"https://news.example:{server.port}/a.html", settings, resolver=resolver)
    assert server.requests == []
