"""Extract: an ``Article`` -> who said what (``Extraction``): quotes, reported speech, speakers, speech acts
(rules and the act model), on a spaCy pipeline loaded by ``nlp``."""
