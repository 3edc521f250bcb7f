#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end: device -> customer server -> platform, all offline (issue 7).

    test_e2e.py UKMS_SIM UKMS_FAKEAPI UKMS_PSK_SERVER

(a) own stack: AT+USECPSK on the modem, openssl s_client as the device's own TLS stack, the
    reference server fetches the PSK from the fake API and echoes;
(b) module stack: +USECPRF op 8/9 with that pair, +USOCR/+USOSEC/+USOCO/+USOWR/+USORD;
(c) op 11: the RoT generates the pair inside the handshake;
(d) DTLS over UDP;
(e) refusals: another account's device, provisioning disabled, an expired token (renewed),
    the fake API down — the server says which, the modem answers a clean error.
TAP on stdout.
"""
import atexit
import json
import os
import re
import shutil
import sys
import tempfile
import time

import e2e_lib as e2e

SERVICES = []


def start(argv, name, listeners=1):
    svc = e2e.Service(argv, name, listeners)
    SERVICES.append(svc)
    return svc


def api_args(exe, *extra):
    return [exe, '--listen', '127.0.0.1:0'] + list(extra)


def server_args(exe, api, *extra):
    return [exe, '--listen', '127.0.0.1:0', '--api', 'http://127.0.0.1:%d' % api.port] + list(extra)


def usecpsk(md, length=16):
    m = md.query('AT+USECPSK=%d' % length, r'\+USECPSK: "([0-9A-F]{28})","([0-9A-F]{%d})"'
                 % (2 * length))
    md.tap.point(m is not None, 'AT+USECPSK=%d gives an identity and a PSK' % length)
    return (m.group(1).decode(), m.group(2).decode()) if m else (None, None)


def own_stack(tap, md, srv):
    ident, psk = usecpsk(md)
    if True:
        for what, extra in (('TLS 1.3', []), ('TLS 1.2 PSK-AES128-GCM-SHA256',
                                              ['-tls1_2', '-cipher', 'PSK-AES128-GCM-SHA256'])):
            if what != 'TLS 1.3':
                ident, psk = usecpsk(md)  # session-unique: a fresh pair per session
            out, err = e2e.s_client(ident, psk, srv.port, b'hello from the device\n', extra)
            tap.point(b'hello from the device' in out,
                      '(a) own stack, %s: s_client data echoes through ukms-psk-server' % what,
                      err.decode(errors='replace')[-600:])
            tap.point(srv.wait_log(r'session: identity %s, device 0A04F008003C9623' % ident),
                      '(a) %s: the server resolved the identity to the modem\'s RoT UID' % what,
                      srv.log()[-800:])
        return ident, psk


def module_stack(tap, md, srv, dtls_srv):
    ident, psk = usecpsk(md)
    if True:
        md.ok('AT+USECPRF=0,8,"%s",1' % psk, '(b) profile 0 op 8: the PSK (hex form)')
        md.ok('AT+USECPRF=0,9,"%s"' % ident, '(b) profile 0 op 9: the identity')
        md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n', '(b) TCP socket 0')
        md.ok('AT+USOSEC=0,1,0', '(b) TLS with profile 0 on socket 0')
        md.cmd('AT+USOCO=0,"127.0.0.1",%d' % srv.port, '\r\nOK\r\n',
               '(b) +USOCO completes the TLS-PSK handshake', 15000)
        e2e.echo_through_modem(md, 0, b'module stack says hi', '(b) echo')
        md.ok('AT+USOCL=0', '(b) close')
        tap.point(srv.wait_log(r'session: identity %s, device 0A04F008003C9623' % ident),
                  '(b) the server logged the session with the op 9 identity', srv.log()[-800:])

        md.ok('AT+USECPRF=1,11,1', '(c) profile 1 op 11: RoT PSK during the handshake')
        md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n', '(c) TCP socket 0 again')
        md.ok('AT+USOSEC=0,1,1', '(c) TLS with profile 1')
        md.cmd('AT+USOCO=0,"127.0.0.1",%d' % srv.port, '\r\nOK\r\n',
               '(c) handshake with a RoT-generated pair', 15000)
        e2e.echo_through_modem(md, 0, b'rot pair', '(c) echo')
        before = len(re.findall(r'session: identity', srv.log()))
        md.ok('AT+USOCL=0', '(c) close')
        srv.wait_log(r'(?s)(session: identity.*){%d}' % (before + 1))
        m = re.findall(r'session: identity ([0-9A-F]{28}), device 0A04F008003C9623', srv.log())
        tap.point(len(m) >= 1 and m[-1] != ident,
                  '(c) the server resolved a fresh RoT identity (not the op 9 one)', srv.log()[-800:])

        md.cmd('AT+USOCR=17', '\r\n+USOCR: 0\r\n\r\nOK\r\n', '(d) UDP socket 0')
        md.ok('AT+USOSEC=0,1,1', '(d) DTLS with profile 1 (RoT pair)')
        md.cmd('AT+USOCO=0,"127.0.0.1",%d' % dtls_srv.port, '\r\nOK\r\n',
               '(d) DTLS-PSK handshake (cookie exchange) with the DTLS server', 15000)
        e2e.echo_through_modem(md, 0, b'over dtls', '(d) echo')
        md.ok('AT+USOCL=0', '(d) close')
        tap.point(dtls_srv.wait_log(r'session: identity [0-9A-F]{28}, device 0A04F008003C9623'),
                  '(d) the DTLS server resolved the identity', dtls_srv.log()[-800:])


def refused_connect(tap, md, port, what):
    """+USOCO with profile 0 (op 11) must fail cleanly: an error result, a +USOER cause."""
    md.ok('AT+CMEE=2', what + ': verbose errors, as ubxlib sets them')
    md.ok('AT+USECPRF=0,11,1', what + ': profile 0 op 11')
    md.cmd('AT+USOCR=6', '\r\n+USOCR: 0\r\n\r\nOK\r\n', what + ': TCP socket')
    md.ok('AT+USOSEC=0,1,0', what + ': TLS on')
    md.send('AT+USOCO=0,"127.0.0.1",%d\r' % port)
    md.line(r'\+CME ERROR: .+', what + ': +USOCO answers a +CME ERROR', 15000)
    m = md.query('AT+USOER', r'\+USOER: (\d+)')
    tap.point(m is not None and int(m.group(1)) != 0, what + ': +USOER holds a cause')
    md.send('AT+USOCL=0\r')
    md.sim.expect_line(r'OK|\+CME ERROR.*', 5000)


def refusals(tap, sim_exe, api_exe, srv_exe, tmp):
    # A private copy of the demo platform so the admin listener may change it.
    plat = os.path.join(tmp, 'platform.json')
    with open(plat, 'w') as f:
        json.dump(e2e.demo_platform_json(), f)
    os.chmod(plat, 0o600)
    api = start(api_args(api_exe, '--platform', plat, '--admin-listen', '127.0.0.1:0',
                         '--token-ttl', '2'), 'api-admin', listeners=2)
    srv = start(server_args(srv_exe, api, '--cache-size', '0'), 'server-refusals')

    # Another account's device: the modem makes a valid pair, the API answers 404.
    md = sock_lib.Modem(sim_exe, tap, ['--platform', plat, '--device', '0A04F0080000000D'])
    try:
        refused_connect(tap, md, srv.port, '(e) device of another account')
        tap.point(srv.wait_log(r'identity [0-9A-F]{28}: unknown to the API \(404\)'),
                  '(e) the server says the identity is unknown to the API (404)', srv.log()[-800:])
    finally:
        md.close()

    # An expired token: the server renews it and the session still completes.
    md = sock_lib.Modem(sim_exe, tap, ['--platform', plat])
    try:
        ident, psk = usecpsk(md)
        out, err = e2e.s_client(ident, psk, srv.port, b'before expiry\n')
        tap.point(b'before expiry' in out, '(e) session with a fresh token', err.decode()[-400:])
        time.sleep(2.5)  # the token lives 2 s (--token-ttl 2); nothing to poll for here
        ident, psk = usecpsk(md)
        out, err = e2e.s_client(ident, psk, srv.port, b'after expiry\n')
        tap.point(b'after expiry' in out, '(e) session after the token expired',
                  err.decode()[-400:] + srv.log()[-600:])
        tap.point(len(re.findall(r'API authenticated', srv.log())) >= 2,
                  '(e) the server re-authenticated for an expired token', srv.log()[-800:])

        # Provisioning disabled after the pair was made: the API answers 403.
        ident, psk = usecpsk(md)
        code, body = admin_toggle(api, '0A04F008003C9623', False)
        tap.point(code == 200, '(e) admin: provisioning disabled for 0A04F008003C9623',
                  str(body))
        out, err = e2e.s_client(ident, psk, srv.port, b'x\n')
        tap.point(b'x' not in out and srv.wait_log(
            r'identity %s: API refused: provisioning disabled \(403\)' % ident),
            '(e) provisioning disabled: handshake refused, server says 403', srv.log()[-800:])
        admin_toggle(api, '0A04F008003C9623', True)

        # The fake API down: a clean error on the modem, the server says unreachable.
        api.stop()
        refused_connect(tap, md, srv.port, '(e) fake API down')
        tap.point(srv.wait_log(r'API unreachable'), '(e) the server says the API is unreachable',
                  srv.log()[-800:])
    finally:
        md.close()


def admin_toggle(api, uid, enabled):
    port = api.admin_port
    return e2e.http_json('http://127.0.0.1:%d/admin/devices/%s/provisioning' % (port, uid),
                         {'enabled': enabled})


def run_step(tap, step):
    try:
        step()
    except Exception as e:  # one failed point; the other steps still run
        tap.point(False, 'step raised %s: %s' % (type(e).__name__, e))


def main(argv):
    sim_exe, api_exe, srv_exe = argv[1:4]
    tap = chat.Tap()
    tmp = tempfile.mkdtemp(prefix='ukms-e2e-')
    atexit.register(shutil.rmtree, tmp, True)  # removed when the test exits
    try:
        api = start(api_args(api_exe), 'api')
        srv = start(server_args(srv_exe, api), 'server')
        dtls = start(server_args(srv_exe, api, '--dtls'), 'server-dtls')
        md = sock_lib.Modem(sim_exe, tap)
        try:
            for step in (lambda: own_stack(tap, md, srv),
                         lambda: module_stack(tap, md, srv, dtls)):
                run_step(tap, step)
        finally:
            md.close()
        run_step(tap, lambda: refusals(tap, sim_exe, api_exe, srv_exe, tmp))
    finally:
        for s in SERVICES:
            s.cleanup()
    return tap.done()


sock_lib = e2e.sock_lib
chat = e2e.chat

if __name__ == '__main__':
    sys.exit(main(sys.argv))
