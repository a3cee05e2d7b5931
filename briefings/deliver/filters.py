"""Subscription filters: which of a feed's articles a channel wants.

One syntax everywhere (the ``/brief subscribe`` words, Discord's options, ``/brief filter``):

    only offer,denial          articles with at least one of these acts (offer, demand, denial, accusation)
    include <term>             articles whose headline or text matches one of the include terms
    exclude <term>             ... and none of the exclude terms
    speaker <name>             articles in which one of these speakers is quoted ("Kuleba", "Dmytro Kuleba")

A term is a word, a "quoted phrase" (both matched as whole words, case-insensitive) or a /regular
expression/ (``/…/i`` ignores case). Each kind may be given several times; kinds combine with AND,
the values of one kind with OR. Patterns are at most ``MAX_PATTERN`` characters; nested repeats such as
``(a+)+`` and back-references are refused (they can take exponential time), and every regex search
runs with a time limit (``regex`` module), an expired search counting as no match.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from re import _parser  # type: ignore[attr-defined]  # the stdlib's parse tree of a pattern
from typing import Any

import regex

from briefings.errors import InputError
from briefings.models import Briefing, Bullet, Speaker

log = logging.getLogger(__name__)

ACTS = ("offer", "demand", "denial", "accusation")
_ACT_WORDS = {
    **{a: a for a in ACTS},
    **{a + "s": a for a in ACTS},
    "offers": "offer",
    "denials": "denial",
    "accusations": "accusation",
    "demands": "demand",
}
KINDS = ("only", "include", "exclude", "speaker")
MAX_PATTERN = 100  # characters of one term or regex
MAX_TERMS = 10  # values of one kind
MAX_TEXT = 100_000  # characters of an article searched
SEARCH_TIMEOUT = 0.05  # seconds one regex search may take
_QUOTES = "\"“”„«»'‘’"
_TOKEN = re.compile(r"\"[^\"]*\"|“[^”]*”|„[^“”]*[“”]|«[^»]*»|/(?:\\.|[^/\\])*/[a-z]*|\S+")
_REGEX_TERM = re.compile(r"^/((?:\\.|[^/\\])*)/([a-z]*)$", re.S)


@dataclass
class Term:
    """One include/exclude term as written (``ceasefire``, ``"peace talks"``, ``/sport/i``)."""

    written: str
    pattern: Any = field(repr=False, compare=False, default=None)  # compiled ``regex`` pattern

    def search(self, text: str) -> bool:
        try:
            return self.pattern.search(text[:MAX_TEXT], timeout=SEARCH_TIMEOUT) is not None
        except TimeoutError:
            log.warning("filter %s took too long on an article; counted as no match", self.written)
            return False


@dataclass
class Filters:
    """A subscription's filters; empty: every article."""

    acts: list[str] = field(default_factory=list)
    include: list[Term] = field(default_factory=list)
    exclude: list[Term] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.acts or self.include or self.exclude or self.speakers)

    # ------------------------------------------------------------ storage

    def to_json(self) -> str | None:
        if not self:
            return None
        return json.dumps(
            {
                "only": self.acts,
                "include": [t.written for t in self.include],
                "exclude": [t.written for t in self.exclude],
                "speaker": self.speakers,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, data: str | None) -> Filters:
        if not data:
            return cls()
        raw = json.loads(data)
        out = cls()
        for kind in KINDS:
            for value in raw.get(kind, []):
                out.add(kind, value)
        return out

    # ------------------------------------------------------------ building (validated)

    def add(self, kind: str, value: str) -> None:
        """Add one ``kind value`` (InputError with one line on anything invalid)."""
        value = value.strip()
        if not value:
            raise InputError(f"{kind} needs a value")
        if kind == "only":
            for word in filter(None, (w.strip().lower() for w in value.split(","))):
                act = _ACT_WORDS.get(word)
                if act is None:
                    raise InputError(f"only takes acts: {', '.join(ACTS)}; not {word[:40]!r}")
                if act not in self.acts:
                    self.acts.append(act)
            return
        if kind not in ("include", "exclude", "speaker"):
            raise InputError(f"unknown filter {kind!r}; use only, include, exclude or speaker")
        count = len(self.speakers if kind == "speaker" else getattr(self, kind))
        if count >= MAX_TERMS:
            raise InputError(f"at most {MAX_TERMS} {kind} values per subscription")
        if kind == "speaker":
            name = _unquote(value)
            if len(name) > MAX_PATTERN or not re.search(r"\w", name):
                raise InputError(f"speaker needs a name of at most {MAX_PATTERN} characters")
            self.speakers.append(name)
            return
        (self.include if kind == "include" else self.exclude).append(compile_term(value))

    # ------------------------------------------------------------ matching

    def matches(self, briefing: Briefing, text: str) -> bool:
        """Does the article (its briefing and text) pass these filters?"""
        if self.acts and not any(briefing.counts.get(a, 0) for a in self.acts):
            return False
        if self.speakers:
            names = [s.name for s in briefing.speakers] + [b.speaker for b in briefing.bullets]
            if not any(_names_match(want, have) for want in self.speakers for have in names):
                return False
        haystack = f"{briefing.headline}\n{text}"
        if self.include and not any(t.search(haystack) for t in self.include):
            return False
        return not any(t.search(haystack) for t in self.exclude)

    def describe(self) -> str:
        """``only offer, denial; include "ceasefire"; exclude /sport/i; speaker Kuleba`` ("" if none)."""
        parts = []
        if self.acts:
            parts.append("only " + ",".join(self.acts))
        parts += [f"include {t.written}" for t in self.include]
        parts += [f"exclude {t.written}" for t in self.exclude]
        parts += [f"speaker {_quote(s)}" for s in self.speakers]
        return "; ".join(parts)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] in _QUOTES and value[-1] in _QUOTES:
        return value[1:-1].strip()
    return value


