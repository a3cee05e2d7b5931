"""Datelines opening an article body."""

from __future__ import annotations

import pytest

from briefings.extract.dateline import find_dateline


@pytest.mark.parametrize(
    ("body", "place", "agency"),
    [
        ("TEHRAN -- Ukraine's Foreign Minister said", "TEHRAN", None),
        ("WASHINGTON (Reuters) - The president said", "WASHINGTON", "Reuters"),
        ("LONDON, March 3 (AP) — Officials said", "LONDON", "AP"),
        ("NEW YORK: The mayor said", "NEW YORK", None),
    ],
)
def test_dateline(body: str, place: str, agency: str | None) -> None:
    text = "Headline\n" + body
    d = find_dateline(text, 9)
    assert d is not None and d.place == place and d.agency == agency
    assert text[d.end :].split()[0][0].isupper()


@pytest.mark.parametrize("body", ["The US said - no", "US officials said on Monday", "A - B"])
def test_no_dateline(body: str) -> None:
    assert find_dateline("Headline\n" + body, 9) is None
