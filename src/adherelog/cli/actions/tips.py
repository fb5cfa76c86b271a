"""``tip add``, ``list``, ``show``, ``rate``, ``edit``, ``rm``, ``export``, ``import``,
``digest`` and ``schema``."""

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
    unsealer,
)
from adherelog.errors import UsageError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from adherelog.journal import Journal
    from adherelog.output import Line
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


def edit(settings: Settings, *, tip_id: str, text: str) -> int:
    """``tip edit``: see :func:`adherelog.tips.edit_tip`."""

    def work(journal: Journal) -> Shown:
        from adherelog import tips

        return _tip(tips.edit_tip(journal, tip_id, text), journal.zone.key)

    return journal_command(settings, work, write=True)


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


def _tips_word(count: int) -> str:
    return f"{count} tip" + ("" if count == 1 else "s")


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
    dry_run: bool = False,
    allow_links: bool = False,
    output: str | None = None,
    force: bool = False,
) -> int:
    """``tip export``: see :func:`adherelog.tips.export_tips`. A file given with ``-o`` is
    written inside the transaction that signs the bundle, so a refused file uses no serial;
    withheld tips are listed on stderr by id and reason."""

    def work() -> None:
        from adherelog import tips
        from adherelog.output import message

        filters = _filters(
            med=med, effect=effect, tags=tag, search=search, mine=mine, peer=peer, ids=id_
        )

        def publish(result: tips.Export) -> None:
            deliver(result.document, output, settings, force=force, what=_tips_word(result.count))

        signs = format_ == "json" and not dry_run
        with open_journal(settings, write=signs) as journal:
            result = tips.export_tips(
                journal,
                filters,
                format_,
                allow_links=allow_links,
                dry_run=dry_run,
                publish=publish if output is not None and not dry_run else None,
            )
        if dry_run:
            sys.stdout.write(result.document)
            sys.stdout.flush()
            where = "stdout" if output is None else output
            message(
                f"Dry run: {_tips_word(result.count)} would be written to {where}; nothing was "
                "signed or written."
            )
        elif output is None:
            deliver(
                result.document,
                None,
                settings,
                force=force,
                what=_tips_word(result.count),
                announce_stdout=True,
            )
        for held in result.withheld:
            message(
                f"Withheld tip {held.tip.short_id}: {held.reason}; 'adherelog tip edit "
                f"{held.tip.short_id} TEXT' changes it."
            )

    return command(settings, work)


def import_(
    settings: Settings, *, file: str, dry_run: bool = False, from_: str | None = None
) -> int:
    """``tip import``: see :func:`adherelog.tips.import_bundle`."""

    def work() -> Shown:
        from adherelog import tips

        label = tips.import_label(from_, file)
        from adherelog.text import one_line

        unseal = unsealer(settings, "The input" if file == "-" else one_line(file))
        bundle = tips.load_bundle(tips.read_source(file, sys.stdin.buffer, unseal), file)
        if bundle.digest is not None and from_ is None:
            label = bundle.digest.group  # a digest's tips come from the group it names
        with open_session(settings, write=not dry_run) as journal:
            result = tips.import_bundle(journal, bundle, label=label, dry_run=dry_run)

            def as_json() -> object:
                from adherelog import jsonshape  # only the form shown is imported

                return jsonshape.tip_import(result)

            def as_lines() -> list[Line]:
                from adherelog import render_tips

                return render_tips.import_lines(result, journal.zone)

            return Shown(json=as_json, lines=as_lines).ready(settings)

    return command(settings, work)


def digest(
    settings: Settings,
    *,
    files: list[str],
    group: str | None = None,
    min_peers: int = 3,
    skip_invalid: bool = False,
    format_: str = "json",
    output: str | None = None,
    force: bool = False,
) -> int:
    """``tip digest``: see :func:`adherelog.digest.make_digest`."""

    def work() -> None:
        from adherelog import digest as digests
        from adherelog import tips
        from adherelog.output import message
        from adherelog.text import one_line

        def read(path: str) -> bytes:
            return tips.read_source(path, sys.stdin.buffer)

        def publish(made: digests.MadeDigest) -> None:
            deliver(made.document, output, settings, force=force, what=_what(made))

        def _what(made: digests.MadeDigest) -> str:
            return (
                f"a digest of {_tips_word(len(made.digest.tips))} from {made.digest.peers} "
                f"{'person' if made.digest.peers == 1 else 'people'}"
                f" ({made.digest.withheld} withheld)"
            )

        digests.check_options(group, min_peers, format_)
        pooled = digests.pool(files, skip_invalid=skip_invalid, read=read)
        with open_journal(settings, write=format_ == "json") as journal:
            made = digests.make_digest(
                journal,
                pooled,
                group=group,
                min_peers=min_peers,
                fmt=format_,
                publish=publish if output is not None else None,
            )
        if output is None:
            deliver(
                made.document, None, settings, force=force, what=_what(made), announce_stdout=True
            )
        for skipped in made.skipped:
            message(f"Left out {one_line(skipped.source)}: {skipped.reason}")

    return command(settings, work)


def schema(settings: Settings) -> int:
    """``tip schema``: the JSON Schema of the peer-tip bundle, versions 1 and 2 (always
    JSON)."""

    def work() -> None:
        from adherelog.output import emit_json
        from adherelog.tipfile import json_schema

        emit_json(json_schema())

    return command(settings, work)
