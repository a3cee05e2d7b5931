"""DiscordDeliverer posting rendered digests over REST only, against the loopback Discord."""

from __future__ import annotations

import pytest
from discord_checks import check_message, flat
from discord_payloads import CHANNEL_ID

from bots.discord_bot.config import discord_settings as discord_config
from bots.discord_bot.deliver import DiscordDeliverer, nonce_of
from briefings.deliver.delivery import ChannelRef, Deliverer, PermanentDeliveryError, RateLimited
from briefings.deliver.platforms import render_digest
from briefings.errors import ConfigError
from briefings.models import Briefing, Bullet, Digest, DigestItem, Speaker
from briefings.settings import Settings

CHANNEL = ChannelRef("discord", CHANNEL_ID, "1160000000000000001")


def _briefing(n: int) -> Briefing:
    return Briefing(
        headline=f"Story {n}: ministers meet @everyone",
        source=f"https://news.example/{n}",
        url=f"https://news.example/{n}",
        speakers=[Speaker(name="Dmytro Kuleba", role="Ukraine's Foreign Minister", statements=2)],
        bullets=[
            Bullet(
                speaker="Dmytro Kuleba",
                act="demand",
                kind="direct",
                text=f"I demanded Iran to immediately cease the flow of weapons ({n})",
                cue="wrote",
                start=0,
                end=60,
                speaker_role="Ukraine's Foreign Minister",
            )
        ],
        total_statements=2,
        omitted=1,
        counts={"demand": 1, "statement": 1},
    )


def _digest(items: int, more: int) -> Digest:
    return Digest(
        title="Morning briefing, Friday 27 November",
        items=[
            DigestItem(headline=f"Story {i}", url=f"https://news.example/{i}", briefing=_briefing(i))
            for i in range(items)
        ],
        more=[
            DigestItem(headline=f"Also {i} <@123>", url=f"https://news.example/more/{i}") for i in range(more)
        ],
        generated_at="2026-11-27T07:30:00+01:00",
    )


@pytest.fixture
async def deliverer(discord_settings):
    async with DiscordDeliverer(discord_settings) as d:
        yield d


async def test_is_a_deliverer(deliverer):
    assert isinstance(deliverer, Deliverer) and deliverer.platform == "discord"


async def test_digest_is_posted_with_nonce_and_no_mentions(deliverer, fake_discord):
    payloads = render_digest(_digest(5, 12), "discord")
    ids = []
    for i, payload in enumerate(payloads):
        ids.append(await deliverer.send(CHANNEL, payload, idempotency_key=f"outbox-42-{i}"))
    posts = fake_discord.matching(rf"^POST /channels/{CHANNEL_ID}/messages$")
    assert len(posts) == len(payloads) and len(set(ids)) == len(ids)
    assert fake_discord.matching(r"^GET /users/@me$")  # logged in over REST; no gateway involved
    for i, post in enumerate(posts):
        assert post.body["nonce"] == nonce_of(f"outbox-42-{i}") and len(post.body["nonce"]) <= 25
        assert post.body["enforce_nonce"] is True
        check_message(post.body)
    shown = "\n".join(flat(p.body) for p in posts)
    assert "Story 4" in shown and "Also 11" in shown


async def test_retry_of_the_same_entry_does_not_post_twice(deliverer, fake_discord):
    payload = render_digest(_digest(2, 0), "discord")[0]
    first = await deliverer.send(CHANNEL, payload, idempotency_key="outbox-7")
    again = await deliverer.send(CHANNEL, payload, idempotency_key="outbox-7")
    assert first == again  # Discord answered the enforced nonce with the message it already has
    assert len(fake_discord.channel_messages[CHANNEL_ID]) == 1
    assert await deliverer.already_sent(CHANNEL, "outbox-7") == first
    assert await deliverer.already_sent(CHANNEL, "outbox-8") is None


async def test_429_with_retry_after_then_success(deliverer, fake_discord):
    fake_discord.rate_limit_next(r"^POST /channels/\d+/messages$", retry_after=0.05)
    payload = render_digest(_digest(1, 0), "discord")[0]
    message_id = await deliverer.send(CHANNEL, payload, idempotency_key="outbox-9")
    limited, retried = fake_discord.matching(r"^POST /channels/\d+/messages$")
    assert limited.body == retried.body
    assert fake_discord.channel_messages[CHANNEL_ID][-1]["id"] == message_id


async def test_long_rate_limit_is_handed_to_the_outbox(deliverer, fake_discord):
    fake_discord.rate_limit_next(r"^POST /channels/\d+/messages$", retry_after=120.0)
    with pytest.raises(RateLimited) as caught:
        await deliverer.send(CHANNEL, render_digest(_digest(1, 0), "discord")[0], idempotency_key="k")
    assert caught.value.retry_after == 120.0


async def test_missing_channel_is_permanent(deliverer, fake_discord):
    fake_discord.script(r"^POST /channels/", 403, {"message": "Missing Access", "code": 50001})
    with pytest.raises(PermanentDeliveryError) as caught:
        await deliverer.send(CHANNEL, render_digest(_digest(1, 0), "discord")[0], idempotency_key="k")
    assert "Missing Access" in str(caught.value)


async def test_refused_token_is_permanent(discord_settings, fake_discord):
    discord_config(discord_settings).token = "bad.token.value"
    with pytest.raises(PermanentDeliveryError, match="DISCORD_TOKEN"):
        async with DiscordDeliverer(discord_settings):
            pass


def test_needs_a_token():
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        DiscordDeliverer(Settings())


async def test_oversized_digest_is_split_into_messages_within_limits(deliverer, fake_discord):
    digest = _digest(20, 200)
    for item in digest.items:
        assert item.briefing is not None
        item.briefing.headline = "Very long headline " * 30
        item.briefing.bullets = item.briefing.bullets * 25
        for bullet in item.briefing.bullets:
            bullet.text = "quoted words " * 200
    payloads = render_digest(digest, "discord")
    for i, payload in enumerate(payloads):
        await deliverer.send(CHANNEL, payload, idempotency_key=f"big-{i}")
    posts = fake_discord.matching(rf"^POST /channels/{CHANNEL_ID}/messages$")
    assert len(posts) == len(payloads) > 1
    for post in posts:
        check_message(post.body)
    shown = "\n".join(flat(p.body) for p in posts)
    assert all(f"Also {i} " in shown for i in range(200))  # "and N more" keeps every link
