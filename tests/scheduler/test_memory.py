"""The statement memory (issue 14 part A): every briefed statement remembered per scope (Slack
workspace, Discord guild, console), ``/brief who``, ``track``/``untrack``/``tracking``, ``forget``,
retention - on SQLite and PostgreSQL, with the real NLP and feeds served on loopback."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from sched_support import T0, FeedItem, RecordingPlatform
from sqlalchemy import func, select

from bots.bootstrap import bootstrap
from bots.console import Console
from bots.discord_bot.recall_embed import discord_recall
from bots.slack_app.recall_blocks import slack_recall
from briefings.deliver.chat import ChatCommands
from briefings.deliver.delivery import ChannelRef
from briefings.deliver.memory import MemoryService, parse_track, parse_who, recall_payload
from briefings.deliver.outbox import OutboxWorker
from briefings.deliver.platforms import render_digest
from briefings.deliver.polling import Poller
from briefings.deliver.scheduler import Scheduler
from briefings.deliver.subscriptions import SubscriptionService
from briefings.errors import InputError
from briefings.models import Recall, Recalled, StatementRecord
from briefings.pipeline import Briefer
from briefings.present.recall import render_recall
from briefings.present.render import DIGEST_BULLETS
from briefings.store import Feed, MemorySpeaker, MemoryStatement, OutboxEntry
from briefings.store import memory as repo

SLACK_A = ChannelRef("slack", "C1", "T1")
SLACK_A2 = ChannelRef("slack", "C2", "T1")  # another channel of the same workspace
SLACK_B = ChannelRef("slack", "C1", "T2")  # the same channel id in another workspace
DISCORD = ChannelRef("discord", "555", "G1")
CONSOLE = ChannelRef("console", "terminal")
THREE_OFFERS = ("ceasefire", "technical meetings", "joint session")

# A second article, a week later, naming the minister by his surname only.
SECOND = """Iran offers to host talks on prisoner exchange

