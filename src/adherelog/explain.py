"""The arithmetic behind a summary, in words (``summary --explain``, for people and in
JSON): how the slots add up, what adherence is divided by, which runs of days make the
streaks. Pure: plain values in, sentences out."""

from __future__ import annotations

from datetime import date

from adherelog import views
from adherelog.adherence import Streak
from adherelog.text import plural

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from adherelog.summary_values import Counts


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def day_text(day: date | None, today: date) -> str:
    """'Sat 24 Oct', with the year when it is not this year's (:func:`views.day_text`)."""
    return "" if day is None else views.day_text(day, today)


def slot_sentences(counts: Counts) -> list[str]:
    """The arithmetic behind one row of the table."""
    adherence = counts.adherence
    decided = f"{counts.taken} + {counts.skipped} skipped + {counts.missed} missed"
    return [
        f"{counts.scheduled} scheduled = {counts.taken} taken + {counts.skipped} skipped"
        f" + {counts.missed} missed + {counts.pending} pending",
        f"{counts.taken} taken = {counts.on_time} on time + {counts.early} early"
        f" + {counts.late} late (early and late: outside the grace period)",
        "adherence = no dose decided yet"
        if adherence is None
        else f"adherence = {counts.taken} taken / ({decided}) = {percent(adherence)}",
    ]


def streak_sentences(streak: Streak, today: date) -> list[str]:
    """The runs of kept days behind the current and the longest streak."""
    if streak.current:
        after = (
            f", after the broken day {day_text(streak.last_broken, today)}"
            if streak.last_broken
            else ", since the first day with doses"
        )
        current = (
            f"current streak {streak.current}: {plural(streak.current, 'kept day')} from "
            f"{day_text(streak.current_from, today)} to {day_text(streak.current_to, today)}"
            f"{after}"
        )
    elif streak.last_broken:
        current = (
            "current streak 0: the latest day with doses, "
            f"{day_text(streak.last_broken, today)}, was broken"
        )
    else:
        current = "current streak 0: no day with every dose taken yet"
    if streak.longest:
        longest = (
            f"longest streak {streak.longest}: {plural(streak.longest, 'kept day')} from "
            f"{day_text(streak.longest_from, today)} to {day_text(streak.longest_to, today)}"
        )
    else:
        longest = "longest streak 0"
    return [current, longest]
