# SPDX-License-Identifier: Apache-2.0
"""pytest fixtures: `ukms_sim` (from python/ukms_sim.py: a fresh simulator with a control
socket, $UKMS_SIM) and `tls_server` (openssl s_server with the firmware's PSK)."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'python'))
sys.path.insert(0, HERE)

from ukms_sim import ukms_sim  # noqa: E402,F401  (the fixture)
from tls_server import TlsServer  # noqa: E402


@pytest.fixture
def tls_server():
    srv = TlsServer()
    yield srv
    srv.stop()
