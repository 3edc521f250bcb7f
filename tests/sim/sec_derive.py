#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Security on the pty (issue 4): AT+USECPSK re-derived by `ukms-rot derive`, NVM across a
restart of ukms-sim (counter, profiles, credentials, files, seal), the default state directory,
and corrupt or newer state refused at start with nothing overwritten.

Usage: sec_derive.py UKMS_SIM UKMS_ROT        (TAP on stdout)
"""
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chat  # noqa: E402  (the pty runner: Sim, Tap)

PSK_RE = re.compile(rb'\r\n\+USECPSK: "([0-9A-F]{28})","([0-9A-F]+)"\r\n\r\nOK\r\n')


def command(sim, line, want_end=b'OK\r\n', deadline_ms=3000):
    """Sends a line, returns the whole answer up to its final result."""
    sim.send(line.encode() + b'\r')
    until = time.monotonic() + deadline_ms / 1000
    while not (sim.rx.endswith(want_end) or sim.rx.endswith(b'ERROR\r\n')
               or b'+CME ERROR' in sim.rx and sim.rx.endswith(b'\r\n')):
        if not sim._fill(until):
            break
    out, sim.rx = sim.rx, b''
    return out


def start(exe, args):
    sim = chat.Sim(exe, args)
    command(sim, 'ATE0')
    return sim


def derive(rot, identity, length):
    p = subprocess.run([rot, 'derive', identity, '--length', str(length)],
                       capture_output=True, text=True, timeout=20)
    return p.returncode, p.stdout.strip()


def test_derive(tap, exe, rot):
    sim = start(exe, ['--ephemeral'])
    for length in (16, 32, 16):
        out = command(sim, 'AT+USECPSK=%d' % length)
        m = PSK_RE.fullmatch(out)
        if not m:
            tap.point(False, 'AT+USECPSK=%d answer' % length, repr(out))
            continue
        rc, text = derive(rot, m.group(1).decode(), length)
        tap.point(rc == 0 and text == '0A04F008003C9623 ' + m.group(2).decode(),
                  'ukms-rot derive gives the PSK of AT+USECPSK=%d' % length,
                  'rc %d out %r psk %r' % (rc, text, m.group(2)))
    tap.point(sim.close() == 0, 'ukms-sim exits 0')


def counter_of(out):
    m = PSK_RE.fullmatch(out)
    return int(m.group(1)[16:24], 16) if m else -1


def first_run(tap, exe, state):
    sim = start(exe, ['--state-dir', state, '--device', '0A04F0080000000B'])
    command(sim, 'AT+CMEE=1')
    command(sim, 'AT+USECPRF=2,9,"restart-id"')
    command(sim, 'AT+USECPRF=2,2,100,"c0","2b",0')
    command(sim, 'AT+UDWNFILE="note.txt",5', want_end=b'>')
    sim.send(b'hello')  # exactly the 5 announced bytes, no CR
    ok, diag = sim.expect_exact(b'\r\nOK\r\n', 3000)
    tap.point(ok, '+UDWNFILE stores 5 bytes after the prompt', diag)
    command(sim, 'AT+USECDEVINFO="AgbCtixjwqLjwV3VWpfPyz","352753090000116"')
    sealed = b''
    for _ in range(60):
        sealed = command(sim, 'AT+USECDEVINFO?')
        if b'1,1,1' in sealed:
            break
        sim.expect_silence(100)
    tap.point(b'+USECDEVINFO: 1,1,1' in sealed, 'seal completes (polled)', repr(sealed))
    c1 = counter_of(command(sim, 'AT+USECPSK=16'))
    c2 = counter_of(command(sim, 'AT+USECPSK=16'))
    tap.point(c1 >= 1 and c2 == c1 + 1, 'counters increase by one', '%d %d' % (c1, c2))
    tap.point(sim.close() == 0, 'first run exits 0')
    return c2


def second_run(tap, exe, state, last):
    sim = start(exe, ['--state-dir', state, '--device', '0A04F0080000000B'])
    out = command(sim, 'AT+USECPRF=2,9')
    tap.point(out == b'\r\n+USECPRF: 2,9,"restart-id"\r\n\r\nOK\r\n', 'profile op 9 kept',
              repr(out))
    out = command(sim, 'AT+USECPRF=2,2')
    tap.point(out == b'\r\n+USECPRF: 2,2,100,"C02B"\r\n\r\nOK\r\n', 'cipher list kept', repr(out))
    out = command(sim, 'AT+ULSTFILE')
    tap.point(out == b'\r\n+ULSTFILE: "note.txt"\r\n\r\nOK\r\n', 'file kept', repr(out))
    out = command(sim, 'AT+USECDEVINFO?')
    tap.point(out == b'\r\n+USECDEVINFO: 1,1,1\r\n\r\nOK\r\n', 'seal kept', repr(out))
    c = counter_of(command(sim, 'AT+USECPSK=16'))
    tap.point(c > last, 'counter after restart is beyond the last one handed out',
              '%d <= %d' % (c, last))
    tap.point(sim.close() == 0, 'second run exits 0')
    mode = stat.S_IMODE(os.stat(os.path.join(state, 'nvm.dat')).st_mode)
    tap.point(mode == 0o600, 'nvm.dat is 0600', oct(mode))


def test_default_dir(tap, exe, home):
    sim = start(exe, [])
    command(sim, 'AT+USECPRF=0,10,"sni.example"')
    sim.close()
    path = os.path.join(home, 'ukms', 'sim-0A04F008003C9623', 'nvm.dat')
    tap.point(os.path.exists(path), 'default state dir is $XDG_STATE_HOME/ukms/sim-<RoT UID>',
              path)


def test_refused(tap, exe, state):
    path = os.path.join(state, 'nvm.dat')
    for name, image in (('corrupt', b'ukms-nvm 1\nprofiles 99\nshort\nend\n'),
                        ('newer', b'ukms-nvm 9\nend\n')):
        with open(path, 'wb') as f:
            f.write(image)
        p = subprocess.run([exe, '--headless', '--state-dir', state], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=20)
        with open(path, 'rb') as f:
            after = f.read()
        tap.point(p.returncode != 0 and b'nvm.dat' in p.stderr and after == image,
                  '%s state: clear error, exit %d, file untouched' % (name, p.returncode),
                  p.stderr.decode(errors='replace'))


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    exe, rot = argv[1], argv[2]
    tap = chat.Tap()
    tmp = tempfile.mkdtemp(prefix='ukms-sec-')
    os.environ['XDG_STATE_HOME'] = os.path.join(tmp, 'xdg')
    try:
        test_derive(tap, exe, rot)
        state = os.path.join(tmp, 'state')
        last = first_run(tap, exe, state)
        second_run(tap, exe, state, last)
        test_default_dir(tap, exe, os.environ['XDG_STATE_HOME'])
        test_refused(tap, exe, state)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
