"""The spaCy pipeline: loaded once, lazily, from an installed package; never downloaded at run time."""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING

from briefings.errors import ConfigError
from briefings.extract.morph import COMPONENT  # importing it registers the component with spaCy
from briefings.settings import DEFAULT_MODEL

if TYPE_CHECKING:
    from spacy.language import Language

# Components the extractor reads: POS tags, the dependency parse (sentences come
# from it) and named entities (speakers). Coarse POS and the lemmas of the cue lexicon
# come from ``morph.briefbot_morph``, a dictionary look-up that replaces the attribute
# ruler and the lemmatizer (a third of the small pipeline's time).
NEEDED = ("tok2vec", "tagger", "parser", "ner", "transformer")

_lock = threading.Lock()
_loaded: dict[str, Language] = {}


def load(model: str = DEFAULT_MODEL) -> Language:
    """Return the named installed English pipeline, loading it on first use only."""
    with _lock:
        nlp = _loaded.get(model)
        if nlp is not None:
            return nlp
        try:
            module = importlib.import_module(model)
        except ModuleNotFoundError:
            raise ConfigError(
                f"BRIEFBOT_MODEL={model!r} is not installed; install it with pip "
                f"(the default, {DEFAULT_MODEL}, comes with briefbot)"
            ) from None
        nlp = module.load(exclude=["senter"])
        unused = [name for name in nlp.pipe_names if name not in NEEDED]
        for name in unused:
            nlp.disable_pipe(name)
        nlp.add_pipe(COMPONENT, last=True)
        if nlp.lang != "en":
            raise ConfigError(f"BRIEFBOT_MODEL={model!r} is a {nlp.lang!r} pipeline; briefbot needs English")
        nlp.max_length = max(nlp.max_length, 2_100_000)
        _loaded[model] = nlp
        return nlp
