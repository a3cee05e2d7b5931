"""The chat commands behind ``/brief``, platform-free: the console, Slack and Discord adapters all call
``ChatCommands.handle`` and render the ``Reply`` it returns."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from briefings.clock import Clock
from briefings.deliver import opml, platforms
from briefings.deliver.delivery import ChannelRef
from briefings.deliver.filters import KINDS, Filters, parse_filter_words, tokens
from briefings.deliver.memory import COMMANDS as MEMORY_COMMANDS
from briefings.deliver.memory import MemoryService
from briefings.deliver.subscriptions import Subscription, SubscriptionService
from briefings.deliver.tenants import tenant_of, tenant_scope
from briefings.errors import BriefbotError, InputError
from briefings.ingest.source import load_source
from briefings.models import Article, Briefing, Digest, Recall
from briefings.present.render import plural
from briefings.settings import Settings

log = logging.getLogger(__name__)

HELP = """\
/brief <url>  -  brief a news article: who said what, offers and demands first
/brief <pasted article text>  -  brief text you paste (first line = headline)
/brief subscribe <feed-url> [daily HH:MM[,HH:MM]] [days mon-fri] [tz Area/City] [mode digest|instant] [backfill N] [filters]
    -  a morning digest of the feed's new articles (default daily 07:30), or each article as it arrives;
       the items the feed already has count as seen, except the latest N with backfill N
   filters (each may repeat; kinds combine with AND):
       only offer,denial  -  articles with an offer or a denial (offer, demand, denial, accusation)
       include ceasefire | include "peace talks" | include /cease-?fire/i  -  headline or text matches
       exclude /sport/i  -  ... and does not match;  speaker Kuleba  -  articles quoting that speaker
/brief filter <n> <filters>|none  -  replace the filters of subscription number n
/brief list  -  this channel's subscriptions, numbered: each feed's status, last success, last error, next poll
/brief unsubscribe <n>  -  stop subscription number n of the list
/brief resume <n>  -  poll a feed again that was paused after failing for days
/brief export  -  this channel's feeds as OPML (for a feed reader, or `briefbot feeds import`)
/brief digest  -  the digest of the articles new since the last one, now
/brief who <name> [7d|30d]  -  what that person (or organisation) said in what was briefed here
/brief track <name or keyword> [acts offer,denial]  -  tell this channel when its feeds bring a match
/brief untrack <n|name>, /brief tracking  -  stop tracking; list what this channel tracks
/brief forget  -  (admins) forget every statement briefed in this workspace
/brief help  -  this help"""
# Added to the help when a platform of this install may be named as a target (a webhook).
HELP_TARGET = """\
... to <platform>:<name>  -  subscribe, list, unsubscribe or digest for another target instead of
       this channel (managers only), e.g. /brief subscribe <feed-url> daily 07:30 to {example}"""

_TIME = re.compile(r"^\d{1,2}:\d{2}(,\d{1,2}:\d{2})*$")
_DAYS = re.compile(
    r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*(-(mon|tue|wed|thu|fri|sat|sun)[a-z]*)?(,.+)?$", re.I
)
_TARGET = re.compile(r"(?:^|\s)to\s+(\S+:\S*)\s*$", re.I)


class BrieferLike(Protocol):
    async def brief(self, article: Article) -> Briefing: ...


@dataclass
class Reply:
    """What to answer: adapters render it for their platform (templates) and post it."""

    kind: Literal["briefing", "text", "help", "modal"]
    text: str = ""  # for text/help: plain text (adapters escape/render it)
    briefing: Briefing | None = None
    digest_messages: Digest | None = None  # a digest queued in the outbox (Discord opens threads from it)
    recall: Recall | None = None  # an answer of the statement memory: adapters render it (render_recall)
    ephemeral: bool = False  # errors, help, list, confirmations go to the user only
    error: bool = False
    code: str | None = None  # shown verbatim after ``text`` as a code block (an OPML export)


@dataclass
class SubscribeArgs:
    feed_url: str
    times: list[str] | None = None
    weekdays: str = "mon-sun"
    tz: str | None = None
    mode: str = "digest"
    backfill: int = 0
    filters: Filters = field(default_factory=Filters)


def parse_subscribe(text: str) -> SubscribeArgs:
    """``<feed-url> [daily HH:MM[,HH:MM]] [days mon-fri] [tz Area/City] [mode digest|instant] [backfill N]
    [only ACTS] [include TERM] [exclude TERM] [speaker NAME]`` (filters: ``deliver.filters``; links
    already plain: ``Platform.plain_links``)."""
    # The address is the first word as written: the filters' tokenizer would read "/srv/feeds/x.xml"
    # as the /regex/ "/srv/" with flags "feeds".
    address, *more = text.split(None, 1) or [""]
    if not address:
        raise InputError(
            "give the feed's address: /brief subscribe <feed-url> [daily 07:30] [tz Europe/Berlin]"
        )
    out = SubscribeArgs(feed_url=address)
    words = [a.lstrip("-") if a.startswith("--") else a for a in tokens(more[0] if more else "")]
    i = 0

    def value(name: str) -> str:
        nonlocal i
        if i + 1 >= len(words):
            raise InputError(f"{name} needs a value")
        i += 1
        return words[i]

    while i < len(words):
        w = words[i].lower()
        if w in ("daily", "every", "at", "time", "times", "weekdays", "weekends"):
            if w in ("weekdays", "weekends"):
                out.weekdays = w
            elif w in ("daily", "every"):
                out.weekdays = "mon-sun"
            if i + 1 < len(words) and _TIME.match(words[i + 1]):
                out.times = value(w).split(",")
            elif w in ("at", "time", "times"):
                raise InputError(f"{w} needs a time such as 07:30")
        elif _TIME.match(w):
            out.times = w.split(",")
        elif w in ("days", "on"):
            out.weekdays = value(w)
        elif _DAYS.match(w):
            out.weekdays = w
        elif w in ("tz", "timezone", "zone"):
            out.tz = value(w)
        elif w == "mode":
            out.mode = value(w).lower()
        elif w in ("digest", "instant"):
            out.mode = w
        elif w == "backfill":
            raw = value(w)
            if not raw.isdigit():
                raise InputError(f"backfill needs a number, got {raw!r}")
            out.backfill = int(raw)
        elif w in KINDS:
            out.filters.add(w, value(w))
        else:
            raise InputError(f"I don't understand {words[i]!r}; try /brief help")
        i += 1
    return out


def _unwrap(text: str, channel: ChannelRef) -> str:
    """A message that is one link in the platform's markup (``<https://…|label>``): the address alone."""
    plain = platforms.get(channel.platform).plain_links(text.strip())
    return plain if plain != text.strip() and not any(c.isspace() for c in plain) else text.strip()


