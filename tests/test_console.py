"""``briefbot run`` and ``briefbot digest --to console`` end to end through ``bots.cli.main``, with
stdin not a tty and feeds served by a real HTTP server on loopback."""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

import pytest

from bots.cli import main

STORY = (
    "{title}\n\n"
    "Mayor Jane Doe said on Monday that the city would open {n} new libraries next year. "
    '"We are ready to pay for all of them," Doe told reporters. '
    "The council's finance committee demanded a full audit before any money is spent, according to a "
    "statement. Opposition leaders denied that the plan had been agreed.\n\n"
    "The libraries would be built in the northern districts, where residents have waited a decade for "
    "public reading rooms, and each would stay open until late in the evening on weekdays. Officials said "
    "construction could begin in the spring if the audit found no problems with the budget, and that the "
    "first of the buildings might open its doors before the end of next year."
)


def rss(n: int) -> bytes:
    items = []
    for i in range(n):
        title = f"Libraries plan number {i}"
        body = "".join(f"<p>{escape(p)}</p>" for p in STORY.format(title=title, n=i + 2).split("\n\n"))
        items.append(
            f"<item><guid>story-{i}</guid><link>https://news.example/{i}</link><title>{title}</title>"
            f"<pubDate>{format_datetime(datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=i))}</pubDate>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
        )
    return (
        "<?xml version='1.0'?><rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/'>"
        f"<channel><title>City news</title><link>https://news.example/</link>{''.join(reversed(items))}</channel></rss>"
    ).encode()


@pytest.fixture
def feed_url():
    body = rss(6)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    server.shutdown()


