"""The statement memory as a service: every statement briefed in a chat or filed from a feed is
remembered in its scope (Slack workspace, Discord guild, the console); ``/brief who``, ``track``,
``untrack``, ``tracking`` and ``forget`` read and change it; tracked names and keywords are told to
their channel through the outbox; the scheduler loop purges what is older than BRIEFBOT_MEMORY_DAYS."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from briefings.clock import Clock
from briefings.deliver import editor, platforms
from briefings.deliver.delivery import ChannelRef
from briefings.deliver.outbox import enqueue
from briefings.errors import InputError, PermissionDenied
from briefings.models import ACTS, Briefing, Digest, Recall, Recalled, StatementRecord
from briefings.present.recall import PER_ACT, render_recall
from briefings.present.render import plural
from briefings.settings import Settings
from briefings.storage import ChannelRecord, UnitOfWork, idempotency_key
from briefings.store import Channel, MemoryStatement, MemoryTrack, OutboxEntry, Store
from briefings.store import memory as repo
from briefings.store.channels import channel_row
from briefings.store.repositories import session_of

log = logging.getLogger(__name__)

COMMANDS = ("who", "track", "untrack", "tracking", "forget")
MAX_TRACKS_PER_CHANNEL = 50
MAX_TERM_CHARS = 100
PURGE_EVERY = timedelta(hours=1)
_PERIOD = re.compile(r"^(\d{1,4})d$", re.IGNORECASE)
_ACT_WORDS: dict[str, str] = {
    **{a: a for a in ACTS},
    **{a + "s": a for a in ACTS},
    "denials": "denial",
    "accusations": "accusation",
    "said": "statement",
    "statements": "statement",
}


def _acts_of(spec: str) -> list[str]:
    acts: list[str] = []
    for word in re.split(r"[,\s]+", spec.strip().lower()):
        if not word:
            continue
        act = _ACT_WORDS.get(word)
        if act is None:
            raise InputError(f"{word!r} is not an act; use offer, demand, denial, accusation or statement")
        if act not in acts:
            acts.append(act)
    if not acts:
        raise InputError("acts needs a list such as offer,denial")
    return acts


def parse_track(text: str) -> tuple[str, list[str]]:
    """``<name or keyword> [acts offer,denial]`` -> (term, acts); InputError with one clear line."""
    words = text.split()
    acts: list[str] = []
    lowered = [w.lower() for w in words]
    if "acts" in lowered:
        at = len(lowered) - 1 - lowered[::-1].index("acts")
        acts = _acts_of(" ".join(words[at + 1 :]))
        words = words[:at]
    term = " ".join(words).strip().strip("\"'“”‘’")
    if not term or not repo.fts_words(term):
        raise InputError("give a name or keyword: /brief track <name or keyword> [acts offer,denial]")
    if len(term) > MAX_TERM_CHARS:
        raise InputError(f"a tracked name or keyword has at most {MAX_TERM_CHARS} characters")
    return term, acts


def parse_who(text: str) -> tuple[str, int | None]:
    """``<name> [7d|30d]`` -> (name, days or None)."""
    words = text.split()
    days = None
    if words and (m := _PERIOD.match(words[-1])):
        days = int(m.group(1))
        if days < 1:
            raise InputError("the period is a number of days such as 7d or 30d")
        words = words[:-1]
    name = " ".join(words).strip().strip("\"'“”‘’")
    if not name or not repo.normalise(name):
        raise InputError("give a name: /brief who <name> [7d|30d]")
    if len(name) > MAX_TERM_CHARS:
        raise InputError(f"a name has at most {MAX_TERM_CHARS} characters")
    return name, days


def recall_payload(recall: Recall, platform: str) -> platforms.Payload:
    """``recall`` as the platform's message: its renderer's own ``recall`` when it has one (Slack blocks,
    a Discord embed), else the core format it renders (text, markdown), else a plain notice."""
    p = platforms.get(platform)
    own = getattr(p.renderer, "recall", None)
    if callable(own):
        payload: platforms.Payload = own(recall)
        return payload
    if p.format in ("text", "markdown"):
        return render_recall(recall, p.format)
    return p.renderer.message(render_recall(recall, "text"))


def _recalled(row: MemoryStatement) -> Recalled:
    return Recalled(
        speaker=row.speaker,
        act=row.act,
        content=row.content,
        cue=row.cue,
        role=row.role,
        article_title=row.article_title,
        article_url=row.article_url,
        said_at=row.said_at.isoformat(),
    )


async def mark_tracked(uow: UnitOfWork, channel_id: int, digest: Digest) -> None:
    """A digest marker (``editor.DIGEST_MARKERS``, registered below): the bullets of ``digest``'s items
    whose speaker one of the channel's tracks names (the name rule of ``who`` and ``track``; a track with
    acts only for those acts) get ``tracked``. Such a bullet is new since the channel's last digest: a
    digest only holds the channel's articles that no digest has taken yet."""
    tracks = await uow.tracks.of_channel(channel_id)
    if not tracks:
        return
    wanted = [(t.term, t.acts) for t in tracks]
    for item in digest.items:
        b = item.briefing
        if b is None:
            continue
        records = {r.start: r for r in b.record}
        types = {s.name: s.type for s in b.speakers}
        for x in b.bullets:
            record = records.get(x.start) or StatementRecord(
                speaker=x.speaker,
                act=x.act,
                kind=x.kind,
                content=x.text,
                cue=x.cue,
                speaker_type=types.get(x.speaker, "person"),
            )
            x.tracked = any(
                (not acts or x.act in acts) and repo.record_matches(term, record) for term, acts in wanted
            )


