"""/brief and "Brief this" through discord.py's own interaction parsing, against the loopback Discord."""

from __future__ import annotations

import pytest
from discord_articles import article_html
from discord_checks import check_message, flat
from discord_fake import APPLICATION_ID, TOKEN
from discord_payloads import CHANNEL_ID, dispatch, interaction

from bots.discord_bot.config import discord_settings as discord_config

pytestmark = pytest.mark.usefixtures("bot")


def _after(fake, start: int) -> list:
    return fake.requests[start:]


def _seed_paragraphs(seed_path) -> tuple[str, list[str]]:
    lines = seed_path.read_text(encoding="utf-8").splitlines()
    return lines[0].removeprefix("FM: "), [line for line in lines[1:] if line.strip()]


async def test_login_syncs_the_commands_to_the_development_guild(fake_discord):
    (sync,) = fake_discord.matching(rf"PUT /applications/{APPLICATION_ID}/guilds/\d+/commands")
    by_name = {c["name"]: c for c in sync.body}
    assert set(by_name) == {"brief", "Brief this", "briefing"}
    assert [o["name"] for o in by_name["brief"]["options"]] == ["url", "text"]
    assert by_name["Brief this"]["type"] == 3  # a message context menu
    assert int(by_name["briefing"]["default_member_permissions"]) == 16  # Manage Channels
    assert {o["name"] for o in by_name["briefing"]["options"]} == {
        "subscribe",
        "list",
        "unsubscribe",
        "digest",
        "resume",
        "export",
        "who",  # the statement memory (issue 14)
        "track",
        "untrack",
        "tracking",
        "forget",
    }
    [subscribe] = [o for o in by_name["briefing"]["options"] if o["name"] == "subscribe"]
    assert {"only", "include", "exclude", "speaker"} <= {o["name"] for o in subscribe["options"]}


async def test_pasted_seed_is_deferred_then_answered_with_an_embed(bot, fake_discord, seed_path):
    start = len(fake_discord.requests)
    text = seed_path.read_text(encoding="utf-8")
    await dispatch(bot, interaction("slash_brief", options=[{"name": "text", "type": 3, "value": text}]))
    callback, followup = _after(fake_discord, start)
    assert callback.route.endswith("/callback")
    assert callback.body["type"] == 5  # deferred "thinking", before any work
    assert not (callback.body.get("data") or {}).get("flags", 0) & 64  # the briefing is for the channel
    assert followup.route == f"POST /webhooks/{APPLICATION_ID}/{callback.path.split('/')[3]}"
    check_message(followup.body)
    shown = flat(followup.body)
    assert "Iran Ready to Help End Ukraine War" in shown
    assert "Kuleba" in shown and "Amir-Abdollahian" in shown
    assert not followup.body.get("flags", 0) & 64


async def test_seed_by_url_on_loopback(bot, fake_discord, articles, seed_path):
    title, paragraphs = _seed_paragraphs(seed_path)
    url = articles.add("world/iran-ukraine.html", article_html(title, paragraphs))
    start = len(fake_discord.requests)
    await dispatch(bot, interaction("slash_brief", options=[{"name": "url", "type": 3, "value": url}]))
    callback, followup = _after(fake_discord, start)
    assert callback.body["type"] == 5
    ((path, fetched_at),) = articles.hits
    assert callback.at < fetched_at < followup.at  # acknowledged before any work, answered after it
    check_message(followup.body)
    assert "Kuleba" in flat(followup.body)
    assert followup.body["embeds"][0].get("url") == url


async def test_huge_article_stays_within_discord_limits(bot, fake_discord, articles):
    speaker = "Minister " + "Bartholomew-Featherstonehaugh " * 14  # a 400-character name
    paragraphs = []
    # Enough to overflow every embed limit (fields, field value and name, title), small enough for spaCy
    # on a shared test machine (70 kB; 1.6 MB took two minutes).
    for i in range(30):
        quote = f"We offered talks number {i} and we demand an answer " + "because the matter is urgent " * 60
        paragraphs.append(f"\u201c{quote.strip()}\u201d, said {speaker.strip()} {i}.")
        paragraphs.append(
            f"Officials of country {i} denied sending weapons, according to spokesman Ivan Petrov{i}."
        )
    url = articles.add("huge.html", article_html("Talks " * 80, paragraphs))
    start = len(fake_discord.requests)
    await dispatch(bot, interaction("slash_brief", options=[{"name": "url", "type": 3, "value": url}]))
    callback, *answers = _after(fake_discord, start)
    assert callback.body["type"] == 5
    assert answers and all(a.route.startswith("POST /webhooks/") for a in answers)
    for answer in answers:
        check_message(answer.body)
        assert not answer.body.get("flags", 0) & 64, flat(answer.body)  # a briefing, not an error
    assert "…" in flat(answers[0].body)  # long text was cut to fit, not sent over the limits


