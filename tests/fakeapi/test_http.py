#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ukms-fakeapi over real HTTP: every status, GetPSK for every demo device at both lengths,
token expiry (--token-ttl 1), HTTPS, the command line, and no secret in the log.

usage: test_http.py UKMS_FAKEAPI FAKEAPI_ROTGEN
"""
import os
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakeapi_util import (DEMO_KEY, DEMO_SECRET, OTHER_KEY, OTHER_SECRET, Server, Tap,  # noqa
                          b64key, devices, is_error, login, request, rotgen, wait_until)

EXE, ROTGEN = sys.argv[1], sys.argv[2]
t = Tap()
JSON = {"Content-Type": "application/json"}


def getpsk(url, token, keyid, length=None, cafile=None):
    body = {"KeyID": keyid}
    if length is not None:
        body["KeyLength"] = length
    return request(url, "POST", "/v1/GetPSK", body, {"Authorization": token}, cafile=cafile)


def test_devices(url, demo, other):
    bad = []
    for uid, account, prov in devices(ROTGEN):
        for n, bits in ((16, "128"), (32, "256")):
            keyid, psk = rotgen(ROTGEN, uid, 1000 + n, n)
            st, _, body = getpsk(url, demo if account == "demo" else other, keyid, bits)
            want = 200 if prov else 403
            if st != want or (st == 200 and (b64key(body) != psk or
                                             body["ROTPublicUID"] != uid)):
                bad.append((uid, n, st, body))
            st, _, body = getpsk(url, other if account == "demo" else demo, keyid, bits)
            if st != 404 or not is_error(body, "key_not_found"):
                bad.append((uid, n, "cross-account", st))
    t.ok(not bad, "GetPSK: every demo device at 128 and 256 bits equals rot/ (403 if disabled, "
         "404 for the other account)", bad)


def test_statuses(url, token):
    st, _, body = request(url, "GET", "/healthz")
    t.ok(st == 200 and body == {"status": "ok"}, "GET /healthz -> 200 {\"status\":\"ok\"}")
    st, h, body = request(url, "GET", "/v1/GetPSK")
    t.ok(st == 405 and h.get("allow") == "POST" and is_error(body, "method_not_allowed"),
         "GET /v1/GetPSK -> 405 with Allow: POST", (st, h))
    st, _, body = request(url, "GET", "/v1/nothing")
    t.ok(st == 404 and is_error(body, "not_found"), "unknown path -> 404 not_found")
    st, _, body = request(url, "POST", "/v1/authenticate", "{}", {"Content-Type": "text/plain"})
    t.ok(st == 415 and is_error(body, "unsupported_media_type"), "text/plain -> 415")
    st, _, body = request(url, "POST", "/v1/authenticate", "{\"APIKey\":",
                          {"Content-Type": "application/json; charset=utf-8"})
    t.ok(st == 400 and is_error(body, "malformed_json"), "broken JSON -> 400 malformed_json")
    st, _, body = request(url, "POST", "/v1/authenticate", {"APIKey": DEMO_KEY})
    t.ok(st == 400 and is_error(body, "invalid_request"), "missing APISecret -> 400")
    st, h, body = request(url, "POST", "/v1/authenticate",
                          {"APIKey": DEMO_KEY, "APISecret": OTHER_SECRET})
    t.ok(st == 401 and is_error(body, "invalid_credentials") and
         h.get("www-authenticate") == "Bearer", "wrong secret -> 401 invalid_credentials")
    st, _, body = getpsk(url, token, "11010008ZZ")
    t.ok(st == 400 and is_error(body, "invalid_key_id"), "bad KeyID hex -> 400")
    st, _, body = getpsk(url, token, "11010008FFFFFFFF000000010000", "64")
    t.ok(st == 400 and is_error(body, "invalid_key_length"), "KeyLength 64 -> 400")
    st, _, body = getpsk(url, token, "11010008FFFFFFFF000000010000")
    t.ok(st == 404 and is_error(body, "key_not_found"), "unknown identity -> 404")
    st, _, body = getpsk(url, "Bearer " + token[:-2] + ("A" if token[-2] != "A" else "B") +
                         token[-1], "11010008FFFFFFFF000000010000")
    t.ok(st == 401 and is_error(body, "invalid_token"), "altered token -> 401 invalid_token")
    st, _, body = request(url, "POST", "/v1/GetPSK", {"KeyID": "x"})
    t.ok(st == 401 and is_error(body, "missing_token"), "no Authorization -> 401")


def raw_http(url, data):
    host, port = url.rsplit("/", 1)[1].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out and b"}" in out.split(b"\r\n\r\n", 1)[1]:
                break
    return out


def test_too_large(url):
    big = b"{\"APIKey\":\"" + b"a" * 20000 + b"\"}"
    st, _, body = request(url, "POST", "/v1/authenticate", big, JSON)
    t.ok(st == 413 and is_error(body, "payload_too_large"), "20 kB body -> 413")
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in [big[i:i + 4000]
                                                           for i in range(0, len(big), 4000)])
    out = raw_http(url, b"POST /v1/authenticate HTTP/1.1\r\nHost: x\r\nContent-Type: "
                   b"application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                   + chunked + b"0\r\n\r\n")
    t.ok(out.startswith(b"HTTP/1.1 413"), "20 kB chunked body -> 413", out[:200])


def test_expiry():
    # The identity first: spawning rotgen under a loaded sanitizer build can take longer than
    # a short token lives. Expiry has one-second granularity, so a 2 s token lives 1..2 s.
    keyid, _ = rotgen(ROTGEN, "0A04F008003C9623", 5, 16)
    s = Server(EXE, "--token-ttl", "2")
    try:
        tok = login(s.url)["AuthToken"]
        first = getpsk(s.url, tok, keyid)[0]
        expired = wait_until(lambda: getpsk(s.url, tok, keyid)[2] if
                             getpsk(s.url, tok, keyid)[0] == 401 else None, timeout=8)
        t.ok(first == 200 and is_error(expired, "expired_token"),
             "--token-ttl 2: 200, then 401 expired_token within 8 s", (first, expired))
    finally:
        s.stop()


def test_tls():
    d = tempfile.mkdtemp(prefix="ukms-fakeapi-tls-")
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert, "-days",
                    "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    s = Server(EXE, "--tls-cert", cert, "--tls-key", key)
    try:
        t.ok(s.url.startswith("https://"), "--tls-cert: banner says https", s.url)
        tok = login(s.url, cafile=cert)["AuthToken"]
        keyid, psk = rotgen(ROTGEN, "0A04F008003C9623", 9, 32)
        st, _, body = getpsk(s.url, tok, keyid, "256", cafile=cert)
        t.ok(st == 200 and b64key(body) == psk, "HTTPS: authenticate + GetPSK (256 bit)")
        out = raw_http(s.url.replace("https", "http"), b"GET /healthz HTTP/1.0\r\n\r\n")
        t.ok(not out.startswith(b"HTTP/1.1 200"), "HTTPS port does not answer plain HTTP")
    finally:
        s.stop()
        for f in (cert, key):
            os.unlink(f)
        os.rmdir(d)


def test_cli():
    r = subprocess.run([EXE, "--help"], capture_output=True, text=True)
    t.ok(r.returncode == 0 and "--token-ttl" in r.stdout and "--admin-listen" in r.stdout,
         "--help lists the options")
    r = subprocess.run([EXE, "--version"], capture_output=True, text=True)
    t.ok(r.returncode == 0 and r.stdout.startswith("ukms-fakeapi "), "--version")
    r = subprocess.run([EXE, "--token-ttl", "soon"], capture_output=True, text=True)
    t.ok(r.returncode == 2 and "--token-ttl" in r.stderr, "bad option value -> exit 2")
    r = subprocess.run([EXE, "--listen", "127.0.0.1:0", "--admin-listen", "0.0.0.0:0"],
                       capture_output=True, text=True, timeout=10)
    t.ok(r.returncode != 0 and "loopback" in r.stderr, "--admin-listen off loopback refused")
    r = subprocess.run([EXE, "--listen", "127.0.0.1:0", "--platform", "/nonexistent"],
                       capture_output=True, text=True, timeout=10)
    t.ok(r.returncode != 0 and "/nonexistent" in r.stderr, "missing platform file -> error")


def main():
    s = Server(EXE, "--log-level", "trace")
    try:
        t.ok(s.url.startswith("http://127.0.0.1:"), "banner printed with the bound port", s.url)
        tokens = login(s.url)
        st, _, alias = request(s.url, "POST", "/v1/Authorize",
                               {"APIKey": DEMO_KEY, "APISecret": DEMO_SECRET})
        t.ok(st == 200 and set(alias) == {"AuthToken", "RefreshToken"},
             "POST /v1/Authorize (alias) -> 200 AuthToken + RefreshToken")
        other = login(s.url, OTHER_KEY, OTHER_SECRET)["AuthToken"]
        test_devices(s.url, tokens["AuthToken"], other)
        test_statuses(s.url, tokens["AuthToken"])
        test_too_large(s.url)
        st, _, ref = request(s.url, "POST", "/v1/refresh",
                             {"RefreshToken": tokens["RefreshToken"]})
        t.ok(st == 200 and ref["AuthToken"] != tokens["AuthToken"], "POST /v1/refresh -> 200")
        keyid, psk = rotgen(ROTGEN, "0A04F008003C9623", 77, 16)
        st, _, body = getpsk(s.url, tokens["AuthToken"], keyid)
        log = s.log()
        secrets = [tokens["AuthToken"], tokens["RefreshToken"], DEMO_SECRET, OTHER_SECRET,
                   body["Key"], psk.hex(), psk.hex().upper(), ref["AuthToken"]]
        t.ok("POST /v1/GetPSK 200 " in log and not any(x in log for x in secrets),
             "trace log has one line per request and no token, secret or PSK")
    finally:
        t.eq(s.stop(), 0, "SIGTERM -> clean exit 0")
    test_expiry()
    test_tls()
    test_cli()
    t.done()


main()
