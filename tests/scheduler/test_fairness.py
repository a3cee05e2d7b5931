"""Fairness of the NLP queue and of chat briefings: short articles overtake giants, feed briefings go
ahead of interactive giants, a chat's article size is capped, and so are briefings in progress per user
and per channel - with the real Briefer (real NLP) and articles served on loopback."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from briefings.deliver.chat import ChatCommands
from briefings.deliver.delivery import ChannelRef
from briefings.deliver.polling import Poller
from briefings.deliver.subscriptions import SubscriptionService
from briefings.ingest.text import article_from_text
from briefings.pipeline import Briefer, queue_rank
from briefings.settings import Settings

SLACK = ChannelRef("slack", "C1", "T1")
OTHER = ChannelRef("slack", "C2", "T1")


def _article(seed: str, chars: int, source: str):
    title, _, body = seed.partition("\n")
    body = body.replace("\n", " ")
    return article_from_text(title + "\n" + (body * (chars // len(body) + 1))[:chars], source)


async def _finish_order(briefer: Briefer, jobs: list[tuple[str, object, str]]) -> list[str]:
    """Queue the jobs in this order within one turn of the event loop; return the order they finish in."""
    order: list[str] = []

    async def one(name: str, article, priority: str) -> None:
        await briefer.brief(article, priority=priority)
        order.append(name)

    await asyncio.gather(*(one(*job) for job in jobs))
    return order


async def test_a_short_article_queued_after_a_giant_is_briefed_first(seed_path):
    seed = seed_path.read_text("utf-8")
    briefer = Briefer(Settings())
    try:
        busy = _article(seed, 3_000, "busy")  # holds the NLP thread while the others queue
        giant = _article(seed, 150_000, "giant")
        short = _article(seed, 3_000, "short")
        order = await _finish_order(
            briefer,
            [("busy", busy, "interactive"), ("giant", giant, "interactive"), ("short", short, "interactive")],
        )
    finally:
        briefer.close()
    assert order == ["busy", "short", "giant"]


async def test_a_scheduled_briefing_never_waits_behind_interactive_giants(seed_path):
    seed = seed_path.read_text("utf-8")
    briefer = Briefer(Settings())
    try:
        busy = _article(seed, 3_000, "busy")
        giants = [
            ("giant1", _article(seed, 150_000, "g1"), "interactive"),
            ("giant2", _article(seed, 120_000, "g2"), "interactive"),
        ]
        morning = _article(seed, 150_000, "morning")  # even a long feed article
        order = await _finish_order(
            briefer, [("busy", busy, "interactive"), *giants, ("morning", morning, "scheduled")]
        )
    finally:
        briefer.close()
    assert order == ["busy", "morning", "giant1", "giant2"]  # giants first come first served
    assert queue_rank(morning, "scheduled") < queue_rank(_article(seed, 25_000, "m"), "interactive")


@pytest.fixture
async def chat(store, clock):
    settings = Settings(allow_private_hosts=True, chat_max_chars=5_000)
    briefer = Briefer(settings)
    subs = SubscriptionService(store, Poller(store, settings, clock, briefer.brief), settings, clock)
    yield ChatCommands(briefer=briefer, subscriptions=subs, settings=settings, clock=clock)
    briefer.close()


async def test_a_chat_article_over_the_limit_gets_one_line_naming_the_setting(chat, seed_path):
    text = _article(seed_path.read_text("utf-8"), 6_000, "x").text
    reply = await chat.handle(text, channel=SLACK, user="U1", can_manage=False)
    assert reply.error and reply.ephemeral and "\n" not in reply.text
    assert reply.text == (
        f"That article is {len(text):,} characters; chat briefings take at most 5,000 (BRIEFBOT_CHAT_MAX_CHARS)."
    )


async def test_a_third_briefing_of_one_user_is_refused_while_two_run(chat, seed_path):
    """Two /brief <url> of U1 are held by the article server; a third is refused at once, another
    user's goes ahead; when the two are released they finish."""
    seed = seed_path.read_text("utf-8")
    release = asyncio.Event()
    both_held = asyncio.Event()
    arrived: list[str] = []

    async def article(request: web.Request) -> web.Response:
        arrived.append(request.match_info["name"])
        if sum(a.startswith("slow") for a in arrived) == 2:
            both_held.set()
        if request.match_info["name"].startswith("slow"):
            await release.wait()
        return web.Response(text=seed, content_type="text/plain")

    app = web.Application()
    app.router.add_get("/{name}", article)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    try:
        first = asyncio.ensure_future(
            chat.handle(f"{base}/slow1", channel=SLACK, user="U1", can_manage=False)
        )
        second = asyncio.ensure_future(
            chat.handle(f"{base}/slow2", channel=OTHER, user="U1", can_manage=False)
        )
        await asyncio.wait_for(both_held.wait(), 300)  # a guard against a hang, not a timing assertion
        third = await chat.handle(f"{base}/fast", channel=SLACK, user="U1", can_manage=False)
        assert third.error and third.text == (
            "You already have 2 briefings running; wait for one to finish (BRIEFBOT_MAX_BRIEFINGS_PER_USER)."
        )
        other = await chat.handle(f"{base}/fast", channel=SLACK, user="U2", can_manage=False)
        assert other.kind == "briefing" and not other.error
        release.set()
        done = await asyncio.wait_for(asyncio.gather(first, second), 300)
        assert all(r.kind == "briefing" for r in done)
        again = await chat.handle(f"{base}/fast", channel=SLACK, user="U1", can_manage=False)
        assert again.kind == "briefing"  # the slots were given back
        assert "fast" in arrived and arrived.count("fast") == 2  # the refused one never fetched
    finally:
        release.set()
        await runner.cleanup()


