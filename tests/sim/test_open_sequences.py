#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every persona opens as a host library opens it (issue 10 item 7), over the pty.

For each --model persona, the power-on configuration ubxlib sends for that module type
(cell/src/u_cell_pwr.c moduleConfigure with the module table of u_cell_private.c), with the
host's rules: "must" commands are retried up to 3 times and fail the whole open unless one
answer is OK; "may" commands only need a final result. We are stricter and require OK at the
first try, and a final result (never silence) for the others:

  all:        AT, ATE0, AT+CMEE=2, AT+UDCONF=1,0, ATI9, AT&C1, AT&D0, AT+CGEREP=1   (must)
  SARA-R4:    AT+UCGED=5 (must; R410M, feature UCGED5)
  SARA-R422,
  LARA-R6:    AT+UCGED=2 (must)
  all:        AT&K0 (must), AT+UPSV=0 (may)
  SARA-R5,
  SARA-R4(03B),
  SARA-R422:  AT+UPSMR=1 (must, feature DEEP_SLEEP_URC)
  SARA-R5,
  SARA-R4:    AT+CPSMS? (may, 3GPP power saving)
  SARA-R4,
  SARA-R422:  AT+CEDRXS? (may), then AT+CEDRXS=2,<rat> for every RAT it lists (must)
  all:        AT+UMNOPROF? (+UMNOPROF: <n> read), AT+CFUN=4 (must)
  SARA-R5:    AT+UGPRF? and AT+UGPRF=2 when bit 0x02 is clear (may; host-transcripts.md (b))

On the default SARA-R510M8S every answer is also compared with host-transcripts.md (b) line by
line. Each persona then opens a second time after its own reset (AT+CFUN=15/16), and once more
with the forms other host builds send: the UART power saving of a host with a wake-up handler
(AT+UPSV=4 on SARA-R4/R422, AT+UPSV=1,1300 on SARA-R5), the older ubxlib's AT+CPSMS=0, and on
SARA-R4/R422 an eDRX setting made before, so that the open writes AT+CEDRXS=2,4.

