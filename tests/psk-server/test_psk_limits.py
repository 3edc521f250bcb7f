#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ukms-psk-server under denial-of-service and odd identities (issue 13), against mock_api.py:
idle TCP connections, stalled ClientHellos and DTLS peers that stop after the cookie do not
lock a real client out; an unknown identity repeated costs one GetPSK (negative cache), and so
do simultaneous handshakes with one identity (single flight); an identity with a NUL byte is
refused before any API call.

Usage: test_psk_limits.py UKMS-PSK-SERVER
"""
import os
import socket
import struct
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from psktest import client_hello, mock_call, run_groups, s_client, start_server

OK_ID, OK_PSK = "11010008002F33244B115B0AEEB9", "E5DE45B367DB690F2E17CF9D80A18E87"
ID_404 = "110100080A04F0080000000D0001"


def wait_for(pred, timeout=20.0):
    """Polls pred() until true or the deadline; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(0.05)  # polling interval of a deadline wait, not a fixed delay


def getpsk_calls(mock, identity):
    return mock_call(mock, "/_mock/stats")["getpsk_by_id"].get(identity, 0)


def tcp(port, src="127.0.0.1", data=b""):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    if data:
        s.sendall(data)
    return s


def tls12_client_hello():
    body = struct.pack("!H", 0x0303) + os.urandom(32) + b"\x00"
    body += struct.pack("!HHH", 4, 0x00A8, 0x00FF) + b"\x01\x00"
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


def echo_works(srv, version="tls1_2"):
    ok, _, out = s_client(srv.port, OK_ID, OK_PSK, version, "still-served", timeout=15)
    return ok, out + srv.text()[-3000:]


def test_idle_and_stalled(t, exe, mock):
    srv = start_server(exe, mock.url)
    held = []
    try:
        mark = srv.mark()
        held = [tcp(srv.port) for _ in range(64)]
        given = wait_for(lambda: srv.text()[mark:].count("slot given to a newer client") >= 48)
        t.ok(given, "64 idle TCP connections from one address: all but 16 give their slot back")
        ok, diag = echo_works(srv)
        t.ok(ok, "a real client is served while 64 idle connections are open", diag)
        partial = tls12_client_hello()[:40]
        held += [tcp(srv.port, data=partial) for _ in range(70)]
        ok, diag = echo_works(srv)
        t.ok(ok, "a real client is served while 70 ClientHellos stall", diag)
        held += [tcp(srv.port, src="127.0.0.2") for _ in range(70)]
        ok, diag = echo_works(srv)
        t.ok(ok, "a real client is served while another address holds 70 idle connections",
             diag)
    finally:
        for s in held:
            s.close()
        srv.stop()


def dtls_past_cookie(port):
    """A UDP peer that completes the cookie exchange, gets the server's flight, then stops."""
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(10)
    u.sendto(client_hello(), ("127.0.0.1", port))
    reply = u.recv(2048)
    n = reply[13 + 12 + 2]
    u.sendto(client_hello(reply[13 + 12 + 3:13 + 12 + 3 + n]), ("127.0.0.1", port))
    return u, u.recv(4096)


def test_dtls_peers(t, exe, mock):
    srv = start_server(exe, mock.url, "--dtls")
    peers = []
    try:
        flights = []
        for _ in range(70):
            u, flight = dtls_past_cookie(srv.port)
            peers.append(u)
            flights.append(flight)
        t.ok(all(f[0] == 22 and f[13] == 2 for f in flights),
             "70 DTLS peers past the cookie each got a ServerHello")
        ok, diag = echo_works(srv, "dtls1_2")
        t.ok(ok, "a real DTLS client is served while those 70 peers stay silent", diag)
    finally:
        for u in peers:
            u.close()
        srv.stop()


