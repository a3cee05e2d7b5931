"""/briefing subscribe|list|unsubscribe|digest through the core's ChatCommands and a real store (SQLite)."""

from __future__ import annotations

import pytest
from discord_articles import article_html, rss
from discord_checks import check_message, flat
from discord_fake import TOKEN
from discord_payloads import CHANNEL_ID, GUILD_ID, MEMBER_PERMISSIONS, dispatch, interaction

from briefings.deliver.delivery import ChannelRef

CHANNEL = ChannelRef("discord", CHANNEL_ID, GUILD_ID)


@pytest.fixture
async def services(discord_settings, db_url):
    """The core's services on SQLite and, when BRIEFBOT_TEST_DATABASE_URL is set, PostgreSQL."""
    from bots.bootstrap import bootstrap, platform_deliverers

    discord_settings.database_url = db_url
    async with (
        platform_deliverers(discord_settings, ["discord"]) as deliverers,
        bootstrap(discord_settings, deliverers=deliverers) as built,
    ):
        yield built


@pytest.fixture
async def chat_bot(discord_settings, fake_discord, services):
    from bots.discord_bot.bot import BriefBot
    from bots.discord_bot.rest import apply_api_base

    apply_api_base(discord_settings)
    client = BriefBot(discord_settings, briefer=services.briefer, chat=services.chat)
    await client.login(TOKEN)
    yield client
    await client.close()


