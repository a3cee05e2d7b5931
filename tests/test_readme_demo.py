"""The README's console morning-digest demo, run as written: ``seeds/`` served on loopback the way
``python3 -m http.server`` serves it, the real ``briefbot run`` in a subprocess, the README's commands
typed in, and the transcript compared with ``tests/golden/console-digest.txt``.

The only differences from the README: the port is whatever was free (written back as the README's in the
transcript), ``--at 07:29`` becomes ``--now`` on a fixed day (so the dates in the transcript are fixed),
the store is the test's own (shown as ``<store>``), and the seconds of the running clock show as ``ss``. To regenerate the golden file, delete it and run
this test once."""

from __future__ import annotations

import difflib
import functools
import re
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "console-digest.txt"
README = (ROOT / "README.md").read_text(encoding="utf-8")
DAY = "2026-11-28"


def demo() -> tuple[str, int, list[str], list[str]]:
    """From the README: the served folder, the port, the ``briefbot run`` arguments, the typed lines."""
    block = re.search(
        r"Try a morning digest in the console.*?```sh\n(.*?)\n```.*?```text\n(.*?)\n```", README, re.S
    )
    assert block, "README lost its console morning-digest demo"
    shell, typed = block.group(1).splitlines(), block.group(2).splitlines()
    server = re.fullmatch(r"python3 -m http\.server --bind 127\.0\.0\.1 -d (\S+) (\d+) &", shell[0])
    assert server, shell[0]
    run = re.fullmatch(r"BRIEFBOT_ALLOW_PRIVATE_HOSTS=1 \.venv/bin/briefbot run (.*)", shell[1])
    assert run, shell[1]
    return server.group(1), int(server.group(2)), run.group(1).split(), typed


@pytest.fixture
def served_seeds():
    folder, _port, _args, _typed = demo()
    handler = functools.partial(QuietHandler, directory=str(ROOT / folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    """``python3 -m http.server``'s handler, without its request log on stderr."""

    def log_message(self, *args):
        pass


def briefbot() -> list[str]:
    script = Path(sys.executable).with_name("briefbot")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "bots"]


def test_readme_console_digest_demo_shows_a_digest_of_briefed_articles(monkeypatch, tmp_path, served_seeds):
    _folder, port, args, typed = demo()
    assert args[:2] == ["--at", "07:29"], args
    assert any("backfill 2" in line for line in typed) and "/advance 2m" in typed
    args = ["--now", f"{DAY}T{args[1]}:00+00:00", *args[2:]]
    lines = [line.replace(f":{port}/", f":{served_seeds}/") for line in typed]
    monkeypatch.setenv("BRIEFBOT_ALLOW_PRIVATE_HOSTS", "1")
    done = subprocess.run(
        [*briefbot(), "run", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=100,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    transcript = re.sub(r"store \S+;", "store <store>;", done.stdout).replace(
        f"127.0.0.1:{served_seeds}/", f"127.0.0.1:{port}/"
    )
    # The clock runs on from --now while the process works: the seconds it shows vary.
    transcript = re.sub(r"(; now .* \d\d:\d\d):\d\d ", r"\1:ss ", transcript)
    # What the demo is for, whatever the golden file says.
    assert "The latest 2 items will be in the next digest; 2 older items marked as seen." in transcript
    digest = transcript[transcript.index("clock moved ahead") :]
    assert "Morning briefing, Saturday 28 November" in digest
    assert "Harbour authority denies ferry will stop during dredging" in digest
    assert "Transit union demands pay talks before winter timetable" in digest
    assert "City to open three new libraries" not in digest  # history, not news
    assert "OFFER" in digest and "DEMAND" in digest and "said" in digest
    if not GOLDEN.exists():
        GOLDEN.write_text(transcript, encoding="utf-8")
        pytest.fail(f"{GOLDEN.name} did not exist; written now, check it in")
    expected = GOLDEN.read_text(encoding="utf-8")
    if transcript != expected:
        diff = "".join(
            difflib.unified_diff(expected.splitlines(True), transcript.splitlines(True), "golden", "now")
        )
        pytest.fail(f"{GOLDEN.name} differs (delete it and re-run to regenerate if intended):\n{diff}")
