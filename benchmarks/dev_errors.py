"""Error analysis on the dev gold set: every false positive, miss, wrong speaker and wrong act, grouped.

    .venv/bin/python benchmarks/dev_errors.py [--gold DIR] [--scorer score.py] [ARTICLE_STEM ...]

``--gold`` may be any directory of .txt + .json pairs (the dev set by default, or another gold set);
the scorer is ``score.py`` next to the gold directory, else the shared one.

Uses the scorer's own matching (imported from ``score.py``) so the groups add up to its figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


SHARED_SCORER = ROOT.parent / "shared" / "eval" / "score.py"


def _scorer(path: Path):
    spec = importlib.util.spec_from_file_location("score", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, default=ROOT.parent / "shared" / "eval" / "dev")
    ap.add_argument("--scorer", type=Path, default=None, help="score.py to use for matching")
    ap.add_argument("stems", nargs="*", help="only these articles (file stems)")
    args = ap.parse_args()
    scorer = args.scorer or args.gold.parent / "score.py"
    score = _scorer(scorer if scorer.exists() else SHARED_SCORER)

    from briefings.extract import nlp as nlp_loader
    from briefings.extract.extractor import extract_docs
    from briefings.ingest.source import load_path

    gold = score.load_gold(args.gold)
    names = [n for n in gold if not args.stems or Path(n).stem in args.stems]
    articles = [load_path(gold[n]["_path"]) for n in names]
    groups: dict[str, list[str]] = defaultdict(list)
    for name, ex in zip(names, extract_docs(articles, nlp_loader.load()), strict=True):
        g = gold[name]
        ents = {e["id"]: e for e in g["entities"]}
        preds = ex.to_contract()["statements"]
        pairs = score.match(g["statements"], preds)
        mg = {gi for gi, _ in pairs}
        mp = {pi for _, pi in pairs}
        stem = Path(name).stem
        for gi, pi in pairs:
            gs, ps = g["statements"][gi], preds[pi]
            ent = ents[gs["speaker"]]
            if not score.speaker_ok(ps["speaker"], ent):
                groups["wrong speaker"].append(
                    f"{stem}: gold {ent['name']!r} pred {ps['speaker']!r} [{ps['cue']}] {gs['content'][:90]!r}"
                )
            elif gs["act"] != ps["act"]:
                groups[f"act {gs['act']} -> {ps['act']}"].append(
                    f"{stem}: [{ps['cue']}] {gs['content'][:110]!r}"
                )
        for gi, gs in enumerate(g["statements"]):
            if gi not in mg:
                near = [p for p in preds if min(p["end"], gs["end"]) > max(p["start"], gs["start"])]
                tag = "missed (span overlaps a prediction)" if near else "missed"
                extra = f"  ~pred {near[0]['content'][:70]!r}" if near else ""
                groups[f"{tag} {gs['kind']}"].append(
                    f"{stem}: {ents[gs['speaker']]['name']} [{gs['cue']}] {gs['content'][:100]!r}{extra}"
                )
        for pi, ps in enumerate(preds):
            if pi not in mp:
                groups[f"false positive {ps['kind']}"].append(
                    f"{stem}: {ps['speaker']} [{ps['cue']}] {ps['content'][:110]!r}"
                )
    for key in sorted(groups, key=lambda k: -len(groups[k])):
        print(f"\n== {key} ({len(groups[key])})")
        for line in groups[key]:
            print("  " + line)
    print("\n" + json.dumps({k: len(v) for k, v in groups.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
