"""Every dev-set article, briefed by the real pipeline, renders within limits and safely in every format."""

from __future__ import annotations

import re

import pytest
from render_checks import FORMATS, check_discord, check_safe, check_slack

from briefings.deliver.platforms import render, render_digest
from briefings.present.compose import compose, digest_of

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def corpus_briefings(shared_dir):
    pytest.importorskip("briefings.extract.extractor", reason="the extractor is not built yet")

    from briefings.ingest.source import load_path
    from briefings.pipeline import extract_articles

    paths = sorted((shared_dir / "eval" / "dev").glob("*.txt"))
    extractions = list(extract_articles(load_path(p) for p in paths))
    assert len(extractions) == len(paths)
    return [(ex, compose(ex)) for ex in extractions]


def test_bullets_are_cut_never_reworded(corpus_briefings):
    for ex, b in corpus_briefings:
        assert len(b.bullets) <= 10
        for x in b.bullets:
            source = re.sub(r"\s+", " ", ex.article.text[x.start : x.end]).strip()
            assert len(x.text) <= 200
            shown = x.text[:-1] if x.trimmed else x.text
            assert source.startswith(shown), (ex.article.source, x.text, source)


@pytest.mark.parametrize("fmt", FORMATS)
def test_corpus_renders_within_limits(corpus_briefings, fmt):
    for _, b in corpus_briefings:
        out = render(b, fmt)
        if fmt == "slack":
            check_slack(out)
        elif fmt == "discord":
            check_discord(out)
        check_safe(out, fmt)
    digest = digest_of([(b, None) for _, b in corpus_briefings], title="Dev set digest", cap=5)
    for m in render_digest(digest, fmt):
        if fmt == "slack":
            check_slack(m)
        elif fmt == "discord":
            check_discord(m)
        check_safe(m, fmt)
