"""Ids, in their canonical UUID form (RFC 9562): random ones (version 4) for what is not a
record, and for doses, skips and side effects version 7 ones that grow with the moment the
record is shown as of, to the second."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from adherelog.session import new_id, new_record_id
from helpers import connect, data, ok, scalar

RANDOM = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
TIMED = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MOMENTS = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2199, 12, 31), timezones=st.just(UTC)
)


def milliseconds(value: str) -> int:
    """The time field of a version 7 UUID: its first 48 bits."""
    return uuid.UUID(value).int >> 80


def assert_every_random_digit_varies(ids: list[str], fixed: set[int]) -> None:
    for position in set(range(36)) - {8, 13, 18, 23} - fixed:
        assert len({value[position] for value in ids}) > 8, position


def assert_canonical(ids: list[str], form: re.Pattern[str], version: int) -> None:
    """Each of ``ids`` is a distinct UUID of ``version`` with the RFC 9562 variant, written
    as Python writes it."""
    assert len(set(ids)) == len(ids)
    for value in ids:
        assert form.fullmatch(value), value
        parsed = uuid.UUID(value)
        assert (parsed.version, parsed.variant) == (version, uuid.RFC_4122)
        assert str(parsed) == value


def test_new_ids_are_canonical_random_uuids() -> None:
    ids = [new_id() for _ in range(2000)]
    assert_canonical(ids, RANDOM, 4)
    # Every random digit varies: no position is stuck (fixed digits are the 4 and the variant).
    assert_every_random_digit_varies(ids, {14, 19})


def test_record_ids_hold_the_moment_to_the_second_and_74_random_bits() -> None:
    # The fraction of a second, which the journal does not keep, is not in the id either.
    at = datetime(2026, 11, 22, 9, 10, 0, 123456, tzinfo=UTC)
    ids = [new_record_id(at) for _ in range(2000)]
    assert_canonical(ids, TIMED, 7)
    for value in ids:
        assert milliseconds(value) == 1_795_338_600_000
        assert value.startswith("01a20284-fe40-7")
    # The first 12 digits are the time; all the others but the version and variant vary.
    assert_every_random_digit_varies(ids, set(range(14)) | {14, 19})


def test_a_moment_before_1970_counts_no_milliseconds() -> None:
    for at in (datetime(1900, 1, 1, tzinfo=UTC), EPOCH - timedelta(microseconds=1)):
        value = new_record_id(at)
        assert milliseconds(value) == 0
        assert value.startswith("00000000-0000-7"), value


def time_field(at: datetime) -> int:
    """What the id of a record shown as of ``at`` holds: whole seconds, none before 1970."""
    return max((at - EPOCH) // timedelta(seconds=1), 0) * 1000


@given(MOMENTS)
def test_the_time_field_is_the_moment_in_whole_seconds(at: datetime) -> None:
    assert milliseconds(new_record_id(at)) == time_field(at)


@given(MOMENTS, MOMENTS)
def test_ids_of_later_moments_sort_after(first: datetime, second: datetime) -> None:
    earlier, later = sorted((first, second))
    if time_field(earlier) < time_field(later):
        assert new_record_id(earlier) < new_record_id(later)
    elif time_field(earlier) == time_field(later):
        assert new_record_id(earlier)[:14] == new_record_id(later)[:14]


def test_take_skip_and_effect_write_ids_of_the_moment_they_are_shown_as_of() -> None:
    ok("med", "add", "Sertraline", "--start", "2026-11-01", "--time", "08:00", "--time", "20:00")
    taken = data("take", "sertraline", "--at", "2026-11-22 08:05")
    assert TIMED.fullmatch(taken["id"]), taken["id"]
    assert milliseconds(taken["id"]) == 1_795_334_700_000  # 08:05 in London is 08:05 UTC
    # A skip is shown as of its slot (in the FHIR bundle too): when it was recorded is
    # not in its id.
    skipped = data("skip", "sertraline", "--at", "2026-11-21 20:30")
    assert milliseconds(skipped["id"]) == 1_795_291_200_000  # 20:00
    ok("effect", "add", "nausea", "--at", "2026-11-20 12:00")
    effect = scalar("SELECT id FROM records WHERE kind = 'effect'")
    assert milliseconds(effect) == 1_795_176_000_000
    # In the order of their moments, whatever the order they were written in.
    conn = connect()
    try:
        ordered = [row[0] for row in conn.execute("SELECT id FROM records ORDER BY id")]
    finally:
        conn.close()
    assert ordered == [effect, skipped["id"], taken["id"]]
