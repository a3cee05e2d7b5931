"""Per-platform escaping of article text, so that it shows as written and can never ping, link or format.

Each filter takes raw text (from an article, a feed or a user) and returns text
that is safe inside that platform's markup. Our own markup is added by the
templates around the escaped text, never inside it.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"  # zero-width space: breaks a mention or markup token without changing what a reader sees

# C0/C1 control characters (ANSI colour and cursor codes start with ESC) and bidi
# overrides/isolates, which can make text read differently from what it is.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_MASS_MENTION = re.compile(r"@(?=(?:everyone|here|channel|group|all|someone)\b)", re.IGNORECASE)
_URL_SAFE = re.compile(r"^https?://[^\s<>|\[\]()\"'`\\{}^]+$", re.IGNORECASE)


def clean_text(text: str) -> str:
    """Printable text only: no terminal escape codes, control characters or bidi overrides; CR/LF kept as LF."""
    text = _ANSI.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def _inert_mentions(text: str) -> str:
    return _MASS_MENTION.sub("@" + ZWSP, text)


def safe_url(url: str | None) -> str | None:
    """The URL when it is a plain http(s) address that cannot break out of link markup, else None."""
    if not url:
        return None
    url = url.strip()
    return url if _URL_SAFE.match(url) and len(url) <= 2000 else None


# --- Slack mrkdwn -----------------------------------------------------------------------------

# Slack has no escape character for its formatting marks; look-alikes keep the text
# readable while making `*bold*`, `~strike~` and `code` spans impossible.
_SLACK_LOOKALIKE = str.maketrans({"*": "∗", "~": "∼", "`": "ˋ"})
# `_` only formats at a word edge (snake_case stays as is).
_SLACK_UNDERSCORE = re.compile(r"(?:(?<![^\W_])_|_(?![^\W_]))")
_SLACK_QUOTE_LINE = re.compile(r"^(\s*)&gt;", re.MULTILINE)


def slack_escape(text: str) -> str:
    """Article text inside Slack mrkdwn: ``& < >`` escaped (no mention, channel ping or link can form)."""
    text = clean_text(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.translate(_SLACK_LOOKALIKE)
    text = _SLACK_UNDERSCORE.sub("ˍ", text)
    # `> ` at a line start would quote the rest of the line.
    text = _SLACK_QUOTE_LINE.sub(lambda m: m.group(1) + ZWSP + "&gt;", text)
    return _inert_mentions(text)


def slack_plain(text: str) -> str:
    """Article text inside a Slack ``plain_text`` object (header, button): nothing is parsed there,
    but mention syntax is broken anyway so that no tool reading the payload mistakes it for one."""
    text = clean_text(text).replace("<", "<" + ZWSP)
    return _inert_mentions(text)


def slack_link(url: str | None, label: str) -> str:
    """``<url|label>`` when the URL is safe, else the escaped label alone (never a link we did not vet)."""
    safe = safe_url(url)
    label = slack_escape(label)
    if safe is None:
        return label
    return f"<{safe}|{label.replace('|', '¦')}>"


# --- Discord markdown -------------------------------------------------------------------------

_DISCORD_MARKS = re.compile(r"([\\*_~`|>\[\]])")
# At a line start: headings (#, ##, ###), subtext (-#), lists (-, *, +, 1.), quotes (>).
_DISCORD_LINE_START = re.compile(r"^(\s*)(#{1,3}\s|-#\s|[-+]\s|\d+[.)]\s)", re.MULTILINE)


def discord_escape(text: str) -> str:
    """Article text inside Discord markdown: marks backslash-escaped, mentions and masked links inert."""
    text = clean_text(text)
    text = _DISCORD_MARKS.sub(r"\\\1", text)
    text = _DISCORD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    # <@id>, <@&role>, <#channel>, </command:id>, <t:…>, <:emoji:id> all start with "<".
    text = text.replace("<", "<" + ZWSP)
    return _inert_mentions(text)


def discord_link(url: str | None, label: str) -> str:
    """``[label](url)`` (for embeds) when the URL is safe, else the escaped label alone."""
    safe = safe_url(url)
    label = discord_escape(label)
    return f"[{label}]({safe})" if safe else label


# --- Markdown (CommonMark / GitHub) -----------------------------------------------------------

_MD_MARKS = re.compile(r"([\\`*_\[\]<>|~&])")
_MD_LINE_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|[-+=](?=\s|$))", re.MULTILINE)
# "10. " or "3) " at a line start would begin an ordered list. A backslash before the digits is not an
# escape in CommonMark (it would show as "\10."); before the "." or ")" it is, and renders as nothing.
_MD_ORDERED = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)", re.MULTILINE)


def md_escape(text: str) -> str:
    """Article text inside Markdown: emphasis, code, links, HTML and line-start blocks escaped."""
    text = clean_text(text)
    text = _MD_MARKS.sub(r"\\\1", text)
    text = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    text = _MD_ORDERED.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return _inert_mentions(text)


def md_link(url: str | None, label: str) -> str:
    safe = safe_url(url)
    label = md_escape(label)
    return f"[{label}](<{safe}>)" if safe else label


def text_escape(text: str) -> str:
    """Article text for a terminal: printable only (an article cannot move the cursor or change colours).

    Mass mentions are broken too: console output gets pasted into chats and webhooks.
    """
    return _inert_mentions(clean_text(text))
