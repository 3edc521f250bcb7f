# SPDX-License-Identifier: Apache-2.0
"""Drive ukms-sim from a test: a pure-Python (standard library only) client of the control
socket (docs/control.md) and a launcher that starts the simulator with one.

    from ukms_sim import Sim
    with Sim('/usr/bin/ukms-sim') as sim:
        sim.host.command('AT+CGATT?')          # the firmware's side: the pty
        sim.at('AT+CGSN')                      # a side channel: does not touch the pty
        sim.ctl('network', action='detach')    # change the modem's world
        sim.wait_urc(r'\\+CEREG: 2')            # what the host was told

pytest: `from ukms_sim import ukms_sim` in a conftest.py gives tests a `ukms_sim` fixture
(the executable comes from $UKMS_SIM, default `ukms-sim` on PATH).
"""
import collections
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import termios
import time
import tty

__all__ = ['ControlError', 'Control', 'Host', 'Sim', 'ukms_sim']


class ControlError(Exception):
    """An op answered {"ok":false}: .code is the wire code ("bad_args", ...)."""

    def __init__(self, code, message):
        super().__init__('%s: %s' % (code, message))
        self.code = code
        self.message = message


class Control:
    """One connection to the control socket. Responses come back in request order; event
    lines (after subscribe) are kept in .events until a wait_* takes them."""

    def __init__(self, path, timeout=10.0):
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.rx = b''
        self.events = collections.deque()
        self.next_id = 1

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _line(self, until):
        while b'\n' not in self.rx:
            left = until - time.monotonic()
            if left <= 0:
                raise TimeoutError('no line from the control socket')
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError('control socket closed')
            self.rx += chunk
        line, self.rx = self.rx.split(b'\n', 1)
        return json.loads(line)

    def send_raw(self, data):
        self.sock.sendall(data)

    def response(self, timeout=None):
        """The next response line (event lines met on the way are kept)."""
        until = time.monotonic() + (timeout or self.timeout)
        while True:
            msg = self._line(until)
            if 'event' in msg:
                self.events.append(msg)
            else:
                return msg

    def request(self, op, args=None, timeout=None, modem=None):
        """Sends one request (to fleet modem `modem`, if given) and returns the whole
        response object."""
        req = {'id': self.next_id, 'op': op}
        self.next_id += 1
        if args:
            req['args'] = args
        if modem is not None:
            req['modem'] = modem
        self.send_raw(json.dumps(req).encode() + b'\n')
        resp = self.response(timeout)
        if resp.get('id') != req['id']:
            raise ControlError('protocol', 'response %r to request %r' % (resp, req))
        return resp

    def call(self, op, timeout=None, modem=None, **args):
        """Runs an op (on fleet modem `modem`, default 0); returns its result or raises
        ControlError."""
        resp = self.request(op, args, timeout, modem)
        if not resp['ok']:
            raise ControlError(resp['error']['code'], resp['error']['message'])
        return resp['result']

    def at(self, line, data=None, timeout=10.0, modem=None):
        """An AT command on the control socket's own channel: (info lines, final result)."""
        args = {'line': line, 'timeout_ms': int(timeout * 1000)}
        if data is not None:
            args['data'] = data
        r = self.call('at', timeout=timeout + 5, modem=modem, **args)
        return r['lines'], r['final']

    def subscribe(self, *events, modem=None):
        """Replaces the events followed from one modem (fleet modem `modem`, default 0);
        with a fleet, several subscribe calls follow several modems, and each event says
        its "modem"."""
        return self.call('subscribe', modem=modem, events=list(events))

    def wait_event(self, match, timeout=None):
        """The first event (kept or arriving) for which match(event) is true; the events
        before it are dropped."""
        until = time.monotonic() + (timeout or self.timeout)
        while True:
            while self.events:
                ev = self.events.popleft()
                if match(ev):
                    return ev
            msg = self._line(until)
            if 'event' not in msg:
                raise ControlError('protocol', 'response without a request: %r' % msg)
            self.events.append(msg)

    def wait_urc(self, regex, timeout=None, modem=None):
        """Text of the first URC matching regex (needs subscribe('urc')), from fleet modem
        `modem` if given."""
        pat = re.compile(regex)
        ev = self.wait_event(lambda e: e['event'] == 'urc' and pat.fullmatch(e['text']) and
                             modem in (None, e.get('modem')), timeout)
        return ev['text']

    def wait_state(self, regex, timeout=None, modem=None):
        pat = re.compile(regex)
        return self.wait_event(lambda e: e['event'] == 'state' and pat.fullmatch(e['state'])
                               and modem in (None, e.get('modem')), timeout)['state']


