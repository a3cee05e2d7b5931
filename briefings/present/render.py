"""Render briefings, digests and notices per output (text, markdown, Slack Block Kit, Discord embeds).

The wording lives in ``templates/<format>/``; this module loads them, lays the
pieces out into each platform's payload and keeps every payload inside the
platform's hard limits (``limits``). Article text is escaped by the templates'
per-platform filters (``escape``).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import textwrap
from datetime import UTC, date, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2

from briefings.models import Briefing, Digest, DigestItem
from briefings.present import limits as L
from briefings.present.escape import (
    clean_text,
    discord_escape,
    discord_link,
    md_escape,
    md_link,
    safe_url,
    slack_escape,
    slack_link,
    slack_plain,
    text_escape,
)

FORMATS = ("text", "markdown", "slack", "discord")
DIGEST_BULLETS = 5  # per article in a digest: enough to see what it is about, short enough to scan

# Label, emoji and plural of each act, shared by every template.
ACTS_SHOWN: dict[str, dict[str, str]] = {
    "offer": {
        "label": "OFFER",
        "emoji": "🤝",
        "slack": ":handshake:",
        "singular": "offer",
        "plural": "offers",
    },
    "demand": {
        "label": "DEMAND",
        "emoji": "📣",
        "slack": ":mega:",
        "singular": "demand",
        "plural": "demands",
    },
    "denial": {
        "label": "DENIAL",
        "emoji": "🚫",
        "slack": ":no_entry_sign:",
        "singular": "denial",
        "plural": "denials",
    },
    "accusation": {
        "label": "ACCUSATION",
        "emoji": "⚠️",
        "slack": ":warning:",
        "singular": "accusation",
        "plural": "accusations",
    },
    "statement": {
        "label": "SAID",
        "emoji": "💬",
        "slack": ":speech_balloon:",
        "singular": "other statement",
        "plural": "other statements",
    },
}


_ESCAPERS = {
    "text": text_escape,
    "markdown": md_escape,
    "slack": slack_escape,
    "slack_plain": slack_plain,
    "discord": discord_escape,
}

# --- templates ----------------------------------------------------------------------------------


def template_root() -> Traversable:
    """The installed package data ``briefings.templates``, or ``<repo>/templates`` in a source tree."""
    try:
        root = resources.files("briefings.templates")
        if root.joinpath("text").is_dir():
            return root
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / "templates"


def _wrap(text: str, width: int = 78, indent: str = "", first: str | None = None) -> str:
    """Fill text to ``width`` columns for a terminal; long words (URLs) are never broken."""
    lines = []
    for n, para in enumerate(str(text).split("\n")):
        lines.append(
            textwrap.fill(
                para,
                width=width,
                initial_indent=(indent if first is None else first) if n == 0 else indent,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
            or (indent if first is None else first).rstrip()
        )
    return "\n".join(lines)


# Participle cues ("…, saying X", "telling his counterpart that X") and how they read after a name.
_PARTICIPLE_PAST = {
    "saying": "said",
    "adding": "added",
    "warning": "warned",
    "noting": "noted",
    "claiming": "claimed",
    "insisting": "insisted",
    "arguing": "argued",
    "urging": "urged",
    "accusing": "accused",
    "denying": "denied",
    "stressing": "stressed",
    "writing": "wrote",
}


def _cue_shown(cue: str | None) -> str:
    """The cue as it reads after a name ("has strenuously denied"), or "" when it would not read well.

    Participles ("saying", "telling") and "according to" need the sentence around
    them; a dangling preposition ("accused of") belongs to the content.
    """
    words = (cue or "").split()
    if not words or not words[0][:1].isalpha():
        return ""  # a marker such as "(floating quote)" rather than words of the article
    if words[0].lower() == "according":
        return ""
    if words[-1].lower().endswith("ing"):
        # "…, saying X" reads after a name as "said: X"; other participles need their sentence.
        past = _PARTICIPLE_PAST.get(words[-1].lower())
        if past is None or len(words) > 1:
            return ""
        words = [past]
    while words and words[-1].lower() in ("of", "to", "that", "for") and len(words) > 1:
        if words[-1].lower() == "for" and words[-2].lower() == "called":
            break  # "called for: an end to the war" reads as written
        words.pop()
    return " ".join(words)


class _ActsShown(dict):
    """ACTS_SHOWN for templates: an act outside the five (a stored or hand-built briefing) reads as SAID."""

    def __missing__(self, key: str) -> dict[str, str]:
        return ACTS_SHOWN["statement"]


def _act_count(act: str, n: int) -> str:
    shown = ACTS_SHOWN.get(act, ACTS_SHOWN["statement"])
    return f"{n} {shown['singular'] if n == 1 else shown['plural']}"


def _plural(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


@functools.cache
def environment() -> jinja2.Environment:
    """The one Jinja2 environment: no autoescape (each format escapes explicitly), strict undefined."""
    root = template_root()

    def load(name: str) -> str | None:
        node: Traversable = root
        for part in name.split("/"):
            node = node.joinpath(part)
        return node.read_text(encoding="utf-8") if node.is_file() else None

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(
        t=text_escape,
        md_escape=md_escape,
        slack_escape=slack_escape,
        slack_plain=slack_plain,
        discord_escape=discord_escape,
        slack_link=lambda label, url: slack_link(url, label),
        discord_link=lambda label, url: discord_link(url, label),
        md_link=lambda label, url: md_link(url, label),
        safe_url=safe_url,
        clip=L.clip,
        fit=lambda text, limit, how="text": L.fit(str(text), limit, _ESCAPERS[how]),
        wrap=_wrap,
        cue=_cue_shown,
    )
    env.globals.update(
        acts=_ActsShown(ACTS_SHOWN), plural=_plural, act_count=_act_count, digest_bullets=DIGEST_BULLETS
    )
    return env


def _parts(fmt: str) -> Any:
    """The macros of ``templates/<fmt>/parts.j2``, callable from Python."""
    return environment().get_template(f"{fmt}/parts.j2").module


def _no_mentions() -> dict[str, list[str]]:
    """allowed_mentions for every Discord message: nobody is pinged (a new dict each time, never shared)."""
    return {"parse": []}


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


# --- public API ---------------------------------------------------------------------------------


def readable_date(value: str | None, tz: str | None = None) -> str | None:
    """An ISO 8601 date or datetime as a reader writes it: "30 Nov 2026" or "30 Nov 2026, 07:30" in the
    time zone ``tz`` (a datetime without offset is UTC). Anything else (a dateline's "Nov. 30") is kept."""
    if not value:
        return value
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            return f"{day.day} {day:%b %Y}"
        if not re.match(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text):
            return value
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return value
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if tz:
        try:
            when = when.astimezone(ZoneInfo(tz))
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return f"{when.day} {when:%b %Y, %H:%M}"


def _localised(briefing: Briefing, tz: str | None) -> Briefing:
    shown = readable_date(briefing.date, tz)
    return briefing if shown == briefing.date else dataclasses.replace(briefing, date=shown)


def render(briefing: Briefing, fmt: str, *, tz: str | None = None) -> str | dict[str, Any]:
    """One briefing as ``fmt``: a str for text/markdown, the message payload dict for Slack/Discord.

    Dates read as "30 Nov 2026, 07:30" in ``tz`` (the channel's or BRIEFBOT_TIMEZONE; None: as given)."""
    _check_format(fmt)
    briefing = _localised(briefing, tz)
    if fmt == "slack":
        return _slack_briefing(briefing)
    if fmt == "discord":
        return _discord_briefing(briefing)
    return environment().get_template(f"{fmt}/briefing.j2").render(b=briefing).strip("\n") + "\n"


def briefing_data(briefing: Briefing) -> dict[str, Any]:
    """A briefing as plain JSON data (``--format json``): every string printable, as in the other formats
    (no C0/C1 control characters, terminal escapes or bidi overrides)."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return clean_text(value)
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    data: dict[str, Any] = clean(briefing.to_dict())
    data.pop("record", None)  # the memory's copy of every statement: `briefbot extract` gives those
    return data


def render_digest(digest: Digest, fmt: str, *, tz: str | None = None) -> list[str | dict[str, Any]]:
    """A digest as a list of messages: continuations follow when one message would exceed the limits.

    Dates read in ``tz``, else in the digest's own ``timezone`` (its channel's)."""
    _check_format(fmt)
    zone = tz or digest.timezone
    digest = dataclasses.replace(
        digest,
        items=[
            dataclasses.replace(item, briefing=_localised(item.briefing, zone)) if item.briefing else item
            for item in digest.items
        ],
    )
    if fmt == "slack":
        return list(_slack_digest(digest))
    if fmt == "discord":
        return list(_discord_digest(digest))
    return [environment().get_template(f"{fmt}/digest.j2").render(d=digest).strip("\n") + "\n"]


def render_message(text: str, fmt: str) -> str | dict[str, Any]:
    """A short plain notice (error, help, confirmation) as ``fmt``, escaped like article text."""
    _check_format(fmt)
    text = clean_text(text).strip()
    if fmt == "text":
        return text_escape(text) + "\n"
    if fmt == "markdown":
        return md_escape(text) + "\n"
    if fmt == "slack":
        body = L.fit(text, L.SLACK_SECTION_TEXT, slack_escape)
        return {
            "text": L.fit(text, L.SLACK_FALLBACK_TEXT, slack_escape),
            "blocks": [_section(body)] if body else [],
        }
    return {
        "content": L.fit(text, L.DISCORD_CONTENT, discord_escape),
        "embeds": [],
        "allowed_mentions": _no_mentions(),
    }


# --- Slack --------------------------------------------------------------------------------------


def _section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def _context(mrkdwn: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn}]}


def _header(plain: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": plain, "emoji": True}}


def _m(macro: Any, *args: Any) -> str:
    return str(macro(*args)).strip()


def _fit_mrkdwn(text: str, limit: int = L.SLACK_SECTION_TEXT) -> str:
    """Last guard on an assembled mrkdwn text: the pieces are fitted already, this only trims the tail."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp >= 0 and ";" not in cut[amp:]:
        cut = cut[:amp]  # never leave half of an &amp; entity
    return cut.rstrip() + L.ELLIPSIS


