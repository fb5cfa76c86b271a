"""A desktop notification server for the tests: it owns ``org.freedesktop.Notifications``
on the session bus at ``DBUS_SESSION_BUS_ADDRESS`` (a private bus a test started), answers
as a notification daemon does, and writes each notification it is sent, as one JSON
object a line, to the file named by its argument. It prints ``ready`` once it owns the
name, and runs until it is stopped.

    python tests/notification_server.py LOG
"""

from __future__ import annotations

import json
import sys

from jeepney import HeaderFields, MessageType, new_error, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

NAME = "org.freedesktop.Notifications"


def serve(log: str) -> None:
    conn = open_dbus_connection(bus="SESSION")
    owned = conn.send_and_get_reply(message_bus.RequestName(NAME, 4))  # 4: do not queue
    if owned.body != (1,):  # 1: the primary owner
        raise SystemExit(f"could not own {NAME}: {owned.body}")
    print("ready", flush=True)
    serial = 0
    while True:
        call = conn.receive()
        if call.header.message_type is not MessageType.method_call:
            continue
        member = call.header.fields.get(HeaderFields.member)
        if member == "Notify":
            app, _replaces, _icon, summary, body, _actions, _hints, timeout = call.body
            with open(log, "a", encoding="utf-8") as out:
                note = {"app": app, "summary": summary, "body": body, "timeout": timeout}
                out.write(json.dumps(note) + "\n")
            serial += 1
            conn.send(new_method_return(call, "u", (serial,)))
        elif member == "GetCapabilities":
            conn.send(new_method_return(call, "as", (["body"],)))
        elif member == "GetServerInformation":
            conn.send(new_method_return(call, "ssss", ("tests", "adherelog", "1", "1.2")))
        elif member == "CloseNotification":
            conn.send(new_method_return(call))
        else:
            conn.send(new_error(call, "org.freedesktop.DBus.Error.UnknownMethod"))


if __name__ == "__main__":
    serve(sys.argv[1])
