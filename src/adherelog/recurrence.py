"""The days of the schedules people have (SPEC §4): RFC 5545 recurrence rules and on/off
cycles, pure.

A rule is read with ``dateutil.rrule`` from the schedule's anchor (its start date) when a
schedule is made, only from the parts SPEC §4 names. Its days are then worked out by
arithmetic over the rule's periods (:class:`Rule`), the same days dateutil gives (a
property test compares them) without importing it (≈ 50 ms with ``calendar`` and
``locale``) or making every day since the anchor on the hot paths. A cycle ``ON/OFF`` is
arithmetic: day ``d`` has doses when ``(d - anchor) mod (ON + OFF) < ON``.
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
        if freq == "WEEKLY":
            raise _bad(part, "cannot be used with FREQ=WEEKLY (RFC 5545)")
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


def read_rrule(rule: str, anchor: date) -> object:
    """The rule as ``dateutil.rrule`` reads it from ``anchor`` (the reference the
    arithmetic of :class:`Rule` is tested against); a rule dateutil refuses is a usage
    error quoting it."""
    from dateutil.rrule import rrulestr  # imported here: only med add and edit read rules

    try:
        return rrulestr(rule, dtstart=datetime.combine(anchor, datetime.min.time()))
    except (ValueError, TypeError):
        raise UsageError(f"Cannot read the RRULE '{rule}'.") from None


def check_yields(rule: str, anchor: date) -> None:
    """Refuse (usage error naming the part) a rule that yields no day from ``anchor``."""
    read_rrule(rule, anchor)
    if rule_days(rule, anchor, anchor.toordinal(), LAST_ORDINAL, limit=1):
        return
    limiting = [p for p in rule.split(";") if p.split("=")[0] in ("COUNT", "UNTIL")]
    part = limiting[0] if limiting else rule
    raise UsageError(
        f"The RRULE part '{part}' leaves no day with a dose from {anchor.isoformat()} on."
    )


def _month_length(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


class Rule:
    """The days of a rule from its anchor, by arithmetic (the same days ``dateutil.rrule``
    gives, which the tests check): the rule's periods (a day, ``INTERVAL`` weeks from the
    anchor's Monday, ``INTERVAL`` months from the anchor's month) are numbered from the
    anchor, so the days of any period are made without the ones before it; only a rule
    with COUNT is made from its start (and kept, it is finite)."""

    def __init__(self, rule: str, anchor: date) -> None:
        parts = dict(part.split("=", 1) for part in rule.split(";"))
        self.freq = parts["FREQ"]
        self.interval = int(parts.get("INTERVAL", "1"))
        self.anchor = anchor
        self.start = anchor.toordinal()
        self.until = LAST_ORDINAL
        if "UNTIL" in parts:
            until = parts["UNTIL"]  # YYYYMMDD; not strptime, which imports locale and re
            self.until = min(
                self.until, date(int(until[:4]), int(until[4:6]), int(until[6:8])).toordinal()
            )
        self.count = int(parts["COUNT"]) if "COUNT" in parts else None
        self.weekdays: set[int] = set()  # BYDAY without a number: 0 = Monday
        self.nth: list[tuple[int, int]] = []  # BYDAY with a number: (number, weekday)
        for item in parts["BYDAY"].split(",") if "BYDAY" in parts else []:
            weekday = _DAYS.index(item[-2:])
            if item[:-2]:
                self.nth.append((int(item[:-2]), weekday))
            else:
                self.weekdays.add(weekday)
        self.monthdays = (
            [int(d) for d in parts["BYMONTHDAY"].split(",")] if "BYMONTHDAY" in parts else []
        )
        self.monday = self.start - anchor.weekday()
        self.month0 = anchor.year * 12 + anchor.month - 1
        self.counted: list[int] | None = None
        self.made: tuple[int, int] | None = None  # the periods made so far, first and last
        self.made_days: list[int] = []

    # ------------------------------------------------------------------- periods

    def period_of(self, ordinal: int) -> int:
        if self.freq == "DAILY":
            return (ordinal - self.start) // self.interval
        if self.freq == "WEEKLY":
            return (ordinal - self.monday) // (7 * self.interval)
        day = date.fromordinal(ordinal)
        return (day.year * 12 + day.month - 1 - self.month0) // self.interval

    def _month_matches(self, day: int, length: int) -> bool:
        return not self.monthdays or any(
            day == (d if d > 0 else length + 1 + d) for d in self.monthdays
        )

    def period_days(self, index: int) -> list[int]:
        """The days of period ``index`` (ascending), before COUNT is applied."""
        if index < 0:
            return []
        if self.freq == "DAILY":
            ordinal = self.start + index * self.interval
            found = [ordinal]
            if self.weekdays and date.fromordinal(ordinal).weekday() not in self.weekdays:
                found = []
            if found and self.monthdays:
                day = date.fromordinal(ordinal)
                if not self._month_matches(day.day, _month_length(day.year, day.month)):
                    found = []
        elif self.freq == "WEEKLY":
            week = self.monday + index * 7 * self.interval
            weekdays = self.weekdays or {self.anchor.weekday()}
            found = [week + w for w in sorted(weekdays)]
        else:
            year, month0 = divmod(self.month0 + index * self.interval, 12)
            month = month0 + 1
            length = _month_length(year, month)
            first = date(year, month, 1).toordinal()
            if self.nth or self.weekdays:
                days: set[int] = set()
                lead = date(year, month, 1).weekday()
                for weekday in self.weekdays:
                    days.update(range(1 + (weekday - lead) % 7, length + 1, 7))
                for number, weekday in self.nth:
                    hits = list(range(1 + (weekday - lead) % 7, length + 1, 7))
                    if -len(hits) <= number <= len(hits) and number:
                        days.add(hits[number - 1] if number > 0 else hits[number])
                chosen = sorted(d for d in days if self._month_matches(d, length))
            elif self.monthdays:
                chosen = sorted(
                    {d if d > 0 else length + 1 + d for d in self.monthdays}
                    & set(range(1, length + 1))
                )
            else:
                chosen = [self.anchor.day] if self.anchor.day <= length else []
            found = [first + d - 1 for d in chosen]
        return [d for d in found if self.start <= d <= self.until]

    # ----------------------------------------------------------------------- days

    def _all_counted(self) -> list[int]:
        if self.counted is None:
            assert self.count is not None
            out: list[int] = []
            index = 0
            while len(out) < self.count and self._period_start(index) <= self.until:
                out.extend(self.period_days(index))
                index += 1
            self.counted = out[: self.count]
        return self.counted

    def _period_start(self, index: int) -> int:
        if self.freq == "DAILY":
            return self.start + index * self.interval
        if self.freq == "WEEKLY":
            return self.monday + index * 7 * self.interval
        year, month0 = divmod(self.month0 + index * self.interval, 12)
        return date(year, month0 + 1, 1).toordinal()

    def _block(self, first: int, last: int) -> list[int]:
        """The days made for the periods of ``[first, last]``: one run of consecutive
        periods is kept and grown at either end, so asking again costs a bisection."""
        low, high = self.period_of(first), self.period_of(last)
        if self.made is None:
            self.made = (low, high)
            self.made_days = [d for i in range(low, high + 1) for d in self.period_days(i)]
            return self.made_days
        made_low, made_high = self.made
        if low < made_low:
            before = [d for i in range(low, made_low) for d in self.period_days(i)]
            self.made_days = before + self.made_days
            made_low = low
        if high > made_high:
            self.made_days.extend(
                d for i in range(made_high + 1, high + 1) for d in self.period_days(i)
            )
            made_high = high
        self.made = (made_low, made_high)
        return self.made_days

    def days(self, first: int, last: int, limit: int | None = None) -> list[int]:
        """The days within ``[first, last]`` (at most ``limit`` of them)."""
        first, last = max(first, self.start), min(last, self.until)
        if last < first:
            return []
        if self.count is not None:
            counted = self._all_counted()
            found = counted[bisect_left(counted, first) : bisect_right(counted, last)]
            return found if limit is None else found[:limit]
        if limit is not None:  # looking ahead for a few days, as far as it takes
            out: list[int] = []
            index = self.period_of(first)
            while self._period_start(index) <= last:
                out.extend(d for d in self.period_days(index) if first <= d <= last)
                if len(out) >= limit:
                    return out[:limit]
                index += 1
            return out
        made = self._block(first, last)
        return made[bisect_left(made, first) : bisect_right(made, last)]

    def how_many(self, first: int, last: int) -> int:
        first, last = max(first, self.start), min(last, self.until)
        if last < first:
            return 0
        made = self._all_counted() if self.count is not None else self._block(first, last)
        return bisect_right(made, last) - bisect_left(made, first)

    def has(self, ordinal: int) -> bool:
        if not self.start <= ordinal <= self.until:
            return False
        if self.count is None:
            index = self.period_of(ordinal)
            if self.made is None or not self.made[0] <= index <= self.made[1]:
                return ordinal in self.period_days(index)  # one period, nothing kept
        made = self._all_counted() if self.count is not None else self.made_days
        at = bisect_left(made, ordinal)
        return at < len(made) and made[at] == ordinal


_CACHE: dict[tuple[str, date], Rule] = {}


def _rule(rule: str, anchor: date) -> Rule:
    key = (rule, anchor)
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE[key] = Rule(rule, anchor)
    return found


def rule_days(
    rule: str, anchor: date, first: int, last: int, *, limit: int | None = None
) -> list[int]:
    """The days (ordinals) of ``rule`` from ``anchor`` within ``[first, last]``."""
    return _rule(rule, anchor).days(first, last, limit)


def count_rule_days(rule: str, anchor: date, first: int, last: int) -> int:
    """How many days of ``rule`` lie within ``[first, last]``."""
    return _rule(rule, anchor).how_many(first, last)


def has_rule_day(rule: str, anchor: date, ordinal: int) -> bool:
    """True when day ``ordinal`` is one of the rule's days."""
    return _rule(rule, anchor).has(ordinal)


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
