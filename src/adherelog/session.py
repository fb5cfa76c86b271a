"""An open journal at a fixed "now" and local zone: what every feature works with.

It finds medications by name (with the suggestions of an unknown name) and refuses moments
in the future; the features (:mod:`adherelog.meds`, :mod:`adherelog.doses`, …) take it as
their first argument. :class:`adherelog.journal.Journal` adds the commands as methods.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from adherelog import views
from adherelog.errors import ConflictError, NotFoundError
from adherelog.model import Med, Slot
from adherelog.storage import Store
from adherelog.storage import meds as stored_meds
from adherelog.text import one_line

FUTURE_TOLERANCE = timedelta(minutes=5)


def new_id() -> str:
    """A random UUID (version 4) in canonical form. Written out here rather than with
    ``uuid.uuid4()``: importing :mod:`uuid` (and the ``platform`` module it loads) costs
    every ``take`` about 5 ms of start-up."""
    return _canonical("4", os.urandom(16).hex())


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_LAST_SECOND = (2**48 - 1) // 1000  # the last whole second 48 bits of milliseconds hold


def new_record_id(at: datetime) -> str:
    """A UUID (version 7, RFC 9562) for a record shown as of the moment ``at`` (a dose's or
    side effect's own moment, a skip's scheduled one): its first 48 bits count the
    milliseconds from 1970 to ``at`` in whole seconds, as the journal keeps moments (none
    for an earlier moment), the other 74 bits are random.

    Records are mostly written in the order of their moments, so the ids of a journal grow
    as its rows are added, and the index that keeps them unique grows at its end instead
    of all over (an import of the journal adds its records in that order too). The id
    tells no more than what shows the record anywhere (the FHIR bundle too) holds anyway:
    not the time it was written down, which a version 7 UUID usually holds."""
    seconds = min(max((at - _EPOCH) // timedelta(seconds=1), 0), _LAST_SECOND)
    return _canonical("7", f"{seconds * 1000:012x}{os.urandom(10).hex()}")


def _canonical(version: str, digits: str) -> str:
    """The 32 hexadecimal ``digits`` as a UUID of ``version`` in canonical form: the 13th
    digit replaced by the version and the 17th by the RFC 9562 variant (binary 10xx)."""
    variant = "89ab"[int(digits[16], 16) & 3]
    return (
        f"{digits[:8]}-{digits[8:12]}-{version}{digits[13:16]}-"
        f"{variant}{digits[17:20]}-{digits[20:32]}"
    )


def too_far_ahead(moment: datetime, now: datetime) -> bool:
    """True when ``moment`` is more than :data:`FUTURE_TOLERANCE` after ``now``.

    Counted in UTC: adding a timedelta to an aware local time moves its wall clock and
    drops its ``fold``, so during the repeated hour of a fall-back day ``now + 5 min``
    would land an hour early and the present would look like the future."""
    return moment.astimezone(UTC) > now.astimezone(UTC) + FUTURE_TOLERANCE


class Session:
    """An open journal with a fixed "now" and local zone."""

    def __init__(self, store: Store, now: datetime, local_zone: ZoneInfo) -> None:
        self.store = store
        self.conn = store.conn
        self.now = now
        self.zone = local_zone

    def meds(self) -> list[Med]:
        """Every medication, by name."""
        return stored_meds.all_meds(self.conn)

    def med(self, name: str) -> Med:
        """The medication called ``name`` (case-insensitive), or a NotFoundError that
        suggests close names."""
        found = stored_meds.find_med(self.conn, name)
        if found is None:
            raise NotFoundError(self._unknown_med_message(name))
        return found

    def _unknown_med_message(self, name: str) -> str:
        import difflib  # only for a name that is not found: it costs start-up time

        names = stored_meds.med_names(self.conn)
        by_key = {n.casefold(): n for n in names}
        close = difflib.get_close_matches(name.casefold(), list(by_key), n=3, cutoff=0.6)
        shown = one_line(name)
        if close:
            guesses = " or ".join(f"'{one_line(by_key[c])}'" for c in close)
            return f"No medication named '{shown}'. Did you mean {guesses}?"
        if not names:
            return (
                f"No medication named '{shown}'; the journal has none yet "
                "(add one with 'adherelog med add')."
            )
        return f"No medication named '{shown}'; 'adherelog med list' shows them."

    def check_not_future(self, at: datetime, what: str = "a dose") -> None:
        """Refuse a moment more than :data:`FUTURE_TOLERANCE` ahead of now."""
        if too_far_ahead(at, self.now):
            shown = self.describe_moment(at)
            raise ConflictError(
                f"{shown[0].upper()}{shown[1:]} is in the future; {what} can only be"
                " recorded once it has happened."
            )

    def describe_moment(self, moment: datetime, own_zone: str | None = None) -> str:
        """'today 08:05', 'yesterday 21:10' or 'Tue 3 Nov 08:00' in the local zone, with
        ``own_zone``'s clock in brackets when it is another zone (see :mod:`views`)."""
        return views.moment_text(moment, self.zone, self.now, own_zone=own_zone, words=True)

    def describe_slot(self, slot: Slot) -> str:
        """A slot as a sentence names it: 'today 08:00', '13:00 (08:00 America/New_York)'."""
        return self.describe_moment(slot.scheduled, slot.zone)

    def describe_day(self, day: date) -> str:
        """'today', 'yesterday' or 'Tue 3 Nov'."""
        return views.day_text(day, self.now.astimezone(self.zone).date(), words=True)
