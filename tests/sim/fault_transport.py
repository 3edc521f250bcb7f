#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Transport faults and the AT-level F quirks seen through the pty (docs/faults.md), each
switched on with --fault on the command line: chunked, latency, urc_drop, hang, reboot,
Q12 (worst-case URC placement), Q21 (boot noise and stale URCs).

Usage: fault_transport.py UKMS_SIM   (TAP on stdout)
"""
import os
import shutil
import tempfile
import time

import backpressure
import chat
from sock_lib import Modem, TcpPeer, run

DEADLINE_MS = 8000


def timed(md, line, want, what):
    """Sends line, expects exactly want; returns the seconds it took (None on failure)."""
    t0 = time.monotonic()
    ok = md.cmd(line, want, what)
    return time.monotonic() - t0 if ok else None


def t_chunked(exe, tap, opts):
    md = Modem(exe, tap, ['--fault', 'chunked:bytes=3,delay_ms=60'])
    md.send('AT+CGMI\r')
    sizes, t0, until = [], time.monotonic(), time.monotonic() + DEADLINE_MS / 1000
    want = b'\r\nu-blox\r\n\r\nOK\r\n'
    while len(md.sim.rx) < len(want) and md.sim._fill(until):
        sizes.append(len(md.sim.rx) - sum(sizes))
    took = time.monotonic() - t0
    tap.point(md.sim.rx == want, 'chunked: the answer arrives complete', repr(md.sim.rx))
    # 16 bytes in 3-byte pieces: 5 pauses of 60 ms at least (a lower bound holds under load).
    tap.point(took >= 0.3, 'chunked: 3-byte pieces 60 ms apart (%d reads, %.2f s)'
              % (len(sizes), took), repr(sizes))
    md.sim.rx = b''
    md.close()


def t_chunked_backpressure(exe, tap, opts):
    """A host pipelining faster than chunked output drains: nothing is dropped."""
    tmp = tempfile.mkdtemp(prefix='ukms-chunked-')
    n = 20000
    try:
        log = os.path.join(tmp, 'sim.log')
        sim = chat.Sim(exe, ['--ephemeral', '--log-file', log, '--fault',
                             'chunked:bytes=256,delay_ms=1'])
        sim.send(b'ATE0\r')
        sim.expect_line('OK', DEADLINE_MS)
        written, rx, _ = backpressure.burst(sim, 'AT+CGMI', n)
        want = b'\r\nu-blox\r\n\r\nOK\r\n' * n
        rx = backpressure.read_until(sim, rx, lambda b: len(b) >= len(want))
        tap.point(written and bytes(rx) == want,
                  'chunked: %d pipelined answers (%d KiB) arrive whole, in order' %
                  (n, len(want) // 1024), 'got %d of %d bytes' % (len(rx), len(want)))
        tap.point(sim.close() == 0, 'ukms-sim exits 0')
        tap.point(not backpressure.log_has_drop(log), 'chunked: no "dropping" in the log')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def t_latency(exe, tap, opts):
    md = Modem(exe, tap, ['--fault', 'latency:ms=400'])
    took = timed(md, 'AT', '\r\nOK\r\n', 'latency: AT answers OK')
    tap.point(took is not None and took >= 0.4, 'latency: OK comes >= 400 ms later (%s s)' % took)
    # A command typed during the held result waits for it: answers stay in order.
    md.send('AT+CGMI\rAT+CMEE=1\r')
    md.exact('\r\nu-blox\r\n\r\nOK\r\n\r\nOK\r\n', 'latency: a second command waits its turn')
    md.close()


def reg_urcs(md):
    md.wait_attached('registered before +CEREG=1 (no URC race)')
    md.ok('AT+CEREG=1')
    md.ok('AT+CFUN=4')
    return md.sim.expect_silence(500)


def t_urc_drop(exe, tap, opts):
    md = Modem(exe, tap)
    ok, _ = reg_urcs(md)
    tap.point(not ok and b'+CEREG: 0' in md.sim.rx, 'without the fault CFUN=4 gives +CEREG: 0',
              repr(md.sim.rx))
    md.sim.rx = b''
    md.close()
    md = Modem(exe, tap, ['--fault', 'urc_drop:pct=100'])
    ok, diag = reg_urcs(md)
    tap.point(ok, 'urc_drop pct=100: the +CEREG URC is lost', diag)
    md.close()


def t_hang_and_reboot(exe, tap, opts):
    md = Modem(exe, tap, ['--fault', 'hang:after=2', '--fault', 'reboot:after_ms=6000'])
    md.ok('AT', 'hang after=2: the 2nd command (after ATE0) is answered')
    md.send('AT\r')
    ok, diag = md.sim.expect_silence(600)
    tap.point(ok, 'hang: the 3rd command gets no answer', diag)
    # The unsolicited reboot ends the hang; the module comes back with echo on (E1 default).
    md.wait_answering('reboot after_ms: the module reboots by itself and answers again')
    tap.point(md.sim.rx.startswith(b'AT\r\r\nOK\r\n'), 'reboot: settings reset (echo on)',
              repr(md.sim.rx))
    md.sim.rx = b''
    md.close()


def t_q21(exe, tap, opts):
    sim = chat.Sim(exe, ['--ephemeral', '--fault', 'Q21:nuls=5,stale=2'])
    ok, diag = sim.expect_exact(b'\0' * 5 + b'\r\n+UUSORD: 0,16\r\n\r\n+UUSOCL: 1\r\n', DEADLINE_MS)
    tap.point(ok, 'Q21: NUL bytes, then stale +UUSORD/+UUSOCL after start', diag)
    sim.send(b'ATE0\r')
    ok, diag = sim.expect_exact(b'ATE0\r\r\nOK\r\n', DEADLINE_MS)
    sim.send(b'AT+CMEE=1;+USORD=0,16\r')
    ok, diag = sim.expect_exact(b'\r\n+CME ERROR: 3\r\n', DEADLINE_MS)
    tap.point(ok, 'Q21: the stale socket is not open (+USORD: CME 3)', diag)
    sim.send(b'AT+CFUN=16\r')
    ok, diag = sim.expect_exact(b'\r\nOK\r\n' + b'\0' * 5 + b'\r\n+UUSORD: 0,16\r\n', DEADLINE_MS)
    tap.point(ok, 'Q21: the noise again after AT+CFUN=16', diag)
    rc = sim.close()
    tap.point(rc == 0, 'ukms-sim exits 0')


def q12_session(exe, tap, extra, what):
    def peer(conn):
        conn.sendall(b'0123456789')
        conn.recv(100)
        time.sleep(1)

    p = TcpPeer(peer)
    md = Modem(exe, tap, extra)
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n', what + ': socket')
    md.send('AT+USOCO=0,"127.0.0.1",%d\r' % p.port)
    # With Q12 and latency the data URC may come before the connect's OK: either order.
    want = (b'\r\nOK\r\n', b'\r\n+UUSORD: 0,10\r\n')
    until = time.monotonic() + DEADLINE_MS / 1000
    while not all(w in md.sim.rx for w in want) and md.sim._fill(until):
        pass
    tap.point(md.sim.rx in (want[0] + want[1], want[1] + want[0]),
              what + ': connected, data announced', repr(md.sim.rx))
    md.sim.rx = b''
    return p, md


def t_q12(exe, tap, opts):
    # latency holds each final result 300 ms, so the partial-read URC is surely raised while
    # the line still runs: queued behind OK by default, sent before it under Q12.
    slow = ['--fault', 'latency:ms=300']
    p, md = q12_session(exe, tap, slow, 'default')
    md.cmd('AT+USORD=0,4', '\r\n+USORD: 0,4,"0123"\r\n\r\nOK\r\n\r\n+UUSORD: 0,6\r\n',
           'default: a URC raised while a command runs comes after its OK')
    md.close()
    p.stop()
    p, md = q12_session(exe, tap, slow + ['--fault', 'Q12'], 'Q12')
    md.cmd('AT+USORD=0,4', '\r\n+USORD: 0,4,"0123"\r\n\r\n+UUSORD: 0,6\r\n\r\nOK\r\n',
           'Q12: the URC comes between the answer and its OK')
    md.cmd('AT+USORD=0,2;+USOWR=0,3', '\r\n+USORD: 0,2,"45"\r\n\r\n@', 'Q12: prompt')
    md.send('abc')
    md.exact('\r\n+USOWR: 0,3\r\n\r\n+UUSORD: 0,4\r\n\r\nOK\r\n',
             'Q12: a URC queued during the data prompt comes before the OK')
    md.close()
    p.stop()


if __name__ == '__main__':
    import sys
    sys.exit(run([t_chunked, t_chunked_backpressure, t_latency, t_urc_drop, t_hang_and_reboot, t_q21, t_q12], sys.argv))
