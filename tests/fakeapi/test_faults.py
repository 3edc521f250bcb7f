#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Faults of the fake API through its admin listener (docs/api.md "Faults"): added latency,
a share of 503 and 429 answers (the same sequence under the same seed), revoked tokens
(a share, and every token issued so far); bad fault requests get 400 and change nothing;
/admin/faults is not on the public port.

usage: test_faults.py UKMS_FAKEAPI FAKEAPI_ROTGEN
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakeapi_util import Server, Tap, devices, is_error, login, request, rotgen  # noqa: E402

EXE, ROTGEN = sys.argv[1], sys.argv[2]
t = Tap()
OFF = {"latency_ms": 0, "error_pct": 0, "throttle_pct": 0, "revoked_pct": 0, "seed": 0,
       "revoked_before": -1}


def faults(s, body=None):
    if body is None:
        return request(s.admin_url, "GET", "/admin/faults")
    return request(s.admin_url, "POST", "/admin/faults", body)


def login_status(s):
    st, _, body = request(s.url, "POST", "/v1/authenticate",
                          {"APIKey": "11111111-2222-4333-8444-555555555555",
                           "APISecret": "ukmsDemoSecretNotSecretPublic001"})
    return st, body


def auth_status(s):
    return login_status(s)[0]


def getpsk(s, token, keyid):
    return request(s.url, "POST", "/v1/GetPSK", {"KeyID": keyid}, {"Authorization": token})


def main():
    s = Server(EXE, "--admin-listen", "127.0.0.1:0")
    try:
        st, _, body = faults(s)
        t.ok(st == 200 and body == {"faults": OFF}, "GET /admin/faults: all off", body)
        st, _, body = request(s.url, "GET", "/admin/faults")
        t.ok(st == 404, "/admin/faults is not served on the public port")

        st, _, body = faults(s, {"latency_ms": 400})
        t.ok(st == 200 and body["faults"]["latency_ms"] == 400, "POST latency_ms 400", body)
        t0 = time.monotonic()
        st = auth_status(s)
        took = time.monotonic() - t0
        t.ok(st == 200 and took >= 0.4, "latency: /v1/authenticate answers 200 after >= 400 ms "
             "(%.2f s)" % took)
        t0 = time.monotonic()
        st, _, _ = request(s.url, "GET", "/healthz")
        t.ok(st == 200 and time.monotonic() - t0 < 0.4, "latency: /healthz is not delayed")

        faults(s, {"error_pct": 100})
        st, body = login_status(s)
        t.ok(st == 503 and is_error(body, "service_unavailable"), "error_pct 100: 503", body)
        faults(s, {"throttle_pct": 100})
        st, h, body = request(s.url, "POST", "/v1/authenticate",
                              {"APIKey": "11111111-2222-4333-8444-555555555555",
                               "APISecret": "ukmsDemoSecretNotSecretPublic001"})
        t.ok(st == 429 and is_error(body, "too_many_requests") and h.get("retry-after") == "1",
             "throttle_pct 100: 429 with Retry-After: 1", (body, h))

        runs = []
        for _ in range(2):
            faults(s, {"error_pct": 30, "throttle_pct": 30, "seed": 9})
            runs.append([auth_status(s) for _ in range(20)])
        a, b = runs
        t.ok(a == b and {200, 429, 503} <= set(a),
             "error_pct/throttle_pct 30: the same mix of 200/429/503 under the same seed",
             "%r vs %r" % (a, b))

        faults(s, {})
        token = login(s.url)["AuthToken"]
        uid = next(u for u, acct, prov in devices(ROTGEN) if acct == "demo" and prov)
        keyid, _ = rotgen(ROTGEN, uid, 7, 16)
        st, _, _ = getpsk(s, token, keyid)
        t.ok(st == 200, "GetPSK with a fresh token: 200")
        faults(s, {"revoked_pct": 100})
        st, _, body = getpsk(s, token, keyid)
        t.ok(st == 401 and is_error(body, "invalid_token") and "revoked" in body["error"]["message"],
             "revoked_pct 100: GetPSK -> 401 invalid_token (revoked)", body)
        st, _, body = faults(s, {"revoke_all": True})
        t.ok(st == 200 and body["faults"]["revoked_before"] > 0, "revoke_all accepted", body)
        st, _, body = getpsk(s, token, keyid)
        t.ok(st == 401 and "revoked" in body["error"]["message"],
             "revoke_all: the token issued before stays refused with every other fault off", body)

        before = faults(s)[2]
        for bad, what in (({"error_pct": 101}, "error_pct 101"), ({"latency_ms": "1"}, "a string"),
                          ({"seed": 1.5}, "a fraction"), ({"nope": 1}, "an unknown field"),
                          ({"revoke_all": 1}, "revoke_all not a bool")):
            st, _, body = faults(s, bad)
            t.ok(st == 400 and is_error(body, "invalid_request"), "400 for %s" % what, body)
        t.ok(faults(s)[2] == before, "a refused fault request changes nothing")
    finally:
        rc = s.stop()
        t.ok(rc == 0, "ukms-fakeapi exits 0")
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
