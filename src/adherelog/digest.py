"""``tip digest``: pool a support group's bundles into one signed digest (SPEC §7).

Each member's bundle is read as a stranger's file; each contributor counts once, by their
latest bundle (the highest serial; a version 1 bundle, which names nobody, is a contributor
of its own). The digest holds counts only: no member's key, no file name, no tip shared by
fewer than ``min_peers`` contributors. No printing here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from adherelog import tipfile
from adherelog.errors import ConflictError, InvalidFileError, NotFoundError, UsageError
from adherelog.session import Session
from adherelog.text import check_text, one_line
from adherelog.tipfile import BundleTip, Digest
from adherelog.valueclass import dataclass

DEFAULT_GROUP = "our group"
FORMATS = ("json", "md")


@dataclass(frozen=True)
class Skipped:
    """A file left out with ``--skip-invalid``, and why."""

    source: str
    reason: str


@dataclass(frozen=True)
class MadeDigest:
    """The digest, its document, how many files were read and which were left out."""

    digest: Digest
    document: str
    files: int
    skipped: tuple[Skipped, ...]


def sources(paths: Sequence[str]) -> list[str]:
    """The files named: a folder stands for every ``*.json`` directly in it (sorted)."""
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            found += sorted(str(p) for p in Path(path).glob("*.json"))
        else:
            found.append(path)
    if not found:
        raise NotFoundError("No bundle files were given (a folder holds no *.json file).")
    return found


def _latest(
    paths: Sequence[str], skip_invalid: bool, read: Callable[[str], bytes]
) -> tuple[list[list[BundleTip]], tuple[Skipped, ...]]:
    from adherelog.tips import STDIN

    by_contributor: dict[str, tuple[int, list[BundleTip]]] = {}
    skipped: list[Skipped] = []
    for path in paths:
        shown = "The input" if path == STDIN else one_line(path)
        try:
            parsed = tipfile.read_bundle(read(path))
        except InvalidFileError as exc:
            if not skip_invalid:
                raise InvalidFileError(
                    f"{shown} is not a valid tip bundle: {exc} No digest was made "
                    "(--skip-invalid leaves such files out)."
                ) from None
            skipped.append(Skipped(path, str(exc)))
            continue
        if parsed.contributor is not None and parsed.serial is not None:
            who, serial = parsed.contributor, parsed.serial
        else:
            who, serial = "v1:" + tipfile.distinct_bundle_key(parsed.tips), 1
        held = by_contributor.get(who)
        if held is None or serial > held[0]:
            by_contributor[who] = (serial, parsed.tips)
    return [tips for _, tips in by_contributor.values()], tuple(skipped)


@dataclass(frozen=True)
class Pooled:
    """The bundles read: each contributor's latest tips, and the files left out."""

    bundles: list[list[BundleTip]]
    files: int
    skipped: tuple[Skipped, ...]


def pool(paths: Sequence[str], *, skip_invalid: bool, read: Callable[[str], bytes]) -> Pooled:
    """Read every bundle at ``paths`` (before any journal is opened: a bad file, a device or
    a FIFO is refused and nothing is created)."""
    files = sources(paths)
    bundles, skipped = _latest(files, skip_invalid, read)
    if not bundles:
        raise ConflictError("No valid bundle was read; no digest was made.")
    return Pooled(bundles, len(files), skipped)


def check_options(group: str | None, min_peers: int, fmt: str) -> str:
    """The group label, after checking the options; usage errors (exit 2) before reading."""
    if fmt not in FORMATS:
        raise UsageError(f"Unknown format '{one_line(fmt)}'; use json or md.")
    if min_peers < tipfile.LEAST_MIN_PEERS:
        raise UsageError(
            f"--min-peers must be at least {tipfile.LEAST_MIN_PEERS}, not {min_peers}: a count "
            "of one points at one person."
        )
    return check_text(group if group is not None else DEFAULT_GROUP, "--group", max_len=80)


def make_digest(
    journal: Session,
    pooled: Pooled,
    *,
    group: str | None = None,
    min_peers: int = tipfile.MIN_PEERS,
    fmt: str = "json",
    publish: Callable[[MadeDigest], None] | None = None,
) -> MadeDigest:
    """Pool the bundles read into a digest. A JSON digest is signed by this journal (inside
    a write transaction, using up the next serial) and read back with the importer's own
    rules; ``publish`` runs inside that transaction, so a digest that cannot be written
    uses up nothing. Markdown is not signed."""
    label = check_options(group, min_peers, fmt)
    digest = tipfile.build_digest(pooled.bundles, group=label, min_peers=min_peers)
    if len(digest.tips) > tipfile.MAX_TIPS:
        raise ConflictError(
            f"{len(digest.tips)} tips were shared by {min_peers} or more people, more than "
            f"the {tipfile.MAX_TIPS} a digest holds; raise --min-peers."
        )
    if fmt == "md":
        made = MadeDigest(
            digest, tipfile.render_digest_markdown(digest), pooled.files, pooled.skipped
        )
        if publish is not None:
            publish(made)
        return made
    from adherelog import identity  # imported here: signing loads cryptography

    with journal.store.write() as conn:
        signed = identity.sign(conn, tipfile.digest_document(digest), journal.now)
        document = tipfile.dumps_bundle(signed)
        if len(document.encode("utf-8")) > tipfile.MAX_BYTES:
            raise ConflictError(
                "The digest would be larger than 1 MiB, more than adherelog imports; "
                "raise --min-peers."
            )
        tipfile.read_digest(document.encode("utf-8"))
        made = MadeDigest(digest, document, pooled.files, pooled.skipped)
        if publish is not None:
            publish(made)
    return made
