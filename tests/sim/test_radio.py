#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Radio commands of issue 10 per persona family, over the pty (TAP).

+UCGED: the set a host library sends at power-on (=2 on SARA-R422/LARA-R6, =5 on SARA-R410M;
SARA-R5 has one mode and takes no set) answers OK, and the read is parsed the way ubxlib's
u_cell_info.c parses each module's form; the serving cell it shows (EARFCN, PCI, TAC, cell id,
RSRP, RSRQ) must agree with +CESQ and +CEREG. The other radio commands add their own checks
below (one function per command group).

Usage: test_radio.py SIM_EXE [r5|r422|r4|lara]
"""
import os
import re
import resource
import shutil
import socket
import sys
import tempfile
import time

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
    tap.point(earfcn == 2525 and 0 <= pci <= 503,
              '%s: EARFCN %d, PCI %d' % (model, earfcn, pci), repr(got))
    tap.point(rsrp == n_rsrp and rsrp < 0,
              '%s: RSRP %d dBm agrees with +CESQ (%d)' % (model, rsrp, n_rsrp), repr(got))
    want_rsrq = n_rsrq_index if form == 'r5' else (n_rsrq_index - 40) // 2
    tap.point(rsrq == want_rsrq, '%s: RSRQ %d agrees with +CESQ' % (model, rsrq), repr(got))
    if tac is not None:
        tap.point(tac == n_tac, '%s: TAC agrees with +CEREG' % model, repr(got))
    if ci is not None:
        tap.point(ci == n_ci, '%s: cell id agrees with +CEREG' % model, repr(got))


def wait_registered(sim, deadline_s=5.0):
    until = time.monotonic() + deadline_s
    while time.monotonic() < until:
        if registered(sim):
            return True
        wait_for(sim, r'\+CEREG: ?1.*', 0.1)
    return False


def registered(sim):
    got = command(sim, 'AT+CEREG?')
    return got is not None and re.fullmatch(r'\+CEREG: ?\d,1.*', got[0]) is not None


def check_ucged_reboot(sim, tap, model, set_value):
    """The mode is not kept: after a reset the host sets it again."""
    if set_value is None:
        return
    sim.send(b'AT+CFUN=15\r')
    wait_for(sim, 'OK')
    for _ in range(40):
        got = command(sim, 'ATE0', 0.25)
        if got is not None and got[-1] == 'OK':
            break
    command(sim, 'AT+CMEE=2')
    got = command(sim, 'AT+UCGED?')
    tap.point(got is not None and re.fullmatch(r'\+UCGED: ?0', got[0]) is not None,
              '%s: +UCGED mode 0 after a reboot' % model, repr(got))


def check_cscon_counters(exe, tap, model):
    """+CSCON URCs follow real socket traffic and the inactivity timer; +UGCNTRD counts it."""
    peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    peer.bind(('127.0.0.1', 0))
    sim = Sim(exe, ['--model', model, '--ephemeral', '--rrc-idle-ms', '400'])
    try:
        command(sim, 'ATE0')
        command(sim, 'AT+CMEE=2')
        got = command(sim, 'AT+CSCON=1')
        tap.point(got == ['OK'], '%s: AT+CSCON=1' % model, repr(got))
        line = wait_for(sim, r'\+CSCON: ?0')  # attach signalling ends: released to idle
        tap.point(line is not None, '%s: +CSCON: 0 after the inactivity timer' % model,
                  repr(sim.rx))
        got = command(sim, 'AT+CSCON?')
        tap.point(got is not None and re.fullmatch(r'\+CSCON: ?1,0', got[0]) is not None,
                  '%s: AT+CSCON? is 1,0 while idle' % model, repr(got))
        command(sim, 'AT+UGCNTSET=1,0,0')
        command(sim, 'AT+USOCR=17')
        got = command(sim, 'AT+USOST=0,"127.0.0.1",%d,5,"hello"' %
                      peer.getsockname()[1])
        tap.point(got is not None and got[-1] == 'OK', '%s: UDP datagram sent' % model,
                  repr(got))
        line = wait_for(sim, r'\+CSCON: ?1')
        tap.point(line is not None, '%s: +CSCON: 1 when the socket sends' % model,
                  repr(sim.rx))
        got = command(sim, 'AT+UGCNTRD')
        f = fields(got[0]) if got else []
        tap.point(len(f) == 5 and f[0] == '1' and int(f[1]) >= 5 and int(f[3]) == 5,
                  '%s: +UGCNTRD counts the 5 bytes on cid 1' % model, repr(got))
        line = wait_for(sim, r'\+CSCON: ?0')
        tap.point(line is not None, '%s: +CSCON: 0 when the socket goes quiet' % model,
                  repr(sim.rx))
        peer.settimeout(5.0)
        _, addr = peer.recvfrom(64)
        peer.sendto(b'pong', addr)  # the network side answers while RRC is idle
        line = wait_for(sim, r'\+CSCON: ?1')
        tap.point(line is not None, '%s: +CSCON: 1 when data arrives' % model, repr(sim.rx))
        got = command(sim, 'AT+UGCNTRD')
        f = [fields(x) for x in got or [] if x.startswith('+UGCNTRD')][:1] or [[]]
        f = f[0]
        tap.point(len(f) == 5 and int(f[2]) == 4 and int(f[4]) == 4,
                  '%s: +UGCNTRD counts the 4 bytes received' % model, repr(got))
        got = command(sim, 'AT+UGCNTSET=1,0,0')
        got2 = command(sim, 'AT+UGCNTRD')
        f = fields(got2[0]) if got2 else []
        tap.point(got == ['OK'] and f == ['1', '0', '0', '0', '0'],
                  '%s: +UGCNTSET=1,0,0 resets session and totals (ubxlib reset)' % model,
                  repr(got2))
    finally:
        sim.close()
        peer.close()


def restart(exe, args, sim):
    sim.close()
    sim = Sim(exe, args)
    command(sim, 'ATE0')
    command(sim, 'AT+CMEE=2')
    return sim


# A radio configuration without the simulated cell (LTE band 5): command, its read, the
# fields read back, the command restoring the factory value.
NO_CELL = {
    'r5': ('AT+UBANDMASK=0,1', 'AT+UBANDMASK?', ['0', '1', '0', '1', '185473183', '1048642'],
           'AT+UBANDMASK=0,185473183,1048642'),
    'r422': ('AT+URAT=9', 'AT+URAT?', ['9'], 'AT+URAT=7,8,9'),
    'r4': ('AT+URAT=8', 'AT+URAT?', ['8'], 'AT+URAT=7,8'),
    'lara': ('AT+UBANDMASK=3,1,0', 'AT+UBANDMASK?', ['2', '26', '0', '3', '1', '0'],
             'AT+UBANDMASK=3,14362,66'),
}


def check_nvm(exe, tap, model, act, form):
    """+CEDRXS, +CPSMS, +CSGT, +URAT and +UBANDMASK live in the NVM: a restarted modem reads
    them back; a RAT list or band mask without the cell keeps it from registering."""
    bad, read, want, restore = NO_CELL[form]
    state = tempfile.mkdtemp(prefix='ukms-radio-nvm-')
    args = ['--model', model, '--state-dir', state]
    sim = Sim(exe, args)
    try:
        command(sim, 'ATE0')
        command(sim, 'AT+CMEE=2')
        got = command(sim, 'AT+CEDRXS=1,%d,"0101"' % act)
        tap.point(got == ['OK'], '%s: AT+CEDRXS=1,%d,"0101"' % (model, act), repr(got))
        got = command(sim, 'AT+CEDRXS=1,3,"0101"')
        tap.point(got == ['+CME ERROR: incorrect parameters'],
                  '%s: +CEDRXS with an AcT the module lacks is refused' % model, repr(got))
        got = command(sim, 'AT+CSGT=1,"ukms ready"')
        tap.point(got == ['OK'], '%s: AT+CSGT=1,"ukms ready"' % model, repr(got))
        got = command(sim, 'AT+CPSMS=2')
        got2 = command(sim, 'AT+CPSMS?')
        tap.point(got == ['OK'] and got2 is not None and
                  re.fullmatch(r'\+CPSMS: ?0,,,"01100000","00000000"', got2[0]) is not None,
                  '%s: AT+CPSMS=2 restores the factory values' % model, repr(got2))
        got = command(sim, 'AT+CPSMS=1,,,"00000110","0000000"')
        tap.point(got == ['+CME ERROR: incorrect parameters'],
                  '%s: +CPSMS with a 7-bit timer is refused' % model, repr(got))
        got = command(sim, 'AT+CPSMS=1,,,"00000110","00000001"')
        tap.point(got == ['OK'], '%s: AT+CPSMS=1 with both timers' % model, repr(got))
        # a full disk (RLIMIT_FSIZE, as tests/sec/nvm_full.py): the change is refused and undone
        resource.prlimit(sim.proc.pid, resource.RLIMIT_FSIZE, (1, resource.RLIM_INFINITY))
        got = command(sim, 'AT+CSGT=1,"lost"')
        got2 = command(sim, 'AT+CEDRXS=0,%d' % act)
        resource.prlimit(sim.proc.pid, resource.RLIMIT_FSIZE,
                         (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        tap.point(got == ['+CME ERROR: memory full'] and got2 == got,
                  '%s: NVM not writable: +CSGT/+CEDRXS answer memory full' % model,
                  repr((got, got2)))
        got = command(sim, 'AT+CSGT?')
        tap.point(got is not None and re.fullmatch(r'\+CSGT: ?"ukms ready",1', got[0]),
                  '%s: the refused +CSGT left the greeting as it was' % model, repr(got))
        tap.point(wait_registered(sim), '%s: registered' % model, '')
        got = command(sim, bad)
        tap.point(got == ['OK'], '%s: %s' % (model, bad), repr(got))
        tap.point(registered(sim), '%s: still registered until the next boot' % model, '')
        sim.close()
        sim = Sim(exe, args)
        line = wait_for(sim, r'.+')
        tap.point(line == 'ukms ready', '%s: the greeting is the first line at power-on' % model,
                  repr(line))
        command(sim, 'ATE0')
        got = command(sim, 'AT+CEDRXS?')
        tap.point(got is not None and re.fullmatch(r'\+CEDRXS: ?%d,"0101"(,"\d{4}")?' % act,
                                                   got[0]) is not None,
                  '%s: +CEDRXS read back after a restart' % model, repr(got))
        got = command(sim, 'AT+CSGT?')
        tap.point(got is not None and re.fullmatch(r'\+CSGT: ?"ukms ready",1', got[0]),
                  '%s: +CSGT read back after a restart' % model, repr(got))
        got = command(sim, 'AT+CPSMS?')
        tap.point(got is not None and
                  re.fullmatch(r'\+CPSMS: ?1,,,"00000110","00000001"', got[0]) is not None,
                  '%s: +CPSMS read back as set after a restart' % model, repr(got))
        got = command(sim, read)
        tap.point(got is not None and fields(got[0]) == want,
                  '%s: %s read back after a restart' % (model, read), repr(got))
        command(sim, 'AT+CEREG=1')
        line = wait_for(sim, r'\+CEREG: ?1', 1.0)  # registration takes 50 ms here
        tap.point(line is None, '%s: no registration without the cell\'s RAT/band' % model,
                  repr(sim.rx))
        got = command(sim, restore)
        tap.point(got == ['OK'], '%s: %s' % (model, restore), repr(got))
        sim = restart(exe, args, sim)
        command(sim, 'AT+CEREG=1')
        got = command(sim, 'AT+CEREG?')
        line = 'yes' if got and re.match(r'\+CEREG: ?1,1', got[0]) else \
            wait_for(sim, r'\+CEREG: ?1')
        tap.point(line is not None, '%s: registers again after the restore' % model,
                  repr(sim.rx))
    finally:
        sim.close()
        shutil.rmtree(state, ignore_errors=True)


def check_edrx(sim, tap, model, form):
    """+CEDRXS?/+CEDRXRDP in the forms ubxlib's u_cell_pwr.c reads (requested on/off comes
    from +CEDRXRDP; a leading 0 means the network does not use eDRX for this UE)."""
    got = command(sim, 'AT+CEDRXS?')
    want = {'r5': ['+CEDRXS: 4,"0010","0011"', 'OK'], 'r4': ['+CEDRXS:', 'OK'],
            'r422': ['OK'], 'lara': ['OK']}[form]
    tap.point(got == want, '%s: AT+CEDRXS? with eDRX off' % model, repr(got))
    got = command(sim, 'AT+CEDRXRDP')
    tap.point(got is not None and re.fullmatch(r'\+CEDRXRDP: ?0', got[0]) is not None,
              '%s: +CEDRXRDP: 0 when nothing is requested' % model, repr(got))
    got = command(sim, 'AT+CEDRXS=2,4,"0101","0001"')
    line = wait_for(sim, r'\+CEDRXP.*')
    tap.point(got == ['OK'] and line is not None and
              re.fullmatch(r'\+CEDRXP: ?4,"0101","0101","0001"', line) is not None,
              '%s: mode 2 on Cat-M1: OK and +CEDRXP with the grant' % model, repr(line))
    got = command(sim, 'AT+CEDRXRDP')
    tap.point(got is not None and
              re.fullmatch(r'\+CEDRXRDP: ?4,"0101","0101","0001"', got[0]) is not None,
              '%s: +CEDRXRDP shows the granted value' % model, repr(got))
    if form in ('r4', 'r422'):
        command(sim, 'AT+CEDRXS=1,5,"0011"')
        got = command(sim, 'AT+CEDRXRDP')
        tap.point(got is not None and len(got) == 3 and
                  re.fullmatch(r'\+CEDRXRDP: ?0,"0011"', got[1]) is not None,
                  '%s: NB-IoT requested on a Cat-M1 cell: 0,"<requested>"' % model, repr(got))
        command(sim, 'AT+CEDRXS=0,5')
    got = command(sim, 'AT+CEDRXS=2,4')  # what ubxlib sends at power-on on SARA-R4
    wait_for(sim, r'\+CEDRXP.*')          # granted again
    got2 = command(sim, 'AT+CEDRXS?')
    tap.point(got == ['OK'] and got2 is not None and
              re.fullmatch(r'\+CEDRXS: ?4,"0101","0001"', got2[0]) is not None,
              '%s: AT+CEDRXS=2,4 keeps the stored value' % model, repr(got2))
    command(sim, 'AT+CEDRXS=3')
    got = command(sim, 'AT+CEDRXRDP')
    tap.point(got is not None and re.fullmatch(r'\+CEDRXRDP: ?0', got[0]) is not None,
              '%s: AT+CEDRXS=3 discards everything' % model, repr(got))


def check_bandmask(sim, tap, model, form):
    """+UBANDMASK per persona in the forms ubxlib's u_cell_cfg.c writes (always two masks) and
    reads: RATs 0/1 (Cat-M1/NB-IoT), LARA-R6 2/3 (2G-3G/LTE); one mask per RAT on SARA-R410M."""
    rats = (2, 3) if form == 'lara' else (0, 1)
    got = command(sim, 'AT+UBANDMASK=%d,0,0' % rats[1])
    tap.point(got == ['+CME ERROR: incorrect parameters'],
              '%s: an empty band mask is refused' % model, repr(got))
    got = command(sim, 'AT+UBANDMASK=%d,16,0' % (1 if form == 'lara' else 2))
    tap.point(got == ['+CME ERROR: incorrect parameters'],
              '%s: a RAT the module lacks is refused' % model, repr(got))
    if form == 'r4':
        got = command(sim, 'AT+UBANDMASK=1,16,1')
        tap.point(got == ['+CME ERROR: incorrect parameters'],
                  '%s: bands above 64 are refused' % model, repr(got))
    got = command(sim, 'AT+UBANDMASK=%d,16,0' % rats[1])
    got2 = command(sim, 'AT+UBANDMASK?')
    f = fields(got2[0]) if got2 else []
    n = 2 if form == 'r4' else 3
    tap.point(got == ['OK'] and len(f) == 2 * n and f[0] == str(rats[0]) and
              f[n] == str(rats[1]) and f[n + 1] == '16',
              '%s: AT+UBANDMASK=%d,16,0 read back' % (model, rats[1]), repr(got2))


def check_urat(sim, tap, model, form):
    """+URAT values, count and ordering per persona (ubxlib u_cell_cfg.c numbering)."""
    test, good, dup, many, alien = {
        'r5': ('(7)', '7', '7,7', '7,7', '8'),  # SARA-R510M8S is 00B: LTE-M only
        'r422': ('(7,8,9),(7,8,9),(7,8,9)', '9,7', '8,8', '7,8,9,7', '3'),
        'r4': ('(7,8),(7,8)', '8,7', '7,7', '7,8,7', '9'),
        'lara': ('(0,2,3),(0,2,3),(0,2,3)', '3,0', '3,3', '3,2,0,3', '7'),
    }[form]
    got = command(sim, 'AT+URAT=?')
    tap.point(got is not None and re.fullmatch(r'\+URAT: ?' + re.escape(test), got[0]),
              '%s: AT+URAT=? is %s' % (model, test), repr(got))
    for bad, why in ((dup, 'a RAT twice'), (many, 'too many RATs'), (alien, 'another RAT')):
        got = command(sim, 'AT+URAT=' + bad)
        tap.point(got == ['+CME ERROR: incorrect parameters'],
                  '%s: AT+URAT=%s refused (%s)' % (model, bad, why), repr(got))
    old = command(sim, 'AT+URAT?')
    got = command(sim, 'AT+URAT=' + good)
    got2 = command(sim, 'AT+URAT?')
    tap.point(got == ['OK'] and got2 is not None and fields(got2[0]) == good.split(','),
              '%s: AT+URAT=%s read back in that order' % (model, good), repr(got2))
    command(sim, 'AT+URAT=' + ','.join(fields(old[0])))


def check_amp_v(sim, tap, model):
    """AT&V shows the active profile: what ATE0, AT&K0 and AT+IPR set."""
    command(sim, 'AT&K0')
    command(sim, 'AT+IPR=921600')
    got = command(sim, 'AT&V')
    ok = got is not None and len(got) == 3 and got[0] == 'ACTIVE PROFILE:' and got[2] == 'OK'
    tap.point(ok, '%s: AT&V answers ACTIVE PROFILE: and one line' % model, repr(got))
    if ok:
        items = got[1].split(', ')
        tap.point('&K0' in items and 'E0' in items and 'V1' in items and '+IPR:921600' in items
                  and 'S03:013' in items and '+CMEE:2' in items,
                  '%s: AT&V has &K0, E0, V1, S03:013, +CMEE:2, +IPR:921600' % model, got[1])


def check_greeting_reboot(sim, tap, model):
    """+CSGT mode 1: the text alone on a line when the module answers after a reboot."""
    command(sim, 'AT+CSGT=1,"hello host"')
    sim.send(b'AT+CFUN=15\r')
    wait_for(sim, 'OK')
    line = wait_for(sim, r'.+')
    tap.point(line == 'hello host', '%s: greeting after AT+CFUN=15' % model, repr(line))
    command(sim, 'ATE0')
    command(sim, 'AT+CMEE=2')
    got = command(sim, 'AT+CSGT=1,"%s"' % ('x' * 50))
    tap.point(got == ['+CME ERROR: text string too long'],
              '%s: a 50-character greeting is refused' % model, repr(got))
    command(sim, 'AT+CSGT=0')
    sim.send(b'AT+CFUN=15\r')
    wait_for(sim, 'OK')
    got = None
    for _ in range(40):
        got = command(sim, 'AT', 0.25)
        if got is not None:
            break
    tap.point(got == ['AT', 'OK'], '%s: no greeting in mode 0' % model, repr(got))
    command(sim, 'ATE0')
    command(sim, 'AT+CMEE=2')


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
        got = command(sim, 'AT+IPR=0')
        autobaud = form in ('r5', 'lara')
        tap.point(got == (['OK'] if autobaud else ['+CME ERROR: incorrect parameters']),
                  '%s: AT+IPR=0 (autobauding) %s' % (model, 'OK' if autobaud else 'refused'),
                  repr(got))
        got = command(sim, 'AT+IPR=921600')
        tap.point(got == ['OK'], '%s: AT+IPR=921600' % model, repr(got))
        check_amp_v(sim, tap, model)
        check_edrx(sim, tap, model, form)
        check_bandmask(sim, tap, model, form)
        check_urat(sim, tap, model, form)
        check_greeting_reboot(sim, tap, model)
    finally:
        rc = sim.close()
        tap.point(rc == 0, '%s: ukms-sim exits 0 on SIGTERM' % model, 'exit %s' % rc)
    check_cscon_counters(exe, tap, model)
    check_nvm(exe, tap, model, 4, form)


def main(argv):
    """test_radio.py SIM_EXE [FORM]: every family, or the one whose form is FORM (r5, r422,
    r4, lara), so meson runs the families as separate tests in parallel."""
    rows = [f for f in FAMILIES if len(argv) < 3 or f[1] == argv[2]]
    if not rows:
        print(__doc__)
        return 2
    return run_all(argv[:2], __doc__, rows, run_family, 'ukms-radio-')


if __name__ == '__main__':
    sys.exit(main(sys.argv))
