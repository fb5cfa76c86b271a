"""``adherelog tip ...``: coping tips and the peer-tip exchange."""

from __future__ import annotations

from typing import Annotated

import typer

from adherelog import rules
from adherelog.cli.actions import tips as actions
from adherelog.cli.options import Force, JsonFlag, Output, finish, format_option, settings, sub_app

app = sub_app("Keep coping tips, rate them, and swap them with peers as privacy-scrubbed files.")

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


@app.command("add")
def add(
    ctx: typer.Context,
    text: Annotated[
        str, typer.Argument(metavar="TEXT", help=f"The tip, up to {rules.MAX_TIP_TEXT} characters.")
    ],
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
        typer.Option(
            "--tag", metavar="TAG", help=f"A tag (up to {rules.MAX_TAGS}); repeat for several."
        ),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Add one of your own coping tips (undo removes it again).

    Example: adherelog tip add "Take it with a snack" --med sertraline --effect nausea --tag food
    """
    finish(actions.add(settings(ctx, json_flag), text=text, med=med, effect=effect, tag=tag))


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
    finish(
        actions.list_(
            settings(ctx, json_flag),
            med=med,
            effect=effect,
            tag=tag,
            search=search,
            mine=mine,
            peer=peer,
        )
    )


@app.command("show")
def show(ctx: typer.Context, tip_id: TipId, *, json_flag: JsonFlag = False) -> None:
    """Show one tip in full.

    Example: adherelog tip show 3f2a
    """
    finish(actions.show(settings(ctx, json_flag), tip_id=tip_id))


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
    finish(
        actions.rate(
            settings(ctx, json_flag),
            tip_id=tip_id,
            helped=helped,
            not_helped=not_helped,
        )
    )


@app.command("edit")
def edit(
    ctx: typer.Context,
    tip_id: TipId,
    text: Annotated[
        str, typer.Argument(metavar="TEXT", help="The new text, up to 1000 characters.")
    ],
    *,
    json_flag: JsonFlag = False,
) -> None:
    """Change the text of one of your own tips, e.g. to take out an e-mail address or a
    link before sharing it; its ratings stay with it.

    Example: adherelog tip edit 3f2a "Take it with a small snack"
    """
    finish(actions.edit(settings(ctx, json_flag), tip_id=tip_id, text=text))


@app.command("rm")
def rm(ctx: typer.Context, tip_id: TipId, *, json_flag: JsonFlag = False) -> None:
    """Delete a tip for good (mine or a peer's).

    Example: adherelog tip rm 3f2a
    """
    finish(actions.rm(settings(ctx, json_flag), tip_id=tip_id))


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
        str, format_option("json|md", "json: a bundle to import; md: a forum post.")
    ] = "json",
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print what would be written; sign and write nothing."),
    ] = False,
    allow_links: Annotated[
        bool,
        typer.Option(
            "--allow-links",
            help="Let tips with links through (never e-mail addresses, phone numbers or @handles).",
        ),
    ] = False,
    output: Output = None,
    force: Force = False,
    json_flag: JsonFlag = False,
) -> None:
    """Export tips as a signed peer-tip bundle (JSON, version 2) or a Markdown list for a
    forum post.

    Only each tip's text, medication, side effect, tags and your own rating ("worked") are
    written: never notes, doses, dates, ids or names of people. A bundle is signed with the
    journal's pseudonym ('adherelog identity') so peers count you once. Tips holding an
    e-mail address, a phone number, an @handle or a link are withheld and listed on stderr
    by id; edit them with 'tip edit'. Tips you imported from peers are exported too unless
    --mine is given. The output is the document itself (--json changes nothing); stderr
    says how many tips were written and where.

    Example: adherelog tip export --med sertraline -o sertraline-tips.json
    """
    finish(
        actions.export(
            settings(ctx, json_flag),
            med=med,
            effect=effect,
            tag=tag,
            search=search,
            mine=mine,
            peer=peer,
            id_=id_,
            format_=format_,
            dry_run=dry_run,
            allow_links=allow_links,
            output=output,
            force=force,
        )
    )


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="A peer-tip bundle (JSON), plain or age-encrypted, or - for stdin.",
        ),
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
            help="Where the tips came from, e.g. 'Ana' (default: the file name, or a "
            "digest's group).",
        ),
    ] = None,
    json_flag: JsonFlag = False,
) -> None:
    """Import a peer's tip bundle or a group's digest: all of it, or nothing if any part
    breaks the format or its signature.

    Tips you already hold are not added again. Peers are counted as people: each one once
    per tip, by the rating in their newest bundle; a bundle not newer than one already
    imported from the same peer, or your own bundle, changes nothing. A digest's figures
    are shown apart as the group's. An import is not undone by 'undo'; remove tips with
    'tip rm'.

    Example: adherelog tip import tips-from-group.json --from "Tuesday group" --dry-run
    """
    finish(actions.import_(settings(ctx, json_flag), file=file, dry_run=dry_run, from_=from_))


@app.command("digest")
def digest(
    ctx: typer.Context,
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE...", help="Members' bundles; a folder means every *.json in it."
        ),
    ],
    *,
    group: Annotated[
        str | None,
        typer.Option("--group", metavar="LABEL", help="The group's name (default: our group)."),
    ] = None,
    min_peers: Annotated[
        int,
        typer.Option(
            "--min-peers",
            metavar="K",
            help="Leave out tips shared by fewer than K people (default 3, at least 2).",
        ),
    ] = 3,
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Leave out files that are not valid bundles."),
    ] = False,
    format_: Annotated[
        str, format_option("json|md", "json: a signed digest to import; md: a forum post.")
    ] = "json",
    output: Output = None,
    force: Force = False,
    json_flag: JsonFlag = False,
) -> None:
    """Pool a support group's bundles into one digest of what helped: per tip, how many
    shared it, tried it and said it helped.

    Each person counts once, by their newest bundle. Tips shared by fewer than --min-peers
    people are left out, and no member's pseudonym is written; the digest is signed with
    your journal's. The output is the document itself (--json changes nothing).

    Example: adherelog tip digest bundles/ --group "Tuesday group" -o digest.json
    """
    finish(
        actions.digest(
            settings(ctx, json_flag),
            files=files,
            group=group,
            min_peers=min_peers,
            skip_invalid=skip_invalid,
            format_=format_,
            output=output,
            force=force,
        )
    )


@app.command("schema")
def schema(ctx: typer.Context, *, json_flag: JsonFlag = False) -> None:
    """Print the JSON Schema (draft 2020-12) of the peer-tip bundle, versions 1 and 2.

    Example: adherelog tip schema > adherelog-tips.schema.json
    """
    finish(actions.schema(settings(ctx, json_flag)))
