#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Socket faults (docs/faults.md) seen through the pty, switched on with --fault: Q10 (+USOCO
right after +USOSEC fails and closes the socket), Q15 (a network drop kills sockets without a
URC, +USORD then CME 3), Q17 strict (data too soon after '@' is dropped), Q18 (bare OK to
+USOWR, deterministic under --seed), Q26 (slow +USOCL).

Usage: fault_sock.py UKMS_SIM   (TAP on stdout)
"""
import time

from sock_lib import Modem, TcpPeer, echo, run


def connected(exe, tap, args, script=echo, what=''):
    p = TcpPeer(script)
    md = Modem(exe, tap, args)
    md.ok('AT+CMEE=1')
    md.wait_attached(what + ': attached')
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n', what + ': socket')
    md.ok('AT+USOCO=0,"127.0.0.1",%d' % p.port, what + ': connected')
    return p, md


def t_q10(exe, tap, opts):
    p = TcpPeer(echo)
    md = Modem(exe, tap, ['--fault', 'Q10'])
    md.ok('AT+CMEE=1')
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n')
    md.ok('AT+USOSEC=0,1,0')
    md.cmd('AT+USOCO=0,"127.0.0.1",%d' % p.port, '\r\n+CME ERROR: 3\r\n',
           'Q10: +USOCO right after +USOSEC fails')
    md.cmd('AT+USOCTL=0,0', '\r\n+CME ERROR: 3\r\n', 'Q10: the failure closed the socket')
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n', 'Q10: the id is free again')
    md.ok('AT+USOSEC=0,0')
    md.ok('AT+USOCO=0,"127.0.0.1",%d' % p.port, 'Q10: a plain socket is not affected')
    md.close()
    p.stop()


def ten_bytes(conn):
    conn.sendall(b'0123456789')
    conn.recv(100)


def t_q15(exe, tap, opts):
    p, md = connected(exe, tap, [], ten_bytes, 'default')
    md.line(r'\+UUSORD: 0,10', 'default: data announced')
    md.ok('AT+CFUN=4', 'default: network off')
    md.cmd('AT+USORD=0,10', '\r\n+USORD: 0,10,"0123456789"\r\n\r\nOK\r\n',
           'default: the socket keeps its data over a detach')
    md.close()
    p.stop()
    p, md = connected(exe, tap, ['--fault', 'Q15'], ten_bytes, 'Q15')
    md.line(r'\+UUSORD: 0,10', 'Q15: data announced')
    md.ok('AT+CFUN=4', 'Q15: network off')
    ok, diag = md.sim.expect_silence(500)
    tap.point(ok, 'Q15: no +UUSOCL for the killed socket', diag)
    md.cmd('AT+USORD=0,10', '\r\n+CME ERROR: 3\r\n', 'Q15: +USORD answers CME 3')
    md.cmd('AT+USOWR=0,1,"x"', '\r\n+CME ERROR: 3\r\n', 'Q15: +USOWR answers CME 3')
    md.ok('AT+USOCL=0', 'Q15: +USOCL frees the dead socket')
    md.close()
    p.stop()
    # drop_ms: the network goes by itself; the socket dies silently.
    p, md = connected(exe, tap, ['--fault', 'Q15:drop_ms=1500'], ten_bytes, 'Q15 drop_ms')
    md.line(r'\+UUSORD: 0,10', 'Q15 drop_ms: data announced')
    until, got = time.monotonic() + 15, None
    while time.monotonic() < until:
        m = md.query('AT+USORD=0,0', r'\+USORD: 0,(\d+)|\+CME ERROR: 3', 3000)
        if m is None or m.group(0) == b'+CME ERROR: 3':
            got = m
            break
        time.sleep(0.1)
    tap.point(got is not None and b'UUSOCL' not in md.sim.rx,
              'Q15 drop_ms: the network drops after 1.5 s, +USORD then CME 3, no URC',
              repr(md.sim.rx))
    md.close()
    p.stop()


def t_q17(exe, tap, opts):
    p, md = connected(exe, tap, ['--fault', 'Q17'], echo, 'Q17')
    md.cmd('AT+USOWR=0,3', '\r\n@', 'Q17: prompt')
    md.send('abc')
    md.exact('\r\nERROR\r\n', 'Q17 strict: data right after "@" is dropped with ERROR')
    ok, diag = md.sim.expect_silence(300)
    tap.point(ok, 'Q17 strict: nothing was sent (no echo comes back)', diag)
    md.cmd('AT+USOWR=0,3', '\r\n@', 'Q17: prompt again')
    time.sleep(0.1)  # the behaviour under test: the host waits 50 ms after '@'
    md.send('abc')
    md.exact('\r\n+USOWR: 0,3\r\n\r\nOK\r\n', 'Q17: data 100 ms after "@" is sent')
    md.line(r'\+UUSORD: 0,3', 'Q17: and echoed by the peer')
    md.close()
    p.stop()


def q18_pattern(exe, tap, seed):
    p, md = connected(exe, tap, ['--fault', 'Q18:pct=50', '--seed', str(seed)], echo,
                      'Q18 seed %d' % seed)
    pattern = ''
    for _ in range(12):
        md.send('AT+USOWR=0,1,"x"\r')
        until = time.monotonic() + 8
        while b'OK\r\n' not in md.sim.rx and md.sim._fill(until):
            pass
        pattern += 'N' if b'+USOWR' in md.sim.rx else 'B'
        md.sim.rx = b''
    md.close()
    p.stop()
    return pattern


def t_q18(exe, tap, opts):
    p, md = connected(exe, tap, ['--fault', 'Q18'], echo, 'Q18')
    md.cmd('AT+USOWR=0,3,"abc"', '\r\nOK\r\n', 'Q18: +USOWR answers a bare OK')
    md.line(r'\+UUSORD: 0,3', 'Q18: the data was sent all the same')
    md.close()
    p.stop()
    a, b = q18_pattern(exe, tap, 7), q18_pattern(exe, tap, 7)
    tap.point(a == b and 'B' in a and 'N' in a,
              'Q18 pct=50: the same mix of bare and full answers under the same --seed',
              '%s vs %s' % (a, b))


def t_q26(exe, tap, opts):
    p, md = connected(exe, tap, ['--fault', 'Q26:delay_ms=800'], echo, 'Q26')
    t0 = time.monotonic()
    md.ok('AT+USOCL=0', 'Q26: +USOCL answers OK')
    took = time.monotonic() - t0
    tap.point(took >= 0.8, 'Q26: +USOCL takes >= 800 ms (%.2f s)' % took)
    md.cmd('AT+USOCTL=0,0', '\r\n+CME ERROR: 3\r\n', 'Q26: the socket is closed afterwards')
    md.close()
    p.stop()


if __name__ == '__main__':
    import sys
    sys.exit(run([t_q10, t_q15, t_q17, t_q18, t_q26], sys.argv))
