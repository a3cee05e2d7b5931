"""Golden files of the seed briefing in every format, from the real pipeline (ingest -> extract -> compose
-> render). After an intended change, regenerate with: pytest tests/render --update-golden"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from render_checks import FORMATS

from briefings.deliver.platforms import render

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
SUFFIX = {"text": "txt", "markdown": "md", "slack": "json", "discord": "json"}


@pytest.fixture(scope="module")
def seed_briefing(seed_path):
    pytest.importorskip("briefings.extract.extractor", reason="the extractor is not built yet")

    from briefings.ingest.source import load_path
    from briefings.pipeline import brief_article

    article = load_path(seed_path)
    article.source = f"seeds/{seed_path.name}"  # as a user types it, whatever the working directory
    return brief_article(article)


@pytest.mark.parametrize("fmt", FORMATS)
def test_seed_golden(seed_briefing, fmt, update_golden):
    out = render(seed_briefing, fmt)
    text = out if isinstance(out, str) else json.dumps(out, ensure_ascii=False, indent=2) + "\n"
    path = GOLDEN / f"seed.{fmt}.{SUFFIX[fmt]}"
    if update_golden or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not update_golden:
            pytest.fail(f"{path.name} did not exist; written now, check it in")
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(
            difflib.unified_diff(expected.splitlines(True), text.splitlines(True), "golden", "now")
        )
        pytest.fail(f"{path.name} differs (pytest tests/render --update-golden if intended):\n{diff}")
