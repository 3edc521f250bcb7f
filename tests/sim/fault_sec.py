#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Security faults (docs/faults.md) seen through the pty, switched on with --fault: Q1 (SEC busy
window on any persona), Q5 (slow +USECCONN), Q6 (bootstrapped but not provisioned), Q24
(+USECMNG error 1912 until +ULSTFILE).

Usage: fault_sec.py UKMS_SIM   (TAP on stdout)
"""
import time

from sock_lib import Modem, run

UID = '0A04F008003C9623'  # the default device of the built-in platform (sealed)


def t_q1(exe, tap, opts):
    t0 = time.monotonic()
    md = Modem(exe, tap, ['--fault', 'Q1:ms=1500'])
    md.ok('AT+CMEE=2')
    md.cmd('AT+USECROTUID', '\r\n+CME ERROR: SEC busy\r\n', 'Q1: SARA-R5 is "SEC busy" too')
    md.cmd('AT+USECDEVINFO?', '\r\nERROR\r\n', 'Q1: +USECDEVINFO? is a bare ERROR')
    ok = False
    while not ok and time.monotonic() - t0 < 15:
        md.send('AT+USECROTUID\r')
        ok = md.sim.expect_line(r'\+USECROTUID: "%s"' % UID, 3000)[0]
        md.sim.expect_line('OK|\\+CME ERROR: SEC busy', 3000)
        time.sleep(0.1)
    took = time.monotonic() - t0
    tap.point(ok and took >= 1.5, 'Q1: answers after the 1.5 s window (%.2f s)' % took)
    md.close()
    md = Modem(exe, tap)
    md.cmd('AT+USECROTUID', '\r\n+USECROTUID: "%s"\r\n\r\nOK\r\n' % UID,
           'Q1 off: SARA-R5 answers at once')
    md.close()


def t_q5(exe, tap, opts):
    md = Modem(exe, tap, ['--fault', 'Q5:delay_ms=700'])
    t0 = time.monotonic()
    md.send('AT+USECCONN\r')
    ok, diag = md.sim.expect_silence(300)
    tap.point(ok, 'Q5: no answer at first', diag)
    md.exact('\r\nOK\r\n', 'Q5: +USECCONN answers OK')
    took = time.monotonic() - t0
    # The loop's clock counts whole milliseconds: a 700 ms timer may fire up to 1 ms early.
    tap.point(took >= 0.699, 'Q5: after >= 700 ms (%.3f s)' % took)
    md.close()


def t_q6(exe, tap, opts):
    md = Modem(exe, tap, ['--fault', 'Q6'])
    md.ok('AT+CMEE=1')
    md.cmd('AT+USECDEVINFO?', '\r\n+USECDEVINFO: 1,1,1\r\n\r\nOK\r\n',
           'Q6: the module still says bootstrapped and sealed')
    md.cmd('AT+USECPSK=32', '\r\n+CME ERROR: 3\r\n', 'Q6: +USECPSK is refused (not provisioned)')
    md.close()
    md = Modem(exe, tap)
    md.send('AT+USECPSK=32\r')
    md.line(r'\+USECPSK: "[0-9A-F]{28}","[0-9A-F]{64}"', 'Q6 off: +USECPSK works')
    md.close()


def t_q24(exe, tap, opts):
    md = Modem(exe, tap, ['--fault', 'Q24', '--model', 'SARA-R422S', '--sec-busy-ms', '0'])
    md.ok('AT+CMEE=1')
    md.cmd('AT+USECMNG=3', '\r\n+CME ERROR: 1912\r\n', 'Q24: +USECMNG answers 1912 first')
    md.send('AT+ULSTFILE\r')
    md.line('OK', 'Q24: +ULSTFILE')
    md.ok('AT+USECMNG=3', 'Q24: +USECMNG works after +ULSTFILE')
    md.ok('AT+CFUN=16')
    md.wait_answering('rebooted')
    md.sim.rx = b''
    md.send('ATE0\r')
    md.line('OK', 'echo off again')
    md.ok('AT+CMEE=1')
    md.cmd('AT+USECMNG=3', '\r\n+CME ERROR: 1912\r\n', 'Q24: and again after a reboot')
    md.close()


if __name__ == '__main__':
    import sys
    sys.exit(run([t_q1, t_q5, t_q6, t_q24], sys.argv))
