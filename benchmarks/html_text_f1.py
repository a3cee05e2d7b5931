"""Token F1 between ``article_from_html``'s body text and the expected text of ../shared/corpus/html.

Usage: .venv/bin/python benchmarks/html_text_f1.py [--shared PATH] [--set KEY=VALUE ...]
``--set favor_recall=false`` overrides one of ``briefings.ingest.html.EXTRACT_OPTIONS`` (to tune them).
Prints one line per page and the mean; the pages stay in ../shared (publishers' copyright).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefings.errors import BriefbotError  # noqa: E402
from briefings.ingest import html as html_module  # noqa: E402

_TOKEN = re.compile(r"\w+", re.UNICODE)


def token_f1(got: str, expected: str) -> tuple[float, float, float]:
    """Bag-of-words precision, recall and F1 over lower-cased word tokens."""
    a = Counter(t.lower() for t in _TOKEN.findall(got))
    b = Counter(t.lower() for t in _TOKEN.findall(expected))
    common = sum((a & b).values())
    if not common:
        return 0.0, 0.0, 0.0
    p, r = common / sum(a.values()), common / sum(b.values())
    return p, r, 2 * p * r / (p + r)


def _value(raw: str) -> object:
    return {"true": True, "false": False, "none": None}.get(raw.lower(), raw)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    for item in args.set:
        key, _, raw = item.partition("=")
        if key not in html_module.EXTRACT_OPTIONS:
            parser.error(f"unknown option {key!r}; known: {', '.join(html_module.EXTRACT_OPTIONS)}")
        html_module.EXTRACT_OPTIONS[key] = _value(raw)
    index_path = args.shared / "corpus" / "html" / "index.json"
    if not index_path.is_file():
        print(f"no corpus at {index_path}", file=sys.stderr)
        return 2
    pages = [p for p in json.loads(index_path.read_text("utf-8")) if p.get("expected_text")]
    print("options:", json.dumps(html_module.EXTRACT_OPTIONS, sort_keys=True))
    scores: list[float] = []
    started = time.perf_counter()
    for page in pages:
        data = (index_path.parent / page["file"]).read_bytes()
        try:
            article = html_module.article_from_html(data, source=page["file"])
            body, note = article.body, f"title={article.title[:40]!r}"
        except BriefbotError as exc:
            body, note = "", f"ERROR {exc.message}"
        p, r, f1 = token_f1(body, page["expected_text"])
        scores.append(f1)
        print(f"{f1:6.3f}  P={p:.3f} R={r:.3f}  {page['file']:<48} {note}")
    elapsed = time.perf_counter() - started
    mean = sum(scores) / len(scores)
    print(
        f"mean token F1 {mean:.4f} over {len(scores)} pages ({elapsed:.1f} s, {elapsed / len(scores) * 1000:.0f} ms/page)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
