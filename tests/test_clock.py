"""The clock: local zone, ADHERELOG_NOW, RFC 5545 wall-clock resolution, stored instants."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adherelog import clock
from adherelog.clock import from_utc_text, local_iso, local_zone, localize, now, to_utc_text
from adherelog.errors import UsageError

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
PARIS = ZoneInfo("Europe/Paris")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # a 30-minute daylight-saving shift


@pytest.fixture
def no_system_zone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point the system zone files at an empty folder and unset TZ."""
    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.setattr(clock, "LOCALTIME_PATH", str(tmp_path / "localtime"))
    monkeypatch.setattr(clock, "TIMEZONE_PATH", str(tmp_path / "timezone"))
    return tmp_path


# --- local_zone ---------------------------------------------------------------------------


def test_tz_names_the_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    assert local_zone() == NEW_YORK


def test_tz_with_leading_colon(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", ":Europe/Paris")
    assert local_zone().key == "Europe/Paris"


def test_tz_as_a_zoneinfo_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "/usr/share/zoneinfo/Europe/London")
    assert local_zone().key == "Europe/London"


def test_tz_colon_and_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", ":/usr/share/zoneinfo/Asia/Tokyo")
    assert local_zone().key == "Asia/Tokyo"


def test_tz_changes_are_seen_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/London")
    assert local_zone().key == "Europe/London"
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    assert local_zone().key == "Asia/Kolkata"


@pytest.mark.parametrize("value", ["Mars/Base", "Not a zone", "../../etc/passwd", "America"])
def test_unknown_tz_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("TZ", value)
    with pytest.raises(UsageError) as info:
        local_zone()
    assert str(info.value) == f"Unknown time zone '{value}' in TZ."
    assert info.value.exit_code == 2