if mark_tracked not in editor.DIGEST_MARKERS:
    editor.DIGEST_MARKERS.append(mark_tracked)


def _acts_text(acts: str) -> str:
    return ", ".join(a + "s" for a in acts.split(",")) if acts else "every act"


class MemoryService:
    """Remembers briefed statements per scope and answers the memory's chat commands."""

    def __init__(self, store: Store, settings: Settings, clock: Clock) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self._last_purge: datetime | None = None

    # -- remembering ----------------------------------------------------------------------------

    async def remember(self, channel: ChannelRef, briefing: Briefing) -> None:
        """Keep a chat briefing's statements in the channel's scope. A store failure is logged: the
        briefing itself has been made and is shown regardless."""
        if not briefing.record:
            return
        scope = repo.scope_of(channel.platform, channel.workspace, channel.channel)
        try:
            async with self.store.session() as session, session.begin():
                await self._remember(session, scope, briefing)
        except SQLAlchemyError:
            log.exception("statements of %r not remembered", briefing.headline[:100])

    async def _remember(self, session: AsyncSession, scope: str, briefing: Briefing) -> list[int]:
        return await repo.remember(
            session,
            scope,
            briefing.record,
            title=briefing.headline,
            url=briefing.url or briefing.source or None,
            date=briefing.date,
            now=self.clock.now(),
        )

    async def filed(self, uow: UnitOfWork, channel: ChannelRecord, briefing: Briefing) -> bool:
        """A feed's article was filed for ``channel`` (in the caller's unit of work): remember its
        statements in the channel's scope and queue one message per matching track of the channel
        (once per track and article). True when messages were queued. (The statement memory is not
        behind the storage port: it runs on the SQL unit of work's session.)"""
        if not briefing.record:
            return False
        session = session_of(uow)
        scope = repo.scope_of(channel.platform, channel.workspace or None, channel.channel)
        ids = await self._remember(session, scope, briefing)
        tracks = await repo.tracks_of(session, channel.id)
        if not tracks or not ids:
            return False
        rows = await repo.statements(session, ids)
        texts = [f"{st.speaker} {st.content}" for st, _sp in rows]
        hits = await repo.keyword_hits(session, ids, [t.term for t in tracks], texts=texts)
        article = repo.article_key(briefing.url or briefing.source or None, briefing.headline)
        matched: list[tuple[MemoryTrack, list[MemoryStatement], str]] = []
        for n, track in enumerate(tracks):
            acts = [a for a in track.acts.split(",") if a]
            found = [
                st
                for st, sp in rows
                if (not acts or st.act in acts)
                and ((n, st.id) in hits or repo.speaker_matches(track.term, sp))
            ]
            if found:
                matched.append((track, found, f"track:{track.id}:{article}"))
        if not matched:
            return False
        sent_before = set(
            (
                await session.execute(
                    select(OutboxEntry.idempotency_key).where(
                        OutboxEntry.idempotency_key.in_([idempotency_key(key, 0) for _, _, key in matched])
                    )
                )
            ).scalars()
        )
        now = self.clock.now()
        queued = False
        for track, found, key in matched:
            if idempotency_key(key, 0) in sent_before:
                continue
            recall = Recall(
                title=f"Tracking “{track.term}”: {plural(len(found), 'new statement')}",
                statements=[_recalled(r) for r in found],
                total=len(found),
            )
            payload = recall_payload(recall, channel.platform)
            await enqueue(session, channel.id, "tracking", [payload], key=key, now=now)
            queued = True
        return queued

    async def purge_due(self, now: datetime) -> int:
        """Purge statements older than BRIEFBOT_MEMORY_DAYS, at most once an hour (the scheduler loop)."""
        if self._last_purge is not None and now - self._last_purge < PURGE_EVERY:
            return 0
        self._last_purge = now
        async with self.store.session() as session, session.begin():
            gone = await repo.purge(session, now - timedelta(days=self.settings.memory_days))
        if gone:
            log.info(
                "statement memory: %d statements older than %d days purged", gone, self.settings.memory_days
            )
        return gone

    # -- the chat commands -----------------------------------------------------------------------

    async def answer(
        self,
        command: str,
        rest: str,
        *,
        channel: ChannelRef,
        user: str,
        is_admin: Callable[[], Awaitable[bool]],
        creators_may_manage: bool,
    ) -> tuple[str, Recall | None]:
        """``who|track|untrack|tracking|forget`` -> (plain text, the Recall to render when there is one).
        Raises InputError / PermissionDenied with one line."""
        scope = repo.scope_of(channel.platform, channel.workspace, channel.channel)
        if command == "who":
            return await self.who(scope, rest)
        if command == "tracking":
            return await self._tracking(channel), None
        if command == "forget":
            if rest.strip():
                raise InputError("/brief forget takes nothing after it")
            if not await is_admin():
                raise PermissionDenied(
                    "Only a workspace admin may make briefbot forget what was briefed here."
                )
            async with self.store.session() as session, session.begin():
                gone = await repo.forget(session, scope)
            log.info("statement memory of %s forgotten by %s (%d statements)", scope, user, gone)
            return f"Forgotten: {plural(gone, 'statement')} briefed in this workspace.", None
        if command == "track":
            term, acts = parse_track(rest)
            if not creators_may_manage and not await is_admin():
                raise PermissionDenied("You don't have permission to change what this channel tracks.")
            return await self._track(channel, term, acts, user), None
        if command == "untrack":
            return await self._untrack(channel, rest, user, is_admin, creators_may_manage), None
        raise InputError(f"unknown command {command!r}; try /brief help")

    async def who(self, scope: str, rest: str) -> tuple[str, Recall | None]:
        name, days = parse_who(rest)
        since = self.clock.now() - timedelta(days=days) if days else None
        period = f" in the last {plural(days, 'day')}" if days else ""
        async with self.store.session() as session:
            speakers = await repo.find_speakers(session, scope, name)
            note = None
            if speakers:
                rows, counts = await repo.recall(
                    session, scope, speaker_ids=[s.id for s in speakers], since=since, per_act=PER_ACT
                )
                names = sorted({s.name for s in speakers})
                title = f"What {names[0] if len(names) == 1 else name} said{period}"
                if len(names) > 1:
                    note = f"{len(names)} people match “{name}”: {', '.join(names[:10])}"
            else:
                rows, counts = await repo.recall(session, scope, keyword=name, since=since, per_act=PER_ACT)
                title = f"Nobody called “{name}” was quoted here{period}; statements mentioning it"
        if not rows:
            return (
                f"Nothing said by or about “{name}” was briefed here{period} "
                f"(briefbot remembers {self.settings.memory_days} days).",
                None,
            )
        total = sum(counts.values())
        recall = Recall(
            title=f"{title} ({plural(total, 'statement')})",
            statements=[_recalled(r) for r in rows],
            total=total,
            counts=counts,
            note=note,
        )
        return render_recall(recall, "text").rstrip("\n"), recall

    async def _channel(self, session: AsyncSession, ref: ChannelRef, *, create: bool) -> Channel | None:
        return await channel_row(
            session, ref.platform, ref.workspace, ref.channel, create=create, now=self.clock.now()
        )

    async def _track(self, channel: ChannelRef, term: str, acts: list[str], user: str) -> str:
        async with self.store.session() as session, session.begin():
            ch = await self._channel(session, channel, create=True)
            assert ch is not None
            tracks = await repo.tracks_of(session, ch.id)
            if len(tracks) >= MAX_TRACKS_PER_CHANNEL and not any(
                t.term.lower() == term.lower() for t in tracks
            ):
                raise InputError(
                    f"this channel already tracks {len(tracks)} names or keywords; untrack one first"
                )
            track, created = await repo.add_track(session, ch.id, term, acts, user=user, now=self.clock.now())
            what = _acts_text(track.acts)
        verb = "Tracking" if created else "Now tracking"
        return (
            f"{verb} “{term}” ({what}): this channel is told when a new statement from its feeds is by "
            f"“{term}” or mentions it. /brief tracking lists what is tracked."
        )

    async def _tracking(self, channel: ChannelRef) -> str:
        async with self.store.session() as session:
            ch = await self._channel(session, channel, create=False)
            tracks = await repo.tracks_of(session, ch.id) if ch is not None else []
        if not tracks:
            return "Nothing is tracked here yet. Try /brief track <name or keyword> [acts offer,denial]."
        lines = [f"{n}. “{t.term}” - {_acts_text(t.acts)}" for n, t in enumerate(tracks, 1)]
        return "Tracked here:\n" + "\n".join(lines)

    async def _untrack(
        self,
        channel: ChannelRef,
        rest: str,
        user: str,
        is_admin: Callable[[], Awaitable[bool]],
        creators_may_manage: bool,
    ) -> str:
        wanted = rest.strip().strip("\"'“”‘’")
        if not wanted:
            raise InputError("give the number from /brief tracking, or the name: /brief untrack <n|name>")
        async with self.store.session() as session, session.begin():
            ch = await self._channel(session, channel, create=False)
            tracks = await repo.tracks_of(session, ch.id) if ch is not None else []
            if not tracks:
                raise InputError("nothing is tracked in this channel")
            n = wanted.lstrip("#")
            if n.isdigit():
                if not 1 <= int(n) <= len(tracks):
                    raise InputError(
                        f"there is no track number {n} here; /brief tracking shows 1 to {len(tracks)}"
                    )
                track = tracks[int(n) - 1]
            else:
                match = [t for t in tracks if t.term.lower() == wanted.lower()]
                if not match:
                    raise InputError(f"“{wanted}” is not tracked here; /brief tracking lists what is")
                track = match[0]
            creator = creators_may_manage and track.created_by is not None and track.created_by == user
            if not creator and not await is_admin():
                raise PermissionDenied(
                    f"Only the person who tracked “{track.term}” here or a workspace admin may untrack it."
                )
            term = track.term
            await session.delete(track)
        return f"No longer tracking “{term}” here."
