"""Render tests: the --update-golden option (run `pytest tests/render --update-golden` to regenerate)."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/* from the current pipeline output instead of comparing",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    # getoption with a default: the option only exists when this conftest loaded at start-up.
    return bool(request.config.getoption("--update-golden", default=False))
