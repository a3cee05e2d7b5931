"""The "paste an article" modal: the view to open, and reading a submission back.

The view itself is data (``payloads/brief_modal.json``); this module only fills in
where the briefing goes (``private_metadata``) and joins the pasted parts.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

CALLBACK_ID = "brief_modal"


@cache
def _template() -> dict[str, Any]:
    text = resources.files("bots.slack_app").joinpath("payloads/brief_modal.json").read_text("utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class ModalTarget:
    """Where a modal's briefing goes: carried through Slack in the view's private_metadata."""

    channel: str
    team: str | None = None


def brief_modal(target: ModalTarget) -> dict[str, Any]:
    """The modal view for ``views.open``, remembering the channel the command came from."""
    view = copy.deepcopy(_template())
    view["private_metadata"] = json.dumps({"channel": target.channel, "team": target.team})
    return view


def submission_target(view: dict[str, Any]) -> ModalTarget:
    meta = json.loads(view.get("private_metadata") or "{}")
    return ModalTarget(channel=str(meta.get("channel") or ""), team=meta.get("team"))


def submitted_text(view: dict[str, Any]) -> str:
    """The pasted parts joined in box order (a long article is split over several 3,000-char boxes)."""
    values = view.get("state", {}).get("values", {})
    parts = []
    for block_id in sorted(b for b in values if b.startswith("article_")):
        value = (values[block_id].get("text") or {}).get("value")
        if value and value.strip():
            parts.append(value.strip("\n"))
    return "\n".join(parts)
