"""The statement memory's repository: remember a briefed article's statements in a scope, find speakers
by name, recall what they said, full-text search (FTS5 / tsvector), tracks, retention and forgetting.

A *scope* is a Slack workspace, a Discord guild or the console: every query here takes one and never
reads another's rows. Speakers are matched across articles by normalised name: persons by surname,
and by first name too when both have one ("Amir-Abdollahian" = "Hussein Amir-Abdollahian", "John
Smith" != "Jane Smith"); organisations, countries and groups by their whole name or an alias.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, TextClause, delete, exists, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ..models import StatementRecord
from .models import MemorySpeaker, MemoryStatement, MemoryTrack

# Words before or after a name that are not part of it.
_HONORIFICS = frozenset("mr mrs ms miss mx dr prof sir dame lord lady rev".split())
_SUFFIXES = frozenset("jr sr ii iii iv".split())
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"} | {"\u2019": "'", "`": "'"})
_TOKEN = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_WORDS = re.compile(r"[^\W_]+")
MAX_ALIASES = 20


def normalise(name: str) -> str:
    """``"Mr. Hussein  Amir‑Abdollahian"`` -> ``"hussein amir-abdollahian"``: accents folded, case and
    dashes unified, honorifics and suffixes dropped."""
    folded = unicodedata.normalize("NFKD", name.translate(_DASHES))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    tokens = _TOKEN.findall(folded)
    while tokens and tokens[0] in _HONORIFICS:
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in _SUFFIXES:
        tokens = tokens[:-1]
    return " ".join(tokens)


def name_parts(key: str, person: bool) -> tuple[str, str]:
    """(first name, surname) of a normalised person name; ("", whole name) for anything else."""
    tokens = key.split()
    if not person or not tokens:
        return "", key
    return (tokens[0] if len(tokens) > 1 else ""), tokens[-1]


def scope_of(platform: str, workspace: str | None, channel: str) -> str:
    """Slack workspace, Discord guild, or the console (a channel without a workspace is its own scope)."""
    if platform == "console":
        return "console"
    if workspace:
        return f"{platform}:{workspace}"
    return f"{platform}:#{channel}"


def article_key(url: str | None, title: str) -> str:
    """Identifies one article in a scope: briefed again (chat, another feed), it is not stored twice."""
    return hashlib.sha1(f"{url or ''}\x1f{title}".encode()).hexdigest()


def fts_words(term: str) -> list[str]:
    """The words of a keyword, as the full-text index splits them (quotes and operators dropped)."""
    folded = unicodedata.normalize("NFKD", term)
    return _WORDS.findall("".join(c for c in folded if not unicodedata.combining(c)).casefold())[:16]


def parse_when(value: str | None) -> datetime | None:
    """An ISO 8601 date/datetime as an aware UTC instant; None for anything else."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _keys_field(keys: Iterable[str]) -> str:
    keys = sorted({k for k in keys if k})
    return "|" + "|".join(keys) + "|" if keys else ""


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class _Name:
    key: str
    first: str
    last: str
    person: bool

    @classmethod
    def of(cls, name: str, person: bool) -> _Name:
        key = normalise(name)
        first, last = name_parts(key, person)
        return cls(key, first, last, person)


def _same_person(a: _Name, first: str, last: str) -> bool:
    return a.last == last and (not a.first or not first or a.first == first)


def _matches(q: _Name, sp: MemorySpeaker) -> bool:
    """Does the name ``q`` denote the stored speaker? Persons: surname, and first names when both have
    one (never across different first names); anything else: the whole name or an alias."""
    if (
        q.key
        and f"|{q.key}|" in (sp.keys or "")
        and (not sp.person or not q.first or not sp.first or q.first == sp.first)
    ):
        return True
    if sp.person and q.person:
        return _same_person(q, sp.first, sp.last)
    return False


def _alias_keys(record: StatementRecord, name: _Name) -> list[str]:
    """The aliases that are names of the speaker (not descriptions such as "the Iranian foreign minister"):
    for a person, those ending in the surname ("Amir-Abdollahian"); otherwise capitalised aliases."""
    out = []
    for alias in record.aliases:
        key = normalise(alias)
        if not key:
            continue
        if name.person:
            if key.split()[-1] == name.last and (len(key.split()) == 1 or key.split()[0] == name.first):
                out.append(key)
        elif alias[:1].isupper():
            out.append(key)
    return out


