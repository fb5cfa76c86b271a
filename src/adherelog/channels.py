"""Sending a notification: to the desktop through ``notify-send``, or to any Apprise URL
through the ``apprise`` library. No printing: a failure comes back as one sentence that
names the channel in its masked form and never holds what the notification said.

Apprise takes a quarter of a second and more to import, so it is imported only here, and
only when a notification goes to (or a channel is checked against) an Apprise URL
(SPEC §10: a pass with nothing to send imports no Apprise).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence

from adherelog.errors import UsageError
from adherelog.remind_rules import APP_NAME, Channel, Message, masked
from adherelog.text import one_line

NOTIFY_SEND = "notify-send"
DESKTOP_TIMEOUT = 10.0  # seconds notify-send may take
MAX_ERROR = 200  # characters of a channel's own error text kept


class _Collect(logging.Handler):
    """Apprise's warnings and errors (it reports why a send failed only in its log)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.messages.append(record.getMessage())


@contextlib.contextmanager
def _apprise_log() -> Iterator[_Collect]:
    """Apprise's log, kept from stderr (it may hold URLs and what was sent) and collected."""
    logger = logging.getLogger("apprise")
    collect = _Collect()
    saved = (logger.propagate, logger.level, list(logger.handlers))
    logger.propagate = False
    logger.handlers = [collect]
    logger.setLevel(logging.WARNING)
    try:
        yield collect
    finally:
        logger.propagate, level, logger.handlers = saved[0], saved[1], saved[2]
        logger.setLevel(level)


def _apprise(url: str) -> object | None:
    """An Apprise object holding ``url``, or None when Apprise cannot read it."""
    import warnings

    with warnings.catch_warnings():  # its PGP support imports the deprecated imghdr
        warnings.simplefilter("ignore", DeprecationWarning)
        import apprise  # only here: it costs a quarter of a second to import

        with _apprise_log():
            holder = apprise.Apprise()
            return holder if holder.add(url) else None


def check(channels: Sequence[Channel]) -> None:
    """Refuse (usage error) a channel Apprise cannot read, naming it masked."""
    for channel in channels:
        if not channel.is_desktop and _apprise(channel.url) is None:
            raise UsageError(
                f"--via '{one_line(channel.shown)}' is not a URL Apprise can use; see "
                "https://github.com/caronc/apprise/wiki for the services and their URLs."
            )


def _scrub(text: str, url: str) -> str:
    """``text`` without the parts of ``url`` that may be secret, on one line, shortened."""
    secret_parts = {url}
    scheme, _, rest = url.partition("://")
    for piece in rest.replace("?", "/").replace("@", "/").replace("&", "/").split("/"):
        for part in piece.replace("=", ":").split(":"):
            if len(part) >= 4:
                secret_parts.add(part)
    shown = masked(url)
    host = shown.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
    for part in sorted(secret_parts, key=len, reverse=True):
        if part and part not in (host, host.split(":")[0], scheme):
            text = text.replace(part, "****")
    text = one_line(" ".join(text.split()))
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


def send(channel: Channel, message: Message) -> str | None:
    """Send ``message`` on ``channel``; None when it went, else why not (one sentence)."""
    if channel.is_desktop:
        return _desktop(message)
    holder = _apprise(channel.url)
    if holder is None:
        return "Apprise cannot use this URL; check it with 'adherelog remind config --via'."
    with _apprise_log() as log:
        try:
            sent = bool(holder.notify(title=message.title, body=message.body))  # type: ignore[attr-defined]
        except Exception as exc:  # a plugin's own failure: reported, never raised
            return f"the send failed ({type(exc).__name__})."
    if sent:
        return None
    reason = _scrub(log.messages[-1], channel.url) if log.messages else "no reason given"
    return f"the service did not take the notification ({reason.rstrip('.')})."


def _desktop(message: Message) -> str | None:
    program = shutil.which(NOTIFY_SEND)
    if program is None:
        return (
            "notify-send is not installed (on Debian and Ubuntu it is in libnotify-bin); "
            "install it, or choose other channels with --via."
        )
    try:
        done = subprocess.run(
            [program, f"--app-name={APP_NAME}", "--", message.title, message.body],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=DESKTOP_TIMEOUT,
            check=False,
            env={**os.environ},
        )
    except subprocess.TimeoutExpired:
        return f"notify-send gave no answer within {DESKTOP_TIMEOUT:g} seconds."
    except OSError as exc:
        return f"notify-send could not be run ({exc.strerror or type(exc).__name__})."
    if done.returncode != 0:
        said = one_line(" ".join(done.stderr.decode(errors="replace").split()))[:MAX_ERROR]
        return f"notify-send failed (exit {done.returncode}{': ' + said if said else ''})."
    return None