def _quote(value: str) -> str:
    return f'"{value}"' if " " in value else value


def _names_match(want: str, have: str) -> bool:
    """``Kuleba`` matches ``Dmytro Kuleba``: every word of ``want`` is a word of ``have`` (any case)."""
    words = set(re.findall(r"\w+", have.lower()))
    wanted = re.findall(r"\w+", want.lower())
    return bool(wanted) and all(w in words for w in wanted)


def compile_term(value: str) -> Term:
    """A term as written -> Term; InputError (one line) for a bad or dangerous regex."""
    value = value.strip()
    m = _REGEX_TERM.match(value)
    if m is None:
        phrase = _unquote(value)
        if not phrase or len(phrase) > MAX_PATTERN:
            raise InputError(f"a filter word or phrase has 1 to {MAX_PATTERN} characters")
        words = r"\s+".join(regex.escape(w) for w in phrase.split())
        written = f'"{phrase}"' if " " in phrase or value[0] in _QUOTES else phrase
        return Term(written, regex.compile(rf"(?<!\w){words}(?!\w)", regex.IGNORECASE | regex.V0))
    body, flags = m.group(1), m.group(2)
    if len(body) > MAX_PATTERN:
        raise InputError(f"a filter pattern may have at most {MAX_PATTERN} characters, this has {len(body)}")
    if not body:
        raise InputError("an empty /pattern/ matches everything; leave it out")
    bad = set(flags) - {"i"}
    if bad:
        raise InputError(f"/…/{flags}: the only flag is i (ignore case)")
    try:
        re.compile(body)
    except re.error as exc:
        raise InputError(f"/{body[:60]}/ is not a valid regular expression: {exc}") from None
    danger = _dangerous(body)
    if danger:
        raise InputError(f"/{body[:60]}/ is refused: {danger}")
    compiled = regex.compile(body, (regex.IGNORECASE if "i" in flags else 0) | regex.V0)
    return Term(f"/{body}/{flags}", compiled)


def _dangerous(pattern: str) -> str | None:
    """Why a pattern could take exponential time, or None: a repeat inside a repeat (``(a+)+``,
    ``(\\w*\\s?)*``) or a back-reference. Read from the parse tree of Python's own ``re`` parser."""

    def walk(items: Iterable[Any], inside_repeat: bool) -> str | None:
        for op, arg in items:
            name = str(op)
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                lo, hi, sub = arg
                unbounded = hi == _parser.MAXREPEAT or hi > 100
                if inside_repeat and unbounded:
                    return "it repeats a repeat (like (a+)+), which can take exponential time"
                found = walk(sub, inside_repeat or unbounded or hi > 1)
                if found:
                    return found
            elif name in ("GROUPREF", "GROUPREF_EXISTS"):
                return "back-references are not allowed"
            elif name == "SUBPATTERN":
                found = walk(arg[-1], inside_repeat)
                if found:
                    return found
            elif name == "BRANCH":
                for branch in arg[1]:
                    found = walk(branch, inside_repeat)
                    if found:
                        return found
            elif name in ("ASSERT", "ASSERT_NOT"):
                found = walk(arg[1], inside_repeat)
                if found:
                    return found
        return None

    return walk(_parser.parse(pattern), False)


def parse_filter_words(words: list[str]) -> Filters:
    """``only offer,denial include "cease fire" exclude /sport/i`` (tokens) -> Filters."""
    out = Filters()
    i = 0
    while i < len(words):
        kind = words[i].lower()
        if kind not in KINDS:
            raise InputError(
                f"I don't understand {words[i][:60]!r}; filters are only, include, exclude, speaker"
            )
        if i + 1 >= len(words):
            raise InputError(f"{kind} needs a value")
        out.add(kind, words[i + 1])
        i += 2
    return out


def tokens(text: str) -> list[str]:
    """Split a command line: "quoted phrases" and /regexes with spaces/ stay one token."""
    return _TOKEN.findall(text)


_CACHE: dict[str, Filters] = {}


def wanted(filters_json: str | None, briefing_json: str, text: str) -> bool:
    """Does a subscription (its stored filters) want this briefed article? (No filters: yes.)"""
    if not filters_json:
        return True
    parsed = _CACHE.get(filters_json)
    if parsed is None:
        parsed = _CACHE[filters_json] = Filters.from_json(filters_json)
        if len(_CACHE) > 1000:
            _CACHE.clear()
    return parsed.matches(_briefing(briefing_json), text)


def _briefing(data: str) -> Briefing:
    raw: dict[str, Any] = json.loads(data)
    raw["speakers"] = [Speaker(**s) for s in raw.get("speakers", [])]
    raw["bullets"] = [Bullet(**b) for b in raw.get("bullets", [])]
    return Briefing(**raw)
