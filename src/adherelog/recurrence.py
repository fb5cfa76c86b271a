"""The days of the schedules people have (SPEC §4): RFC 5545 recurrence rules and on/off
cycles, pure.

A rule is read with ``dateutil.rrule`` from the schedule's anchor (its start date), only
from the parts SPEC §4 names; its days are made once per process and kept, as sorted date
ordinals, so a schedule asks "is this day one of them?" and "how many of them lie between
these two days?" by bisection. A cycle ``ON/OFF`` is arithmetic: day ``d`` has doses when
``(d - anchor) mod (ON + OFF) < ON``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, datetime

from adherelog.errors import UsageError

FREQS = ("DAILY", "WEEKLY", "MONTHLY")
PARTS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL")
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_INTERVAL = 1000
MAX_COUNT = 100_000
MAX_CYCLE = 366
# A rule's days are made up to this year at most (the last date adherelog supports).
LAST_ORDINAL = date(2199, 12, 31).toordinal()


def _bad(part: str, why: str) -> UsageError:
    return UsageError(f"The RRULE part '{part}' {why}.")


def _int(part: str, value: str, low: int, high: int) -> int:
    if not value.lstrip("+-").isdigit():
        raise _bad(part, "needs a whole number")
    number = int(value)
    if not low <= number <= high:
        raise _bad(part, f"must be from {low} to {high}")
    return number


def _until(part: str, value: str) -> str:
    """``YYYYMMDD`` of an UNTIL value (a date, or a date-time whose date counts)."""
    text = value[:8]
    try:
        day = datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise _bad(part, "needs a date like 20261231") from None
    rest = value[8:]
    if rest and not (
        rest.startswith("T") and rest[1:].rstrip("Z").isdigit() and len(rest.rstrip("Z")) == 7
    ):
        raise _bad(part, "needs a date like 20261231")
    return day.strftime("%Y%m%d")


def normalize_rrule(text: str) -> str:
    """The rule ``text`` checked and written in one canonical form (parts in SPEC order,
    upper case, UNTIL as a date); a part SPEC §4 does not allow, or a value that cannot
    work, is a usage error naming the part."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    if not body:
        raise UsageError("The RRULE is empty; give one like FREQ=WEEKLY;BYDAY=MO.")
    found: dict[str, str] = {}
    for raw in body.split(";"):
        part = raw.strip()
        key, sep, value = part.partition("=")
        key, value = key.strip().upper(), value.strip().upper()
        if not sep or not key:
            raise UsageError(f"Cannot understand the RRULE part '{part}'; use NAME=VALUE.")
        if key not in PARTS:
            raise UsageError(
                f"The RRULE part '{part}' is not supported; use only "
                "FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT and UNTIL."
            )
        if key in found:
            raise _bad(part, "is given twice")
        if not value:
            raise _bad(part, "has no value")
        found[key] = value
    freq = found.get("FREQ")
    if freq is None:
        raise UsageError("The RRULE needs a FREQ part: FREQ=DAILY, WEEKLY or MONTHLY.")
    if freq not in FREQS:
        raise _bad(f"FREQ={freq}", "is not supported; use DAILY, WEEKLY or MONTHLY")
    out = [f"FREQ={freq}"]
    if "INTERVAL" in found:
        interval = _int(f"INTERVAL={found['INTERVAL']}", found["INTERVAL"], 1, MAX_INTERVAL)
        if interval != 1:
            out.append(f"INTERVAL={interval}")
    if "BYDAY" in found:
        days = []
        for item in found["BYDAY"].split(","):
            part = f"BYDAY={found['BYDAY']}"
            item = item.strip()
            code, ordinal = item[-2:], item[:-2]
            if code not in _DAYS:
                raise _bad(part, f"has '{item}', not a weekday like MO or 1MO")
            if ordinal:
                if freq != "MONTHLY":
                    raise _bad(part, "may have a number before a weekday only with FREQ=MONTHLY")
                number = _int(part, ordinal, -5, 5)
                if number == 0:
                    raise _bad(part, "needs a number from 1 to 5 or -5 to -1 before a weekday")
                item = f"{number}{code}"
            days.append(item)
        out.append("BYDAY=" + ",".join(days))
    if "BYMONTHDAY" in found:
        part = f"BYMONTHDAY={found['BYMONTHDAY']}"
        numbers = [_int(part, item.strip(), -31, 31) for item in found["BYMONTHDAY"].split(",")]
        if 0 in numbers:
            raise _bad(part, "needs days from 1 to 31 or -31 to -1")
        out.append("BYMONTHDAY=" + ",".join(str(n) for n in numbers))
    if "COUNT" in found and "UNTIL" in found:
        raise UsageError("The RRULE may have COUNT or UNTIL, not both.")
    if "COUNT" in found:
        count = _int(f"COUNT={found['COUNT']}", found["COUNT"], 1, MAX_COUNT)
        out.append(f"COUNT={count}")
    if "UNTIL" in found:
        out.append(f"UNTIL={_until('UNTIL=' + found['UNTIL'], found['UNTIL'])}")
    return ";".join(out)


