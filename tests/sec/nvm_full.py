#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""OK means persisted (issue 13 item 3): when the module state cannot be written, +USECPRF,
+USECMNG and +UDWNFILE answer "+CME ERROR: memory full" (no MD5 line), the change is undone in
memory, and a restart shows the state from before; once writes work again, so do the commands.

The full disk is made with RLIMIT_FSIZE on the running ukms-sim (prlimit; no root, no mount):
every write that would grow a file fails with EFBIG after a short write, which is what a full
disk does too (ENOSPC, mapped to the same +CME code; ukms-sim ignores SIGXFSZ).

Then kill -9: ten times, ukms-sim is killed right after the bytes of an import (and a profile
write) were sent, before their answer; on every restart the state loads, everything answered
OK before is there, and the write in flight is either wholly there or not at all.

Usage: nvm_full.py UKMS_SIM        (TAP on stdout)
"""
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'sim'))
import chat  # noqa: E402  (the pty runner: Sim, Tap)

FULL = b'\r\n+CME ERROR: memory full\r\n'


def command(sim, line, data=None):
    return chat.raw_command(sim, line, data, deadline_s=5.0)


def start(exe, state):
    sim = chat.Sim(exe, ['--state-dir', state])
    command(sim, 'ATE0')
    command(sim, 'AT+CMEE=2')
    return sim


def make_cert(tmp, name):
    key, crt = os.path.join(tmp, name + '.key'), os.path.join(tmp, name + '.pem')
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                    'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', crt,
                    '-days', '30', '-subj', '/CN=' + name], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(crt, 'rb') as f:
        return f.read()


def disk_full(sim, full):
    limit = 1 if full else resource.RLIM_INFINITY
    resource.prlimit(sim.proc.pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))


def import_ca(sim, name, pem):
    return command(sim, 'AT+USECMNG=0,0,"%s",%d' % (name, len(pem)), pem)


def check_state(tap, sim, when, host, cas, files):
    got = command(sim, 'AT+USECPRF=0,4')
    tap.point(got == b'\r\n+USECPRF: 0,4,"%s"\r\n\r\nOK\r\n' % host.encode(),
              '%s: profile 0 hostname is %s' % (when, host), repr(got))
    got = command(sim, 'AT+USECMNG=3')
    listed = sorted(n for n in (b'ca1', b'ca2') if b'"%s"' % n in got)
    tap.point(listed == sorted(c.encode() for c in cas),
              '%s: credentials are %s' % (when, cas), repr(got))
    got = command(sim, 'AT+ULSTFILE=0')
    listed = sorted(n for n in (b'f1', b'f2') if b'"%s"' % n in got)
    tap.point(listed == sorted(f.encode() for f in files),
              '%s: files are %s' % (when, files), repr(got))


def refused_writes(tap, sim, ca2):
    got = command(sim, 'AT+USECPRF=0,4,"new.example"')
    tap.point(got == FULL, 'full: +USECPRF answers memory full', repr(got))
    got = import_ca(sim, 'ca2', ca2)
    tap.point(got == b'\r\n>' + FULL, 'full: +USECMNG import answers memory full, no MD5',
              repr(got))
    got = command(sim, 'AT+USECMNG=2,0,"ca1"')
    tap.point(got == FULL, 'full: +USECMNG remove answers memory full', repr(got))
    got = command(sim, 'AT+UDWNFILE="f2",5', b'world')
    tap.point(got == b'\r\n>' + FULL, 'full: +UDWNFILE answers memory full', repr(got))
    got = command(sim, 'AT+UDELFILE="f1"')
    tap.point(got == FULL, 'full: +UDELFILE answers memory full', repr(got))


def kill_rounds(tap, exe, tmp, pem, rounds=10):
    state = tempfile.mkdtemp(prefix='ukms-kill9-', dir=tmp)
    acked, bad = [], []
    for r in range(rounds):
        sim = start(exe, state)
        got = command(sim, 'AT+USECMNG=3')
        listed = [n for n in acked if ('"k%d"' % n).encode() in got]
        host = command(sim, 'AT+USECPRF=0,4')
        if listed != acked or b'OK' not in got or b'OK' not in host:
            bad.append('round %d: acked %s, listed %s; %r' % (r, acked, listed, host))
        out = import_ca(sim, 'k%d' % r, pem)
        if b'+USECMNG: 0,0,"k%d"' % r in out:
            acked.append(r)
        # in flight: a profile write and the next import, killed before any answer is read
        sim.send(b'AT+USECPRF=0,4,"r%d.example"\rAT+USECMNG=0,0,"x%d",%d\r' % (r, r, len(pem)))
        sim.send(pem)
        os.kill(sim.proc.pid, signal.SIGKILL)
        sim.proc.wait(10)
        os.close(sim.fd)
        sim.fd = None
    sim = start(exe, state)
    got = command(sim, 'AT+USECMNG=3')
    sim.close()
    tap.point(not bad and all(('"k%d"' % n).encode() in got for n in acked)
              and len(acked) == rounds,
              'kill -9 x%d: every write answered OK survives, the state always loads' % rounds,
              '\n'.join(bad) or repr(got))


def main(argv):
    exe = argv[1]
    tap = chat.Tap()
    state = tempfile.mkdtemp(prefix='ukms-full-')
    sim = None
    try:
        ca1, ca2 = make_cert(state, 'ca1'), make_cert(state, 'ca2')
        sim = start(exe, state)
        ok = (command(sim, 'AT+USECPRF=0,4,"old.example"') == b'\r\nOK\r\n'
              and b'+USECMNG: 0,0,"ca1"' in import_ca(sim, 'ca1', ca1)
              and command(sim, 'AT+UDWNFILE="f1",5', b'hello').endswith(b'\r\nOK\r\n'))
        tap.point(ok, 'writes with room on the disk answer OK')
        disk_full(sim, True)
        refused_writes(tap, sim, ca2)
        check_state(tap, sim, 'full, same run', 'old.example', ['ca1'], ['f1'])
        disk_full(sim, False)
        sim.close()
        sim = start(exe, state)
        check_state(tap, sim, 'after a restart', 'old.example', ['ca1'], ['f1'])
        ok = (command(sim, 'AT+USECPRF=0,4,"new.example"') == b'\r\nOK\r\n'
              and b'+USECMNG: 0,0,"ca2"' in import_ca(sim, 'ca2', ca2)
              and command(sim, 'AT+UDWNFILE="f2",5', b'world').endswith(b'\r\nOK\r\n'))
        tap.point(ok, 'with room again, the same writes answer OK')
        sim.close()
        sim = start(exe, state)
        check_state(tap, sim, 'restart after room again', 'new.example', ['ca1', 'ca2'],
                    ['f1', 'f2'])
        sim.close()
        sim = None
        kill_rounds(tap, exe, state, ca1)
    finally:
        if sim is not None:
            sim.close()
        shutil.rmtree(state, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
