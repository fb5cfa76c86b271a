"""``share card``: a check-in card for a support buddy (SPEC §12)."""

from __future__ import annotations

from adherelog.cli.common import Settings, command, deliver, open_journal
from adherelog.errors import UsageError
from adherelog.text import one_line


def card(
    settings: Settings,
    *,
    days: int = 7,
    no_names: bool = False,
    format_: str | None = None,
    to: str | None = None,
    encrypt: bool = False,
    output: str | None = None,
    force: bool = False,
) -> int:
    """``share card``: see :func:`adherelog.card.build_card`. The JSON card is signed (it
    uses up a serial, so it is a write); ``--to NAME`` encrypts it to that buddy and counts
    as contact with them; ``--encrypt`` encrypts it with a passphrase."""

    def work() -> None:
        from adherelog import agefile, buddies, identity, jsonshape
        from adherelog import card as cards

        if to is not None and encrypt:
            raise UsageError("Give either --to NAME or --encrypt, not both.")
        sealed = to is not None or encrypt
        fmt = format_ or ("json" if settings.json or sealed else "md")
        if fmt not in cards.WRITERS:
            raise UsageError(f"Unknown format '{fmt[:20]}'; use md or json.")
        passphrase = agefile.ask_passphrase(True) if encrypt else None
        what = f"a {days}-day check-in card"
        write = fmt == "json" or to is not None
        with open_journal(settings, write=write) as journal:
            built = cards.build_card(journal, days=days, names=not no_names)
            if not write:
                text = cards.render_card(built, fmt)
                if passphrase is not None:
                    sealed_text = agefile.encrypt_with_passphrase(text.encode(), passphrase)
                    deliver(sealed_text, output, settings, force=force, what=what + " (age)")
                else:
                    deliver(text, output, settings, force=force, what=what, announce_stdout=True)
                return
            with journal.store.write() as conn:
                buddy = None if to is None else buddies.recipient_of(journal, to)
                if fmt == "json":
                    keys = identity.ensure(conn, journal.now)
                    reply_to = identity.describe(keys).age_recipient
                    document = identity.sign(conn, jsonshape.card(built, reply_to), journal.now)
                    text = cards.card_json(document)
                else:
                    text = cards.render_card(built, fmt)
                data: str | bytes = text
                if buddy is not None and buddy.reply_to:
                    data = agefile.encrypt_to(text.encode(), [buddy.reply_to])
                    buddies.record_card_sent(journal, buddy)
                    what += f" for {one_line(buddy.name)}"
                elif passphrase is not None:
                    data = agefile.encrypt_with_passphrase(text.encode(), passphrase)
                deliver(
                    data,
                    output,
                    settings,
                    force=force,
                    what=what + (" (age)" if sealed else ""),
                    announce_stdout=not sealed,
                )

    return command(settings, work)
