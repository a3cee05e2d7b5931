"""The learned act decision: offer, demand, denial, accusation or statement, with a confidence.

The rules in ``acts.py`` read the cue and the content and give a verdict; on text they were never
tuned on that verdict is often wrong (a threat as an offer, a rebuttal as a statement). This layer
learns the decision from annotated articles (``benchmarks/gold_corpus/train``): a multinomial
logistic regression over the rule verdict, the rule signals, the cue lemma and frame, and the
content's words. The rules stay as features and as the explanation.

The model is plain data (``data/act_model.json``: per feature one weight per act), so the runtime
needs no scikit-learn: a score is the intercept plus the weights of the features present, and the
confidence is the softmax probability of the chosen act. ``benchmarks/train_acts.py`` trains it,
deterministically, from the repository.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from briefings.extract.acts import signals
from briefings.extract.lexicon import (
    COMMITMENT_PHRASES,
    REBUTTAL_PHRASES,
    REBUTTAL_WORDS,
    REQUEST_PHRASES,
    WRONGDOING_WORDS,
    content_stem,
)
from briefings.models import ACTS, Act, Kind, Statement

MODEL_RESOURCE = "act_model.json"
FEATURE_VERSION = 2

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_NEG = frozenset("not no never n't nothing none nobody neither nor".split())
_MODALS = frozenset("will would shall should must can could may might 'll".split())
_FIRST = frozenset("i we our us my me".split())


def _phrases(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alts = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(r"(?<![a-z'])(?:" + alts + ")")


_REBUTTAL = _phrases(REBUTTAL_PHRASES)
_COMMITMENT = _phrases(COMMITMENT_PHRASES)
_REQUEST = _phrases(REQUEST_PHRASES)


def tokens(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("n't", " n't")
    return _WORD.findall(text) + (["n't"] * text.count(" n't"))


@dataclass(frozen=True)
class ActInput:
    """What the decision sees of one statement."""

    lemma: str  # the cue's lemma ("say", "deny", "according to"); "" for a floating quote
    content: str
    kind: Kind
    rule_act: Act  # the rules' verdict (acts.classify)
    addressee_to: bool = False  # "urged X to ..."
    imperative: bool = False  # a quotation opening with a bare verb

    @classmethod
    def of(cls, s: Statement) -> ActInput:
        """The input of an extracted statement (what the model was trained on)."""
        return cls(
            s.cue_lemma or "",
            s.content,
            s.kind,
            s.rule_act or s.act,
            "addressee_to" in s.cue_flags,
            "imperative" in s.cue_flags,
        )


def features(x: ActInput) -> list[str]:
    """Binary features, as strings; the same function serves training and prediction."""
    toks = tokens(x.content)
    head = toks[:40]
    f = [
        f"rule={x.rule_act}",
        f"lemma={x.lemma or '-'}",
        f"kind={x.kind}",
        f"lemma_rule={x.lemma or '-'}|{x.rule_act}",
        f"kind_rule={x.kind}|{x.rule_act}",
    ]
    if x.addressee_to:
        f.append("addressee_to")
    if x.imperative:
        f.append("imperative")
    f += [f"sig={s}" for s in signals(x.content)]
    if x.content.rstrip(" \u201d\"'\u2019,.").endswith("?"):
        f.append("question")
    early = toks[:8]
    if _NEG & set(early):
        f.append("neg_early")
    if _NEG & set(head):
        f.append("neg")
    if _FIRST & set(toks[:5]):
        f.append("first_person")
    for m in _MODALS & set(head[:12]):
        f.append(f"modal={m}")
    f += [f"w={w}" for w in sorted(set(head))]
    f += [f"b={a}_{b}" for a, b in sorted(set(zip(head, head[1:], strict=False)))]
    f += [f"s{i}={w}" for i, w in enumerate(toks[:3])]
    n = len(toks)
    f.append("len=" + ("short" if n < 6 else "mid" if n < 20 else "long"))
    return f + _class_features(x, toks, head)


def _class_features(x: ActInput, toks: list[str], head: list[str]) -> list[str]:
    """Word stems and the lexicon's content classes (wrongdoing, rebuttal, commitment, request), alone
    and with the content's person and negation: what lets the model carry an act learned from one
    wording to another ("tortures its prisoners" -> "shelled the villages")."""
    stems = sorted({content_stem(w) for w in head})
    f = [f"st={s}" for s in stems]
    low = " " + x.content[:300].lower().replace("\u2019", "'")
    first = bool(_FIRST & set(toks[:6]))
    neg = bool(_NEG & set(head))
    person = "first" if first else "other"
    wrong = sum(1 for s in stems if s in WRONGDOING_WORDS)
    if wrong:
        f += ["wrong", "wrong2" if wrong >= 2 else "wrong1", f"wrong_{person}"]
        f += ["wrong_neg" if neg else "wrong_pos", f"wrong|{x.kind}"]
    rebut = bool(REBUTTAL_WORDS & set(head)) or bool(_REBUTTAL.search(low))
    if rebut:
        f += ["rebut", f"rebut_{person}"] + (["rebut_wrong"] if wrong else [])
    if _COMMITMENT.search(low):
        f += ["commit_phrase", f"commit_phrase_{person}", f"commit_phrase|{x.kind}"]
    if _REQUEST.search(low):
        f += ["request", f"request_{person}"]
    if first:
        f.append(f"first|{x.lemma or '-'}")
    if neg:
        f.append(f"neg|{x.kind}")
    return f


class ActModel:
    """A linear model over ``features``: weights per feature and act, an intercept per act."""

    def __init__(self, data: dict) -> None:
        if data.get("feature_version") != FEATURE_VERSION:
            raise ValueError(
                f"act model was trained on features v{data.get('feature_version')}, "
                f"this code makes v{FEATURE_VERSION}: retrain it (benchmarks/train_acts.py)"
            )
        self.classes: list[Act] = list(data["classes"])
        self.intercept: list[float] = list(data["intercept"])
        self.weights: dict[str, list[float]] = data["weights"]
        self.threshold: float = float(data.get("threshold", 0.0))
        self.keep: float = float(data.get("keep", 0.0))
        self.meta: dict = data.get("meta", {})
        if set(self.classes) != set(ACTS):
            raise ValueError(f"act model classes {self.classes} are not the acts {ACTS}")

    def probabilities(self, x: ActInput) -> dict[Act, float]:
        scores = list(self.intercept)
        for name in features(x):
            w = self.weights.get(name)
            if w is not None:
                for i, v in enumerate(w):
                    scores[i] += v
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}

    def decide(self, x: ActInput) -> tuple[Act, float]:
        """The act and its probability.

        The rules' act stands while the model gives it at least ``keep``; otherwise the model's most
        likely act other than a statement is taken when it reaches ``threshold`` and beats
        ``statement``; else the statement is a plain one."""
        probs = self.probabilities(x)
        if x.rule_act != "statement" and probs.get(x.rule_act, 0.0) >= self.keep:
            return x.rule_act, probs[x.rule_act]
        best = max((c for c in self.classes if c != "statement"), key=lambda c: probs[c])
        if probs[best] >= self.threshold and probs[best] >= probs["statement"]:
            return best, probs[best]
        return "statement", probs["statement"]


@lru_cache(maxsize=1)
def shipped() -> ActModel | None:
    """The model shipped in the package, loaded once; None when the package has none."""
    try:
        raw = resources.files("briefings.data").joinpath(MODEL_RESOURCE).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return None
    return ActModel(json.loads(raw))


def decide(x: ActInput, model: ActModel | None = None) -> tuple[Act, float]:
    """The act of one statement and how sure it is: the shipped model's, or the rules' alone."""
    m = model if model is not None else shipped()
    if m is None:
        return x.rule_act, 1.0
    return m.decide(x)
