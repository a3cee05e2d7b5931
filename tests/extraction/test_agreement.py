"""benchmarks/annotate.py agreement: two annotators' files of the same articles, scored as the
scorer scores the extractor (the human ceiling the act targets are measured against)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _gold(acts: list[str], speakers: list[str]) -> dict:
    spans = [(13, 26), (38, 40), (44, 51)]  # the scorer reads offsets only; no text is needed
    ents = [
        {"id": "e1", "name": "Ann Lee", "type": "person"},
        {"id": "e2", "name": "Tom Ross", "type": "person"},
    ]
    return {
        "entities": ents,
        "statements": [
            {"start": s, "end": e, "speaker": sp, "act": act, "kind": "indirect", "cue": "said"}
            for (s, e), act, sp in zip(spans, acts, speakers, strict=True)
        ],
    }


@pytest.mark.shared
def test_agreement_scores_the_second_annotator_as_the_scorer_would(shared_dir, tmp_path, monkeypatch) -> None:
    spec = importlib.util.spec_from_file_location("annotate", ROOT / "benchmarks" / "annotate.py")
    assert spec is not None and spec.loader is not None
    annotate = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "annotate", annotate)
    spec.loader.exec_module(annotate)
    monkeypatch.setattr(annotate, "_shared", lambda: shared_dir)
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x.json").write_text(json.dumps(_gold(["offer", "denial", "demand"], ["e1", "e2", "e1"])))
    # B: same spans; the offer right, the denial given to the wrong speaker, the demand called a statement
    (b / "x.json").write_text(json.dumps(_gold(["offer", "denial", "statement"], ["e1", "e1", "e1"])))
    got = annotate.agreement(a, b)
    assert got["detection_f1"] == 1.0
    assert got["acts_agreement"] == pytest.approx(2 / 3, abs=1e-3)
    assert got["e2e_f1"] == pytest.approx(2 / 3, abs=1e-3)
    assert got["acts_f1"] == {"offer": 1.0, "demand": 0.0, "denial": 0.0, "accusation": 0.0}
    assert got["acts_macro_f1"] == 0.25
