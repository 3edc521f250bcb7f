#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Scale-out (docs/scaling.md): two ukms-fakeapi replicas of one platform file behind HAProxy,
ukms-psk-server asking GetPSK through the balancer, ukms-load handshaking through it with zero
errors; both replicas served GetPSK (a token issued by one is accepted by the other); an admin
override written by one replica reaches the other with SIGHUP. Loopback only.

Usage: test_scaling.py HAPROXY UKMS-LOAD UKMS-PSK-SERVER UKMS-FAKEAPI FAKEAPI-ROTGEN
"""
import atexit
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "psk-server"))
from psktest import Service, Tap, start_server, stop_process  # noqa: E402
from test_load import fleet_platform, load  # noqa: E402

HAPROXY_CFG = """global
    maxconn 2000
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend api
    bind 127.0.0.1:{port}
    default_backend fakeapi
backend fakeapi
    balance roundrobin
    option httpchk GET /healthz
    server a 127.0.0.1:{a} check inter 200ms
    server b 127.0.0.1:{b} check inter 200ms
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, deadline):
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.05)  # polling interval of a deadline wait
    return False


def post(url, path, body, token=None):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": token} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def start_haproxy(exe, d, a, b):
    """HAProxy in the foreground on a free port (retried if another process takes it)."""
    for _ in range(5):
        port = free_port()
        cfg = os.path.join(d, "haproxy.cfg")
        with open(cfg, "w") as f:
            f.write(HAPROXY_CFG.format(port=port, a=a, b=b))
        log = open(os.path.join(d, "haproxy.log"), "wb")
        proc = subprocess.Popen([exe, "-db", "-f", cfg], stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL)
        url = "http://127.0.0.1:%d" % port
        if wait_http(url, time.monotonic() + 15) and proc.poll() is None:
            return proc, url
        proc.kill()
        proc.wait()
    return None, None


def getpsk_count(svc):
    return len(re.findall(r"POST /v1/GetPSK 200", svc.text()))


def main():
    haproxy, exe, psk_server, fakeapi, rotgen = sys.argv[1:6]
    t = Tap()
    if shutil.which(haproxy) is None:
        t.ok(False, "haproxy is installed (scripts/deps.sh installs the Debian package)")
        return t.finish()
    d = tempfile.mkdtemp(prefix="ukms-scaling-")
    atexit.register(shutil.rmtree, d, True)  # removed when the test exits
    plat = fleet_platform(rotgen, d)
    procs, hap = [], None
    try:
        admin_port = free_port()
        a = Service([fakeapi, "--listen", "127.0.0.1:0", "--platform", plat, "--log-level",
                     "info", "--admin-listen", "127.0.0.1:%d" % admin_port])
        b = Service([fakeapi, "--listen", "127.0.0.1:0", "--platform", plat, "--log-level",
                     "info"])
        procs += [a, b]
        hap, url = start_haproxy(haproxy, d, a.port, b.port)
        t.ok(hap is not None, "HAProxy balances the two replicas")
        if hap is None:
            return t.finish()
        srv = start_server(psk_server, url, "--log-level", "warn", "--max-per-address", "64")
        procs.append(srv)
        rc, out, err = load(exe, srv.port, plat, "--devices", "load:0-999999", "--handshakes",
                            "200", "--concurrency", "16", "--payload", "32")
        t.ok(rc == 0 and out.get("handshakes") == 200 and out.get("failed") == 0,
             "ukms-load through psk-server and the balancer: 200 handshakes, zero errors",
             out or err)
        na, nb = getpsk_count(a), getpsk_count(b)
        t.ok(na > 0 and nb > 0 and na + nb >= 200,
             "both replicas answered GetPSK (one token, two replicas)", (na, nb))
        # An admin override written by replica a reaches replica b on SIGHUP.
        tok = post(url, "/v1/authenticate",
                   {"APIKey": "11111111-2222-4333-8444-555555555555",
                    "APISecret": "ukmsDemoSecretNotSecretPublic001"})[1]["AuthToken"]
        keyid = subprocess.run([rotgen, "--platform", plat, "load:7", "3", "16"], check=True,
                               capture_output=True, text=True).stdout.split()[0]
        st, _ = post(url, "/v1/GetPSK", {"KeyID": keyid}, tok)
        t.ok(st == 200, "load:7 GetPSK -> 200 before the override", st)
        st, body = post("http://127.0.0.1:%d" % admin_port, "/admin/devices/load:7/provisioning",
                        {"enabled": False})
        t.ok(st == 200, "replica a: provisioning off for load:7 (written to the file)", body)
        b.proc.send_signal(signal.SIGHUP)
        t.ok(b.wait_log(r"SIGHUP: platform reloaded") is not None, "replica b reloads on SIGHUP")
        codes = [post(url, "/v1/GetPSK", {"KeyID": keyid}, tok)[0] for _ in range(4)]
        t.ok(codes == [403] * 4, "through the balancer, both replicas now refuse load:7 (403)",
             codes)
    finally:
        if hap is not None:
            stop_process(hap)
        for p in reversed(procs):
            p.stop()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
