"""The statement memory's repository: remember a briefed article's statements in a scope, find speakers
by name, recall what they said, full-text search (FTS5 / tsvector), tracks, retention and forgetting.

A *scope* is a Slack workspace, a Discord guild or the console: every query here takes one and never
reads another's rows. Speakers are matched across articles by normalised name: persons by surname,
and by first name too when both have one ("Amir-Abdollahian" = "Hussein Amir-Abdollahian", "John
Smith" != "Jane Smith"); organisations, countries and groups by their whole name or an alias.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

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
    """The platform's workspace (a Slack workspace, a Discord guild); a channel without one (the
    console, a direct message) is a scope of its own."""
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


async def _candidates(
    session: AsyncSession, scope: str, names: Sequence[_Name], *, aliases: bool = True
) -> list[MemorySpeaker]:
    """The scope's speakers any of ``names`` may denote, in one query: by surname (persons; their alias
    keys end in it too) or whole name (anything else) through the (scope, last) index; with
    ``aliases`` also non-persons by an alias (a LIKE over the scope's speakers' keys)."""
    lasts = sorted({q.last for q in names if q.last})
    conditions: list[ColumnElement[bool]] = [MemorySpeaker.last.in_(lasts)] if lasts else []
    for q in names:
        if aliases and not q.person and q.key:
            conditions.append(
                (MemorySpeaker.person.is_(False))
                & MemorySpeaker.keys.like(f"%|{_like_escape(q.key)}|%", escape="\\")
            )
    if not conditions:
        return []
    rows = await session.execute(select(MemorySpeaker).where(MemorySpeaker.scope == scope, or_(*conditions)))
    return list(rows.scalars())


def speaker_matches(name: str, speaker: MemorySpeaker) -> bool:
    """Does ``name`` (as a user types it) denote ``speaker``?"""
    return _matches(_Name.of(name, speaker.person), speaker)


def record_matches(name: str, record: StatementRecord) -> bool:
    """Does ``name`` denote the speaker of ``record``, by the rule of ``speaker_matches`` (the record's
    name and its aliases that are names), without looking the speaker up in the store?"""
    person = record.speaker_type == "person"
    own = _Name.of(record.speaker, person)
    speaker = MemorySpeaker(
        first=own.first, last=own.last, person=person, keys=_keys_field([own.key, *_alias_keys(record, own)])
    )
    return speaker_matches(name, speaker)


def _speaker_for(
    candidates: list[MemorySpeaker], scope: str, record: StatementRecord, now: datetime
) -> MemorySpeaker:
    """The speaker among ``candidates`` this statement's speaker is, its name, role and aliases updated;
    else a new one (added to ``candidates``, not yet in the session)."""
    person = record.speaker_type == "person"
    name = _Name.of(record.speaker, person)
    found = [sp for sp in candidates if sp.person == person]
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
        candidates.append(speaker)
        return speaker
    if person and name.first and not speaker.first:
        # "Amir-Abdollahian" first, "Hussein Amir-Abdollahian" later: the fuller name is the speaker's.
        speaker.first, speaker.name = name.first[:128], record.speaker[:256]
    keys = _keys_field([*(speaker.keys or "").strip("|").split("|"), name.key, *alias_keys])
    if keys != speaker.keys:
        speaker.keys = keys
    aliases = json.loads(speaker.aliases or "[]")
    merged = aliases + [a for a in record.aliases if a not in aliases][: max(0, MAX_ALIASES - len(aliases))]
    if merged != aliases:
        speaker.aliases = json.dumps(merged, ensure_ascii=False)
    if record.role and record.role[:256] != speaker.role:
        speaker.role = record.role[:256]
    if speaker.last_seen is None or speaker.last_seen < now:
        speaker.last_seen = now
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
    all its statements there, the ones stored earlier included. A few round trips whatever the number
    of statements: what is stored, the speakers' candidates, the new speakers, the new statements."""
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
    new = [
        r
        for r in {r.start: r for r in records}.values()
        if r.start not in existing and r.speaker.strip() and r.content.strip()
    ]
    if not new:
        return sorted(existing.values())
    candidates = await _candidates(
        session, scope, [_Name.of(r.speaker, r.speaker_type == "person") for r in new]
    )
    speakers = [_speaker_for(candidates, scope, r, now) for r in new]
    fresh = [sp for sp in speakers if sp.id is None]
    if fresh:
        session.add_all(list({id(sp): sp for sp in fresh}.values()))
        await session.flush()
    said_at = parse_when(date) or now
    rows = [
        MemoryStatement(
            scope=scope,
            speaker_id=speaker.id,
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
        for record, speaker in zip(new, speakers, strict=True)
    ]
    session.add_all(rows)
    await session.flush()
    return sorted([*existing.values(), *(r.id for r in rows)])


async def find_speakers(session: AsyncSession, scope: str, name: str) -> list[MemorySpeaker]:
    """The scope's speakers ``name`` denotes (a person's surname alone may denote several)."""
    names = [_Name.of(name, True), _Name.of(name, False)]
    if not names[0].key:
        return []
    found: list[MemorySpeaker] = []
    for aliases in (False, True):  # by name through the index; by an organisation's alias only if need be
        candidates = await _candidates(session, scope, names, aliases=aliases)
        found = [sp for sp in candidates if _matches(names[0 if sp.person else 1], sp)]
        if found:
            break
    return sorted(found, key=lambda sp: sp.last_seen, reverse=True)


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
    per_act: int = 5,
) -> tuple[list[MemoryStatement], dict[str, int]]:
    """Statements of ``scope`` by the given speakers (found in ``scope``), or (``keyword``) whose text or
    speaker matches in the full-text index: the newest ``per_act`` of each act, newest first, and the
    count of every match by act. One pass over the matches' (id, act, date), then the shown rows."""
    dialect = session.get_bind().dialect.name
    where: list[ColumnElement[bool] | TextClause] = []
    if speaker_ids:
        # The speakers are the scope's own: their statements are too (and the speaker index is used).
        where.append(MemoryStatement.speaker_id.in_(list(speaker_ids)))
    elif keyword is not None:
        words = fts_words(keyword)
        if not words:
            return [], {}
        where.append(_fts_condition(dialect, words))
        if dialect == "sqlite":
            # Unary + keeps SQLite from scanning the scope's index: the full-text matches lead.
            where.append(text("+memory_statements.scope = :scope").bindparams(scope=scope))
        else:
            where.append(MemoryStatement.scope == scope)
    else:
        return [], {}
    if since is not None:
        where.append(MemoryStatement.said_at >= since)
    if acts:
        where.append(MemoryStatement.act.in_(list(acts)))
    found = (
        await session.execute(
            select(MemoryStatement.id, MemoryStatement.act, MemoryStatement.said_at).where(*where)
        )
    ).all()
    if not found:
        return [], {}
    counts: dict[str, int] = {}
    by_act: dict[str, list[tuple[datetime, int]]] = {}
    for sid, act, said_at in found:
        counts[act] = counts.get(act, 0) + 1
        by_act.setdefault(act, []).append((said_at, sid))
    shown = [sid for rows in by_act.values() for _, sid in heapq.nlargest(per_act, rows)]
    rows = await session.execute(
        select(MemoryStatement)
        .where(MemoryStatement.id.in_(shown))
        .order_by(MemoryStatement.said_at.desc(), MemoryStatement.id.desc())
    )
    return list(rows.scalars()), counts


