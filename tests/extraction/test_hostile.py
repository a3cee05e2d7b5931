"""Hostile input: unbalanced quotes, empty bodies, garbage, a 1 MB article; batches stay lazy and in order."""

from __future__ import annotations

from briefings.extract.extractor import extract, extract_docs
from briefings.models import Article


def test_unbalanced_quote_does_not_break_the_rest(run) -> None:
    ex = run(
        'He said "this never closes.\n\n“We are ready,” Anna Berg said. Peter Moss said the plan was dead.'
    )
    contents = [s.content for s in ex.statements]
    assert "We are ready," in contents
    assert "the plan was dead" in contents


def test_empty_and_headline_only(nlp) -> None:
    for text in ("", "Just a headline", "Headline\n\n   \n"):
        ex = extract(Article(text=text, source="x", body_start=len(text.split("\n", 1)[0])), nlp)
        assert ex.statements == []


def test_garbage_and_foreign_text_do_not_crash(nlp) -> None:
    texts = [
        "H\n" + "»«„“”‘’\"' " * 500,
        "H\n" + "asdf qwer " * 300 + "“" * 50,
        "H\nDer Minister sagte: „Wir sind bereit.“ Er fügte hinzu, dass nichts passiert.",
        "H\n\x00\x01 \ud7ff \u202e reversed \u200b",
    ]
    articles = [Article(text=t, source=str(i), body_start=2) for i, t in enumerate(texts)]
    out = list(extract_docs(articles, nlp))
    assert [x.article.source for x in out] == ["0", "1", "2", "3"]
    for x in out:
        for s in x.statements:
            assert x.article.text[s.start : s.end] == s.content


def test_many_paragraphs(nlp) -> None:
    para = "“We will rebuild the bridge,” Anna Berg said on Monday. Peter Moss said the plan was dead.\n\n"
    n = 50_000 // len(para) + 1
    ex = extract(Article(text="Headline\n" + para * n, source="long", body_start=9), nlp)
    assert len(ex.statements) == 2 * n
    assert {s.speaker for s in ex.statements} == {"Anna Berg", "Peter Moss"}


def test_one_megabyte_article(nlp) -> None:
    # Long tokens keep the parse short while the text passes 1 MB: chunking, offsets and the
    # names-only path for paragraphs without cues are what is tested here, not the parser's speed.
    speech = "“We will rebuild the bridge,” Anna Berg said. Reference " + "x" * 2000 + ".\n\n"
    narration = "Archive " + "y" * 3000 + " follows.\n\n"
    unit = speech + narration
    text = "Headline\n" + unit * (1_000_000 // len(unit) + 1)
    assert len(text) > 1_000_000
    ex = extract(Article(text=text, source="big", body_start=9), nlp)
    assert len(ex.statements) == 1_000_000 // len(unit) + 1
    for s in ex.statements[::25]:
        assert text[s.start : s.end] == s.content == "We will rebuild the bridge,"


def test_one_paragraph_megabyte_is_parsed_in_chunks(nlp) -> None:
    sentence = "Peter Moss said the plan was dead. Code " + "z" * 3000 + ". "
    text = "Headline\n" + sentence * (1_000_000 // len(sentence) + 1)
    assert "\n" not in text[9:] and len(text) > 1_000_000
    ex = extract(Article(text=text, source="wall", body_start=9), nlp)
    assert len(ex.statements) == 1_000_000 // len(sentence) + 1
    assert all(s.content == "the plan was dead" for s in ex.statements)


def test_batch_is_lazy_and_in_order(nlp) -> None:
    read: list[str] = []

    def articles():
        for name in ("a", "b", "c"):
            read.append(name)
            yield Article(text=f"H\n{name.upper()} Berg said the plan was dead.", source=name, body_start=2)

    gen = extract_docs(articles(), nlp)
    assert read == []  # nothing is read before the first result is asked for
    first = next(gen)
    assert first.article.source == "a"
    assert [x.article.source for x in gen] == ["b", "c"]


def test_a_failing_article_does_not_stop_the_batch(nlp) -> None:
    bad = Article(text=b"H\nnot text but bytes", source="bad", body_start=2)  # type: ignore[arg-type]
    arts = [
        Article(text=f"H\nAnna Berg said the plan {n} was dead.", source=n, body_start=2) for n in ("x", "y")
    ]
    out = list(extract_docs([arts[0], bad, arts[1]], nlp))
    assert [x.article.source for x in out] == ["x", "bad", "y"]
    assert out[1].statements == [] and len(out[0].statements) == 1 and len(out[2].statements) == 1


def test_no_mentions_or_markup_are_invented(run) -> None:
    ex = run("“<!channel> @everyone look,” Anna Berg said.")
    (s,) = ex.statements
    assert s.content == "<!channel> @everyone look,"  # kept verbatim: escaping is the renderer's job


def test_repeated_paragraphs_reuse_the_parse_with_their_own_offsets(nlp) -> None:
    # a paragraph repeated word for word is parsed once; each copy still yields its own statements
    para = "“We will rebuild the bridge,” Anna Berg said. She said the plan was ready.\n\n"
    other = "Peter Moss said the talks had failed.\n\n"
    text = "Headline\n" + para + other + para + para
    ex = extract(Article(text=text, source="repeats", body_start=9), nlp)
    assert [s.content for s in ex.statements] == [
        "We will rebuild the bridge,",
        "the plan was ready",
        "the talks had failed",
        "We will rebuild the bridge,",
        "the plan was ready",
        "We will rebuild the bridge,",
        "the plan was ready",
    ]
    assert all(text[s.start : s.end] == s.content for s in ex.statements)
    assert [s.speaker for s in ex.statements].count("Anna Berg") == 6
