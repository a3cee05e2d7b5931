#!/usr/bin/env python3
"""Cues the annotators marked that the extractor's lexicon lacks.

    python benchmarks/missing_cues.py [--gold DIR ...]     # default: the training corpus and gold_extra/tune

Each gold statement's cue (``said``, ``pleaded with``, ``according to``) is lemmatised with spaCy's own
lemmatizer (the full English pipeline, not the extractor's lexicon-only stand-in); a cue none of
whose words is a lexicon cue (or a cue phrase) is listed with how often annotators used it and the
acts they gave it, most frequent first. Read it before adding a verb: a cue that is really a thought
("believes") or an action ("signed") stays out, as the guide says.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT = [ROOT / "benchmarks" / "gold_corpus" / "train", ROOT / "benchmarks" / "gold_extra" / "tune"]


def lexicon() -> tuple[set[str], set[str]]:
    """The extractor's cue lemmas (its verbs, thoughts included: they are known, and excluded) and its
    multi-word cue phrases."""
    from briefings.extract import lexicon as lx

    words = {v.lemma for v in lx.VERBS if v.frames - {"lemma-only"}}
    return words, set(lx.PHRASES | lx.SOURCE_PHRASES)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, action="append")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    import spacy

    from briefings.settings import Settings

    nlp = spacy.load(Settings.from_env().model, disable=["parser", "ner"])
    words, phrases = lexicon()
    counts: Counter[str] = Counter()
    acts: dict[str, Counter[str]] = defaultdict(Counter)
    for d in args.gold or DEFAULT:
        for g in sorted(d.glob("*.json")):
            for s in json.loads(g.read_text(encoding="utf-8"))["statements"]:
                cue = (s.get("cue") or "").strip()
                if not cue or cue.startswith("("):
                    continue
                doc = nlp(cue)
                lemmas = [t.lemma_.lower() for t in doc]
                text = " ".join(lemmas)
                if any(lm in words for lm in lemmas) or any(p in text or p in cue.lower() for p in phrases):
                    continue
                key = (
                    " ".join(t.lemma_.lower() for t in doc if t.pos_ in ("VERB", "NOUN", "ADP", "ADV"))
                    or text
                )
                counts[key] += 1
                acts[key][s["act"]] += 1
    rows = [{"cue": k, "n": n, "acts": dict(acts[k])} for k, n in counts.most_common()]
    if args.json:
        print(json.dumps(rows))
    else:
        for r in rows:
            print(f"{r['n']:4d}  {r['cue']:<30}  {r['acts']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
