#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Network faults on the module's sockets (docs/faults.md), switched on with --fault:
dgram_loss (both ways, deterministic under --seed), dgram_reorder, a DTLS handshake surviving both,
rtt, tcp_reset.

Usage: fault_net.py UKMS_SIM   (TAP on stdout)
"""
import socket
import time

from sock_lib import PSK_HEX, PSK_ID, Modem, SServer, TcpPeer, UdpEcho, echo, free_port, run


def UdpSink():
    return UdpEcho(reply=False)


def udp_session(exe, tap, args, sink, what):
    md = Modem(exe, tap, args)
    md.cmd('AT+USOCR=17', '\r\n+USOCR: 0\r\n\r\nOK\r\n', what + ': UDP socket')
    md.ok('AT+USOCO=0,"127.0.0.1",%d' % sink.port, what + ': connected')
    return md


def send_numbered(md, n):
    for i in range(n):
        md.send('AT+USOWR=0,2,"%02d"\r' % i)
        md.sim.expect_line('OK', 8000)


def settle(sink, want, deadline_s=3.0):
    """Waits until sink has want datagrams or nothing new came for 0.5 s."""
    until, last, seen = time.monotonic() + deadline_s, time.monotonic(), 0
    while time.monotonic() < until and len(sink.got) < want:
        if len(sink.got) != seen:
            seen, last = len(sink.got), time.monotonic()
        elif time.monotonic() - last > 0.5:
            break
        time.sleep(0.02)


def loss_run(exe, tap, seed):
    sink = UdpSink()
    md = udp_session(exe, tap, ['--fault', 'dgram_loss:pct=50', '--seed', str(seed)], sink,
                     'loss seed %d' % seed)
    send_numbered(md, 20)
    settle(sink, 20)
    md.close()
    sink.stop()
    return [g.decode() for g in sink.got]


def t_loss(exe, tap, opts):
    sink = UdpSink()
    md = udp_session(exe, tap, ['--fault', 'dgram_loss:pct=100'], sink, 'loss 100')
    send_numbered(md, 5)
    settle(sink, 1, 1.0)
    tap.point(sink.got == [], 'dgram_loss pct=100: no sent datagram arrives', repr(sink.got))
    md.close()
    sink.stop()
    a, b = loss_run(exe, tap, 11), loss_run(exe, tap, 11)
    tap.point(a == b and 0 < len(a) < 20,
              'dgram_loss pct=50: the same %d of 20 datagrams arrive under the same --seed'
              % len(a), '%r vs %r' % (a, b))


def inbound(exe, tap, args, what):
    """The peer sends 3 datagrams to the module's bound port; returns the module's output."""
    sink = UdpSink()
    lport = free_port(socket.SOCK_DGRAM)
    md = Modem(exe, tap, args)
    md.cmd('AT+USOCR=17,%d' % lport, '\r\n+USOCR: 0\r\n\r\nOK\r\n', what + ': UDP socket')
    md.ok('AT+USOCO=0,"127.0.0.1",%d' % sink.port, what + ': connected')
    for _ in range(3):
        sink.sock.sendto(b'hi', ('127.0.0.1', lport))
    md.sim.expect_silence(600)
    out = md.sim.rx
    md.sim.rx = b''
    md.close()
    sink.stop()
    return out


def t_loss_inbound(exe, tap, opts):
    out = inbound(exe, tap, [], 'no loss')
    tap.point(b'+UUSORD: 0,2' in out, 'without the fault the datagrams are announced', repr(out))
    out = inbound(exe, tap, ['--fault', 'dgram_loss:pct=100'], 'loss in')
    tap.point(out == b'', 'dgram_loss pct=100: received datagrams are lost too', repr(out))


def t_reorder(exe, tap, opts):
    sink = UdpSink()
    md = udp_session(exe, tap, ['--fault', 'dgram_reorder:pct=100'], sink, 'reorder')
    send_numbered(md, 4)
    settle(sink, 4)
    tap.point([g.decode() for g in sink.got] == ['01', '00', '03', '02'],
              'dgram_reorder pct=100: each datagram overtakes the one before', repr(sink.got))
    md.close()
    sink.stop()


def udp_echo_time(exe, tap, args, what):
    srv = UdpEcho()
    md = Modem(exe, tap, args)
    md.cmd('AT+USOCR=17', '\r\n+USOCR: 0\r\n\r\nOK\r\n', what + ': UDP socket')
    md.ok('AT+USOCO=0,"127.0.0.1",%d' % srv.port, what + ': connected')
    t0 = time.monotonic()
    md.cmd('AT+USOWR=0,4,"ping"', '\r\n+USOWR: 0,4\r\n\r\nOK\r\n', what + ': sent')
    md.line(r'\+UUSORD: 0,4', what + ': the echo is announced')
    took = time.monotonic() - t0
    md.close()
    srv.stop()
    return took


def t_rtt(exe, tap, opts):
    base = udp_echo_time(exe, tap, [], 'no rtt')
    slow = udp_echo_time(exe, tap, ['--fault', 'rtt:ms=600'], 'rtt 600')
    # The loop's clock counts whole milliseconds: a 600 ms delay may end up to 1 ms early.
    tap.point(slow >= 0.599 and slow > base, 'rtt: the echo comes >= 600 ms later (%.3f s vs '
              '%.3f s)' % (slow, base))
    p = TcpPeer(echo)
    md = Modem(exe, tap, ['--fault', 'rtt:ms=600'])
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n', 'rtt tcp: socket')
    md.ok('AT+USOCO=0,"127.0.0.1",%d' % p.port, 'rtt tcp: connected')
    t0 = time.monotonic()
    md.cmd('AT+USOWR=0,4,"ping"', '\r\n+USOWR: 0,4\r\n\r\nOK\r\n', 'rtt tcp: sent')
    md.line(r'\+UUSORD: 0,4', 'rtt tcp: the echo is announced')
    took = time.monotonic() - t0
    tap.point(took >= 0.599, 'rtt tcp: >= 600 ms (%.3f s)' % took)
    md.close()
    p.stop()


def t_tcp_reset(exe, tap, opts):
    seen = {}

    def peer(conn):
        try:
            while True:
                data = conn.recv(100)
                if not data:
                    seen['end'] = 'fin'
                    return
                conn.sendall(data)
        except ConnectionResetError:
            seen['end'] = 'reset'

    p = TcpPeer(peer)
    md = Modem(exe, tap, ['--fault', 'tcp_reset:after_bytes=10'])
    md.ok('AT+CMEE=1')
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n', 'tcp_reset: socket')
    md.ok('AT+USOCO=0,"127.0.0.1",%d' % p.port, 'tcp_reset: connected')
    md.cmd('AT+USOWR=0,8,"12345678"', '\r\n+USOWR: 0,8\r\n\r\nOK\r\n', 'tcp_reset: 8 bytes sent')
    md.line(r'\+UUSOCL: 0', 'tcp_reset: +UUSOCL once 16 bytes moved')
    md.cmd('AT+USOER', '\r\n+USOER: 104\r\n\r\nOK\r\n', 'tcp_reset: +USOER is ECONNRESET (104)')
    md.close()
    p.stop()
    tap.point(seen.get('end') == 'reset', 'tcp_reset: the peer sees a reset (RST)', repr(seen))


def dtls_under(exe, tap, fault, word):
    srv = SServer(['-dtls1_2', '-nocert', '-psk', PSK_HEX, '-psk_identity', PSK_ID,
                   '-cipher', 'PSK-AES128-GCM-SHA256'], udp=True)
    md = Modem(exe, tap, ['--fault', fault, '--seed', '5', '--log-level', 'debug'])
    md.ok('AT+USECPRF=0')
    md.ok('AT+USECPRF=0,1,3')
    md.ok('AT+USECPRF=0,8,"%s",1' % PSK_HEX)
    md.ok('AT+USECPRF=0,9,"%s"' % PSK_ID)
    md.ok('AT+USECPRF=0,2,100,"00","A8",0')
    md.cmd('AT+USOCR=17', '\r\n+USOCR: 0\r\n\r\nOK\r\n', 'DTLS: UDP socket')
    md.ok('AT+USOSEC=0,1,0', 'DTLS: security on')
    md.cmd('AT+USOCO=0,"127.0.0.1",%d' % srv.port, '\r\nOK\r\n',
           '%s: the DTLS handshake completes' % fault, 45000)
    rc, log = md.close()
    tap.point(word in log, '%s: DTLS records were affected (log: "%s")' % (fault, word),
              log[-1500:])
    srv.stop()


def t_dtls(exe, tap, opts):
    dtls_under(exe, tap, 'dgram_loss:pct=30', 'lost (fault dgram_loss)')
    dtls_under(exe, tap, 'dgram_reorder:pct=50', 'held back (fault dgram_reorder)')


if __name__ == '__main__':
    import sys
    sys.exit(run([t_loss, t_loss_inbound, t_reorder, t_rtt, t_tcp_reset, t_dtls], sys.argv))