def chat_help() -> str:
    """HELP, and the ``to <target>`` form when a platform of this install may be named from a chat."""
    remote = [p.name for p in platforms.registered() if p.remote_target]
    return HELP + ("\n" + HELP_TARGET.format(example=f"{remote[0]}:NAME") if remote else "")


def split_target(rest: str) -> tuple[str, str | None]:
    """``… to webhook:ops`` -> (``…``, ``webhook:ops``); (rest, None) without a target."""
    m = _TARGET.search(rest)
    return (rest[: m.start()].strip(), m.group(1)) if m else (rest, None)


def describe_subscription(sub: Subscription) -> str:
    name = sub.feed_title or sub.feed_url
    if sub.mode == "instant":
        text = f"Subscribed to {name}: each new article will be briefed here as it arrives."
    else:
        days = "daily" if sub.weekdays == "mon-sun" else sub.weekdays
        text = f"Subscribed to {name}: a digest {days} at {', '.join(sub.times)} ({sub.timezone})."
        if sub.next_run is not None:
            local = sub.next_run.astimezone(ZoneInfo(sub.timezone))
            text += f" Next: {local:%a} {local.day} {local:%b %H:%M}."
    text += " " + _history(sub)
    if sub.filters:
        text += f" Filters: {sub.filters}."
    return text


def _history(sub: Subscription) -> str:
    """What became of the entries the feed already held: marked seen, or (``backfill``) briefed."""
    later = "posted here now" if sub.mode == "instant" else "in the next digest"
    if sub.backfilled:
        latest = "item" if sub.backfilled == 1 else f"{sub.backfilled} items"
        text = f"The latest {latest} will be {later}"
        older = f"; {plural(sub.marked_seen, 'older item')} marked as seen." if sub.marked_seen else "."
        return text + older
    if sub.marked_seen:
        return (
            f"{plural(sub.marked_seen, 'existing item')} marked as seen; "
            f"add `backfill N` to have the latest N {later}."
        )
    return "The feed has no items yet."


