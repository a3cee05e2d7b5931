"""The seed article comes out right: three offers, the demand (reported and quoted), the denial and
the accusation, each under the right speaker."""

from __future__ import annotations

import pytest

from briefings.extract.extractor import extract
from briefings.ingest.source import load_path


@pytest.fixture(scope="module")
def seed(nlp, seed_path):
    return extract(load_path(seed_path), nlp)


def by_act(ex, act: str) -> list[tuple[str, str]]:
    return [(s.speaker, s.content) for s in ex.statements if s.act == act]


def test_offers(seed) -> None:
    offers = by_act(seed, "offer")
    assert [speaker for speaker, _ in offers] == ["Hussein Amir-Abdollahian"] * 3
    assert offers[0][1].startswith("Tehran was ready to discuss the Western countries’ allegations")
    assert offers[1][1].startswith("Tehran is ready to hold technical meetings")
    assert offers[2][1] == "Iran is ready to help the two sides reach a ceasefire"


def test_demands(seed) -> None:
    demands = by_act(seed, "demand")
    assert [speaker for speaker, _ in demands] == ["Dmytro Kuleba", "Dmytro Kuleba"]
    assert demands[0][1].startswith("he demanded Tehran stop allegedly providing Russia with weapons")
    assert demands[1][1].startswith("I demanded Iran to immediately cease the flow of weapons to Russia")


def test_denials(seed) -> None:
    assert by_act(seed, "denial") == [
        ("Iran", "it has sent any weaponry, including drones, to Russia"),
        ("Hussein Amir-Abdollahian", "the allegations of sending drones to Russia"),
    ]


def test_accusation(seed) -> None:
    assert by_act(seed, "accusation") == [
        (
            "Ukrainian officials and their Western allies",
            "Iran of providing so-called “kamikaze” drones to Russia",
        )
    ]


def test_entities_and_dateline(seed) -> None:
    names = {e.name: e for e in seed.entities}
    assert set(names) == {
        "Dmytro Kuleba",
        "Hussein Amir-Abdollahian",
        "Iran",
        "Ukrainian officials and their Western allies",
    }
    assert names["Dmytro Kuleba"].role == "Ukraine’s Foreign Minister"
    assert "the Iranian foreign minister" in names["Hussein Amir-Abdollahian"].aliases
    assert seed.dateline is not None and seed.dateline.place == "TEHRAN"
    assert not any("kamikaze" == s.content for s in seed.statements)  # scare quotes are not statements
    for s in seed.statements:
        assert seed.article.text[s.start : s.end] == s.content
