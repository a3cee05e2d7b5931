"""The README stays true: its seed output is the real output, its settings table names every setting."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_shows_the_seed_briefing_as_printed():
    golden = (ROOT / "tests" / "golden" / "seed.text.txt").read_text(encoding="utf-8").rstrip("\n")
    block = re.search(r"The first command prints:\n\n```text\n(.*?)\n```", README, re.S)
    assert block, "README lost its seed output block"
    assert block.group(1) == golden


def test_readme_documents_every_setting():
    source = (ROOT / "briefings" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'"((?:BRIEFBOT|SLACK|DISCORD)_[A-Z_]+)"', source))
    assert len(names) > 15
    missing = sorted(n for n in names if f"`{n}`" not in README)
    assert not missing, f"settings missing from the README's configuration table: {missing}"


def test_readme_set_up_commands_name_real_paths():
    assert "seeds/iran-ready-to-help-end-ukraine-war.txt" in README
    assert (ROOT / "seeds" / "iran-ready-to-help-end-ukraine-war.txt").is_file()
    for doc in re.findall(r"\]\(((?:docs|bots)/[^)]+)\)", README):
        assert (ROOT / doc).is_file(), doc
