"""Slack Block Kit payload of a statement-memory answer (``/brief who``, tracking messages): one
section per act, statements escaped (no mention, link or formatting can form), within Slack's limits."""

from __future__ import annotations

from typing import Any

from briefings.models import Recall
from briefings.present import limits as L
from briefings.present.escape import slack_escape, slack_link
from briefings.present.recall import groups, more_line, statement_line
from briefings.present.render import ACTS_SHOWN


def slack_recall(recall: Recall) -> dict[str, Any]:
    title = "*" + L.fit(recall.title, L.SLACK_SECTION_TEXT - 2, slack_escape) + "*"
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": title}}]
    for act, shown, more in groups(recall):
        label = ACTS_SHOWN[act]
        pieces = [f"{label['slack']} *{label['label']}*"]
        pieces += [statement_line(s, slack_escape, slack_link, "•", "*") for s in shown]
        if more:
            pieces.append(more_line(more, act))
        for chunk in L.pack(pieces, L.SLACK_SECTION_TEXT):
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": chunk}})
    if recall.note:
        note = L.fit(recall.note, L.SLACK_CONTEXT_TEXT, slack_escape)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return {
        "text": L.fit(recall.title, L.SLACK_FALLBACK_TEXT, slack_escape),
        "blocks": blocks[: L.SLACK_BLOCKS],
    }
