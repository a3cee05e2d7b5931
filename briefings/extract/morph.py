"""A cheap stand-in for spaCy's attribute ruler and lemmatizer: coarse POS from the tagger's tags, and
lemmas for the words the extractor looks up (cue verbs, source nouns).

The two rule components cost about a third of the small pipeline's time; the extractor only needs
coarse parts of speech and the lemmas of its lexicon, so one dictionary look-up per token does.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from briefings.extract.lexicon import AS_VERBS, DOCUMENT_NOUNS, GROUP_NOUNS, ROLE_NOUNS, SAY_VERBS, VERBS

COMPONENT = "briefbot_morph"

# Penn Treebank tag -> Universal POS (the mapping of spaCy's English attribute ruler, without its
# exceptions, none of which the extractor reads).
TAG_POS = {
    "NN": "NOUN", "NNS": "NOUN", "NNP": "PROPN", "NNPS": "PROPN",
    "VB": "VERB", "VBD": "VERB", "VBG": "VERB", "VBN": "VERB", "VBP": "VERB", "VBZ": "VERB", "MD": "AUX",
    "JJ": "ADJ", "JJR": "ADJ", "JJS": "ADJ", "AFX": "ADJ",
    "RB": "ADV", "RBR": "ADV", "RBS": "ADV", "WRB": "ADV",
    "PRP": "PRON", "PRP$": "PRON", "WP": "PRON", "WP$": "PRON", "EX": "PRON", "WDT": "PRON",
    "DT": "DET", "PDT": "DET", "IN": "ADP", "RP": "ADP", "CC": "CCONJ", "CD": "NUM",
    "TO": "PART", "POS": "PART", "UH": "INTJ", "SYM": "SYM", "$": "SYM",
    ",": "PUNCT", ".": "PUNCT", ":": "PUNCT", "``": "PUNCT", "''": "PUNCT", "-LRB-": "PUNCT",
    "-RRB-": "PUNCT", "HYPH": "PUNCT", "NFP": "PUNCT", "_SP": "SPACE", "FW": "X", "LS": "X", "XX": "X",
    "ADD": "X",
}  # fmt: skip
_AUX_WORDS = frozenset(
    "be is are was were been being am 's 're 'm ’s ’re ’m have has had having do does did".split()
)

_IRREGULAR = {
    "said": "say", "told": "tell", "wrote": "write", "written": "write", "found": "find", "shown": "show",
    "made": "make", "thought": "think", "felt": "feel", "meant": "mean", "gave": "give", "given": "give",
    "paid": "pay", "took": "take", "taken": "take", "came": "come", "went": "go", "gone": "go", "saw": "see", "seen": "see",
    "knew": "know", "known": "know", "held": "hold", "spoke": "speak", "spoken": "speak", "got": "get",
    "is": "be", "are": "be", "was": "be", "were": "be", "been": "be", "am": "be", "being": "be",
    "'s": "be", "’s": "be", "'re": "be", "’re": "be", "'m": "be", "’m": "be",
    "has": "have", "had": "have", "having": "have", "does": "do", "did": "do", "done": "do",
    "men": "man", "women": "woman", "people": "people", "children": "child", "analyses": "analysis",
    "labelled": "label", "labelling": "label",
    "data": "data", "police": "police", "media": "media", "news": "news", "ca": "can", "wo": "will",
}  # fmt: skip


def inflections(verb: str) -> list[str]:
    """Regular inflected forms of an English verb: says/said-like forms come from _IRREGULAR."""
    forms = [verb]
    if verb.endswith("e"):
        forms += [verb + "s", verb + "d", verb[:-1] + "ing"]
    elif verb.endswith("y") and verb[-2:-1] not in "aeiou":
        forms += [verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing"]
    elif verb.endswith(("s", "sh", "ch", "x", "z")):
        forms += [verb + "es", verb + "ed", verb + "ing"]
    else:
        forms += [verb + "s", verb + "ed", verb + "ing"]
        # doubled final consonant: admitted, committed, referred, vetted
        if len(verb) >= 3 and verb[-1] in "bdgmnprt" and verb[-2] in "aeiou" and verb[-3] not in "aeiou":
            forms += [verb + verb[-1] + "ed", verb + verb[-1] + "ing"]
    return forms


_NOUN_FORMS = frozenset("list lists listing listings rate rates rating ratings".split())


def cue_forms() -> set[str]:
    """Every written form of the cue lexicon ("said", "denies", "according"), for a quick text filter."""
    forms = {"according", "quoting", "words"}
    for verb in SAY_VERBS | AS_VERBS:
        for part in verb.split()[:1]:
            forms.update(inflections(part))
    # nouns far more often than cues ("interest rates", "the list"): not worth parsing a paragraph for
    forms -= _NOUN_FORMS
    forms.update(("labelled", "labelling"))
    forms.update(k for k, v in _IRREGULAR.items() if v in SAY_VERBS or v == "make")
    return forms


def _build_lemmas() -> dict[str, str]:
    table: dict[str, str] = {}
    for verb in sorted(v.lemma for v in VERBS):  # every verb of the lexicon, whatever its frames
        for form in inflections(verb):
            table.setdefault(form, verb)
    for noun in DOCUMENT_NOUNS | GROUP_NOUNS | ROLE_NOUNS:
        table.setdefault(noun, noun)
    table.update(_IRREGULAR)
    return table


_LEMMAS = _build_lemmas()


def _noun_lemma(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes")) and len(word) > 4:
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def lemma_of(lower: str, tag: str) -> str:
    """The lemma of a lower-cased word with Penn tag ``tag`` (exact for the lexicon, plain otherwise)."""
    found = _LEMMAS.get(lower)
    if found is not None:
        return found
    if tag in ("NNS", "NNPS"):
        return _noun_lemma(lower)
    return lower


@Language.component(COMPONENT)
def briefbot_morph(doc: Doc) -> Doc:
    """Coarse POS and lexicon lemmas from the tagger's tags (replaces attribute_ruler + lemmatizer)."""
    for tok in doc:
        tag = tok.tag_
        lower = tok.lower_
        pos = TAG_POS.get(tag, "X")
        if pos == "VERB" and lower in _AUX_WORDS and tok.dep_ in ("aux", "auxpass"):
            pos = "AUX"
        tok.pos_ = pos
        tok.lemma_ = lemma_of(lower, tag)
    return doc
