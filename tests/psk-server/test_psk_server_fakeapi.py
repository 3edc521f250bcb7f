#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ukms-psk-server against the real ukms-fakeapi, with identities from `ukms-rot generate`
(both use the built-in demo platform), driven by openssl s_client.

Usage: test_psk_server_fakeapi.py UKMS-PSK-SERVER UKMS-FAKEAPI UKMS-ROT
"""
import shutil
import subprocess
import sys
import tempfile

from psktest import Service, Tap, s_client, start_server

DEV_OK = "0A04F008003C9623"
DEV_403 = "0A04F0080000000C"
DEV_404 = "0A04F0080000000D"


class Rot:
    def __init__(self, exe):
        self.exe = exe
        self.state = tempfile.mkdtemp(prefix="ukms-psk-rot-")

    def generate(self, device, length=16):
        r = subprocess.run([self.exe, "generate", "--device", device, "--length", str(length),
                            "--state-dir", self.state], capture_output=True, text=True,
                           check=True)
        ident, psk = r.stdout.split()[:2]
        return ident, psk


def main():
    exe, fakeapi, rot_exe = sys.argv[1:4]
    t = Tap()
    rot = Rot(rot_exe)
    api = Service([fakeapi, "--listen", "127.0.0.1:0"])
    servers = []
    try:
        srv = start_server(exe, api.url)
        servers.append(srv)
        ident, psk = rot.generate(DEV_OK)
        ok, _, out = s_client(srv.port, ident, psk, "tls1_2", "hello-fakeapi")
        t.ok(ok and srv.wait_log(r"session: identity %s, device %s, TLSv1.2" % (ident, DEV_OK)),
             "TLS 1.2: identity from ukms-rot resolves through ukms-fakeapi and echoes",
             out + srv.text())
        ident2, psk2 = rot.generate(DEV_OK)
        ok, _, out = s_client(srv.port, ident2, psk2, "tls1_3", "hello-13",
                              extra=["-ciphersuites", "TLS_AES_128_GCM_SHA256"])
        t.ok(ok and ident2 != ident, "TLS 1.3: the next identity of the same device echoes", out)
        mark = srv.mark()
        ok, _, _ = s_client(srv.port, ident2, psk, "tls1_2", "mismatch")
        t.ok(not ok and srv.wait_log(r"handshake failed: .*PSK differs", start=mark),
             "another identity's PSK: handshake fails and is diagnosed", srv.text()[mark:])
        mark = srv.mark()
        ident, psk = rot.generate(DEV_403)
        ok, _, _ = s_client(srv.port, ident, psk, "tls1_2", "x")
        t.ok(not ok and srv.wait_log(r"identity %s: API refused: provisioning disabled \(403\)"
                                     % ident, start=mark),
             "device with provisioning disabled: 403, refused", srv.text()[mark:])
        mark = srv.mark()
        ident, psk = rot.generate(DEV_404)
        ok, _, _ = s_client(srv.port, ident, psk, "tls1_2", "x")
        t.ok(not ok and srv.wait_log(r"identity %s: unknown to the API \(404\)" % ident,
                                     start=mark),
             "device of another account: 404, refused", srv.text()[mark:])
        mark = srv.mark()
        ident, psk = rot.generate(DEV_OK)
        forged = ident[:-2] + ("00" if ident[-2:] != "00" else "01")
        ok, _, _ = s_client(srv.port, forged, psk, "tls1_2", "x")
        t.ok(not ok and srv.wait_log(r"identity %s: (unknown to the API \(404\)|API rejected)"
                                     % forged, start=mark),
             "forged identity tag: refused by the API", srv.text()[mark:])

        srv = start_server(exe, api.url, "--key-length", "256", "--tls-min", "1.3")
        servers.append(srv)
        ident, psk = rot.generate(DEV_OK, 32)
        ok, _, out = s_client(srv.port, ident, psk, "tls1_3", "hello-256")
        t.ok(ok, "32-byte PSK (KeyLength 256) over TLS 1.3 echoes", out + srv.text())

        srv = start_server(exe, api.url, "--dtls")
        servers.append(srv)
        ident, psk = rot.generate(DEV_OK)
        ok, _, out = s_client(srv.port, ident, psk, "dtls1_2", "hello-dtls")
        t.ok(ok and srv.wait_log(r"session: identity %s, device %s, DTLSv1.2" % (ident, DEV_OK)),
             "DTLS 1.2 with cookie exchange: echoes", out + srv.text())
    except Exception as e:  # a crash is a failure, never a silent pass
        t.ok(False, "raised %r" % e)
    finally:
        for s in servers:
            s.stop()
        api.stop()
        shutil.rmtree(rot.state, ignore_errors=True)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
