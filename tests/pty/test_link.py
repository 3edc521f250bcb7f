#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ukms-sim --link PATH (issue 3, item 1), TAP.

The link points at the device printed on stdout, a client can open the modem through it,
SIGTERM and SIGINT end the process with status 0 and remove the link, a stale link is
replaced, an existing regular file is never replaced, and a link that no longer points at
this modem (someone re-pointed it) is left alone on exit.

Usage: test_link.py SIM_EXE
"""
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import time
import tty

DEADLINE_S = 5.0


class Tap:
    def __init__(self):
        self.n = self.failed = 0

    def point(self, ok, what, diag=''):
        self.n += 1
        self.failed += 0 if ok else 1
        print('%s %d - %s' % ('ok' if ok else 'not ok', self.n, what))
        if diag and not ok:
            print('# ' + str(diag).replace('\n', '\n# '))
        sys.stdout.flush()

    def done(self):
        print('1..%d' % self.n)
        return 1 if self.failed else 0


def start(exe, link):
    """Starts ukms-sim; returns (proc, stdout lines up to the link line or exit)."""
    proc = subprocess.Popen([exe, '--headless', '--ephemeral', '--link', link],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    buf = b''
    until = time.monotonic() + DEADLINE_S
    fd = proc.stdout.fileno()
    while b'ukms-sim: link ' not in buf and time.monotonic() < until:
        r, _, _ = select.select([fd], [], [], 0.1)
        if not r:
            continue
        chunk = os.read(fd, 4096)
        if chunk == b'':
            break
        buf += chunk
    while b'ukms-sim: link ' in buf and not buf.endswith(b'\n') and time.monotonic() < until:
        buf += os.read(fd, 4096)
    lines = buf.decode(errors='replace').splitlines()
    return proc, lines


def stop(proc, sig=signal.SIGTERM):
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(DEADLINE_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return 'timeout'


def at_ok(path):
    """Opens path, sends AT, returns the bytes received until OK (or the deadline)."""
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    try:
        tty.setraw(fd, termios.TCSANOW)
        os.write(fd, b'AT\r')
        got = b''
        until = time.monotonic() + DEADLINE_S
        while not got.endswith(b'OK\r\n') and time.monotonic() < until:
            r, _, _ = select.select([fd], [], [], until - time.monotonic())
            if r:
                got += os.read(fd, 4096)
        return got
    finally:
        os.close(fd)


def device_of(lines):
    for line in lines:
        if line.startswith('ukms-sim: device '):
            return line.split()[-1]
    return None


def test_link_lifecycle(exe, tmp, tap, sig, name):
    link = os.path.join(tmp, 'modem-' + name)
    proc, lines = start(exe, link)
    dev = device_of(lines)
    tap.point(dev is not None and dev.startswith('/dev/'), '%s: device printed' % name, lines)
    tap.point(('ukms-sim: link ' + link) in lines, '%s: link printed' % name, lines)
    target = os.readlink(link) if os.path.islink(link) else None
    tap.point(target == dev, '%s: link points at the device' % name, '%r vs %r' % (target, dev))
    got = at_ok(link) if target else b''
    tap.point(got == b'AT\r\r\nOK\r\n', '%s: AT through the link' % name, repr(got))
    got = at_ok(link) if target else b''
    tap.point(got == b'AT\r\r\nOK\r\n', '%s: again after re-open' % name, repr(got))
    rc = stop(proc, sig)
    tap.point(rc == 0, '%s: exit status 0' % name, 'exit %s' % rc)
    tap.point(not os.path.lexists(link), '%s: link removed on exit' % name)


def test_stale_link(exe, tmp, tap):
    link = os.path.join(tmp, 'stale')
    os.symlink('/nonexistent/ukms-old-pts', link)
    proc, lines = start(exe, link)
    dev = device_of(lines)
    target = os.readlink(link) if os.path.islink(link) else None
    tap.point(dev is not None and target == dev, 'stale link replaced', '%r %r' % (target, lines))
    rc = stop(proc)
    tap.point(rc == 0 and not os.path.lexists(link), 'stale: exit 0, link removed',
              'exit %s' % rc)


def test_regular_file_kept(exe, tmp, tap):
    path = os.path.join(tmp, 'file')
    with open(path, 'w') as f:
        f.write('precious\n')
    proc, lines = start(exe, path)
    rc = stop(proc)
    with open(path) as f:
        content = f.read() if not os.path.islink(path) else None
    tap.point(content == 'precious\n', 'an existing regular file is never replaced')
    tap.point(rc not in (0, 'timeout'), 'refusing the link path is a start-up error',
              'exit %s, stdout %r' % (rc, lines))


def test_repointed_link_kept(exe, tmp, tap):
    link = os.path.join(tmp, 'repointed')
    proc, lines = start(exe, link)
    other = os.path.join(tmp, 'other-target')
    tmp_link = link + '.new'
    os.symlink(other, tmp_link)
    os.rename(tmp_link, link)
    rc = stop(proc)
    target = os.readlink(link) if os.path.islink(link) else None
    tap.point(rc == 0 and target == other,
              'a link re-pointed by someone else is left alone on exit',
              'exit %s, link -> %r' % (rc, target))


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    tmp = tempfile.mkdtemp(prefix='ukms-link-')
    os.environ['XDG_STATE_HOME'] = tmp
    tap = Tap()
    try:
        test_link_lifecycle(argv[1], tmp, tap, signal.SIGTERM, 'SIGTERM')
        test_link_lifecycle(argv[1], tmp, tap, signal.SIGINT, 'SIGINT')
        test_stale_link(argv[1], tmp, tap)
        test_regular_file_kept(argv[1], tmp, tap)
        test_repointed_link_kept(argv[1], tmp, tap)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
