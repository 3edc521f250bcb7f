#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Socket AT dialogues without security, through the pty, against python peers on loopback:
payloads 0/1/1024 and every byte value through +USOWR '@' and +USORD, string and hex forms,
size limits, UDP +USOST/+USORF, peer close mid-transfer (Q14), connection refused, +USORD on
a closed socket, 7 sockets and an 8th refused, async connect/close, +USOLI, +USOCTL.

Usage: sock_plain.py UKMS_SIM   (TAP on stdout)
"""
import socket
import sys
import time

from sock_lib import Modem, TcpPeer, UdpEcho, echo, free_port, run

ALL_BYTES = bytes(range(256))
BIG = bytes((i * 7 + 3) & 0xff for i in range(1024))


def write_read(md, sid, data, what):
    """'@' write of data, the +UUSORD announcing the echo, +USORD of all of it."""
    md.cmd('AT+USOWR=%d,%d' % (sid, len(data)), '\r\n@', what + ': @ prompt')
    md.send(data)
    md.exact('\r\n+USOWR: %d,%d\r\n\r\nOK\r\n' % (sid, len(data)), what + ': +USOWR count')
    if not data:
        return
    got = b''
    md.line(r'\+UUSORD: %d,\d+' % sid, what + ': +UUSORD')
    while len(got) < len(data):
        m = md.query('AT+USORD=%d,0' % sid, r'\+USORD: %d,(\d+)' % sid)
        n = int(m.group(1)) if m else 0
        if n == 0:
            md.line(r'\+UUSORD: %d,\d+' % sid, what + ': more data announced')
            continue
        head = b'\r\n+USORD: %d,%d,"' % (sid, n)
        md.send('AT+USORD=%d,%d\r' % (sid, n))
        ok, diag = md.sim.expect_exact(head, 5000)
        if not ok:
            md.tap.point(False, what + ': +USORD head', diag)
            return
        want_tail = b'"\r\n\r\nOK\r\n'
        while len(md.sim.rx) < n + len(want_tail) and md.sim._fill(time.monotonic() + 5):
            pass
        got += md.sim.rx[:n]
        tail = md.sim.rx[n:n + len(want_tail)]
        md.sim.rx = md.sim.rx[n + len(want_tail):]
        if tail != want_tail:
            md.tap.point(False, what + ': +USORD tail', repr(tail))
            return
    md.tap.point(got == data, what + ': echoed bytes identical', '' if got == data else
                 'got %d bytes, first diff at %d' % (len(got), next(
                     (i for i, (a, b) in enumerate(zip(got, data)) if a != b), -1)))


def t_payloads(exe, tap, opts):
    peer = TcpPeer(echo)
    md = Modem(exe, tap)
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n', 'TCP socket 0 created')
    md.ok('AT+USOCO=0,"127.0.0.1",%d' % peer.port, 'sync connect to the echo peer')
    write_read(md, 0, b'', 'payload 0 bytes')
    write_read(md, 0, b'\x00', 'payload 1 byte')
    write_read(md, 0, ALL_BYTES, 'payload 0x00-0xFF')
    write_read(md, 0, BIG, 'payload 1024 bytes')
    md.cmd('AT+USOWR=0,1025', '\r\nERROR\r\n', 'binary write of 1025 bytes refused (Q16)')
    md.cmd('AT+USOWR=0,5,"hello"', '\r\n+USOWR: 0,5\r\n\r\nOK\r\n', 'string form write')
    md.line(r'\+UUSORD: 0,5', 'string echo announced')
    md.cmd('AT+USORD=0,100', '\r\n+USORD: 0,5,"hello"\r\n\r\nOK\r\n', 'string echo read')
    md.cmd('AT+USOWR=0,4,"hello"', '\r\nERROR\r\n', 'string form with a wrong length refused')
    # hex mode
    md.ok('AT+UDCONF=1,1', 'hex mode on')
    md.ok('AT+CMEE=1')
    md.cmd('AT+USOWR=0,3,"00FF7f"', '\r\n+USOWR: 0,3\r\n\r\nOK\r\n', 'hex form write')
    md.line(r'\+UUSORD: 0,3', 'hex echo announced')
    md.cmd('AT+USORD=0,3', '\r\n+USORD: 0,3,"00FF7F"\r\n\r\nOK\r\n', 'hex read (upper case)')
    md.cmd('AT+USOWR=0,513', '\r\nERROR\r\n', 'hex mode: 513-byte write refused (Q16)')
    md.cmd('AT+USORD=0,513', '\r\nERROR\r\n', 'hex mode: 513-byte read refused')
    md.cmd('AT+USOWR=0,2,"0G11"', '\r\n+CME ERROR: 50\r\n', 'bad hex refused')
    md.ok('AT+UDCONF=1,0', 'hex mode off')
    m = md.query('AT+USOCTL=0,2', r'\+USOCTL: 0,2,(\d+)')
    sent = 1 + 256 + 1024 + 5 + 3
    tap.point(m is not None and int(m.group(1)) == sent, '+USOCTL 2 counts %d bytes sent' % sent,
              repr(m and m.group(0)))
    m = md.query('AT+USOCTL=0,3', r'\+USOCTL: 0,3,(\d+)')
    tap.point(m is not None and int(m.group(1)) == sent, '+USOCTL 3 counts the echo')
    md.cmd('AT+USOCTL=0,0', '\r\n+USOCTL: 0,0,6\r\n\r\nOK\r\n', '+USOCTL 0: TCP')
    md.cmd('AT+USOCTL=0,4', '\r\n+USOCTL: 0,4,"127.0.0.1",%d\r\n\r\nOK\r\n' % peer.port,
           '+USOCTL 4: peer')
    md.cmd('AT+USOCTL=0,10', '\r\n+USOCTL: 0,10,4\r\n\r\nOK\r\n', '+USOCTL 10: ESTABLISHED')
    md.ok('AT+USOCL=0', 'sync close')
    md.cmd('AT+USORD=0,10', '\r\n+CME ERROR: 3\r\n', '+USORD on a closed socket: CME 3')
    md.close()
    peer.stop()


def t_peer_close(exe, tap, opts):
    def script(conn):
        conn.sendall(b'A' * 300)
        conn.recv(1)  # wait for the client's go
        conn.sendall(b'B' * 200)
        conn.shutdown(socket.SHUT_RDWR)

    peer = TcpPeer(script)
    md = Modem(exe, tap)
    md.ok('AT+CMEE=1')
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n')
    md.ok('AT+USOCO=0,"127.0.0.1",%d' % peer.port)
    md.line(r'\+UUSORD: 0,300', 'first data announced once')
    md.cmd('AT+USORD=0,100', '\r\n+USORD: 0,100,"' + 'A' * 100 + '"\r\n\r\nOK\r\n', 'partial read')
    md.line(r'\+UUSORD: 0,200', 'after a partial read the rest is announced (Q13)')
    md.cmd('AT+USOWR=0,1,"g"', '\r\n+USOWR: 0,1\r\n\r\nOK\r\n', 'go')
    md.line(r'\+UUSOCL: 0', 'peer close -> +UUSOCL')
    m = md.query('AT+USORD=0,0', r'\+USORD: 0,(\d+)')
    tap.point(m is not None and int(m.group(1)) == 400, 'buffered data stays readable (Q14)',
              repr(m and m.group(0)))
    md.cmd('AT+USORD=0,400', '\r\n+USORD: 0,400,"' + 'A' * 200 + 'B' * 200 + '"\r\n\r\nOK\r\n',
           'all buffered bytes read after the close')
    md.cmd('AT+USORD=0,10', '\r\n+CME ERROR: 3\r\n', 'then +USORD answers CME 3 (Q14)')
    md.cmd('AT+USORD=0,0', '\r\n+CME ERROR: 3\r\n', 'and the length query too')
    md.cmd('AT+USOCTL=0,2', '\r\n+CME ERROR: 3\r\n', 'and +USOCTL (Q14)')
    md.cmd('AT+USOWR=0,1,"x"', '\r\n+CME ERROR: 3\r\n', 'write after the peer closed fails')
    md.ok('AT+USOCL=0', 'host close of a peer-closed socket')
    md.close()
    peer.stop()


def t_refused_and_limits(exe, tap, opts):
    port = free_port()
    md = Modem(exe, tap)
    md.ok('AT+CMEE=1')
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n')
    md.cmd('AT+USOCO=0,"127.0.0.1",%d' % port, '\r\n+CME ERROR: 3\r\n',
           'connection refused -> CME error')
    md.cmd('AT+USOER', '\r\n+USOER: 111\r\n\r\nOK\r\n', '+USOER: 111 (ECONNREFUSED)')
    md.cmd('AT+USOCTL=0,1', '\r\n+USOCTL: 0,1,111\r\n\r\nOK\r\n', '+USOCTL 1: last error')
    md.cmd('AT+USOCO=0,"127.0.0.1",%d,1' % port, '\r\nOK\r\n', 'async connect: OK at once')
    md.line(r'\+UUSOCO: 0,111', 'async connect refused -> +UUSOCO: 0,111')
    md.cmd('AT+USOCO=0,"999.1.1.1",80', '\r\n+CME ERROR: 50\r\n', 'bad address')
    md.cmd('AT+USOWR=0,5', '\r\n+CME ERROR: 3\r\n', 'no @ prompt on an unconnected socket')
    md.ok('AT+USOCL=0')
    for i in range(7):
        md.cmd('AT+USOCR=%d' % (6 if i % 2 else 17), '\r\n+USOCR: %d\r\n\r\nOK\r\n' % i,
               'socket %d created' % i)
    md.cmd('AT+USOCR=6', '\r\n+CME ERROR: 3\r\n', 'an 8th socket is refused (Q22)')
    md.cmd('AT+USOER', '\r\n+USOER: 24\r\n\r\nOK\r\n', '+USOER: 24 (EMFILE)')
    md.ok('AT+USOCL=3', 'close 3')
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 3\r\n\r\nOK\r\n', 'the freed id is reused')
    md.cmd('AT+USOCR=5', '\r\n+CME ERROR: 50\r\n', 'protocol 5 refused')
    md.cmd('AT+USOCL=1,1', '\r\nOK\r\n', 'async close: OK at once')
    md.line(r'\+UUSOCL: 1', 'async close -> +UUSOCL: 1')
    md.cmd('AT+USOCL=1', '\r\n+CME ERROR: 3\r\n', 'closing a free socket fails')
    md.close()


def t_udp(exe, tap, opts):
    peer = UdpEcho()
    md = Modem(exe, tap)
    md.cmd('AT+USOCR=17', '\r\n+USOCR: 0\r\n\r\nOK\r\n', 'UDP socket')
    md.cmd('AT+USOST=0,"127.0.0.1",%d,5,"hello"' % peer.port, '\r\n+USOST: 0,5\r\n\r\nOK\r\n',
           '+USOST string form')
    md.line(r'\+UUSORF: 0,5', 'datagram announced with +UUSORF')
    md.cmd('AT+USORF=0,0', '\r\n+USORF: 0,5\r\n\r\nOK\r\n', '+USORF length query')
    md.cmd('AT+USORF=0,100', '\r\n+USORF: 0,"127.0.0.1",%d,5,"hello"\r\n\r\nOK\r\n' % peer.port,
           '+USORF gives the source and the bytes')
    md.cmd('AT+USOST=0,"127.0.0.1",%d,256' % peer.port, '\r\n@', '+USOST binary: @ prompt')
    md.send(ALL_BYTES)
    md.exact('\r\n+USOST: 0,256\r\n\r\nOK\r\n', '+USOST binary count')
    md.line(r'\+UUSORF: 0,256', '256-byte datagram announced')
    md.cmd('AT+USORF=0,100', b'\r\n+USORF: 0,"127.0.0.1",%d,100,"' % peer.port + ALL_BYTES[:100]
           + b'"\r\n\r\nOK\r\n', 'partial +USORF')
    md.line(r'\+UUSORF: 0,156', 'the rest of the datagram announced')
    md.cmd('AT+USORF=0,1024', b'\r\n+USORF: 0,"127.0.0.1",%d,156,"' % peer.port + ALL_BYTES[100:]
           + b'"\r\n\r\nOK\r\n', 'rest of the datagram')
    md.ok('AT+UDCONF=1,1')
    md.cmd('AT+USOST=0,"127.0.0.1",%d,2,"ABCD"' % peer.port, '\r\n+USOST: 0,2\r\n\r\nOK\r\n',
           '+USOST hex form')
    md.line(r'\+UUSORF: 0,2', 'hex datagram announced')
    md.cmd('AT+USORF=0,2', '\r\n+USORF: 0,"127.0.0.1",%d,2,"ABCD"\r\n\r\nOK\r\n' % peer.port,
           '+USORF hex form')
    md.ok('AT+UDCONF=1,0')
    md.cmd('AT+USOCR=17', '\r\n+USOCR: 1\r\n\r\nOK\r\n', 'second UDP socket')
    md.ok('AT+USOCO=1,"127.0.0.1",%d' % peer.port, 'UDP connect records the peer')
    md.cmd('AT+USOWR=1,3,"abc"', '\r\n+USOWR: 1,3\r\n\r\nOK\r\n', '+USOWR on connected UDP')
    md.line(r'\+UUSORD: 1,3', 'connected UDP announces with +UUSORD')
    md.cmd('AT+USORD=1,3', '\r\n+USORD: 1,3,"abc"\r\n\r\nOK\r\n', '+USORD on UDP')
    md.cmd('AT+USOCTL=1,0', '\r\n+USOCTL: 1,0,17\r\n\r\nOK\r\n', '+USOCTL 0: UDP')
    md.close()
    peer.stop()


def t_listen_options(exe, tap, opts):
    md = Modem(exe, tap)
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n')
    port = free_port()
    md.ok('AT+USOLI=0,%d' % port, '+USOLI')
    c = socket.create_connection(('127.0.0.1', port), timeout=5)
    cport = c.getsockname()[1]
    md.line(r'\+UUSOLI: 1,"127\.0\.0\.1",%d,0,"127\.0\.0\.1",%d' % (cport, port),
            'incoming connection -> +UUSOLI')
    c.sendall(b'hi')
    md.line(r'\+UUSORD: 1,2', 'accepted socket receives')
    md.cmd('AT+USORD=1,2', '\r\n+USORD: 1,2,"hi"\r\n\r\nOK\r\n')
    c.close()
    md.line(r'\+UUSOCL: 1', 'client close -> +UUSOCL')
    md.ok('AT+USOSO=0,6,1,1', '+USOSO TCP_NODELAY')
    md.cmd('AT+USOGO=0,6,1', '\r\n+USOGO: 1\r\n\r\nOK\r\n', '+USOGO reads it back')
    md.ok('AT+USOSO=0,65535,128,1,30', '+USOSO LINGER')
    md.cmd('AT+USOGO=0,65535,128', '\r\n+USOGO: 1,30\r\n\r\nOK\r\n', '+USOGO LINGER: two values')
    md.ok('AT+CFUN=16', 'reboot with sockets open')
    back = False
    until = time.monotonic() + 5
    while not back and time.monotonic() < until:  # the module is silent while it reboots
        md.send('AT\r')
        back = md.sim.expect_line('OK', 100)[0]
    tap.point(back, 'module answers again after the reboot')
    # Several of the probing ATs may be answered: let their OKs drain before going on.
    while md.sim.expect_line('OK', 300)[0]:
        pass
    md.send('ATE0\r')
    md.exact('ATE0\r\r\nOK\r\n', 'echo is back on after the reboot (factory default)')
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n', 'after a reboot every socket id is free')
    md.close()


if __name__ == '__main__':
    sys.exit(run([t_payloads, t_peer_close, t_refused_and_limits, t_udp, t_listen_options],
                 sys.argv))
