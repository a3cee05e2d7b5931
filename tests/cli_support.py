"""The briefbot command run as a user runs it: a child process of this Python, in the repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*argv: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    """``python -m bots ARGV...`` with this environment (or ``env``), its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "bots", *argv],
        capture_output=True,
        text=True,
        input=stdin,
        env=env if env is not None else dict(os.environ),
        cwd=ROOT,
        timeout=110,
    )
