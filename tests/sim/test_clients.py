#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""100 clients one after another (issue 3, item 8), TAP.

Starts ukms-sim once; opens the pty 100 times, each time sends AT and expects exactly OK
(echo turned off by the first client, and it must stay off: one modem for every client),
then closes. The modem must keep serving after every close and exit 0 on SIGTERM.

Usage: test_clients.py SIM_EXE
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chat import Sim, Tap  # noqa: E402

CLIENTS = 100
DEADLINE_MS = 3000


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    state = tempfile.mkdtemp(prefix='ukms-clients-')
    os.environ['XDG_STATE_HOME'] = state
    tap = Tap()
    try:
        sim = Sim(argv[1], ['--ephemeral'])
    except RuntimeError as e:
        tap.point(False, 'start ukms-sim', str(e))
        shutil.rmtree(state, ignore_errors=True)
        return tap.done()
    try:
        sim.send(b'ATE0\r')
        tap.point(*swap(sim.expect_exact(b'ATE0\r\r\nOK\r\n', DEADLINE_MS), 'client 1: ATE0'))
        for i in range(CLIENTS):
            sim.reopen()
            sim.send(b'AT\r')
            ok, diag = sim.expect_exact(b'\r\nOK\r\n', DEADLINE_MS)
            tap.point(ok, 'client %d of %d: open, AT -> OK, close' % (i + 1, CLIENTS), diag)
        tap.point(*swap(sim.expect_silence(200), 'nothing left over after the last client'))
    finally:
        rc = sim.close()
        shutil.rmtree(state, ignore_errors=True)
    tap.point(rc == 0, 'ukms-sim exits 0 on SIGTERM', 'exit %s' % rc)
    return tap.done()


def swap(result, label):
    ok, diag = result
    return ok, label, diag


if __name__ == '__main__':
    sys.exit(main(sys.argv))
