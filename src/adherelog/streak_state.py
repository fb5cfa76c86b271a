"""The streak state kept in the journal at the settled day, as JSON: written by writing
commands, read back by :mod:`adherelog.summary_engine` (a state of another version reads as
none, and is folded again)."""

from __future__ import annotations

import json
from datetime import date

from adherelog.adherence import Streak

CACHE_VERSION = 1


def to_json(state: Streak) -> str:
    def iso(value: date | None) -> str | None:
        return None if value is None else value.isoformat()

    return json.dumps(
        {
            "v": CACHE_VERSION,
            "current": state.current,
            "current_from": iso(state.current_from),
            "current_to": iso(state.current_to),
            "longest": state.longest,
            "longest_from": iso(state.longest_from),
            "longest_to": iso(state.longest_to),
            "last_broken": iso(state.last_broken),
        }
    )


def from_json(text: str) -> Streak | None:
    """A cached state, or None when it was written by another version of this code."""
    try:
        data = json.loads(text)
        if data.get("v") != CACHE_VERSION:
            return None

        def day(key: str) -> date | None:
            value = data.get(key)
            return None if value is None else date.fromisoformat(value)

        return Streak(
            int(data["current"]),
            day("current_from"),
            day("current_to"),
            int(data["longest"]),
            day("longest_from"),
            day("longest_to"),
            day("last_broken"),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
