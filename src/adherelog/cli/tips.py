"""``adherelog tip ...``: coping tips and the peer-tip exchange."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from adherelog.cli.app import JsonFlag, finish, settings
from adherelog.cli.common import Settings, deliver, guarded, open_journal
from adherelog.errors import UsageError
from adherelog.output import emit_json, write_lines

if TYPE_CHECKING:
    from adherelog.tips import Tip, TipFilter

app = typer.Typer(
    help="Keep coping tips, rate them, and swap them with peers as privacy-scrubbed files.",
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    no_args_is_help=True,
)

TipId = Annotated[
    str, typer.Argument(metavar="ID", help="The tip's id or a unique prefix (4+ characters).")
]
Med = Annotated[
    str | None, typer.Option("--med", metavar="MED", help="Only tips about this medication.")
]
Effect = Annotated[
    str | None,
    typer.Option("--effect", metavar="NAME", help="Only tips about this side effect."),
]
Tags = Annotated[
    list[str] | None,
    typer.Option("--tag", metavar="TAG", help="Only tips with this tag; repeat for several."),
]
Search = Annotated[
    str | None,
    typer.Option(
        "--search", metavar="WORDS", help="Only tips whose text holds all these words (any case)."
    ),
]
Mine = Annotated[bool, typer.Option("--mine", help="Only my own tips.")]
Peer = Annotated[bool, typer.Option("--peer", help="Only tips imported from peers.")]
Output = Annotated[
    str | None,
    typer.Option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout."),
]
Force = Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")]


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


def _show(opts: Settings, tip: Tip, zone_key: str) -> None:
    from adherelog import render_tips, schedule, tips

    if opts.json:
        emit_json(tips.tip_json(tip, zone_key))
    else:
        write_lines(render_tips.tip_lines(tip, schedule.zone(zone_key)))


@app.command("add")
def add(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(metavar="TEXT", help="The tip, up to 1000 characters.")],
    *,
    med: Annotated[
        str | None, typer.Option("--med", metavar="MED", help="The medication it is about.")
    ] = None,
    effect: Annotated[
        str | None,
        typer.Option("--effect", metavar="NAME", help="The side effect it helps with."),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", metavar="TAG", help="A tag (up to 10); repeat for several."),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Add one of your own coping tips (undo removes it again).

    Example: adherelog tip add "Take it with a snack" --med sertraline --effect nausea --tag food
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import tips

        with open_journal(opts, write=True) as journal:
            tip = tips.add_tip(journal, text, medication=med, side_effect=effect, tags=tag or ())
            _show(opts, tip, journal.zone.key)

    finish(guarded(run))


@app.command("list")
def list_(
    ctx: typer.Context,
    *,
    med: Med = None,
    effect: Effect = None,
    tag: Tags = None,
    search: Search = None,
    mine: Mine = False,
    peer: Peer = False,
    json_flag: JsonFlag = False,
) -> None:
    """List tips, mine and peers', with where each came from and how many peers it worked
    for.

    Example: adherelog tip list --effect nausea
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import render_tips, tips

        filters = _filters(med=med, effect=effect, tags=tag, search=search, mine=mine, peer=peer)
        with open_journal(opts, write=False) as journal:
            found = tips.list_tips(journal, filters)
            if opts.json:
                emit_json({"tips": [tips.tip_json(t, journal.zone.key) for t in found]})
                return
            write_lines(render_tips.tip_list_lines(found, journal.zone))

    finish(guarded(run))


@app.command("show")
def show(ctx: typer.Context, tip_id: TipId, *, json_flag: JsonFlag = False) -> None:
    """Show one tip in full.

    Example: adherelog tip show 3f2a
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import tips

        with open_journal(opts, write=False) as journal:
            _show(opts, tips.get_tip(journal, tip_id), journal.zone.key)

    finish(guarded(run))


@app.command("rate")
def rate(
    ctx: typer.Context,
    tip_id: TipId,
    *,
    helped: Annotated[bool, typer.Option("--helped", help="It helped me.")] = False,
    not_helped: Annotated[bool, typer.Option("--not-helped", help="It did not help me.")] = False,
    json_flag: JsonFlag = False,
) -> None:
    """Say whether a tip helped you; 'tip export' passes this on as "worked".

    Example: adherelog tip rate 3f2a --helped
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import render_tips, tips

        if helped == not_helped:
            raise UsageError("Give --helped or --not-helped (one of them).")
        with open_journal(opts, write=True) as journal:
            tip = tips.rate_tip(journal, tip_id, helped=helped)
            if opts.json:
                emit_json(tips.tip_json(tip, journal.zone.key))
                return
            write_lines(render_tips.tip_rated_lines(tip))

    finish(guarded(run))