async def _candidates(session: AsyncSession, scope: str, q: _Name) -> list[MemorySpeaker]:
    conditions: list[ColumnElement[bool]] = [MemorySpeaker.last == q.last]
    if q.key:
        conditions.append(MemorySpeaker.keys.like(f"%|{_like_escape(q.key)}|%", escape="\\"))
    rows = await session.execute(select(MemorySpeaker).where(MemorySpeaker.scope == scope, or_(*conditions)))
    return list(rows.scalars())


async def _speaker_for(
    session: AsyncSession, scope: str, record: StatementRecord, now: datetime
) -> MemorySpeaker:
    """The scope's speaker this statement's speaker is (created when new; name, role, aliases updated)."""
    person = record.speaker_type == "person"
    name = _Name.of(record.speaker, person)
    found = [sp for sp in await _candidates(session, scope, name) if sp.person == person]
    exact = [sp for sp in found if f"|{name.key}|" in (sp.keys or "")]
    compatible = [sp for sp in found if _matches(name, sp)]
    if name.first:
        # Same first name wins over a surname-only speaker.
        same_first = [sp for sp in compatible if sp.first == name.first]
        compatible = same_first or compatible
    speaker = exact[0] if len(exact) == 1 else compatible[0] if len(compatible) == 1 else None
    alias_keys = _alias_keys(record, name)
    if speaker is None:
        speaker = MemorySpeaker(
            scope=scope,
            name=record.speaker[:256],
            first=name.first[:128],
            last=name.last[:128],
            person=person,
            keys=_keys_field([name.key, *alias_keys]),
            role=(record.role or None) and record.role[:256],
            aliases=json.dumps(record.aliases[:MAX_ALIASES], ensure_ascii=False),
            type=record.speaker_type[:16],
            last_seen=now,
        )
        session.add(speaker)
        await session.flush()
        return speaker
    if person and name.first and not speaker.first:
        # "Amir-Abdollahian" first, "Hussein Amir-Abdollahian" later: the fuller name is the speaker's.
        speaker.first, speaker.name = name.first[:128], record.speaker[:256]
    speaker.keys = _keys_field([*(speaker.keys or "").strip("|").split("|"), name.key, *alias_keys])
    aliases = json.loads(speaker.aliases or "[]")
    for alias in record.aliases:
        if alias not in aliases and len(aliases) < MAX_ALIASES:
            aliases.append(alias)
    speaker.aliases = json.dumps(aliases, ensure_ascii=False)
    if record.role:
        speaker.role = record.role[:256]
    speaker.last_seen = max(speaker.last_seen, now)
    return speaker


async def remember(
    session: AsyncSession,
    scope: str,
    records: Sequence[StatementRecord],
    *,
    title: str,
    url: str | None,
    date: str | None,
    now: datetime,
) -> list[int]:
    """Store an article's statements in ``scope`` (in the caller's transaction), each once: the ids of
    all its statements there, the ones stored earlier included."""
    key = article_key(url, title)
    existing = dict(
        (
            await session.execute(
                select(MemoryStatement.start, MemoryStatement.id).where(
                    MemoryStatement.scope == scope, MemoryStatement.article_key == key
                )
            )
        ).all()
    )
    said_at = parse_when(date) or now
    speakers: dict[tuple[str, str], MemorySpeaker] = {}
    added: list[MemoryStatement] = []
    for record in records:
        if record.start in existing or not record.speaker.strip() or not record.content.strip():
            continue
        who = (record.speaker, record.speaker_type)
        if who not in speakers:
            speakers[who] = await _speaker_for(session, scope, record, now)
        row = MemoryStatement(
            scope=scope,
            speaker_id=speakers[who].id,
            speaker=record.speaker[:256],
            role=(record.role or None) and record.role[:256],
            act=record.act,
            kind=record.kind,
            cue=(record.cue or "")[:256],
            content=record.content,
            confidence=float(record.confidence),
            start=record.start,
            article_key=key,
            article_url=(url or None) and url[:2048],
            article_title=(title or "")[:1024],
            article_date=(date or None) and date[:64],
            said_at=said_at,
            seen_at=now,
        )
        session.add(row)
        added.append(row)
        existing[record.start] = -1
    if added:
        await session.flush()
    return sorted([i for i in existing.values() if i != -1] + [r.id for r in added])


