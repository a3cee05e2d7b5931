"""Shared fixtures: where ../shared is (skipped cleanly without it), the seed article, the NLP pipeline."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED = SEEDS / "iran-ready-to-help-end-ukraine-war.txt"
SHARED = Path(os.environ.get("BRIEFBOT_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (gold set, corpus); tests using it skip when a fresh clone has none."""
    if not (SHARED / "eval").is_dir():
        pytest.skip("../shared is not here (a fresh clone has no gold set or corpus)")
    return SHARED


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def nlp():
    """The default spaCy pipeline, loaded once per test session."""
    from briefings import nlp as nlp_loader

    return nlp_loader.load()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    """No test sees the developer's tokens or database; each gets its own data folder."""
    for name in list(os.environ):
        if name.startswith(("SLACK_", "DISCORD_", "BRIEFBOT_")) and name not in (
            "BRIEFBOT_TEST_DATABASE_URL",
            "BRIEFBOT_SHARED",
        ):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(tmp_path / "briefbot-data"))
