#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Socket benchmarks through ukms-sim's pty (issue 5 item 6).

throughput: the same TCP echo transfer (N bytes in 1024-byte chunks) once through the pty
            (AT+USOWR '@' / AT+USORD) and once over a direct host socket, in the same run;
            prints both rates and the ratio.
overhead:   bytes on the wire for one handshake + a 16-byte echo, read through AT+USOCTL 2/3,
            for TLS 1.2 PSK (PSK-AES128-CCM8, PSK-AES128-GCM-SHA256), TLS 1.3 PSK, and TLS 1.2
            with ECDSA P-256 and RSA-2048 certificates and mutual authentication; prints the
            table and each variant's ratio to the smallest PSK figure.

Usage: sock_bench.py UKMS_SIM [throughput|overhead|all] [--bytes N]
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests',
                                'sim'))
import chat  # noqa: E402
from sock_lib import PSK_HEX, PSK_ID, Modem, SServer, TcpPeer, echo  # noqa: E402

CHUNK = 1024
HEAD = re.compile(rb'\r\n\+USORD: 0,(\d+),"')
URC = re.compile(rb'\r\n\+UU[A-Z]+: [^\r]*\r\n')


class Quiet(chat.Tap):
    """Collects failures instead of printing a TAP line per exchange."""

    def __init__(self):
        super().__init__()
        self.diags = []

    def point(self, ok, what, diag=''):
        self.n += 1
        if not ok:
            self.failed += 1
            self.diags.append('%s %s' % (what, diag))


class BenchModem(Modem):
    """A Modem for `with`: its log goes to a file in logdir, never to a pipe nobody reads (a
    full stderr pipe stalls ukms-sim: the throughput run used to hang at chunk ~414), and it is
    stopped on the way out whatever happened."""

    def __init__(self, exe, tap, logdir):
        super().__init__(exe, tap, ['--log-file', os.path.join(logdir, 'ukms-sim.log')])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.sim.proc.poll() is None or self.sim.fd is not None:
            self.close()
        return False


def fill(sim, n):
    until = time.monotonic() + 10
    while len(sim.rx) < n:
        if not sim._fill(until):
            raise RuntimeError('timeout, have %r' % sim.rx[:80])


def usord(sim, want):
    """One AT+USORD=0,<want>; returns the bytes (possibly none), skipping URCs before it."""
    sim.send(b'AT+USORD=0,%d\r' % want)
    while True:
        fill(sim, 12)
        m = URC.match(sim.rx)
        if m:
            sim.rx = sim.rx[m.end():]
            continue
        fill(sim, 20)
        m = HEAD.match(sim.rx)
        if m is None:
            if b'\r\n' in sim.rx[2:]:
                raise RuntimeError('unexpected %r' % sim.rx[:80])
            sim._fill(time.monotonic() + 1)
            continue
        n = int(m.group(1))
        end = m.end() + n + 9  # "\r\n\r\nOK\r\n
        fill(sim, end)
        data = sim.rx[m.end():m.end() + n]
        sim.rx = sim.rx[end:]
        return data