class Host:
    """The firmware's side: the pty, opened raw."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd, termios.TCSANOW)
        self.rx = b''

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def write(self, data):
        os.write(self.fd, data if isinstance(data, bytes) else data.encode())

    def _fill(self, until):
        left = until - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.fd], [], [], left)
        if r:
            self.rx += os.read(self.fd, 65536)
        return True

    def read_line(self, regex, timeout=10.0):
        """The first received line matching regex (lines before it are dropped)."""
        until = time.monotonic() + timeout
        pat = re.compile(regex.encode() if isinstance(regex, str) else regex)
        while True:
            while b'\n' in self.rx:
                line, self.rx = self.rx.split(b'\n', 1)
                line = line.strip(b'\r')
                if pat.fullmatch(line):
                    return line.decode('latin-1')
            if not self._fill(until):
                raise TimeoutError('no line matching %r (have %r)' % (regex, self.rx))

    def read_until(self, data, timeout=10.0):
        until = time.monotonic() + timeout
        while data not in self.rx:
            if not self._fill(until):
                raise TimeoutError('no %r (have %r)' % (data, self.rx))
        head, self.rx = self.rx.split(data, 1)
        return head

    def command(self, line, timeout=10.0, data=None):
        """Sends line + CR and returns (info lines, final result), as a driver would; URC
        lines met on the way are left out of the answer only if they look like URCs of
        another command (callers that care use read_line)."""
        self.write(line + '\r')
        lines = []
        until = time.monotonic() + timeout
        while True:
            if data is not None and self.rx.lstrip(b'\r\n').startswith(b'@'):
                self.rx = self.rx.lstrip(b'\r\n')[1:]
                self.write(data)
                data = None
                continue
            if b'\n' not in self.rx:
                if not self._fill(until):
                    raise TimeoutError('no final result to %r (have %r)' % (line, lines))
                continue
            raw, self.rx = self.rx.split(b'\n', 1)
            text = raw.strip(b'\r').decode('latin-1')
            if not text or text == line:
                continue
            if text in ('OK', 'ERROR') or text.startswith('+CME ERROR'):
                return lines, text
            lines.append(text)

    def silent(self, seconds):
        """True if nothing arrives for that long."""
        until = time.monotonic() + seconds
        while self._fill(until):
            if self.rx:
                return False
        return not self.rx


class Sim:
    """A running `ukms-sim --headless --control SOCK` with its own state directory, the pty
    opened as .host and a control connection as .control (subscribed to urc and state)."""

    def __init__(self, exe=None, args=(), reg_delay_ms=50, timeout=15.0, sock_path=None):
        exe = exe or os.environ.get('UKMS_SIM') or 'ukms-sim'
        self.dir = tempfile.mkdtemp(prefix='ukms-sim-')
        self.sock_path = sock_path or os.path.join(self.dir, 'control.sock')
        cmd = [exe, '--headless', '--state-dir', os.path.join(self.dir, 'state'),
               '--reg-delay-ms', str(reg_delay_ms), '--control', self.sock_path] + list(args)
        # The log goes to a file: a pipe nobody reads would stall a chatty simulator.
        self.log_path = os.path.join(self.dir, 'ukms-sim.log')
        with open(self.log_path, 'wb') as log:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=log)
        self.host = None
        self.control = None
        try:
            self.path = self._device(timeout)
            self.host = Host(self.path)
            self.control = Control(self.sock_path)
            self.control.subscribe('urc', 'state')
        except Exception:
            self.close()
            raise

    def _device(self, timeout):
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if not r:
                continue
            line = self.proc.stdout.readline().decode()
            if line.startswith('ukms-sim: device '):
                return line.split()[-1]
            if line == '':
                break
        raise RuntimeError('ukms-sim did not start: %s' % self._stderr())

    def log(self):
        """What the simulator logged so far (stderr)."""
        try:
            with open(self.log_path, 'rb') as f:
                return f.read().decode(errors='replace')
        except OSError:
            return ''

    def _stderr(self):
        return self.log()[-2000:]

    # the three calls a test needs
    def at(self, line, **kw):
        return self.control.at(line, **kw)

    def ctl(self, op, **args):
        return self.control.call(op, **args)

    def wait_urc(self, regex, timeout=None):
        return self.control.wait_urc(regex, timeout)

    def close(self):
        """Stops the simulator (SIGTERM, then SIGKILL) and removes its directory; returns its
        exit status."""
        if getattr(self, 'last_log', None) is not None:
            return self.proc.returncode  # closed already
        for part in (self.control, self.host):
            if part is not None:
                part.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.last_log = self.log()
        shutil.rmtree(self.dir, ignore_errors=True)
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        rc = self.close()
        if exc_type is None and rc != 0:  # a sanitizer report, a crash
            raise RuntimeError('ukms-sim exited %s:\n%s' % (rc, self.last_log[-3000:]))


try:
    import pytest

    @pytest.fixture
    def ukms_sim():
        """A fresh simulator per test ($UKMS_SIM), stopped afterwards."""
        with Sim() as sim:
            yield sim
except ImportError:  # pytest is optional: the client works without it
    ukms_sim = None