Usage: test_open_sequences.py UKMS_SIM        (TAP on stdout)
"""
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chat import Tap, command, resync, start_persona  # noqa: E402

# --model -> family (sim/persona.c)
PERSONAS = [
    ('SARA-R510M8S', 'SARA-R5'), ('SARA-R500S', 'SARA-R5'), ('SARA-R510S', 'SARA-R5'),
    ('ALEX-R510M8S', 'SARA-R5'), ('SARA-R422S', 'SARA-R422'), ('SARA-R422M8S', 'SARA-R422'),
    ('SARA-R410M-63B', 'SARA-R4'), ('SARA-R410M-73B', 'SARA-R4'),
    ('SARA-R410M-83B', 'SARA-R4'), ('LARA-R6', 'LARA-R6'),
]
COMMON = ['ATE0', 'AT+CMEE=2', 'AT+UDCONF=1,0', 'ATI9', 'AT&C1', 'AT&D0', 'AT+CGEREP=1']
UCGED = {'SARA-R4': 'AT+UCGED=5', 'SARA-R422': 'AT+UCGED=2', 'LARA-R6': 'AT+UCGED=2'}
DEEP_SLEEP_URC = ('SARA-R5', 'SARA-R4', 'SARA-R422')
CPSMS_READ = ('SARA-R5', 'SARA-R4')
EDRX_URC = ('SARA-R4', 'SARA-R422')
UPSV_WAKEUP = {'SARA-R5': 'AT+UPSV=1,1300', 'SARA-R4': 'AT+UPSV=4', 'SARA-R422': 'AT+UPSV=4'}
REBOOT = {'SARA-R5': 16, 'SARA-R4': 15, 'SARA-R422': 15, 'LARA-R6': 16}
# host-transcripts.md (b): the answers of a SARA-R510M8S, information lines then the final
TRANSCRIPT_B = {
    'ATI9': ['02.06,A00.01', 'OK'],
    'AT+CPSMS?': ['+CPSMS: 0,,,"01100000","00000000"', 'OK'],
    'AT+UMNOPROF?': ['+UMNOPROF: 100', 'OK'],
    'AT+UGPRF?': ['+UGPRF: 0,0,""', 'OK'],
}


# URCs may come between a command and its answer (the radio is on at power-on, so the default
# bearer comes up during the sequence); a host skips them, and so do we
URC = re.compile(r'\+(CGEV|CEREG|CGREG|CREG|UUPSMR|CSCON|CEDRXP): ?.*')


def answer(sim, cmd):
    got = command(sim, cmd)
    return None if got is None else [line for line in got if not URC.fullmatch(line)]


def alive(sim, deadline_s=10.0):
    """uCellPwrPrivateIsAlive: AT until any final result (echo may still be on); one poke
    at a time with a long wait, so no late answer is left for the next command."""
    until = time.monotonic() + deadline_s
    while time.monotonic() < until:
        if command(sim, 'AT', 3.0) is not None:
            return True
    return False


def step(tap, sim, label, cmd, must, want=None):
    """One configuration command; returns its answer lines (None on silence)."""
    got = answer(sim, cmd)
    if want is not None:
        ok = got == want
    elif must:
        ok = got is not None and got[-1] == 'OK'
    else:
        ok = got is not None
    tap.point(ok, '%s: %s %s' % (label, cmd, 'OK' if must else 'answered'), repr(got))
    return got


def edrx_urc(tap, sim, label, want_rats=False):
    """setEDrxUrc: AT+CEDRXS? then AT+CEDRXS=2,<rat> for each RAT with a 4-bit value."""
    got = step(tap, sim, label, 'AT+CEDRXS?', False)
    rats = []
    for line in (got or [])[:-1]:
        m = re.fullmatch(r'\+CEDRXS: ?(\d+),"?([01]{4})"?.*', line)
        if m and 0 <= int(m.group(1)) <= 5:
            rats.append(int(m.group(1)))
    if want_rats:
        tap.point(4 in rats, '%s: +CEDRXS? lists the eDRX set before (Cat-M1, 4)' % label,
                  repr(got))
    for rat in rats:
        step(tap, sim, label, 'AT+CEDRXS=2,%d' % rat, True)


def open_sequence(tap, sim, model, family, variant):
    label = '%s (%s)' % (model, variant)
    exact = model == 'SARA-R510M8S' and variant == 'ubxlib Linux'
    tap.point(alive(sim), '%s: answers AT' % label)
    for cmd in COMMON:
        got = answer(sim, cmd)
        # echo is tolerated before ATE0 (host-transcripts.md (b))
        if cmd == 'ATE0' and got and got[0] == 'ATE0':
            got = got[1:]
        want = TRANSCRIPT_B.get(cmd) if exact else None
        ok = got == want if want else (got is not None and got[-1] == 'OK')
        tap.point(ok, '%s: %s OK' % (label, cmd), repr(got))
    if family in UCGED:
        step(tap, sim, label, UCGED[family], True)
        # the host retries it up to 3 times: a repeat is as good as the first
        step(tap, sim, label, UCGED[family], True)
    step(tap, sim, label, 'AT&K0', True)
    if variant == 'wake-up handler':
        step(tap, sim, label, UPSV_WAKEUP.get(family, 'AT+UPSV=0'), True)
    else:
        step(tap, sim, label, 'AT+UPSV=0', False, ['OK'] if exact else None)
    if family in DEEP_SLEEP_URC:
        step(tap, sim, label, 'AT+UPSMR=1', True)
    if family in CPSMS_READ:
        got = step(tap, sim, label, 'AT+CPSMS?', False, TRANSCRIPT_B['AT+CPSMS?'] if exact else None)
        ok = got is not None and re.fullmatch(r'\+CPSMS: ?[0-2],.*', got[0]) is not None
        tap.point(ok, '%s: +CPSMS? gives the mode first' % label, repr(got))
        if variant == 'wake-up handler':
            step(tap, sim, label, 'AT+CPSMS=0', True)  # older ubxlib: power saving off
    if family in EDRX_URC:
        edrx_urc(tap, sim, label, variant == 'wake-up handler')
    got = step(tap, sim, label, 'AT+UMNOPROF?', False, TRANSCRIPT_B['AT+UMNOPROF?'] if exact else None)
    ok = got is not None and re.fullmatch(r'\+UMNOPROF: ?\d+', got[0]) is not None
    tap.point(ok, '%s: +UMNOPROF: <n> for the host to read' % label, repr(got))
    if family == 'SARA-R5':
        got = step(tap, sim, label, 'AT+UGPRF?', False, TRANSCRIPT_B['AT+UGPRF?'] if exact else None)
        m = got and re.fullmatch(r'\+UGPRF: ?(\d+).*', got[0])
        if m and not int(m.group(1)) & 2:
            step(tap, sim, label, 'AT+UGPRF=%d' % (int(m.group(1)) | 2), False)
    step(tap, sim, label, 'AT+CFUN=4', True)


def reboot(sim, family):
    """The persona's own reset, then the module answers again (echo on until ATE0)."""
    return answer(sim, 'AT+CFUN=%d' % REBOOT[family]) == ['OK'] and resync(sim)


def run_persona(exe, tap, model, family):
    sim = start_persona(exe, tap, model)
    if sim is None:
        return
    try:
        open_sequence(tap, sim, model, family, 'ubxlib Linux')
        tap.point(reboot(sim, family), '%s: AT+CFUN=%d reset' % (model, REBOOT[family]))
        open_sequence(tap, sim, model, family, 'after reset')
        if family in EDRX_URC:  # a host set eDRX before: the open turns its URC on again
            got = command(sim, 'AT+CEDRXS=1,4,"0010"')
            tap.point(got == ['OK'], '%s: AT+CEDRXS=1,4,"0010"' % model, repr(got))
        open_sequence(tap, sim, model, family, 'wake-up handler')
    finally:
        rc = sim.close()
        tap.point(rc == 0, '%s: ukms-sim exits 0' % model, 'exit %s' % rc)


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    state = tempfile.mkdtemp(prefix='ukms-open-')
    os.environ['XDG_STATE_HOME'] = state
    tap = Tap()
    try:
        for model, family in PERSONAS:
            run_persona(argv[1], tap, model, family)
    finally:
        shutil.rmtree(state, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
