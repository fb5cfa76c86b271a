"""Human output for side effects, tips and tip imports, as styled lines.

Every text a person or a peer typed (effect names, notes, tip texts, tags, labels, import
labels) reaches a line only through :func:`adherelog.text.one_line` or
:func:`adherelog.text.printable`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from adherelog.model import Record
from adherelog.output import Line, Segment, table
from adherelog.render import when
from adherelog.text import one_line, printable
from adherelog.views import day_text, severity_word

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    # Only named in annotations: ``effect list`` and ``effect add`` load no tip code.
    from adherelog.tips import ImportItem, ImportResult, Tip

# ---------------------------------------------------------------------------- effects


def severity_text(severity: int | None) -> str:
    """'3 (moderate)', or '' when no severity was given."""
    word = severity_word(severity)
    return "" if word is None else f"{severity} ({word})"


def effect_added_lines(record: Record, zone: ZoneInfo, now: datetime) -> list[Line]:
    """What ``effect add`` recorded, echoing the moment it was read as."""
    line: Line = [("Recorded side effect ", "magenta"), (one_line(record.effect or ""), "bold")]
    if record.severity is not None:
        line.append((f", severity {severity_text(record.severity)}", None))
    if record.med_name:
        line += [(", with ", None), (one_line(record.med_name), "bold")]
    line.append((f", {when(record.at, zone, now, record.zone)}", None))
    lines = [line]
    if record.note:
        lines.append([("  note: ", "dim"), (one_line(record.note), None)])
    return lines


def effect_list_lines(records: Sequence[Record], zone: ZoneInfo, now: datetime) -> list[Line]:
    """``effect list``: one row per side effect, oldest first."""
    if not records:
        return [[("No side effects recorded.", "dim")]]
    rows: list[list[Segment]] = [
        [
            (when(r.at, zone, now, r.zone, dated=True), None),
            (one_line(r.effect or ""), "bold"),
            (severity_text(r.severity), None),
            (one_line(r.med_name or ""), None),
            (one_line(r.note or ""), "dim"),
        ]
        for r in records
    ]
    return table(
        ["when", "side effect", "severity", "medication", "note"],
        rows,
        max_widths=[56, 24, 16, 20, 0],
        indent="",
        fill=True,
    )


# ------------------------------------------------------------------------------- tips


def _date(moment: datetime, zone: ZoneInfo) -> str:
    """'Fri 20 Nov 2026': the one date style, with its year (no "today" to compare with)."""
    return day_text(moment.astimezone(zone).date(), date.min)


def provenance(tip: Tip, zone: ZoneInfo) -> str:
    """'mine', or "from 'Tuesday group', imported 20 Nov 2026"."""
    if tip.source == "mine":
        return "mine"
    where = f"from '{one_line(tip.from_label or '')}'"
    if tip.imported_at is not None:
        where += f", imported {_date(tip.imported_at, zone)}"
    return where


def peers_text(tip: Tip) -> str:
    """'helped 3 of 4 peers', 'shared by 2 peers, not rated', or '' when no peer shared it."""
    if tip.peers_tried:
        return f"helped {tip.peers_worked} of {tip.peers_tried} peer" + (
            "" if tip.peers_tried == 1 else "s"
        )
    if tip.peers_shared:
        return f"shared by {tip.peers_shared} peer" + (
            ", not rated" if tip.peers_shared == 1 else "s, not rated"
        )
    return ""


def group_text(tip: Tip) -> str:
    """'group: helped 12 of 15 (Tuesday group)', or '' without a group's figures."""
    if tip.group is None:
        return ""
    label = one_line(tip.group)
    if tip.group_tried:
        return f"group: helped {tip.group_worked} of {tip.group_tried} ({label})"
    return f"group: shared, not rated ({label})"


def _rating(tip: Tip) -> tuple[str, str | None]:
    if tip.worked is True:
        return "helped me", "green"
    if tip.worked is False:
        return "did not help me", "yellow"
    return "", None


def _detail_line(tip: Tip, zone: ZoneInfo, indent: str) -> Line:
    parts: list[Segment] = []

    def add(text: str, style: str | None = "dim") -> None:
        if parts:
            parts.append((" · ", "dim"))
        parts.append((text, style))

    if tip.medication:
        add(one_line(tip.medication), None)
    if tip.side_effect:
        add(one_line(tip.side_effect), None)
    if tip.tags:
        add(" ".join("#" + one_line(tag) for tag in tip.tags), "cyan")
    add(provenance(tip, zone))
    rating, style = _rating(tip)
    if rating:
        add(rating, style)
    peers = peers_text(tip)
    if peers:
        add(peers, "green" if tip.peers_worked else "dim")
    group = group_text(tip)
    if group:
        add(group, "green" if tip.group_worked else "dim")
    return [(indent, None), *parts]


