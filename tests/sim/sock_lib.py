# SPDX-License-Identifier: Apache-2.0
"""Helpers for the socket dialogue tests (sock_*.py): a modem session on top of chat.Sim,
real peers (openssl s_server, python echo servers) on ephemeral ports, TAP output."""
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chat  # noqa: E402  (the modem author's runner: Sim, Tap)

PSK_HEX = '000102030405060708090A0B0C0D0E0F'
PSK_ID = 'ukms-test-client'
DEADLINE_MS = 8000


class Modem:
    """One ukms-sim with echo off (ATE0, as ubxlib starts) and exact-response helpers."""

    def __init__(self, exe, tap, args=()):
        self.tap = tap
        self.sim = chat.Sim(exe, ['--ephemeral'] + list(args))
        self.send('ATE0\r')
        self.sim.expect_line('OK', DEADLINE_MS)

    def send(self, text):
        self.sim.send(text.encode('latin-1') if isinstance(text, str) else text)

    def exact(self, want, what, deadline_ms=DEADLINE_MS):
        want = want.encode('latin-1') if isinstance(want, str) else want
        ok, diag = self.sim.expect_exact(want, deadline_ms)
        self.tap.point(ok, what, diag)
        return ok

    def cmd(self, line, want, what=None, deadline_ms=DEADLINE_MS):
        """Sends line + CR and expects exactly `want` (bytes or str) back."""
        self.send(line + '\r')
        return self.exact(want, what or line, deadline_ms)

    def ok(self, line, what=None):
        return self.cmd(line, '\r\nOK\r\n', what)

    def line(self, regex, what, deadline_ms=DEADLINE_MS):
        ok, diag = self.sim.expect_line(regex, deadline_ms)
        self.tap.point(ok, what, diag)
        return ok

    def query(self, line, regex, deadline_ms=DEADLINE_MS):
        """Sends line, returns the match of the first line matching regex, then eats OK."""
        self.send(line + '\r')
        pat = re.compile(regex.encode())
        until = time.monotonic() + deadline_ms / 1000
        while True:
            while b'\n' in self.sim.rx:
                raw, self.sim.rx = self.sim.rx.split(b'\n', 1)
                m = pat.fullmatch(raw.strip(b'\r'))
                if m:
                    self.sim.expect_line('OK', deadline_ms)
                    return m
            if not self.sim._fill(until):
                return None

    def wait_answering(self, what, deadline_s=15.0):
        """After a reboot: sends AT every 0.3 s until an OK comes; leaves what came in rx."""
        until = time.monotonic() + deadline_s
        while time.monotonic() < until:
            self.send('AT\r')
            if self.sim._fill(time.monotonic() + 0.3) and b'OK' in self.sim.rx:
                return self.tap.point(True, what)
        self.tap.point(False, what, repr(self.sim.rx))

    def wait_attached(self, what, deadline_s=10.0):
        """Polls AT+CGATT? until the simulated network has attached."""
        until = time.monotonic() + deadline_s
        while time.monotonic() < until:
            m = self.query('AT+CGATT?', r'\+CGATT: ([01])')
            if m is not None and m.group(1) == b'1':
                return self.tap.point(True, what)
            time.sleep(0.05)
        self.tap.point(False, what)

    def close(self):
        rc = self.sim.close()
        log = self.sim.proc.stderr.read().decode(errors='replace')
        self.tap.point(rc == 0, 'ukms-sim exits 0 on SIGTERM (no sanitizer report)',
                       '' if rc == 0 else log[-2000:])
        return rc, log


def free_port(kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _listening(port, udp):
    """True once a socket is bound to port (/proc/net/tcp LISTEN, or /proc/net/udp)."""
    path = '/proc/net/udp' if udp else '/proc/net/tcp'
    with open(path) as f:
        for row in f.readlines()[1:]:
            cols = row.split()
            if int(cols[1].split(':')[1], 16) == port and (udp or cols[3] == '0A'):
                return True
    return False


def wait_for(cond, deadline_s=5.0):
    until = time.monotonic() + deadline_s
    while time.monotonic() < until:
        if cond():
            return True
        time.sleep(0.01)
    return False


def stop_process(proc, grace_s=5):
    """SIGTERM, then SIGKILL after grace_s; returns the exit status."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


class SServer:
    """`openssl s_server -quiet` on an ephemeral port: client bytes arrive on its stdout,
    bytes written to its stdin go to the client."""

    def __init__(self, args, udp=False):
        self.proc = None
        for _ in range(3):
            self.port = free_port(socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
            self.proc = subprocess.Popen(
                ['openssl', 's_server', '-quiet', '-accept', '127.0.0.1:%d' % self.port] + args,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if wait_for(lambda: _listening(self.port, udp) or self.proc.poll() is not None) \
                    and self.proc.poll() is None:
                return
            self.stop()
        raise RuntimeError('openssl s_server did not start')

    def read(self, n, deadline_s=5.0):
        out = b''
        until = time.monotonic() + deadline_s
        fd = self.proc.stdout.fileno()
        while len(out) < n and time.monotonic() < until:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                chunk = os.read(fd, n - len(out))
                if not chunk:
                    break
                out += chunk
        return out

    def write(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def stop(self):
        if self.proc is None:
            return
        stop_process(self.proc)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except OSError:
                pass


class TcpPeer:
    """A python TCP server on an ephemeral port running `script(conn)` for one client."""

    def __init__(self, script):
        self.srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.srv.bind(('127.0.0.1', 0))
        self.srv.listen(8)
        self.port = self.srv.getsockname()[1]
        self.error = None
        self.thread = threading.Thread(target=self._run, args=(script,), daemon=True)
        self.thread.start()

    def _run(self, script):
        try:
            self.srv.settimeout(10)
            conn, _ = self.srv.accept()
            with conn:
                conn.settimeout(10)
                script(conn)
        except Exception as e:  # reported by the test through .error
            self.error = e

    def stop(self):
        self.thread.join(10)
        self.srv.close()


def echo(conn):
    while True:
        data = conn.recv(65536)
        if not data:
            return
        conn.sendall(data)


class UdpEcho:
    """UDP peer on an ephemeral port: records every datagram (got, in order) and, unless
    reply=False, echoes it back."""

    def __init__(self, reply=True):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.reply = reply
        self.got = []
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                data, addr = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            self.got.append(data)
            if self.reply:
                self.sock.sendto(data, addr)

    def stop(self):
        self.running = False
        self.thread.join(5)
        self.sock.close()


def run(tests, argv):
    """Runs each test(modem_exe, tap, opts) and prints TAP; returns the exit status."""
    tap = chat.Tap()
    exe = argv[1]
    opts = dict(a.split('=', 1) for a in argv[2:] if '=' in a)
    for t in tests:
        try:
            t(exe, tap, opts)
        except Exception as e:  # a crash in one test is one failed point, the rest run
            tap.point(False, '%s raised %s: %s' % (t.__name__, type(e).__name__, e))
    return tap.done()
