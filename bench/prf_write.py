#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""AT+USECPRF round trip with a full credential store, through ukms-sim's pty (issue 13 item 3).

Fills the credential store with 16 CA bundles of 16 KB (from /etc/ssl/certs/ca-certificates.crt;
nvm.dat then holds about 526 KB), then times WRITES x AT+USECPRF=0,4,"<host>" (a profile write: OK
comes after the NVM is on disk) and, for reference, the same number of AT+USECPRF=0,4 reads.
With --baseline OLD_UKMS_SIM the same is done, in the same run and alternating in blocks of 20,
with an older ukms-sim (e.g. one built from the commit before the journal) on its own state dir.

Usage: prf_write.py UKMS_SIM [--baseline OLD_UKMS_SIM] [--writes N] [--dir DIR]
"""
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'sim'))
import chat  # noqa: E402

BLOCK = 20
ITEMS = 16  # 16 x 16 KB of PEM: nvm.dat of about 526 KB, the full store the issue measured


def command(sim, line, data=None):
    return chat.raw_command(sim, line, data, deadline_s=10, must=True)


def bundle():
    text = open('/etc/ssl/certs/ca-certificates.crt', 'rb').read()
    chunk = b''
    for part in text.split(b'-----BEGIN CERTIFICATE-----')[1:]:
        cert = b'-----BEGIN CERTIFICATE-----' + part
        if len(chunk) + len(cert) > 16384:
            break
        chunk += cert
    return chunk


def nvm_size(state):
    return os.path.getsize(os.path.join(state, 'nvm.dat'))


class Run:
    def __init__(self, name, exe, base):
        self.name = name
        self.state = tempfile.mkdtemp(prefix='prf-', dir=base)
        self.sim = chat.Sim(exe, ['--state-dir', self.state, '--log-file',
                                  os.path.join(self.state, 'log')])
        self.writes, self.reads = [], []
        command(self.sim, 'ATE0')
        data = bundle()
        self.imports = []
        for i in range(ITEMS):
            t0 = time.perf_counter()
            out = command(self.sim, 'AT+USECMNG=0,0,"ca%d",%d' % (i, len(data)), data)
            self.imports.append((time.perf_counter() - t0) * 1e3)
            if not out.endswith(b'OK\r\n'):
                raise RuntimeError('%s: import %d: %r' % (name, i, out[-60:]))
        self.items = ITEMS
        self.n = 0

    def block(self):
        for _ in range(BLOCK):
            self.n += 1
            t0 = time.perf_counter()
            out = command(self.sim, 'AT+USECPRF=0,4,"host%d.example"' % self.n)
            self.writes.append((time.perf_counter() - t0) * 1e3)
            if out != b'\r\nOK\r\n':
                raise RuntimeError('%s: %r' % (self.name, out))
            t0 = time.perf_counter()
            command(self.sim, 'AT+USECPRF=0,4')
            self.reads.append((time.perf_counter() - t0) * 1e3)

    def close(self):
        self.sim.close()
        shutil.rmtree(self.state, ignore_errors=True)


def stats(v):
    v = sorted(v)
    return v[len(v) // 2], v[len(v) * 9 // 10]


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    writes = int(argv[argv.index('--writes') + 1]) if '--writes' in argv else 200
    base = argv[argv.index('--dir') + 1] if '--dir' in argv else '.'
    exes = [('this ukms-sim', argv[1])]
    if '--baseline' in argv:
        exes.insert(0, ('baseline', argv[argv.index('--baseline') + 1]))
    runs = []
    try:
        for name, exe in exes:
            runs.append(Run(name, exe, base))
        for _ in range(max(1, writes // BLOCK)):
            for r in runs:
                r.block()
        print('prf_write: %d x AT+USECPRF=0,4,"host<n>" each, credential store of %d x 16 KB '
              '(nvm.dat %s), state in %s' % (len(runs[0].writes), runs[0].items,
                                               ' / '.join('%d KB' % (nvm_size(r.state) // 1024)
                                                          for r in runs), os.path.abspath(base)))
        print('  %-36s %10s %10s %12s %12s' % ('', 'median ms', 'p90 ms', 'read median',
                                                'last import'))
        for r in runs:
            w, r90 = stats(r.writes)
            print('  %-36s %10.3f %10.3f %12.3f %12.3f' % (r.name + ' profile write', w, r90,
                                                           stats(r.reads)[0], r.imports[-1]))
    finally:
        for r in runs:
            r.close()
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
