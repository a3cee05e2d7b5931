"""Print the shell commands of README.md's "Set-up" section, one per line, exactly as written.

`.ci/run` runs what this prints, so CI always runs the README's own commands (they cannot drift),
and tests/test_readme.py checks that there are exactly the two the README promises.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def setup_commands(readme: str) -> list[str]:
    """The ```sh blocks of the "## Set-up" section, each one command on one line."""
    section = re.search(r"^## Set-up\b.*?$(.*?)(?=^## )", readme, re.S | re.M)
    if section is None:
        raise SystemExit("README.md has no '## Set-up' section")
    blocks = re.findall(r"^```sh\n(.*?)\n```$", section.group(1), re.S | re.M)
    for block in blocks:
        if "\n" in block.strip():
            raise SystemExit(f"README.md set-up block is not one command: {block!r}")
    return [block.strip() for block in blocks]


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    for command in setup_commands(path.read_text(encoding="utf-8")):
        print(command)
