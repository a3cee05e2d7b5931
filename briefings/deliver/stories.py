"""The same story from several feeds: near-duplicate detection over word shingles, so a digest shows a
story once and names the other feeds and sites that "also reported" it.

Similarity is the Jaccard index of the two texts' sets of word 3-shingles (lower-cased words, three in a
row), computed exactly. MinHash (e.g. ``datasketch``) only *estimates* this index and pays off when
millions of documents must be searched through LSH; a digest compares the few dozen articles one
channel has pending (at most ``BRIEFBOT_FEED_MAX_NEW`` per feed per poll), where the exact pairwise
index costs about 20 ms for 20 articles and 100 ms for 50 (``benchmarks/dedupe_threshold.py``; run off
the event loop) and needs neither numpy nor scipy (datasketch's dependencies) at run time.
The threshold was measured on the corpus by that benchmark: at 0.10 no pair of the 52,650 pairs of
different corpus articles counts as one story (the largest score is 0.083, two templated market
reports; the same-title OneStopEnglish pairs score 0.003 and 0.0), while syndicated copies (1.000),
OneStopEnglish's intermediate (0.989) and elementary (0.984) rewrites and summary-only versions (0.760)
are found: precision 1.000, recall 0.918.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

SHINGLE = 3
SAME_STORY = 0.10  # Jaccard of 3-shingles at or above which two texts are one story (measured)
MIN_SHINGLES = 20  # a shorter text (a headline, an empty page) is too little to call a story the same
_WORD = re.compile(r"\w+")


def shingles(text: str, k: int = SHINGLE) -> frozenset[int]:
    """The text's word k-shingles, hashed (lower-case words; punctuation and spacing do not count)."""
    words = _WORD.findall(text.lower())
    if len(words) < k:
        return frozenset([hash(tuple(words))]) if words else frozenset()
    return frozenset(hash(tuple(words[i : i + k])) for i in range(len(words) - k + 1))


def similarity(a: frozenset[int], b: frozenset[int]) -> float:
    """Jaccard index of two shingle sets (0 when either has fewer than ``MIN_SHINGLES``)."""
    if len(a) < MIN_SHINGLES or len(b) < MIN_SHINGLES:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def cluster(
    texts: Sequence[str], threshold: float = SAME_STORY, sources: Sequence[object] | None = None
) -> list[list[int]]:
    """Group the texts that tell the same story: single-link clusters of pairs at or above
    ``threshold``. With ``sources`` (e.g. each text's feed), two texts of one source are never one
    story (a feed's near-identical items, such as templated reports, are separate stories), so a
    cluster holds at most one text per source. Returns lists of indices, each in input order, clusters
    ordered by their first index (a newest-first input keeps the newest version of each story first)."""
    sets = [shingles(t) for t in texts]
    parent = list(range(len(texts)))
    members: dict[int, set[object]] = {
        i: ({sources[i]} if sources is not None else set()) for i in range(len(texts))
    }

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            a, b = root(i), root(j)
            if a == b or members[a] & members[b]:
                continue
            if similarity(sets[i], sets[j]) >= threshold:
                keep, gone = min(a, b), max(a, b)
                parent[gone] = keep
                members[keep] |= members.pop(gone)
    groups: dict[int, list[int]] = {}
    for i in range(len(texts)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])