async def test_mentions_in_article_text_never_ping(bot, fake_discord):
    text = (
        "Mass Mentions Tested Today\n"
        "\u201c@everyone must leave the city now, @here too, and <@123456789012345678> first,\u201d "
        "said Mayor Anna Keller of Springfield on Tuesday.\n"
        "Keller also said that <@&223456789012345678> and <#323456789012345678> would help, "
        "and demanded @everyone stay calm.\n"
    )
    start = len(fake_discord.requests)
    await dispatch(bot, interaction("slash_brief", options=[{"name": "text", "type": 3, "value": text}]))
    _, followup = _after(fake_discord, start)
    check_message(followup.body)  # allowed_mentions parse [] and no live mention syntax
    assert "everyone" in flat(followup.body)  # shown, made inert


async def test_rate_limited_followup_is_retried_by_discord_py(bot, fake_discord, seed_path):
    fake_discord.rate_limit_next(r"^POST /webhooks/", retry_after=0.05)
    start = len(fake_discord.requests)
    text = seed_path.read_text(encoding="utf-8")
    await dispatch(bot, interaction("slash_brief", options=[{"name": "text", "type": 3, "value": text}]))
    callback, limited, retried = _after(fake_discord, start)
    assert callback.body["type"] == 5
    assert limited.route == retried.route and limited.body == retried.body
    check_message(retried.body)


async def test_fetch_error_is_ephemeral(bot, fake_discord, articles):
    url = f"{articles.base}/missing.html"
    start = len(fake_discord.requests)
    await dispatch(bot, interaction("slash_brief", options=[{"name": "url", "type": 3, "value": url}]))
    callback, delete, error = _after(fake_discord, start)
    assert callback.body["type"] == 5
    # The public "thinking" placeholder is removed so the error can be shown to the user only.
    assert delete.route.startswith("DELETE /webhooks/") and delete.route.endswith("/messages/@original")
    assert error.route.startswith("POST /webhooks/")
    assert error.body["flags"] & 64
    assert "404" in flat(error.body)
    check_message(error.body)


@pytest.mark.parametrize(
    "options",
    [
        [],
        [{"name": "url", "type": 3, "value": "ftp://example.com/x"}],
        [
            {"name": "url", "type": 3, "value": "https://example.com/a"},
            {"name": "text", "type": 3, "value": "b"},
        ],
        [{"name": "url", "type": 3, "value": "/etc/passwd"}],
    ],
)
async def test_bad_options_get_an_immediate_ephemeral_answer(bot, fake_discord, options):
    start = len(fake_discord.requests)
    await dispatch(bot, interaction("slash_brief", options=options))
    (callback,) = _after(fake_discord, start)
    assert callback.body["type"] == 4  # answered at once, nothing deferred
    assert callback.body["data"]["flags"] & 64
    check_message(callback.body["data"])


async def test_pasted_path_is_text_not_a_file(bot, fake_discord):
    start = len(fake_discord.requests)
    payload = interaction("slash_brief", options=[{"name": "text", "type": 3, "value": "/etc/passwd"}])
    await dispatch(bot, payload)
    answers = _after(fake_discord, start)[1:]
    assert "root:" not in "".join(flat(a.body) for a in answers if a.body)


async def test_brief_this_replies_to_the_message(bot, fake_discord, articles, seed_path):
    title, paragraphs = _seed_paragraphs(seed_path)
    url = articles.add("seed.html", article_html(title, paragraphs))
    payload = interaction("message_brief_this")
    message = payload["data"]["resolved"]["messages"][payload["data"]["target_id"]]
    message["content"] = f"worth a read: <{url}>. @everyone"
    start = len(fake_discord.requests)
    await dispatch(bot, payload)
    callback, reply, done = _after(fake_discord, start)
    assert callback.body["type"] == 5 and callback.body["data"]["flags"] & 64  # progress for the user only
    assert reply.route == f"POST /channels/{CHANNEL_ID}/messages"
    assert str(reply.body["message_reference"]["message_id"]) == payload["data"]["target_id"]
    assert reply.body["allowed_mentions"] == {"parse": [], "replied_user": False}
    check_message(reply.body)
    assert "Kuleba" in flat(reply.body)
    assert done.route.startswith("POST /webhooks/") and done.body["flags"] & 64


