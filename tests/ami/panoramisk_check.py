#!/usr/bin/env python3
"""Drives `dialstate serve --manager` with panoramisk, an asyncio AMI client nobody here wrote.

Every answer is read through panoramisk's own parsing (its Message objects, its list
collection for EventList actions, its event dispatch by name), so this checks that a third-party
client understands dialstate's framing, not that dialstate agrees with our own client.

Usage: python3 tests/ami/panoramisk_check.py   (from anywhere; the server binary is $DIALSTATE,
default target/debug/dialstate relative to the repository root). Prints one `ok - ...` line per
check and closes with `panoramisk: N passed, M failed`. Exits 0 when every check passed, 1 on
the first failure, 2 if the server could not be started; the whole run is bounded
by OVERALL_TIMEOUT seconds and the server is always killed.
"""

import asyncio
import os
import re
import selectors
import shutil
import subprocess
import sys
import tempfile
import time

from panoramisk import Manager

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIALSTATE = os.path.abspath(
    os.path.join(ROOT, os.environ.get("DIALSTATE", "target/debug/dialstate"))
)
OVERALL_TIMEOUT = 60.0
STEP_TIMEOUT = 5.0
# The demo dialplan's hints (dialplans/demo/extensions.conf): 6001-6005@internal, 2000-2001@default.
DEMO_HINTS = {
    ("6001", "internal"),
    ("6002", "internal"),
    ("6003", "internal"),
    ("6004", "internal"),
    ("6005", "internal"),
    ("2000", "default"),
    ("2001", "default"),
}


class CheckFailed(Exception):
    pass


PASSED = 0


def check(cond, what, got=None):
    global PASSED
    if not cond:
        raise CheckFailed(f"{what}" + (f": got {got!r}" if got is not None else ""))
    PASSED += 1
    print(f"ok - {what}")


