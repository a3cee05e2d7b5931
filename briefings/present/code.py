"""Verbatim text (an OPML export) as code blocks per platform, split to fit each platform's limits."""

from __future__ import annotations

from typing import Any

SLACK_CHUNK = 2_900  # a section's text is at most 3,000 characters, with the fences
DISCORD_CHUNK = 1_900  # a message's content is at most 2,000 characters, with the fences
SLACK_BLOCKS = 45  # of 50 per message


def _chunks(code: str, size: int) -> list[str]:
    """Split at line ends where possible, never inside a line unless the line alone is too long."""
    out: list[str] = []
    current = ""
    for line in code.splitlines(keepends=True):
        while len(line) > size:
            if current:
                out.append(current)
                current = ""
            out.append(line[:size])
            line = line[size:]
        if len(current) + len(line) > size:
            out.append(current)
            current = ""
        current += line
    if current or not out:
        out.append(current)
    return out


def _no_fence(code: str) -> str:
    return code.replace("```", "ˋˋˋ")


def render_code(text: str, code: str, fmt: str, *, lang: str = "") -> list[str | dict[str, Any]]:
    """``text`` (a short heading, plain) then ``code`` verbatim, as the messages of ``fmt``."""
    code = _no_fence(code).rstrip("\n")
    if fmt == "slack":

        def esc(s: str) -> str:
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

        blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": esc(text)}}]
        blocks += [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"```{esc(c)}```"}}
            for c in _chunks(code, SLACK_CHUNK - 200)
        ]
        return [
            {"text": esc(text), "blocks": blocks[i : i + SLACK_BLOCKS]}
            for i in range(0, len(blocks), SLACK_BLOCKS)
        ]
    if fmt == "discord":
        first = text.replace("@", "@\u200b")[:300]
        parts = _chunks(code, DISCORD_CHUNK - len(first) - 20)
        out: list[str | dict[str, Any]] = []
        for i, chunk in enumerate(parts):
            head = first + "\n" if i == 0 else ""
            out.append(
                {"content": f"{head}```{lang}\n{chunk}\n```", "embeds": [], "allowed_mentions": {"parse": []}}
            )
        return out
    return [f"{text}\n{code}\n"]
