#!/usr/bin/env python3
"""Single statements for act labelling (benchmarks/gold_statements): from corpus articles that no gold
set uses, the statements the extractor finds, shown to labellers as paragraph + cue + content with
NO act (labellers never see the extractor's act). Labels are used for training only.

    statement_batches.py make --batches 3      # writes gold_statements/batch_<i>.jsonl (unlabelled)
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "gold_statements"


def used_ids() -> set[str]:
    ids = set()
    for d in [
        ROOT / "benchmarks" / "gold_corpus" / "train",
        ROOT / "benchmarks" / "gold_corpus" / "test",
        ROOT / "benchmarks" / "gold_extra" / "tune",
        ROOT / "benchmarks" / "gold_extra" / "hold",
        ROOT.parent / "shared" / "eval" / "dev",
    ]:
        ids |= {p.stem for p in d.glob("*.txt")}
    return ids


def make(n_batches: int) -> None:
    from briefings.extract import nlp as nlp_loader
    from briefings.extract.extractor import extract_docs
    from briefings.models import Article

    corpus = ROOT.parent / "shared" / "corpus"
    recs = []
    for name in ("articles.jsonl", "pool.jsonl"):
        if (corpus / name).exists():
            recs += [json.loads(x) for x in (corpus / name).open(encoding="utf-8")]
    used = used_ids()
    recs = [r for r in recs if r["id"] not in used and r["id"] != "seed-iran-ukraine"]
    arts = []
    for r in recs:
        text = r["title"].strip() + "\n\n" + r["text"].strip() + "\n"
        arts.append(
            Article(text=text, title=r["title"], source=r["id"], body_start=len(r["title"].strip()) + 1)
        )
    rows = []
    for r, ex in zip(recs, extract_docs(arts, nlp_loader.load()), strict=True):
        text = ex.article.text
        for i, s in enumerate(ex.statements):
            p0 = text.rfind("\n", 0, s.start) + 1
            p1 = text.find("\n", s.end)
            p1 = len(text) if p1 < 0 else p1
            rows.append(
                {
                    "id": f"{r['id']}#{i}",
                    "article": r["id"],
                    "license": r["license"],
                    "source": r["source"],
                    "paragraph": text[p0:p1],
                    "cue": s.cue,
                    "speaker": s.speaker,
                    "kind": s.kind,
                    "content": s.content,
                    "start": s.start,
                    "end": s.end,
                }
            )
    random.Random(7).shuffle(rows)
    OUT.mkdir(parents=True, exist_ok=True)
    for b in range(n_batches):
        part = rows[b::n_batches]
        with (OUT / f"batch_{b}.jsonl").open("w", encoding="utf-8") as fh:
            for row in part:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} statements from {len(recs)} articles in {n_batches} batches")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["make"])
    ap.add_argument("--batches", type=int, default=3)
    a = ap.parse_args()
    make(a.batches)