def test_unknown_tz_message_escapes_control_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Mars\x1b[31m")
    with pytest.raises(UsageError) as info:
        local_zone()
    assert str(info.value) == "Unknown time zone 'Mars\\x1b[31m' in TZ."
    assert "\x1b" not in str(info.value)


def test_empty_tz_means_the_system_zone(
    monkeypatch: pytest.MonkeyPatch, no_system_zone: Path
) -> None:
    (no_system_zone / "timezone").write_text("Europe/Paris\n", encoding="utf-8")
    monkeypatch.setenv("TZ", "")
    assert local_zone().key == "Europe/Paris"


def test_system_zone_from_localtime_link(no_system_zone: Path) -> None:
    link = no_system_zone / "localtime"
    os.symlink("/usr/share/zoneinfo/America/New_York", link)
    (no_system_zone / "timezone").write_text("Europe/Paris\n", encoding="utf-8")
    assert local_zone().key == "America/New_York"


def test_system_zone_from_relative_localtime_link(no_system_zone: Path) -> None:
    link = no_system_zone / "localtime"
    os.symlink("../usr/share/zoneinfo/Asia/Tokyo", link)
    assert local_zone().key == "Asia/Tokyo"


def test_system_zone_from_etc_timezone(no_system_zone: Path) -> None:
    (no_system_zone / "timezone").write_text("  Europe/London\n", encoding="utf-8")
    assert local_zone().key == "Europe/London"


def test_system_zone_ignores_an_unknown_etc_timezone(no_system_zone: Path) -> None:
    (no_system_zone / "timezone").write_text("Mars/Base\n", encoding="utf-8")
    assert local_zone().key == "UTC"


def test_system_zone_defaults_to_utc(no_system_zone: Path) -> None:
    assert local_zone().key == "UTC"


# --- localize -----------------------------------------------------------------------------


def test_localize_ordinary_time() -> None:
    result = localize(date(2026, 11, 22), time(9, 0), LONDON)
    assert result == datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    assert result.tzinfo is LONDON


def test_localize_new_york_spring_gap_reads_offset_before_gap() -> None:
    result = localize(date(2026, 3, 8), time(2, 30), NEW_YORK)
    assert result.isoformat() == "2026-03-08T03:30:00-04:00"
    assert result.astimezone(UTC) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert (result.hour, result.minute) == (3, 30)


def test_localize_new_york_fall_back_means_first_occurrence() -> None:
    result = localize(date(2026, 11, 1), time(1, 30), NEW_YORK)
    assert result.isoformat() == "2026-11-01T01:30:00-04:00"
    assert result.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_localize_ignores_fold_on_the_time() -> None:
    result = localize(date(2026, 11, 1), time(1, 30, fold=1), NEW_YORK)
    assert result.utcoffset() == timedelta(hours=-4)


def test_localize_london_spring_gap() -> None:
    result = localize(date(2026, 3, 29), time(1, 30), LONDON)
    assert result.isoformat() == "2026-03-29T02:30:00+01:00"
    assert result.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_localize_london_fall_back() -> None:
    result = localize(date(2026, 10, 25), time(1, 30), LONDON)
    assert result.isoformat() == "2026-10-25T01:30:00+01:00"


def test_localize_half_hour_shift() -> None:
    # Lord Howe moves from +10:30 to +11:00 at 02:00 on the first Sunday of October.
    result = localize(date(2026, 10, 4), time(2, 15), LORD_HOWE)
    assert result.isoformat() == "2026-10-04T02:45:00+11:00"


def test_localize_edge_of_gap() -> None:
    assert localize(date(2026, 3, 8), time(2, 0), NEW_YORK).isoformat() == (
        "2026-03-08T03:00:00-04:00"
    )
    assert localize(date(2026, 3, 8), time(1, 59), NEW_YORK).isoformat() == (
        "2026-03-08T01:59:00-05:00"
    )
    assert localize(date(2026, 3, 8), time(3, 0), NEW_YORK).isoformat() == (
        "2026-03-08T03:00:00-04:00"
    )


_ZONES = st.sampled_from(
    [NEW_YORK, LONDON, PARIS, LORD_HOWE, ZoneInfo("America/Santiago"), ZoneInfo("UTC")]
)


@given(
    zone=_ZONES,
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2037, 12, 31)),
    wall=st.times(),
)
def test_localize_is_the_first_real_instant_or_the_gap_rule(
    zone: ZoneInfo, day: date, wall: time
) -> None:
    wall = wall.replace(fold=0)
    naive = datetime.combine(day, wall)
    result = localize(day, wall, zone)
    assert result.tzinfo is zone
    # Every UTC instant whose wall clock in the zone is exactly the naive time.
    offsets = {naive.replace(tzinfo=zone, fold=f).utcoffset() for f in (0, 1)}
    matches = sorted(
        u
        for u in (naive.replace(tzinfo=UTC) - off for off in offsets if off is not None)
        if u.astimezone(zone).replace(tzinfo=None) == naive
    )
    if matches:
        assert result.astimezone(UTC) == matches[0]
        assert result.replace(tzinfo=None) == naive
    else:
        # A gap: read with the offset in force a few hours before.
        before = (naive - timedelta(hours=3)).replace(tzinfo=zone).utcoffset()
        assert before is not None
        assert result.astimezone(UTC) == (naive - before).replace(tzinfo=UTC)
        assert result.replace(tzinfo=None) > naive


# --- now ----------------------------------------------------------------------------------


def test_now_from_adherelog_now_with_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADHERELOG_NOW", "2026-11-01T05:30:00Z")
    result = now(NEW_YORK)
    assert result.isoformat() == "2026-11-01T01:30:00-04:00"
    assert result.tzinfo is NEW_YORK


def test_now_from_adherelog_now_with_numeric_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADHERELOG_NOW", "2026-11-01T01:30:00-05:00")
    result = now(NEW_YORK)
    assert result.isoformat() == "2026-11-01T01:30:00-05:00"
    # Compared in UTC: an ambiguous local time never equals a moment of another zone.
    assert result.astimezone(UTC) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


def test_now_without_offset_is_local_wall_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADHERELOG_NOW", "2026-11-22T09:00:00")
    result = now(LONDON)
    assert result == datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    assert result.tzinfo is LONDON


def test_now_without_offset_follows_gap_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADHERELOG_NOW", "2026-03-08T02:30")
    assert now(NEW_YORK).isoformat() == "2026-03-08T03:30:00-04:00"


