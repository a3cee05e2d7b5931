"""The webhook's JSON (schema ``briefbot.webhook/1``, documented in docs/webhook.md): one object per
briefing, digest or notice. ``text`` is the Markdown rendering, so chat tools that show a ``text`` field
(Mattermost, Slack-compatible and Teams incoming webhooks) show something readable as they are."""

from __future__ import annotations

from typing import Any

from briefings.models import Briefing, Digest, DigestItem
from briefings.present import render as R
from briefings.present.escape import clean_text, safe_url

SCHEMA = "briefbot.webhook/1"
ACTS = ("offer", "demand", "denial", "accusation", "statement")


def _clean(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def briefing_object(b: Briefing) -> dict[str, Any]:
    """One briefing as plain data: headline, url, speakers, bullets (act, speaker, text, tracked), counts."""
    return {
        "headline": _clean(b.headline),
        "url": safe_url(b.url),
        "source": _clean(b.source),
        "date": _clean(b.date),
        "dateline": _clean(b.dateline),
        "note": _clean(b.note),
        "speakers": [
            {"name": _clean(s.name), "role": _clean(s.role), "statements": s.statements} for s in b.speakers
        ],
        "bullets": [
            {
                "act": x.act,
                "kind": x.kind,
                "speaker": _clean(x.speaker),
                "speaker_role": _clean(x.speaker_role),
                "cue": _clean(x.cue),
                "text": _clean(x.text),
                "tracked": x.tracked,
            }
            for x in b.bullets
        ],
        "counts": {
            "statements": b.total_statements,
            "shown": len(b.bullets),
            "omitted": b.omitted,
            **{act: b.counts.get(act, 0) for act in ACTS},
        },
    }


def _item(item: DigestItem) -> dict[str, Any]:
    if item.briefing is not None:
        return {
            **briefing_object(item.briefing),
            "headline": _clean(item.headline),
            "url": safe_url(item.url),
        }
    return {"headline": _clean(item.headline), "url": safe_url(item.url)}


class WebhookRenderer:
    """``briefings.deliver.platforms.Renderer`` for webhooks: one JSON object per message."""

    def briefing(self, briefing: Briefing, *, tz: str | None = None) -> dict[str, Any]:
        b = R.localised(briefing, tz)
        return {
            "schema": SCHEMA,
            "type": "briefing",
            "text": R.render(b, "markdown").rstrip("\n"),
            **briefing_object(b),
        }

    def digest(self, digest: Digest, *, tz: str | None = None) -> list[dict[str, Any]]:
        d = R.localised_digest(digest, tz)
        return [
            {
                "schema": SCHEMA,
                "type": "digest",
                "text": R.render_digest(d, "markdown")[0].rstrip("\n"),
                "title": _clean(d.title),
                "generated_at": d.generated_at,
                "items": [_item(i) for i in d.items],
                "more": [_item(i) for i in d.more],
                "unlisted": d.unlisted,
                "counts": {"articles": len(d.items) + len(d.more) + d.unlisted, "briefed": len(d.items)},
            }
        ]

    def message(self, text: str) -> dict[str, Any]:
        return {"schema": SCHEMA, "type": "notice", "text": clean_text(text).strip()}

    def code(self, text: str, code: str, *, lang: str = "") -> list[dict[str, Any]]:
        return [{"schema": SCHEMA, "type": "notice", "text": clean_text(text).strip(), "code": code}]
