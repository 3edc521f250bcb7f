# SPDX-License-Identifier: Apache-2.0
"""Helpers for the ukms-psk-server script tests: processes, TAP, openssl s_client.

Nothing here sleeps to wait: every wait polls a condition until a deadline.
"""
import atexit
import json
import os
import re
import select
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what, detail=""):
        self.n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, what), flush=True)
        if not cond:
            self.failed += 1
            for line in str(detail).splitlines()[-40:]:
                print("# " + line, flush=True)
        return cond

    def finish(self):
        print("1..%d" % self.n, flush=True)
        return 1 if self.failed else 0


def read_until(fd, done, deadline, buf=b""):
    """Reads fd into buf until done(buf) is truthy, EOF or the monotonic deadline.

    Returns (buf, done's last truthy result or None)."""
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not r:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        buf += chunk
        result = done(buf)
        if result:
            return buf, result
    return buf, None


def read_line_matching(proc, pattern, timeout=10.0):
    """Reads proc.stdout until a line matches pattern; returns the match or None."""
    def match(buf):
        for line in buf.decode(errors="replace").splitlines():
            m = re.search(pattern, line)
            if m:
                return m
        return None

    return read_until(proc.stdout.fileno(), match, time.monotonic() + timeout)[1]


class Service:
    """A child process that prints "...listening on <url>" on stdout; stderr goes to a file."""

    def __init__(self, argv, pattern=r"listening on (\S+)", timeout=10.0):
        fd, self.log_path = tempfile.mkstemp(prefix="ukms-psk-", suffix=".log")
        self.log = os.fdopen(fd, "wb")
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.log,
                                     stdin=subprocess.DEVNULL)
        m = read_line_matching(self.proc, pattern, timeout)
        if m is None:
            self.stop()
            raise RuntimeError("%s did not start:\n%s" % (argv[0], self.text()))
        self.url = m.group(1)
        self.port = int(self.url.rsplit(":", 1)[1])

    def text(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def wait_log(self, pattern, timeout=10.0, start=0):
        """Polls the log until pattern appears after offset start; returns the match."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.text()[start:])
            if m or time.monotonic() >= deadline:
                return m
            time.sleep(0.02)  # polling interval of a deadline wait, not a fixed delay

    def mark(self):
        return len(self.text())

    def wait_exit(self, timeout=10.0):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        stop_process(self.proc)
        if not self.log.closed:
            self.log.close()
            atexit.register(_unlink, self.log_path)


def stop_process(proc, grace_s=5.0):
    """SIGTERM, then SIGKILL after grace_s; reaps it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def start_mock():
    return Service([sys.executable, os.path.join(HERE, "mock_api.py"), "--port", "0"])


def start_server(exe, api_url, *extra):
    argv = [exe, "--listen", "127.0.0.1:0", "--api", api_url, "--log-level", "debug"]
    return Service(argv + list(extra), pattern=r"listening on ((?:tls|dtls)://\S+)")


def mock_call(mock, path, body=None):
    req = urllib.request.Request(mock.url + path, method="POST" if body is not None else "GET",
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())


def s_client(port, identity, psk, version="tls1_2", payload="ping", timeout=10.0,
             extra=()):
    """Connects with openssl s_client, sends payload, waits for its echo.

    Returns (echoed, seconds until the echo or the end, output)."""
    argv = ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-" + version,
            "-psk_identity", identity, "-psk", psk, "-no_ign_eof"] + list(extra)
    if version == "tls1_2":
        argv += ["-cipher", "PSK-AES128-GCM-SHA256"]
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    try:
        p.stdin.write((payload + "\n").encode())
        p.stdin.flush()
    except BrokenPipeError:
        pass
    echo = re.compile(rb"(^|\n)" + re.escape(payload.encode()) + rb"\r?\n")
    out, m = read_until(p.stdout.fileno(), echo.search, t0 + timeout)
    echoed = m is not None
    elapsed = time.monotonic() - t0
    try:
        p.stdin.close()
    except BrokenPipeError:
        pass
    p.stdin = None  # communicate() must not touch the closed pipe
    try:
        rest, _ = p.communicate(timeout=1.5)
        out += rest or b""
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
    return echoed, elapsed, out.decode(errors="replace")


def client_hello(cookie=b""):
    """The first ClientHello (message and record sequence 0), or the second one with cookie."""
    seq = 1 if cookie else 0
    body = struct.pack("!H", 0xFEFD) + b"\x11" * 32 + b"\x00"
    body += bytes([len(cookie)]) + cookie + struct.pack("!HH", 2, 0x00A8) + b"\x01\x00"
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + struct.pack("!H", seq) + b"\x00" * 3 \
        + struct.pack("!I", len(body))[1:] + body
    return b"\x16\xfe\xff\x00\x00" + struct.pack("!Q", seq)[2:] + struct.pack("!H", len(hs)) + hs


def run_groups(exe, fns):
    """Runs each test function fn(t, exe, mock) against one mock API; returns the exit status."""
    t = Tap()
    mock = start_mock()
    try:
        for fn in fns:
            try:
                fn(t, exe, mock)
            except Exception as e:  # a crashed group is a failure, not a silent skip
                import traceback
                t.ok(False, "%s raised %r" % (fn.__name__, e), traceback.format_exc())
    finally:
        mock.stop()
    return t.finish()
