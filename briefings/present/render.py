"""Render briefings, digests and notices in the core formats (text, markdown), and the template
machinery the platform adapters build their payloads from.

The wording lives in ``templates/<format>/``; this module loads them. A platform's
payload (Slack Block Kit, Discord embeds, a webhook's JSON) is laid out by its
adapter in ``bots/`` from the macros of ``parts(fmt)``, within the hard limits of
``limits``; article text is escaped by the templates' per-platform filters (``escape``).
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

from briefings.models import Briefing, Digest
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

FORMATS = ("text", "markdown")  # the core formats; platforms add their own (briefings.deliver.platforms)
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


def plural(n: int, singular: str, other: str | None = None) -> str:
    """ "1 feed", "2 feeds": a count with its noun (``other`` when the plural is not singular + s)."""
    return f"{n} {singular if n == 1 else (other or singular + 's')}"


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
        acts=_ActsShown(ACTS_SHOWN), plural=plural, act_count=_act_count, digest_bullets=DIGEST_BULLETS
    )
    return env


def parts(fmt: str) -> Any:
    """The macros of ``templates/<fmt>/parts.j2``, callable from Python."""
    return environment().get_template(f"{fmt}/parts.j2").module


def macro(m: Any, *args: Any) -> str:
    """A macro of ``parts(fmt)`` called, as stripped text."""
    return str(m(*args)).strip()


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


def localised(briefing: Briefing, tz: str | None) -> Briefing:
    """The briefing with its date as a reader writes it in ``tz`` (``readable_date``)."""
    shown = readable_date(briefing.date, tz)
    return briefing if shown == briefing.date else dataclasses.replace(briefing, date=shown)


def localised_digest(digest: Digest, tz: str | None) -> Digest:
    """The digest with its articles' dates read in ``tz``, else in the digest's own ``timezone``."""
    zone = tz or digest.timezone
    return dataclasses.replace(
        digest,
        items=[
            dataclasses.replace(item, briefing=localised(item.briefing, zone)) if item.briefing else item
            for item in digest.items
        ],
    )


def render(briefing: Briefing, fmt: str, *, tz: str | None = None) -> str:
    """One briefing as ``fmt`` (text or markdown).

    Dates read as "30 Nov 2026, 07:30" in ``tz`` (the channel's or BRIEFBOT_TIMEZONE; None: as given)."""
    _check_format(fmt)
    briefing = localised(briefing, tz)
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
    for bullet in data.get("bullets", []):
        bullet.pop("tracked", None)  # a digest's mark (a tracked speaker), never set on a briefing
    return data


def render_digest(digest: Digest, fmt: str, *, tz: str | None = None) -> list[str]:
    """A digest as a list of messages (one, in the core formats).

    Dates read in ``tz``, else in the digest's own ``timezone`` (its channel's)."""
    _check_format(fmt)
    digest = localised_digest(digest, tz)
    return [environment().get_template(f"{fmt}/digest.j2").render(d=digest).strip("\n") + "\n"]


def render_message(text: str, fmt: str) -> str:
    """A short plain notice (error, help, confirmation) as ``fmt``, escaped like article text."""
    _check_format(fmt)
    text = clean_text(text).strip()
    if fmt == "text":
        return text_escape(text) + "\n"
    return md_escape(text) + "\n"
