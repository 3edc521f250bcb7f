#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ukms-psk-server against the stand-in API (mock_api.py), driven by openssl s_client.

Usage: test_psk_server.py UKMS-PSK-SERVER [tls|api|dtls]...
"""
import socket
import sys
import threading
import time

from psktest import client_hello, mock_call, run_groups, s_client, start_server

OK_ID, OK_PSK, OK_UID = "11010008002F33244B115B0AEEB9", "E5DE45B367DB690F2E17CF9D80A18E87", \
    "0002000089282245"
ID_403 = "110100080A04F0080000000C0001"
ID_404 = "110100080A04F0080000000D0001"
ID_A, PSK_A = "110100085A5A5A5A000000010001", "00112233445566778899AABBCCDDEEFF"
ID_B, PSK_B = "110100085A5A5A5A000000020001", "FFEEDDCCBBAA99887766554433221100"
WRONG_PSK = "0102030405060708090A0B0C0D0E0F10"
SECRET = "ukmsDemoSecretNotSecretPublic001"


def stats(mock):
    return mock_call(mock, "/_mock/stats")


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_tls(t, exe, mock):
    srv = start_server(exe, mock.url)
    try:
        ok, _, out = s_client(srv.port, OK_ID, OK_PSK, "tls1_2", "hello-tls12")
        t.ok(ok and "PSK-AES128-GCM-SHA256" in out, "TLS 1.2 PSK-AES128-GCM-SHA256: echoes", out)
        m = srv.wait_log(r"session: identity %s, device %s, TLSv1.2 PSK-AES128-GCM-SHA256, "
                         r"peer \S+, bytes in 12 out 12" % (OK_ID, OK_UID))
        t.ok(m, "session line names identity, device UID, cipher and bytes", srv.text())
        ok, _, out = s_client(srv.port, OK_ID, OK_PSK, "tls1_3", "hello-tls13",
                              extra=["-ciphersuites", "TLS_AES_128_GCM_SHA256"])
        t.ok(ok and "TLS_AES_128_GCM_SHA256" in out, "TLS 1.3 external PSK: echoes", out)
        before = stats(mock)["getpsk_by_id"].get(ID_A, 0)
        ok1, _, _ = s_client(srv.port, ID_A, PSK_A, "tls1_2", "first")
        ok2, _, _ = s_client(srv.port, ID_A, PSK_A, "tls1_2", "second")
        calls = stats(mock)["getpsk_by_id"].get(ID_A, 0) - before
        t.ok(ok1 and ok2 and calls == 1,
             "cache: reconnecting with the same identity makes no second GetPSK (%d)" % calls)
        mark = srv.mark()
        ok, _, out = s_client(srv.port, OK_ID, WRONG_PSK, "tls1_2", "wrong")
        m = srv.wait_log(r"handshake failed: decryption failed or bad record mac .*identity "
                         + OK_ID + r"\); the client's PSK differs", start=mark)
        t.ok(not ok and m, "TLS 1.2 wrong PSK: handshake fails, log says the PSK differs",
             srv.text()[mark:])
        mark = srv.mark()
        ok, _, out = s_client(srv.port, OK_ID, WRONG_PSK, "tls1_3", "wrong13")
        m = srv.wait_log(r"handshake failed: binder does not verify", start=mark)
        t.ok(not ok and m, "TLS 1.3 wrong PSK: handshake fails (binder)", srv.text()[mark:])
        mark = srv.mark()
        ok, _, _ = s_client(srv.port, ID_404, OK_PSK, "tls1_2", "x")
        m = srv.wait_log(r"identity %s: unknown to the API \(404\)" % ID_404, start=mark)
        t.ok(not ok and m, "404: refused, log says unknown to the API", srv.text()[mark:])
        mark = srv.mark()
        ok, _, _ = s_client(srv.port, ID_403, OK_PSK, "tls1_3", "x")
        m = srv.wait_log(r"identity %s: API refused: provisioning disabled \(403\)" % ID_403,
                         start=mark)
        t.ok(not ok and m, "403: refused, log says provisioning disabled", srv.text()[mark:])
        mark = srv.mark()
        ok, _, _ = s_client(srv.port, "not-hex!", OK_PSK, "tls1_2", "x")
        m = srv.wait_log(r"identity rejected: 8 bytes", start=mark)
        t.ok(not ok and m and "not-hex" not in srv.text(),
             "malformed identity: refused without an API call, not echoed into the log")
        srv.stop()
        log = srv.text()
        leaked = [s for s in (OK_PSK, PSK_A, WRONG_PSK, SECRET) if s.lower() in log.lower()]
        t.ok(not leaked, "no PSK and no API secret in the debug log", leaked)
    finally:
        srv.stop()


def test_tokens(t, exe, mock):
    srv = start_server(exe, mock.url, "--cache-size", "0")
    try:
        ok, _, _ = s_client(srv.port, ID_A, PSK_A, "tls1_2", "warm")
        s0 = stats(mock)
        mock_call(mock, "/_mock/config", {"revoke_tokens": True})
        ok, _, _ = s_client(srv.port, ID_A, PSK_A, "tls1_2", "after-revoke")
        s1 = stats(mock)
        t.ok(ok and s1["authenticate"] == s0["authenticate"] + 1
             and s1["getpsk_by_id"][ID_A] == s0["getpsk_by_id"][ID_A] + 2
             and srv.wait_log(r"token refused \(401\): re-authenticating"),
             "401 on GetPSK: re-authenticates once and retries", (s0, s1))
        # Tokens that expire now: the server must renew before use, without a 401.
        mock_call(mock, "/_mock/config", {"token_ttl": 0, "revoke_tokens": True})
        s_client(srv.port, ID_A, PSK_A, "tls1_2", "short-token")
        mock_call(mock, "/_mock/config", {"token_ttl": 3600})
        s2 = stats(mock)
        ok, _, _ = s_client(srv.port, ID_B, PSK_B, "tls1_2", "renewed")
        s3 = stats(mock)
        new = s3["status"][len(s2["status"]):]
        t.ok(ok and s3["authenticate"] == s2["authenticate"] + 1 and 401 not in new,
             "expired token (JWT exp): renewed before GetPSK, no 401 (%s)" % new)
        ok, _, _ = s_client(srv.port, ID_B, PSK_B, "tls1_2", "cache-off")
        t.ok(ok and stats(mock)["getpsk_by_id"][ID_B] == 2,
             "--cache-size 0: every handshake asks GetPSK")
    finally:
        srv.stop()


def test_slow(t, exe, mock):
    srv = start_server(exe, mock.url)
    try:
        s_client(srv.port, ID_B, PSK_B, "tls1_2", "prime-token")  # token + ID_B cached
        mock_call(mock, "/_mock/config", {"delay": {ID_A: 2.0}})
        slow = {}

        def run_slow():
            slow["r"] = s_client(srv.port, ID_A, PSK_A, "tls1_2", "slow-one", timeout=15)

        before = stats(mock)["getpsk_by_id"].get(ID_A, 0)
        th = threading.Thread(target=run_slow)
        th.start()
        # Wait (deadline) until the slow GetPSK is in flight at the mock.
        deadline = time.monotonic() + 5
        while stats(mock)["getpsk_by_id"].get(ID_A, 0) == before and time.monotonic() < deadline:
            time.sleep(0.01)
        ok, secs, _ = s_client(srv.port, OK_ID, OK_PSK, "tls1_2", "fast-one")
        th.join()
        mock_call(mock, "/_mock/config", {"delay": {ID_A: 0}})
        sok, ssecs, _ = slow["r"]
        t.ok(ok and secs < 1.0 and sok and ssecs >= 2.0,
             "a 2 s GetPSK for one client does not delay another (%.2f s vs %.2f s)"
             % (secs, ssecs))
    finally:
        srv.stop()


def test_api_failures(t, exe, mock):
    port = closed_port()
    srv = start_server(exe, "http://127.0.0.1:%d" % port, "--once")
    try:
        ok, _, _ = s_client(srv.port, OK_ID, OK_PSK, "tls1_2", "x")
        m = srv.wait_log(r"API unreachable: \S.*")
        rc = srv.wait_exit()
        t.ok(not ok and m and rc == 1,
             "API down: refused, log says unreachable, --once exits 1 (%s)" % rc, srv.text())
    finally:
        srv.stop()
    srv = start_server(exe, mock.url, "--api-secret", "wrong-secret-000000000000000000")
    try:
        ok, _, _ = s_client(srv.port, OK_ID, OK_PSK, "tls1_2", "x")
        m = srv.wait_log(r"API authentication failed \(401\)")
        t.ok(not ok and m and "wrong-secret" not in srv.text(),
             "bad API secret: log says authentication failed (401), secret not logged")
    finally:
        srv.stop()
    srv = start_server(exe, mock.url, "--once", "--key-length", "256")
    try:
        ok, _, out = s_client(srv.port, OK_ID, OK_PSK * 2, "tls1_2", "long-key")
        rc = srv.wait_exit()
        t.ok(ok and rc == 0, "--key-length 256 echoes; --once exits 0 (%s)" % rc, srv.text())
    finally:
        srv.stop()


def test_dtls(t, exe, mock):
    srv = start_server(exe, mock.url, "--dtls", "--handshake-timeout", "2")
    try:
        ok, _, out = s_client(srv.port, OK_ID, OK_PSK, "dtls1_2", "hello-dtls")
        t.ok(ok and srv.wait_log(r"session: identity %s, device %s, DTLSv1.2 " % (OK_ID, OK_UID)),
             "DTLS 1.2 PSK: echoes", out + srv.text())
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.settimeout(5)
        u.sendto(client_hello(), ("127.0.0.1", srv.port))
        reply = u.recv(2048)
        cookie_len = reply[13 + 12 + 2] if len(reply) > 27 else -1
        t.ok(reply[0] == 22 and reply[13] == 3 and cookie_len > 0,
             "DTLS: a ClientHello without cookie gets a HelloVerifyRequest (cookie %d bytes)"
             % cookie_len)
        cookie = reply[13 + 12 + 3:13 + 12 + 3 + cookie_len]
        u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u2.settimeout(5)
        u2.sendto(client_hello(cookie), ("127.0.0.1", srv.port))
        reply2 = u2.recv(2048)
        t.ok(reply2[13] == 3, "DTLS: a cookie made for another address is not accepted")
        u.close()
        u2.close()
        mark = srv.mark()
        ok, _, _ = s_client(srv.port, OK_ID, WRONG_PSK, "dtls1_2", "x", timeout=2.5)
        m = srv.wait_log(r"handshake failed: timeout.*PSK differs", start=mark, timeout=6)
        t.ok(not ok and m, "DTLS wrong PSK: diagnosed when the handshake times out",
             srv.text()[mark:])
    finally:
        srv.stop()


def test_cli(t, exe, mock):
    srv = start_server(exe, mock.url)
    t0 = srv.mark()
    import subprocess
    hold = subprocess.Popen(["openssl", "s_client", "-connect", "127.0.0.1:%d" % srv.port,
                             "-tls1_2", "-psk_identity", OK_ID, "-psk", OK_PSK, "-quiet"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        srv.wait_log(r"handshake done", start=t0)
        srv.proc.send_signal(15)
        rc = srv.wait_exit(5)
        t.ok(rc == 0 and srv.wait_log(r"server stopping") and srv.wait_log(r"stopped$|stopped\n"),
             "SIGTERM with a client connected: session closed, clean exit 0 (%s)" % rc,
             srv.text())
    finally:
        hold.kill()
        hold.wait()
        srv.stop()
    r = subprocess.run([exe, "--help"], capture_output=True, text=True)
    t.ok(r.returncode == 0 and "--cache-ttl" in r.stdout, "--help lists the options")
    r = subprocess.run([exe, "--key-length", "64"], capture_output=True, text=True)
    t.ok(r.returncode == 2 and "--key-length" in r.stderr, "invalid option value: exit 2")


GROUPS = {
    "tls": [test_tls, test_cli],
    "api": [test_tokens, test_slow, test_api_failures],
    "dtls": [test_dtls],
}


def main():
    groups = sys.argv[2:] or sorted(GROUPS)
    return run_groups(sys.argv[1], [fn for g in groups for fn in GROUPS[g]])


if __name__ == "__main__":
    sys.exit(main())
