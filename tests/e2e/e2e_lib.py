# SPDX-License-Identifier: Apache-2.0
"""The whole loop on one machine, for the end-to-end tests: ukms-fakeapi, ukms-psk-server and
ukms-sim as child processes on ephemeral ports, with their logs captured for assertions."""
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'sim'))
import chat  # noqa: E402  (pty runner: Sim, Tap)
import sock_lib  # noqa: E402  (Modem: exact AT dialogues)

DEMO_KEY = '11111111-2222-4333-8444-555555555555'
DEMO_SECRET = 'ukmsDemoSecretNotSecretPublic001'


class Service:
    """A child that prints '... listening on <scheme>://127.0.0.1:PORT' on stdout when ready.
    stderr (its log) goes to a file that tests read with .log()."""

    def __init__(self, argv, name, listeners=1):
        self.name = name
        self.logf = tempfile.NamedTemporaryFile(prefix='ukms-e2e-%s-' % name, suffix='.log',
                                                delete=False)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self.logf,
                                     stdin=subprocess.DEVNULL)
        self.port = None
        self.admin_port = None
        until = time.monotonic() + 10
        while time.monotonic() < until:
            line = self.proc.stdout.readline().decode(errors='replace')
            if not line:
                break
            m = re.search(r'(admin )?listening on \S+:(\d+)', line)
            if m and m.group(1):
                self.admin_port = int(m.group(2))
            elif m:
                self.port = int(m.group(2))
            if self.port is not None and (listeners == 1 or self.admin_port is not None):
                return
        self.stop()
        raise RuntimeError('%s did not start: %s' % (name, self.log()[-1000:]))

    def log(self):
        with open(self.logf.name, errors='replace') as f:
            return f.read()

    def wait_log(self, regex, deadline_s=5.0):
        """True once a log line matches regex."""
        pat = re.compile(regex)
        return sock_lib.wait_for(lambda: pat.search(self.log()) is not None, deadline_s)

    def stop(self):
        rc = sock_lib.stop_process(self.proc)
        self.proc.stdout.close()
        self.logf.close()
        return rc

    def cleanup(self):
        self.stop()
        os.unlink(self.logf.name)


def http_json(url, body=None, headers=None):
    """(status, parsed JSON) of a POST (body given) or GET."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers=dict(headers or {}))
    if data is not None:
        req.add_header('Content-Type', 'application/json')
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b'null')
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b'null')


def demo_platform_json():
    """The built-in demo platform, as documented byte for byte in docs/platform-file.md (a
    test in tests/rot checks that the two agree)."""
    with open(os.path.join(HERE, '..', '..', 'docs', 'platform-file.md')) as f:
        text = f.read()
    for block in re.findall(r'```json\n(\{.*?\n\})\n```', text, re.S):
        plat = json.loads(block)
        if re.fullmatch(r'[0-9a-f]{64}', plat.get('platform_secret', '')):
            return plat
    raise RuntimeError('no demo platform in docs/platform-file.md')


def s_client(identity, psk_hex, port, payload, extra=(), dtls=False, deadline_s=10.0):
    """openssl s_client as a customer device's own (D)TLS stack: sends payload, waits until it
    comes back (the server echoes) or the deadline, then closes. Returns (echoed bytes, stderr)."""
    argv = ['openssl', 's_client', '-quiet', '-connect', '127.0.0.1:%d' % port,
            '-psk_identity', identity, '-psk', psk_hex] + list(extra)
    if dtls:
        argv += ['-dtls1_2']
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    out = b''
    try:
        p.stdin.write(payload)
        p.stdin.flush()
        until = time.monotonic() + deadline_s
        fd = p.stdout.fileno()
        while payload not in out and time.monotonic() < until and p.poll() is None:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                chunk = os.read(fd, 4096)
                if not chunk:
                    break
                out += chunk
    finally:
        p.kill()
        err = p.communicate()[1]
    return out, err


def echo_through_modem(md, sid, payload, what):
    """'@'-prompt write of payload on socket sid, then the echo back through +UUSORD/+USORD."""
    n = len(payload)
    md.send('AT+USOWR=%d,%d\r' % (sid, n))
    if not md.exact('\r\n@', what + ': @ prompt'):
        return False
    md.send(payload)
    md.exact('\r\n+USOWR: %d,%d\r\n\r\nOK\r\n' % (sid, n), what + ': +USOWR')
    md.line(r'\+UUSORD: %d,%d' % (sid, n), what + ': +UUSORD announces the echo', 8000)
    md.send('AT+USORD=%d,%d\r' % (sid, n))
    want = b'\r\n+USORD: %d,%d,"' % (sid, n) + payload + b'"\r\n\r\nOK\r\n'
    return md.exact(want, what + ': +USORD returns the echo')
