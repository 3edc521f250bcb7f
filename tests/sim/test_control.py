#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The control socket (docs/control.md), every op through the socket, with the client of
python/ukms_sim.py. Usage: test_control.py UKMS_SIM [UKMS_CTL]   (TAP on stdout)."""
import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'python'))
from ukms_sim import Control, ControlError, Sim  # noqa: E402

EXE = None
CTL = None
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def expect_error(code, fn, *a, **kw):
    try:
        fn(*a, **kw)
    except ControlError as e:
        assert e.code == code, 'want %s, got %s (%s)' % (code, e.code, e.message)
        return e
    raise AssertionError('no error, want %s' % code)


def wait_for(cond, what, timeout=10.0):
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError('timed out waiting for ' + what)


@test
def socket_file_rules():
    with Sim(EXE) as sim:
        st = os.lstat(sim.sock_path)
        assert stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600, oct(st.st_mode)
        path = sim.sock_path
    assert not os.path.exists(path), 'socket left behind on exit'
    d = tempfile.mkdtemp(prefix='ukms-ctl-')
    try:
        plain = os.path.join(d, 'file')
        open(plain, 'w').close()
        p = subprocess.run([EXE, '--headless', '--ephemeral', '--control', plain],
                           capture_output=True, timeout=20)
        assert p.returncode == 2 and b'not a socket' in p.stderr, p
        assert os.path.exists(plain)
        stale = os.path.join(d, 'stale.sock')
        s = socket.socket(socket.AF_UNIX)
        s.bind(stale)
        s.close()  # bound, never listened: a stale socket file
        with Sim(EXE, sock_path=stale) as sim:
            assert sim.ctl('status')['model']
        assert not os.path.exists(stale)
    finally:
        subprocess.run(['rm', '-rf', d])


@test
def status_fields():
    with Sim(EXE) as sim:
        sim.control.wait_state('pdp_up 1')
        st = sim.ctl('status')
        for key in ('model', 'device', 'sealed', 'bootstrapped', 'cfun', 'registration',
                    'attached', 'contexts', 'sockets', 'faults', 'pty'):
            assert key in st, key
        assert st['pty'] == sim.path
        assert st['registration']['cereg'] == 1 and st['attached'] and st['cfun'] == 1
        assert st['contexts'][0]['cid'] == 1 and st['contexts'][0]['ip'].startswith('10.64.')
        lines, final = sim.at('AT+CGSN')
        assert final == 'OK' and lines == [st['device']['imei']], lines


@test
def at_channel_leaves_the_pty_alone():
    with Sim(EXE) as sim:
        assert sim.host.command('ATE0')[1] == 'OK'
        lines, final = sim.at('AT+CMEE=2')
        assert final == 'OK'
        lines, final = sim.at('AT+USOCL=9')
        assert final.startswith('+CME ERROR: ') and not final[12:].isdigit(), final
        assert sim.host.silent(0.3), 'the pty saw the control channel'
        # The host's own CMEE setting is its own.
        assert sim.host.command('AT+USOCL=9')[1] == 'ERROR'
        e = expect_error('bad_args', sim.at, 'AT\rAT')
        assert 'CR/LF' in e.message
        # A '>' prompt takes "data" (+UDWNFILE), then the file is there.
        assert sim.at('AT+UDWNFILE="ctl.txt",5', data='hello') == ([], 'OK')
        assert '+ULSTFILE: "ctl.txt"' in sim.at('AT+ULSTFILE=0')[0]
        e = expect_error('timeout', sim.at, 'AT+UDWNFILE="x.txt",5', timeout=0.3)
        assert sim.at('AT')[1] == 'OK', 'a fresh channel after a timeout'


@test
def at_given_up_while_the_command_runs():
    """A +USOCO still waiting for its TLS handshake when the `at` times out, or when its
    client disconnects: the command finishes later on a released channel, harmlessly."""
    srv = socket.socket()
    srv.bind(('127.0.0.1', 0))
    srv.listen(4)  # accepts TCP, never speaks TLS: the handshake waits
    port = srv.getsockname()[1]
    try:
        with Sim(EXE) as sim:
            for line in ('AT+USECPRF=0,8,"000102030405060708090A0B0C0D0E0F",1',
                         'AT+USECPRF=0,9,"id"', 'AT+USOCR=6', 'AT+USOSEC=0,1,0',
                         'AT+USOCR=6', 'AT+USOSEC=1,1,0'):
                assert sim.at(line)[1] == 'OK', line
            expect_error('timeout', sim.at, 'AT+USOCO=0,"127.0.0.1",%d' % port, timeout=0.5)
            other = Control(sim.sock_path)
            other.send_raw(b'{"op":"at","args":{"line":"AT+USOCO=1,\\"127.0.0.1\\",%d"}}\n'
                           % port)
            conns = [srv.accept()[0] for _ in range(2)]
            other.close()  # gone while its command runs
            for c in conns:
                c.close()  # now both handshakes fail and their commands end
            wait_for(lambda: all(s['state'] != 'connecting'
                                 for s in sim.ctl('status')['sockets']), 'handshakes ended')
            assert sim.at('AT')[1] == 'OK' and sim.host.command('AT')[1] == 'OK'
    finally:
        srv.close()


@test
def bad_requests_keep_the_connection():
    with Sim(EXE) as sim:
        c = sim.control
        bad = [(b'not json', 'bad_request'), (b'[1,2]', 'bad_request'),
               (b'{"id":1}', 'bad_request'), (b'{"id":2,"op":"nope"}', 'unknown_op'),
               (b'{"id":3,"op":"network","args":{"action":"detach","x":1}}', 'bad_args'),
               (b'{"id":4,"op":"network","args":{"action":5}}', 'bad_args'),
               (b'{"id":5,"op":"network"}', 'bad_args'),
               (b'{"id":6,"op":"clock","args":{"advance_s":-1}}', 'bad_args'),
               (b'{"id":7,"op":"clock","args":{"advance_s":1.5}}', 'bad_args'),
               (b'{"id":8,"op":"network","args":{"action":"explode"}}', 'bad_args'),
               (b'{"id":9,"op":"network","args":{},"argv":["detach"]}', 'bad_request'),
               (b'\xff\xfe{', 'bad_request')]
        for line, code in bad:
            c.send_raw(line + b'\n')
            r = c.response()
            assert r['ok'] is False and r['error']['code'] == code, (line, r)
            assert r['error']['message'], r
        c.send_raw(b'{"op":"status","pad":"' + b'x' * 70000 + b'"}\n')
        r = c.response()
        assert r['error']['code'] == 'too_long', r
        assert c.call('status')['model'], 'connection unusable after errors'
        # Requests sent behind an overlong line in the same write are answered: only that line
        # is skipped (lines just over the limit end in the read that crosses it).
        for extra in (1, 10, 3000):
            long_line = b'{"op":"status","pad":"' + b'x' * (65536 + extra) + b'"}\n'
            c.send_raw(long_line + b'{"id":"after","op":"status"}\n')
            r = c.response()
            assert r['error']['code'] == 'too_long', r
            r = c.response()
            assert r.get('id') == 'after' and r['ok'], (extra, r)
        assert sim.host.command('AT')[1] == 'OK'


@test
def pipelined_in_order_and_several_clients():
    with Sim(EXE) as sim:
        c = sim.control
        reqs = [{'id': i, 'op': 'at', 'args': {'line': 'AT+CGMI'}} if i % 2 else
                {'id': i, 'op': 'status'} for i in range(20)]
        c.send_raw(b''.join(json.dumps(r).encode() + b'\n' for r in reqs))
        ids = [c.response()['id'] for _ in reqs]
        assert ids == list(range(20)), ids
        others = [Control(sim.sock_path) for _ in range(5)]
        try:
            for i, o in enumerate(others):
                o.send_raw(b'{"id":%d,"op":"at","args":{"line":"AT+CGMM"}}\n' % i)
            for i, o in enumerate(others):
                r = o.response()
                assert r['id'] == i and r['result']['final'] == 'OK', r
        finally:
            for o in others:
                o.close()


@test
def network_ops():
    with Sim(EXE) as sim:
        h = sim.host
        assert h.command('AT+CEREG=1')[1] == 'OK'
        sim.control.wait_state('pdp_up 1')
        sim.ctl('network', action='detach')
        h.read_line(r'\+CEREG: 2')
        r = sim.ctl('network', action='attach')
        assert r['coverage']
        h.read_line(r'\+CEREG: 1')
        sim.ctl('network', action='roam')
        h.read_line(r'\+CEREG: 5')
        assert sim.ctl('status')['registration']['cereg'] == 5
        sim.ctl('network', action='home')
        h.read_line(r'\+CEREG: 1')
        sim.ctl('network', action='deny')
        h.read_line(r'\+CEREG: 3')
        assert not sim.ctl('status')['attached']
        sim.ctl('network', action='attach')
        h.read_line(r'\+CEREG: 1')
        sim.control.wait_state('pdp_up 1')
        sim.ctl('network', action='signal', rsrp=-120, rsrq=-15)
        assert h.command('AT+CESQ')[0] == ['+CESQ: 99,99,255,255,10,21']
        assert h.command('AT+CSQ')[0] == ['+CSQ: 10,99']
        expect_error('bad_args', sim.ctl, 'network', action='signal', rsrp=-20)


@test
def urc_is_queued_between_responses():
    with Sim(EXE) as sim:
        h = sim.host
        assert h.command('ATE0')[1] == 'OK'
        for i in range(20):
            h.write('AT+CGMI;+CGMM;+CGMR\r')
            sim.ctl('urc', text='+UTEST: %d' % i)
        data = b''
        until = time.monotonic() + 10
        while data.count(b'+UTEST') < 20 or data.count(b'OK') < 20:
            assert h._fill(until), 'timed out: %r' % data
            data, h.rx = data + h.rx, b''
        for i in range(20):
            assert b'\r\n+UTEST: %d\r\n' % i in data, data
        lines = data.split(b'\r\n')
        assert all(ln.startswith(b'+UTEST: ') or b'UTEST' not in ln for ln in lines), data
        expect_error('bad_args', sim.ctl, 'urc', text='a\r\nb')
        sim.wait_urc(r'\+UTEST: 19')


@test
def reboot_and_power():
    with Sim(EXE) as sim:
        h = sim.host
        sim.ctl('reboot')
        sim.control.wait_state('reboot')
        sim.control.wait_state('ready')
        assert h.command('AT')[1] == 'OK'
        sim.ctl('power', state='off')
        sim.control.wait_state('power off')
        assert sim.ctl('status')['powered'] is False
        h.write('AT\r')
        assert h.silent(0.5), 'a powered-off module answered'
        expect_error('not_allowed', sim.at, 'AT')
        sim.ctl('power', state='on')
        sim.control.wait_state('ready')
        h.rx = b''
        assert h.command('AT')[1] == 'OK'


@test
def seal_and_bootstrap():
    with Sim(EXE) as sim:
        assert sim.at('AT+USECDEVINFO?')[0] == ['+USECDEVINFO: 1,1,1']
        r = sim.ctl('seal', action='reset')
        assert r['sealed'] is False and r['bootstrapped'] is False
        assert sim.at('AT+USECDEVINFO?')[0] == ['+USECDEVINFO: 0,0,0']
        sim.ctl('bootstrap', delay_ms=200)
        assert sim.at('AT+USECDEVINFO?')[0] == ['+USECDEVINFO: 0,0,0']
        sim.control.wait_state('bootstrapped')
        assert sim.at('AT+USECDEVINFO?')[0] == ['+USECDEVINFO: 1,0,1']
        expect_error('already', sim.ctl, 'bootstrap')
        sim.ctl('seal', action='seal')
        assert sim.at('AT+USECDEVINFO?')[0] == ['+USECDEVINFO: 1,1,1']
        sim.ctl('seal', action='unseal')
        assert sim.at('AT+USECDEVINFO?')[0] == ['+USECDEVINFO: 1,0,1']
        expect_error('bad_args', sim.ctl, 'seal', action='melt')


@test
def seal_reset_survives_a_restart():
    d = tempfile.mkdtemp(prefix='ukms-ctl-')
    try:
        args = ['--state-dir', d]
        with Sim(EXE, args=args) as sim:
            sim.ctl('seal', action='reset')
        with Sim(EXE, args=args) as sim:
            assert sim.at('AT+USECDEVINFO?')[0] == ['+USECDEVINFO: 0,0,0']
    finally:
        subprocess.run(['rm', '-rf', d])


@test
def clock_advances_time_and_rate_limit():
    with Sim(EXE) as sim:
        assert sim.at('AT+USECCONN')[1] == 'OK'
        assert sim.at('AT+CMEE=1')[1] == 'OK'
        assert sim.at('AT+USECCONN')[1].startswith('+CME ERROR'), 'rate limit'
        before = sim.ctl('status')['time']
        r = sim.ctl('clock', advance_s=86400)
        assert r['clock_advance_s'] == 86400 and r['time'] - before >= 86400
        assert sim.at('AT+USECCONN')[1] == 'OK', '24 h later +USECCONN works again'
        cclk = sim.at('AT+CCLK?')[0][0]
        want = time.strftime('%y/%m/%d', time.gmtime(time.time() + 86400))
        assert want in cclk, (cclk, want)
        # A timer that depends on time: the seal delay of AT+USECDEVINFO=... (60 s here).
    with Sim(EXE, args=['--seal-delay-ms', '60000']) as sim:
        sim.ctl('seal', action='unseal')
        assert sim.at('AT+USECDEVINFO="p","s"')[1] == 'OK'
        sim.ctl('clock', advance_s=61)
        sim.control.wait_state('sealed|clock.*', timeout=5)
        wait_for(lambda: sim.at('AT+USECDEVINFO?')[0] == ['+USECDEVINFO: 1,1,1'],
                 'seal after the clock advanced')


@test
def fault_ops():
    with Sim(EXE) as sim:
        listed = sim.ctl('faults')['faults']
        names = [f['name'] for f in listed]
        assert 'Q15' in names and len(names) >= 10, names
        assert all(f['help'] and f['on'] is False for f in listed)
        r = sim.ctl('fault', name='Q15', on=True)
        assert [f['name'] for f in r['faults']] == ['Q15']
        assert [f['name'] for f in sim.ctl('status')['faults']] == ['Q15']
        assert [f['on'] for f in sim.ctl('faults')['faults'] if f['name'] == 'Q15'] == [True]
        sim.ctl('fault', name='Q15', on=False)
        assert sim.ctl('status')['faults'] == []
        expect_error('not_found', sim.ctl, 'fault', name='Q99')
        with_params = [f for f in listed if f['params']][0]
        p = with_params['params'][0]
        sim.ctl('fault', name=with_params['name'], params={p['key']: p['max']})
        st = sim.ctl('status')['faults']
        assert st[0]['params'] == '%s=%d' % (p['key'], p['max']) or \
            ('%s=%d' % (p['key'], p['max'])) in st[0]['params'], st
        expect_error('bad_args', sim.ctl, 'fault', name=with_params['name'],
                     params={p['key']: p['max'] + 1})


@test
def every_fault_switches_through_the_socket():
    with Sim(EXE) as sim:
        for f in sim.ctl('faults')['faults']:
            sim.ctl('fault', name=f['name'], on=True)
            for p in f['params']:
                for v in (p['min'], p['max']):
                    r = sim.ctl('fault', name=f['name'], params={p['key']: v})
                    assert '%s=%d' % (p['key'], v) in r['faults'][-1]['params'] or \
                        any('%s=%d' % (p['key'], v) in a['params'] for a in r['faults']), r
                expect_error('bad_args', sim.ctl, 'fault', name=f['name'],
                             params={p['key']: p['max'] + 1})
            expect_error('bad_args', sim.ctl, 'fault', name=f['name'], params={'nope': 1})
            sim.ctl('fault', name=f['name'], on=False)
        assert sim.ctl('status')['faults'] == []
        sim.ctl('reboot')  # `hang` stays hung until a reboot, even when switched off
        sim.control.wait_state('ready')
        sim.host.rx = b''
        assert sim.host.command('AT')[1] == 'OK'


@test
def faults_take_effect_at_run_time():
    with Sim(EXE) as sim:
        h = sim.host
        assert h.command('ATE0')[1] == 'OK'
        sim.ctl('fault', name='latency', params={'ms': 400})
        t0 = time.monotonic()
        assert h.command('AT')[1] == 'OK'
        assert time.monotonic() - t0 >= 0.35, 'latency fault switched on by the socket'
        sim.ctl('fault', name='latency', on=False)
        sim.ctl('fault', name='hang')
        h.write('AT\r')
        assert h.silent(0.5), 'hang: the module still answers'
        sim.ctl('fault', name='hang', on=False)
        sim.ctl('reboot')
        sim.control.wait_state('ready')
        h.rx = b''
        assert h.command('AT')[1] == 'OK', 'a reboot through the socket ends the hang'


@test
def subscribe_at_follows_the_host():
    with Sim(EXE) as sim:
        c = sim.control
        c.subscribe('at')
        sim.host.write('AT+CGMI\r')
        rx = c.wait_event(lambda e: e['event'] == 'at' and e['dir'] == 'rx')
        assert 'AT+CGMI' in rx['data'] and isinstance(rx['t'], int)
        tx = c.wait_event(lambda e: e['event'] == 'at' and e['dir'] == 'tx' and
                          'OK' in e['data'])
        assert tx['data'].endswith('OK\r\n')
        expect_error('bad_args', c.subscribe, 'everything')
        c.subscribe()  # none
        sim.host.command('AT')
        assert c.call('status') and not [e for e in c.events if e['event'] == 'at' and
                                         'AT\r' == e['data']]


def drain(client):
    """Reads what the simulator has sent until it pauses for 0.5 s."""
    client.sock.settimeout(0.5)
    try:
        while True:
            chunk = client.sock.recv(1 << 20)
            if not chunk:
                break
            client.rx += chunk
    except (socket.timeout, BlockingIOError):
        pass


@test
def slow_reader_does_not_stall_the_modem():
    with Sim(EXE) as sim:
        slow = Control(sim.sock_path)
        slow.subscribe('at')  # and then it stops reading
        h = sim.host
        assert h.command('ATE0')[1] == 'OK'
        big = 'AT' + ';+CGMI' * 300
        t0 = time.monotonic()
        sent = 0
        while sent < 8 * 1024 * 1024:  # far more events than the socket and the cap hold
            lines, final = h.command(big)
            assert final == 'OK' and len(lines) == 300
            sent += 2 * len(big) + 12 * 300
        assert time.monotonic() - t0 < 25, 'the host was slowed down'
        assert sim.ctl('status')['model'], 'another client is served'
        # Now it reads: the events come, and the next one says how many were dropped.
        dropped = 0
        drain(slow)
        assert h.command('AT')[1] == 'OK'
        drain(slow)
        for line in slow.rx.split(b'\n')[:-1]:
            ev = json.loads(line)
            dropped += ev.get('dropped', 0)
        assert len(slow.rx) <= 1024 * 1024 + 300 * 2 * 65536, len(slow.rx)
        assert dropped > 0, 'a reader that stopped reading lost nothing?'
        slow.close()


@test
def console_words_form_over_the_socket():
    with Sim(EXE) as sim:
        c = sim.control
        c.send_raw(b'{"id":1,"op":"network","argv":["signal","rsrp=-101"]}\n')
        r = c.response()
        assert r['ok'] and r['result']['signal']['rsrp'] == -101, r
        c.send_raw(b'{"id":2,"op":"fault","argv":["Q15","on"]}\n')
        assert c.response()['result']['faults'][0]['name'] == 'Q15'
        c.send_raw(b'{"id":3,"op":"urc","argv":["+UX:","1"]}\n')
        assert c.response()['ok']
        sim.wait_urc(r'\+UX: 1')
        c.send_raw(b'{"id":4,"op":"ops"}\n')
        assert len(c.response()['result']['ops']) >= 13
        # The flat form: arguments beside "op" (as in docs/faults.md).
        c.send_raw(b'{"id":5,"op":"fault","name":"Q18","on":true,"params":{"pct":50}}\n')
        r = c.response()
        assert r['ok'] and 'Q18' in [f['name'] for f in r['result']['faults']], r
        c.send_raw(b'{"id":6,"op":"fault","name":"Q18","args":{"on":false}}\n')
        assert c.response()['error']['code'] == 'bad_request'


def ctl(sim, *words):
    p = subprocess.run([CTL, '-s', sim.sock_path] + list(words), capture_output=True,
                       timeout=30)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


@test
def ukms_ctl():
    with Sim(EXE) as sim:
        rc, out, err = ctl(sim, 'status')
        assert rc == 0 and json.loads(out)['model'] == sim.ctl('status')['model'], (rc, err)
        rc, out, err = ctl(sim, 'network', 'detach')
        assert rc == 0 and json.loads(out)['coverage'] is False, (rc, out, err)
        assert sim.ctl('status')['coverage'] is False
        rc, out, err = ctl(sim, 'fault', 'Q15', 'on')
        assert rc == 0 and sim.ctl('status')['faults'][0]['name'] == 'Q15', (rc, err)
        rc, out, err = ctl(sim, 'fault', 'Q99', 'on')
        assert rc == 1 and 'not_found' in err, (rc, err)
        rc, out, err = ctl(sim, 'call', '{"op":"clock","args":{"advance_s":60}}')
        assert rc == 0 and json.loads(out)['clock_advance_s'] == 60, (rc, out, err)
        rc, out, err = ctl(sim, '--json', 'at', 'AT+CGSN')
        resp = json.loads(out)
        assert rc == 0 and resp['ok'] and resp['id'] == 1, out
        assert resp['result']['lines'] == [sim.ctl('status')['device']['imei']]
        rc, out, err = ctl(sim, 'urc', '+UX: 1,2')
        assert rc == 0, err
        sim.wait_urc(r'\+UX: 1,2')
        rc, out, err = ctl(sim, 'call', 'not json')
        assert rc == 2 and 'not a JSON object' in err, (rc, err)
        rc, out, err = ctl(sim, 'clock', 'soon')
        assert rc == 1 and 'bad_args' in err, (rc, err)
        follower = subprocess.Popen([CTL, '-s', sim.sock_path, '--json', 'subscribe', 'state'],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert json.loads(follower.stdout.readline())['result']['events'] == ['state']
            sim.ctl('network', action='attach')
            ev = json.loads(follower.stdout.readline())
            assert ev['event'] == 'state', ev
        finally:
            follower.terminate()
            follower.wait(10)
            follower.stdout.close()
            follower.stderr.close()
    p = subprocess.run([CTL, '-s', '/nonexistent/ukms.sock', 'status'], capture_output=True,
                       timeout=30)
    assert p.returncode == 2 and b'No such file' in p.stderr, p
    p = subprocess.run([CTL, '--help'], capture_output=True, timeout=30)
    assert p.returncode == 0 and b'Usage: ukms-ctl' in p.stdout
    p = subprocess.run([CTL, '-s', 'x'], capture_output=True, timeout=30)
    assert p.returncode == 2


def main(argv):
    global EXE, CTL
    EXE = argv[1]
    CTL = argv[2] if len(argv) > 2 else None
    if CTL is None:
        TESTS.remove(ukms_ctl)
    n = failed = 0
    for fn in TESTS:
        n += 1
        try:
            fn()
            print('ok %d - %s' % (n, fn.__name__))
        except Exception:  # noqa: BLE001 - every failure is a test failure
            failed += 1
            print('not ok %d - %s' % (n, fn.__name__))
            for line in traceback.format_exc().splitlines():
                print('# ' + line)
        sys.stdout.flush()
    print('1..%d' % n)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
