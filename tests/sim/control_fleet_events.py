#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Events of ukms-sim --fleet N on the control socket (docs/control.md, Fleets): `subscribe`
with "modem": i delivers modem i's at/urc/state events, each line saying "modem": i, and
nothing of the other modems; one connection follows several modems with a mask each; `[]`
stops one modem, closing the connection stops all, another connection is unaffected; a bad
index is refused as bad_args; one modem's event lines have no "modem" key; `ukms-ctl -m I`
addresses modem I.

Usage: control_fleet_events.py UKMS_SIM UKMS_CTL        (TAP on stdout)
"""
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', '..', 'python'))
from chat import Tap  # noqa: E402
from fleet_util import ask, fleet_doc, platform, start_control, stop  # noqa: E402
from ukms_sim import Control, Host  # noqa: E402

DOC = fleet_doc("44")
TIMEOUT = 20.0


def until(ctl, wanted):
    """Every event up to the one for which each predicate of wanted has matched once, in
    order ([] after the deadline: the caller's test fails)."""
    seen, left = [], list(wanted)

    def match(e):
        seen.append(e)
        left[:] = [w for w in left if not w(e)]
        return not left

    try:
        ctl.wait_event(match, TIMEOUT)
    except TimeoutError:
        return []
    return seen


def drain(ctl, marker_modem, marker):
    """Queues a URC `marker` on modem marker_modem (which ctl follows for urc) and returns
    every event that came before it, in order: events arrive in the order they happened."""
    ask(ctl, "urc", {"text": marker}, modem=marker_modem)
    return until(ctl, [lambda e: e["event"] == "urc" and e["text"] == marker and
                       e.get("modem") == marker_modem])[:-1]


def registered(ctl, i):
    """Polls modem i's status until it is registered (the network needs --reg-delay-ms)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        r = ask(ctl, "status", modem=i)
        if r.get("ok") and r["result"]["registration"]["cereg"] == 1:
            return True
        time.sleep(0.05)
    return False


def rx_text(events, modem):
    return "".join(e["data"] for e in events
                   if e["event"] == "at" and e["dir"] == "rx" and e.get("modem") == modem)


def tx_text(events, modem):
    return "".join(e["data"] for e in events
                   if e["event"] == "at" and e["dir"] == "tx" and e.get("modem") == modem)


def ukms_ctl(t, ctl_exe, sock, link):
    r = subprocess.run([ctl_exe, "-s", sock, "-m", "2", "status"], capture_output=True,
                       text=True, timeout=TIMEOUT)
    t.point(r.returncode == 0 and '"link": "%s"' % (link % 2) in r.stdout.replace("\t", " "),
            "ukms-ctl -m 2 status is modem 2's", r.stdout + r.stderr)
    r = subprocess.run([ctl_exe, "-s", sock, "-m", "5", "subscribe", "at"],
                       capture_output=True, text=True, timeout=TIMEOUT)
    t.point(r.returncode == 1 and "bad_args" in r.stderr and "0-4" in r.stderr,
            "ukms-ctl -m 5 subscribe at: bad_args, exit 1", r.stdout + r.stderr)


def fleet_part(t, exe, ctl_exe, plat, d):
    link, sock = os.path.join(d, "m%d"), os.path.join(d, "ctl.sock")
    p = start_control(exe, ["--platform", plat, "--fleet", "5", "--link", link], sock, TIMEOUT)
    hosts = []
    try:
        hosts = [Host(link % i) for i in range(5)]
        a, b = Control(sock, timeout=TIMEOUT), Control(sock, timeout=TIMEOUT)
        r = ask(a, "subscribe", {"events": ["at", "urc"]}, modem=3)
        t.point(r.get("ok") and r["result"]["events"] == ["at", "urc"],
                "subscribe at,urc with \"modem\": 3 of --fleet 5 is accepted", str(r))

        # Modem 1's traffic first, then modem 3's: only modem 3's may show.
        t.point(hosts[1].command("AT+CGMI")[1] == "OK", "modem 1 answers on its pty")
        ask(a, "urc", {"text": "+TEST: one"}, modem=1)
        t.point(hosts[3].command("AT+CEREG=1")[1] == "OK", "modem 3 answers on its pty")
        ev = drain(a, 3, "+TEST: three")
        t.point(ev and all(e.get("modem") == 3 for e in ev),
                "every event line says \"modem\": 3", str(ev))
        t.point("AT+CEREG=1\r" in rx_text(ev, 3) and "OK" in tx_text(ev, 3),
                "modem 3's pty traffic (rx and tx) comes as at events", str(ev))
        t.point(not any("CGMI" in e.get("data", "") or "one" in e.get("text", "") for e in ev),
                "nothing of modem 1's AT traffic or URC", str(ev))
        t.point(not any(e["event"] == "state" for e in ev),
                "no state events (not subscribed to them)", str(ev))

        # A second subscription on the same connection: state events of modem 0.
        t.point(registered(a, 0) and registered(a, 3), "modems 0 and 3 registered")
        r = ask(a, "subscribe", {"events": ["state"]}, modem=0)
        t.point(r.get("ok"), "a second subscribe (state, \"modem\": 0) on the connection", str(r))
        ask(a, "network", {"action": "detach"}, modem=0)
        ask(a, "urc", {"text": "+TEST: zero"}, modem=0)
        ask(a, "network", {"action": "detach"}, modem=3)
        t.point(hosts[3].command("AT")[1] == "OK", "modem 3 answers AT")
        ev = until(a, [lambda e: e["event"] == "state" and e["state"] == "detach" and
                       e.get("modem") == 0,
                       lambda e: e["event"] == "urc" and e["text"] == "+CEREG: 2" and
                       e.get("modem") == 3])
        t.point(ev, "modem 0's state event detach with \"modem\": 0 and modem 3's URC "
                "+CEREG: 2 with \"modem\": 3 both come", str(list(a.events)))
        ev += drain(a, 3, "+TEST: mark1")
        t.point("AT\r" in rx_text(ev, 3), "modem 3's AT traffic still comes", str(ev))
        t.point(not any(e.get("modem") == 0 and e["event"] != "state" for e in ev) and
                not any(e.get("modem") == 3 and e["event"] == "state" for e in ev),
                "each modem's own mask: no urc of modem 0, no state of modem 3", str(ev))
        t.point(all(e.get("modem") in (0, 3) for e in ev), "nothing of other modems", str(ev))

        # Another connection follows modem 3 too; `[]` stops modem 3 on the first only.
        r = ask(b, "subscribe", {"events": ["at"]}, modem=3)
        t.point(r.get("ok"), "a second connection subscribes to modem 3", str(r))
        r = ask(a, "subscribe", {"events": []}, modem=3)
        t.point(r.get("ok") and r["result"]["events"] == [], "subscribe [] for modem 3", str(r))
        a.events.clear()  # what came before the response
        hosts[3].command("ATI")
        ask(a, "network", {"action": "attach"}, modem=0)
        ev = a.wait_event(lambda e: e.get("modem") == 3 or
                          (e["event"] == "state" and e["state"] == "attach"), TIMEOUT)
        t.point(ev.get("modem") == 0 and not [e for e in a.events if e.get("modem") == 3],
                "after [] modem 3's events stop, modem 0's still come", str(ev))
        rx = rx_text(until(b, [lambda e: "ATI\r" in rx_text([e], 3)]), 3)
        t.point("ATI\r" in rx, "the other connection still sees modem 3's traffic", rx)

        # Closing a connection that follows modem 0 detaches it; the other keeps working.
        a.close()
        ask(b, "network", {"action": "detach"}, modem=0)
        hosts[3].command("AT+CGMM")
        rx = rx_text(until(b, [lambda e: "AT+CGMM\r" in rx_text([e], 3)]), 3)
        t.point("AT+CGMM\r" in rx, "after the other connection closed, events still flow", rx)

        # One connection following every modem: each event names its own.
        with Control(sock, timeout=TIMEOUT) as c:
            ok = all(ask(c, "subscribe", {"events": ["urc"]}, modem=i).get("ok")
                     for i in range(5))
            for i in (4, 0, 2, 1, 3):
                ask(c, "urc", {"text": "+ALL: %d" % i}, modem=i)
            ev = until(c, [lambda e, i=i: e.get("text") == "+ALL: %d" % i for i in range(5)])
            got = [(e.get("modem"), e["text"]) for e in ev if e["text"].startswith("+ALL")]
            t.point(ok and got == [(i, "+ALL: %d" % i) for i in (4, 0, 2, 1, 3)],
                    "one connection follows all 5 modems, each event with its modem",
                    str(got))
        for bad in (5, -1):
            r = ask(b, "subscribe", {"events": ["at"]}, modem=bad)
            t.point(not r.get("ok") and r["error"]["code"] == "bad_args" and
                    "the modems are 0-4" in r["error"]["message"],
                    "subscribe with \"modem\": %d is refused: %s" %
                    (bad, r.get("error", {}).get("message")), str(r))
        b.close()
        ukms_ctl(t, ctl_exe, sock, link)
    finally:
        for h in hosts:
            h.close()
        err = stop(p)
    t.point(p.returncode == 0, "the fleet exits 0 on SIGTERM (no leak, no sanitizer report)",
            err)


def single_part(t, exe, plat, d):
    link, sock = os.path.join(d, "one"), os.path.join(d, "one.sock")
    p = start_control(exe, ["--platform", plat, "--device", "load:2", "--link", link], sock,
                      TIMEOUT)
    try:
        with Control(sock, timeout=TIMEOUT) as ctl:
            r = ask(ctl, "subscribe", {"events": ["urc"]}, modem=0)
            ask(ctl, "urc", {"text": "+TEST: single"})
            ev = ctl.wait_event(lambda e: e["event"] == "urc", TIMEOUT)
            t.point(r.get("ok") and ev["text"] == "+TEST: single" and "modem" not in ev,
                    "one modem: subscribe works and its event lines have no \"modem\"", str(ev))
    finally:
        err = stop(p)
    t.point(p.returncode == 0, "the single modem exits 0", err)


def main():
    exe, ctl_exe = sys.argv[1], sys.argv[2]
    t = Tap()
    d, plat = platform(DOC, "ukms-control-fleet-ev-")
    try:
        fleet_part(t, exe, ctl_exe, plat, d)
        single_part(t, exe, plat, d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
