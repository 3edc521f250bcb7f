#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Secure socket AT dialogues through the pty: the ubxlib TLS socket sequence of
host-transcripts.md (c) byte for byte (op 8/9 instead of op 11), TLS 1.2 PSK payloads (0, 1,
1024 bytes, every byte value) with +USOCTL byte accounting, TLS 1.3 PSK, DTLS 1.2 PSK, a wrong
PSK (CME error, +USOER, reason in the log), RoT-generated PSK (op 11) against a server that
resolves the identity, and --pcap opened by tshark.

Usage: sock_tls.py UKMS_SIM rot_server=ROT_PSK_SERVER   (TAP on stdout)
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

from sock_lib import PSK_HEX, PSK_ID, Modem, SServer, run, wait_for

# ubxlib sends the PSK as printable ASCII (host-transcripts.md (c)); s_server wants it in hex.
PSK_ASCII = 'ukms-psk-0123456'
PSK_ASCII_HEX = PSK_ASCII.encode().hex()
ALL_BYTES = bytes(range(256))
BIG = bytes((i * 13 + 5) & 0xff for i in range(1024))


def read_usord(md, sid, n, what):
    """AT+USORD=<sid>,<n> with a binary reply of exactly n bytes; returns the bytes."""
    md.send('AT+USORD=%d,%d\r' % (sid, n))
    head = b'\r\n+USORD: %d,%d,"' % (sid, n)
    tail = b'"\r\n\r\nOK\r\n'
    until = time.monotonic() + 5
    while len(md.sim.rx) < len(head) + n + len(tail) and md.sim._fill(until):
        pass
    rx = md.sim.rx
    md.sim.rx = rx[len(head) + n + len(tail):]
    ok = rx.startswith(head) and rx[len(head) + n:len(head) + n + len(tail)] == tail
    md.tap.point(ok, what, '' if ok else repr(rx[:80]))
    return rx[len(head):len(head) + n]


def roundtrip(md, srv, data, what):
    """Module -> server through '@' + +USOWR, server -> module through +UUSORD + +USORD."""
    md.cmd('AT+USOWR=0,%d' % len(data), '\r\n@', what + ': @ prompt')
    md.send(data)
    md.exact('\r\n+USOWR: 0,%d\r\n\r\nOK\r\n' % len(data), what + ': +USOWR count')
    if not data:
        return
    got = srv.read(len(data))
    md.tap.point(got == data, what + ': server received the bytes', '%d/%d' % (len(got),
                                                                               len(data)))
    srv.write(data)
    md.line(r'\+UUSORD: 0,\d+', what + ': +UUSORD')
    back = b''
    while len(back) < len(data):
        m = md.query('AT+USORD=0,0', r'\+USORD: 0,(\d+)')
        n = int(m.group(1)) if m else 0
        if n == 0:
            if not md.sim.expect_line(r'\+UUSORD: 0,\d+', 5000)[0]:
                break
            continue
        back += read_usord(md, 0, n, what + ': +USORD of %d bytes' % n)
    md.tap.point(back == data, what + ': module received the bytes unchanged')


def psk_profile(md, tls_min, extra=()):
    md.ok('AT+USECPRF=0')
    md.ok('AT+USECPRF=0,1,%d' % tls_min)
    md.ok('AT+USECPRF=0,8,"%s",1' % PSK_HEX, 'op 8 PSK, hex form')
    md.ok('AT+USECPRF=0,9,"%s"' % PSK_ID, 'op 9 identity')
    for line in extra:
        md.ok(line)


def t_ubxlib_sequence(exe, tap, opts):
    """host-transcripts.md (c), byte for byte, after ubxlib's open configuration."""
    srv = SServer(['-tls1_2', '-nocert', '-psk', PSK_ASCII_HEX, '-psk_identity', PSK_ID,
                   '-cipher', 'PSK-AES128-CBC-SHA256'])
    md = Modem(exe, tap)
    md.ok('AT+CMEE=2')
    md.ok('AT+UDCONF=1,0')
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n')
    for line in ['AT+USECPRF=0', 'AT+USECPRF=0,1,3', 'AT+USECPRF=0,3,"ubxlib_test_ca_cert"',
                 'AT+USECPRF=0,2,100,"00","ae",0', 'AT+USECPRF=0,11,0',
                 'AT+USECPRF=0,8,"%s"' % PSK_ASCII, 'AT+USECPRF=0,9,"%s"' % PSK_ID,
                 'AT+USECPRF=0,0,1', 'AT+USECPRF=0,10,"example.com"', 'AT+USOSEC=0,1,0',
                 'AT+USOCO=0,"127.0.0.1",%d' % srv.port]:
        md.ok(line)
    md.cmd('AT+USOWR=0,5', '\r\n@')
    md.send(b'hello')
    md.exact('\r\n+USOWR: 0,5\r\n\r\nOK\r\n', 'hello -> +USOWR: 0,5 / OK')
    tap.point(srv.read(5) == b'hello', 's_server received hello')
    srv.write(b'hello')
    md.exact('\r\n+UUSORD: 0,5\r\n', '+UUSORD: 0,5')
    md.cmd('AT+USORD=0,0', '\r\n+USORD: 0,5\r\n\r\nOK\r\n')
    md.cmd('AT+USORD=0,63', '\r\n+USORD: 0,5,"hello"\r\n\r\nOK\r\n')
    md.ok('AT+USOCL=0')
    md.close()
    srv.stop()


