#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The console of ukms-sim --fleet N (docs/console.md, Fleets): it starts on modem 0 with the
prompt ukms[0]>, ':modem I' switches its AT channel to modem I (the IMEI it reports is modem
I's, as the pty of modem I reports it), a bad index is refused and the console stays where it
was, and ':modem' without a fleet says it needs --fleet.

Usage: console_fleet.py UKMS_SIM        (TAP on stdout)
"""
import os
import pty
import re
import select
import subprocess
import sys
import time
import tty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chat import Tap  # noqa: E402
from fleet_util import fleet_doc, platform  # noqa: E402

DOC = fleet_doc("22")
TIMEOUT = 20.0


class Console:
    """ukms-sim with its stdin/stdout on a pty, so it opens the readline console."""

    def __init__(self, exe, args, home):
        self.master, slave = pty.openpty()
        env = dict(os.environ, TERM="dumb", HOME=home)
        self.p = subprocess.Popen([exe, "--ephemeral", "--reg-delay-ms", "10",
                                   "--log-level", "error"] + args, stdin=slave, stdout=slave,
                                  stderr=subprocess.DEVNULL, env=env, start_new_session=True)
        os.close(slave)
        self.out = b""

    def expect(self, pattern, timeout=TIMEOUT):
        """Reads until pattern (a regex on bytes) matches; returns the match or None."""
        deadline = time.monotonic() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.out)
            if m:
                self.out = self.out[m.end():]
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.master], [], [], left)
            if r:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:
                    return None
                if not chunk:
                    return None
                self.out += chunk

    def send(self, line):
        os.write(self.master, line.encode() + b"\r")

    def close(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        os.close(self.master)


def pty_imei(link):
    fd = os.open(link, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    out, deadline = b"", time.monotonic() + TIMEOUT
    try:
        os.write(fd, b"ATE0\rAT+CGSN\r")
        while not re.search(rb"\d{15}\r\n\r\nOK\r\n", out) and time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                out += os.read(fd, 4096)
    finally:
        os.close(fd)
    m = re.search(rb"(\d{15})\r\n\r\nOK", out)
    return m.group(1) if m else None


def console_imei(c):
    c.send("AT+CGSN")
    m = c.expect(rb"(\d{15})\r?\n(?:.*\n)*?.*OK")
    return m.group(1) if m else None


def main():
    exe = sys.argv[1]
    t = Tap()
    d, plat = platform(DOC, "ukms-console-fleet-")
    link = os.path.join(d, "m%d")

    c = Console(exe, ["--platform", plat, "--fleet", "3", "--link", link], d)
    try:
        t.point(c.expect(rb"ukms\[0\]> ") is not None, "the fleet console starts on modem 0",
                c.out.decode(errors="replace"))
        imeis = [pty_imei(link.replace("%d", str(i))) for i in range(3)]
        t.point(None not in imeis and len(set(imeis)) == 3, "three modems, three IMEIs",
                str(imeis))
        got = console_imei(c)
        t.point(got == imeis[0], "the console's AT channel is modem 0's", str((got, imeis)))
        c.send(":modem 2")
        sw = c.expect(rb"modem 2 \(load:2\)")
        t.point(sw is not None and c.expect(rb"ukms\[2\]> ") is not None,
                ":modem 2 switches, the prompt names modem 2", c.out.decode(errors="replace"))
        got = console_imei(c)
        t.point(got == imeis[2], "after :modem 2 AT+CGSN answers modem 2's IMEI",
                str((got, imeis)))
        c.send(":modem 3")
        t.point(c.expect(rb"no modem 3: the fleet has modems 0-2") is not None,
                ":modem 3 of a fleet of 3 is refused with the valid range",
                c.out.decode(errors="replace"))
        c.send(":modem x1")
        t.point(c.expect(rb"no modem x1: the fleet has modems 0-2") is not None,
                ":modem x1 is refused", c.out.decode(errors="replace"))
        c.send(":modem")
        t.point(c.expect(rb"modem 2 of 0-2 \(load:2\)") is not None,
                "after refusals the console still talks to modem 2",
                c.out.decode(errors="replace"))
        got = console_imei(c)
        t.point(got == imeis[2], "... and its AT channel is still modem 2's", str(got))
        c.send(":quit")
        c.p.wait(timeout=TIMEOUT)
        t.point(c.p.returncode == 0, ":quit ends the fleet with exit status 0",
                str(c.p.returncode))
    finally:
        c.close()

    c = Console(exe, ["--platform", plat, "--device", "load:4"], d)
    try:
        t.point(c.expect(rb"ukms> ") is not None, "one modem: the prompt is ukms>",
                c.out.decode(errors="replace"))
        c.send(":modem 1")
        t.point(c.expect(rb"one modem: :modem needs ukms-sim --fleet N") is not None,
                "one modem: :modem says it needs --fleet", c.out.decode(errors="replace"))
    finally:
        c.close()
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