def _slack_briefing_blocks(b: Briefing, parts: Any) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [_header(_m(parts.header, b))]
    meta = _m(parts.meta, b)
    if meta:
        blocks.append(_context(_fit_mrkdwn(meta)))
    who = _m(parts.speakers, b)
    if who:
        blocks.append(_section(_fit_mrkdwn(who)))
    blocks.append({"type": "divider"})
    bullet_blocks = [_section(_fit_mrkdwn(_m(parts.bullet, x))) for x in b.bullets]
    if not bullet_blocks:
        bullet_blocks = [_section(_m(parts.empty, b))]
    room = L.SLACK_BLOCKS - len(blocks) - 1  # one for the footer
    if len(bullet_blocks) > room:
        # Past the block limit the remaining bullets share sections, packed to the text limit.
        head, tail = bullet_blocks[: room - 1], bullet_blocks[room - 1 :]
        packed = L.pack((blk["text"]["text"] for blk in tail), L.SLACK_SECTION_TEXT, "\n\n")
        bullet_blocks = head + [_section(packed[0])]
    blocks.extend(bullet_blocks)
    blocks.append(_context(_fit_mrkdwn(_m(parts.footer, b))))
    return blocks


def _slack_briefing(b: Briefing) -> dict[str, Any]:
    parts = _parts("slack")
    return {
        "text": _fit_mrkdwn(_m(parts.fallback, b), L.SLACK_FALLBACK_TEXT),
        "blocks": _slack_briefing_blocks(b, parts),
    }


