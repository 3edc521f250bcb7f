#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Module quirks seen through the pty (docs/quirks.md, /work/shared/reference/quirks.md):
Q1 "SEC busy" window of SARA-R422 after boot and --sec-busy-ms, Q8 cipher suites a PSK-only
profile proposes (captured from the ClientHello), Q7 +USOST on a secured UDP socket, Q12 +UUSOCO right after OK, Q17 the '@' prompt
and the warning for data sent too soon after it, Q22 four secure sockets on SARA-R410M.

Usage: sock_quirks.py UKMS_SIM   (TAP on stdout)
"""
import struct
import time

from sock_lib import PSK_HEX, PSK_ID, Modem, TcpPeer, UdpEcho, echo, run

R422 = ['--model', 'SARA-R422S', '--device', '0A04F00800000004']


def t_sec_busy(exe, tap, opts):
    md = Modem(exe, tap, R422)
    md.cmd('AT+USECDEVINFO?', '\r\nERROR\r\n', 'Q1: R422 +USECDEVINFO? is ERROR right after boot')
    md.ok('AT+CMEE=2')
    md.cmd('AT+USECROTUID', '\r\n+CME ERROR: SEC busy\r\n', 'Q1: +USECROTUID is "SEC busy"')
    md.close()
    md = Modem(exe, tap, R422 + ['--sec-busy-ms', '0'])
    md.cmd('AT+USECROTUID', '\r\n+USECROTUID:"0A04F00800000004"\r\n\r\nOK\r\n',
           'Q1: --sec-busy-ms 0 removes the window')
    md.close()


def client_hello_suites(record):
    """IANA ids of the cipher suites of a TLS ClientHello record (bytes)."""
    body = record[5:]
    if record[0] != 0x16 or body[0] != 1:
        return None
    p = 4 + 2 + 32
    p += 1 + body[p]
    n = struct.unpack('>H', body[p:p + 2])[0]
    return [struct.unpack('>H', body[p + 2 + i:p + 4 + i])[0] for i in range(0, n, 2)]


def capture_hello(md, profile_lines, colon=': '):
    """Connects a secure socket with profile 0 to a server that only records the ClientHello."""
    got = {}

    def grab(conn):
        data = b''
        while len(data) < 5 or len(data) < 5 + struct.unpack('>H', data[3:5])[0]:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        got['hello'] = data

    peer = TcpPeer(grab)
    md.ok('AT+USECPRF=0')
    for line in profile_lines:
        md.ok(line)
    md.cmd('AT+USOCR=6', '\r\n+USOCR%s0\r\n\r\nOK\r\n' % colon)
    md.ok('AT+USOSEC=0,1,0')
    md.send('AT+USOCO=0,"127.0.0.1",%d\r' % peer.port)
    md.sim.expect_line(r'OK|ERROR|\+CME ERROR: .*', 15000)
    md.ok('AT+USOCL=0')
    peer.stop()
    return client_hello_suites(got.get('hello', b'\0' * 64))


def t_psk_suites(exe, tap, opts):
    md = Modem(exe, tap)
    psk = ['AT+USECPRF=0,1,3', 'AT+USECPRF=0,8,"%s",1' % PSK_HEX, 'AT+USECPRF=0,9,"%s"' % PSK_ID]
    suites = capture_hello(md, psk) or []
    tap.point(0xC02F in suites and 0x00A8 in suites,
              'Q8: a PSK-only profile proposes the default list (ECDHE-RSA and PSK suites)',
              ' '.join('%04X' % s for s in suites))
    suites = capture_hello(md, psk + ['AT+USECPRF=0,2,99,"00","a8"']) or []
    real = [s for s in suites if s != 0x00FF]
    tap.point(real == [0x00A8], 'Q8: with one suite set, only that suite is proposed',
              ' '.join('%04X' % s for s in suites))
    md.close()


def t_r410m_suites_and_sockets(exe, tap, opts):
    md = Modem(exe, tap, ['--model', 'SARA-R410M-63B'])
    md.ok('AT+CMEE=1')
    psk = ['AT+USECPRF=0,8,"%s",1' % PSK_HEX, 'AT+USECPRF=0,9,"%s"' % PSK_ID]
    suites = capture_hello(md, psk + ['AT+USECPRF=0,2,99,"c0","2f"',
                                      'AT+USECPRF=0,2,99,"00","a8"'], ':') or []
    tap.point([s for s in suites if s != 0x00FF] == [0x00A8],
              'Q8: R410M keeps only the last op 2 write', ' '.join('%04X' % s for s in suites))
    for i in range(7):
        md.cmd('AT+USOCR=6', '\r\n+USOCR:%d\r\n\r\nOK\r\n' % i, 'Q22: socket %d of 7' % i)
    for i in range(4):
        md.ok('AT+USOSEC=%d,1,0' % i, 'Q22: secure socket %d of 4' % (i + 1))
    md.cmd('AT+USOSEC=4,1,0', '\r\n+CME ERROR: 3\r\n', 'Q22: a 5th secure socket is refused')
    md.ok('AT+USOSEC=0,0', 'Q22: security off on one socket')
    md.ok('AT+USOSEC=4,1,0', 'Q22: frees a secure slot')
    md.cmd('AT+USOCR=6', '\r\n+CME ERROR: 3\r\n', 'Q22: an 8th socket is refused')
    md.close()


def t_prompt_and_urc(exe, tap, opts):
    peer = TcpPeer(echo)
    md = Modem(exe, tap)
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n')
    md.cmd('AT+USOCO=0,"127.0.0.1",%d,1' % peer.port, '\r\nOK\r\n\r\n+UUSOCO: 0,0\r\n',
           'Q12: +UUSOCO comes right after the OK of an async connect')
    md.cmd('AT+USOWR=0,4', '\r\n@', 'Q17: the @ prompt (no line ending after it)')
    ok, diag = md.sim.expect_silence(100)
    tap.point(ok, 'Q17: nothing follows the @ prompt', diag)
    md.send(b'late')  # 100 ms after '@': no warning
    md.exact('\r\n+USOWR: 0,4\r\n\r\nOK\r\n', 'Q17: data after 100 ms is taken')
    md.line(r'\+UUSORD: 0,4', 'echo announced')
    md.cmd('AT+USORD=0,4', '\r\n+USORD: 0,4,"late"\r\n\r\nOK\r\n')
    md.send(b'AT+USOWR=0,5\rearly')  # the data in the same write as the command
    md.exact('\r\n@\r\n+USOWR: 0,5\r\n\r\nOK\r\n', 'Q17: data right after @ is still accepted')
    md.line(r'\+UUSORD: 0,5', 'echo announced')
    md.cmd('AT+USORD=0,5', '\r\n+USORD: 0,5,"early"\r\n\r\nOK\r\n', 'Q17: and sent unchanged')
    md.send(b'AT+USOWR=0,5\ragain')  # early again on the same socket: no second warning
    md.exact('\r\n@\r\n+USOWR: 0,5\r\n\r\nOK\r\n', 'Q17: a second early write is accepted')
    md.line(r'\+UUSORD: 0,5', 'echo announced')
    md.cmd('AT+USORD=0,5', '\r\n+USORD: 0,5,"again"\r\n\r\nOK\r\n')
    md.ok('AT+USOCL=0')
    rc, log = md.close()
    warns = [ln for ln in log.splitlines() if 'quirk Q17' in ln]
    tap.point(len(warns) == 1 and 'socket 0' in warns[0] and 'warn' in warns[0],
              'Q17: one warning for the socket, not one per early write', '\n'.join(warns) or log[-1500:])
    peer.stop()


def t_usost_secure_udp(exe, tap, opts):
    peer = UdpEcho()
    md = Modem(exe, tap)
    md.cmd('AT+USOCR=17', '\r\n+USOCR: 0\r\n\r\nOK\r\n')
    md.ok('AT+USOSEC=0,1,0')
    md.cmd('AT+USOST=0,"127.0.0.1",%d,5,"hello"' % peer.port, '\r\n+USOST: 0,5\r\n\r\nOK\r\n',
           'Q7: +USOST on a secured UDP socket answers +USOST: 0,5')
    md.line(r'\+UUSORF: 0,5', 'Q7: the echo comes back')
    md.cmd('AT+USORF=0,5', '\r\n+USORF: 0,"127.0.0.1",%d,5,"hello"\r\n\r\nOK\r\n' % peer.port,
           'Q7: the datagram went out in plain text (the echo peer saw "hello")')
    md.ok('AT+USOCL=0')
    rc, log = md.close()
    tap.point('quirk Q7' in log, 'Q7: the log warns about it', log[-1500:])
    peer.stop()


if __name__ == '__main__':
    import sys
    sys.exit(run([t_sec_busy, t_psk_suites, t_r410m_suites_and_sockets, t_prompt_and_urc,
                 t_usost_secure_udp],
                 sys.argv))