def run_console(monkeypatch, capsys, lines: list[str], *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    code = main(["run", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_run_shows_a_morning_digest_fire_when_the_clock_reaches_it(monkeypatch, capsys, feed_url):
    monkeypatch.setenv("BRIEFBOT_ALLOW_PRIVATE_HOSTS", "1")
    code, out, err = run_console(
        monkeypatch,
        capsys,
        [
            f"/brief subscribe {feed_url} daily 07:30 tz Europe/Berlin backfill 2",
            "/brief list",
            "/advance 2m",
            "/brief digest",
            "quit",
        ],
        "--now",
        "2026-11-28T07:29:00+01:00",
    )
    assert code == 0, err
    assert "Subscribed to City news: a digest daily at 07:30 (Europe/Berlin). Next: Sat 28 Nov 07:30." in out
    assert "The latest 2 items will be in the next digest; 4 older items marked as seen." in out
    assert f"1. City news <{feed_url}> - daily 07:30 (Europe/Berlin), digest - ok" in out
    fired = out.index("── to console:terminal ──")
    assert out.index("clock moved ahead") < fired  # it fires when the clock gets there, not before
    digest = out[fired:]
    assert "Morning briefing, Saturday 28 November" in digest
    assert "Libraries plan number 5" in digest and "Libraries plan number 4" in digest
    assert "Libraries plan number 3" not in digest  # history, not news: no flood
    assert "Nothing new since the last digest." in out  # the morning digest took them


def test_run_briefs_a_file_and_refuses_bad_commands_in_one_line(monkeypatch, capsys, seed_path):
    code, out, _err = run_console(
        monkeypatch,
        capsys,
        [
            f"/brief {seed_path}",
            "/brief subscribe",
            "/brief subscribe https://example.com/feed.xml daily 25:00",
            "/brief unsubscribe 3",
            "/advance soon",
            "hello",
        ],
    )
    assert code == 0  # stdin ended: the console leaves cleanly
    assert "Iran Ready to Help End Ukraine War" in out and "OFFER" in out
    assert "error: give the feed's address" in out
    assert "error: '25:00' is not a time of day" in out
    assert "error: this channel has no subscriptions" in out
    assert "error: 'soon' is not a duration" in out
    assert "Type /brief" in out


def test_run_refuses_other_schemes_and_bad_addresses_as_such(monkeypatch, capsys):
    code, out, _err = run_console(monkeypatch, capsys, ["/brief file:///etc/passwd", "/brief http://"])
    assert code == 0
    assert "error: file:///etc/passwd: only http:// and https:// addresses can be briefed" in out
    assert "error: that is not a valid web address (it has no host name)" in out


def test_advance_without_a_duration_says_what_it_needs(monkeypatch, capsys):
    code, out, _err = run_console(monkeypatch, capsys, ["/advance", "/advance   "])
    assert code == 0
    # It said "error: '' is not a duration".
    assert out.count("error: /advance needs a duration, e.g. 90s, 10m, 2h, 1d") == 2, out


def test_run_rejects_a_bad_clock_option(capsys):
    assert main(["run", "--now", "tomorrow"]) == 2
    assert "--now must be an ISO 8601 time" in capsys.readouterr().err


def test_digest_to_console_briefs_files_and_feeds(monkeypatch, capsys, seed_path, feed_url):
    monkeypatch.setenv("BRIEFBOT_ALLOW_PRIVATE_HOSTS", "1")
    code = main(["digest", "--to", "console", "--max-entries", "2", str(seed_path), feed_url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "digest," in out.splitlines()[0]
    # Ranked: the seed article has offers and demands and more statements.
    assert out.index("Iran Ready to Help End Ukraine War") < out.index("Libraries plan number 5")
    assert "Libraries plan number 4" in out and "Libraries plan number 3" not in out


def test_digest_title_is_the_one_its_help_names(capsys, seed_path):
    """``digest --help`` said the default title is 'Digest, <weekday> <day> <month>'; it is 'Afternoon
    digest, Monday 30 November' (morning, afternoon or evening by the clock)."""
    import re

    with pytest.raises(SystemExit):
        main(["digest", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "(default: '<Morning|Afternoon|Evening> digest, <weekday> <day> <month>')" in help_text
    assert main(["digest", str(seed_path)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert re.fullmatch(r"(Morning|Afternoon|Evening) digest, [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+", first), (
        first
    )


def test_digest_refuses_a_bad_target_and_reports_missing_sources(capsys, seed_path):
    assert main(["digest", "--to", "teams:abc", str(seed_path)]) == 2
    assert "--to must be console" in capsys.readouterr().err
    assert main(["digest", str(seed_path), "missing.txt"]) == 2  # posted what it could, said what failed
    out, err = capsys.readouterr()
    assert "Iran Ready" in out and "missing.txt: no such file" in err
    assert main(["digest", "--to", "slack:C0123ABCD", str(seed_path)]) == 2
    assert "SLACK_BOT_TOKEN is not set" in capsys.readouterr().err


class Recorder:
    """A loopback stand-in for the Slack Web API and Discord REST API that records every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict]] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                recorder.requests.append(("GET", self.path, {}))
                if self.path.endswith("/users/@me"):
                    self._reply(
                        {
                            "id": "4242",
                            "username": "briefbot",
                            "discriminator": "0",
                            "avatar": None,
                            "bot": True,
                        }
                    )
                else:
                    self._reply([])

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                body = json.loads(raw or b"{}") if "json" in (self.headers.get("Content-Type") or "") else {}
                recorder.requests.append(("POST", self.path, body))
                if "/channels/" in self.path:
                    self._reply(
                        {
                            "id": str(900 + len(recorder.requests)),
                            "channel_id": "555000111",
                            "content": body.get("content", ""),
                            "embeds": body.get("embeds", []),
                            "author": {
                                "id": "4242",
                                "username": "briefbot",
                                "discriminator": "0",
                                "avatar": None,
                            },
                            "attachments": [],
                            "mentions": [],
                            "mention_roles": [],
                            "pinned": False,
                            "mention_everyone": False,
                            "tts": False,
                            "timestamp": "2026-11-27T20:00:00+00:00",
                            "edited_timestamp": None,
                            "flags": 0,
                            "type": 0,
                        }
                    )
                else:
                    self._reply({"ok": True, "channel": body.get("channel"), "ts": "1700000000.000100"})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def recorder():
    r = Recorder()
    yield r
    r.server.shutdown()


def test_digest_to_slack_posts_through_the_slack_deliverer(monkeypatch, capsys, seed_path, recorder):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("BRIEFBOT_SLACK_API_URL", recorder.base + "/api/")
    assert main(["digest", "--to", "slack:C0123ABCD", str(seed_path)]) == 0, capsys.readouterr().err
    posts = [body for method, path, body in recorder.requests if path == "/api/chat.postMessage"]
    assert len(posts) >= 1
    assert posts[0]["channel"] == "C0123ABCD"
    assert "Iran Ready to Help End Ukraine War" in json.dumps(posts[0]["blocks"])
    assert posts[0]["metadata"]["event_payload"]["idempotency_key"]  # what already_sent looks for
    assert "posted a digest of 1 article to slack:C0123ABCD in 1 message" in capsys.readouterr().err


def test_digest_to_discord_posts_over_rest_only(monkeypatch, capsys, seed_path, recorder):
    from discord.http import Route

    monkeypatch.setattr(Route, "BASE", Route.BASE)  # restored afterwards: it is process-wide
    monkeypatch.setenv("DISCORD_TOKEN", "MTA1.Gabcde.0123456789abcdefghij")
    monkeypatch.setenv("BRIEFBOT_DISCORD_API_BASE", recorder.base + "/api/v10")
    assert main(["digest", "--to", "discord:555000111", str(seed_path)]) == 0, capsys.readouterr().err
    posts = [(path, body) for method, path, body in recorder.requests if method == "POST"]
    assert [p for p, _ in posts] == ["/api/v10/channels/555000111/messages"] * len(posts) and posts
    body = posts[0][1]
    assert body["allowed_mentions"] == {"parse": []}
    assert body.get("nonce") and body.get("enforce_nonce") is True
    assert "Iran Ready to Help End Ukraine War" in json.dumps(body["embeds"])
    assert not any("gateway" in path for _, path, _ in recorder.requests)