def _slack_digest(d: Digest) -> list[dict[str, Any]]:
    parts = _parts("slack")
    groups: list[list[dict[str, Any]]] = []  # blocks that belong together (one article)
    for n, item in enumerate(d.items, 1):
        group = [_section(_fit_mrkdwn(_m(parts.digest_item_head, item, n)))]
        if item.briefing is not None:
            lines = [_m(parts.digest_bullet, x) for x in item.briefing.bullets[:DIGEST_BULLETS]]
            more = _m(parts.digest_item_more, item.briefing)
            lines += [more] if more else []
            group += [_section(chunk) for chunk in L.pack(lines, L.SLACK_SECTION_TEXT)]
        group.append({"type": "divider"})
        groups.append(group)
    if d.more:
        lines = [_m(parts.more_title, d)] + [_m(parts.more_item, item) for item in d.more]
        lines += [_m(parts.more_unlisted, d)] if d.unlisted else []
        groups.append([_section(chunk) for chunk in L.pack(lines, L.SLACK_SECTION_TEXT)])
    if not groups:
        groups.append([_section(_m(parts.digest_empty, d))])

    messages: list[list[dict[str, Any]]] = []
    room = L.SLACK_BLOCKS - 1  # every message opens with a header
    current: list[dict[str, Any]] = []
    for group in groups:
        while len(group) > room:  # a group alone too long for one message is split across messages
            if current:
                messages.append(current)
                current = []
            messages.append(group[:room])
            group = group[room:]
        if len(current) + len(group) > room:
            messages.append(current)
            current = []
        current.extend(group)
    if current:
        messages.append(current)

    total = len(messages)
    out = []
    for i, blocks in enumerate(messages, 1):
        head = _header(_m(parts.digest_header, d, i, total))
        out.append(
            {
                "text": _fit_mrkdwn(_m(parts.digest_fallback, d, i, total), L.SLACK_FALLBACK_TEXT),
                "blocks": [head, *blocks],
            }
        )
    return out


# --- Discord ------------------------------------------------------------------------------------


