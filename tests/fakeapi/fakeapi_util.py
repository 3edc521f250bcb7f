# SPDX-License-Identifier: Apache-2.0
"""Helpers for the ukms-fakeapi script tests: start/stop the server, HTTP calls, TAP output.

Python 3 standard library only. Nothing sleeps to wait: every wait polls a condition until a
deadline.
"""
import atexit
import base64
import http.client
import json
import os
import re
import select
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time

DEMO_KEY = "11111111-2222-4333-8444-555555555555"
DEMO_SECRET = "ukmsDemoSecretNotSecretPublic001"
OTHER_KEY = "99999999-8888-4777-8666-555555555555"
OTHER_SECRET = "ukmsOtherAccountSecretPublic0002"


class Tap:
    """Collects results and prints TAP; exit status is non-zero if anything failed."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        print(("ok" if cond else "not ok") + " %d - %s" % (self.n, name), flush=True)
        if not cond:
            self.failed += 1
            if diag is not None:
                for line in str(diag).splitlines():
                    print("# " + line, flush=True)
        return cond

    def eq(self, got, want, name):
        return self.ok(got == want, name, "got %r, want %r" % (got, want))

    def done(self):
        print("1..%d" % self.n, flush=True)
        sys.exit(1 if self.failed else 0)


def wait_until(pred, timeout=10.0, step=0.02):
    """Polls pred() until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(step)


class Server:
    """One ukms-fakeapi process. stderr goes to a file so tests can inspect the log."""

    def __init__(self, exe, *args):
        self.workdir = tempfile.mkdtemp(prefix="ukms-fakeapi-test-")
        # Kept until the test exits (its log may be read after stop()), then removed.
        atexit.register(shutil.rmtree, self.workdir, True)
        self.errpath = os.path.join(self.workdir, "stderr.log")
        self.err = open(self.errpath, "wb")
        self.proc = subprocess.Popen([exe, "--listen", "127.0.0.1:0"] + list(args),
                                     stdout=subprocess.PIPE, stderr=self.err)
        self.url = None
        self.admin_url = None
        self._read_banner()

    def _read_banner(self):
        deadline = time.monotonic() + 10
        buf = b""
        want_admin = "--admin-listen" in self.proc.args
        while time.monotonic() < deadline:
            if self.url and (self.admin_url or not want_admin):
                return
            r, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if not r:
                if self.proc.poll() is not None:
                    break
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
            for m in re.finditer(rb"ukms-fakeapi: (admin )?listening on (\S+)\n", buf):
                if m.group(1):
                    self.admin_url = m.group(2).decode()
                else:
                    self.url = m.group(2).decode()
        if not self.url:
            raise RuntimeError("ukms-fakeapi did not start: " + self.log())

    def log(self):
        self.err.flush()
        with open(self.errpath, "rb") as f:
            return f.read().decode(errors="replace")

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.err.close()
        return self.proc.returncode


def conn_for(url, cafile=None, timeout=10):
    m = re.match(r"(https?)://([^/]+?):(\d+)$", url)
    scheme, host, port = m.group(1), m.group(2).strip("[]"), int(m.group(3))
    if scheme == "https":
        ctx = ssl.create_default_context(cafile=cafile)
        ctx.check_hostname = False
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=ctx)
    return http.client.HTTPConnection(host, port, timeout=timeout)


def request(url, method, path, body=None, headers=None, conn=None, cafile=None):
    """Returns (status, headers dict with lower-case names, parsed JSON or raw bytes)."""
    own = conn is None
    c = conn or conn_for(url, cafile)
    hdrs = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
        hdrs.setdefault("Content-Type", "application/json")
    try:
        c.request(method, path, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        h = {k.lower(): v for k, v in r.getheaders()}
    finally:
        if own:
            c.close()
    try:
        return r.status, h, json.loads(data)
    except ValueError:
        return r.status, h, data


def login(url, key=DEMO_KEY, secret=DEMO_SECRET, cafile=None):
    st, _, body = request(url, "POST", "/v1/authenticate",
                          {"APIKey": key, "APISecret": secret}, cafile=cafile)
    if st != 200:
        raise RuntimeError("login failed: %r %r" % (st, body))
    return body


def rotgen(exe, uid, counter, length, platform=None):
    """(identity hex, psk bytes) for a device, computed by rot/ through fakeapi-rotgen."""
    args = [exe] + (["--platform", platform] if platform else []) + [uid, str(counter),
                                                                      str(length)]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout.split()
    return out[0], bytes.fromhex(out[1])


def devices(exe, platform=None):
    """[(uid, account, provisioning bool)] of the platform, via fakeapi-rotgen."""
    args = [exe] + (["--platform", platform] if platform else []) + ["--devices"]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return [(u, a, p == "1") for u, a, p in (l.split() for l in out.splitlines())]


def write_demo_platform(exe, path):
    """Writes the built-in demo platform to path with mode 0600."""
    text = subprocess.run([exe, "--dump-platform"], check=True, capture_output=True).stdout
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(text)


def b64key(body):
    return base64.b64decode(body["Key"], validate=True)


def is_error(body, code):
    return (isinstance(body, dict) and list(body) == ["error"]
            and body["error"].get("code") == code
            and isinstance(body["error"].get("message"), str))
