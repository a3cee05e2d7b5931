#!/usr/bin/env python3
"""What a reader sees, scored: the briefing's bullets against gold annotations.

    python benchmarks/bullets_score.py --gold benchmarks/gold_corpus/test [--gold DIR ...] [--json]

- **bullets right**: of the bullets a briefing shows, the share whose span matches a gold statement
  (Jaccard >= 0.5, as the scorer matches), whose speaker is right and whose shown act (OFFER, DEMAND,
  DENIAL, ACCUSATION or SAID) is the gold act.
- **acts shown**: of the gold offers, demands, denials and accusations, the share shown as a bullet
  with the right span, speaker and act.

Briefings are composed with the default settings (10 bullets), exactly as `briefbot brief` shows them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from train_acts import _match, _speaker_ok  # noqa: E402

from briefings.extract import nlp as nlp_loader  # noqa: E402
from briefings.extract.extractor import extract_docs  # noqa: E402
from briefings.ingest.source import load_path  # noqa: E402
from briefings.present.compose import compose  # noqa: E402

SPEECH_ACTS = ("offer", "demand", "denial", "accusation")


def score(dirs: list[Path], nlp) -> dict:
    golds = sorted(g for d in dirs for g in d.glob("*.json") if g.with_suffix(".txt").exists())
    arts = [load_path(str(g.with_suffix(".txt"))) for g in golds]
    shown = right = gold_acts = acts_shown = 0
    per_act = {a: {"gold": 0, "shown_right": 0} for a in SPEECH_ACTS}
    for g, ex in zip(golds, extract_docs(arts, nlp), strict=True):
        gold = json.loads(g.read_text(encoding="utf-8"))
        ents = {e["id"]: e for e in gold["entities"]}
        briefing = compose(ex)
        m = _match(gold["statements"], [(b.start, b.end) for b in briefing.bullets])
        shown += len(briefing.bullets)
        hit_gold = set()
        for bi, b in enumerate(briefing.bullets):
            gi = m.get(bi)
            if gi is None:
                continue
            gs = gold["statements"][gi]
            if _speaker_ok(b.speaker, ents.get(gs["speaker"], {"name": ""})) and b.act == gs["act"]:
                right += 1
                hit_gold.add(gi)
        for gi, gs in enumerate(gold["statements"]):
            if gs["act"] in per_act:
                gold_acts += 1
                per_act[gs["act"]]["gold"] += 1
                if gi in hit_gold:
                    acts_shown += 1
                    per_act[gs["act"]]["shown_right"] += 1
    return {
        "articles": len(golds),
        "bullets": shown,
        "bullets_right": round(right / shown, 3) if shown else 0.0,
        "gold_acts": gold_acts,
        "acts_shown": round(acts_shown / gold_acts, 3) if gold_acts else 0.0,
        "per_act": per_act,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, action="append", required=True)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    res = score(args.gold, nlp_loader.load())
    if args.json:
        print(json.dumps(res))
    else:
        print(
            f"{res['articles']} articles: bullets right {res['bullets_right']:.3f} of {res['bullets']}; "
            f"acts shown {res['acts_shown']:.3f} of {res['gold_acts']} gold acts"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