async def statements(
    session: AsyncSession, ids: Sequence[int]
) -> list[tuple[MemoryStatement, MemorySpeaker]]:
    """The statements ``ids`` with their speakers, in article order."""
    if not ids:
        return []
    rows = await session.execute(
        select(MemoryStatement, MemorySpeaker)
        .join(MemorySpeaker, MemorySpeaker.id == MemoryStatement.speaker_id)
        .where(MemoryStatement.id.in_(list(ids)))
        .order_by(MemoryStatement.start)
    )
    return [(st, sp) for st, sp in rows.all()]


async def keyword_hits(
    session: AsyncSession, ids: Sequence[int], keywords: Sequence[str], *, texts: Sequence[str] | None = None
) -> set[tuple[int, int]]:
    """(keyword index, statement id) for each of ``ids`` whose text or speaker matches each keyword in the
    full-text index: one query (UNION ALL) for all keywords."""
    dialect = session.get_bind().dialect.name
    parts: list[str] = []
    params: dict[str, Any] = {}
    if texts is not None:
        # Only keywords whose every word may be in one of the texts (a word and its stem share their
        # first 3 letters) are asked of the index: most articles mention none of a channel's keywords.
        present = {w[:3] for t in texts for w in fts_words(t)}
        keywords = [k if all(w[:3] in present for w in fts_words(k)) else "" for k in keywords]
    id_list = ", ".join(str(int(i)) for i in ids)
    if not id_list:
        return set()
    for n, keyword in enumerate(keywords):
        words = fts_words(keyword)
        if not words:
            continue
        if dialect == "postgresql":
            parts.append(
                f"SELECT {n} AS k, id FROM memory_statements WHERE id IN ({id_list}) "
                f"AND search @@ phraseto_tsquery('english', :q{n})"
            )
            params[f"q{n}"] = " ".join(words)
        else:
            parts.append(
                f"SELECT {n} AS k, rowid AS id FROM memory_fts WHERE memory_fts MATCH :q{n} AND rowid IN ({id_list})"
            )
            params[f"q{n}"] = '"' + " ".join(words) + '"'
    if not parts:
        return set()
    rows = await session.execute(text(" UNION ALL ".join(parts)), params)
    return {(int(k), int(i)) for k, i in rows.all()}


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
