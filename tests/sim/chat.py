#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""pty dialogue runner for ukms-sim.

Starts `ukms-sim --headless --reg-delay-ms <small>`, reads "ukms-sim: device /dev/pts/N" from
its stdout, opens the pty raw with termios and plays scripts of send/expect steps, each with a
deadline. Prints TAP (one test point per expectation) and kills the simulator at the end.

Script syntax (tests/sim/scripts/*.chat), one step per line; TEXT uses \\r \\n \\t \\xNN \\\\:
    # comment
    %args --model SARA-R422S      extra ukms-sim arguments (first lines only)
    > TEXT                        send TEXT in one write
    >> TEXT                       send TEXT one byte per write
    < TEXT                        the next bytes received are exactly TEXT
    ~ REGEX                       a received line (without CR/LF) matches REGEX; bytes before it
                                  must be empty lines or other whole lines (they are skipped)
    . MS                          nothing at all arrives for MS milliseconds (silence check)
    reopen                        close the device and open it again (unread bytes are dropped)
    deadline MS                   per-step deadline for the following steps (default 3000)

Usage: chat.py SIM_EXE SCRIPT...    (TAP on stdout, exit 1 if any point failed)
"""
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import time
import tty

DEFAULT_DEADLINE_MS = 3000


def unescape(text):
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c != '\\' or i + 1 == len(text):
            out += c.encode()
            i += 1
            continue
        n = text[i + 1]
        if n == 'x':
            out.append(int(text[i + 2:i + 4], 16))
            i += 4
            continue
        out += {'r': b'\r', 'n': b'\n', 't': b'\t', '\\': b'\\'}.get(n, n.encode())
        i += 2
    return bytes(out)


class Sim:
    """A running ukms-sim and one open client fd on its pty."""

    def __init__(self, exe, args=(), reg_delay_ms=50, timeout=10.0):
        cmd = [exe, '--headless', '--reg-delay-ms', str(reg_delay_ms)] + list(args)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.path = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if r:
                line = self.proc.stdout.readline().decode()
                if line.startswith('ukms-sim: device '):
                    self.path = line.split()[-1]
                    break
                if line == '':
                    break
        if self.path is None:
            self.close()
            raise RuntimeError('ukms-sim did not print its device: ' + self.stderr())
        self.fd = None
        self.rx = b''
        self.open()

    def open(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd, termios.TCSANOW)
        self.rx = b''

    def reopen(self):
        os.close(self.fd)
        self.open()

    def send(self, data, bytewise=False):
        chunks = [data[i:i + 1] for i in range(len(data))] if bytewise else [data]
        for c in chunks:
            os.write(self.fd, c)

    def _fill(self, until):
        """Reads what is available, waiting at most until `until` (monotonic). False on timeout."""
        left = until - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.fd], [], [], left)
        if not r:
            return False
        self.rx += os.read(self.fd, 65536)
        return True

    def expect_exact(self, want, deadline_ms):
        until = time.monotonic() + deadline_ms / 1000
        while len(self.rx) < len(want) and want.startswith(self.rx):
            if not self._fill(until):
                break
        got = self.rx[:len(want)]
        if got == want:
            self.rx = self.rx[len(want):]
            return True, ''
        return False, 'want %r got %r' % (want, self.rx)

    def expect_line(self, regex, deadline_ms):
        until = time.monotonic() + deadline_ms / 1000
        pat = re.compile(regex.encode())
        while True:
            while b'\n' in self.rx:
                line, self.rx = self.rx.split(b'\n', 1)
                line = line.strip(b'\r')
                if pat.fullmatch(line):
                    return True, ''
            if not self._fill(until):
                return False, 'no line matching %r (left %r)' % (regex, self.rx)

    def expect_silence(self, ms):
        until = time.monotonic() + ms / 1000
        while self._fill(until):
            pass
        if self.rx:
            return False, 'unexpected %r' % self.rx
        return True, ''

    def stderr(self):
        try:
            return self.proc.stderr.read().decode(errors='replace') if self.proc.poll() is not None else ''
        except (OSError, ValueError):
            return ''

    def close(self):
        if getattr(self, 'fd', None) is not None:
            os.close(self.fd)
            self.fd = None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def resync(sim, deadline_s=10.0, quiet_s=0.3):
    """After a reset: pokes AT (one at a time) until the module answers, then waits for
    quiet_s without a byte so late answers to earlier pokes are dropped; echo off again."""
    until = time.monotonic() + deadline_s
    answered = False
    while not answered and time.monotonic() < until:
        sim.send(b'AT\r')
        poke_until = time.monotonic() + 1.0
        line = read_line(sim, poke_until)
        while line is not None and line != 'OK':
            line = read_line(sim, poke_until)
        answered = line == 'OK'
    while answered and sim._fill(time.monotonic() + quiet_s):
        pass
    sim.rx = b''
    return answered and command(sim, 'ATE0') in (['OK'], ['ATE0', 'OK'])


def start_persona(exe, tap, model, extra=('--ephemeral',)):
    """A Sim for --model model, or None after a failed TAP point saying why."""
    try:
        return Sim(exe, ['--model', model] + list(extra))
    except RuntimeError as e:
        tap.point(False, '%s: start ukms-sim' % model, str(e))
        return None


FINAL = re.compile(r'OK|ERROR|\+CME ERROR: ?.+')


def read_line(sim, until):
    """Next non-empty line (str, without CR/LF), or None at `until` (monotonic)."""
    while True:
        while b'\n' in sim.rx:
            line, sim.rx = sim.rx.split(b'\n', 1)
            line = line.strip(b'\r')
            if line:
                return line.decode(errors='replace')
        if not sim._fill(until):
            return None


def read_answer(sim, deadline_s=3.0):
    """Lines up to and including the final result (None on timeout)."""
    until = time.monotonic() + deadline_s
    lines = []
    while True:
        line = read_line(sim, until)
        if line is None:
            return None
        lines.append(line)
        if FINAL.fullmatch(line):
            return lines


def command(sim, cmd, deadline_s=3.0):
    """Sends cmd + CR; returns its lines up to and including the final result (None on timeout)."""
    sim.send(cmd.encode() + b'\r')
    return read_answer(sim, deadline_s)


def prompt_send(sim, cmd, data, prompt=b'>', deadline_s=3.0):
    """Sends cmd + CR, waits for the prompt, sends data; returns the answer lines (None)."""
    sim.send(cmd.encode() + b'\r')
    until = time.monotonic() + deadline_s
    while prompt not in sim.rx and sim._fill(until):
        pass
    if prompt not in sim.rx:
        return None
    sim.rx = sim.rx[sim.rx.index(prompt) + 1:]
    sim.send(data)
    return read_answer(sim, deadline_s)


def raw_answer(sim, deadline_s=5.0, prompt=b'>', must=False):
    """The bytes up to a final result (OK, ERROR, +CME ERROR) or `prompt` (None: no prompt);
    on timeout what came so far, or RuntimeError when `must`."""
    until = time.monotonic() + deadline_s
    while not (sim.rx.endswith(b'OK\r\n') or sim.rx.endswith(b'ERROR\r\n')
               or (b'+CME ERROR' in sim.rx and sim.rx.endswith(b'\r\n'))
               or (prompt is not None and sim.rx.endswith(prompt))):
        if not sim._fill(until):
            if must:
                raise RuntimeError('no answer: %r' % sim.rx[-80:])
            break
    out, sim.rx = sim.rx, b''
    return out


def raw_command(sim, line, data=None, deadline_s=5.0, prompt=b'>', must=False):
    """Sends line + CR; at `prompt` sends data too. The answer's bytes (see raw_answer)."""
    sim.send(line.encode() + b'\r')
    out = raw_answer(sim, deadline_s, prompt, must)
    if data is not None and prompt is not None and out.endswith(prompt):
        sim.send(data)
        out += raw_answer(sim, deadline_s, prompt, must)
    return out


def wait_for(sim, regex, deadline_s=3.0):
    """The first line matching regex (lines before it are dropped), or None at the deadline."""
    until = time.monotonic() + deadline_s
    while True:
        line = read_line(sim, until)
        if line is None or re.fullmatch(regex, line):
            return line


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def point(self, ok, what, diag=''):
        self.n += 1
        if not ok:
            self.failed += 1
        print('%s %d - %s' % ('ok' if ok else 'not ok', self.n, what))
        if diag and not ok:
            for line in diag.splitlines():
                print('# ' + line)
        sys.stdout.flush()

    def done(self):
        print('1..%d' % self.n)
        return 1 if self.failed else 0


def parse_script(path):
    args, steps = [], []
    with open(path, encoding='utf-8') as f:
        for no, raw in enumerate(f, 1):
            line = raw.rstrip('\n')
            if not line.strip() or line.startswith('#'):
                continue
            if line.startswith('%args '):
                args += line[6:].split()
                continue
            op, _, arg = line.partition(' ')
            steps.append((no, op, arg))
    return args, steps


def run_script(exe, path, tap):
    name = os.path.basename(path)
    args, steps = parse_script(path)
    # ukms-sim keeps module state (NVM) under $XDG_STATE_HOME unless --state-dir/--ephemeral:
    # give every script a fresh one so runs never share or leave state behind.
    state = tempfile.mkdtemp(prefix='ukms-chat-')
    os.environ['XDG_STATE_HOME'] = state
    try:
        run_steps(exe, name, args, steps, tap)
    finally:
        shutil.rmtree(state, ignore_errors=True)


def run_steps(exe, name, args, steps, tap):
    try:
        sim = Sim(exe, args)
    except RuntimeError as e:
        tap.point(False, '%s: start ukms-sim' % name, str(e))
        return
    deadline = DEFAULT_DEADLINE_MS
    try:
        for no, op, arg in steps:
            label = '%s:%d %s %s' % (name, no, op, arg)
            if op == '>':
                sim.send(unescape(arg))
            elif op == '>>':
                sim.send(unescape(arg), bytewise=True)
            elif op == '<':
                tap.point(*reorder(sim.expect_exact(unescape(arg), deadline), label))
            elif op == '~':
                tap.point(*reorder(sim.expect_line(arg, deadline), label))
            elif op == '.':
                tap.point(*reorder(sim.expect_silence(int(arg)), label))
            elif op == 'reopen':
                sim.reopen()
            elif op == 'deadline':
                deadline = int(arg)
            else:
                tap.point(False, label, 'unknown step')
    finally:
        rc = sim.close()
        tap.point(rc == 0, '%s: ukms-sim exits 0 on SIGTERM' % name, 'exit %s' % rc)


def reorder(result, label):
    ok, diag = result
    return ok, label, diag


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    tap = Tap()
    for path in argv[2:]:
        run_script(argv[1], path, tap)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