@pytest.fixture
def feed_url(articles, seed_path) -> str:
    lines = [line for line in seed_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    title = lines[0].removeprefix("FM: ")
    links = [
        articles.add("seed.html", article_html(title, lines[1:])),
        articles.add("other.html", article_html("Talks resume", lines[1:6])),
    ]
    return articles.add(
        "feed.xml", rss("World news", [(title, links[0]), ("Talks resume", links[1])]), "application/rss+xml"
    )


def _subscribe(feed: str, *, permissions: str | None = None, **more: str) -> dict:
    options = [{"name": "feed", "type": 3, "value": feed}]
    options += [{"name": k, "type": 3, "value": v} for k, v in more.items()]
    payload = interaction("slash_briefing_subscribe")
    payload["data"]["options"][0]["options"] = options
    if permissions is not None:
        payload["member"]["permissions"] = permissions
    return payload


def _sub(name: str, options: list | None = None) -> dict:
    payload = interaction("slash_briefing_subscribe")
    payload["data"]["options"] = [{"name": name, "type": 1, "options": options or []}]
    return payload


async def test_subscribe_without_manage_channels_is_refused(chat_bot, fake_discord, services, feed_url):
    start = len(fake_discord.requests)
    await dispatch(chat_bot, _subscribe(feed_url, permissions=MEMBER_PERMISSIONS))
    callback, refusal = fake_discord.requests[start:]
    assert callback.body["type"] == 5 and callback.body["data"]["flags"] & 64
    assert refusal.body["flags"] & 64
    assert "permission" in flat(refusal.body)
    check_message(refusal.body)
    assert await services.subscriptions.list(CHANNEL) == []


async def test_subscribe_list_unsubscribe(chat_bot, fake_discord, services, feed_url):
    start = len(fake_discord.requests)
    await dispatch(chat_bot, _subscribe(feed_url, time="06:45", timezone="Europe/Berlin"))
    callback, confirmation = fake_discord.requests[start:]
    assert callback.body["data"]["flags"] & 64 and confirmation.body["flags"] & 64
    assert "06:45" in flat(confirmation.body) and "Europe/Berlin" in flat(confirmation.body)
    (view,) = await services.subscriptions.list(CHANNEL)
    assert view.feed_url == feed_url

    start = len(fake_discord.requests)
    await dispatch(chat_bot, _sub("list"))
    _, listing = fake_discord.requests[start:]
    assert listing.body["flags"] & 64 and "World news" in flat(listing.body)

    start = len(fake_discord.requests)
    await dispatch(chat_bot, _sub("unsubscribe", [{"name": "number", "type": 4, "value": 1}]))
    _, done = fake_discord.requests[start:]
    assert "Unsubscribed" in flat(done.body)
    assert await services.subscriptions.list(CHANNEL) == []


async def test_subscribe_says_the_existing_items_were_marked_seen(chat_bot, fake_discord, services, feed_url):
    start = len(fake_discord.requests)
    await dispatch(chat_bot, _subscribe(feed_url, time="06:45"))
    _, confirmation = fake_discord.requests[start:]
    assert "2 existing items marked as seen; add" in flat(confirmation.body) and "backfill N" in flat(
        confirmation.body
    )
    assert await services.subscriptions.digest_now(CHANNEL) is None


async def test_subscribe_backfill_option_puts_the_latest_items_in_the_next_digest(
    chat_bot, fake_discord, services, feed_url
):
    payload = _subscribe(feed_url)
    payload["data"]["options"][0]["options"].append({"name": "backfill", "type": 4, "value": 1})
    start = len(fake_discord.requests)
    await dispatch(chat_bot, payload)
    _, confirmation = fake_discord.requests[start:]
    assert confirmation.body["flags"] & 64
    assert "The latest item will be in the next digest; 1 older item marked as seen." in flat(
        confirmation.body
    )
    digest = await services.subscriptions.digest_now(CHANNEL)
    assert digest is not None and len(digest.items) == 1


async def test_option_with_spaces_cannot_smuggle_options(chat_bot, fake_discord, services, feed_url):
    start = len(fake_discord.requests)
    await dispatch(chat_bot, _subscribe(f"{feed_url} mode instant"))
    (answer,) = fake_discord.requests[start:]
    assert answer.body["type"] == 4 and answer.body["data"]["flags"] & 64
    assert await services.subscriptions.list(CHANNEL) == []


async def test_digest_with_nothing_new_is_told_to_the_user_only(chat_bot, fake_discord, feed_url):
    await dispatch(chat_bot, _subscribe(feed_url))  # existing entries are marked seen: no flood
    start = len(fake_discord.requests)
    await dispatch(chat_bot, _sub("digest"))
    callback, notice = fake_discord.requests[start:]
    assert callback.body["type"] == 5 and callback.body["data"]["flags"] & 64
    assert notice.body["flags"] & 64 and "Nothing new" in flat(notice.body)


async def test_digest_now_posts_the_channel_digest(chat_bot, fake_discord, services, feed_url):
    await services.subscriptions.subscribe(CHANNEL, feed_url, backfill=2)
    start = len(fake_discord.requests)
    await dispatch(chat_bot, _sub("digest"))
    callback, notice = fake_discord.requests[start:]
    assert callback.body["data"]["flags"] & 64 and notice.body["flags"] & 64
    assert "The digest of 2 new articles is being posted here." in flat(notice.body)
    # The outbox posts it (retried if Discord fails), with the bot token, in the channel.
    start = len(fake_discord.requests)
    await services.outbox.run_once()
    posts = fake_discord.requests[start:]
    assert posts and all(p.route == f"POST /channels/{CHANNEL_ID}/messages" for p in posts)
    for post in posts:
        check_message(post.body)
        assert not post.body.get("flags", 0) & 64
    shown = "\n".join(flat(p.body) for p in posts)
    assert "Iran Ready to Help End Ukraine War" in shown and "Talks resume" in shown


async def test_administrators_may_subscribe(chat_bot, fake_discord, services, feed_url):
    administrator = str(int(MEMBER_PERMISSIONS) | 1 << 3)  # Administrator, no Manage Channels bit
    await dispatch(chat_bot, _subscribe(feed_url, permissions=administrator))
    assert len(await services.subscriptions.list(CHANNEL)) == 1


async def test_digest_with_a_thread_per_article(chat_bot, fake_discord, services, feed_url):
    await services.subscriptions.subscribe(CHANNEL, feed_url, backfill=2)
    payload = _sub("digest", [{"name": "threads", "type": 5, "value": True}])
    start = len(fake_discord.requests)
    await dispatch(chat_bot, payload)
    requests = fake_discord.requests[start:]
    threads = [r for r in requests if r.route == f"POST /channels/{CHANNEL_ID}/threads"]
    assert len(threads) == 2 and {t.body["type"] for t in threads} == {11}  # public threads
    assert all(len(t.body["name"]) <= 100 for t in threads)
    inside = [
        r
        for r in requests
        if r.method == "POST" and r.path.startswith("/channels/") and r.path.endswith("/messages")
    ]
    assert len(inside) == 2 and all(CHANNEL_ID not in r.path for r in inside)
    for post in inside:
        check_message(post.body)
    assert any("Kuleba" in flat(p.body) for p in inside)
    # the digest itself goes to the channel through the outbox
    start = len(fake_discord.requests)
    await services.outbox.run_once()
    assert fake_discord.matching(f"^POST /channels/{CHANNEL_ID}/messages$")


async def test_digest_threads_without_permission_says_what_is_missing(
    chat_bot, fake_discord, services, feed_url
):
    await services.subscriptions.subscribe(CHANNEL, feed_url, backfill=1)
    fake_discord.script(
        r"^POST /channels/\d+/threads$", 403, {"message": "Missing Permissions", "code": 50013}
    )
    start = len(fake_discord.requests)
    await dispatch(chat_bot, _sub("digest", [{"name": "threads", "type": 5, "value": True}]))
    requests = fake_discord.requests[start:]
    assert requests[-1].body["flags"] & 64 and "Create Public Threads" in flat(requests[-1].body)
    assert "being posted" in flat(requests[1].body)  # the digest was queued all the same