def start_server(tmp):
    """Starts the demo server on loopback; returns (process, host, port, control path)."""
    control = os.path.join(tmp, "ctl")
    proc = subprocess.Popen(
        [
            DIALSTATE,
            "serve",
            "--sip",
            "udp:127.0.0.1:0",
            "--db",
            ":memory:",
            "--control",
            control,
            "--manager",
            "127.0.0.1:0",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    line = b""
    deadline = time.monotonic() + 10
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not sel.select(left):
            break
        chunk = os.read(proc.stdout.fileno(), 1)
        if not chunk:
            break
        line += chunk
    sel.close()
    text = line.decode(errors="replace").strip()
    m = re.search(r"; manager (\S+):(\d+)$", text)
    if not m:
        proc.kill()
        proc.wait()
        raise RuntimeError(f"no manager address in the server's first line: {text!r}")
    return proc, m.group(1), int(m.group(2)), control


def stop_server(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def remote(control, command):
    """Runs `dialstate remote -x COMMAND` against the server's control socket."""
    p = await asyncio.create_subprocess_exec(
        DIALSTATE,
        "remote",
        "--control",
        control,
        "-x",
        command,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(p.communicate(), STEP_TIMEOUT)
    if p.returncode != 0:
        raise CheckFailed(f"dialstate remote -x {command!r} exited {p.returncode}: {err!r}")
    return out.decode()


async def next_matching(queue, pred, what):
    """The next event from `queue` satisfying `pred`, within STEP_TIMEOUT."""
    deadline = time.monotonic() + STEP_TIMEOUT
    seen = []
    while True:
        left = deadline - time.monotonic()
        try:
            event = await asyncio.wait_for(queue.get(), max(left, 0.001))
        except asyncio.TimeoutError:
            raise CheckFailed(f"no {what} within {STEP_TIMEOUT}s (saw {seen!r})") from None
        if pred(event):
            return event
        seen.append(dict(event))


async def action(manager, fields):
    return await asyncio.wait_for(manager.send_action(dict(fields)), STEP_TIMEOUT)


def output_lines(resp):
    """`Output:` repeated is a list in panoramisk; once, a string."""
    out = resp.get("Output", [])
    return out if isinstance(out, list) else [out]


async def run_checks(host, port, control):
    loop = asyncio.get_running_loop()
    logged_in = loop.create_future()
    queues = {
        name: asyncio.Queue() for name in ("ExtensionStatus", "DeviceStateChange", "PresenceStatus")
    }

    def on_login(_manager):
        if not logged_in.done():
            logged_in.set_result(True)

    manager = Manager(
        loop=loop,
        host=host,
        port=port,
        username="admin",
        secret="dialstate",
        on_login=on_login,
        # Our own Ping below is the one checked; keep the library's keep-alive out of the way.
        ping_delay=600,
        reconnect_timeout=600,
    )
    for name, queue in queues.items():
        manager.register_event(name, lambda _m, event, q=queue: q.put_nowait(event))
    try:
        manager.connect()
        try:
            await asyncio.wait_for(logged_in, STEP_TIMEOUT)
        except asyncio.TimeoutError:
            raise CheckFailed("Login: panoramisk never reported a successful login") from None
        check(manager.authenticated, "Login admin/dialstate accepted")
        check(
            manager.protocol.version == "11.0.0",
            "banner parsed as AMI version 11.0.0",
            manager.protocol.version,
        )

        # Ping
        pong = await action(manager, {"Action": "Ping"})
        check(pong.success and pong.ping == "Pong", "Ping answers Pong", dict(pong))
        check(re.fullmatch(r"\d+\.\d{6}", pong.timestamp), "Ping carries a Timestamp", pong.timestamp)

        # ExtensionState
        st = await action(
            manager, {"Action": "ExtensionState", "Exten": "6003", "Context": "internal"}
        )
        check(st.success, "ExtensionState succeeds", dict(st))
        got = (st.message, st.exten, st.context, st.hint, st.status, st.statustext)
        check(
            got == ("Extension Status", "6003", "internal", "Custom:lamp3", "0", "Idle"),
            "ExtensionState 6003@internal fields",
            got,
        )
        nohint = await action(
            manager, {"Action": "ExtensionState", "Exten": "9999", "Context": "internal"}
        )
        got = (nohint.status, nohint.statustext, nohint.hint)
        check(got == ("-1", "Unknown", ""), "ExtensionState without a hint: -1 Unknown", got)

        # ExtensionStateList: panoramisk collects the list itself (EventList: start ... Complete).
        items = await action(manager, {"Action": "ExtensionStateList"})
        check(isinstance(items, list), "ExtensionStateList collected as a list", type(items))
        head, body, tail = items[0], items[1:-1], items[-1]
        check(
            head.success and head.eventlist == "start"
            and head.message == "Extension Statuses will follow",
            "ExtensionStateList starts with EventList: start",
            dict(head),
        )
        check(
            tail.event == "ExtensionStateListComplete" and tail.eventlist == "Complete",
            "ExtensionStateList ends with ExtensionStateListComplete",
            dict(tail),
        )
        check(
            all(i.event == "ExtensionStatus" for i in body),
            "every list item is an ExtensionStatus",
            [i.event for i in body],
        )
        check(tail.listitems == str(len(body)), "ListItems matches the items", (tail.listitems, len(body)))
        check(
            all(i.actionid == head.actionid for i in items),
            "every list message carries the request's ActionID",
        )
        check({(i.exten, i.context) for i in body} == DEMO_HINTS, "the list names the demo's hints",
              sorted((i.exten, i.context) for i in body))
        lamp = [i for i in body if i.exten == "6003"]
        check(
            len(lamp) == 1 and (lamp[0].hint, lamp[0].status, lamp[0].statustext)
            == ("Custom:lamp3", "0", "Idle"),
            "the list's 6003 item agrees with ExtensionState",
            [dict(i) for i in lamp],
        )

        # Command
        cmd = await asyncio.wait_for(manager.send_command("core show hints"), STEP_TIMEOUT)
        lines = output_lines(cmd)
        check(cmd.success and cmd.message == "Command output follows", "Command succeeds", dict(cmd))
        check(
            any("6003@internal" in l and "Custom:lamp3" in l for l in lines),
            "core show hints lists 6003@internal with Custom:lamp3",
            lines,
        )
        check(
            any(re.search(r"\b7 hints registered", l) for l in lines),
            "core show hints counts 7 hints",
            lines,
        )

        # Setvar / Getvar on DEVICE_STATE(Custom:x)
        setv = await action(
            manager, {"Action": "Setvar", "Variable": "DEVICE_STATE(Custom:x)", "Value": "INUSE"}
        )
        check(setv.success and setv.message == "Variable Set", "Setvar DEVICE_STATE(Custom:x)=INUSE", dict(setv))
        ev = await next_matching(
            queues["DeviceStateChange"], lambda e: e.device == "Custom:x", "DeviceStateChange for Custom:x"
        )
        check(ev.state == "INUSE", "Setvar raised DeviceStateChange Custom:x INUSE", dict(ev))
        getv = await action(manager, {"Action": "Getvar", "Variable": "DEVICE_STATE(Custom:x)"})
        check(
            getv.success and getv.variable == "DEVICE_STATE(Custom:x)" and getv.value == "INUSE",
            "Getvar DEVICE_STATE(Custom:x) reads INUSE",
            dict(getv),
        )

        # Events through dialstate remote
        await remote(control, "devstate change Custom:lamp3 INUSE")
        ev = await next_matching(
            queues["DeviceStateChange"], lambda e: e.device == "Custom:lamp3", "DeviceStateChange for Custom:lamp3"
        )
        check(ev.state == "INUSE" and ev.privilege == "call,all", "DeviceStateChange Custom:lamp3 INUSE", dict(ev))
        ev = await next_matching(
            queues["ExtensionStatus"], lambda e: e.exten == "6003", "ExtensionStatus for 6003"
        )
        got = (ev.context, ev.hint, ev.status, ev.statustext)
        check(got == ("internal", "Custom:lamp3", "1", "InUse"), "ExtensionStatus 6003 InUse", got)

        # Asterisk's CLI takes exactly 4 words here: a value with spaces must be quoted (state.md 6.4).
        await remote(control, 'presencestate change CustomPresence:Ellen "away,lunch,Back at 2"')
        ev = await next_matching(
            queues["PresenceStatus"], lambda e: e.exten == "6005", "PresenceStatus for 6005"
        )
        got = (ev.context, ev.hint, ev.status, ev.subtype, ev.message)
        check(
            got == ("internal", ",CustomPresence:Ellen", "away", "lunch", "Back at 2"),
            "PresenceStatus 6005 away/lunch",
            got,
        )

        # And the state reads back through an action.
        st = await action(
            manager, {"Action": "ExtensionState", "Exten": "6003", "Context": "internal"}
        )
        check((st.status, st.statustext) == ("1", "InUse"), "ExtensionState 6003 now InUse",
              (st.status, st.statustext))

        bye = await action(manager, {"Action": "Logoff"})
        check(bye.response == "Goodbye", "Logoff answers Goodbye", dict(bye))
    finally:
        manager.close()


def fail(why):
    sys.stdout.flush()
    print(f"FAIL - {why}", file=sys.stderr)
    sys.stderr.flush()
    print(f"panoramisk: {PASSED} passed, 1 failed")
    return 1


def main():
    if not os.access(DIALSTATE, os.X_OK):
        print(f"not executable: {DIALSTATE} (cargo build, or set DIALSTATE)", file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix="dialstate-panoramisk-")
    proc = None
    try:
        try:
            proc, host, port, control = start_server(tmp)
        except Exception as err:  # noqa: BLE001 - report any start failure the same way
            print(f"could not start the server: {err}", file=sys.stderr)
            return 2
        try:
            asyncio.run(asyncio.wait_for(run_checks(host, port, control), OVERALL_TIMEOUT))
        except CheckFailed as err:
            return fail(str(err))
        except asyncio.TimeoutError:
            return fail(f"the checks did not finish within {OVERALL_TIMEOUT}s")
        if proc.poll() is not None:
            return fail(f"the server exited ({proc.returncode}) during the checks")
        print(f"panoramisk: {PASSED} passed, 0 failed")
        return 0
    finally:
        if proc is not None:
            stop_server(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