def tip_list_lines(tips: Sequence[Tip], zone: ZoneInfo) -> list[Line]:
    """``tip list``: each tip's short id and text, then what it is about and where it came
    from."""
    if not tips:
        return [[("No tips match. Add one with: adherelog tip add TEXT", "dim")]]
    width = max(len(tip.short_id) for tip in tips)
    lines: list[Line] = []
    for tip in tips:
        lines.append([(tip.short_id.ljust(width) + "  ", "yellow"), (one_line(tip.text), None)])
        lines.append(_detail_line(tip, zone, " " * (width + 2)))
    return lines


def tip_lines(tip: Tip, zone: ZoneInfo) -> list[Line]:
    """``tip add`` / ``tip show``: the whole text, line breaks kept, then the details."""
    lines: list[Line] = [[("tip ", "bold"), (tip.short_id, "yellow")]]
    for part in printable(tip.text).split("\n"):
        lines.append([("  " + part, None)])
    lines.append(_detail_line(tip, zone, "  "))
    return lines


def tip_rated_lines(tip: Tip) -> list[Line]:
    rating, style = _rating(tip)
    return [[("Rated ", None), (tip.short_id, "yellow"), (f": {rating}", style)]]


def tip_removed_lines(tip: Tip) -> list[Line]:
    from adherelog.tips import summary_text

    return [
        [
            ("Removed tip ", "yellow"),
            (tip.short_id, "yellow"),
            (f" '{one_line(summary_text(tip))}'", None),
        ]
    ]


# ----------------------------------------------------------------------------- import


def _item_line(item: ImportItem, mark: str, style: str) -> Line:
    about = [one_line(v) for v in (item.tip.medication, item.tip.side_effect) if v]
    line: Line = [
        (f"  {mark} ", style),
        (f"tips[{item.index}] ", "dim"),
        (one_line(item.tip.text), None),
    ]
    if about:
        line.append((" (" + ", ".join(about) + ")", "dim"))
    if item.existing:
        line.append((f" — held as {item.existing}", "dim"))
    if item.raised:
        line.append((" — helped one more peer", "green"))
    if item.lowered:
        line.append((" — that peer now says it did not help", "yellow"))
    return line


def _tips_count(count: int) -> str:
    return f"{count} tip" + ("" if count == 1 else "s")


def import_lines(result: ImportResult, zone: ZoneInfo) -> list[Line]:
    """``tip import``: what was (or, with --dry-run, would be) added and already held."""
    label = one_line(result.label)
    lines: list[Line] = []
    if result.own:
        return [
            [
                (
                    "This is your own bundle (signed by this journal); nothing "
                    f"{'would change' if result.dry_run else 'changed'}.",
                    "yellow",
                )
            ]
        ]
    if (
        result.previous_label is not None
        and result.held_serial is not None
        and (result.contributor is not None)
    ):
        when_text = "" if result.previous_at is None else f" on {_date(result.previous_at, zone)}"
        what = "digest" if result.kind == "digest" else "bundle"
        return [
            [
                (
                    f"A {what} as new or newer from the same sender was already imported "
                    f"(from '{one_line(result.previous_label)}'{when_text}); nothing "
                    f"{'would change' if result.dry_run else 'changed'}.",
                    "yellow",
                )
            ]
        ]
    if result.previous_label is not None:
        when_text = "" if result.previous_at is None else f" on {_date(result.previous_at, zone)}"
        lines.append(
            [
                (
                    f"This bundle was already imported (from '{one_line(result.previous_label)}'"
                    f"{when_text}); nothing {'would change' if result.dry_run else 'changed'}.",
                    "yellow",
                )
            ]
        )
        return lines
    verb = "Would add" if result.dry_run else "Added"
    tips_word = "tip" if result.added == 1 else "tips"
    head = f"{verb} {result.added} {tips_word} from '{label}'"
    if result.kind == "digest":
        head += f" (the digest of '{one_line(result.group or '')}')"
    head += f"; {result.already_held} already held"
    if result.peers_worked_raised:
        raised = result.peers_worked_raised
        count = (
            ("now counts" if raised == 1 else "now count")
            if not result.dry_run
            else ("would count")
        )
        head += f"; {_tips_count(raised)} {count} one more peer it helped"
    lines.append([(head + ".", "bold")])
    if result.kind == "digest":
        shown = "would show" if result.dry_run else "show"
        lines.append([(f"Tips {shown} the group's figures apart from single peers'.", "dim")])
    added = [item for item in result.items if item.action == "add"]
    held = [item for item in result.items if item.action == "held"]
    if added:
        lines.append([("New:" if not result.dry_run else "Would be added:", "bold")])
        lines += [_item_line(item, "+", "green") for item in added]
    if held:
        lines.append([("Already held:", "bold")])
        lines += [_item_line(item, "=", "dim") for item in held]
    if result.dry_run:
        lines.append([("Dry run: nothing was written.", "yellow")])
    return lines
