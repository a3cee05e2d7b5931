#!/usr/bin/env python3
"""Tools for the project's who-said-what training corpus (benchmarks/gold_corpus).

  annotate.py prepare [--corpus DIR]
      choose the articles, split them into train/test *before* anyone annotates
      (seeded, grouped by source family), write each as `<split>/<id>.txt`
      (headline, blank line, body) and `manifest.json` (source, licence, url,
      split, annotator batch, double-annotation batch).
  annotate.py extend [--corpus DIR] [--batches N] [--first-batch K]
      add to train/ the articles whose single statements were act-labelled for
      training (../gold_statements): they were training data already, so they
      can only ever be train; batches K, K+1, ... of annotators.
  annotate.py build DRAFT.json [--out FILE] [--check]
      turn an annotator's draft into a gold file like ../shared/eval/dev:
      each statement's `content` is found verbatim in the article text and
      gets its character offsets. Statements are listed in text order; each
      content is searched from the previous statement's start (or after the
      optional `after` anchor, a short verbatim text just before it).
      Prints one line per problem and exits 2 if there is any.
  annotate.py agreement A_DIR B_DIR
      detection F1 between two annotators (B scored against A with the
      scorer's matching) and Cohen's kappa on the acts of matched statements.

Annotators never see the extractor's output: drafts are written from the
article and ../shared/eval/README.md alone.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS_DIR = HERE / "gold_corpus"
KINDS = {"direct", "indirect", "mixed"}
ACTS = {"offer", "demand", "denial", "accusation", "statement"}
TYPES = {"person", "organization", "country", "group", "document", "media", "other"}


def _shared() -> Path:
    return HERE.parent.parent / "shared"


def _already_used() -> set[str]:
    used = set()
    for d in [_shared() / "eval" / "dev", HERE / "gold_extra" / "tune", HERE / "gold_extra" / "hold"]:
        if d.is_dir():
            used |= {p.stem for p in d.glob("*.json")}
    return used


def _family(rec: dict) -> str:
    # OneStopEnglish has a few stories twice ('ose_x' and 'ose_wnl_x' levels): keep a story in one split.
    rid = rec["id"]
    if rid.startswith("ose_"):
        return "ose:" + rec["title"].strip().lower()
    return rid


def _corpus_records(corpus: Path) -> list[dict]:
    """The records of ../shared/corpus (articles.jsonl, then pool.jsonl when it is there)."""
    recs = []
    for name in ("articles.jsonl", "pool.jsonl"):
        p = corpus / name
        if p.exists():
            recs += [json.loads(line) for line in p.open(encoding="utf-8")]
    return recs


def prepare(corpus: Path, n_articles: int, n_test: int, n_batches: int, n_double: int) -> None:
    recs = _corpus_records(corpus)
    used = _already_used()
    cand = [
        r
        for r in recs
        if r["id"] not in used
        and r.get("genre") != "interview"
        and r.get("quote_marks", 0) > 0
        and 150 <= r.get("word_count", 0) <= 2500
    ]
    rng = random.Random(20261130)
    rng.shuffle(cand)
    cand = cand[:n_articles]
    families = sorted({_family(r) for r in cand})
    rng.shuffle(families)
    test_fams: set[str] = set()
    for f in families:
        if sum(1 for r in cand if _family(r) in test_fams) >= n_test:
            break
        test_fams.add(f)
    manifest = []
    for i, r in enumerate(cand):
        split = "test" if _family(r) in test_fams else "train"
        d = CORPUS_DIR / split
        d.mkdir(parents=True, exist_ok=True)
        text = r["title"].strip() + "\n\n" + r["text"].strip() + "\n"
        (d / f"{r['id']}.txt").write_text(text, encoding="utf-8")
        manifest.append(
            {
                "id": r["id"],
                "split": split,
                "source": r["source"],
                "license": r["license"],
                "url": r.get("url"),
                "title": r["title"],
                "via": r.get("via"),
                "batch": i % n_batches,
            }
        )
    # Double annotation: n_double articles, each also given to the next batch's annotator.
    both = [m for m in manifest if m["split"] == "train"][: n_double // 2] + [
        m for m in manifest if m["split"] == "test"
    ][: n_double - n_double // 2]
    for m in both:
        m["second_batch"] = (m["batch"] + 1) % n_batches
    (CORPUS_DIR / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    c = Counter(m["split"] for m in manifest)
    print(f"{len(manifest)} articles: {c['train']} train, {c['test']} test; {len(both)} double-annotated")


def extend(corpus: Path, n_batches: int, first_batch: int) -> None:
    recs = {r["id"]: r for r in _corpus_records(corpus)}
    manifest = json.loads((CORPUS_DIR / "manifest.json").read_text(encoding="utf-8"))
    have = {m["id"] for m in manifest} | _already_used()
    ids = sorted(
        {
            json.loads(line)["article"]
            for batch in sorted((HERE / "gold_statements").glob("batch_*.jsonl"))
            for line in batch.open(encoding="utf-8")
        }
        - have
    )
    missing = [i for i in ids if i not in recs]
    if missing:
        raise SystemExit(f"annotate: {len(missing)} articles are not in {corpus} (e.g. {missing[0]})")
    for i, aid in enumerate(ids):
        r = recs[aid]
        text = r["title"].strip() + "\n\n" + r["text"].strip() + "\n"
        (CORPUS_DIR / "train" / f"{aid}.txt").write_text(text, encoding="utf-8")
        manifest.append(
            {
                "id": aid,
                "split": "train",
                "source": r["source"],
                "license": r["license"],
                "url": r.get("url"),
                "title": r["title"],
                "via": r.get("via"),
                "batch": first_batch + i % n_batches,
            }
        )
    (CORPUS_DIR / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(ids)} articles added to train, batches {first_batch}-{first_batch + n_batches - 1}")


def _text_of(draft_path: Path, draft: dict) -> tuple[Path, str]:
    name = draft.get("file") or ""
    for cand in [draft_path.parent / name, *(CORPUS_DIR / s / name for s in ("train", "test"))]:
        if name and cand.is_file():
            return cand, cand.read_text(encoding="utf-8")
    raise SystemExit(f"{draft_path}: article file {name!r} not found")


def build(draft_path: Path) -> tuple[dict, list[str]]:
    problems: list[str] = []
    try:
        draft = json.loads(draft_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        return {}, [f"{draft_path}: not valid JSON: {e}"]
    txt_path, text = _text_of(draft_path, draft)
    ents = draft.get("entities", [])
    ids = set()
    for e in ents:
        if not e.get("id") or not e.get("name"):
            problems.append(f"entity without id or name: {e}")
        if e.get("id") in ids:
            problems.append(f"entity id {e.get('id')!r} used twice")
        ids.add(e.get("id"))
        if e.get("type") not in TYPES:
            problems.append(f"entity {e.get('id')!r}: type {e.get('type')!r} not one of {sorted(TYPES)}")
    headline_end = text.find("\n")
    pos = headline_end + 1
    out = []
    for i, s in enumerate(draft.get("statements", [])):
        where = f"statement {i + 1} ({(s.get('content') or '')[:40]!r})"
        if s.get("speaker") not in ids:
            problems.append(f"{where}: speaker {s.get('speaker')!r} is not an entity id")
        if s.get("kind") not in KINDS:
            problems.append(f"{where}: kind {s.get('kind')!r} not one of {sorted(KINDS)}")
        if s.get("act") not in ACTS:
            problems.append(f"{where}: act {s.get('act')!r} not one of {sorted(ACTS)}")
        if not s.get("cue") and s.get("kind") != "direct":
            problems.append(f"{where}: reported speech needs its cue")
        content = s.get("content") or ""
        if not content.strip():
            problems.append(f"{where}: empty content")
            continue
        start_from = pos
        if s.get("after"):
            a = text.find(s["after"], headline_end + 1)
            if a < 0:
                problems.append(f"{where}: 'after' anchor {s['after']!r} not in the article")
                continue
            start_from = a + len(s["after"])
        at = text.find(content, start_from)
        if at < 0:
            earlier = text.find(content, headline_end + 1)
            if earlier >= 0:
                problems.append(
                    f"{where}: found only before the previous statement (offset {earlier}); "
                    "list statements in text order or give an 'after' anchor"
                )
            else:
                problems.append(f"{where}: content not found verbatim in the article")
            continue
        if content != content.strip():
            problems.append(f"{where}: content starts or ends with white space")
        pos = at
        out.append(
            {
                "speaker": s.get("speaker"),
                "cue": s.get("cue") or "",
                "kind": s.get("kind"),
                "act": s.get("act"),
                "content": content,
                "start": at,
                "end": at + len(content),
            }
        )
    spans = sorted((o["start"], o["end"]) for o in out)
    for (a0, a1), (b0, b1) in zip(spans, spans[1:], strict=False):
        if b0 < a1:
            problems.append(f"statements overlap at offsets {a0}-{a1} and {b0}-{b1}")
    meta = {}
    mf = CORPUS_DIR / "manifest.json"
    if mf.exists():
        meta = next((m for m in json.loads(mf.read_text()) if m["id"] == txt_path.stem), {})
    gold = {
        "file": txt_path.name,
        "source": meta.get("source", draft.get("source", "")),
        "license": meta.get("license", draft.get("license", "")),
        "entities": ents,
        "statements": out,
    }
    return gold, problems


def agreement(a_dir: Path, b_dir: Path) -> dict:
    sys.path.insert(0, str(_shared() / "eval"))
    import score  # type: ignore[import-not-found]  # noqa: PLC0415 - the shared scorer, found at run time

    tp = n_a = n_b = attributed = 0
    pairs: list[tuple[str, str]] = []
    # B read as a prediction scored against A exactly as score.py scores the extractor: how far the
    # acts macro F1 and end-to-end F1 of two people go, the ceiling any extractor is measured against
    acts = {act: {"tp": 0, "pred": 0, "gold": 0} for act in score.ACTS}
    for b in sorted(b_dir.glob("*.json")):
        a = a_dir / b.name
        if not a.exists():
            continue
        ga, gb = json.loads(a.read_text()), json.loads(b.read_text())
        names = {e["id"]: e["name"] for e in gb["entities"]}
        as_pred = {"statements": [{**s, "speaker": names.get(s["speaker"], "")} for s in gb["statements"]]}
        scored = score.score_article(ga, as_pred)
        attributed += scored["attrib"]
        for act, counts in scored["acts"].items():
            for key in counts:
                acts[act][key] += counts[key]
        m = score.match(ga["statements"], gb["statements"])
        tp += len(m)
        n_a += len(ga["statements"])
        n_b += len(gb["statements"])
        pairs += [(ga["statements"][i]["act"], gb["statements"][j]["act"]) for i, j in m]
    p = tp / n_b if n_b else 0.0
    r = tp / n_a if n_a else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    n = len(pairs)
    po = sum(x == y for x, y in pairs) / n if n else 0.0
    ca, cb = Counter(x for x, _ in pairs), Counter(y for _, y in pairs)
    pe = sum(ca[k] * cb[k] for k in ACTS) / (n * n) if n else 0.0
    kappa = (po - pe) / (1 - pe) if pe < 1 else 1.0
    return {
        "articles": len(list(b_dir.glob("*.json"))),
        "statements_a": n_a,
        "statements_b": n_b,
        "detection_f1": round(f1, 3),
        "acts_matched": n,
        "acts_agreement": round(po, 3),
        "acts_kappa": round(kappa, 3),
        "e2e_f1": score.prf(attributed, n_b, n_a)["f1"],
        "acts_macro_f1": round(
            sum(score.prf(v["tp"], v["pred"], v["gold"])["f1"] for v in acts.values()) / len(acts), 3
        ),
        "acts_f1": {act: score.prf(v["tp"], v["pred"], v["gold"])["f1"] for act, v in acts.items()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--corpus", type=Path, default=_shared() / "corpus")
    p.add_argument("--articles", type=int, default=160)
    p.add_argument("--test", type=int, default=45)
    p.add_argument("--batches", type=int, default=5)
    p.add_argument("--double", type=int, default=20)
    e = sub.add_parser("extend")
    e.add_argument("--corpus", type=Path, default=_shared() / "corpus")
    e.add_argument("--batches", type=int, default=5)
    e.add_argument("--first-batch", type=int, default=5)
    b = sub.add_parser("build")
    b.add_argument("draft", type=Path, nargs="+")
    b.add_argument("--out", type=Path, help="folder for the gold files (default: beside the article)")
    b.add_argument("--check", action="store_true", help="only report problems")
    g = sub.add_parser("agreement")
    g.add_argument("a", type=Path)
    g.add_argument("b", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "prepare":
        prepare(args.corpus, args.articles, args.test, args.batches, args.double)
        return 0
    if args.cmd == "extend":
        extend(args.corpus, args.batches, args.first_batch)
        return 0
    if args.cmd == "agreement":
        print(json.dumps(agreement(args.a, args.b)))
        return 0
    bad = 0
    for d in args.draft:
        gold, problems = build(d)
        for pr in problems:
            print(f"{d.name}: {pr}")
        if problems:
            bad += 1
            continue
        n = len(gold["statements"])
        if args.check:
            print(f"{d.name}: ok, {n} statements")
            continue
        dest_dir = args.out or (
            CORPUS_DIR / ("test" if (CORPUS_DIR / "test" / gold["file"]).exists() else "train")
        )
        dest = dest_dir / (Path(gold["file"]).stem + ".json")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(json.dumps(gold, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{d.name}: {n} statements -> {dest}")
    return 2 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
