#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Each of the ten --model personas over the pty (TAP).

Per persona: AT+CGMM is the module name a host's auto-detect matches (ublox-at.md 4.1: ubxlib
needs SARA-R50/SARA-R51 for SARA-R5; LARA-R6 answers LARA-R6001D), AT+CGMI is u-blox, ATI9 is
"<modem fw>,<application fw>" (exactly 02.06,A00.01 on the default SARA-R510M8S, as in
host-transcripts.md (b)), the colon spacing follows quirks Q20 (none on R4/R422), and
AT+UPSDA=0,3 answers OK plus +UUPSDA: 0,"<ip>" only on the SARA-R5 family; the others answer
an error, never silence (ublox-at.md 4.3 and 7).

Usage: test_personas.py SIM_EXE
"""
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chat import Tap, command, start_persona, wait_for  # noqa: E402

# --model argument -> (AT+CGMM, has +UPSDA, space after the colon)
PERSONAS = [
    ('SARA-R510M8S', 'SARA-R510M8S', True, True),
    ('SARA-R500S', 'SARA-R500S', True, True),
    ('SARA-R510S', 'SARA-R510S', True, True),
    ('SARA-R422S', 'SARA-R422S', False, False),
    ('SARA-R422M8S', 'SARA-R422M8S', False, False),
    ('SARA-R410M-63B', 'SARA-R410M-63B', False, False),
    ('SARA-R410M-73B', 'SARA-R410M-73B', False, False),
    ('SARA-R410M-83B', 'SARA-R410M-83B', False, False),
    ('ALEX-R510M8S', 'ALEX-R510M8S', True, True),
    ('lara-r6', 'LARA-R6001D', False, True),  # lower case: --model is case-insensitive
]
def check_identity(sim, tap, model, cgmm, colon):
    got = command(sim, 'AT+CGMM')
    tap.point(got == [cgmm, 'OK'], '%s: AT+CGMM is %s' % (model, cgmm), repr(got))
    if cgmm.startswith('SARA-R5'):
        ok = cgmm.startswith(('SARA-R50', 'SARA-R51'))
        tap.point(ok, '%s: ubxlib auto-detect prefix SARA-R50/SARA-R51' % model, cgmm)
    got = command(sim, 'AT+CGMI')
    tap.point(got == ['u-blox', 'OK'], '%s: AT+CGMI is u-blox' % model, repr(got))
    got = command(sim, 'ATI9')
    ok = got is not None and len(got) == 2 and got[1] == 'OK' and \
        re.fullmatch(r'[0-9A-Z.]+,[0-9A-Z.]+', got[0]) is not None
    if model == 'SARA-R510M8S':
        ok = got == ['02.06,A00.01', 'OK']
    tap.point(ok, '%s: ATI9 is <modem fw>,<application fw>' % model, repr(got))
    got = command(sim, 'AT+CSQ')
    want = '+CSQ: ' if colon else '+CSQ:'
    ok = got is not None and got[-1] == 'OK' and got[0].startswith(want) and \
        re.fullmatch(r'\+CSQ: ?\d+,\d+', got[0]) is not None
    tap.point(ok, '%s: colon spacing %r' % (model, want), repr(got))


def check_upsda(sim, tap, model, upsda):
    """Radio on, wait for registration, then the SARA-R5 PSD profile activation."""
    got = command(sim, 'AT+CEREG=1')
    tap.point(got == ['OK'], '%s: AT+CEREG=1' % model, repr(got))
    command(sim, 'AT+CFUN=4')
    sim.send(b'AT+CFUN=1\r')
    line = wait_for(sim, r'\+CEREG: ?1')
    tap.point(line is not None, '%s: registered after AT+CFUN=1' % model, repr(sim.rx))
    if not upsda:
        got = command(sim, 'AT+UPSDA=0,3')
        ok = got is not None and len(got) == 1 and got[0] != 'OK'
        tap.point(ok, '%s: AT+UPSDA=0,3 is an error' % model, repr(got))
        return
    for cmd in ('AT+UPSD=0,0,0', 'AT+UPSD=0,100,1', 'AT+UPSDA=0,3'):
        got = command(sim, cmd)
        tap.point(got == ['OK'], '%s: %s OK' % (model, cmd), repr(got))
    line = wait_for(sim, r'.+')
    ok = line is not None and re.fullmatch(r'\+UUPSDA: 0,"10\.64\.0\.\d{1,3}"', line)
    tap.point(bool(ok), '%s: +UUPSDA: 0,"<ip>" follows' % model, repr(line))


def run_persona(exe, tap, model, cgmm, upsda, colon):
    sim = start_persona(exe, tap, model)
    if sim is None:
        return
    try:
        got = command(sim, 'ATE0')
        tap.point(got == ['ATE0', 'OK'], '%s: ATE0 (echoed once)' % model, repr(got))
        command(sim, 'AT+CMEE=2')
        check_identity(sim, tap, model, cgmm, colon)
        check_upsda(sim, tap, model, upsda)
    finally:
        rc = sim.close()
        tap.point(rc == 0, '%s: ukms-sim exits 0 on SIGTERM' % model, 'exit %s' % rc)


def run_all(argv, doc, rows, run_one, prefix):
    """main() of the per-persona scripts: run_one(exe, tap, *row) for each row, TAP exit."""
    if len(argv) != 2:
        print(doc)
        return 2
    state = tempfile.mkdtemp(prefix=prefix)
    os.environ['XDG_STATE_HOME'] = state
    tap = Tap()
    try:
        for row in rows:
            run_one(argv[1], tap, *row)
    finally:
        shutil.rmtree(state, ignore_errors=True)
    return tap.done()


def main(argv):
    return run_all(argv, __doc__, PERSONAS, run_persona, 'ukms-personas-')


if __name__ == '__main__':
    sys.exit(main(sys.argv))
