"""The core's entry points: what a chat user types is never read as a server file."""

from __future__ import annotations

import pytest

from briefings.errors import InputError
from briefings.ingest.source import is_url, load_source
from briefings.settings import Settings

ARTICLE = "Minister speaks\nThe minister said the country was ready to help end the war in the region.\n"


async def test_chat_text_naming_a_file_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(ARTICLE, encoding="utf-8")
    try:
        article = await load_source(str(secret), Settings())
    except InputError:
        return  # refused as text: fine, nothing was read either
    assert article.text == str(secret)
    assert "minister" not in article.text


async def test_cli_may_read_a_file(tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    article = await load_source(str(path), Settings(), allow_files=True)
    assert article.title == "Minister speaks"
    assert article.body.startswith("The minister said")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com/a", True),
        ("  http://example.com/a?b=1  ", True),
        ("ftp://example.com/a", False),
        ("see https://example.com/a", False),
        ("https://exa mple.com", False),
    ],
)
def test_is_url(text, expected):
    assert is_url(text) is expected
