"""The learned act decision: the shipped model loads, decides like the rules where it should, and training
it again from the repository reproduces it (weights and test-split score)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from briefings.extract import actmodel
from briefings.extract.actmodel import ActInput, ActModel, decide, features

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "briefings" / "data" / "act_model.json"


def _shipped() -> ActModel:
    model = actmodel.shipped()
    assert model is not None, "briefings/data/act_model.json is missing from the package"
    return model


def test_shipped_model_is_small_and_has_the_five_acts() -> None:
    model = _shipped()
    assert MODEL.stat().st_size < 5 * 1024 * 1024
    assert sorted(model.classes) == ["accusation", "demand", "denial", "offer", "statement"]
    assert 0.0 <= model.threshold <= 1.0 and 0.0 <= model.keep <= 1.01
    # 240 whole-annotated train articles (+4 tune) and the single statements of other articles
    assert model.meta["articles"] >= 240 and model.meta["statements"] >= 2400
    assert model.meta["single_statements"] >= 400 and model.meta["written_examples"] >= 500


def test_probabilities_sum_to_one_and_confidence_is_the_chosen_acts() -> None:
    model = _shipped()
    x = ActInput("say", "we are ready to hold talks without preconditions", "indirect", "offer")
    probs = model.probabilities(x)
    assert abs(sum(probs.values()) - 1.0) < 1e-9
    act, confidence = model.decide(x)
    assert confidence == pytest.approx(probs[act])


@pytest.mark.parametrize(
    ("lemma", "content", "kind", "rule_act", "act"),
    [
        ("deny", "it had sent any weapons to the rebels", "indirect", "denial", "denial"),
        ("accuse", "the government of torturing prisoners", "indirect", "accusation", "accusation"),
        ("urge", "the council to reopen the library", "indirect", "demand", "demand"),
        ("say", "the weather was mild for the time of year", "indirect", "statement", "statement"),
    ],
)
def test_clear_cues_keep_their_act(lemma, content, kind, rule_act, act) -> None:
    assert decide(ActInput(lemma, content, kind, rule_act))[0] == act


def test_a_model_trained_on_other_features_is_refused() -> None:
    data = json.loads(MODEL.read_text(encoding="utf-8"))
    data["feature_version"] = -1
    with pytest.raises(ValueError, match="retrain"):
        ActModel(data)


def test_features_are_deterministic_and_name_the_rules_verdict() -> None:
    x = ActInput("say", "We will not rest until the park is protected", "direct", "statement")
    assert features(x) == features(x)
    assert "rule=statement" in features(x) and "lemma=say" in features(x)


def test_without_a_model_the_rules_decide(monkeypatch) -> None:
    monkeypatch.setattr(actmodel, "shipped", lambda: None)
    assert decide(ActInput("say", "anything", "indirect", "offer")) == ("offer", 1.0)


@pytest.mark.shared
@pytest.mark.timeout(600)  # extracts ~300 articles and fits the model: about a minute on an idle machine
def test_training_from_the_repository_reproduces_the_shipped_model(shared_dir, monkeypatch) -> None:
    """benchmarks/train_acts.py --check: same weights, same test-split acts macro F1 as shipped."""
    spec = importlib.util.spec_from_file_location("train_acts", ROOT / "benchmarks" / "train_acts.py")
    assert spec is not None and spec.loader is not None
    train_acts = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "train_acts", train_acts)  # its dataclasses look themselves up there
    spec.loader.exec_module(train_acts)
    assert train_acts.main(["--check"]) == 0


def test_written_examples_are_well_formed() -> None:
    """benchmarks/gold_synthetic: every content is a substring of its paragraph, every act is one of the
    five, ids are unique, and each act is there in numbers (training data the model depends on)."""
    from collections import Counter

    rows = []
    for path in sorted((ROOT / "benchmarks" / "gold_synthetic").glob("written_*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 600
    assert len({r["id"] for r in rows}) == len(rows)
    bad = [r["id"] for r in rows if r["content"] not in r["text"] or not r["content"].strip()]
    assert not bad, f"content not in its paragraph: {bad[:5]}"
    acts = Counter(r["act"] for r in rows)
    assert set(acts) == {"offer", "demand", "denial", "accusation", "statement"}
    assert min(acts.values()) >= 100, acts


def test_content_classes_are_features() -> None:
    """The lexicon's content classes reach the model: wrongdoing, rebuttal, commitment and request
    words fire on the guide's own examples, with the content's person."""
    f = set(features(ActInput("say", "the regime tortures its prisoners", "indirect", "statement")))
    assert {"wrong", "wrong_other"} <= f
    f = set(features(ActInput("say", "we have no such weapons", "direct", "statement")))
    assert {"rebut", "rebut_first"} <= f
    f = set(features(ActInput("say", "we are ready to talk", "direct", "statement")))
    assert {"commit_phrase", "commit_phrase_first"} <= f
    f = set(features(ActInput("say", "the council must reopen the library", "indirect", "statement")))
    assert {"request", "request_other"} <= f
    f = set(features(ActInput("say", "the weather was mild for the time of year", "indirect", "statement")))
    assert not {"wrong", "rebut", "commit_phrase", "request"} & f
