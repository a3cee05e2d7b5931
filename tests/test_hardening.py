"""Issue 11, small hardening: credentials in URLs never reach a log line or the console."""

from __future__ import annotations

import logging

from cli_support import run_cli

from briefings.redact import RedactingFilter, redact_urls


def test_redact_urls_drops_user_and_password_of_every_url():
    assert redact_urls("https://user:s3cret@example.com/feed.xml") == "https://***@example.com/feed.xml"
    assert redact_urls("fetch 'http://token@host:8080/a' and https://ok.example/b") == (
        "fetch 'http://***@host:8080/a' and https://ok.example/b"
    )
    assert (
        redact_urls("postgresql+asyncpg://briefbot:pw@db.internal:5432/briefbot")
        == "postgresql+asyncpg://***@db.internal:5432/briefbot"
    )
    # An address without credentials, and an e-mail address, are left alone.
    assert redact_urls("https://example.com/a@b and mayor@city.example") == (
        "https://example.com/a@b and mayor@city.example"
    )


def test_redacting_filter_rewrites_the_formatted_message():
    record = logging.LogRecord(
        "t", logging.INFO, __file__, 1, "feed %s failed: %s", ("https://u:p@x.example/f", 3), None
    )
    assert RedactingFilter().filter(record)
    assert record.getMessage() == "feed https://***@x.example/f failed: 3"


def test_verbose_cli_never_logs_credentials():
    """``briefbot -v brief`` of a URL with a password: the refusal is logged at -v without the password."""
    done = run_cli("-v", "brief", "https://editor:hunter2@news.example/story")
    assert done.returncode == 2
    assert "hunter2" not in done.stderr and "editor" not in done.stderr, done.stderr
    assert "refused or failed" in done.stderr and "https://***@news.example/story" in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "briefbot: that address contains a user name or password; briefbot doesn't log in to sites"
    )


def test_a_page_with_no_article_is_one_line_without_the_html_readers_log(tmp_path):
    """A page that is not HTML inside (a JSON body) printed trafilatura's three ERROR/WARNING log lines
    ("parsed tree length: 0", "empty HTML tree", "discarding data") above briefbot's own one line."""
    page = tmp_path / "page.html"
    page.write_text('{"status": "ok"}')
    done = run_cli("brief", str(page))
    assert done.returncode == 2
    assert done.stderr == f"briefbot: couldn't find article text at {page}\n"
