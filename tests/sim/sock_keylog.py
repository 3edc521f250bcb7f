#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""--keylog FILE: every (D)TLS session's secrets in NSS key log format, so tshark decrypts the
--pcap capture. TLS 1.2 PSK, TLS 1.3 PSK and DTLS 1.2 PSK sessions each send a plaintext the
test then finds in tshark's decrypted output (and not without the key log). The file is 0600
and is never opened through a symlink.

Usage: sock_keylog.py UKMS_SIM   (TAP on stdout)
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile

from sock_lib import PSK_HEX, PSK_ID, Modem, SServer, run

SESSIONS = [  # (s_server args, udp, tls_min of profile op 1, plaintext)
    (['-tls1_2', '-cipher', 'PSK-AES128-GCM-SHA256'], False, 3, b'keylog-tls12-plaintext'),
    (['-tls1_3'], False, 4, b'keylog-tls13-plaintext'),
    (['-dtls1_2', '-cipher', 'PSK-AES128-GCM-SHA256'], True, 3, b'keylog-dtls12-plaintext'),
]


def session(md, args, udp, tls_min, text):
    srv = SServer(args + ['-nocert', '-psk', PSK_HEX, '-psk_identity', PSK_ID], udp=udp)
    md.cmd('AT+USOCR=%d' % (17 if udp else 6), '\r\n+USOCR: 0\r\n\r\nOK\r\n')
    md.ok('AT+USECPRF=0')
    md.ok('AT+USECPRF=0,1,%d' % tls_min)
    md.ok('AT+USECPRF=0,8,"%s",1' % PSK_HEX)
    md.ok('AT+USECPRF=0,9,"%s"' % PSK_ID)
    md.ok('AT+USOSEC=0,1,0')
    md.ok('AT+USOCO=0,"127.0.0.1",%d' % srv.port, 'handshake on port %d' % srv.port)
    md.cmd('AT+USOWR=0,%d,"%s"' % (len(text), text.decode()),
           '\r\n+USOWR: 0,%d\r\n\r\nOK\r\n' % len(text))
    got = srv.read(len(text))
    md.tap.point(got == text, 'server received %r' % text)
    md.ok('AT+USOCL=0')
    srv.stop()
    return srv.port, udp


def decrypted(pcap, ports, keylog):
    args = ['tshark', '-r', pcap]
    for port, udp in ports:
        args += ['-d', '%s.port==%d,%s' % ('udp' if udp else 'tcp', port,
                                          'dtls' if udp else 'tls')]
    if keylog:
        args += ['-o', 'tls.keylog_file:' + keylog]
    args += ['-x']  # hex and the decrypted-record tabs
    out = subprocess.run(args, capture_output=True, text=True, timeout=60)
    return out.returncode, out.stdout


def ascii_of_dump(dump):
    """The ASCII columns of tshark -x (so a plaintext split over lines is found whole)."""
    text = ''
    for line in dump.splitlines():
        if len(line) > 56 and line[:4].strip() and all(c in '0123456789abcdef' for c in line[:4]):
            text += line[56:].rstrip('\n')
    return text


def t_keylog(exe, tap, opts):
    if shutil.which('tshark') is None:
        tap.point(True, '# SKIP tshark not installed')
        return
    tmp = tempfile.mkdtemp(prefix='ukms-keylog-')
    try:
        pcap, keylog = os.path.join(tmp, 's.pcap'), os.path.join(tmp, 'keys.log')
        md = Modem(exe, tap, ['--pcap', pcap, '--keylog', keylog])
        ports = [session(md, *s) for s in SESSIONS]
        md.close()
        mode = stat.S_IMODE(os.stat(keylog).st_mode)
        tap.point(mode == 0o600, '--keylog file is 0600', oct(mode))
        with open(keylog) as f:
            lines = f.read().splitlines()
        labels = {ln.split()[0] for ln in lines if ln}
        tap.point('CLIENT_RANDOM' in labels, 'TLS 1.2 / DTLS 1.2: CLIENT_RANDOM lines', labels)
        tap.point('CLIENT_TRAFFIC_SECRET_0' in labels and 'SERVER_TRAFFIC_SECRET_0' in labels,
                  'TLS 1.3: traffic secrets', labels)
        tap.point(all(len(ln.split()) == 3 for ln in lines), 'NSS format: label random secret')
        rc, plain = decrypted(pcap, ports, keylog)
        seen = ascii_of_dump(plain)
        for _, _, _, text in SESSIONS:
            tap.point(rc == 0 and text.decode() in seen,
                      'tshark decrypts %s with the key log' % text.decode())
        rc, enc = decrypted(pcap, ports, None)
        tap.point(rc == 0 and not any(t.decode() in ascii_of_dump(enc)
                                      for _, _, _, t in SESSIONS),
                  'without the key log the plaintexts are not in the capture')
        link = os.path.join(tmp, 'link.log')
        os.symlink(os.path.join(tmp, 'target'), link)
        p = subprocess.run([exe, '--headless', '--ephemeral', '--keylog', link],
                           capture_output=True, timeout=30)
        tap.point(p.returncode != 0 and not os.path.exists(os.path.join(tmp, 'target')),
                  '--keylog through a symlink is refused', p.stderr.decode()[-300:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(run([t_keylog], sys.argv))
