#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Radio commands of issue 10 per persona family, over the pty (TAP).

+UCGED: the set a host library sends at power-on (=2 on SARA-R422/LARA-R6, =5 on SARA-R410M;
SARA-R5 has one mode and takes no set) answers OK, and the read is parsed the way ubxlib's
u_cell_info.c parses each module's form; the serving cell it shows (EARFCN, PCI, TAC, cell id,
RSRP, RSRQ) must agree with +CESQ and +CEREG. The other radio commands add their own checks
below (one function per command group).

Usage: test_radio.py SIM_EXE
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chat import Sim  # noqa: E402
from test_personas import command, run_all, wait_for  # noqa: E402

# model, +UCGED form, set value a host sends (None: no set), refused set value
FAMILIES = [
    ('SARA-R510M8S', 'r5', None, 2),
    ('SARA-R422S', 'r422', 2, 5),
    ('SARA-R410M-63B', 'r4', 5, 2),
    ('LARA-R6', 'lara', 2, 5),
]


def fields(line):
    return [f.strip('"') for f in re.sub(r'^\+[A-Z]+: ?', '', line).split(',')]


def network_view(sim):
    """(rsrp dBm, rsrq index, tac, ci) from +CESQ and +CEREG, as a host reads them."""
    cesq = command(sim, 'AT+CESQ')
    command(sim, 'AT+CEREG=2')
    cereg = command(sim, 'AT+CEREG?')
    f = fields(cesq[0])
    g = fields(cereg[0])
    return int(f[5]) - 141, int(f[4]), int(g[2], 16), int(g[3], 16)


def parse_ucged(form, lines):
    """What ubxlib takes from each form: (earfcn, pci, rsrp dBm, rsrq as sent, tac, ci)."""
    if form == 'r4':
        p, q = fields(lines[0]), fields(lines[1])
        ok = lines[0].startswith('+RSRP:') and lines[1].startswith('+RSRQ:') and p[:2] == q[:2]
        return ok, (int(p[1]), int(p[0]), round(float(p[2])), round(float(q[2])), None, None)
    head, rat, cell = lines[0], fields(lines[1]), fields(lines[2])
    ok = re.fullmatch(r'\+UCGED: ?2', head) is not None
    if form == 'r422':
        ok = ok and len(rat) == 3 and len(cell) == 14
        return ok, (int(cell[0]), int(cell[5]), int(cell[6]), int(cell[7]), int(cell[4], 16),
                    None)
    ok = ok and len(rat) == 4 and len(cell) >= 23 and (form != 'lara' or rat[0] == '4')
    rsrp = int(cell[10]) - 141 if form == 'r5' else int(cell[10])
    return ok, (int(cell[0]), int(cell[6]), rsrp, int(cell[11]), int(cell[4], 16),
                int(cell[5], 16))


def check_ucged(sim, tap, model, form, set_value, refused):
    got = command(sim, 'AT+UCGED=%d' % (set_value if set_value is not None else 2))
    if set_value is None:
        tap.point(got == ['+CME ERROR: operation not supported'],
                  '%s: AT+UCGED=2 is not supported (single mode, read only)' % model, repr(got))
    else:
        tap.point(got == ['OK'], '%s: AT+UCGED=%d OK (host power-on)' % (model, set_value),
                  repr(got))
        got = command(sim, 'AT+UCGED=%d' % refused)
        tap.point(got == ['+CME ERROR: incorrect parameters'],
                  '%s: AT+UCGED=%d refused' % (model, refused), repr(got))
    line = wait_for(sim, r'\+CEREG: ?1.*') if not registered(sim) else 'yes'
    tap.point(line is not None, '%s: registered' % model, repr(sim.rx))
    got = command(sim, 'AT+UCGED?')
    ok = got is not None and got[-1] == 'OK' and len(got) == (3 if form == 'r4' else 4)
    tap.point(ok, '%s: AT+UCGED? has the %s form' % (model, form), repr(got))
    if not ok:
        return
    good, (earfcn, pci, rsrp, rsrq, tac, ci) = parse_ucged(form, got)
    tap.point(good, '%s: +UCGED lines parse as ubxlib reads them' % model, repr(got))
    n_rsrp, n_rsrq_index, n_tac, n_ci = network_view(sim)
    tap.point(earfcn == 6300 and 0 <= pci <= 503,
              '%s: EARFCN %d, PCI %d' % (model, earfcn, pci), repr(got))
    tap.point(rsrp == n_rsrp and rsrp < 0,
              '%s: RSRP %d dBm agrees with +CESQ (%d)' % (model, rsrp, n_rsrp), repr(got))
    want_rsrq = n_rsrq_index if form == 'r5' else (n_rsrq_index - 40) // 2
    tap.point(rsrq == want_rsrq, '%s: RSRQ %d agrees with +CESQ' % (model, rsrq), repr(got))
    if tac is not None:
        tap.point(tac == n_tac, '%s: TAC agrees with +CEREG' % model, repr(got))
    if ci is not None:
        tap.point(ci == n_ci, '%s: cell id agrees with +CEREG' % model, repr(got))


def registered(sim):
    got = command(sim, 'AT+CEREG?')
    return got is not None and re.fullmatch(r'\+CEREG: ?\d,1.*', got[0]) is not None


def check_ucged_reboot(sim, tap, model, set_value):
    """The mode is not kept: after a reset the host sets it again."""
    if set_value is None:
        return
    sim.send(b'AT+CFUN=15\r')
    wait_for(sim, 'OK')
    for _ in range(20):
        got = command(sim, 'ATE0')
        if got is not None and got[-1] == 'OK':
            break
    command(sim, 'AT+CMEE=2')
    got = command(sim, 'AT+UCGED?')
    tap.point(got is not None and re.fullmatch(r'\+UCGED: ?0', got[0]) is not None,
              '%s: +UCGED mode 0 after a reboot' % model, repr(got))


def run_family(exe, tap, model, form, set_value, refused):
    try:
        sim = Sim(exe, ['--model', model, '--ephemeral'])
    except RuntimeError as e:
        tap.point(False, '%s: start ukms-sim' % model, str(e))
        return
    try:
        command(sim, 'ATE0')
        command(sim, 'AT+CMEE=2')
        command(sim, 'AT+CEREG=1')
        check_ucged(sim, tap, model, form, set_value, refused)
        check_ucged_reboot(sim, tap, model, set_value)
    finally:
        rc = sim.close()
        tap.point(rc == 0, '%s: ukms-sim exits 0 on SIGTERM' % model, 'exit %s' % rc)


def main(argv):
    return run_all(argv, __doc__, FAMILIES, run_family, 'ukms-radio-')


if __name__ == '__main__':
    sys.exit(main(sys.argv))
