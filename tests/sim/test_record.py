#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""--record FILE: a host session on the pty becomes a chat.py script that replays green with
the existing runner, and red when the module answers differently.

Usage: test_record.py UKMS_SIM   (TAP on stdout)
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chat  # noqa: E402

CHAT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'chat.py')

# A host session with echo on, then off: a registration URC, identity, an error under CMEE 2,
# a '>' data prompt with a binary byte and regex-special characters, a chained line,
# deregistration and registration URCs. Each row: bytes sent, regex of the line to wait for.
SESSION = [
    (b'AT+CEREG=1\r', rb'\+CEREG: 1'),  # registers 1.5 s after start (--reg-delay-ms)
    (b'AT\r', b'OK'),
    (b'ATI\r', b'OK'),
    (b'AT+CGSN\r', b'OK'),
    (b'AT+CMEE=2\r', b'OK'),
    (b'AT+USOCL=9\r', rb'\+CME ERROR: .*'),
    (b'AT+UDWNFILE="rec.txt",6\r', b'>'),
    (b'a(b)*\x01', b'OK'),
    (b'AT+ULSTFILE=0\r', b'OK'),
    (b'ATE0\r', b'OK'),
    (b'AT+CEREG?;+CGMI\r', b'OK'),
    (b'AT+COPS=2\r', b'OK'),
    (b'AT+COPS=0\r', rb'\+CEREG: 1'),
]


def record(exe, path, tap):
    sim = chat.Sim(exe, ['--ephemeral', '--record', path, '--reg-delay-ms', '1500'])
    ok = True
    for send, until in SESSION:
        sim.send(send)
        if until == b'>':
            deadline = time.monotonic() + 5
            while b'>' not in sim.rx and sim._fill(deadline):
                pass
            good = b'>' in sim.rx
            sim.rx = b''
        else:
            good, diag = sim.expect_line(until.decode(), 5000)
        if not good:
            print('# %r: %s' % (send, diag))
        ok = ok and good
    rc = sim.close()
    tap.point(ok and rc == 0, 'host session recorded (ukms-sim exits 0)')


def replay(exe, script):
    p = subprocess.run([sys.executable, CHAT, exe, script], capture_output=True, text=True,
                       timeout=120)
    points = [ln for ln in p.stdout.splitlines() if ln.startswith(('ok ', 'not ok '))]
    return p.returncode, points, p.stdout


def main(argv):
    exe = argv[1]
    tap = chat.Tap()
    tmp = tempfile.mkdtemp(prefix='ukms-record-')
    os.environ['XDG_STATE_HOME'] = tmp
    try:
        path = os.path.join(tmp, 'session.chat')
        record(exe, path, tap)
        tap.point(stat.S_IMODE(os.stat(path).st_mode) == 0o600, 'the recording is 0600')
        with open(path) as f:
            text = f.read()
        steps = [ln for ln in text.splitlines() if ln[:2] in ('> ', '~ ', '< ')]
        tap.point('%args --model SARA-R510M8S --device ' in text and
                  '--reg-delay-ms 1500' in text, '%args names model, device, timing')
        tap.point('> AT+CGSN\\r' in steps and '< >' in steps and '> a(b)*\\x01' in steps,
                  'host writes and the prompt are steps', '\n'.join(steps))
        tap.point('~ \\+CEREG: 1,1' in steps and '~ a\\(b\\)\\*\\x01' not in steps,
                  'module lines are exact regexes', '\n'.join(steps))
        rc, points, out = replay(exe, path)
        tap.point(rc == 0 and len(points) >= len(SESSION) + 5,
                  'the recording replays green with chat.py (%d points)' % len(points), out)
        bad = os.path.join(tmp, 'changed.chat')
        with open(bad, 'w') as f:
            f.write(text.replace('~ \\+CME ERROR: ', '~ \\+CME ERROR: nope').replace(
                'deadline 10000', 'deadline 2000'))  # the failing step waits that long
        rc, points, out = replay(exe, bad)
        tap.point(rc != 0 and any(p.startswith('not ok') for p in points),
                  'a changed answer makes the replay fail')
        link = os.path.join(tmp, 'link.chat')
        os.symlink(os.path.join(tmp, 'target'), link)
        p = subprocess.run([exe, '--headless', '--ephemeral', '--record', link],
                           capture_output=True, timeout=30)
        tap.point(p.returncode == 2 and not os.path.exists(os.path.join(tmp, 'target')),
                  '--record through a symlink is refused')
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