async def test_brief_this_on_plain_text(bot, fake_discord, seed_path):
    payload = interaction("message_brief_this")
    message = payload["data"]["resolved"]["messages"][payload["data"]["target_id"]]
    message["content"] = seed_path.read_text(encoding="utf-8")[:1990]
    start = len(fake_discord.requests)
    await dispatch(bot, payload)
    _, reply, _ = _after(fake_discord, start)
    check_message(reply.body)
    assert "Kuleba" in flat(reply.body)


async def test_brief_this_without_anything_to_brief(bot, fake_discord):
    payload = interaction("message_brief_this")
    payload["data"]["resolved"]["messages"][payload["data"]["target_id"]]["content"] = ""
    start = len(fake_discord.requests)
    await dispatch(bot, payload)
    callback, error = _after(fake_discord, start)
    assert callback.body["data"]["flags"] & 64
    assert error.body["flags"] & 64 and "no text or link" in flat(error.body)


async def test_unexpected_failure_is_logged_and_told_to_the_user_only(bot, fake_discord, seed_path):
    # Discord refuses the briefing itself (a 400 discord.py raises): the user still gets an answer.
    fake_discord.script(r"^POST /webhooks/", 400, {"message": "Invalid Form Body", "code": 50035})
    start = len(fake_discord.requests)
    text = seed_path.read_text(encoding="utf-8")
    await dispatch(bot, interaction("slash_brief", options=[{"name": "text", "type": 3, "value": text}]))
    callback, refused, delete, error = _after(fake_discord, start)
    assert callback.body["type"] == 5 and refused.route.startswith("POST /webhooks/")
    assert delete.method == "DELETE"
    assert error.body["flags"] & 64 and "went wrong" in flat(error.body)


async def test_without_a_development_guild_commands_sync_globally(discord_settings, fake_discord):
    from bots.discord_bot.bot import BriefBot
    from bots.discord_bot.rest import apply_api_base
    from briefings.pipeline import Briefer

    discord_config(discord_settings).guild = None
    apply_api_base(discord_settings)
    briefer = Briefer(discord_settings)
    async with BriefBot(discord_settings, briefer=briefer) as client:
        await client.login(TOKEN)
    briefer.close()
    # (the module's ``bot`` fixture synced to its guild before; this client synced globally)
    (sync,) = fake_discord.matching(rf"^PUT /applications/{APPLICATION_ID}/commands$")
    assert {c["name"] for c in sync.body} == {"brief", "Brief this", "briefing"}


async def test_brief_this_where_the_bot_may_not_post_answers_the_user_privately(bot, fake_discord, seed_path):
    fake_discord.script(r"^POST /channels/", 403, {"message": "Missing Permissions", "code": 50013})
    payload = interaction("message_brief_this")
    message = payload["data"]["resolved"]["messages"][payload["data"]["target_id"]]
    message["content"] = seed_path.read_text(encoding="utf-8")[:1990]
    start = len(fake_discord.requests)
    await dispatch(bot, payload)
    callback, refused, private = _after(fake_discord, start)
    assert refused.route == f"POST /channels/{CHANNEL_ID}/messages"
    assert private.route.startswith("POST /webhooks/") and private.body["flags"] & 64
    check_message(private.body)
    assert "Kuleba" in flat(private.body)


async def test_brief_this_uses_the_link_of_an_embed(bot, fake_discord, articles, seed_path):
    title, paragraphs = _seed_paragraphs(seed_path)
    url = articles.add("card.html", article_html(title, paragraphs))
    payload = interaction("message_brief_this")
    message = payload["data"]["resolved"]["messages"][payload["data"]["target_id"]]
    message["content"] = ""
    message["embeds"] = [{"type": "article", "url": url, "title": title}]
    await dispatch(bot, payload)
    assert articles.hits and articles.hits[0][0] == "card.html"
    (reply,) = fake_discord.matching(rf"^POST /channels/{CHANNEL_ID}/messages$")
    assert "Kuleba" in flat(reply.body)
