"""Measure the "same story" threshold of digests (``briefings.deliver.stories``) on the corpus.

Pairs scored (Jaccard of word 3-shingles, exact):
  * negatives: every pair of different articles in ../shared/corpus/articles.jsonl and pool.jsonl
    (238 + 87 articles; the two OneStopEnglish pairs that share a title, ose_x / ose_wnl_x, are different
    stories and are reported on their own as the hardest negatives);
  * positives, syndication: each corpus article against a copy another outlet would carry (another
    headline, the last paragraph cut, a line of the site's own added), and against its first two
    paragraphs (a feed that carries only the summary);
  * positives, rewrites: OneStopEnglish's intermediate and elementary versions of each advanced story
    in the corpus (``--ose-repo``: a checkout of nishkalavallabhi/OneStopEnglishCorpus at the commit
    named in the records' ``via``; skipped without it). The corpus ships only the advanced texts.

Prints JSON: per threshold precision/recall/F1 over all pairs, recall per positive kind, the chosen
threshold's figures, the largest negative score, and the time to cluster 20, 50 and 200 articles.

    python benchmarks/dedupe_threshold.py [--shared ../shared] [--ose-repo PATH]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import time
from pathlib import Path

from briefings.deliver.stories import SAME_STORY, cluster, shingles, similarity

ROOT = Path(__file__).resolve().parents[1]
THRESHOLDS = (0.02, 0.04, 0.06, 0.08, 0.10, 0.12, 0.15, 0.20, 0.25, 0.30, 0.40, 0.50)


def _records(shared: Path) -> list[dict]:
    out = []
    for name in ("articles.jsonl", "pool.jsonl"):
        path = shared / "corpus" / name
        if path.exists():
            out += [
                json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
    return out


def _syndicated(rec: dict, rng: random.Random) -> str:
    paragraphs = [p for p in rec["text"].split("\n\n") if p.strip()]
    kept = paragraphs[:-1] if len(paragraphs) > 2 else paragraphs
    site = rng.choice(["The Daily Wire Service", "Metro Online", "News Agency", "Evening Post"])
    return "\n\n".join(
        [f"{rec['title']}: what we know", *kept, f"This story was first published by {site}. Follow us."]
    )


def _summary(rec: dict) -> str:
    paragraphs = [p for p in rec["text"].split("\n\n") if p.strip()]
    return "\n\n".join(paragraphs[:2])


def _ose_rewrites(records: list[dict], repo: Path | None) -> list[tuple[str, str, str]]:
    if repo is None:
        return []
    out = []
    for rec in records:
        path = (rec.get("via") or {}).get("path", "")
        if not rec["id"].startswith("ose_") or "Adv-Txt" not in path:
            continue
        for level, suffix in (("Int-Txt", "-int.txt"), ("Ele-Txt", "-ele.txt")):
            other = repo / path.replace("Adv-Txt", level).replace("-adv.txt", suffix)
            if other.exists():
                text = other.read_bytes().decode("utf-8", errors="replace")
                out.append((level, rec["text"], text))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--ose-repo", type=Path, default=None)
    args = ap.parse_args()
    records = _records(args.shared)
    if not records:
        raise SystemExit(f"no corpus under {args.shared}/corpus")
    rng = random.Random(14)
    sets = [shingles(r["text"]) for r in records]
    negatives = [similarity(a, b) for a, b in itertools.combinations(sets, 2)]
    titles: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        titles.setdefault(r["title"].strip().lower(), []).append(i)
    same_title = {
        "/".join(records[i]["id"] for i in group): round(similarity(sets[group[0]], sets[group[1]]), 4)
        for group in titles.values()
        if len(group) == 2
    }
    positives: list[tuple[str, float]] = []
    for rec, s in zip(records, sets, strict=True):
        positives.append(("syndicated copy", similarity(s, shingles(_syndicated(rec, rng)))))
        positives.append(("summary only", similarity(s, shingles(_summary(rec)))))
    for level, adv, other in _ose_rewrites(records, args.ose_repo):
        positives.append(
            (f"OneStopEnglish advanced vs {level[:3].lower()}", similarity(shingles(adv), shingles(other)))
        )

    def figures(t: float) -> dict:
        tp = sum(1 for _, v in positives if v >= t)
        fp = sum(1 for v in negatives if v >= t)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / len(positives)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        kinds = {}
        for kind in sorted({k for k, _ in positives}):
            vals = [v for k, v in positives if k == kind]
            kinds[kind] = round(sum(v >= t for v in vals) / len(vals), 4)
        return {
            "threshold": t,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "false_positive_pairs": fp,
            "recall_by_kind": kinds,
        }

    cluster_ms = {}
    for n in (20, 50, 200):
        sample = [r["text"] for r in rng.sample(records, min(n, len(records)))]
        start = time.perf_counter()
        cluster(sample)
        cluster_ms[f"{n}_articles"] = round((time.perf_counter() - start) * 1000, 1)
    out = {
        "articles": len(records),
        "negative_pairs": len(negatives),
        "positive_pairs": {
            k: sum(1 for kk, _ in positives if kk == k) for k in sorted({k for k, _ in positives})
        },
        "max_negative": round(max(negatives), 4),
        "same_title_pairs": same_title,
        "chosen": figures(SAME_STORY),
        "sweep": [figures(t) for t in THRESHOLDS],
        "cluster_ms": cluster_ms,  # shingling included; a digest clusters one channel's pending articles
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
