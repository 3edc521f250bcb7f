# SPDX-License-Identifier: Apache-2.0
"""Shared by the ukms-sim --fleet tests (fleet.py, console_fleet.py, control_fleet*.py)."""
import atexit
import json
import os
import select
import shutil
import subprocess
import tempfile
import time

from sock_lib import stop_process


def fleet_doc(secret_byte, count=10):
    """A platform document: account "a", no explicit devices, fleet "load" of count
    SARA-R510M8S devices; secret_byte ("33") repeated makes the platform secret."""
    return {"version": 1, "platform_secret": secret_byte * 32,
            "accounts": [{"name": "a", "api_key": "k", "api_secret": "s"}], "devices": [],
            "fleets": [{"name": "load", "account": "a", "model": "SARA-R510M8S",
                        "count": count}]}


def platform(doc, prefix):
    """A mkdtemp directory holding doc as platform.json (mode 0600): (dir, path)."""
    d = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, d, True)  # removed when the test exits
    path = os.path.join(d, "platform.json")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        json.dump(doc, f)
    return d, path


def stop(p):
    """SIGTERM, then SIGKILL after 10 s; returns the child's stderr."""
    stop_process(p, grace_s=10)
    return p.stderr.read().decode(errors="replace")


def with_luhn(digits):
    """digits followed by their Luhn check digit (an IMEI from its first 14 digits)."""
    odd = sum(int(c) for c in digits[-2::-2])
    even = sum(sum(divmod(2 * int(c), 10)) for c in digits[::-1][::2])
    return digits + str(-(odd + even) % 10)


def explicit_devices(n, account="a", model="SARA-R510M8S"):
    """n distinct explicit platform devices (not in the fleet-reserved ranges)."""
    return [{"rot_uid": "0B%014X" % i, "imei": with_luhn("35%012d" % i),
             "imsi": "00101%010d" % i, "iccid": "8900101%011d1" % i, "model": model,
             "account": account} for i in range(n)]


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return next(int(ln.split()[1]) for ln in f if ln.startswith("VmRSS:"))


def start_control(exe, args, sock, timeout):
    """ukms-sim --headless --ephemeral --control sock + args, once it has printed its device
    line and the socket exists (stdout and stderr are pipes: read stderr with stop())."""
    p = subprocess.Popen([exe, "--headless", "--ephemeral", "--reg-delay-ms", "10",
                          "--log-level", "error", "--control", sock] + args,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    buf, deadline = b"", time.monotonic() + timeout
    while b"ukms-sim: device " not in buf and time.monotonic() < deadline:
        r, _, _ = select.select([p.stdout], [], [], 0.2)
        if r:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
    while not os.path.exists(sock) and time.monotonic() < deadline:
        time.sleep(0.02)
    return p


def ask(ctl, op, args=None, timeout=20.0, **envelope):
    """One raw request on a ukms_sim.Control with envelope keys ("modem"): the response."""
    req = dict(id=ctl.next_id, op=op, **envelope)
    ctl.next_id += 1
    if args:
        req["args"] = args
    ctl.send_raw(json.dumps(req).encode() + b"\n")
    return ctl.response(timeout)


def result(resp):
    return resp.get("result") if resp.get("ok") else None