async def find_speakers(session: AsyncSession, scope: str, name: str) -> list[MemorySpeaker]:
    """The scope's speakers ``name`` denotes (a person's surname alone may denote several)."""
    found: list[MemorySpeaker] = []
    for person in (True, False):
        q = _Name.of(name, person)
        if not q.key:
            return []
        found += [
            sp for sp in await _candidates(session, scope, q) if sp.person == person and _matches(q, sp)
        ]
    unique = {sp.id: sp for sp in found}
    return sorted(unique.values(), key=lambda sp: sp.last_seen, reverse=True)


def _fts_condition(dialect: str, words: list[str]) -> TextClause:
    phrase = " ".join(words)
    if dialect == "postgresql":
        return text("memory_statements.search @@ phraseto_tsquery('english', :fts)").bindparams(fts=phrase)
    return text(
        "memory_statements.id IN (SELECT rowid FROM memory_fts WHERE memory_fts MATCH :fts)"
    ).bindparams(fts='"' + phrase + '"')


async def recall(
    session: AsyncSession,
    scope: str,
    *,
    speaker_ids: Sequence[int] = (),
    keyword: str | None = None,
    since: datetime | None = None,
    acts: Sequence[str] = (),
    ids: Sequence[int] | None = None,
    limit: int = 100,
) -> tuple[list[MemoryStatement], dict[str, int]]:
    """Statements of ``scope`` by the given speakers, or (``keyword``) whose text or speaker matches in the
    full-text index; newest first, at most ``limit``, with the count of every match by act."""
    where: list[ColumnElement[bool] | TextClause] = [MemoryStatement.scope == scope]
    if speaker_ids:
        where.append(MemoryStatement.speaker_id.in_(list(speaker_ids)))
    elif keyword is not None:
        words = fts_words(keyword)
        if not words:
            return [], {}
        where.append(_fts_condition(session.get_bind().dialect.name, words))
    else:
        return [], {}
    if since is not None:
        where.append(MemoryStatement.said_at >= since)
    if acts:
        where.append(MemoryStatement.act.in_(list(acts)))
    if ids is not None:
        if not ids:
            return [], {}
        where.append(MemoryStatement.id.in_(list(ids)))
    counts = dict(
        (
            await session.execute(
                select(MemoryStatement.act, func.count()).where(*where).group_by(MemoryStatement.act)
            )
        ).all()
    )
    if not counts:
        return [], {}
    rows = await session.execute(
        select(MemoryStatement)
        .where(*where)
        .order_by(MemoryStatement.said_at.desc(), MemoryStatement.id.desc())
        .limit(limit)
    )
    return list(rows.scalars()), {str(k): int(v) for k, v in counts.items()}


async def purge(session: AsyncSession, before: datetime) -> int:
    """Forget statements briefed before ``before`` (every scope), and speakers left with none."""
    result = await session.execute(delete(MemoryStatement).where(MemoryStatement.seen_at < before))
    await _drop_orphans(session)
    return int(getattr(result, "rowcount", 0) or 0)


async def forget(session: AsyncSession, scope: str) -> int:
    """Delete everything the memory holds for ``scope``; the number of statements forgotten."""
    result = await session.execute(delete(MemoryStatement).where(MemoryStatement.scope == scope))
    await session.execute(delete(MemorySpeaker).where(MemorySpeaker.scope == scope))
    return int(getattr(result, "rowcount", 0) or 0)


async def _drop_orphans(session: AsyncSession) -> None:
    await session.execute(
        delete(MemorySpeaker).where(
            ~exists().where(MemoryStatement.speaker_id == MemorySpeaker.id).correlate(MemorySpeaker)
        )
    )


# ---------------------------------------------------------------- tracks


async def tracks_of(session: AsyncSession, channel_id: int) -> list[MemoryTrack]:
    rows = await session.execute(
        select(MemoryTrack).where(MemoryTrack.channel_id == channel_id).order_by(MemoryTrack.id)
    )
    return list(rows.scalars())


async def add_track(
    session: AsyncSession, channel_id: int, term: str, acts: Sequence[str], *, user: str | None, now: datetime
) -> tuple[MemoryTrack, bool]:
    """Track ``term`` in the channel (or change the acts of an existing track); (track, created)."""
    existing = (
        await session.execute(
            select(MemoryTrack).where(
                MemoryTrack.channel_id == channel_id, func.lower(MemoryTrack.term) == term.lower()
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        existing.acts = ",".join(acts)
        return existing, False
    track = MemoryTrack(
        channel_id=channel_id, term=term[:200], acts=",".join(acts), created_by=user, created_at=now
    )
    session.add(track)
    await session.flush()
    return track, True