def pty_transfer(md, total):
    sim = md.sim
    payload = bytes(i & 0xff for i in range(CHUNK))
    got = 0
    start = time.monotonic()
    for _ in range(total // CHUNK):
        sim.send(b'AT+USOWR=0,%d\r' % CHUNK)
        fill(sim, 3)
        while not sim.rx.startswith(b'\r\n@'):
            m = URC.match(sim.rx)
            if m is None:
                raise RuntimeError('no @ prompt: %r' % sim.rx[:60])
            sim.rx = sim.rx[m.end():]
            fill(sim, 3)
        sim.rx = sim.rx[3:]
        sim.send(payload)
        want = b'\r\n+USOWR: 0,%d\r\n\r\nOK\r\n' % CHUNK
        fill(sim, len(want))
        if not sim.rx.startswith(want):
            raise RuntimeError('bad +USOWR answer %r' % sim.rx[:60])
        sim.rx = sim.rx[len(want):]
        while got < (_ + 1) * CHUNK:
            got += len(usord(sim, CHUNK))
    return time.monotonic() - start


def direct_transfer(port, total):
    payload = bytes(i & 0xff for i in range(CHUNK))
    with socket.create_connection(('127.0.0.1', port)) as s:
        start = time.monotonic()
        for _ in range(total // CHUNK):
            s.sendall(payload)
            need = CHUNK
            while need:
                need -= len(s.recv(need))
        return time.monotonic() - start


def throughput(exe, total):
    tap = Quiet()
    peer = TcpPeer(echo)
    try:
        with tempfile.TemporaryDirectory() as tmp, BenchModem(exe, tap, tmp) as md:
            md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n')
            md.ok('AT+USOCO=0,"127.0.0.1",%d' % peer.port)
            t_pty = pty_transfer(md, total)
            md.ok('AT+USOCL=0')
    finally:
        peer.stop()
    peer = TcpPeer(echo)
    try:
        t_direct = direct_transfer(peer.port, total)
    finally:
        peer.stop()
    kib = total / 1024
    print('throughput, %d KiB echoed in %d-byte chunks (each way):' % (kib, CHUNK))
    print('  through the pty (+USOWR/+USORD): %8.1f KiB/s  (%.3f s)' % (kib / t_pty, t_pty))
    print('  direct host socket:              %8.1f KiB/s  (%.3f s)' % (kib / t_direct,
                                                                        t_direct))
    print('  ratio direct/pty: %.1fx' % (t_pty / t_direct))
    return tap.failed


# ---- overhead ------------------------------------------------------------------------------

def make_pki(tmp, kind):
    """CA + server and client leaves (ECDSA P-256 or RSA-2048) with the openssl CLI."""
    key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] if kind == 'ecdsa' \
        else ['-newkey', 'rsa:2048']

    def run(*args):
        subprocess.run(['openssl'] + list(args), cwd=tmp, check=True, capture_output=True)

    run('req', '-x509', *key, '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30',
        '-subj', '/CN=ukms bench CA')
    for name in ('srv', 'cli'):
        run('req', *key, '-nodes', '-keyout', name + '.key', '-out', name + '.csr', '-subj',
            '/CN=%s.example.com' % name)
        run('x509', '-req', '-in', name + '.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
            '-CAcreateserial', '-out', name + '.pem', '-days', '30')


def usecmng(md, kind, name, path):
    data = open(path, 'rb').read()
    md.cmd('AT+USECMNG=0,%d,"%s",%d' % (kind, name, len(data)), '\r\n>')
    md.send(data)
    md.line(r'\+USECMNG: 0,%d,"%s","[0-9A-Fa-f]{32}"' % (kind, name), 'import ' + name)
    md.sim.expect_line('OK', 5000)


def measure(exe, server_args, profile_lines, setup=None):
    srv = SServer(server_args)
    try:
        with tempfile.TemporaryDirectory() as tmp, BenchModem(exe, Quiet(), tmp) as md:
            if setup:
                setup(md)
            md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n')
            md.ok('AT+USECPRF=0')
            for line in profile_lines:
                md.ok(line)
            md.ok('AT+USOSEC=0,1,0')
            md.ok('AT+USOCO=0,"127.0.0.1",%d' % srv.port)
            md.cmd('AT+USOWR=0,16,"0123456789abcdef"', '\r\n+USOWR: 0,16\r\n\r\nOK\r\n')
            srv.read(16)
            srv.write(b'0123456789abcdef')
            md.line(r'\+UUSORD: 0,16', 'echo')
            md.cmd('AT+USORD=0,16', '\r\n+USORD: 0,16,"0123456789abcdef"\r\n\r\nOK\r\n')
            sent = md.query('AT+USOCTL=0,2', r'\+USOCTL: 0,2,(\d+)')
            recv = md.query('AT+USOCTL=0,3', r'\+USOCTL: 0,3,(\d+)')
            md.ok('AT+USOCL=0')
    finally:
        srv.stop()
    if md.tap.failed or sent is None or recv is None:
        raise RuntimeError('; '.join(md.tap.diags) or 'no +USOCTL answer')
    return int(sent.group(1)), int(recv.group(1))


def overhead(exe):
    psk = ['-nocert', '-psk', PSK_HEX, '-psk_identity', PSK_ID]
    prof = ['AT+USECPRF=0,8,"%s",1' % PSK_HEX, 'AT+USECPRF=0,9,"%s"' % PSK_ID]
    rows = [
        ('TLS 1.2 PSK-AES128-CCM8', ['-tls1_2', '-cipher', 'PSK-AES128-CCM8'] + psk,
         ['AT+USECPRF=0,1,3', 'AT+USECPRF=0,2,100,"C0","A8",0'] + prof, None),
        ('TLS 1.2 PSK-AES128-GCM-SHA256', ['-tls1_2', '-cipher', 'PSK-AES128-GCM-SHA256'] + psk,
         ['AT+USECPRF=0,1,3', 'AT+USECPRF=0,2,100,"00","A8",0'] + prof, None),
        ('TLS 1.3 PSK (TLS_AES_128_GCM_SHA256)', ['-tls1_3'] + psk, ['AT+USECPRF=0,1,4'] + prof,
         None),
    ]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind, suite, iana in (('ecdsa', 'ECDHE-ECDSA-AES128-GCM-SHA256', '2B'),
                                  ('rsa', 'ECDHE-RSA-AES128-GCM-SHA256', '2F')):
            d = os.path.join(tmp, kind)
            os.mkdir(d)
            make_pki(d, kind)

            def setup(md, d=d):
                usecmng(md, 0, 'ca', os.path.join(d, 'ca.pem'))
                usecmng(md, 1, 'cc', os.path.join(d, 'cli.pem'))
                usecmng(md, 2, 'pk', os.path.join(d, 'cli.key'))

            rows.append((
                'TLS 1.2 %s, mutual auth (%s)' % ('ECDSA P-256' if kind == 'ecdsa'
                                                   else 'RSA-2048', suite),
                ['-tls1_2', '-cipher', suite, '-cert', os.path.join(d, 'srv.pem'), '-key',
                 os.path.join(d, 'srv.key'), '-cert_chain', os.path.join(d, 'ca.pem'),
                 '-Verify', '1', '-CAfile',
                 os.path.join(d, 'ca.pem')],
                ['AT+USECPRF=0,1,3', 'AT+USECPRF=0,2,100,"C0","%s",0' % iana,
                 'AT+USECPRF=0,0,1', 'AT+USECPRF=0,3,"ca"', 'AT+USECPRF=0,5,"cc"',
                 'AT+USECPRF=0,6,"pk"'], setup))
        for name, sargs, lines, setup in rows:
            s, r = measure(exe, sargs, lines, setup)
            results.append((name, s, r))
    base = min(s + r for _, s, r in results[:3])
    print('overhead: one handshake + 16-byte echo, wire bytes from AT+USOCTL=0,2 / 0,3:')
    print('  %-64s %6s %6s %6s %6s' % ('variant', 'sent', 'recv', 'total', 'ratio'))
    for name, s, r in results:
        print('  %-64s %6d %6d %6d %5.1fx' % (name, s, r, s + r, (s + r) / base))
    return 0


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    mode = argv[2] if len(argv) > 2 and not argv[2].startswith('--') else 'all'
    total = int(argv[argv.index('--bytes') + 1]) if '--bytes' in argv else 1024 * 1024
    failed = 0
    if mode in ('throughput', 'all'):
        failed += throughput(argv[1], total - total % CHUNK)
    if mode in ('overhead', 'all'):
        failed += overhead(argv[1])
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