def _shrink_embeds(embeds: list[dict[str, Any]], note: Any) -> None:
    """Drop trailing fields (counted in a footer note) until the message is within 6,000 characters."""

    def total() -> int:
        return sum(L.embed_size(e) for e in embeds)

    dropped = 0
    while total() > L.DISCORD_EMBED_TOTAL:
        embed = embeds[-1]
        if embed.get("fields"):
            embed["fields"].pop()
            dropped += 1
            embed["footer"] = {"text": L.clip(str(note(dropped)).strip(), L.DISCORD_FOOTER_TEXT)}
        elif embed.get("description") and len(embed["description"]) > 200:
            over = total() - L.DISCORD_EMBED_TOTAL
            embed["description"] = L.clip(
                embed["description"], max(200, len(embed["description"]) - over - 1)
            )
        elif len(embeds) > 1:
            embeds.pop()
        else:
            break


def _discord_briefing(b: Briefing) -> dict[str, Any]:
    parts = _parts("discord")
    embed: dict[str, Any] = {
        "title": L.fit(b.headline, L.DISCORD_EMBED_TITLE, discord_escape),
        "color": 0x3B82F6,
    }
    url = safe_url(b.url)
    if url:
        embed["url"] = url
    description = _m(parts.description, b)
    if description:
        embed["description"] = L.clip(description, L.DISCORD_EMBED_DESCRIPTION)
    fields = []
    for x in b.bullets[: L.DISCORD_FIELDS]:
        fields.append(
            {
                "name": L.clip(_m(parts.field_name, x), L.DISCORD_FIELD_NAME),
                "value": L.clip(_m(parts.field_value, x), L.DISCORD_FIELD_VALUE),
                "inline": False,
            }
        )
    if not fields:
        fields.append(
            {"name": "\u200b", "value": L.clip(_m(parts.empty, b), L.DISCORD_FIELD_VALUE), "inline": False}
        )
    embed["fields"] = fields
    embed["footer"] = {"text": L.clip(_m(parts.footer, b, 0), L.DISCORD_FOOTER_TEXT)}
    embeds = [embed]
    _shrink_embeds(embeds, lambda dropped: parts.footer(b, dropped))
    return {"content": "", "embeds": embeds, "allowed_mentions": _no_mentions()}


def _discord_digest(d: Digest) -> list[dict[str, Any]]:
    parts = _parts("discord")
    embeds: list[dict[str, Any]] = []
    for n, item in enumerate(d.items, 1):
        embeds.append(_discord_digest_embed(parts, item, n))
    if d.more:
        lines = [_m(parts.more_item, item) for item in d.more]
        lines += [_m(parts.more_unlisted, d)] if d.unlisted else []
        chunks = L.pack(lines, L.DISCORD_EMBED_DESCRIPTION)
        for i, chunk in enumerate(chunks):
            title = _m(parts.more_title, d) if i == 0 else _m(parts.more_title_continued, d)
            embeds.append(
                {"title": L.clip(title, L.DISCORD_EMBED_TITLE), "description": chunk, "color": 0x94A3B8}
            )

    messages: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for embed in embeds:
        n = L.embed_size(embed)
        if current and (len(current) >= L.DISCORD_EMBEDS or size + n > L.DISCORD_EMBED_TOTAL):
            messages.append(current)
            current, size = [], 0
        current.append(embed)
        size += n
    if current or not messages:
        messages.append(current)

    total = len(messages)
    out: list[dict[str, Any]] = []
    for i, group in enumerate(messages, 1):
        content = L.clip(_m(parts.digest_content, d, i, total), L.DISCORD_CONTENT)
        if not group and i == 1:
            content = L.clip(content + "\n" + _m(parts.digest_empty, d), L.DISCORD_CONTENT)
        out.append({"content": content, "embeds": group, "allowed_mentions": _no_mentions()})
    return out


def _discord_digest_embed(parts: Any, item: DigestItem, n: int) -> dict[str, Any]:
    embed: dict[str, Any] = {
        "title": f"{n}. " + L.fit(item.headline, L.DISCORD_EMBED_TITLE - len(f"{n}. "), discord_escape),
        "color": 0x3B82F6,
    }
    url = safe_url(item.url)
    if url:
        embed["url"] = url
    if item.briefing is not None:
        lines = [_m(parts.digest_meta, item.briefing)]
        lines += [_m(parts.digest_bullet, x) for x in item.briefing.bullets[:DIGEST_BULLETS]]
        more = _m(parts.digest_item_more, item.briefing)
        lines += [more] if more else []
        # One article takes at most a third of a message, so that articles share messages.
        budget = min(L.DISCORD_EMBED_DESCRIPTION, L.DISCORD_EMBED_TOTAL // 3)
        embed["description"] = L.pack([ln for ln in lines if ln], budget)[0] if any(lines) else ""
        if not embed["description"]:
            del embed["description"]
    return embed
