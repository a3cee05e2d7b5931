"""``briefbot brief URL`` end to end through ``bots.cli.main`` against a page on a loopback server."""

from __future__ import annotations

import json

import pytest
from ingest_loopback import LoopbackServer

from bots.cli import main

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Iran says it is ready to help end war | Loopback News</title>
<meta property="og:title" content="Iran says it is ready to help end war">
<meta property="og:site_name" content="Loopback News"></head>
<body><nav><a href="/">Home</a></nav><article><h1>Iran says it is ready to help end war</h1>
<p>TEHRAN (Reuters) - Iran's foreign minister said on Tuesday that Tehran was ready to help end the war,
offering to host talks between the two sides in the coming weeks.</p>
<p>"We are ready to do whatever we can to bring peace," Foreign Minister Ali Rahimi told reporters in Tehran.</p>
<p>Ukraine's foreign ministry demanded that Iran stop supplying drones before any talks could begin.</p>
<p>Rahimi denied that Iran had sent weapons to either side, calling the accusations "baseless lies".</p>
</article></body></html>"""


def test_brief_url_end_to_end(server: LoopbackServer, monkeypatch, capsys) -> None:
    url = server.page("/article.html", PAGE)
    monkeypatch.setenv("BRIEFBOT_ALLOW_PRIVATE_HOSTS", "1")
    assert main(["brief", url, "--format", "json"]) == 0
    briefing = json.loads(capsys.readouterr().out)
    assert briefing["headline"] == "Iran says it is ready to help end war"
    assert briefing["url"] == url
    assert briefing["bullets"], "the extractor found no statements in the page"
    assert any("Rahimi" in b["speaker"] for b in briefing["bullets"])
    assert server.hits("/article.html") == 1


def test_brief_url_text_format(server: LoopbackServer, monkeypatch, capsys) -> None:
    url = server.page("/article.html", PAGE)
    monkeypatch.setenv("BRIEFBOT_ALLOW_PRIVATE_HOSTS", "1")
    assert main(["brief", url]) == 0
    out = capsys.readouterr().out
    assert "Iran says it is ready to help end war" in out


@pytest.mark.parametrize(
    ("path_or_url", "message"),
    [
        ("/missing.html", "there is no page at"),
        ("/image.png", "is not a web page or feed"),
    ],
)
def test_brief_url_failures_print_one_line(
    server: LoopbackServer, monkeypatch, capsys, path_or_url, message
) -> None:
    server.page("/image.png", b"\x89PNG\r\n", content_type="image/png")
    monkeypatch.setenv("BRIEFBOT_ALLOW_PRIVATE_HOSTS", "1")
    assert main(["brief", server.url(path_or_url)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("briefbot: ") and message in err and "\n" not in err


def test_brief_private_url_refused_without_the_setting(server: LoopbackServer, capsys) -> None:
    url = server.page("/article.html", PAGE)
    assert main(["brief", url]) == 2
    assert capsys.readouterr().err.strip() == (
        "briefbot: that address is on a private network; briefbot only fetches public web pages "
        "(to allow private addresses, set BRIEFBOT_ALLOW_PRIVATE_HOSTS=1 or BRIEFBOT_ALLOW_PRIVATE_NETWORKS)"
    )
    assert server.requests == []


@pytest.mark.parametrize("command", ["brief", "digest"])
def test_a_port_out_of_range_is_one_line_not_a_traceback(command, monkeypatch, capsys) -> None:
    """``briefbot brief http://127.0.0.1:99999/`` reached the socket, whose OverflowError came back as a
    traceback (and in ``briefbot run`` it ended the console)."""
    monkeypatch.setenv("BRIEFBOT_ALLOW_PRIVATE_HOSTS", "1")
    assert main([command, "http://127.0.0.1:99999/article.html"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.splitlines()[0] == (
        "briefbot: http://127.0.0.1:99999/article.html is not a valid web address "
        "(port 99999 is out of range)"
    )


def test_extract_reads_a_url_as_brief_does(server: LoopbackServer, monkeypatch, capsys) -> None:
    """``briefbot extract URL`` answered "no such file"; it takes what ``briefbot brief`` takes."""
    url = server.page("/article.html", PAGE)
    monkeypatch.setenv("BRIEFBOT_ALLOW_PRIVATE_HOSTS", "1")
    assert main(["extract", url]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["source"] == url
    assert record["title"] == "Iran says it is ready to help end war"
    assert any(s["speaker"] for s in record["statements"])