Iranian Foreign Minister Amir-Abdollahian said on Tuesday that Tehran was ready to host talks on a prisoner exchange between Moscow and Kyiv.
"We are prepared to offer our good offices to both sides," Amir-Abdollahian told reporters in Tehran.
He denied that Iran had taken sides in the conflict, saying the country's policy had not changed since the start of the war.
Western diplomats said they would study the offer carefully before giving an answer.
"""


@pytest.fixture
async def parts(store, settings, clock):
    briefer = Briefer(settings)
    poller = Poller(store, settings, clock, briefer.brief)
    memory = MemoryService(store, settings, clock)
    poller.on_filed.append(memory.filed)
    subs = SubscriptionService(store, poller, settings, clock)
    chat = ChatCommands(briefer=briefer, subscriptions=subs, settings=settings, clock=clock, memory=memory)
    yield chat
    briefer.close()


async def ask(chat, text, channel, *, admin=True, user="U1", creators=False):
    return await chat.handle(text, channel=channel, user=user, can_manage=admin, creators_may_manage=creators)


def offers_of(reply) -> list[str]:
    assert reply.recall is not None, reply.text
    return [s.content for s in reply.recall.statements if s.act == "offer"]


async def test_console_who_lists_his_three_offers_under_offer_with_the_article(tmp_path, clock, seed_path):
    """Issue 14, done when: in the console, /brief <seed> then /brief who Amir-Abdollahian."""
    from briefings.settings import Settings

    out = io.StringIO()
    async with bootstrap(Settings(data_dir=tmp_path / "data"), clock=clock) as services:
        console = Console(services, out=out)
        await console.handle_line(f"/brief {seed_path}")
        start = len(out.getvalue())
        await console.handle_line("/brief who Amir-Abdollahian")
    answer = out.getvalue()[start:]
    assert answer.startswith("What Hussein Amir-Abdollahian said (9 statements)\n\nOFFER\n")
    offers = answer.split("\nOFFER\n", 1)[1].split("\n\n", 1)[0]
    lines = [line for line in offers.splitlines() if line.startswith("  - ")]
    assert len(lines) == 3
    for words in THREE_OFFERS:
        assert sum(words in line for line in lines) == 1, (words, offers)
    assert offers.count("FM: Iran Ready to Help End Ukraine War <") == 3  # each with its article
    # Offers come first, then denials, then the other statements.
    assert answer.index("\nOFFER\n") < answer.index("\nDENIAL\n") < answer.index("\nSAID\n")


async def test_two_articles_two_scopes_the_other_scope_sees_nothing(parts, clock, seed_path):
    chat = parts
    briefed = await ask(chat, seed_path.read_text(encoding="utf-8"), SLACK_A)
    assert briefed.kind == "briefing"
    clock.advance(timedelta(days=7))
    assert (await ask(chat, SECOND, SLACK_A2)).kind == "briefing"  # same workspace, another channel
    reply = await ask(chat, "who Amir-Abdollahian", SLACK_A, admin=False)
    assert not reply.error and reply.ephemeral
    # Both articles, one speaker: "Amir-Abdollahian" is "Hussein Amir-Abdollahian".
    titles = {s.article_title for s in reply.recall.statements}
    assert titles == {
        "FM: Iran Ready to Help End Ukraine War",
        "Iran offers to host talks on prisoner exchange",
    }
    assert {s.speaker for s in reply.recall.statements} <= {"Hussein Amir-Abdollahian", "Amir-Abdollahian"}
    offers = offers_of(reply)
    for words in THREE_OFFERS:
        assert any(words in o for o in offers), offers
    # Newest first: the second article's statements lead each act.
    assert reply.recall.statements[0].article_title.startswith("Iran offers to host talks")
    assert reply.recall.statements[0].said_at > reply.recall.statements[-1].said_at
    # The last 3 days hold the second article only.
    recent = await ask(chat, "who Hussein Amir-Abdollahian 3d", SLACK_A)
    assert {s.article_title for s in recent.recall.statements} == {
        "Iran offers to host talks on prisoner exchange"
    }
    # A word that names nobody finds the statements that mention it (full-text search).
    drones = await ask(chat, "who drones", SLACK_A)
    assert drones.recall.title.startswith("Nobody called “drones” was quoted here; statements mentioning it")
    assert all("drone" in s.content for s in drones.recall.statements) and len(drones.recall.statements) >= 3
    # Another workspace, a Discord guild and the console see nothing of it, by name or by keyword.
    for other in (SLACK_B, DISCORD, CONSOLE):
        for question in ("who Amir-Abdollahian", "who Kuleba", "who drones"):
            nothing = await ask(chat, question, other)
            assert nothing.recall is None and nothing.text.startswith("Nothing said by or about"), (
                other,
                question,
            )


async def test_speakers_match_by_surname_never_across_first_names(store, clock):
    now = clock.now()

    def said(speaker: str, content: str, start: int, **kw) -> StatementRecord:
        return StatementRecord(
            speaker=speaker, act="statement", kind="direct", content=content, cue="said", start=start, **kw
        )

    async with store.session() as session, session.begin():
        await repo.remember(
            session,
            "slack:T1",
            [
                said("John Smith", "one", 0),
                said("Jane Smith", "two", 10),
                said("Dr. Mónica Pérez", "three", 20),
            ],
            title="A",
            url="https://news.example/a",
            date=None,
            now=now,
        )
        await repo.remember(
            session,
            "slack:T1",
            [
                said("Smith", "four", 0),
                said("Monica Perez", "five", 10),
                said("Acme Corp", "six", 20, speaker_type="organization"),
            ],
            title="B",
            url="https://news.example/b",
            date=None,
            now=now,
        )
        # Briefed again (another channel, a re-post): nothing is stored twice.
        again = await repo.remember(
            session,
            "slack:T1",
            [said("John Smith", "one", 0)],
            title="A",
            url="https://news.example/a",
            date=None,
            now=now,
        )
        assert len(again) == 3

    async def contents(name: str) -> set[str]:
        async with store.session() as session:
            speakers = await repo.find_speakers(session, "slack:T1", name)
            rows, _ = await repo.recall(session, "slack:T1", speaker_ids=[s.id for s in speakers])
        return {r.content for r in rows}

    assert await contents("John Smith") == {"one", "four"}  # "Smith" alone may be John ...
    assert await contents("Jane Smith") == {"two", "four"}  # ... or Jane, never John for Jane
    assert await contents("Smith") == {"one", "two", "four"}
    assert await contents("Pérez") == {"three", "five"}  # accents and titles do not matter
    assert await contents("acme corp") == {"six"}
    assert await contents("Corp") == set()  # an organisation is not matched by its last word
    assert await contents("Jim Smith") == {"four"}
    async with store.session() as session:
        assert await session.scalar(select(func.count()).select_from(MemoryStatement)) == 6
        assert (
            await session.scalar(
                select(func.count()).select_from(MemoryStatement).where(MemoryStatement.scope != "slack:T1")
            )
            == 0
        )


async def test_forget_is_for_admins_and_only_this_workspace(parts, seed_path):
    chat = parts
    text = seed_path.read_text(encoding="utf-8")
    await ask(chat, text, SLACK_A)
    await ask(chat, text, SLACK_B)
    refused = await ask(chat, "forget", SLACK_A, admin=False, creators=True)
    assert refused.error and "admin" in refused.text and "\n" not in refused.text
    done = await ask(chat, "forget", SLACK_A, admin=True, creators=True)
    assert done.text == "Forgotten: 16 statements briefed in this workspace."
    assert (await ask(chat, "who Kuleba", SLACK_A)).recall is None
    assert (await ask(chat, "who Kuleba", SLACK_B)).recall is not None  # the other workspace keeps its own


async def test_statements_older_than_the_retention_are_purged_by_the_scheduler(
    parts, store, settings, clock, seed_path
):
    chat = parts
    await ask(chat, seed_path.read_text(encoding="utf-8"), SLACK_A)
    scheduler = Scheduler(store, settings, clock)
    scheduler.housekeeping.append(chat.memory.purge_due)
    await scheduler.tick()
    assert (await ask(chat, "who Kuleba", SLACK_A)).recall is not None
    clock.advance(timedelta(days=settings.memory_days, hours=1))
    await scheduler.tick()
    assert (await ask(chat, "who Kuleba", SLACK_A)).recall is None
    async with store.session() as session:
        assert await session.scalar(select(func.count()).select_from(MemoryStatement)) == 0
        assert await session.scalar(select(func.count()).select_from(MemorySpeaker)) == 0


async def tracking_messages(store) -> list[OutboxEntry]:
    async with store.session() as session:
        rows = await session.execute(
            select(OutboxEntry).where(OutboxEntry.kind == "tracking").order_by(OutboxEntry.id)
        )
        return list(rows.scalars())


async def test_track_tells_the_channel_once_and_untrack_stops_it(parts, store, clock, feed_server):
    """Done when: a feed on loopback delivers a matching statement -> the channel gets the message once."""
    chat = parts
    feed_server.add("news", 2, who="Mayor Jane Doe")
    for channel in (SLACK_A, SLACK_B):
        subscribed = await ask(chat, f"subscribe {feed_server.url('news')}", channel)
        assert not subscribed.error, subscribed.text
    tracked = await ask(chat, "track Jane Doe acts offer", SLACK_A, admin=False, creators=True)
    assert not tracked.error and "Tracking “Jane Doe” (offers)" in tracked.text
    assert not (await ask(chat, "track audit acts accusation", SLACK_A)).error  # no accusation matches
    listed = await ask(chat, "tracking", SLACK_A, admin=False)
    assert listed.text == "Tracked here:\n1. “Jane Doe” - offers\n2. “audit” - accusations"
    assert (await ask(chat, "tracking", SLACK_B)).text.startswith("Nothing is tracked here yet.")

    async with store.session() as session:
        feed_id = await session.scalar(select(Feed.id))
    feed_server.add("news", 1, start=2, who="Mayor Jane Doe")
    await chat.subscriptions.poller.poll_feed(feed_id)
    [message] = await tracking_messages(store)  # SLACK_B tracks nothing; the audit track does not match
    payload = json.loads(message.payload)
    text = json.dumps(payload, ensure_ascii=False)
    assert "Tracking “Jane Doe”" in payload["text"] and "OFFER" in text and "Libraries plan number 2" in text
    assert "ready to pay" in text

    platform = RecordingPlatform(clock)
    worker = OutboxWorker(store, {"slack": platform}, clock)
    await worker.run_once()
    clock.advance(timedelta(minutes=30))
    await chat.subscriptions.poller.poll_feed(feed_id)  # nothing new: nothing more
    await worker.run_once()
    told = [s for s in platform.sent if "Tracking" in json.dumps(s.payload, ensure_ascii=False)]
    assert len(told) == 1 and told[0].channel == SLACK_A

    refused = await ask(chat, "untrack 1", SLACK_A, admin=False, creators=True, user="U2")
    assert refused.error and "Only the person who tracked" in refused.text
    gone = await ask(chat, "untrack jane doe", SLACK_A, admin=False, creators=True, user="U1")
    assert gone.text == "No longer tracking “Jane Doe” here."
    feed_server.add("news", 1, start=3, who="Mayor Jane Doe")
    clock.advance(timedelta(minutes=30))
    await chat.subscriptions.poller.poll_feed(feed_id)
    assert len(await tracking_messages(store)) == 1  # untracked: no new message
    # The feed's statements were remembered in both workspaces that receive it, separately.
    for channel in (SLACK_A, SLACK_B):
        reply = await ask(chat, "who Jane Doe", channel)
        assert offers_of(reply) and {s.article_title for s in reply.recall.statements} == {
            "Libraries plan number 2",
            "Libraries plan number 3",
        }


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("who", "give a name"),
        ("who 7d", "give a name"),
        ("track", "give a name or keyword"),
        ("track peace acts bribes", "'bribes' is not an act"),
        ("track peace acts", "acts needs a list"),
        ("untrack", "give the number"),
        ("untrack 3", "nothing is tracked"),
        ("forget everything", "takes nothing after it"),
    ],
)
async def test_bad_memory_commands_get_one_clear_line(parts, words, message):
    reply = await ask(parts, words, SLACK_A)
    assert reply.error and reply.ephemeral and message in reply.text and "\n" not in reply.text


def test_parsing():
    assert parse_who("Amir-Abdollahian 30d") == ("Amir-Abdollahian", 30)
    assert parse_who("“Jane Doe”") == ("Jane Doe", None)
    assert parse_track("ceasefire acts offers, denial") == ("ceasefire", ["offer", "denial"])
    assert parse_track("Jane Doe") == ("Jane Doe", [])
    with pytest.raises(InputError):
        parse_track("*** acts offer")


def test_article_text_never_pings_or_injects_markup():
    hostile = Recalled(
        speaker="<!channel> *Boss*",
        act="offer",
        content="@everyone see <https://evil.example|here> and `code` <@U123>",
        role="[x](https://evil.example)",
        article_title="Title <!here>",
        article_url="javascript:alert(1)",
        said_at="2026-11-30T07:00:00+00:00",
    )
    recall = Recall(title="What <!everyone> said", statements=[hostile], total=1)
    slack = json.dumps(slack_recall(recall), ensure_ascii=False)
    assert "<!channel>" not in slack and "<!here>" not in slack and "<@U123>" not in slack
    assert "<https://evil.example|" not in slack and "javascript:" not in slack.replace(
        "javascript:alert(1)", ""
    )
    discord = discord_recall(recall)
    body = json.dumps(discord, ensure_ascii=False)
    assert discord["allowed_mentions"] == {"parse": []} and "@everyone" not in body and "<@U123>" not in body
    assert "](javascript" not in body and "[x](https://evil.example)" not in body
    text = render_recall(recall, "text")
    assert "@everyone" not in text and "\x1b" not in text
    # Each platform's messages come from its own renderer (tracking messages go through the outbox).
    assert recall_payload(recall, "slack") == slack_recall(recall)
    assert recall_payload(recall, "discord") == discord
    assert recall_payload(recall, "console") == text


async def test_a_digest_marks_the_statements_of_tracked_speakers(parts, clock, feed_server, seed_path):
    """Issue 14 item 3: in a digest, statements by a speaker the channel tracks are marked (new since the
    last digest: a digest holds only articles no digest has taken); other speakers' are not, and a
    channel that tracks nothing gets no marks, in every digest format."""
    chat = parts
    feed_server.add("news", 1, who="Mayor Jane Doe")
    for channel in (SLACK_A, SLACK_A2, SLACK_B):
        assert not (await ask(chat, f"subscribe {feed_server.url('news')}", channel)).error
    assert not (await ask(chat, "track Amir-Abdollahian", SLACK_A)).error
    assert not (await ask(chat, "track Amir-Abdollahian acts offer", SLACK_A2)).error
    seed = seed_path.read_text(encoding="utf-8")
    feed_server.feeds["news"].append(
        FeedItem("news-iran", "https://news.example/iran", seed.split("\n", 1)[0], T0, text=seed)
    )
    feed_server.add("news", 1, start=1, who="Mayor Jane Doe")
    clock.advance(timedelta(minutes=30))
    await chat.subscriptions.poller.poll_due()

    digests = {ch: await chat.subscriptions.digest_now(ch) for ch in (SLACK_A, SLACK_A2, SLACK_B)}
    bullets = {
        ch: [x for item in d.items if item.briefing for x in item.briefing.bullets]
        for ch, d in digests.items()
    }
    marked = [x for x in bullets[SLACK_A] if x.tracked]
    assert marked and {x.speaker for x in marked} <= {"Hussein Amir-Abdollahian", "Amir-Abdollahian"}
    assert all(x.tracked for x in bullets[SLACK_A] if "Amir-Abdollahian" in x.speaker)
    assert any("Jane Doe" in x.speaker and not x.tracked for x in bullets[SLACK_A])
    assert not any(x.tracked for x in bullets[SLACK_A] if "Amir-Abdollahian" not in x.speaker)
    assert any(x.speaker == "Dmytro Kuleba" and not x.tracked for x in bullets[SLACK_A])
    # "acts offer": only his offers, not his denial.
    offers = [x for x in bullets[SLACK_A2] if x.tracked]
    assert offers and all(x.act == "offer" and "Amir-Abdollahian" in x.speaker for x in offers)
    assert any(
        "Amir-Abdollahian" in x.speaker and x.act == "denial" and not x.tracked for x in bullets[SLACK_A2]
    )
    assert not any(x.tracked for x in bullets[SLACK_B])  # tracks nothing: no marks

    for ch, d in digests.items():
        n = sum(
            x.tracked for item in d.items if item.briefing for x in item.briefing.bullets[:DIGEST_BULLETS]
        )
        assert n or ch == SLACK_B
        text = render_digest(d, "text")[0]
        markdown = render_digest(d, "markdown")[0]
        slack = json.dumps(render_digest(d, "slack"), ensure_ascii=False)
        discord = json.dumps(render_digest(d, "discord"), ensure_ascii=False)
        webhook = render_digest(d, "webhook")
        assert (text.count("★"), markdown.count("★"), slack.count("★"), discord.count("★")) == (n,) * 4, ch
        flags = [
            x["tracked"] for p in webhook for item in p["items"] if "bullets" in item for x in item["bullets"]
        ]
        assert sum(flags) == sum(x.tracked for x in bullets[ch]) and (ch != SLACK_B or not any(flags))
