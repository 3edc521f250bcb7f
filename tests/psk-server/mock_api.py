#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Stand-in for the u-blox Security Services REST API (ublox-at.md section 6), stdlib only.

Serves POST /v1/authenticate and POST /v1/GetPSK for fixed identity -> PSK pairs, plus a
control interface for tests:
  GET  /_mock/stats   -> {"authenticate": n, "getpsk": n, "getpsk_by_id": {id: n}, "status": [..]}
  POST /_mock/config  -> merge {"delay": {id: seconds}, "down": bool, "token_ttl": seconds,
                                "revoke_tokens": true, "auth_fail": bool}
Identities starting with "DD" (bench) get PSK = SHA-256("mock-bench" || id)[:len]
(mock_psk() below) so a client can make fresh identities without asking the mock.

Prints "mock_api: listening on http://127.0.0.1:PORT" once bound (--port 0: ephemeral).
"""
import argparse
import base64
import hashlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "11111111-2222-4333-8444-555555555555"
API_SECRET = "ukmsDemoSecretNotSecretPublic001"

# identity -> (psk hex (16 bytes; 32 bytes = psk twice), ROTPublicUID) or an HTTP error.
DEVICES = {
    "11010008002F33244B115B0AEEB9": ("E5DE45B367DB690F2E17CF9D80A18E87", "0002000089282245"),
    "110100080A04F0080000000C0001": (403, "Provisioning is disabled for this device"),
    "110100080A04F0080000000D0001": (404, "Unknown KeyID"),
    "110100085A5A5A5A000000010001": ("00112233445566778899AABBCCDDEEFF", "0A04F00800005A5A"),
    "110100085A5A5A5A000000020001": ("FFEEDDCCBBAA99887766554433221100", "0A04F00800005A5A"),
}


def mock_psk(identity, nbytes):
    """PSK of a bench identity (prefix "DD")."""
    d = hashlib.sha256(b"mock-bench" + identity.encode()).digest()
    return (d + hashlib.sha256(d).digest())[:nbytes]


def b64url(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.stats = {"authenticate": 0, "getpsk": 0, "getpsk_by_id": {}, "status": []}
        self.config = {"delay": {}, "down": False, "token_ttl": 3600, "auth_fail": False}
        self.tokens = set()
        self.serial = 0

    def new_token(self):
        with self.lock:
            self.serial += 1
            now = int(time.time())
            payload = {"iat": now, "exp": now + int(self.config["token_ttl"]),
                       "token_use": "id", "n": self.serial}
            tok = b64url({"alg": "none", "typ": "JWT"}) + "." + b64url(payload) + ".mock"
            self.tokens.add(tok)
            return tok


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mock_api"

    def log_message(self, fmt, *args):  # quiet: tests read their own output
        pass

    def reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with self.server.state.lock:
            self.server.state.stats["status"].append(status)

    def error(self, status, message):
        self.reply(status, {"error": {"code": status, "message": message}})

    def body(self):
        n = int(self.headers.get("Content-Length", "0"))
        try:
            return json.loads(self.rfile.read(n) or b"null")
        except ValueError:
            return None

    def do_GET(self):
        st = self.server.state
        if self.path == "/_mock/stats":
            with st.lock:
                snap = json.loads(json.dumps(st.stats))
            self.reply(200, snap)
        else:
            self.error(404, "no such path")

    def do_POST(self):
        st = self.server.state
        data = self.body()
        if self.path == "/_mock/config":
            with st.lock:
                for k, v in (data or {}).items():
                    if k == "revoke_tokens":
                        st.tokens.clear()
                    elif k == "delay":
                        st.config["delay"].update(v)
                    else:
                        st.config[k] = v
            self.reply(200, {"ok": True})
            return
        if st.config["down"]:
            # Simulates an unreachable API: drop the connection without an answer.
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if self.path == "/v1/authenticate":
            self.authenticate(st, data)
        elif self.path == "/v1/GetPSK":
            self.getpsk(st, data)
        else:
            self.error(404, "no such path")

    def authenticate(self, st, data):
        with st.lock:
            st.stats["authenticate"] += 1
        if not isinstance(data, dict) or "APIKey" not in data or "APISecret" not in data:
            self.error(400, "APIKey and APISecret are required")
        elif st.config["auth_fail"] or data["APIKey"] != API_KEY \
                or data["APISecret"] != API_SECRET:
            self.error(401, "Invalid API key or secret")
        else:
            self.reply(200, {"AuthToken": st.new_token(), "RefreshToken": "mock-refresh"})

    def token_ok(self, st):
        tok = self.headers.get("Authorization", "")
        if tok.startswith("Bearer "):
            tok = tok[7:]
        with st.lock:
            return tok in st.tokens

    def getpsk(self, st, data):
        kid = data.get("KeyID", "") if isinstance(data, dict) else ""
        with st.lock:
            st.stats["getpsk"] += 1
            by = st.stats["getpsk_by_id"]
            by[kid] = by.get(kid, 0) + 1
            delay = float(st.config["delay"].get(kid, 0))
        if delay:
            time.sleep(delay)
        if not self.token_ok(st):
            self.error(401, "Not authorized")
            return
        length = data.get("KeyLength", "128") if isinstance(data, dict) else None
        if length not in ("128", "256"):
            self.error(400, "KeyLength must be \"128\" or \"256\"")
            return
        nbytes = int(length) // 8
        if kid.startswith("DD") and len(kid) <= 64:
            self.reply(200, {"Key": base64.b64encode(mock_psk(kid, nbytes)).decode(),
                             "ROTPublicUID": "0A04F008000000DD"})
            return
        dev = DEVICES.get(kid)
        if dev is None:
            self.error(404, "Unknown KeyID")
        elif isinstance(dev[0], int):
            self.error(dev[0], dev[1])
        else:
            psk = bytes.fromhex(dev[0]) * 2
            self.reply(200, {"Key": base64.b64encode(psk[:nbytes]).decode(),
                             "ROTPublicUID": dev[1]})


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    srv.state = State()
    print("mock_api: listening on http://127.0.0.1:%d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
