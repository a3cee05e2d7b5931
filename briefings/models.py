"""Plain data passed between the stages: Article -> Extraction -> Briefing.

Nothing here knows about spaCy, HTTP, SQL, Slack or Discord. Every record is a
frozen-ish dataclass that can be turned into JSON with ``to_dict``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Kind = Literal["direct", "indirect", "mixed"]
Act = Literal["offer", "demand", "denial", "accusation", "statement"]
EntityType = Literal["person", "organization", "country", "group", "document", "anonymous"]

ACTS: tuple[Act, ...] = ("offer", "demand", "denial", "accusation", "statement")
KINDS: tuple[Kind, ...] = ("direct", "indirect", "mixed")
ENTITY_TYPES: tuple[EntityType, ...] = ("person", "organization", "country", "group", "document", "anonymous")


@dataclass
class Article:
    """One article as the extractor reads it.

    ``text`` is the whole text exactly as read (for a ``.txt`` file: the file,
    headline line included, no newline translation). All character offsets in
    later stages index into ``text``. ``body_start`` is where the body begins
    (after the headline line), so the headline is never mined for statements.
    """

    text: str
    title: str = ""
    source: str = ""  # the path or URL as the user gave it
    body_start: int = 0
    url: str | None = None
    published: str | None = None  # ISO 8601 date or datetime, when known
    author: str | None = None
    site_name: str | None = None
    guid: str | None = None  # feed entry id, when the article came from a feed
    summary: str | None = None  # feed summary, when the article came from a feed
    note: str | None = None  # what a reader should know about where the text came from (shown with it)

    @property
    def body(self) -> str:
        return self.text[self.body_start :]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Entity:
    """A source that speaks in the article, with one canonical name."""

    id: str
    name: str  # the fullest name the article gives
    type: EntityType = "person"
    role: str | None = None  # "Ukraine's Foreign Minister", when the article gives one
    aliases: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Statement:
    """Content that the article attributes to a source, with exact offsets into ``Article.text``."""

    speaker: str  # canonical name of the entity (Entity.name), "" when unresolved
    start: int
    end: int
    kind: Kind
    act: Act
    cue: str  # the cue words as written ("said", "has strenuously denied", "according to")
    content: str  # == article.text[start:end]
    speaker_id: str | None = None  # Entity.id
    speaker_mention: str | None = None  # how the sentence names the speaker ("he", "the minister")
    cue_start: int | None = None  # offset of the cue, when known
    confidence: float = 1.0  # probability of ``act`` (the act model's), 1.0 when the rules alone decide
    rule_act: Act | None = None  # the rules' verdict, kept as the explanation
    cue_lemma: str | None = None  # the cue's lemma ("say", "deny"), what the act decision read
    cue_flags: tuple[
        str, ...
    ] = ()  # "addressee_to" ("urged X to ..."), "imperative" (quote opens with a verb), "phrase"
    # (the content is a name, title or bare noun phrase: never shown as a bullet)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Dateline:
    place: str | None = None  # "TEHRAN"
    agency: str | None = None  # "Reuters"
    date: str | None = None  # as written, when the dateline carries one
    start: int = 0
    end: int = 0


@dataclass
class Extraction:
    """Who said what in one article."""

    article: Article
    entities: list[Entity] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    dateline: Dateline | None = None

    def entity(self, entity_id: str | None) -> Entity | None:
        for e in self.entities:
            if e.id == entity_id:
                return e
        return None

    def to_contract(self) -> dict[str, Any]:
        """The JSON object of ``briefbot extract --format jsonl`` (see the eval guide)."""
        return {
            "source": self.article.source,
            "title": self.article.title,
            "entities": [e.to_dict() for e in self.entities],
            "statements": [
                {
                    "speaker": s.speaker,
                    "start": s.start,
                    "end": s.end,
                    "kind": s.kind,
                    "act": s.act,
                    "cue": s.cue,
                    "content": s.content,
                }
                for s in self.statements
            ],
        }


@dataclass
class Speaker:
    """A source as the briefing shows it."""

    name: str
    role: str | None = None
    type: EntityType = "person"
    statements: int = 0


@dataclass
class Bullet:
    """One line of a briefing: a statement, possibly trimmed, never reworded."""

    speaker: str
    act: Act
    kind: Kind
    text: str  # the content as shown (trimmed with "…" when long)
    cue: str
    start: int  # source span in Article.text of the full statement
    end: int
    speaker_role: str | None = None
    trimmed: bool = False
    tracked: bool = False  # in a digest: by a speaker the channel tracks (statement memory, issue 14)


@dataclass
class Briefing:
    """A short briefing of one article: plain data, rendered by templates."""

    headline: str
    source: str
    url: str | None = None
    dateline: str | None = None  # "TEHRAN", "WASHINGTON (Reuters)"
    place: str | None = None
    date: str | None = None
    site_name: str | None = None
    speakers: list[Speaker] = field(default_factory=list)
    bullets: list[Bullet] = field(default_factory=list)
    total_statements: int = 0
    omitted: int = 0  # statements found but not shown
    counts: dict[str, int] = field(default_factory=dict)  # act -> number of statements
    note: str | None = None  # e.g. "feed summary: the article page could not be fetched"
    # Every attributed statement in full (not only the bullets), for the statement memory (who, track).
    record: list[StatementRecord] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DigestItem:
    """An article of a digest: its briefing, or only a headline and link when it did not fit."""

    headline: str
    url: str | None = None
    briefing: Briefing | None = None
    also: list[str] = field(default_factory=list)  # other feeds/sites that carried the same story


@dataclass
class Digest:
    """A channel digest / morning briefing: the new articles' briefings, ranked and capped."""

    title: str  # "Morning briefing, Friday 27 November"
    items: list[DigestItem] = field(default_factory=list)  # shown with their briefings, best first
    more: list[DigestItem] = field(default_factory=list)  # "and N more", headline + link only
    unlisted: int = 0  # further articles beyond ``more``, only counted (BRIEFBOT_DIGEST_MAX_LISTED)
    generated_at: str | None = None  # ISO 8601, from the injected clock
    timezone: str | None = None  # IANA zone the channel reads dates in ("Europe/Berlin"); None: as given

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class StatementRecord:
    """One statement of a briefed article as the statement memory keeps it: whole, with its speaker."""

    speaker: str  # the speaker's canonical name in the article
    act: str  # one of ACTS
    kind: str  # one of KINDS
    content: str
    cue: str
    confidence: float = 1.0
    start: int = 0  # offset in the article text (with the article, identifies the statement)
    role: str | None = None
    speaker_type: str = "person"  # one of EntityType
    aliases: list[str] = field(default_factory=list)


@dataclass
class Recalled:
    """A remembered statement, as ``/brief who`` and tracking messages show it."""

    speaker: str
    act: str
    content: str
    cue: str = ""
    role: str | None = None
    article_title: str = ""
    article_url: str | None = None  # the article's URL, or the file it was read from
    said_at: str | None = None  # ISO 8601: the article's date, else when it was briefed


@dataclass
class Recall:
    """An answer of the statement memory: a heading and statements, newest first (renderers group them by act)."""

    title: str  # "What Hussein Amir-Abdollahian said" (plain text: renderers escape it)
    statements: list[Recalled] = field(default_factory=list)
    total: int = 0  # statements that matched, before the cap
    counts: dict[str, int] = field(default_factory=dict)  # act -> statements that matched (shown or not)
    note: str | None = None  # a closing line ("2 people match: ...")
