"""Slot arithmetic: local times in IANA zones, DST gaps and overlaps, weekday and time parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from briefings.deliver.scheduler import (
    digest_title,
    local_instant,
    next_slot,
    parse_times,
    parse_timezone,
    parse_weekdays,
    slots_between,
)
from briefings.errors import InputError

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
ALL = frozenset(range(7))


@pytest.mark.parametrize(
    ("zone", "day", "hhmm", "expected_utc"),
    [
        # ordinary days: winter and summer offsets
        (BERLIN, date(2026, 1, 15), "07:30", datetime(2026, 1, 15, 6, 30, tzinfo=UTC)),
        (BERLIN, date(2026, 7, 15), "07:30", datetime(2026, 7, 15, 5, 30, tzinfo=UTC)),
        # spring forward: 02:00 -> 03:00; 02:30 does not exist -> first valid instant, 03:00 CEST
        (BERLIN, date(2026, 3, 29), "02:30", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        (BERLIN, date(2026, 3, 29), "02:00", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        (BERLIN, date(2026, 3, 29), "03:00", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        # fall back: 03:00 -> 02:00; 02:30 happens twice -> the first (CEST)
        (BERLIN, date(2026, 10, 25), "02:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        (NEW_YORK, date(2026, 3, 8), "02:30", datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
        (NEW_YORK, date(2026, 11, 1), "01:30", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
        (NEW_YORK, date(2026, 11, 1), "07:30", datetime(2026, 11, 1, 12, 30, tzinfo=UTC)),
    ],
)
def test_local_instant(zone, day, hhmm, expected_utc):
    assert local_instant(day, hhmm, zone) == expected_utc


@pytest.mark.parametrize(
    ("zone", "hhmm", "day"),
    [
        (BERLIN, "02:30", date(2026, 3, 29)),
        (BERLIN, "02:30", date(2026, 10, 25)),
        (NEW_YORK, "02:30", date(2026, 3, 8)),
        (NEW_YORK, "01:30", date(2026, 11, 1)),
    ],
)
def test_a_dst_day_has_exactly_one_slot(zone, hhmm, day):
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone) - timedelta(hours=1)
    slots = slots_between([hhmm], ALL, zone, start, start + timedelta(hours=26))
    assert [s.local_date for s in slots] == [day]


def test_slots_across_a_week_respect_weekdays_and_zone():
    start = datetime(2026, 3, 23, 0, 0, tzinfo=UTC)  # a Monday
    slots = slots_between(
        ["07:30", "18:00"], parse_weekdays("mon-fri"), BERLIN, start, start + timedelta(days=14)
    )
    assert len(slots) == 20
    assert all(s.local_date.weekday() < 5 for s in slots)
    # Berlin moves to summer time on Sunday 29 March: 07:30 local is 06:30 UTC before, 05:30 UTC after.
    assert slots[0].due_at == datetime(2026, 3, 23, 6, 30, tzinfo=UTC)
    assert slots[-2].due_at == datetime(2026, 4, 3, 5, 30, tzinfo=UTC)
    assert slots == sorted(slots, key=lambda s: s.due_at)


def test_next_slot_skips_to_the_next_allowed_day():
    friday_evening = datetime(2026, 3, 27, 20, 0, tzinfo=UTC)
    s = next_slot(["07:30"], parse_weekdays("mon-fri"), BERLIN, friday_evening)
    assert s is not None and s.local_date == date(2026, 3, 30)


@pytest.mark.parametrize(
    ("spec", "days"),
    [
        ("mon-sun", set(range(7))),
        ("daily", set(range(7))),
        ("weekdays", {0, 1, 2, 3, 4}),
        ("weekends", {5, 6}),
        ("sat,sun", {5, 6}),
        ("fri-mon", {4, 5, 6, 0}),
        ("Monday,Wednesday", {0, 2}),
    ],
)
def test_parse_weekdays(spec, days):
    assert parse_weekdays(spec) == frozenset(days)


@pytest.mark.parametrize("bad", ["someday", "mon-xyz", ""])
def test_parse_weekdays_refuses_nonsense(bad):
    with pytest.raises(InputError):
        parse_weekdays(bad)


def test_parse_times():
    assert parse_times("18:00,7:30") == ["07:30", "18:00"]
    assert parse_times(["07:30", "07:30"]) == ["07:30"]
    for bad in ("25:00", "7", "07:3", "noon", "07:60"):
        with pytest.raises(InputError, match="HH:MM"):
            parse_times(bad)


def test_parse_timezone():
    assert parse_timezone("Europe/Berlin") == BERLIN
    for bad in ("Mars/Olympus", "CET+5", "../../etc/passwd"):
        with pytest.raises(InputError, match="IANA"):
            parse_timezone(bad)


def test_digest_title_uses_the_local_date():
    # 23:30 UTC on Friday is 00:30 on Saturday in Berlin.
    assert (
        digest_title(datetime(2026, 11, 27, 23, 30, tzinfo=UTC), BERLIN)
        == "Morning briefing, Saturday 28 November"
    )
    assert (
        digest_title(datetime(2026, 11, 27, 18, 0, tzinfo=UTC), BERLIN)
        == "Evening briefing, Friday 27 November"
    )
