"""Discord payload of a statement-memory answer (``/briefing who``, tracking messages): one embed,
acts as bold headings, statements escaped (mentions inert, no masked link but the article's), mentions off."""

from __future__ import annotations

from typing import Any

from briefings.models import Recall
from briefings.present import limits as L
from briefings.present.escape import clean_text, discord_escape, discord_link
from briefings.present.recall import groups, more_line, statement_line
from briefings.present.render import ACTS_SHOWN


def discord_recall(recall: Recall) -> dict[str, Any]:
    pieces: list[str] = []
    for act, shown, more in groups(recall):
        label = ACTS_SHOWN[act]
        pieces.append(f"{label['emoji']} **{label['label']}**")
        pieces += [statement_line(s, discord_escape, discord_link, "-", "**") for s in shown]
        if more:
            pieces.append(more_line(more, act))
    if recall.note:
        pieces.append(discord_escape(recall.note))
    description = (L.pack(pieces, L.DISCORD_EMBED_DESCRIPTION) or [""])[0]
    embed = {"title": L.fit(clean_text(recall.title), L.DISCORD_EMBED_TITLE), "description": description}
    return {"content": "", "embeds": [embed], "allowed_mentions": {"parse": []}}
