# SPDX-License-Identifier: Apache-2.0
"""`openssl s_server -quiet` with the firmware's PSK on an ephemeral port: what clients send
arrives on its stdout (it serves one connection after another)."""
import os
import select
import socket
import subprocess
import time

from firmware import PSK_HEX, PSK_ID


def _listening(port):
    with open('/proc/net/tcp') as f:
        return any(int(r.split()[1].split(':')[1], 16) == port and r.split()[3] == '0A'
                   for r in f.readlines()[1:])


class TlsServer:
    def __init__(self):
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        self.port = s.getsockname()[1]
        s.close()
        self.proc = subprocess.Popen(
            ['openssl', 's_server', '-quiet', '-accept', '127.0.0.1:%d' % self.port,
             '-tls1_2', '-nocert', '-psk', PSK_HEX, '-psk_identity', PSK_ID],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        until = time.monotonic() + 10
        while not _listening(self.port):
            if time.monotonic() > until or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError('openssl s_server did not start')
            time.sleep(0.01)
        self.received = b''

    def read(self, n, timeout=10.0):
        """Waits until n bytes in total have arrived; returns all of them."""
        until = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while len(self.received) < n and time.monotonic() < until:
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                self.received += chunk
        return self.received

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            f.close()
