"""The dev gold set, scored with the real scorer: the figures stay above a floor 0.01 under the ones
measured last, on the dev gold as re-checked against the guide's act tables (2026-11-30: e2e F1 0.933,
attribution 0.972, offers 0.968, acts macro 0.892 with denials 0.667 -- eight rebuttals carried by the
content alone are now gold denials --, seed e2e 1.000). With the learned act model (never trained on dev;
chosen by 5-fold CV on the project's train split, where it beats the rules 0.330 vs 0.311) dev offers stay
0.968 and acts macro is 0.879 (denials 0.615): the rules were tuned on these 16 articles, the model was not.
With the lexicon as data (issue 10 item 4: dead cues revived, missing speech verbs, demand frames) the model
was retrained on the new extraction (CV 0.334 vs rules 0.324, was 0.330 vs 0.311); dev acts macro moved to
0.869, so its floor is re-set 0.01 under (0.859); e2e 0.933, attribution 0.972, offers 0.968 unchanged.
Then (v2 features: the lexicon's content classes and word stems; trained also on 484 labelled statements
of real article pages and 577 invented paragraphs written from the guide; settings picked by the mean of
train CV and dev): dev acts macro 0.831 (offers 0.909, denials 0.593, accusations 0.824), while the test
split rose 0.129 -> 0.223 and CV 0.330 -> 0.345: dev, where the rules were tuned, is now validation for
the settings, and the model overrides some of what the rules got right there. Floors 0.01 under.
Issue 10 (act frames: blame-X-for, offer/demand objects to clause end, coordinated cues, purpose
infinitives; model retrained on the new extraction): dev e2e 0.933, offers 0.909 unchanged, acts macro
0.831 -> 0.837 (denials 0.615): its floor re-set 0.01 under (0.827).
2026-11-30, round 4: speaker rules (pronoun chains, main-clause subjects, titled conjuncts, source names)
move dev e2e 0.933 -> 0.936 and attribution 0.972 -> 0.976; the act model retrained on 244 whole-annotated
articles (125 more, annotated this round) moves dev acts macro 0.837 -> 0.862 and offers 0.909 -> 0.875
(one more offer missed: the model, chosen by train CV and dev together, overrides a rule offer there).
All floors re-set 0.01 under."""

from __future__ import annotations

import importlib.util

import pytest

from briefings.extract.extractor import extract_docs
from briefings.ingest.source import load_path

pytestmark = pytest.mark.shared

FLOORS = {"end_to_end": 0.926, "attribution": 0.966, "offer": 0.865, "acts_macro": 0.852, "seed": 0.99}


@pytest.fixture(scope="module")
def scores(shared_dir, nlp):
    spec = importlib.util.spec_from_file_location("score", shared_dir / "eval" / "score.py")
    assert spec is not None and spec.loader is not None
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    gold = score.load_gold(shared_dir / "eval" / "dev")
    names = list(gold)
    extractions = extract_docs((load_path(gold[n]["_path"]) for n in names), nlp)
    per = {
        n: score.score_article(gold[n], ex.to_contract()) for n, ex in zip(names, extractions, strict=True)
    }
    tot = {k: sum(s[k] for s in per.values()) for k in ("n_gold", "n_pred", "detect", "attrib")}
    acts = {
        a: score.prf(*(sum(s["acts"][a][k] for s in per.values()) for k in ("tp", "pred", "gold")))
        for a in score.ACTS
    }
    seed = per["seed-iran-ukraine.txt"]
    return {
        "end_to_end": score.prf(tot["attrib"], tot["n_pred"], tot["n_gold"])["f1"],
        "attribution": tot["attrib"] / tot["detect"],
        "offer": acts["offer"]["f1"],
        "acts_macro": sum(a["f1"] for a in acts.values()) / len(acts),
        "seed": score.prf(seed["attrib"], seed["n_pred"], seed["n_gold"])["f1"],
    }


@pytest.mark.parametrize("figure", list(FLOORS))
def test_dev_figure_above_floor(scores, figure) -> None:
    assert scores[figure] >= FLOORS[figure], f"{figure} fell to {scores[figure]:.3f}"
