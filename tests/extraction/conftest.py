"""Helpers for the extraction tests: run the extractor on a short text with the session pipeline."""

from __future__ import annotations

import pytest

from briefings.extract.extractor import extract
from briefings.ingest.text import article_from_text
from briefings.models import Extraction


@pytest.fixture(scope="session")
def run(nlp):
    """text (body only, a headline is added) -> Extraction."""

    def _run(body: str) -> Extraction:
        return extract(article_from_text("Headline\n\n" + body, "test"), nlp)

    return _run
