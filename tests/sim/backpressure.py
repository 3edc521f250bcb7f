#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""No answer is ever dropped (issue 13 item 8, docs/at-engine.md "Backpressure").

A host that writes commands faster than it reads answers: it writes pipelined commands for as
long as the pty takes them (non-blocking) and reads answers only when a write would block.
Without backpressure ukms-sim read everything, its 256 KiB output queue filled and it dropped
answers ("output queue full ... dropping output"). With it, ukms-sim stops reading the pty
while its queue is above the high-water mark, the host's writes block, and every answer
arrives. Two bursts: 100,000 x AT (6-byte answers) and 10,000 x AT+USECPSK=16 (long answers).
Checks every answer, in order, and that the log has no "dropping".

Usage: backpressure.py UKMS_SIM        (TAP on stdout)
"""
import errno
import fcntl
import os
import re
import select
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chat  # noqa: E402

DEADLINE_S = 20


def burst(sim, line, count):
    """Writes count x line pipelined, reading only when the pty does not take more."""
    data = (line + '\r').encode() * count
    fd = sim.fd
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)
    rx = bytearray()
    sent = 0
    blocked = 0
    until = time.monotonic() + DEADLINE_S
    try:
        while sent < len(data) and time.monotonic() < until:
            try:
                sent += os.write(fd, data[sent:sent + 65536])
                continue
            except OSError as e:
                if e.errno != errno.EAGAIN:
                    raise
            blocked += 1
            select.select([fd], [fd], [], 1.0)
            rx += drain(fd)
    finally:
        fcntl.fcntl(fd, fcntl.F_SETFL, flags)
    return sent == len(data), rx, blocked


def drain(fd):
    out = bytearray()
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError as e:
            if e.errno == errno.EAGAIN:
                return out
            raise
        if not chunk:
            return out
        out += chunk


def read_until(sim, rx, done):
    until = time.monotonic() + DEADLINE_S
    while not done(rx):
        r, _, _ = select.select([sim.fd], [], [], max(0.0, until - time.monotonic()))
        if not r:
            break
        rx += os.read(sim.fd, 65536)
    return rx


def start(exe, tmp, name):
    log = os.path.join(tmp, name + '.log')
    sim = chat.Sim(exe, ['--ephemeral', '--log-file', log])
    sim.send(b'ATE0\r')
    sim.expect_line('OK', 3000)
    return sim, log


def log_has_drop(log):
    with open(log, encoding='utf-8', errors='replace') as f:
        return 'dropping' in f.read()


def test_at(tap, exe, tmp, n=100000):
    sim, log = start(exe, tmp, 'at')
    try:
        t0 = time.monotonic()
        written, rx, blocked = burst(sim, 'AT', n)
        want = b'\r\nOK\r\n' * n
        rx = read_until(sim, rx, lambda b: len(b) >= len(want))
        tap.point(written, '%d x AT written' % n)
        tap.point(bytes(rx) == want, 'every one of %d answers received, in order' % n,
                  'got %d of %d bytes, %d OK' % (len(rx), len(want), rx.count(b'OK')))
        tap.point(blocked > 0, 'the host was held back (its writes blocked %d times)' % blocked)
        tap.point(time.monotonic() - t0 < DEADLINE_S, 'done in %.1f s' % (time.monotonic() - t0))
    finally:
        sim.close()
    tap.point(not log_has_drop(log), 'no "dropping" in the log')


def test_usecpsk(tap, exe, tmp, n=10000):
    sim, log = start(exe, tmp, 'psk')
    try:
        answer = re.compile(rb'\r\n\+USECPSK: "[0-9A-F]+","[0-9A-F]{32}"\r\n\r\nOK\r\n')
        written, rx, blocked = burst(sim, 'AT+USECPSK=16', n)
        rx = read_until(sim, rx, lambda b: b.count(b'OK\r\n') >= n)
        got = len(answer.findall(bytes(rx)))
        whole = answer.sub(b'', bytes(rx)) == b''
        tap.point(written, '%d x AT+USECPSK=16 written' % n)
        tap.point(got == n and whole, 'every one of %d +USECPSK answers received whole' % n,
                  'got %d; left %r' % (got, answer.sub(b'', bytes(rx))[:120]))
        tap.point(blocked > 0, 'the host was held back (its writes blocked %d times)' % blocked)
    finally:
        sim.close()
    tap.point(not log_has_drop(log), 'no "dropping" in the log')


def main(argv):
    tap = chat.Tap()
    tmp = tempfile.mkdtemp(prefix='ukms-bp-')
    try:
        test_at(tap, argv[1], tmp)
        test_usecpsk(tap, argv[1], tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
