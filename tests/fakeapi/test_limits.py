#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 13 over real sockets: connection caps and the whole-request deadline (slow clients on
loopback addresses 127.0.0.2/3 while /healthz is asked from 127.0.0.1), the deadline's reaper
costs no CPU while nothing happens, request headers up to the documented size (and 431 past
it), %00 in a path, and a FIFO in place of the platform file on
SIGHUP (admin still answers, SIGTERM still stops).

usage: test_limits.py UKMS_FAKEAPI FAKEAPI_ROTGEN
"""
import os
import re
import select
import signal
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakeapi_util import (Server, Tap, login, request, rotgen, wait_until,  # noqa: E402
                          write_demo_platform)

EXE, ROTGEN = sys.argv[1], sys.argv[2]
t = Tap()


def port_of(url):
    return int(re.search(r":(\d+)$", url).group(1))


def slow_client(port, src):
    """A connection from src that has sent only the start of a request line."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    try:
        s.send(b"G")
    except OSError:
        pass
    return s


def is_closed(s):
    """True once the server has closed s (EOF or reset); never blocks."""
    r, _, _ = select.select([s], [], [], 0)
    if not r:
        return False
    try:
        return s.recv(64) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except BlockingIOError:
        return False


def trickle(socks):
    for s in socks:
        try:
            s.send(b"E")
        except OSError:
            pass


def test_slow_clients():
    cap, deadline = 8, 3
    s = Server(EXE, "--max-per-client", str(cap), "--request-timeout", str(deadline))
    port = port_of(s.url)
    conns = []
    try:
        conns = [slow_client(port, "127.0.0.2") for _ in range(5 * cap)]
        refused = wait_until(lambda: sum(is_closed(c) for c in conns) >= 4 * cap, timeout=10)
        open_now = [c for c in conns if not is_closed(c)]
        t.ok(refused and len(open_now) <= cap,
             "per-client cap: of %d connections from one address at most %d stay open"
             % (5 * cap, cap), "open: %d" % len(open_now))
        st, _, body = request(s.url, "GET", "/healthz")
        t.ok(st == 200 and body == {"status": "ok"},
             "/healthz from another address answers while they are held")
        # A byte every 0.2 s resets an idle timeout; the request deadline still ends them.
        start = time.monotonic()

        def all_closed():
            trickle(open_now)
            return all(is_closed(c) for c in open_now)
        done = wait_until(all_closed, timeout=deadline + 12, step=0.2)
        took = time.monotonic() - start
        t.ok(done and took >= deadline - 1.5,
             "trickling clients are closed by the %ds request deadline" % deadline,
             "closed: %s after %.1fs" % (done, took))
        st, _, _ = request(s.url, "GET", "/healthz")
        t.eq(st, 200, "the server still answers afterwards")
    finally:
        for c in conns:
            c.close()
        s.stop()


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_idle_cpu():
    """An idle server with an open connection sleeps: the deadline thread waits on its timer
    (it once took the monotonic deadline for a CLOCK_REALTIME one and spun on a whole CPU)."""
    s = Server(EXE, "--request-timeout", "30")
    c = None
    try:
        c = slow_client(port_of(s.url), "127.0.0.1")
        st, _, _ = request(s.url, "GET", "/healthz")
        before = cpu_seconds(s.proc.pid)
        time.sleep(3)  # the measurement window, not a wait for a condition
        used = cpu_seconds(s.proc.pid) - before
        t.ok(st == 200 and used < 0.25,
             "an idle server with an open connection uses < 0.25 s of CPU in 3 s",
             "used %.2f s" % used)
    finally:
        if c is not None:
            c.close()
        s.stop()


def test_header_size():
    """Headers of up to about 7.5 KiB in all are served (docs/api.md); more answers 431 and the
    server goes on serving."""
    s = Server(EXE)
    try:
        st, _, _ = request(s.url, "GET", "/healthz", headers={"X-Pad": "x" * 7000})
        t.eq(st, 200, "a request with 7000 bytes of headers is served")
        st, _, _ = request(s.url, "GET", "/healthz", headers={"X-Pad": "x" * 9000})
        t.eq(st, 431, "a request with 9000 bytes of headers: 431")
        st, _, body = request(s.url, "GET", "/healthz")
        t.ok(st == 200 and body == {"status": "ok"}, "the server still answers afterwards")
    finally:
        s.stop()


def test_nul_path():
    s = Server(EXE)
    try:
        tok = login(s.url)["AuthToken"]
        keyid, _ = rotgen(ROTGEN, "0A04F008003C9623", 5, 16)
        st, _, _ = request(s.url, "POST", "/v1/GetPSK", {"KeyID": keyid},
                           {"Authorization": tok})
        t.eq(st, 200, "control: GetPSK answers 200")
        st, _, _ = request(s.url, "POST", "/v1/GetPSK%00/anything", {"KeyID": keyid},
                           {"Authorization": tok})
        t.eq(st, 404, "/v1/GetPSK%00/anything does not reach GetPSK (404)")
    finally:
        s.stop()


def test_fifo_reload():
    d = tempfile.mkdtemp(prefix="ukms-fakeapi-fifo-")
    path = os.path.join(d, "platform.json")
    write_demo_platform(ROTGEN, path)
    s = Server(EXE, "--platform", path, "--admin-listen", "127.0.0.1:0")
    try:
        os.unlink(path)
        os.mkfifo(path, 0o600)
        mark = len(s.log())
        s.signal(signal.SIGHUP)
        t.ok(wait_until(lambda: "not a regular file" in s.log()[mark:], timeout=10),
             "SIGHUP with a FIFO as platform file: refused with a clear message", s.log())
        st, _, body = request(s.admin_url, "GET", "/admin/devices")
        t.ok(st == 200 and len(body["devices"]) >= 13, "admin still answers")
        s.signal(signal.SIGTERM)
        try:
            rc = s.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 (TimeoutExpired: report, stop() kills)
            rc = None
        t.eq(rc, 0, "SIGTERM still stops the server")
    finally:
        s.stop()
        os.unlink(path)
        os.rmdir(d)


test_slow_clients()
test_idle_cpu()
test_header_size()
test_nul_path()
test_fifo_reload()
t.done()
