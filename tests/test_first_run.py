"""A new user's first hour (issue 11): a broken install, the user's own folders, and the first briefings
of pasted text, each through the real CLI (in-process or as a subprocess)."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest
from cli_support import run_cli

from bots.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "iran-ready-to-help-end-ukraine-war.txt"
# The developer's real home, read at collection, before the autouse fixture moves HOME for each test.
REAL_HOME = Path.home()

BROKEN = (
    "raise ImportError('lxml.html.clean module is now a separate project lxml_html_clean.\\n"
    "Install lxml[html-clean] or lxml_html_clean directly.')\n"
)
PAGE = (
    "<html><head><title>Talks to resume</title></head><body><article><h1>Talks to resume</h1>"
    + "<p>The foreign minister said on Friday that talks would resume in Geneva next week, "
    "and that both delegations had agreed to a new agenda covering trade and security.</p>"
    * 4
    + "</article></body></html>"
)
FEED = (
    "<?xml version='1.0'?><rss version='2.0'><channel><title>News</title><item><guid>1</guid>"
    "<title>Talks</title><description>The minister said talks would resume.</description></item>"
    "</channel></rss>"
)


@pytest.mark.parametrize(
    "module, name, body, argv",
    [
        ("trafilatura", "page.html", PAGE, ("brief", "{path}")),
        ("feedparser", "feed.xml", FEED, ("digest", "--to", "console", "{path}")),
    ],
)
def test_an_unimportable_reader_is_one_line_and_exit_2(tmp_path, module, name, body, argv):
    """pip 23 left ``import trafilatura`` raising ImportError: the CLI says so in one line per source,
    exit 2, no traceback (a PYTHONPATH shim makes the module unimportable in a real subprocess)."""
    shim = tmp_path / "shim"
    (shim / module).mkdir(parents=True)
    (shim / module / "__init__.py").write_text(BROKEN, encoding="utf-8")
    page = tmp_path / name
    page.write_text(body, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(shim))
    done = run_cli(*(a.format(path=page) for a in argv), env=env)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    # brief: one line; digest: one line per source it could not brief, then its one-line summary.
    assert len(lines) == (1 if argv[0] == "brief" else 2), done.stderr
    assert all(line.startswith("briefbot: ") for line in lines), done.stderr
    assert "Traceback" not in done.stderr
    assert lines[0].startswith("briefbot: ") and f"({module})" in lines[0], lines[0]
    assert "lxml_html_clean" in lines[0] and "pip install" in lines[0]


def test_tests_and_their_subprocesses_never_touch_the_real_data_directory(tmp_path):
    """The autouse fixture moves HOME and the XDG folders; a CLI run on default settings writes its
    store there, and the real ~/.local/share/briefbot stays exactly as it was."""
    real = REAL_HOME / ".local" / "share" / "briefbot"

    def snapshot() -> dict[str, float]:
        return {str(p): p.stat().st_mtime for p in real.rglob("*")} if real.exists() else {}

    before = (real.exists(), snapshot())
    assert Path(os.environ["HOME"]) != REAL_HOME
    assert Path(os.environ["XDG_DATA_HOME"]).is_relative_to(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "BRIEFBOT_DATA_DIR"}  # the default data folder
    done = run_cli("run", stdin="/brief list\n", env=env)
    assert done.returncode == 0, done.stderr
    store = Path(os.environ["XDG_DATA_HOME"]) / "briefbot" / "briefbot.sqlite3"
    assert store.is_file() and str(store) in done.stdout
    assert (real.exists(), snapshot()) == before


def test_pasted_text_briefing_tells_one_story(capsys, monkeypatch):
    """A statement that is found is shown, and the source of pasted text reads as such, not "-"."""
    stdin = io.TextIOWrapper(io.BytesIO(b"Talks\nThe minister said talks would resume.\n"), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["brief", "-"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:2] == ["Talks", "pasted text"]
    assert "The minister (1 statement)" in out
    assert "talks would resume" in out
    assert "No statements attributed" not in out
    assert out.rstrip().endswith("1 of 1 statement shown (1 other statement).")


def test_text_given_instead_of_a_path_hints_at_stdin(capsys):
    code = main(["brief", "The mayor said the bridge would reopen on Monday."])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.strip() == (
        "briefbot: no such file: 'The mayor said the bridge would reopen on Monday.' "
        "(to brief pasted text, pipe it to `briefbot brief -`)"
    )
    code = main(["brief", str(SEED.with_name("missing.txt"))])
    assert code == 2
    assert capsys.readouterr().err.strip().endswith("missing.txt: no such file")
