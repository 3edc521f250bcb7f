# SPDX-License-Identifier: Apache-2.0
"""Shared by the ukms-sim --fleet tests (fleet.py, console_fleet.py, control_fleet.py)."""
import json
import os
import tempfile

from sock_lib import stop_process


def platform(doc, prefix):
    """A mkdtemp directory holding doc as platform.json (mode 0600): (dir, path)."""
    d = tempfile.mkdtemp(prefix=prefix)
    path = os.path.join(d, "platform.json")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        json.dump(doc, f)
    return d, path


def stop(p):
    """SIGTERM, then SIGKILL after 10 s; returns the child's stderr."""
    stop_process(p, grace_s=10)
    return p.stderr.read().decode(errors="replace")