def test_now_without_offset_doubled_time_is_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADHERELOG_NOW", "2026-11-01 01:30:00")
    assert now(NEW_YORK).isoformat() == "2026-11-01T01:30:00-04:00"


def test_now_defaults_to_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Paris")
    monkeypatch.setenv("ADHERELOG_NOW", "2026-07-01T12:00:00")
    result = now()
    assert result.isoformat() == "2026-07-01T12:00:00+02:00"
    assert result.tzinfo == PARIS


def test_now_surrounding_whitespace_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADHERELOG_NOW", " 2026-07-01T12:00:00Z \n")
    assert now(ZoneInfo("UTC")) == datetime(2026, 7, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value", ["tomorrow", "2026-13-01T00:00", "2026-11-01T25:00", "yesterday 21:30", "1700000000"]
)
def test_invalid_adherelog_now_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("ADHERELOG_NOW", value)
    with pytest.raises(UsageError) as info:
        now(LONDON)
    assert f"'{value}'" in str(info.value)
    assert "ADHERELOG_NOW" in str(info.value)
    assert info.value.exit_code == 2


def test_real_now_is_aware_and_current(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ADHERELOG_NOW", raising=False)
    before = datetime.now(UTC)
    result = now(NEW_YORK)
    after = datetime.now(UTC)
    assert result.tzinfo is NEW_YORK
    assert before <= result <= after


def test_empty_adherelog_now_means_the_real_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADHERELOG_NOW", "")
    before = datetime.now(UTC)
    assert before <= now(LONDON) <= datetime.now(UTC)


def test_now_reports_an_unknown_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Mars/Base")
    monkeypatch.setenv("ADHERELOG_NOW", "2026-07-01T12:00:00Z")
    with pytest.raises(UsageError, match="Unknown time zone 'Mars/Base' in TZ"):
        now()


# --- stored instants ----------------------------------------------------------------------


def test_to_utc_text() -> None:
    moment = datetime(2026, 11, 1, 1, 30, 45, 999_999, tzinfo=NEW_YORK)
    assert to_utc_text(moment) == "2026-11-01T05:30:45Z"


def test_to_utc_text_second_occurrence() -> None:
    moment = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)
    assert to_utc_text(moment) == "2026-11-01T06:30:00Z"


def test_to_utc_text_refuses_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_utc_text(datetime(2026, 11, 1, 1, 30))


def test_from_utc_text() -> None:
    result = from_utc_text("2026-11-01T05:30:00Z")
    assert result == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert result.utcoffset() == timedelta(0)


def test_from_utc_text_refuses_naive() -> None:
    with pytest.raises(ValueError, match="offset"):
        from_utc_text("2026-11-01T05:30:00")


def test_local_iso() -> None:
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert local_iso(first, NEW_YORK) == "2026-11-01T01:30:00-04:00"
    assert local_iso(second, NEW_YORK) == "2026-11-01T01:30:00-05:00"
    assert local_iso(datetime(2026, 7, 1, 12, 0, 0, 500_000, tzinfo=UTC), ZoneInfo("UTC")) == (
        "2026-07-01T12:00:00+00:00"
    )
    assert local_iso(first, ZoneInfo("Asia/Kathmandu")) == "2026-11-01T11:15:00+05:45"


_INSTANTS = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


@given(moment=_INSTANTS, zone=_ZONES)
def test_stored_instant_round_trips(moment: datetime, zone: ZoneInfo) -> None:
    text = to_utc_text(moment.astimezone(zone))
    assert text.endswith("Z")
    assert len(text) == len("2026-11-01T05:30:00Z")
    assert from_utc_text(text) == moment.replace(microsecond=0)


@given(moment=_INSTANTS, zone=_ZONES)
def test_local_iso_names_the_same_instant(moment: datetime, zone: ZoneInfo) -> None:
    text = local_iso(moment, zone)
    parsed = datetime.fromisoformat(text)
    assert parsed == moment.replace(microsecond=0)
    assert parsed.utcoffset() == moment.astimezone(zone).utcoffset()
