"""Human output of ``remind``: what a pass sent, the channels kept, the units installed.

A pass that sent nothing prints nothing (it runs from a timer); a dry run says so."""

from __future__ import annotations

from adherelog.output import plain
from adherelog.text import one_line

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from datetime import datetime, tzinfo

    from adherelog.output import Line
    from adherelog.remind import Config, Delivery, PassResult
    from adherelog.remind_units import Installed, Removed


def _clock(moment: datetime, zone: tzinfo) -> str:
    """'13:00', or '13:00 (08:00 America/New_York)' when the schedule's zone differs."""
    local = moment.astimezone(zone).strftime("%H:%M")
    own = moment.strftime("%H:%M")
    if moment.utcoffset() == moment.astimezone(zone).utcoffset():
        return local
    return f"{local} ({own} {moment.tzinfo})"


def _what(item: Delivery, zone: tzinfo) -> str:
    wanted = item.wanted
    name = one_line(wanted.med or "")
    if wanted.kind == "dose" and wanted.scheduled_for is not None:
        repeat = f", reminder {item.round}" if item.round > 1 else ""
        return f"{name} {_clock(wanted.scheduled_for, zone)}{repeat}"
    if wanted.kind == "supply":
        return f"{name}: low supply"
    buddy = one_line(wanted.buddy or "")
    if wanted.kind == "buddy":
        return f"check in with {buddy}"
    if wanted.kind == "card":
        return f"check-in card for {buddy}"
    return f"{wanted.kind} {name}".strip()


def pass_lines(result: PassResult, zone: tzinfo) -> list[Line]:
    """What a pass sent (or would send) and what failed, times in ``zone``."""
    lines: list[Line] = []
    if result.dry_run and not result.sent:
        return [plain("Nothing to send now.", "dim")]
    verb = "Would send" if result.dry_run else "Sent"
    for item in result.sent:
        lines.append(
            [
                (f"{verb}: ", "green"),
                (_what(item, zone), None),
                (f" via {item.channel.shown}", "dim"),
            ]
        )
    for item in result.failed:
        lines.append(
            [
                ("Failed: ", "bold red"),
                (_what(item, zone), None),
                (f" via {item.channel.shown}", "dim"),
            ]
        )
    return lines


def config_lines(item: Config) -> list[Line]:
    channels = [c.shown for c in item.channels] or ["desktop (the default)"]
    lines = [plain("Reminders go to:", "bold")]
    lines += [plain(f"  {one_line(c)}") for c in channels]
    lines.append(
        plain("Discreet: yes (no medication names or doses)" if item.discreet else "Discreet: no")
    )
    return lines


def installed_lines(item: Installed) -> list[Line]:
    if item.cron is not None:
        return [
            plain("Add this line with 'crontab -e':", "bold"),
            plain(one_line(item.cron)),
        ]
    verb = "Replaced" if item.replaced else "Wrote"
    return [
        plain(
            f"{verb} {one_line(str(item.service))} and {one_line(str(item.timer))}"
            f" (every {item.every} minutes)."
        ),
        plain("Start the timer with:", "bold"),
        plain("  systemctl --user daemon-reload"),
        plain("  systemctl --user enable --now adherelog-remind.timer"),
    ]


def removed_lines(item: Removed) -> list[Line]:
    if not item.removed:
        return [plain("No reminder timer was installed; nothing was removed.")]
    lines = [plain(f"Removed {one_line(str(path))}.") for path in item.removed]
    lines.append(plain("Stop a running timer with:", "bold"))
    lines.append(plain("  systemctl --user stop adherelog-remind.timer"))
    lines.append(plain("  systemctl --user daemon-reload"))
    return lines
