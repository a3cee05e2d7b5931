"""Verbatim text (an OPML export): the helpers platforms lay out code blocks with, and the plain form."""

from __future__ import annotations


def chunks(code: str, size: int) -> list[str]:
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


def no_fence(code: str) -> str:
    """Code as it can go inside a ``` fence (its own fences made look-alikes)."""
    return code.replace("```", "ˋˋˋ")


def plain_code(text: str, code: str) -> list[str]:
    """``text`` then ``code`` verbatim, as one plain-text message (the core formats; platforms with code
    blocks lay them out in their renderer's ``code``, from ``chunks`` and ``no_fence``)."""
    return [f"{text}\n{no_fence(code).rstrip(chr(10))}\n"]
