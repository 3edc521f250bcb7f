#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""+UMNOPROF and +UDCONF=1 survive a kill -9 of ukms-sim (docs/security.md, "Persisted state"):
the settings are written to nvm.dat when they change, not only at reboot or clean exit.

For a persona whose hex mode persists (SARA-R510S, quirks Q19) and one whose does not
(SARA-R510M8S): change both settings, SIGKILL ukms-sim, start it again on the same
--state-dir and read them back.

Usage: settings_kill.py UKMS_SIM        (TAP on stdout)
"""
import os
import shutil
import signal
import stat
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'sim'))
import chat  # noqa: E402  (the pty runner: Sim, Tap)


def command(sim, line, deadline_ms=3000):
    """Sends a line, returns the answer up to its final result (OK or an error)."""
    return chat.raw_command(sim, line, deadline_s=deadline_ms / 1000, prompt=None)


def start(exe, state, model):
    sim = chat.Sim(exe, ['--state-dir', state, '--model', model])
    command(sim, 'ATE0')
    command(sim, 'AT+CMEE=1')
    return sim


def kill9(sim):
    """SIGKILL, then reap; the pty fd is closed by us."""
    sim.proc.send_signal(signal.SIGKILL)
    sim.proc.wait(10)
    os.close(sim.fd)
    sim.fd = None
    return sim.proc.returncode


def run_model(tap, exe, model, hex_persists):
    state = tempfile.mkdtemp(prefix='ukms-kill-')
    try:
        sim = start(exe, state, model)
        try:
            ok = (command(sim, 'AT+CFUN=4') == b'\r\nOK\r\n'
                  and command(sim, 'AT+UMNOPROF=90') == b'\r\nOK\r\n'
                  and command(sim, 'AT+UDCONF=1,1') == b'\r\nOK\r\n')
            tap.point(ok, '%s: AT+UMNOPROF=90 and AT+UDCONF=1,1 answer OK' % model)
        finally:
            rc = kill9(sim)
        tap.point(rc == -signal.SIGKILL, '%s: ukms-sim killed with SIGKILL' % model,
                  'returncode %s' % rc)
        path = os.path.join(state, 'nvm.dat')
        mode = stat.S_IMODE(os.stat(path).st_mode) if os.path.exists(path) else None
        leftovers = [n for n in os.listdir(state) if n.startswith('nvm.dat') and n != 'nvm.dat']
        tap.point(mode == 0o600 and not leftovers,
                  '%s: nvm.dat is on disk (0600, no temp file) after the kill' % model,
                  'mode %r, other files %r' % (mode, leftovers))
        sim = start(exe, state, model)
        try:
            got = command(sim, 'AT+UMNOPROF?')
            tap.point(got == b'\r\n+UMNOPROF: 90\r\n\r\nOK\r\n',
                      '%s: +UMNOPROF 90 read back after kill -9 and restart' % model,
                      repr(got))
            want = b'\r\n+UDCONF: 1,%d\r\n\r\nOK\r\n' % (1 if hex_persists else 0)
            got = command(sim, 'AT+UDCONF=1')
            tap.point(got == want, '%s: +UDCONF=1 hex mode after kill -9 and restart is %d%s'
                      % (model, 1 if hex_persists else 0,
                         '' if hex_persists else ' (does not persist, Q19)'), repr(got))
        finally:
            rc = sim.close()
        tap.point(rc == 0, '%s: restarted ukms-sim exits 0 on SIGTERM' % model,
                  'exit %s: %s' % (rc, sim.stderr()))
    finally:
        shutil.rmtree(state, ignore_errors=True)


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    tap = chat.Tap()
    run_model(tap, argv[1], 'SARA-R510S', True)
    run_model(tap, argv[1], 'SARA-R510M8S', False)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
