"""Briefings through the real bolt app: /brief <url>, pasted text, the modal, the shortcut, 429s, limits, mentions.

Every assertion is on the Block Kit JSON that reached the loopback Slack.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slack_loopback import BOT_TOKEN, fixture_payload

SLACK_TEXT_LIMIT = 40_000  # chat.postMessage truncates text beyond this
MENTION = re.compile(r"<[!@#]|<https?://evil")


def _blocks_text(params: dict[str, Any]) -> str:
    return json.dumps(params.get("blocks"), ensure_ascii=False)


def _assert_block_kit_limits(params: dict[str, Any]) -> None:
    blocks = params["blocks"]
    assert 0 < len(blocks) <= 50
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
            for f in block.get("fields", ()):
                assert len(f["text"]) <= 2000
        if block["type"] == "context":
            assert len(block["elements"]) <= 10
    assert params["text"] and len(params["text"]) <= SLACK_TEXT_LIMIT


def _assert_posted_inertly(params: dict[str, Any]) -> None:
    """Nothing Slack would turn into a ping: no <!channel>/<@U…> markup, and no link_names/parse=full."""
    for field in (params["text"], _blocks_text(params)):
        assert not MENTION.search(field), field[:500]
    assert not params.get("link_names")
    assert params.get("parse") != "full"


async def test_seed_article_briefed_from_a_loopback_url(running_app, slack, seed_path):
    url = slack.serve_article("seed.txt", seed_path.read_text("utf-8"))
    status, body = await running_app.command(url)
    assert status == 200 and body == ""  # acknowledged with an empty body; the briefing follows
    (call,) = await slack.wait_calls("chat.postMessage")
    params = call.params
    assert call.token == BOT_TOKEN
    assert params["channel"] == "C0NEWS"
    assert params["unfurl_links"] is False
    _assert_block_kit_limits(params)
    _assert_posted_inertly(params)
    blocks = params["blocks"]
    assert blocks[0]["type"] == "header" and "Iran Ready to Help End Ukraine War" in blocks[0]["text"]["text"]
    text = _blocks_text(params)
    assert "Dmytro Kuleba" in text and "Hussein Amir-Abdollahian" in text
    assert "OFFER" in text and "DEMAND" in text
    assert "Iran is ready to help the two sides reach a ceasefire" in text
    assert "Iran Ready to Help End Ukraine War" in params["text"]
    assert slack.responses == []  # nothing went wrong, so nothing ephemeral


async def test_pasted_text_is_briefed_into_the_channel(running_app, slack, seed_path):
    # Slack sends command text with & < > as entities; the seed has none, a quote of it is added
    article = seed_path.read_text("utf-8") + "\n“Talks &amp; more talks,” Kuleba said.\n"
    await running_app.command(article)
    (call,) = await slack.wait_calls("chat.postMessage")
    text = _blocks_text(call.params)
    assert "Dmytro Kuleba" in text
    assert "&amp;amp;" not in text  # unescaped once on the way in, escaped once on the way out
    _assert_block_kit_limits(call.params)


async def test_modal_submission_briefs_the_pasted_parts_into_the_channel(running_app, slack, seed_path):
    seed = seed_path.read_text("utf-8")
    cut = seed.index("\n", len(seed) // 2)
    payload = fixture_payload("view_submission.json")
    payload["view"]["state"]["values"] = {
        "article_0": {"text": {"type": "plain_text_input", "value": seed[:cut]}},
        "article_1": {"text": {"type": "plain_text_input", "value": seed[cut + 1 :]}},
        "article_2": {"text": {"type": "plain_text_input", "value": None}},
    }
    status, body = await running_app.interaction(payload)
    assert status == 200 and body == ""  # an empty ack closes the modal
    (call,) = await slack.wait_calls("chat.postMessage")
    assert call.params["channel"] == "C0NEWS"  # from private_metadata
    text = _blocks_text(call.params)
    assert "Dmytro Kuleba" in text
    # a statement from the second half made it: the parts were joined
    assert "ceasefire" in text


async def test_shortcut_briefs_the_messages_link_in_its_thread(running_app, slack, seed_path):
    url = slack.serve_article(
        "story.html", _as_html(seed_path.read_text("utf-8")), "text/html; charset=utf-8"
    )
    payload = fixture_payload("message_shortcut.json")
    payload["message"]["text"] = f"Worth a read: <{url}|{url.split('://')[1]}> (via a friend)"
    status, _ = await running_app.interaction(payload)
    assert status == 200
    (call,) = await slack.wait_calls("chat.postMessage")
    assert call.params["channel"] == "C0NEWS"
    assert call.params["thread_ts"] == payload["message"]["ts"]
    assert "Dmytro Kuleba" in _blocks_text(call.params)


async def test_shortcut_on_a_message_without_links_briefs_its_text(running_app, slack, seed_path):
    payload = fixture_payload("message_shortcut.json")
    payload["message"]["text"] = seed_path.read_text("utf-8")
    payload["message"]["thread_ts"] = "1764268000.000001"  # a reply inside a thread stays in that thread
    await running_app.interaction(payload)
    (call,) = await slack.wait_calls("chat.postMessage")
    assert call.params["thread_ts"] == "1764268000.000001"
    assert "Hussein Amir-Abdollahian" in _blocks_text(call.params)


async def test_shortcut_on_a_message_with_nothing_said_answers_only_the_user(running_app, slack):
    payload = fixture_payload("message_shortcut.json")
    payload["message"]["text"] = "ok, see you at lunch"
    await running_app.interaction(payload)
    (call,) = await slack.wait_calls("chat.postEphemeral")
    assert call.params["user"] == "U0READER" and call.params["channel"] == "C0NEWS"
    assert call.params["thread_ts"] == payload["message"]["ts"]
    assert "nothing to brief" in call.params["text"]
    assert not slack.calls_to("chat.postMessage")


async def test_shortcut_on_a_dead_link_answers_only_the_user(running_app, slack):
    payload = fixture_payload("message_shortcut.json")
    payload["message"]["text"] = f"<{slack.article_url('gone.html')}>"
    await running_app.interaction(payload)
    (call,) = await slack.wait_calls("chat.postEphemeral")
    assert call.params["user"] == "U0READER" and "404" in call.params["text"]
    assert not slack.calls_to("chat.postMessage")


async def test_rate_limited_post_is_retried_after_retry_after(running_app, slack, seed_path, sleeps):
    slack.script("chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "3"})
    await running_app.command(seed_path.read_text("utf-8"))
    calls = await slack.wait_calls("chat.postMessage", 2)
    assert len(calls) == 2 and calls[0].params == calls[1].params
    assert slack.channels["C0NEWS"], "the second attempt was posted"
    # the client waited what Slack asked (recorded, not slept), plus under a second of jitter
    assert len(sleeps) == 1 and 3 <= sleeps[0] < 4
    assert slack.responses == []  # the user saw no error


async def test_huge_article_stays_within_block_kit_limits(running_app, slack, settings):
    settings.max_bullets, settings.max_bullet_chars = 25, 1000  # the most a user can configure
    article = _huge_article()
    url = slack.serve_article("huge.txt", article)
    await running_app.command(url)
    (call,) = await slack.wait_calls("chat.postMessage")
    _assert_block_kit_limits(call.params)
    _assert_posted_inertly(call.params)
    assert len(call.params["blocks"]) > 25  # it really was big: one section per bullet at least


async def test_mentions_in_article_text_are_posted_inert(running_app, slack):
    article = (
        "Minister Offers Talks <!channel>\n"
        "LONDON -- Ministers met on Monday to discuss the crisis.\n"
        "“<!channel> we are ready to offer talks @here and @everyone, <@U0BOSS> <!here|here> "
        "<#C0GENERAL> <https://evil.example|click>,” said John Smith, the foreign minister.\n"
        "Smith said the government would demand a ceasefire from <!everyone> by Friday.\n"
        "“We deny every allegation @channel,” Smith told reporters.\n"
    )
    url = slack.serve_article("mentions.txt", article)
    await running_app.command(url)
    (call,) = await slack.wait_calls("chat.postMessage")
    _assert_posted_inertly(call.params)
    assert "John Smith" in _blocks_text(call.params)


async def test_mentions_typed_into_the_command_are_posted_inert(running_app, slack, seed_path):
    # how Slack delivers them: real mentions as markup, a typed "<" as &lt;
    article = (
        seed_path.read_text("utf-8") + "\n“<!channel> &lt;!here&gt; <@U0BOSS> we offer talks,” Kuleba said.\n"
    )
    await running_app.command(article)
    (call,) = await slack.wait_calls("chat.postMessage")
    _assert_posted_inertly(call.params)


async def test_unreachable_url_is_an_ephemeral_error(running_app, slack):
    await running_app.command(slack.article_url("missing.txt"))  # 404
    await slack.wait_for(lambda s: s.responses)
    (posted,) = slack.responses
    assert posted.body["response_type"] == "ephemeral"
    assert "404" in posted.body["text"] or "not found" in posted.body["text"].lower()
    assert not slack.calls_to("chat.postMessage")


async def test_refused_private_address_is_an_ephemeral_error(running_app, slack, settings):
    settings.allow_private_hosts = False
    await running_app.command("http://10.1.2.3/news/story")
    await slack.wait_for(lambda s: s.responses)
    (posted,) = slack.responses
    assert posted.body["response_type"] == "ephemeral" and posted.body["text"]
    assert not slack.calls_to("chat.postMessage")


async def test_channel_the_bot_is_not_in_gets_the_briefing_through_the_response_url(
    running_app, slack, seed_path
):
    slack.not_in_channel.add("C0NEWS")
    await running_app.command(seed_path.read_text("utf-8"))
    await slack.wait_for(lambda s: s.responses)
    (posted,) = slack.responses
    assert posted.body["response_type"] == "in_channel"
    assert "Dmytro Kuleba" in json.dumps(posted.body["blocks"], ensure_ascii=False)


def _as_html(text: str) -> str:
    title, _, body = text.partition("\n")
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n") if p.strip())
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paragraphs}</article></body></html>"


def _huge_article() -> str:
    """80 distinct statements, 2,000-character quotes, 400-character names and headline: past Slack's limits."""
    words = (
        "ceasefire talks border grain ports sanctions prisoners drones reactor corridor convoy aid".split()
    )
    lines = ["Summit Ends With Offers, Demands and Denials " + "Everywhere " * 40]
    lines.append("GENEVA -- Delegations met for a third day of talks on Tuesday.")
    for i in range(40):
        name = f"Minister {'Alexandros' * 40} Number{i}"
        quote = " ".join(
            f"we will offer {words[(i * 5 + k) % len(words)]} number {i * 1000 + k}" for k in range(400)
        )
        lines.append(f"“{quote[:2000].capitalize()},” said {name}, the foreign minister.")
        lines.append(f"{name} demanded that the other side withdraw its forces at once.")
    return "\n".join(lines) + "\n"


async def test_ephemeral_errors_echoing_user_input_are_inert(running_app, slack):
    # a typed "<!channel>" arrives as entities; the error message that quotes it must not ping
    await running_app.command("&lt;!channel&gt;")
    await slack.wait_for(lambda s: s.responses)
    (posted,) = slack.responses
    assert posted.body["response_type"] == "ephemeral"
    body = json.dumps(posted.body)
    assert "<!channel>" not in body and "is not a URL or an article" in posted.body["text"]