class ChatCommands:
    """Parses what follows ``/brief`` and calls the core; every failure becomes an ephemeral error Reply."""

    def __init__(
        self,
        *,
        briefer: BrieferLike,
        subscriptions: SubscriptionService,
        settings: Settings,
        clock: Clock,
        memory: MemoryService | None = None,
    ) -> None:
        self.briefer = briefer
        self.subscriptions = subscriptions
        self.settings = settings
        self.clock = clock
        self.memory = memory

    async def remember(self, channel: ChannelRef, briefing: Briefing) -> None:
        """Keep a briefing's statements in the channel's workspace (for who/track); adapters that brief
        outside ``handle`` (Slack's modal and shortcut, Discord's /brief) call this too."""
        if self.memory is not None:
            await self.memory.remember(channel, briefing)

    async def handle(
        self,
        text: str,
        *,
        channel: ChannelRef,
        user: str,
        can_manage: bool | Callable[[], Awaitable[bool]],
        creators_may_manage: bool = False,
    ) -> Reply:
        """Answer ``/brief <text>``. ``can_manage``: the user administers this channel's subscriptions (a
        bool, or an async check run only for subscribe/unsubscribe/digest). With ``creators_may_manage``
        (Slack) anyone may set up a subscription and then change or remove it, and take the digest of a
        channel they set one up in; otherwise only managers may change subscriptions (Discord, console)."""
        try:
            return await self._handle(
                text,
                channel=channel,
                user=user,
                can_manage=can_manage,
                creators_may_manage=creators_may_manage,
            )
        except BriefbotError as exc:
            log.info("/brief from %s in %s refused: %s", user, channel, exc.detail)
            return Reply(kind="text", text=exc.message, ephemeral=True, error=True)

    async def _handle(
        self,
        text: str,
        *,
        channel: ChannelRef,
        user: str,
        can_manage: bool | Callable[[], Awaitable[bool]],
        creators_may_manage: bool,
    ) -> Reply:
        stripped = text.strip()
        if not stripped:
            return Reply(kind="modal")
        first, _, rest = stripped.partition(" ")
        command = first.lower()
        single_line = "\n" not in stripped
        if single_line and command in ("help", "-h", "--help", "?"):
            return Reply(kind="help", text=chat_help(), ephemeral=True)
        admin: bool | None = None
        target = None
        if single_line and command in ("subscribe", "unsubscribe", "digest", "list", "resume"):
            rest, target = split_target(platforms.get(channel.platform).plain_links(rest))
        if single_line and (command in ("subscribe", "unsubscribe", "digest", "resume", "filter") or target):
            admin = can_manage if isinstance(can_manage, bool) else await can_manage()
        if target is not None:
            if not admin:
                return Reply(
                    kind="text",
                    text="Only those who manage this channel's subscriptions may name another target.",
                    ephemeral=True,
                    error=True,
                )
            name, where = platforms.parse_target(target, self.settings, remote=True)
            channel, creators_may_manage = ChannelRef(name, where), False
        # Who acts, for the creator checks (None: managers only, checked here).
        actor = user if creators_may_manage else None
        if single_line and command in MEMORY_COMMANDS and self.memory is not None:

            async def is_admin() -> bool:
                return can_manage if isinstance(can_manage, bool) else await can_manage()

            answer, recall = await self.memory.answer(
                command,
                rest,
                channel=channel,
                user=user,
                is_admin=is_admin,
                creators_may_manage=creators_may_manage,
            )
            return Reply(kind="text", text=answer, ephemeral=True, recall=recall)
        if single_line and command in ("list", "export", "digest") and 0 < len(rest.split()) <= 3:
            # A few words after a command that takes none are a slip ("digest now"), not an article.
            raise InputError(
                f"/brief {command} takes nothing after it (got {rest.strip()!r}); try /brief help"
            )
        if single_line and command in ("subscribe", "unsubscribe"):
            if not admin and not creators_may_manage:
                return Reply(
                    kind="text",
                    text="You don't have permission to change this channel's subscriptions.",
                    ephemeral=True,
                    error=True,
                )
            if command == "subscribe":
                a = parse_subscribe(rest)
                sub = await self.subscriptions.subscribe(
                    channel,
                    a.feed_url,
                    times=a.times,
                    weekdays=a.weekdays,
                    tz=a.tz,
                    mode=a.mode,
                    backfill=a.backfill,
                    filters=a.filters,
                    user=user,
                    admin=bool(admin) or actor is None,
                )
                return Reply(kind="text", text=describe_subscription(sub), ephemeral=True)
            n = rest.strip().lstrip("#")
            if not n.isdigit():
                raise InputError("give the number from /brief list: /brief unsubscribe <n>")
            view = await self.subscriptions.unsubscribe(
                channel, int(n), user=actor, admin=bool(admin) or actor is None
            )
            return Reply(
                kind="text", text=f"Unsubscribed from {view.feed_title or view.feed_url}.", ephemeral=True
            )
        if single_line and command in ("resume", "filter"):
            if not admin and not creators_may_manage:
                return Reply(
                    kind="text",
                    text="You don't have permission to change this channel's subscriptions.",
                    ephemeral=True,
                    error=True,
                )
            which, _, more = rest.strip().partition(" ")
            if not which:
                raise InputError(f"give the number from /brief list: /brief {command} <n>")
            if command == "resume":
                view = await self.subscriptions.resume(
                    channel, which, user=actor, admin=bool(admin) or actor is None
                )
                return Reply(
                    kind="text",
                    text=f"Resumed {view.feed_title or view.feed_url}: it is polled again now.",
                    ephemeral=True,
                )
            words = tokens(more)
            if not words:
                raise InputError("give the filters, or none: /brief filter <n> only offer,denial")
            none = [w.lower() for w in words] in (["none"], ["clear"])
            wanted = Filters() if none else parse_filter_words(words)
            view = await self.subscriptions.set_filters(
                channel, which, wanted, user=actor, admin=bool(admin) or actor is None
            )
            shown = view.filters or "none: every article"
            return Reply(
                kind="text", text=f"Filters of {view.feed_title or view.feed_url}: {shown}.", ephemeral=True
            )
        if single_line and command == "export" and not rest:
            views = await self.subscriptions.list(channel)
            if not views:
                return Reply(kind="text", text="No subscriptions here to export.", ephemeral=True)
            document = opml.to_opml(
                [opml.OpmlFeed(v.feed_url, v.feed_title) for v in views],
                title=f"briefbot subscriptions of {channel}",
                created=self.clock.now(),
            )
            return Reply(
                kind="text",
                text=f"This channel's {plural(len(views), 'feed')} as OPML (save it as briefbot.opml):",
                code=document,
                ephemeral=True,
            )
        if single_line and command == "list" and not rest:
            views = await self.subscriptions.list(channel)
            if not views:
                return Reply(
                    kind="text",
                    text="No subscriptions here yet. Try /brief subscribe <feed-url>.",
                    ephemeral=True,
                )
            return Reply(
                kind="text",
                text="Subscriptions here:\n" + "\n".join(v.describe() for v in views),
                ephemeral=True,
            )
        if single_line and command == "digest" and not rest:
            digest = await self.subscriptions.digest_now(
                channel, user=actor, admin=bool(admin) or actor is None
            )
            if digest is None:
                return Reply(kind="text", text="Nothing new since the last digest.", ephemeral=True)
            # Queued in the outbox with the articles marked taken: a failed post is retried, not lost.
            count = len(digest.items) + len(digest.more) + digest.unlisted
            return Reply(
                kind="text",
                text=f"The digest of {plural(count, 'new article')} is being posted here.",
                ephemeral=True,
                digest_messages=digest,
            )
        # At most a few briefings in progress per user and per channel (refused at once beyond).
        limits = getattr(self.briefer, "limits", None)
        with (
            limits.hold(user, str(channel)) if limits is not None else contextlib.nullcontext(),
            tenant_scope(tenant_of(channel.platform, channel.workspace, channel.channel)),
        ):
            article = await self._article(stripped, channel)
            briefing = await self.briefer.brief(article)
        await self.remember(channel, briefing)
        return Reply(kind="briefing", briefing=briefing)

    async def _article(self, text: str, channel: ChannelRef) -> Article:
        # Local files only for the person at the terminal: a chat user must not read the server's disk.
        return await load_source(
            _unwrap(text, channel),
            self.settings,
            allow_files=channel.platform == "console",
            refuse_words=True,
        )
