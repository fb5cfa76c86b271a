"""``remind``, ``remind config``, ``remind install`` and ``remind uninstall``.

A pass runs every few minutes for years, and one with nothing to send has a budget of its
own (SPEC §10): it imports no Typer, Rich or Apprise, opens no write transaction and prints
nothing. What it sends or would send is shown through the modules imported for that only.
"""

from __future__ import annotations

from adherelog.cli.common import Settings, Shown, command, error, open_session, session_command
from adherelog.errors import UsageError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from adherelog.output import Line
    from adherelog.remind import PassResult
    from adherelog.remind_rules import Channel
    from adherelog.session import Session


def _channels(via: list[str] | None) -> list[Channel] | None:
    if not via:
        return None
    from adherelog.remind_rules import parse_channel

    return [parse_channel(url) for url in via]


def _pass(
    settings: Settings, channels: list[Channel] | None, options: dict[str, object]
) -> PassResult:
    """The pass on the chosen journal; a journal that does not exist yet (or is empty) has
    nothing to send, and is not created."""
    from adherelog import paths, storage
    from adherelog.remind import Options, PassResult, run_pass

    dry_run = bool(options["dry_run"])
    found = storage.journal_stat(paths.journal_path(settings.db))
    if found is None or found.st_size == 0:
        return PassResult(dry_run=dry_run)
    with open_session(settings, write=not dry_run) as session:
        session.store.before_commit = None  # a pass records no dose: no streak to keep
        return run_pass(session, Options(via=channels, **options))  # type: ignore[arg-type]


def run(
    settings: Settings,
    *,
    via: list[str] | None = None,
    discreet: bool = False,
    dry_run: bool = False,
    repeat: int = 30,
    max_: int = 3,
) -> int:
    """``remind``: see :func:`adherelog.remind.run_pass`."""

    def work() -> Shown | None:
        if repeat < 1:
            raise UsageError(f"--repeat {repeat}: give 1 minute or more.")
        if max_ < 1:
            raise UsageError(f"--max {max_}: give 1 or more.")
        channels = _channels(via)
        result = _pass(
            settings,
            channels,
            {"discreet": discreet, "dry_run": dry_run, "repeat": repeat, "limit": max_},
        )
        for item in result.failed:
            reason = (item.error or "it failed").rstrip(".")
            error(
                f"Could not send through {item.channel.shown}: {reason}; it will be tried "
                "again on the next pass."
            )
        if not (settings.json or result.sent or result.failed or result.dry_run):
            return None  # nothing sent: a pass from a timer stays silent

        def document() -> object:
            from adherelog import jsonshape  # only --json needs it

            return jsonshape.reminded(result)

        def lines() -> list[Line]:
            from adherelog import render_remind  # only people see these
            from adherelog.clock import local_zone

            return render_remind.pass_lines(result, local_zone())

        return Shown(json=document, lines=lines, code=1 if result.failed else 0)

    return command(settings, work)


def config(
    settings: Settings,
    *,
    via: list[str] | None = None,
    discreet: bool = False,
    no_discreet: bool = False,
) -> int:
    """``remind config``: show, or change, the channels and the discreet switch kept."""
    change = bool(via) or discreet or no_discreet

    def work(session: Session) -> Shown:
        from adherelog import jsonshape, remind, render_remind

        if discreet and no_discreet:
            raise UsageError("--discreet and --no-discreet exclude each other; give one.")
        channels = _channels(via)
        if change:
            kept = remind.set_config(
                session, channels, True if discreet else False if no_discreet else None
            )
        else:
            kept = remind.config(session)
        return Shown(
            json=lambda: jsonshape.remind_config(kept),
            lines=lambda: render_remind.config_lines(kept),
        )

    return session_command(settings, work, write=change)


def install(settings: Settings, *, every: int = 5, cron: bool = False) -> int:
    """``remind install``: the systemd user timer, or with ``--cron`` the crontab line."""

    def work() -> Shown:
        from adherelog import jsonshape, paths, remind_units, render_remind

        if not 1 <= every <= 60:
            raise UsageError(f"--every {every}: give 1 to 60 minutes.")
        done = remind_units.install(paths.journal_path(settings.db), every, cron=cron)
        return Shown(
            json=lambda: jsonshape.remind_installed(done),
            lines=lambda: render_remind.installed_lines(done),
        )

    return command(settings, work)


def uninstall(settings: Settings) -> int:
    """``remind uninstall``: remove the service, the timer and the link that enabled it."""

    def work() -> Shown:
        from adherelog import jsonshape, remind_units, render_remind

        done = remind_units.uninstall()
        return Shown(
            json=lambda: jsonshape.remind_removed(done),
            lines=lambda: render_remind.removed_lines(done),
        )

    return command(settings, work)
