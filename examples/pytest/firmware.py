# SPDX-License-Identifier: Apache-2.0
"""What a device's firmware does over the AT interface, written the way a test author would
model it: wait for registration, open a TLS-PSK socket, send data, and recover when the
network drops. It only talks to the pty (sim.host), like real firmware."""
import re
import time

PSK_HEX = '000102030405060708090A0B0C0D0E0F'
PSK_ID = 'ukms-firmware-example'


class Firmware:
    def __init__(self, host):
        self.host = host
        self.sock = None

    def ok(self, line):
        lines, final = self.host.command(line)
        if final != 'OK':
            raise RuntimeError('%s -> %s' % (line, final))
        return lines

    def boot(self):
        self.ok('ATE0')
        self.ok('AT+CMEE=2')
        self.ok('AT+CEREG=1')  # registration URCs

    def wait_registered(self, timeout=20.0):
        """Polls AT+CEREG? as firmware does (1 home, 5 roaming)."""
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            reply = [ln for ln in self.ok('AT+CEREG?') if re.fullmatch(r'\+CEREG: \d,\d+', ln)]
            if reply and reply[0][-1] in '15' and '+CGATT: 1' in self.ok('AT+CGATT?'):
                return
            try:  # the URC may come while we wait; else poll again
                self.host.read_line(r'\+CEREG: [15]', timeout=0.5)
            except TimeoutError:
                pass
        raise TimeoutError('not registered')

    def tls_profile(self):
        self.ok('AT+USECPRF=0')
        self.ok('AT+USECPRF=0,1,3')  # TLS 1.2
        self.ok('AT+USECPRF=0,8,"%s",1' % PSK_HEX)
        self.ok('AT+USECPRF=0,9,"%s"' % PSK_ID)

    def connect(self, port):
        self.sock = int(self.ok('AT+USOCR=6')[0].split(': ')[1])
        self.ok('AT+USOSEC=%d,1,0' % self.sock)
        self.ok('AT+USOCO=%d,"127.0.0.1",%d' % (self.sock, port))

    def send(self, data):
        lines, final = self.host.command('AT+USOWR=%d,%d' % (self.sock, len(data)), data=data)
        return final == 'OK' and lines == ['+USOWR: %d,%d' % (self.sock, len(data))]

    def close(self):
        """Best effort: after a network drop the module may already have closed it."""
        if self.sock is not None:
            self.host.command('AT+USOCL=%d' % self.sock)
            self.sock = None
