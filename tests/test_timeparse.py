"""The strict time grammar of SPEC §2: every accepted form, DST rules, and refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adherelog.clock import localize
from adherelog.errors import UsageError
from adherelog.timeparse import Moment, parse_clock, parse_moment, until_moment

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")

# Sunday 22 November 2026, 09:00 in London (GMT, +00:00).
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=LONDON)
# Wednesday 25 November 2026, 14:45:30 in New York (EST, -05:00).
NOW_NY = datetime(2026, 11, 25, 14, 45, 30, tzinfo=NEW_YORK)


def iso(text: str, now: datetime = NOW) -> str:
    """The parsed moment as ISO 8601 text with its offset (an exact, readable value)."""
    moment = parse_moment(text, now)
    assert moment.at.tzinfo is now.tzinfo
    return moment.at.isoformat()


# --- accepted forms -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "date_only"),
    [
        # ISO dates and date-times
        ("2026-11-01", "2026-11-01T00:00:00+00:00", True),
        ("2026-07-01", "2026-07-01T00:00:00+01:00", True),
        ("2026-11-01T08:15", "2026-11-01T08:15:00+00:00", False),
        ("2026-11-01 08:15", "2026-11-01T08:15:00+00:00", False),
        ("2026-11-01t08:15", "2026-11-01T08:15:00+00:00", False),
        ("2026-07-01 08:15", "2026-07-01T08:15:00+01:00", False),
        ("2026-11-01T08:15:42", "2026-11-01T08:15:42+00:00", False),
        ("2026-11-01T08:15:42.5", "2026-11-01T08:15:42.500000+00:00", False),
        ("2026-11-01T08:15:42,25", "2026-11-01T08:15:42.250000+00:00", False),
        ("2026-11-01T08:15:42.1234567", "2026-11-01T08:15:42.123456+00:00", False),
        ("2026-11-01T08:15Z", "2026-11-01T08:15:00+00:00", False),
        ("2026-11-01T08:15z", "2026-11-01T08:15:00+00:00", False),
        ("2026-07-01T08:15Z", "2026-07-01T09:15:00+01:00", False),
        ("2026-11-01T08:15+01:00", "2026-11-01T07:15:00+00:00", False),
        ("2026-11-01T08:15+0100", "2026-11-01T07:15:00+00:00", False),
        ("2026-11-01T08:15+01", "2026-11-01T07:15:00+00:00", False),
        ("2026-11-01T08:15:30-05:30", "2026-11-01T13:45:30+00:00", False),
        ("2026-11-01T00:00:00+14:00", "2026-10-31T10:00:00+00:00", False),
        # now
        ("now", "2026-11-22T09:00:00+00:00", False),
        ("NOW", "2026-11-22T09:00:00+00:00", False),
        # today / yesterday
        ("today", "2026-11-22T00:00:00+00:00", True),
        ("Today", "2026-11-22T00:00:00+00:00", True),
        ("yesterday", "2026-11-21T00:00:00+00:00", True),
        ("yesterday 21:30", "2026-11-21T21:30:00+00:00", False),
        ("today 8am", "2026-11-22T08:00:00+00:00", False),
        ("today 8:15pm", "2026-11-22T20:15:00+00:00", False),
        ("today 8 pm", "2026-11-22T20:00:00+00:00", False),
        ("yesterday   07:05", "2026-11-21T07:05:00+00:00", False),
        ("YESTERDAY 9PM", "2026-11-21T21:00:00+00:00", False),
        ("today 23:00", "2026-11-22T23:00:00+00:00", False),
        # bare times
        ("08:15", "2026-11-22T08:15:00+00:00", False),
        ("8:15", "2026-11-22T08:15:00+00:00", False),
        ("0:00", "2026-11-22T00:00:00+00:00", False),
        ("00:00", "2026-11-22T00:00:00+00:00", False),
        ("20:00", "2026-11-22T20:00:00+00:00", False),
        ("23:59", "2026-11-22T23:59:00+00:00", False),
        ("8:15pm", "2026-11-22T20:15:00+00:00", False),
        ("8:15 PM", "2026-11-22T20:15:00+00:00", False),
        ("8pm", "2026-11-22T20:00:00+00:00", False),
        ("8 pm", "2026-11-22T20:00:00+00:00", False),
        ("8am", "2026-11-22T08:00:00+00:00", False),
        ("08am", "2026-11-22T08:00:00+00:00", False),
        ("12am", "2026-11-22T00:00:00+00:00", False),
        ("12:30am", "2026-11-22T00:30:00+00:00", False),
        ("12pm", "2026-11-22T12:00:00+00:00", False),
        ("12:45pm", "2026-11-22T12:45:00+00:00", False),
        ("11:59pm", "2026-11-22T23:59:00+00:00", False),
        ("1am", "2026-11-22T01:00:00+00:00", False),
        # relative
        ("30m ago", "2026-11-22T08:30:00+00:00", False),
        ("30 min ago", "2026-11-22T08:30:00+00:00", False),
        ("30 mins ago", "2026-11-22T08:30:00+00:00", False),
        ("1 minute ago", "2026-11-22T08:59:00+00:00", False),
        ("90 minutes ago", "2026-11-22T07:30:00+00:00", False),
        ("0m ago", "2026-11-22T09:00:00+00:00", False),
        ("2h ago", "2026-11-22T07:00:00+00:00", False),
        ("2 hr ago", "2026-11-22T07:00:00+00:00", False),
        ("2hrs ago", "2026-11-22T07:00:00+00:00", False),
        ("1 hour ago", "2026-11-22T08:00:00+00:00", False),
        ("2 hours ago", "2026-11-22T07:00:00+00:00", False),
        ("3d ago", "2026-11-19T09:00:00+00:00", False),
        ("1 day ago", "2026-11-21T09:00:00+00:00", False),
        ("3 days ago", "2026-11-19T09:00:00+00:00", False),
        ("3D AGO", "2026-11-19T09:00:00+00:00", False),
        # weekdays: NOW is a Sunday
        ("sunday", "2026-11-22T00:00:00+00:00", True),
        ("sun", "2026-11-22T00:00:00+00:00", True),
        ("saturday", "2026-11-21T00:00:00+00:00", True),
        ("sat", "2026-11-21T00:00:00+00:00", True),
        ("monday", "2026-11-16T00:00:00+00:00", True),
        ("mon", "2026-11-16T00:00:00+00:00", True),
        ("Tue", "2026-11-17T00:00:00+00:00", True),
        ("wednesday", "2026-11-18T00:00:00+00:00", True),
        ("thu", "2026-11-19T00:00:00+00:00", True),
        ("FRIDAY", "2026-11-20T00:00:00+00:00", True),
        ("mon 8am", "2026-11-16T08:00:00+00:00", False),
        ("friday 21:30", "2026-11-20T21:30:00+00:00", False),
        ("sun 8:15", "2026-11-22T08:15:00+00:00", False),
        # surrounding whitespace
        ("  08:15  ", "2026-11-22T08:15:00+00:00", False),
        ("\tyesterday\n", "2026-11-21T00:00:00+00:00", True),
    ],
)
def test_accepted_forms(text: str, expected: str, date_only: bool) -> None:
    moment = parse_moment(text, NOW)
    assert moment.at.isoformat() == expected
    assert moment.date_only is date_only
    assert moment.at.tzinfo is LONDON


def test_moment_is_frozen() -> None:
    moment = parse_moment("now", NOW)
    assert moment == Moment(at=NOW, date_only=False)
    with pytest.raises(AttributeError):
        moment.date_only = True  # type: ignore[misc]  # frozen: refused at run time too


def test_now_keeps_its_precision() -> None:
    precise = datetime(2026, 11, 22, 9, 0, 12, 345_678, tzinfo=LONDON)
    assert parse_moment("now", precise).at == precise
    assert parse_moment("5m ago", precise).at.isoformat() == "2026-11-22T08:55:12.345678+00:00"


def test_results_are_in_nows_zone() -> None:
    assert iso("2026-11-01T08:15Z", NOW_NY) == "2026-11-01T03:15:00-05:00"
    assert iso("today", NOW_NY) == "2026-11-25T00:00:00-05:00"
    assert iso("yesterday 21:30", NOW_NY) == "2026-11-24T21:30:00-05:00"
    assert iso("wed", NOW_NY) == "2026-11-25T00:00:00-05:00"
    assert iso("thursday", NOW_NY) == "2026-11-19T00:00:00-05:00"
    assert iso("2h ago", NOW_NY) == "2026-11-25T12:45:30-05:00"


def test_today_is_the_local_date_not_the_utc_date() -> None:
    # 23:30 in New York is already the next day in UTC.
    late = datetime(2026, 11, 25, 23, 30, tzinfo=NEW_YORK)
    assert iso("today", late) == "2026-11-25T00:00:00-05:00"
    assert iso("08:00", late) == "2026-11-25T08:00:00-05:00"
    assert iso("yesterday", late) == "2026-11-24T00:00:00-05:00"


# --- weekdays -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected_day"),
    [
        ("wed", date(2026, 11, 25)),  # today included
        ("tue", date(2026, 11, 24)),
        ("mon", date(2026, 11, 23)),
        ("sun", date(2026, 11, 22)),
        ("sat", date(2026, 11, 21)),
        ("fri", date(2026, 11, 20)),
        ("thu", date(2026, 11, 19)),  # six days back, never in the future
    ],
)
def test_weekday_is_the_most_recent_one(name: str, expected_day: date) -> None:
    moment = parse_moment(name, NOW_NY)
    assert moment.date_only
    assert moment.at.date() == expected_day
    assert (moment.at.hour, moment.at.minute) == (0, 0)
    assert NOW_NY - timedelta(days=7) < moment.at <= NOW_NY


def test_weekday_today_with_a_later_time_stays_today() -> None:
    # The day is chosen first; a time later than now still means today.
    assert iso("wed 20:00", NOW_NY) == "2026-11-25T20:00:00-05:00"


def test_weekday_across_a_dst_change() -> None:
    # Tuesday 10 March 2026 in New York; Sunday the 8th is the spring-forward day.
    tuesday = datetime(2026, 3, 10, 9, 0, tzinfo=NEW_YORK)
    assert iso("sun", tuesday) == "2026-03-08T00:00:00-05:00"
    assert iso("sun 2:30am", tuesday) == "2026-03-08T03:30:00-04:00"
    assert iso("sat 12pm", tuesday) == "2026-03-07T12:00:00-05:00"


# --- DST ----------------------------------------------------------------------------------

SPRING_NY = datetime(2026, 3, 8, 12, 0, tzinfo=NEW_YORK)  # 12:00 EDT, 16:00 UTC
FALL_NY = datetime(2026, 11, 1, 12, 0, tzinfo=NEW_YORK)  # 12:00 EST, 17:00 UTC


def test_new_york_spring_gap_iso() -> None:
    moment = parse_moment("2026-03-08 02:30", SPRING_NY)
    assert moment.at.isoformat() == "2026-03-08T03:30:00-04:00"
    assert moment.at.astimezone(UTC) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_new_york_spring_gap_bare_time_and_today() -> None:
    assert iso("02:30", SPRING_NY) == "2026-03-08T03:30:00-04:00"
    assert iso("2:30am", SPRING_NY) == "2026-03-08T03:30:00-04:00"
    assert iso("today 2:00", SPRING_NY) == "2026-03-08T03:00:00-04:00"
    assert iso("01:59", SPRING_NY) == "2026-03-08T01:59:00-05:00"
    assert iso("today", SPRING_NY) == "2026-03-08T00:00:00-05:00"


def test_new_york_fall_back_means_first_occurrence() -> None:
    moment = parse_moment("2026-11-01 01:30", FALL_NY)
    assert moment.at.isoformat() == "2026-11-01T01:30:00-04:00"
    assert moment.at.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert iso("01:30", FALL_NY) == "2026-11-01T01:30:00-04:00"
    assert iso("today 1:30am", FALL_NY) == "2026-11-01T01:30:00-04:00"


def test_new_york_fall_back_offset_picks_the_second_occurrence() -> None:
    moment = parse_moment("2026-11-01T01:30-05:00", FALL_NY)
    assert moment.at.isoformat() == "2026-11-01T01:30:00-05:00"
    assert moment.at.astimezone(UTC) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    first = parse_moment("2026-11-01T01:30-04:00", FALL_NY)
    assert first.at.isoformat() == "2026-11-01T01:30:00-04:00"
    # Same-zone datetime arithmetic is wall-clock arithmetic; intervals are taken in UTC.
    assert moment.at.astimezone(UTC) - first.at.astimezone(UTC) == timedelta(hours=1)


def test_london_spring_gap() -> None:
    sunday = datetime(2026, 3, 29, 12, 0, tzinfo=LONDON)
    moment = parse_moment("2026-03-29 01:30", sunday)
    assert moment.at.isoformat() == "2026-03-29T02:30:00+01:00"
    assert moment.at.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert iso("1:30am", sunday) == "2026-03-29T02:30:00+01:00"


def test_london_fall_back_first_occurrence() -> None:
    sunday = datetime(2026, 10, 25, 12, 0, tzinfo=LONDON)
    assert iso("01:30", sunday) == "2026-10-25T01:30:00+01:00"
    assert iso("2026-10-25T01:30+00:00", sunday) == "2026-10-25T01:30:00+00:00"


def test_days_ago_is_24_hours_in_utc() -> None:
    # 12:00 EDT on the spring-forward day is 16:00 UTC; 24 h earlier is 11:00 EST.
    assert iso("1d ago", SPRING_NY) == "2026-03-07T11:00:00-05:00"
    # 12:00 EST on the fall-back day is 17:00 UTC; 24 h earlier is 13:00 EDT.
    assert iso("1 day ago", FALL_NY) == "2026-10-31T13:00:00-04:00"
    assert iso("24h ago", FALL_NY) == iso("1d ago", FALL_NY)
    # Counting back through the doubled hour: 11 h and 12 h ago are both 01:00 local.
    assert iso("10h ago", FALL_NY) == "2026-11-01T02:00:00-05:00"
    assert iso("11h ago", FALL_NY) == "2026-11-01T01:00:00-05:00"
    assert iso("12h ago", FALL_NY) == "2026-11-01T01:00:00-04:00"


# --- until --------------------------------------------------------------------------------


def test_until_a_date_includes_the_whole_day() -> None:
    assert until_moment(parse_moment("2026-11-01", NOW)).isoformat() == (
        "2026-11-02T00:00:00+00:00"
    )
    assert until_moment(parse_moment("today", NOW)).isoformat() == "2026-11-23T00:00:00+00:00"
    assert until_moment(parse_moment("yesterday", NOW)).isoformat() == ("2026-11-22T00:00:00+00:00")
    assert until_moment(parse_moment("mon", NOW)).isoformat() == "2026-11-17T00:00:00+00:00"


def test_until_a_moment_is_that_moment() -> None:
    moment = parse_moment("yesterday 21:30", NOW)
    assert until_moment(moment) == moment.at
    assert until_moment(parse_moment("now", NOW)) is NOW


def test_until_a_day_with_a_dst_change() -> None:
    # The day before fall-back ends at local midnight, which is 04:00 UTC.
    moment = parse_moment("2026-10-31", FALL_NY)
    assert until_moment(moment).isoformat() == "2026-11-01T00:00:00-04:00"
    # The fall-back day itself is 25 hours long.
    day = parse_moment("2026-11-01", FALL_NY)
    assert until_moment(day).astimezone(UTC) - day.at.astimezone(UTC) == timedelta(hours=25)
    spring = parse_moment("2026-03-08", SPRING_NY)
    assert until_moment(spring).astimezone(UTC) - spring.at.astimezone(UTC) == timedelta(hours=23)


# --- refusals -----------------------------------------------------------------------------

REJECTED = [
    "tomorrow",
    "01/02/2025",
    "8",
    "08",
    "next monday",
    "next week",
    "2026-13-01",
    "2026-02-30",
    "2026-00-10",
    "0000-01-01",
    "2026-1-5",
    "26-11-01",
    "2026/11/01",
    "20261101",
    "2026-11-01T",
    "2026-11-01T8:15",
    "2026-11-01T25:00",
    "2026-11-01T24:00",
    "2026-11-01T08:60",
    "2026-11-01T08:15:61",
    "2026-11-01T08:15+25:00",
    "2026-11-01T08:15+01:60",
    "2026-11-01T08:15 +01:00",
    "2026-11-01T08:15 extra",
    "2026-11-01  08:15",
    "2026-11-01 8pm",
    "25:00",
    "24:00",
    "08:60",
    "8:5",
    "08:15:30",
    "123:00",
    "13pm",
    "0am",
    "00am",
    "12:60pm",
    "8 p.m.",
    "8p",
    "-2h ago",
    "2x ago",
    "2 weeks ago",
    "2h",
    "2h ago ago",
    "ago",
    "in 2h",
    "2h from now",
    "1.5h ago",
    "",
    "   ",
    "yesterday 25:00",
    "yesterday 8",
    "yesterday at 8pm",
    "today morning",
    "now 8am",
    "monday morning",
    "mo",
    "tues",
    "thurs",
    "mon 25:00",
    "noon",
    "midnight",
    "\x1b[31m",
    "08:15\x1b[0m",
    "\u202e08:15",
    "08:15\u200b",
    "\uff10\uff18:15",  # full-width digits
    "\u0668:15",  # Arabic-Indic digit eight
    "2026-11-01\n08:15",
    "yesterday\n21:30",
    "9999999999d ago",
]


@pytest.mark.parametrize("text", REJECTED)
def test_rejected_inputs(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_moment(text, NOW)
    message = str(info.value)
    assert message.startswith("Cannot understand the time '")
    assert message.endswith("'; try for example '2026-11-01 08:15' or 'yesterday 21:30'.")
    assert info.value.exit_code == 2
    assert UsageError.exit_code == 2
    # The message is one line and carries no raw control or invisible characters.
    assert "\n" not in message
    assert all(ch.isprintable() for ch in message)


def test_rejected_plain_value_is_quoted_exactly() -> None:
    with pytest.raises(UsageError) as info:
        parse_moment("tomorrow", NOW)
    assert str(info.value) == (
        "Cannot understand the time 'tomorrow'; try for example '2026-11-01 08:15' "
        "or 'yesterday 21:30'."
    )


def test_rejected_value_keeps_its_case_and_spaces() -> None:
    with pytest.raises(UsageError, match=r"^Cannot understand the time '  Next Monday '"):
        parse_moment("  Next Monday ", NOW)


def test_rejected_control_characters_are_escaped() -> None:
    with pytest.raises(UsageError) as info:
        parse_moment("\x1b[31m", NOW)
    assert str(info.value).startswith("Cannot understand the time '\\x1b[31m';")
    with pytest.raises(UsageError) as info:
        parse_moment("\u202e08:15", NOW)
    assert str(info.value).startswith("Cannot understand the time '\\u202e08:15';")
    with pytest.raises(UsageError) as info:
        parse_moment("yesterday\n21:30", NOW)
    assert str(info.value).startswith("Cannot understand the time 'yesterday\\n21:30';")


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_moment("now", datetime(2026, 11, 22, 9, 0))


# --- parse_clock --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00", time(8, 0)),
        ("8:00", time(8, 0)),
        ("20:30", time(20, 30)),
        ("00:00", time(0, 0)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("8am", time(8, 0)),
        ("8:30pm", time(20, 30)),
        ("8:30 PM", time(20, 30)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        (" 07:45 ", time(7, 45)),
    ],
)
def test_parse_clock_accepts(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "25:00",
        "24:00",
        "08:60",
        "abc",
        "8",
        "800",
        "8:5",
        "08:00:00",
        "13pm",
        "0am",
        "",
        " ",
        "now",
        "today 8am",
        "08.00",
        "8h",
        "-1:00",
        "\x1b[2J",
    ],
)
def test_parse_clock_rejects(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_clock(text)
    message = str(info.value)
    assert message.startswith("Cannot understand the clock time '")
    assert message.endswith("'; use HH:MM, for example '08:00' or '20:30'.")
    assert info.value.exit_code == 2
    assert "\x1b" not in message


def test_parse_clock_message_quotes_the_value() -> None:
    with pytest.raises(UsageError) as info:
        parse_clock("25:00")
    assert str(info.value) == (
        "Cannot understand the clock time '25:00'; use HH:MM, for example '08:00' or '20:30'."
    )


# --- properties ---------------------------------------------------------------------------

HOURS = st.integers(min_value=0, max_value=23)
MINUTES = st.integers(min_value=0, max_value=59)


@given(hour=HOURS, minute=MINUTES)
def test_every_hh_mm_round_trips_through_parse_clock(hour: int, minute: int) -> None:
    wall = time(hour, minute)
    assert parse_clock(f"{hour:02d}:{minute:02d}") == wall
    assert parse_clock(f"{hour}:{minute:02d}") == wall
    assert parse_clock(wall.strftime("%H:%M")) == wall


@given(hour=HOURS, minute=MINUTES, spaced=st.booleans(), upper=st.booleans())
def test_every_twelve_hour_time_round_trips(
    hour: int, minute: int, spaced: bool, upper: bool
) -> None:
    half = "pm" if hour >= 12 else "am"
    text = f"{hour % 12 or 12}:{minute:02d}{' ' if spaced else ''}{half}"
    assert parse_clock(text.upper() if upper else text) == time(hour, minute)


@given(hour=st.integers(min_value=24, max_value=99), minute=MINUTES)
def test_hours_past_23_are_refused(hour: int, minute: int) -> None:
    with pytest.raises(UsageError):
        parse_clock(f"{hour}:{minute:02d}")


@given(hour=HOURS, minute=st.integers(min_value=60, max_value=99))
def test_minutes_past_59_are_refused(hour: int, minute: int) -> None:
    with pytest.raises(UsageError):
        parse_clock(f"{hour}:{minute}")


ZONES = st.sampled_from(
    [
        LONDON,
        NEW_YORK,
        ZoneInfo("Europe/Paris"),
        ZoneInfo("Australia/Lord_Howe"),
        ZoneInfo("America/Santiago"),
        ZoneInfo("Asia/Kathmandu"),
        ZoneInfo("UTC"),
    ]
)
NOWS = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=datetime(2037, 12, 30), timezones=st.just(UTC)
)


@given(instant=NOWS, zone=ZONES, hour=HOURS, minute=MINUTES)
def test_every_bare_time_is_today_at_that_wall_time_or_the_dst_one(
    instant: datetime, zone: ZoneInfo, hour: int, minute: int
) -> None:
    now = instant.astimezone(zone)
    moment = parse_moment(f"{hour:02d}:{minute:02d}", now)
    assert not moment.date_only
    assert moment.at.tzinfo is zone
    wall = time(hour, minute)
    naive = datetime.combine(now.date(), wall)
    assert moment.at == localize(now.date(), wall, zone)
    shown = moment.at.replace(tzinfo=None)
    if shown == naive:
        # The wall time exists; it is its first occurrence (folds last 30 or 60 minutes).
        for back in (timedelta(minutes=30), timedelta(hours=1)):
            earlier = moment.at.astimezone(UTC) - back
            assert earlier.astimezone(zone).replace(tzinfo=None) != naive
    else:
        # A spring-forward gap: the wall time does not exist that day.
        for fold in (0, 1):
            candidate = naive.replace(tzinfo=zone, fold=fold)
            assert candidate.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive
        assert naive < shown <= naive + timedelta(hours=1)


@given(instant=NOWS, zone=ZONES)
def test_every_iso_instant_with_offset_is_that_instant(instant: datetime, zone: ZoneInfo) -> None:
    now = datetime(2026, 11, 22, 9, 0, tzinfo=zone)
    shown = instant.astimezone(zone)
    moment = parse_moment(shown.isoformat(), now)
    assert moment.at.astimezone(UTC) == instant
    assert moment.at.tzinfo is zone
    assert moment.at.utcoffset() == shown.utcoffset()


@given(instant=NOWS, zone=ZONES, count=st.integers(min_value=0, max_value=5000))
def test_relative_moments_are_exact_utc_intervals(
    instant: datetime, zone: ZoneInfo, count: int
) -> None:
    now = instant.astimezone(zone)
    for unit, step in (
        ("m", timedelta(minutes=1)),
        ("h", timedelta(hours=1)),
        ("d", timedelta(days=1)),
    ):
        moment = parse_moment(f"{count}{unit} ago", now)
        assert moment.at.astimezone(UTC) == instant - step * count
        assert moment.at.tzinfo is zone


@given(instant=NOWS, zone=ZONES, weekday=st.integers(min_value=0, max_value=6))
def test_every_weekday_is_within_the_last_week(
    instant: datetime, zone: ZoneInfo, weekday: int
) -> None:
    now = instant.astimezone(zone)
    names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    for text in (names[weekday], names[weekday][:3]):
        moment = parse_moment(text, now)
        assert moment.date_only
        assert moment.at.date().weekday() == weekday
        assert 0 <= (now.date() - moment.at.date()).days <= 6
        assert moment.at == localize(moment.at.date(), time(0, 0), zone)
