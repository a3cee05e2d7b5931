"""Speed and memory of the extraction against the bare spaCy parse of the same texts (issue 3).

    .venv/bin/python benchmarks/extract_bench.py [--corpus ../shared/corpus/articles.jsonl] [--limit N]

Prints articles/s and words/s of the whole extraction, the time of ``nlp.pipe`` with every default
component of the same pipeline enabled, their ratio (target <= 1.0) and peak RSS (target <= 400 MB).
A benchmark, never a test: figures depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "articles.jsonl")
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles")
    args = ap.parse_args()
    if not args.corpus.is_file():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2

    from briefings.extract import nlp as nlp_loader
    from briefings.extract.extractor import extract_docs
    from briefings.ingest.text import article_from_text
    from briefings.settings import DEFAULT_MODEL

    records = [
        json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    if args.limit:
        records = records[: args.limit]
    texts = [f"{r['title']}\n\n{r['text']}" for r in records]
    articles = [article_from_text(t, r["id"]) for t, r in zip(texts, records, strict=True)]
    words = sum(len(t.split()) for t in texts)

    # The extraction runs first, in a fresh process, so its peak RSS is its own; the bare pipeline is
    # loaded afterwards. Each pipeline is warmed up on two articles before its timing starts.
    nlp = nlp_loader.load()
    list(extract_docs(articles[:2], nlp))
    t0 = time.perf_counter()
    n_statements = sum(len(x.statements) for x in extract_docs(articles, nlp))
    t_extract = time.perf_counter() - t0
    rss_extract = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    bare = importlib.import_module(DEFAULT_MODEL).load()
    bare.max_length = nlp.max_length
    list(bare.pipe(texts[:2]))
    t0 = time.perf_counter()
    for _doc in bare.pipe(texts, batch_size=64):
        pass
    t_bare = time.perf_counter() - t0

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"articles            {len(articles)}  ({words:,} words, {n_statements} statements found)")
    print(
        f"extraction          {t_extract:.2f} s  {len(articles) / t_extract:.1f} articles/s  {words / t_extract:,.0f} words/s"
    )
    print(
        f"bare nlp.pipe       {t_bare:.2f} s  {len(articles) / t_bare:.1f} articles/s  {words / t_bare:,.0f} words/s"
    )
    print(f"ratio               {t_extract / t_bare:.2f}  (extraction / bare parse; target <= 1.0)")
    print(f"peak RSS extraction {rss_extract:.0f} MB  (target <= 400 MB)")
    print(f"peak RSS in all     {rss_mb:.0f} MB  (with the bare pipeline loaded too)")
    print(f"bare components     {', '.join(bare.pipe_names)}")
    print(f"extract components  {', '.join(nlp.pipe_names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
