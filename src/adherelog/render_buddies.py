"""What people see of buddies and goals (SPEC §12). A buddy's text is a stranger's text:
it goes through :func:`adherelog.text.one_line` (the one sanitiser) and is never markup."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from adherelog.output import Line, plain, table
from adherelog.text import one_line

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from adherelog.buddies import BuddyDetail, BuddyView, ImportOutcome
    from adherelog.cardfile import CardLine, ReceivedCard
    from adherelog.goals import Goal


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return "never" if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d")


def _days(count: int | None) -> str:
    if count is None:
        return "—"
    return f"{count} day" + ("" if count == 1 else "s")


def buddy_lines(items: Sequence[BuddyView], zone: ZoneInfo) -> list[Line]:
    """``buddy list``."""
    if not items:
        return [
            plain(
                "No buddies yet: import a buddy's card with"
                " 'adherelog buddy import FILE --as NAME'.",
                "dim",
            )
        ]
    rows = [
        [
            (one_line(b.name), "bold"),
            (b.fingerprint, None),
            (_when(b.last_card, zone), None),
            (_when(b.last_contact, zone), None),
            (f"{b.every} d", None),
            (_percent(b.adherence), None),
            (_days(b.current_streak), None),
        ]
        for b in items
    ]
    return table(
        ["buddy", "fingerprint", "last card", "last contact", "every", "adherence", "streak"],
        rows,
        max_widths=[24, 14, 10, 12, 6, 9, 8],
    )


def one_buddy(item: BuddyView, zone: ZoneInfo, head: str) -> list[Line]:
    """A line for ``buddy checkin``, ``set`` and ``rm``."""
    via = f"; reminders via {one_line(item.send_via)}" if item.send_via else ""
    if item.send_via:
        via += ", card with names" if item.card_names else ", card without names"
    return [
        [
            (head, "green"),
            (one_line(item.name), "bold"),
            (
                f" (last contact {_when(item.last_contact, zone)}, every {item.every} days{via}).",
                None,
            ),
        ]
    ]


def import_lines(item: ImportOutcome) -> list[Line]:
    """``buddy import``."""
    name = one_line(item.name)
    card = item.card
    period = f"{card.period_from.isoformat()} to {card.period_to.isoformat()}"
    if item.action == "unchanged":
        return [
            plain(
                f"Already held: {name}'s card number {item.serial} is not newer than the last one;"
                " nothing changed.",
                "dim",
            )
        ]
    head = {
        "added": f"New buddy {name} ({item.fingerprint}): ",
        "updated": f"Card from {name}: ",
        "key_replaced": f"Card from {name}, with their new key {item.fingerprint}: ",
    }[item.action]
    return [
        [
            (head, "green"),
            (f"{period}, {_percent(card.overall.adherence)} of doses taken, ", None),
            (f"streak {_days(card.overall.current_streak)}.", None),
        ]
    ]


def _line(med: CardLine) -> Line:
    if med.as_needed:
        return [
            ("  ", None),
            (one_line(med.name), "bold"),
            (f"  as needed, taken {med.as_needed_doses}×", None),
        ]
    decided = med.taken + med.skipped + med.missed
    return [
        ("  ", None),
        (one_line(med.name), "bold"),
        (
            f"  {_percent(med.adherence)} ({med.taken} of {decided}),"
            f" streak {_days(med.current_streak)}",
            None,
        ),
    ]


def card_lines(card: ReceivedCard) -> list[Line]:
    """A buddy's card as plain text: every one of their strings through the sanitiser."""
    lines: list[Line] = [
        plain(
            f"Card {card.serial}: {card.period_from.isoformat()} to {card.period_to.isoformat()}",
            "bold",
        ),
        _line(card.overall),
    ]
    lines += [_line(med) for med in card.meds]
    if card.side_effects:
        lines.append(plain("Side effects", "bold"))
        lines += [
            [("  ", None), (one_line(name), None), (f"  {count}×", "dim")]
            for name, count in card.side_effects
        ]
    if card.tips:
        lines.append(plain("Tips that helped them", "bold"))
        for tip in card.tips:
            about = ", ".join(one_line(v) for v in (tip.medication, tip.side_effect) if v)
            lines.append(
                [
                    ("  - ", None),
                    (one_line(tip.text), None),
                    (f" ({about})" if about else "", "dim"),
                ]
            )
    if card.goals:
        lines.append(plain("Their goals", "bold"))
        for goal in card.goals:
            progress = ""
            if goal.med is not None and goal.target is not None:
                met = ", met" if goal.met else ""
                progress = (
                    f" — {one_line(goal.med)} {_percent(goal.adherence)} of {goal.target}%{met}"
                )
            lines.append([("  - ", None), (one_line(goal.text), None), (progress, "dim")])
    return lines


def show_lines(item: BuddyDetail, zone: ZoneInfo) -> list[Line]:
    """``buddy show``: who, their latest card, and their adherence per card."""
    b = item.buddy
    lines: list[Line] = [
        [(one_line(b.name), "bold"), (f"  {b.fingerprint}", "dim")],
        plain(
            f"Last contact {_when(b.last_contact, zone)}, last card {_when(b.last_card, zone)};"
            f" check in every {b.every} days."
        ),
    ]
    if b.send_via:
        lines.append(plain(f"Reminders via {one_line(b.send_via)}", "dim"))
    if item.card is not None:
        lines += card_lines(item.card)
    if item.trend:
        lines.append(plain("Adherence per card", "bold"))
        rows = [
            [
                (f"{p.period_from} to {p.period_to}", None),
                (_percent(p.adherence), None),
                ("#" * (0 if p.adherence is None else round(p.adherence * 20)), "green"),
            ]
            for p in item.trend
        ]
        lines += table(["period", "adherence", ""], rows, max_widths=[24, 9, 20])
    return lines


def goal_lines(items: Sequence[Goal]) -> list[Line]:
    """``goal list`` and the goals part of ``summary``."""
    if not items:
        return [plain("No goals yet: add one with 'adherelog goal add TEXT'.", "dim")]
    lines: list[Line] = []
    for goal in items:
        mark = "✓" if goal.done else ("●" if goal.met else "○")
        progress = ""
        if goal.med is not None and goal.target is not None:
            verdict = " — met" if goal.met else ""
            progress = (
                f"  {one_line(goal.med)}: {_percent(goal.adherence)} of {goal.target}%{verdict}"
            )
        elif goal.med is not None:
            progress = f"  ({one_line(goal.med)})"
        lines.append(
            [
                (f"{mark} {goal.id:>3}  ", None),
                (one_line(goal.text), "bold" if not goal.done else "dim"),
                (progress, None),
            ]
        )
    return lines


def goal_line(goal: Goal, head: str) -> list[Line]:
    return [[(head, "green"), (f"{goal.id}: ", None), (one_line(goal.text), "bold")]]
