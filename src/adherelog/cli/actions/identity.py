"""``identity`` and ``identity new``: the journal's pseudonym and age recipient."""

from __future__ import annotations

from adherelog.cli.common import Settings, Shown, command, open_session
from adherelog.errors import UsageError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from adherelog.identity import Identity


def _shown(found: Identity, lines: list[str]) -> Shown:
    from adherelog import jsonshape
    from adherelog.output import plain

    return Shown(json=lambda: jsonshape.identity(found), lines=lambda: [plain(x) for x in lines])


def _describe(found: Identity) -> list[str]:
    return [
        f"pseudonym    {found.fingerprint}",
        f"contributor  {found.contributor}",
        f"age          {found.age_recipient}",
        f"last serial  {found.serial}",
    ]


def show(settings: Settings) -> int:
    """``identity``: read the keys; make them (a write) only the first time."""

    def run() -> Shown:
        from adherelog import identity

        with open_session(settings, write=False) as session:
            held = identity.held(session.conn)
            if held is not None:
                found = identity.describe(held)
                return _shown(found, _describe(found)).ready(settings)
        with open_session(settings, write=True) as session, session.store.write() as conn:
            found = identity.describe(identity.ensure(conn, session.now))
        return _shown(found, _describe(found)).ready(settings)

    return command(settings, run)


def renew(settings: Settings, *, yes: bool) -> int:
    """``identity new --yes``: replace both key pairs."""

    def run() -> Shown:
        from adherelog import identity

        if not yes:
            raise UsageError(
                "'identity new' replaces this journal's pseudonym and age key; peers will count"
                " your next bundles as a new person and buddies must learn your new key."
                " Add --yes to go ahead."
            )
        with open_session(settings, write=True) as session, session.store.write() as conn:
            old = identity.held(conn)
            found = identity.renew(conn, session.now)
        lines = _describe(found)
        if old is not None:
            lines.append(
                "New keys made. Bundles you signed before keep the old pseudonym; peers will"
                " count your next ones as a new person, and buddies need a new card from you"
                " to encrypt to your new key."
            )
        return _shown(found, lines).ready(settings)

    return command(settings, run)