def test_the_fairness_settings_are_validated():
    s = Settings.from_env(
        {
            "BRIEFBOT_CHAT_MAX_CHARS": "50000",
            "BRIEFBOT_MAX_BRIEFINGS_PER_USER": "1",
            "BRIEFBOT_MAX_BRIEFINGS_PER_CHANNEL": "3",
        }
    )
    assert (s.chat_max_chars, s.max_briefings_per_user, s.max_briefings_per_channel) == (50_000, 1, 3)
    default = Settings.from_env({})
    assert (default.chat_max_chars, default.max_briefings_per_user, default.max_briefings_per_channel) == (
        200_000,
        2,
        4,
    )
    from briefings.errors import ConfigError

    with pytest.raises(ConfigError, match="BRIEFBOT_CHAT_MAX_CHARS must be between 1000 and 2000000"):
        Settings.from_env({"BRIEFBOT_CHAT_MAX_CHARS": "5000000"})
    with pytest.raises(ConfigError, match="BRIEFBOT_MAX_BRIEFINGS_PER_USER must be a whole number"):
        Settings.from_env({"BRIEFBOT_MAX_BRIEFINGS_PER_USER": "two"})


def test_briefings_in_progress_are_capped_per_channel_too():
    from briefings.errors import InputError
    from briefings.pipeline import BriefingLimits

    limits = BriefingLimits(per_user=2, per_channel=1)
    with limits.hold("U1", "slack:C1"):
        with pytest.raises(InputError) as refused:
            with limits.hold("U2", "slack:C1"):
                pass
        assert refused.value.message == (
            "This channel already has 1 briefing running; wait for one to finish "
            "(BRIEFBOT_MAX_BRIEFINGS_PER_CHANNEL)."
        )
        with limits.hold("U2", "slack:C2"):  # another channel is not held up
            assert limits.channels == {"slack:C1": 1, "slack:C2": 1}
    assert not limits.users and not limits.channels  # given back
    with limits.hold("U2", "slack:C1"):
        pass