def t_tls12_payloads(exe, tap, opts):
    srv = SServer(['-tls1_2', '-nocert', '-psk', PSK_HEX, '-psk_identity', PSK_ID])
    md = Modem(exe, tap)
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n')
    psk_profile(md, 3, ['AT+USECPRF=0,2,100,"00","A8",0'])
    md.ok('AT+USOSEC=0,1,0', '+USOSEC on')
    md.cmd('AT+USOSEC=0', '\r\n+USOSEC: 0,1,0\r\n\r\nOK\r\n', '+USOSEC read')
    md.ok('AT+USOCO=0,"127.0.0.1",%d' % srv.port, 'TLS 1.2 PSK: OK after the handshake')
    total = 0
    for data, what in [(b'', '0 bytes'), (b'\x5a', '1 byte'), (ALL_BYTES, 'bytes 0x00-0xFF'),
                       (BIG, '1024 bytes')]:
        roundtrip(md, srv, data, 'TLS 1.2 ' + what)
        total += len(data)
    sent = md.query('AT+USOCTL=0,2', r'\+USOCTL: 0,2,(\d+)')
    recv = md.query('AT+USOCTL=0,3', r'\+USOCTL: 0,3,(\d+)')
    sent = int(sent.group(1)) if sent else 0
    recv = int(recv.group(1)) if recv else 0
    tap.point(sent > total, '+USOCTL 2: wire bytes sent %d > payload %d (handshake, records)'
              % (sent, total))
    tap.point(recv > total, '+USOCTL 3: wire bytes received %d > payload %d' % (recv, total))
    print('# TLS 1.2 PSK session: payload %d each way, wire %d sent / %d received'
          % (total, sent, recv))
    md.cmd('AT+USOSEC=0,0', '\r\nERROR\r\n', 'security cannot change once connected')
    md.ok('AT+USOCL=0')
    md.close()
    srv.stop()


def t_tls13(exe, tap, opts):
    srv = SServer(['-tls1_3', '-nocert', '-psk', PSK_HEX, '-psk_identity', PSK_ID])
    md = Modem(exe, tap)
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n')
    psk_profile(md, 4)
    md.ok('AT+USOSEC=0,1,0')
    md.ok('AT+USOCO=0,"127.0.0.1",%d' % srv.port, 'TLS 1.3 PSK: OK after the handshake')
    roundtrip(md, srv, ALL_BYTES, 'TLS 1.3 bytes 0x00-0xFF')
    md.ok('AT+USOCL=0')
    md.close()
    srv.stop()


def t_dtls(exe, tap, opts):
    srv = SServer(['-dtls1_2', '-nocert', '-psk', PSK_HEX, '-psk_identity', PSK_ID,
                   '-cipher', 'PSK-AES128-GCM-SHA256'], udp=True)
    md = Modem(exe, tap)
    md.cmd('AT+USOCR=17', '\r\n+USOCR: 0\r\n\r\nOK\r\n', 'UDP socket')
    psk_profile(md, 3, ['AT+USECPRF=0,2,100,"00","A8",0'])
    md.ok('AT+USOSEC=0,1,0', 'DTLS on the UDP socket')
    md.ok('AT+USOCO=0,"127.0.0.1",%d' % srv.port, 'DTLS 1.2 PSK: OK after the handshake')
    roundtrip(md, srv, b'datagram over DTLS', 'DTLS')
    recv = md.query('AT+USOCTL=0,3', r'\+USOCTL: 0,3,(\d+)')
    tap.point(recv is not None and int(recv.group(1)) > 18, 'DTLS wire bytes counted')
    md.ok('AT+USOCL=0')
    md.close()
    srv.stop()


