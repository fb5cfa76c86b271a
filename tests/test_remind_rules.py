"""The pure rules of a reminder pass: masking, messages, rounds, and the claim rules that
keep a notification from being sent twice (with Hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adherelog.errors import UsageError
from adherelog.remind_rules import (
    GIVE_UP,
    RETRY_DEAD,
    SEND,
    SKIP,
    Channel,
    Held,
    checksum,
    decide,
    dose_message,
    masked,
    parse_channel,
    reclaimed_after,
    round_due,
    supply_message,
)

SECRET = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-",
    min_size=6,
    max_size=20,
)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("desktop", "desktop"),
        ("ntfy://ntfy.example/my-secret-topic", "ntfy://ntfy.example/****"),
        (
            "mailto://me:app-password@mail.example?to=ana@mail.example",
            "mailto://****@mail.example?****",
        ),
        ("json://127.0.0.1:8080/hook", "json://127.0.0.1:8080/****"),
        ("json://localhost", "json://localhost"),
        ("tgram://123456789:AAHsecrettoken/987654", "tgram://****"),
        ("pover://userkey@apptoken", "pover://****@****"),
        ("discord://webhookid/webhooktoken", "discord://****/****"),
        ("json://[::1]:9000/x", "json://[::1]:9000/****"),
    ],
)
def test_masked_keeps_the_scheme_and_a_real_host_only(url: str, shown: str) -> None:
    assert masked(url) == shown


@given(
    scheme=st.sampled_from(["ntfy", "mailto", "json", "tgram", "pover", "slack"]),
    user=SECRET,
    password=SECRET,
    host=st.one_of(SECRET, st.just("push.example.org")),
    path=st.lists(SECRET, max_size=3),
    query=SECRET,
)
def test_masked_never_shows_a_secret_part(
    scheme: str, user: str, password: str, host: str, path: list[str], query: str
) -> None:
    url = f"{scheme}://{user}:{password}@{host}/{'/'.join(path)}?to={query}"
    shown = masked(url)
    assert shown.startswith(f"{scheme}://")
    for secret in (user, password, query, *path):
        assert secret not in shown
    if "." not in host:
        assert host not in shown


def test_channels_parse_and_are_told_apart_without_keeping_the_secret() -> None:
    assert parse_channel(" Desktop ").is_desktop
    one, two = (
        parse_channel("ntfy://ntfy.example/a-topic"),
        parse_channel("ntfy://ntfy.example/b-topic"),
    )
    assert one.shown == two.shown == "ntfy://ntfy.example/****"
    assert one.key != two.key
    assert "topic" not in one.key
    assert Channel("desktop").key == "desktop"
    assert checksum("abc") == checksum("abc") != checksum("abd")
    for bad in ("", "desk top", "ntfy:/x", "://x", "1x://y", "x://", "ntfy://a b"):
        with pytest.raises(UsageError):
            parse_channel(bad)


def test_messages_and_discretion() -> None:
    at = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    loud = dose_message("Sertraline", "50 mg", at, False, discreet=False)
    assert (loud.title, loud.body) == ("Time for Sertraline", "Sertraline 50 mg is due at 08:00.")
    quiet = dose_message("Sertraline", "50 mg", at, True, discreet=True)
    assert (quiet.title, quiet.body) == ("Reminder", "A dose is due")
    low = supply_message("Lithium", 4, "Thu 26 Nov", discreet=True)
    assert (low.title, low.body) == ("Reminder", "Time to order a refill")
    hostile = dose_message("Bad\x1b[31mname", None, at, False, discreet=False)
    assert "\x1b" not in hostile.title + hostile.body


@given(name=st.text(min_size=1, max_size=30), dose=st.text(max_size=20), overdue=st.booleans())
def test_a_discreet_dose_message_never_holds_the_name_or_dose(
    name: str, dose: str, overdue: bool
) -> None:
    at = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    message = dose_message(name, dose, at, overdue, discreet=True)
    assert (message.title, message.body) == ("Reminder", "A dose is due")


START = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


@given(
    gaps=st.lists(st.integers(0, 120), min_size=1, max_size=20),
    repeat=st.integers(1, 60),
    limit=st.integers(1, 5),
)
def test_rounds_come_no_sooner_than_repeat_and_never_past_the_limit(
    gaps: list[int], repeat: int, limit: int
) -> None:
    started: dict[int, datetime] = {}
    now = START
    for gap in gaps:
        now += timedelta(minutes=gap)
        number = round_due(started, now, timedelta(minutes=repeat), limit)
        assert number is not None
        assert 1 <= number <= limit
        if number not in started:
            if started:
                assert number == max(started) + 1
                assert now - started[max(started)] >= timedelta(minutes=repeat)
            started[number] = now
    assert round_due({}, START, timedelta(minutes=repeat), 0) is None


def test_decide_follows_the_claim_rules() -> None:
    clock = 1000.0
    assert decide(None, False, clock) == SEND
    assert decide(Held("failed", None, None, False), False, clock) == SEND
    assert decide(Held("sent", None, None, False), False, clock) == SKIP
    assert decide(Held("lost", None, None, True), False, clock) == SKIP
    assert decide(Held("claimed", "1:2", clock + 10, False), True, clock) == SKIP
    assert decide(Held("claimed", "1:2", clock + 10, False), False, clock) == RETRY_DEAD
    assert decide(Held("claimed", "1:2", clock - 1, False), True, clock) == RETRY_DEAD
    assert decide(Held("claimed", "1:2", clock + 10, True), False, clock) == GIVE_UP


@given(outcomes=st.lists(st.sampled_from(["sent", "failed", "killed"]), max_size=12))
def test_a_notification_is_sent_at_most_once_and_retried_once_after_a_crash(
    outcomes: list[str],
) -> None:
    """Passes one after another, each sending what ``decide`` says, ending as drawn: after a
    send that is known to have gone, nothing more; a pass killed mid-send (its send may
    have gone) is followed by one retry at most, over the whole life of the notification."""
    held: Held | None = None
    sends = killed = 0
    delivered = False
    for outcome in outcomes:
        action = decide(held, False, 0.0)
        if action in (SKIP, GIVE_UP):
            if action == GIVE_UP:
                held = Held("lost", None, None, True)
            continue
        assert not delivered
        sends += 1
        reclaimed = reclaimed_after(action, held)
        if outcome == "sent":
            held, delivered = Held("sent", None, None, reclaimed), True
        elif outcome == "failed":
            held = Held("failed", None, None, reclaimed)
        else:
            killed += 1
            held = Held("claimed", "9:9", None, reclaimed)
    assert killed <= 2
    assert held is None or held.state in ("sent", "failed", "claimed", "lost")
