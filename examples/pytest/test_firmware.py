#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A firmware-style test against ukms-sim (docs/control.md, docs/testing.md): the device
attaches, opens a TLS-PSK socket and sends a reading in two parts; the test drops the
network in the middle through the control socket; the firmware sees the URC, closes the
socket, waits for the network, reconnects and sends the rest.

Runs under pytest (fixtures in conftest.py):
    UKMS_SIM=build/sim/ukms-sim pytest examples/pytest
and without it, printing TAP (how the ukms suite runs it, so pytest is not a dependency):
    python3 examples/pytest/test_firmware.py build/sim/ukms-sim
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'python'))
sys.path.insert(0, HERE)

from firmware import Firmware  # noqa: E402

PART1 = b'reading 1/2: t=21.5C h=40%;'
PART2 = b'reading 2/2: battery=3.61V;'


def test_attach_and_identity(ukms_sim):
    fw = Firmware(ukms_sim.host)
    fw.boot()
    fw.wait_registered()
    imei = fw.ok('AT+CGSN')[0]
    assert ukms_sim.ctl('status')['device']['imei'] == imei
    # The side channel answers the same without a byte on the firmware's pty.
    assert ukms_sim.at('AT+CGSN') == ([imei], 'OK')


def test_tls_upload_survives_a_network_drop(ukms_sim, tls_server):
    fw = Firmware(ukms_sim.host)
    fw.boot()
    fw.wait_registered()
    fw.tls_profile()
    fw.connect(tls_server.port)
    assert fw.send(PART1)
    assert tls_server.read(len(PART1)) == PART1

    ukms_sim.ctl('network', action='detach')        # the cell goes away mid-transfer
    ukms_sim.host.read_line(r'\+CEREG: 2')           # what the firmware is told
    assert ukms_sim.wait_urc(r'\+CEREG: 2')          # ...and what the test saw queued
    st = ukms_sim.ctl('status')
    assert not st['attached'] and st['contexts'] == []
    fw.close()

    ukms_sim.ctl('network', action='attach')         # coverage is back
    fw.wait_registered()
    fw.connect(tls_server.port)                      # a new TLS session
    socks = ukms_sim.ctl('status')['sockets']
    assert [s['secure'] for s in socks] == [True] and socks[0]['state'] == 'connected'
    assert fw.send(PART2)
    assert tls_server.read(len(PART1 + PART2)) == PART1 + PART2
    fw.close()


def test_roaming_is_reported(ukms_sim):
    fw = Firmware(ukms_sim.host)
    fw.boot()
    fw.wait_registered()
    ukms_sim.ctl('network', action='roam')
    ukms_sim.host.read_line(r'\+CEREG: 5')
    assert fw.ok('AT+CEREG?') == ['+CEREG: 1,5']


def main(argv):
    """The same tests without pytest: fixtures made by hand, TAP on stdout."""
    from tls_server import TlsServer
    from ukms_sim import Sim
    import inspect
    import traceback

    os.environ['UKMS_SIM'] = argv[1]
    tests = [test_attach_and_identity, test_tls_upload_survives_a_network_drop,
             test_roaming_is_reported]
    failed = 0
    for n, fn in enumerate(tests, 1):
        params = inspect.signature(fn).parameters
        try:
            with Sim() as sim:  # raises if the simulator exits badly (sanitizer report)
                srv = TlsServer() if 'tls_server' in params else None
                try:
                    made = {'ukms_sim': sim, 'tls_server': srv}
                    fn(**{k: made[k] for k in params})
                finally:
                    if srv is not None:
                        srv.stop()
            print('ok %d - %s' % (n, fn.__name__))
        except Exception:  # noqa: BLE001 - any failure fails the point
            failed += 1
            print('not ok %d - %s' % (n, fn.__name__))
            print('\n'.join('# ' + ln for ln in traceback.format_exc().splitlines()))
        sys.stdout.flush()
    print('1..%d' % len(tests))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