@app.command("rm")
def rm(ctx: typer.Context, tip_id: TipId, *, json_flag: JsonFlag = False) -> None:
    """Delete a tip for good (mine or a peer's).

    Example: adherelog tip rm 3f2a
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import render_tips, tips

        with open_journal(opts, write=True) as journal:
            tip = tips.remove_tip(journal, tip_id)
            if opts.json:
                emit_json({"removed": tips.tip_json(tip, journal.zone.key)})
                return
            write_lines(render_tips.tip_removed_lines(tip))

    finish(guarded(run))


@app.command("export")
def export(
    ctx: typer.Context,
    *,
    med: Med = None,
    effect: Effect = None,
    tag: Tags = None,
    search: Search = None,
    mine: Mine = False,
    peer: Peer = False,
    id_: Annotated[
        list[str] | None,
        typer.Option("--id", metavar="ID", help="Only this tip; repeat for several."),
    ] = None,
    format_: Annotated[
        str,
        typer.Option(
            "--format", metavar="json|md", help="json: a bundle to import; md: a forum post."
        ),
    ] = "json",
    output: Output = None,
    force: Force = False,
    json_flag: JsonFlag = False,
) -> None:
    """Export tips as a peer-tip bundle (JSON) or a Markdown list for a forum post.

    Only each tip's text, medication, side effect, tags and your own rating ("worked") are
    written: never notes, doses, dates, ids or names of people. Tips you imported from peers
    are exported too unless --mine is given. The output is the document itself (--json
    changes nothing); stderr says how many tips were written and where.

    Example: adherelog tip export --med sertraline -o sertraline-tips.json
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import tips

        filters = _filters(
            med=med, effect=effect, tags=tag, search=search, mine=mine, peer=peer, ids=id_
        )
        with open_journal(opts, write=False) as journal:
            result = tips.export_tips(journal, filters, format_)
        deliver(
            result.document,
            output,
            force=force,
            what=f"{result.count} tip" + ("" if result.count == 1 else "s"),
            announce_stdout=True,
        )

    finish(guarded(run))


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="A peer-tip bundle (JSON), or - for stdin.")
    ],
    *,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be added; write nothing.")
    ] = False,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="LABEL",
            help="Where the tips came from, e.g. 'Tuesday group' (default: the file name).",
        ),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Import a peer's tip bundle: all of it, or nothing if any part breaks the format.

    Tips you already hold are not added again; when the bundle says one worked, it counts
    one more peer (once per bundle). Importing the same bundle again changes nothing. An
    import is not undone by 'undo'; remove tips with 'tip rm'.

    Example: adherelog tip import tips-from-group.json --from "Tuesday group" --dry-run
    """
    opts = settings(ctx, json_flag)

    def run() -> None:
        from adherelog import render_tips, tips

        label = tips.import_label(from_, file)
        bundle = tips.load_bundle(tips.read_source(file, sys.stdin.buffer), file)
        with open_journal(opts, write=not dry_run) as journal:
            result = tips.import_bundle(journal, bundle, label=label, dry_run=dry_run)
            if opts.json:
                emit_json(tips.import_json(result))
                return
            write_lines(render_tips.import_lines(result, journal.zone))

    finish(guarded(run))


@app.command("schema")
def schema(ctx: typer.Context, *, json_flag: JsonFlag = False) -> None:
    """Print the JSON Schema (draft 2020-12) of the peer-tip bundle, version 1.

    Example: adherelog tip schema > adherelog-tips.schema.json
    """

    def run() -> None:
        from adherelog.tipfile import json_schema

        emit_json(json_schema())

    finish(guarded(run))