def test_negative_cache(t, exe, mock):
    srv = start_server(exe, mock.url)
    try:
        before = getpsk_calls(mock, ID_404)
        fails = 0
        for _ in range(20):
            ok, _, _ = s_client(srv.port, ID_404, OK_PSK, timeout=5)
            fails += not ok
        calls = getpsk_calls(mock, ID_404) - before
        t.ok(fails == 20 and calls == 1,
             "20 handshakes with one unknown identity: all refused, 1 GetPSK call",
             "refused %d, GetPSK calls %d" % (fails, calls))
        t.ok(srv.wait_log(r"negative cache"), "the repeats were answered by the negative cache")
    finally:
        srv.stop()
    # Bounded in time: after --neg-cache-ttl the API is asked again (a device may have been
    # registered meanwhile).
    srv = start_server(exe, mock.url, "--neg-cache-ttl", "1")
    try:
        before = getpsk_calls(mock, ID_404)
        s_client(srv.port, ID_404, OK_PSK, timeout=5)

        def handshake_then_count():
            s_client(srv.port, ID_404, OK_PSK, timeout=5)
            return getpsk_calls(mock, ID_404) - before >= 2
        asked_again = wait_for(handshake_then_count, timeout=15)
        t.ok(asked_again, "after --neg-cache-ttl 1 the unknown identity is asked again")
    finally:
        srv.stop()


def test_single_flight(t, exe, mock):
    # The API answers these two identities after 2 s, so 8 handshakes started together all
    # reach the lookup while the first GetPSK is still in flight.
    mock_call(mock, "/_mock/config", {"delay": {OK_ID: 2.0, ID_404: 2.0}})
    try:
        for ident, want, what in ((OK_ID, True, "known"), (ID_404, False, "unknown")):
            srv = start_server(exe, mock.url)
            try:
                before = getpsk_calls(mock, ident)
                with ThreadPoolExecutor(8) as pool:
                    echoed = list(pool.map(
                        lambda _: s_client(srv.port, ident, OK_PSK, timeout=20)[0], range(8)))
                calls = getpsk_calls(mock, ident) - before
                t.ok(echoed == [want] * 8 and calls == 1,
                     "8 simultaneous handshakes with one %s identity: all %s, 1 GetPSK call"
                     % (what, "served" if want else "refused"),
                     "echoed %s, GetPSK calls %d\n%s" % (echoed, calls, srv.text()[-3000:]))
            finally:
                srv.stop()
    finally:
        mock_call(mock, "/_mock/config", {"delay": {OK_ID: 0, ID_404: 0}})


def read_records(s, until_type, deadline):
    """Reads TLS records until a handshake message of until_type; True if seen."""
    buf = b""
    while time.monotonic() < deadline:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        chunk = s.recv(4096)
        if not chunk:
            return False
        buf += chunk
        pos = 0
        while pos + 5 <= len(buf):
            rtype, _, rlen = struct.unpack("!BHH", buf[pos:pos + 5])
            if pos + 5 + rlen > len(buf):
                break
            rec = buf[pos + 5:pos + 5 + rlen]
            pos += 5 + rlen
            i = 0
            while rtype == 22 and i + 4 <= len(rec):
                if rec[i] == until_type:
                    return True
                i += 4 + int.from_bytes(rec[i + 1:i + 4], "big")
    return False


def test_nul_identity(t, exe, mock):
    srv = start_server(exe, mock.url)
    s = None
    try:
        before = getpsk_calls(mock, OK_ID)
        mark = srv.mark()
        s = tcp(srv.port, data=tls12_client_hello())
        done = read_records(s, 14, time.monotonic() + 10)  # ServerHelloDone
        ident = OK_ID.encode() + b"\x00junk"
        body = struct.pack("!H", len(ident)) + ident
        cke = b"\x10" + struct.pack("!I", len(body))[1:] + body
        s.sendall(b"\x16\x03\x03" + struct.pack("!H", len(cke)) + cke)
        m = srv.wait_log(r"identity rejected: \d+ bytes with a NUL", start=mark, timeout=10)
        srv.wait_log(r"handshake failed", start=mark, timeout=10)
        calls = getpsk_calls(mock, OK_ID) - before
        t.ok(done and m and calls == 0,
             "TLS 1.2 identity '<valid>\\0junk': refused before any GetPSK call",
             "flight %s, calls %d\n%s" % (done, calls, srv.text()[mark:]))
        ok, diag = echo_works(srv)
        t.ok(ok, "the same identity without the NUL is still served", diag)
    finally:
        if s is not None:
            s.close()
        srv.stop()


def main():
    return run_groups(sys.argv[1], [test_idle_and_stalled, test_dtls_peers,
                                    test_negative_cache, test_single_flight,
                                    test_nul_identity])


if __name__ == "__main__":
    sys.exit(main())
