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


# Where settings are read: the core's, and each adapter's own (bots/<platform>/config.py).
SETTINGS_SOURCES = [ROOT / "briefings" / "settings.py", *sorted((ROOT / "bots").glob("*/config.py"))]
VARIABLE = re.compile(r'"((?:BRIEFBOT|SLACK|DISCORD)_[A-Z_]+)"')


def test_readme_documents_every_setting():
    names = {n for path in SETTINGS_SOURCES for n in VARIABLE.findall(path.read_text(encoding="utf-8"))}
    assert len(names) > 25
    assert {"BRIEFBOT_MODEL", "SLACK_BOT_TOKEN", "BRIEFBOT_DISCORD_GUILD"} <= names
    missing = sorted(n for n in names if f"`{n}`" not in README)
    assert not missing, f"settings missing from the README's configuration table: {missing}"


def test_each_adapter_lists_the_variables_it_reads_as_its_platform_settings():
    """An adapter's ``Platform.settings`` (what the README table and `briefbot run` go by) names every
    variable its config module reads."""
    import importlib

    adapters = sorted((ROOT / "bots").glob("*/config.py"))
    assert [p.parent.name for p in adapters] == ["discord_bot", "slack_app"]
    for path in adapters:
        read = set(VARIABLE.findall(path.read_text(encoding="utf-8")))
        platform = importlib.import_module(f"bots.{path.parent.name}.platform").PLATFORM
        assert read == set(platform.settings), path


def test_readme_documents_every_setting_of_every_platform():
    """Each registered platform names the variables it reads (``Platform.settings``); all are documented."""
    from briefings.deliver import platforms

    names = {n for p in platforms.registered() for n in p.settings}
    assert {"SLACK_BOT_TOKEN", "DISCORD_TOKEN"} <= names
    missing = sorted(n for n in names if f"`{n}`" not in README)
    assert not missing, f"platform settings missing from the README's configuration table: {missing}"


def test_readme_set_up_commands_name_real_paths():
    assert "seeds/iran-ready-to-help-end-ukraine-war.txt" in README
    assert (ROOT / "seeds" / "iran-ready-to-help-end-ukraine-war.txt").is_file()
    for doc in re.findall(r"\]\(((?:docs|bots)/[^)]+)\)", README):
        assert (ROOT / doc).is_file(), doc


def test_ci_runs_the_readme_set_up_commands_as_written_without_upgrading_pip():
    """Issue 11: CI runs the README's two set-up commands literally, with the pip python3 comes with."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "readme_setup.py"), str(ROOT / "README.md")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.splitlines() == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && "
        ".venv/bin/briefbot brief seeds/iran-ready-to-help-end-ukraine-war.txt",
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest -q",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 .ci/readme_setup.py README.md" in ci
    assert not re.search(r"pip\S*\s+install\b[^\n]*(--upgrade|-U)\b[^\n]*\bpip\b", ci), "CI upgrades pip"
    assert not re.search(r"\bpip\S*\s+install\b", ci), "CI installs on its own instead of the README's way"


def test_trafilatura_imports_with_the_installed_pip():
    """pip < 24 skips trafilatura's ``lxml[html_clean]`` extra; the direct dependency makes the import work."""
    import importlib

    trafilatura = importlib.import_module("trafilatura")
    assert callable(trafilatura.bare_extraction)
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"lxml_html_clean' in project
