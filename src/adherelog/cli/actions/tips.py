"""``tip add``, ``list``, ``show``, ``rate``, ``rm``, ``export``, ``import`` and ``schema``."""

from __future__ import annotations

import sys

from adherelog.cli.common import (
    Settings,
    Shown,
    command,
    deliver,
    journal_command,
    open_journal,
    open_session,
)
from adherelog.errors import UsageError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from adherelog.journal import Journal
    from adherelog.tips import Tip, TipFilter


def _filters(
    *,
    med: str | None,
    effect: str | None,
    tags: list[str] | None,
    search: str | None,
    mine: bool,
    peer: bool,
    ids: list[str] | None = None,
) -> TipFilter:
    from adherelog.tips import TipFilter

    if mine and peer:
        raise UsageError("Give --mine or --peer, not both.")
    return TipFilter(
        med=med,
        effect=effect,
        tags=tuple(tags or ()),
        search=search,
        source="mine" if mine else "peer" if peer else None,
        ids=tuple(ids or ()),
    )


def _tip(tip: Tip, zone_key: str) -> Shown:
    from adherelog import jsonshape, render_tips, schedule

    return Shown(
        json=lambda: jsonshape.tip(tip, zone_key),
        lines=lambda: render_tips.tip_lines(tip, schedule.zone(zone_key)),
    )


def add(
    settings: Settings,
    *,
    text: str,
    med: str | None = None,
    effect: str | None = None,
    tag: list[str] | None = None,
) -> int:
    """``tip add``: see :func:`adherelog.tips.add_tip`."""

    def work(journal: Journal) -> Shown:
        from adherelog import tips

        tip = tips.add_tip(journal, text, medication=med, side_effect=effect, tags=tag or ())
        return _tip(tip, journal.zone.key)

    return journal_command(settings, work, write=True)


def list_(
    settings: Settings,
    *,
    med: str | None = None,
    effect: str | None = None,
    tag: list[str] | None = None,
    search: str | None = None,
    mine: bool = False,
    peer: bool = False,
) -> int:
    """``tip list``: see :func:`adherelog.tips.list_tips`."""

    def work() -> Shown:
        from adherelog import jsonshape, render_tips, tips

        filters = _filters(med=med, effect=effect, tags=tag, search=search, mine=mine, peer=peer)
        with open_session(settings, write=False) as session:
            found = tips.list_tips(session, filters)
            zone = session.zone
            return Shown(
                json=lambda: jsonshape.tip_list(found, zone.key),
                lines=lambda: render_tips.tip_list_lines(found, zone),
            ).ready(settings)

    return command(settings, work)


def show(settings: Settings, *, tip_id: str) -> int:
    """``tip show``: one tip in full."""

    def work(journal: Journal) -> Shown:
        from adherelog import tips

        return _tip(tips.get_tip(journal, tip_id), journal.zone.key)

    return journal_command(settings, work, write=False)


def rate(settings: Settings, *, tip_id: str, helped: bool = False, not_helped: bool = False) -> int:
    """``tip rate``: see :func:`adherelog.tips.rate_tip`."""

    def work() -> Shown:
        from adherelog import jsonshape, render_tips, tips

        if helped == not_helped:
            raise UsageError("Give --helped or --not-helped (one of them).")
        with open_journal(settings, write=True) as journal:
            tip = tips.rate_tip(journal, tip_id, helped=helped)
            return Shown(
                json=lambda: jsonshape.tip(tip, journal.zone.key),
                lines=lambda: render_tips.tip_rated_lines(tip),
            ).ready(settings)

    return command(settings, work)


def rm(settings: Settings, *, tip_id: str) -> int:
    """``tip rm``: see :func:`adherelog.tips.remove_tip`."""

    def work(journal: Journal) -> Shown:
        from adherelog import jsonshape, render_tips, tips

        tip = tips.remove_tip(journal, tip_id)
        return Shown(
            json=lambda: jsonshape.tip_removed(tip, journal.zone.key),
            lines=lambda: render_tips.tip_removed_lines(tip),
        )

    return journal_command(settings, work, write=True)


def export(
    settings: Settings,
    *,
    med: str | None = None,
    effect: str | None = None,
    tag: list[str] | None = None,
    search: str | None = None,
    mine: bool = False,
    peer: bool = False,
    id_: list[str] | None = None,
    format_: str = "json",
    output: str | None = None,
    force: bool = False,
) -> int:
    """``tip export``: see :func:`adherelog.tips.export_tips`."""

    def work() -> None:
        from adherelog import tips

        filters = _filters(
            med=med, effect=effect, tags=tag, search=search, mine=mine, peer=peer, ids=id_
        )
        with open_journal(settings, write=False) as journal:
            result = tips.export_tips(journal, filters, format_)
        deliver(
            result.document,
            output,
            settings,
            force=force,
            what=f"{result.count} tip" + ("" if result.count == 1 else "s"),
            announce_stdout=True,
        )

    return command(settings, work)


def import_(
    settings: Settings, *, file: str, dry_run: bool = False, from_: str | None = None
) -> int:
    """``tip import``: see :func:`adherelog.tips.import_bundle`."""

    def work() -> Shown:
        from adherelog import jsonshape, render_tips, tips

        label = tips.import_label(from_, file)
        bundle = tips.load_bundle(tips.read_source(file, sys.stdin.buffer), file)
        with open_journal(settings, write=not dry_run) as journal:
            result = tips.import_bundle(journal, bundle, label=label, dry_run=dry_run)
            return Shown(
                json=lambda: jsonshape.tip_import(result),
                lines=lambda: render_tips.import_lines(result, journal.zone),
            ).ready(settings)

    return command(settings, work)


def schema(settings: Settings) -> int:
    """``tip schema``: the JSON Schema of the peer-tip bundle (always JSON)."""

    def work() -> None:
        from adherelog.output import emit_json
        from adherelog.tipfile import json_schema

        emit_json(json_schema())

    return command(settings, work)