def check_yields(rule: str, anchor: date) -> None:
    """Refuse (usage error naming the part) a rule that yields no day from ``anchor``."""
    if rule_days(rule, anchor, anchor.toordinal(), LAST_ORDINAL, limit=1):
        return
    limiting = [p for p in rule.split(";") if p.split("=")[0] in ("COUNT", "UNTIL")]
    part = limiting[0] if limiting else rule
    raise UsageError(
        f"The RRULE part '{part}' leaves no day with a dose from {anchor.isoformat()} on."
    )


class _Days:
    """The days of one rule made so far (ordinals, ascending) and how far they reach."""

    __slots__ = ("days", "done", "iterator", "through")

    def __init__(self, rule: str, anchor: date) -> None:
        from dateutil.rrule import rrulestr  # imported here: only rule schedules need it

        parsed = rrulestr(rule, dtstart=datetime.combine(anchor, datetime.min.time()))
        self.iterator = iter(parsed)
        self.days: list[int] = []
        self.through = anchor.toordinal() - 1  # every day up to here is decided
        self.done = False

    def reach(self, last: int, limit: int | None = None) -> None:
        """Make the days up to ``last`` (or until ``limit`` days are known)."""
        while not self.done and self.through < last:
            if limit is not None and len(self.days) >= limit:
                return
            moment = next(self.iterator, None)
            if moment is None or moment.year > 2199:
                self.done = True
                self.through = LAST_ORDINAL
                return
            day = moment.toordinal()
            if not self.days or day != self.days[-1]:
                self.days.append(day)
            self.through = day


_CACHE: dict[tuple[str, date], _Days] = {}


def _days(rule: str, anchor: date) -> _Days:
    key = (rule, anchor)
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = _Days(rule, anchor)
    return found


def rule_days(
    rule: str, anchor: date, first: int, last: int, *, limit: int | None = None
) -> list[int]:
    """The days (ordinals) of ``rule`` from ``anchor`` within ``[first, last]``."""
    if last < first:
        return []
    found = _days(rule, anchor)
    found.reach(last, limit=None if limit is None else bisect_left(found.days, first) + limit)
    return found.days[bisect_left(found.days, first) : bisect_right(found.days, last)]


def count_rule_days(rule: str, anchor: date, first: int, last: int) -> int:
    """How many days of ``rule`` lie within ``[first, last]``."""
    if last < first:
        return 0
    found = _days(rule, anchor)
    found.reach(last)
    return bisect_right(found.days, last) - bisect_left(found.days, first)


def has_rule_day(rule: str, anchor: date, ordinal: int) -> bool:
    """True when day ``ordinal`` is one of the rule's days."""
    found = _days(rule, anchor)
    found.reach(ordinal)
    at = bisect_left(found.days, ordinal)
    return at < len(found.days) and found.days[at] == ordinal


# ------------------------------------------------------------------------- cycles


def parse_cycle(text: str) -> tuple[int, int]:
    """``21/7`` → (21, 7): ON days with doses, then OFF days without; a usage error
    quoting the value otherwise."""
    on_text, sep, off_text = text.strip().partition("/")
    if not sep or not on_text.strip().isdigit() or not off_text.strip().isdigit():
        raise UsageError(
            f"Cannot understand the cycle '{text}'; give days on and days off like 21/7."
        )
    on, off = int(on_text), int(off_text)
    if not 1 <= on <= MAX_CYCLE or not 1 <= off <= MAX_CYCLE:
        raise UsageError(
            f"The cycle '{text}' needs 1 to {MAX_CYCLE} days on and 1 to {MAX_CYCLE} days off."
        )
    return on, off


def in_cycle(cycle: tuple[int, int], anchor: date, ordinal: int) -> bool:
    """True when day ``ordinal`` is one of the cycle's ON days."""
    on, off = cycle
    return (ordinal - anchor.toordinal()) % (on + off) < on


def count_cycle_days(cycle: tuple[int, int], anchor: date, first: int, last: int) -> int:
    """How many ON days of the cycle lie within ``[first, last]``, by arithmetic."""
    if last < first:
        return 0
    on, off = cycle
    period = on + off

    def upto(day: int) -> int:  # ON days in [anchor + k*period .. day] for some k far back
        full, rest = divmod(day - anchor.toordinal() + 1, period)
        return full * on + min(rest, on)

    return upto(last) - upto(first - 1)
