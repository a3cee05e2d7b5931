"""render(), render_digest() and render_message() in every format, on the hand-made seed briefing."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from render_builders import AMIR, KULEBA, seed_extraction
from render_checks import FORMATS, check_discord, check_safe, check_slack

from briefings.deliver.platforms import render, render_digest, render_message
from briefings.models import Briefing, Bullet
from briefings.present.compose import compose, digest_of
from briefings.present.render import template_root

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seed_briefing():
    return compose(seed_extraction())


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_shows_acts_speakers_roles_and_quotes(seed_briefing, fmt):
    out = render(seed_briefing, fmt)
    if fmt == "slack":
        check_slack(out)
    elif fmt == "discord":
        check_discord(out)
    check_safe(out, fmt)
    flat = out if isinstance(out, str) else json.dumps(out, ensure_ascii=False)
    for label in ("OFFER", "DEMAND", "DENIAL", "ACCUSATION"):
        assert label in flat
    assert AMIR in flat and KULEBA in flat
    assert "Iranian Foreign Minister" in flat and "Ukraine's Foreign Minister" in flat
    assert "“I demanded Iran to immediately cease the flow of weapons" in flat  # direct quote in marks
    assert "Iran is ready to help the two sides reach a ceasefire" in flat
    assert "FM: Iran Ready to Help End Ukraine War" in flat


def test_text_is_plain_and_fits_a_terminal(seed_briefing):
    out = render(seed_briefing, "text")
    assert "\x1b" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    lines = out.splitlines()
    assert lines[0] == "FM: Iran Ready to Help End Ukraine War"
    first_offer = next(i for i, line in enumerate(lines) if line.strip().startswith("OFFER"))
    first_said = next(i for i, line in enumerate(lines) if line.strip().startswith("SAID"))
    assert first_offer < first_said
    assert lines[-1].startswith("10 of 14 statements shown") or "10 of 14 statements shown" in out


def test_slack_layout(seed_briefing):
    out = render(seed_briefing, "slack")
    kinds = [b["type"] for b in out["blocks"]]
    assert kinds[0] == "header" and kinds[-1] == "context" and "divider" in kinds
    sections = [b["text"]["text"] for b in out["blocks"] if b["type"] == "section"]
    assert sum(1 for s in sections if "*OFFER*" in s) == 3
    assert out["text"].startswith("Briefing: FM: Iran Ready to Help End Ukraine War")


def test_discord_layout(seed_briefing):
    out = render(seed_briefing, "discord")
    (embed,) = out["embeds"]
    assert embed["title"] == "FM: Iran Ready to Help End Ukraine War"
    assert len(embed["fields"]) == 10
    assert embed["fields"][0]["name"].startswith("🤝 OFFER · Hussein Amir-Abdollahian")
    assert "10 of 14 statements shown" in embed["footer"]["text"]
    assert out["allowed_mentions"] == {"parse": []}


@pytest.mark.parametrize("fmt", FORMATS)
def test_digest_in_every_format(seed_briefing, fmt):
    pairs = [(seed_briefing, f"https://news.example/{i}") for i in range(8)]
    d = digest_of(pairs, title="Morning briefing, Friday 27 November", cap=3)
    messages = render_digest(d, fmt)
    assert messages
    flat = json.dumps(messages, ensure_ascii=False)
    assert "Morning briefing, Friday 27 November" in flat
    assert "And 5 more" in flat
    assert "https://news.example/7" in flat
    for m in messages:
        if fmt == "slack":
            check_slack(m)
        elif fmt == "discord":
            check_discord(m)
        else:
            assert isinstance(m, str)
        check_safe(m, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_digest(fmt):
    messages = render_digest(digest_of([], title="Evening digest"), fmt)
    assert len(messages) == 1
    assert "No new articles" in json.dumps(messages[0], ensure_ascii=False)


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_message_is_escaped(fmt):
    out = render_message("Subscribed to <!channel> feed @everyone *now* [x](http://evil.example)", fmt)
    check_safe(out, fmt)
    flat = out if isinstance(out, str) else json.dumps(out, ensure_ascii=False)
    assert "Subscribed to" in flat
    if fmt == "slack":
        check_slack(out)
    if fmt == "discord":
        check_discord(out)


def test_unknown_format_is_refused(seed_briefing):
    with pytest.raises(ValueError, match="unknown format"):
        render(seed_briefing, "html")


def test_templates_found_in_the_source_tree():
    root = template_root()
    for fmt in FORMATS:
        assert root.joinpath(fmt).joinpath("parts.j2").is_file()


def test_wheel_ships_the_templates_and_finds_them(tmp_path):
    """Build the wheel (no network: no build isolation), unpack it, and render from it alone."""
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    if build.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {build.stderr.strip().splitlines()[-1:]}")
    (wheel,) = tmp_path.glob("briefbot-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for fmt in FORMATS:
        assert f"briefings/templates/{fmt}/parts.j2" in names
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    code = (
        "import briefings.present.render as r; from briefings.models import Briefing;"
        "root = r.template_root(); assert 'site' in str(root), root;"
        "print(r.render(Briefing(headline='H', source='s'), 'text'))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(unpacked)},
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("H\n")


@pytest.mark.parametrize(
    "cue, shown",
    [
        ("has strenuously denied", "has strenuously denied:"),
        ("called for", "called for:"),
        ("have accused of", "have accused:"),
        ("saying", None),
        ("according to", None),
        ("(floating quote)", None),
        ("", None),
    ],
)
@pytest.mark.parametrize("fmt", ["text", "markdown", "slack", "discord"])
def test_cue_shown_only_where_it_reads(cue, shown, fmt):
    bullet = Bullet(
        speaker="Iran", act="denial", kind="indirect", text="it sent no drones", cue=cue, start=0, end=1
    )
    out = render(Briefing(headline="H", source="s", bullets=[bullet], total_statements=1), fmt)
    flat = out if isinstance(out, str) else json.dumps(out, ensure_ascii=False)
    if shown:
        assert shown in flat
    else:
        assert "floating" not in flat and "saying" not in flat and "according" not in flat
    assert "it sent no drones" in flat


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_stored_briefing_with_an_unknown_act_still_renders(fmt):
    bullet = Bullet(speaker="A", act="musing", kind="direct", text="hello there", cue="said", start=0, end=1)
    out = render(
        Briefing(headline="H", source="s", bullets=[bullet], total_statements=1, counts={"musing": 1}), fmt
    )
    assert "SAID" in (out if isinstance(out, str) else json.dumps(out))


def test_dates_read_as_a_reader_writes_them_in_the_channel_time_zone():
    """Issue 11: feed dates printed as raw ISO; they read "30 Nov 2026, 07:30" in the channel's zone."""
    from briefings.models import Digest, DigestItem
    from briefings.present.render import readable_date

    assert readable_date("2026-11-30T06:30:00+00:00", "Europe/Berlin") == "30 Nov 2026, 07:30"
    assert readable_date("2026-11-30T06:30:00Z", "America/New_York") == "30 Nov 2026, 01:30"
    assert readable_date("2026-11-30T06:30:00", None) == "30 Nov 2026, 06:30"  # no offset: UTC
    assert readable_date("2026-11-30", "Asia/Tokyo") == "30 Nov 2026"  # a day stays a day
    assert readable_date("Nov. 30", "Europe/Berlin") == "Nov. 30"  # a dateline's date, as written
    b = Briefing(headline="Port strike ends", source="feed", date="2026-11-30T06:30:00+00:00")
    digest = Digest(
        title="Morning briefing", items=[DigestItem("Port strike ends", None, b)], timezone="Europe/Berlin"
    )
    for fmt in FORMATS:
        shown = json.dumps(render_digest(digest, fmt), ensure_ascii=False)
        assert "30 Nov 2026, 07:30" in shown and "2026-11-30T" not in shown, fmt
        shown = json.dumps(render(b, fmt, tz="Asia/Seoul"), ensure_ascii=False)
        assert "30 Nov 2026, 15:30" in shown, fmt
    assert b.date == "2026-11-30T06:30:00+00:00"  # the briefing itself is not changed
