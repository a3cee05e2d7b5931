"""A snapshot of everything the extractor outputs, to prove a refactor behaviour-preserving (issue 10).

    .venv/bin/python benchmarks/extract_snapshot.py --out /tmp/before.jsonl
    .venv/bin/python benchmarks/extract_snapshot.py --out /tmp/after.jsonl --check /tmp/before.jsonl

Runs what ``briefbot extract --format jsonl`` runs (``pipeline.extract_articles`` with the settings
from the environment) over every article of the dev gold set (``$BRIEFBOT_SHARED/eval/dev``, default ``../shared``), the gold corpus
(``benchmarks/gold_corpus/train`` and ``test``), the extra gold (``benchmarks/gold_extra/*``) and the
seeds, and writes one JSON line per article: its split, the ``extract`` contract object, and every
field of every statement (``speaker_id``, ``speaker_mention``, ``cue_start``, ``confidence``,
``rule_act``, ``cue_lemma``, ``cue_flags``), which the contract leaves out.

``--check`` compares with an earlier snapshot and prints one JSON verdict per split. Held-out splits
(``test``, ``hold``) only ever get identical/different: their content is never shown (they are not
used for tuning); tuning splits also name their first differing articles.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("BRIEFBOT_SHARED", ROOT.parent / "shared"))

SPLITS = {
    "dev": SHARED / "eval" / "dev",
    "train": ROOT / "benchmarks" / "gold_corpus" / "train",
    "test": ROOT / "benchmarks" / "gold_corpus" / "test",
    "tune": ROOT / "benchmarks" / "gold_extra" / "tune",
    "hold": ROOT / "benchmarks" / "gold_extra" / "hold",
    "seed": ROOT / "seeds",
    "shared-seed": SHARED / "seeds",
}
HELD_OUT = frozenset({"test", "hold"})


def _articles() -> list[tuple[str, Path]]:
    out = []
    for split, folder in SPLITS.items():
        if not folder.is_dir():
            print(f"no articles at {folder}", file=sys.stderr)
            raise SystemExit(2)
        out += [(split, p) for p in sorted(folder.glob("*.txt"))]
    return out


def snapshot(out: Path) -> int:
    from briefings.ingest.source import load_path
    from briefings.pipeline import extract_articles
    from briefings.settings import Settings

    items = _articles()
    extractions = extract_articles((load_path(str(p)) for _, p in items), Settings.from_env())
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for (split, _), extraction in zip(items, extractions, strict=True):
            row = {
                "split": split,
                **extraction.to_contract(),
                "full": [s.to_dict() for s in extraction.statements],
            }
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
            n += 1
    return n


def check(new: Path, old: Path) -> bool:
    def by_split(path: Path) -> dict[str, list[str]]:
        rows: dict[str, list[str]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            rows.setdefault(json.loads(line)["split"], []).append(line)
        return rows

    a, b = by_split(old), by_split(new)
    same = True
    for split in SPLITS:
        ok = a.get(split) == b.get(split)
        verdict: dict[str, object] = {"split": split, "identical": ok}
        if not ok and split not in HELD_OUT:
            verdict["differ"] = [
                json.loads(x)["source"]
                for x, y in zip(a.get(split, []), b.get(split, []), strict=False)
                if x != y
            ][:5]
        print(json.dumps(verdict))
        same = same and ok
    print(json.dumps({"identical": same, "bytes_identical": old.read_bytes() == new.read_bytes()}))
    return same


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="where to write the snapshot (JSON Lines)")
    ap.add_argument("--check", type=Path, help="an earlier snapshot: print identical/different per split")
    args = ap.parse_args()
    n = snapshot(args.out)
    print(json.dumps({"articles": n, "out": str(args.out)}))
    if args.check is not None:
        return 0 if check(args.out, args.check) else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