def t_wrong_psk(exe, tap, opts):
    srv = SServer(['-tls1_2', '-nocert', '-psk', 'FFEEDDCCBBAA99887766554433221100',
                   '-psk_identity', PSK_ID])
    md = Modem(exe, tap)
    md.ok('AT+CMEE=1')
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n')
    psk_profile(md, 3, ['AT+USECPRF=0,2,100,"00","A8",0'])
    md.ok('AT+USOSEC=0,1,0')
    md.cmd('AT+USOCO=0,"127.0.0.1",%d' % srv.port, '\r\n+CME ERROR: 3\r\n',
           'wrong PSK: +USOCO fails with a CME error')
    md.cmd('AT+USOER', '\r\n+USOER: 13\r\n\r\nOK\r\n', '+USOER: 13 (EACCES)')
    md.ok('AT+CMEE=2')
    md.cmd('AT+USOWR=0,1,"x"', '\r\n+CME ERROR: operation not allowed\r\n',
           'no write on the failed socket (verbose CME)')
    rc, log = md.close()
    tap.point('PSK mismatch: bad record MAC' in log, 'the log says why: PSK mismatch',
              '\n'.join(line for line in log.splitlines() if 'usock' in line or 'sock' in line))
    tap.point(PSK_HEX not in log and 'FFEEDDCC' not in log, 'no PSK in the log')
    srv.stop()


def t_rot_psk(exe, tap, opts):
    """Op 11: a fresh RoT pair per handshake; the server resolves the identity it receives."""
    server = subprocess.Popen([opts['rot_server']], stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline().split()[1])
    md = Modem(exe, tap)
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n')
    md.ok('AT+USECPRF=0')
    md.ok('AT+USECPRF=0,11,1', 'op 11 on')
    md.ok('AT+USOSEC=0,1,0')
    md.ok('AT+USOCO=0,"127.0.0.1",%d' % port, 'op 11: handshake with a RoT-generated PSK')
    ident = server.stdout.readline().split()
    tap.point(len(ident) == 2 and len(ident[1]) == 28 and ident[1].startswith('1101'),
              'the server received a RoT identity (28 hex chars, 1101 prefix)', repr(ident))
    tap.point(server.stdout.readline().strip() == 'CONNECTED', 'server derived the same PSK')
    md.cmd('AT+USOWR=0,4,"ping"', '\r\n+USOWR: 0,4\r\n\r\nOK\r\n')
    md.line(r'\+UUSORD: 0,4', 'echo announced')
    md.cmd('AT+USORD=0,4', '\r\n+USORD: 0,4,"ping"\r\n\r\nOK\r\n', 'echo through the RoT session')
    md.ok('AT+USOCL=0')
    md.close()
    tap.point(server.wait(10) == 0, 'server saw a clean session')


def t_pcap(exe, tap, opts):
    if shutil.which('tshark') is None:
        tap.point(True, '# SKIP tshark not installed')
        return
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, 'socks.pcap')
    srv = SServer(['-tls1_2', '-nocert', '-psk', PSK_HEX, '-psk_identity', PSK_ID])
    md = Modem(exe, tap, ['--pcap', path])
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n')
    psk_profile(md, 3, ['AT+USECPRF=0,2,100,"00","A8",0'])
    md.ok('AT+USOSEC=0,1,0')
    md.ok('AT+USOCO=0,"127.0.0.1",%d' % srv.port)
    md.cmd('AT+USOWR=0,5,"hello"', '\r\n+USOWR: 0,5\r\n\r\nOK\r\n')
    srv.read(5)
    md.ok('AT+USOCL=0')
    md.close()
    srv.stop()
    out = subprocess.run(['tshark', '-r', path, '-d', 'tcp.port==%d,tls' % srv.port, '-T',
                          'fields', '-e', 'tls.handshake.identity'],
                         capture_output=True, text=True, timeout=60)
    ids = {line.strip() for line in out.stdout.splitlines() if line.strip()}
    want = PSK_ID.encode().hex()
    tap.point(out.returncode == 0 and any(want in i.replace(':', '') or PSK_ID in i
                                          for i in ids),
              '--pcap: tshark shows the PSK identity in the ClientKeyExchange',
              out.stderr + repr(ids))
    shutil.rmtree(tmp)


if __name__ == '__main__':
    sys.exit(run([t_ubxlib_sequence, t_tls12_payloads, t_tls13, t_dtls, t_wrong_psk, t_rot_psk,
                  t_pcap], sys.argv))
