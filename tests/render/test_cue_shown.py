"""How a statement's cue reads after the speaker's name in every format."""

from __future__ import annotations

import pytest

from briefings.present.render import _cue_shown


@pytest.mark.parametrize(
    ("cue", "shown"),
    [
        ("said", "said"),
        ("has strenuously denied", "has strenuously denied"),
        ("saying", "said"),  # "…, saying X" reads "said: X"
        ("adding", "added"),
        ("telling", ""),  # "told" needs its object: better no verb than a wrong one
        ("according to", ""),
        ("accused of", "accused"),
        ("called for", "called for"),
        ("(floating quote)", ""),
        ("", ""),
    ],
)
def test_cue_shown(cue, shown):
    assert _cue_shown(cue) == shown
