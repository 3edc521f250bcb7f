#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Behaviour a host library checks against the real module (issue 10 item 6), over the pty:

- +UMNOPROF=<n> is kept in the NVM for every value, 0 included: read back after AT+CFUN=15
  and AT+CFUN=16 resets and after a restart of ukms-sim on the same --state-dir (every value
  on SARA-R5 with AT+CFUN=16, 0 and 201 on SARA-R410M with AT+CFUN=15);
- +CCLK keeps the time zone it was set with ("yy/MM/dd,hh:mm:ss+zz", quarter hours);
- +USECMNG: the MD5 is of the DER the module stores (PEM and DER imports alike), compared with
  hashlib over `openssl x509 -outform DER`; +USECMNG=3 lists the expiry as
  "YYYY/MM/DD HH:MM:SS", compared with `openssl x509 -enddate`;
- APNs: a context whose APN the network does not serve is refused (+CGACT, +UPSDA, the default
  bearer at attach) with +CME ERROR 127 (u-blox: 100 + ESM cause) and +CEER ESM cause 27; the empty APN is the network's
  default APN; --apn LIST sets what the network serves; a bad --apn stops ukms-sim at start.

Usage: test_fidelity.py UKMS_SIM        (TAP on stdout)
"""
import base64
import calendar
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chat import Sim, Tap, command, prompt_send, resync, wait_for  # noqa: E402

MNO_VALUES = (0, 1, 2, 3, 19, 90, 100, 201, 0)


def start(exe, args):
    sim = Sim(exe, args)
    command(sim, 'ATE0')
    command(sim, 'AT+CMEE=2')
    return sim


def test_mnoprof(tap, exe, model, reboot, values):
    state = tempfile.mkdtemp(prefix='ukms-mno-')
    try:
        sim = start(exe, ['--state-dir', state, '--model', model])
        try:
            got = command(sim, 'AT+UMNOPROF?')
            tap.point(got == ['+UMNOPROF: 100' if model.startswith('SARA-R5') else
                              '+UMNOPROF:100', 'OK'],
                      '%s: factory +UMNOPROF is 100' % model, repr(got))
            colon = ': ' if model.startswith('SARA-R5') else ':'
            for n in values:
                ok = command(sim, 'AT+CFUN=4') == ['OK'] and \
                    command(sim, 'AT+UMNOPROF=%d' % n) == ['OK'] and \
                    command(sim, 'AT+CFUN=%d' % reboot) == ['OK'] and resync(sim)
                got = command(sim, 'AT+UMNOPROF?')
                tap.point(ok and got == ['+UMNOPROF%s%d' % (colon, n), 'OK'],
                          '%s: +UMNOPROF=%d read back after AT+CFUN=%d' % (model, n, reboot),
                          repr(got))
        finally:
            sim.close()
        sim = start(exe, ['--state-dir', state, '--model', model])
        try:
            got = command(sim, 'AT+UMNOPROF?')
            tap.point(got == ['+UMNOPROF%s0' % colon, 'OK'],
                      '%s: +UMNOPROF 0 read back after a restart' % model, repr(got))
        finally:
            sim.close()
    finally:
        shutil.rmtree(state, ignore_errors=True)


def cclk_seconds(text):
    """'yy/MM/dd,hh:mm:ss+zz' -> (UTC seconds, zone in quarter hours)."""
    m = re.fullmatch(r'(\d\d)/(\d\d)/(\d\d),(\d\d):(\d\d):(\d\d)([+-])(\d\d)', text)
    if m is None:
        return None, None
    v = [int(x) for x in m.groups()[:6]]
    tz = int(m.group(8)) * (1 if m.group(7) == '+' else -1)
    local = calendar.timegm((2000 + v[0], v[1], v[2], v[3], v[4], v[5]))
    return local - tz * 900, tz


def test_cclk(tap, sim):
    for text in ('24/02/29,23:00:00+08', '23/12/31,10:15:00-20', '25/06/01,12:00:00+00',
                 '30/01/01,00:00:00+96'):
        want, tz = cclk_seconds(text)
        ok = command(sim, 'AT+CCLK="%s"' % text) == ['OK']
        got = command(sim, 'AT+CCLK?')
        m = got and re.fullmatch(r'\+CCLK: "(.*)"', got[0])
        secs, tz_got = cclk_seconds(m.group(1)) if m else (None, None)
        tap.point(ok and got[-1] == 'OK' and tz_got == tz and abs(secs - want) <= 5,
                  '+CCLK set "%s" reads back in zone %+d (quarter hours)' % (text, tz),
                  repr(got))
    for bad in ('24/02/29,23:00:00+97', '24/13/01,00:00:00+00', '24/02/29,23:00:00 08'):
        got = command(sim, 'AT+CCLK="%s"' % bad)
        tap.point(got == ['+CME ERROR: incorrect parameters'],
                  '+CCLK "%s" refused' % bad, repr(got))


def openssl(*args, cwd):
    return subprocess.run(['openssl'] + list(args), cwd=cwd, check=True, capture_output=True,
                          timeout=30).stdout


def import_item(sim, op_type, name, data):
    """AT+USECMNG=0,<type>,"<name>",<len> -> '>' -> bytes; returns the answer lines."""
    return prompt_send(sim, 'AT+USECMNG=0,%d,"%s",%d' % (op_type, name, len(data)), data)


def test_usecmng(tap, sim):
    tmp = tempfile.mkdtemp(prefix='ukms-cert-')
    try:
        openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
                '-nodes', '-keyout', 'key.pem', '-out', 'ca.pem', '-subj', '/CN=Fidelity CA',
                '-days', '400', cwd=tmp)
        openssl('x509', '-in', 'ca.pem', '-outform', 'DER', '-out', 'ca.der', cwd=tmp)
        end = openssl('x509', '-in', 'ca.pem', '-noout', '-enddate', cwd=tmp).decode()
        end = time.strptime(end.strip().split('=', 1)[1], '%b %d %H:%M:%S %Y GMT')
        expiry = time.strftime('%Y/%m/%d %H:%M:%S', end)
        pem = open(os.path.join(tmp, 'ca.pem'), 'rb').read()
        der = open(os.path.join(tmp, 'ca.der'), 'rb').read()
        key = open(os.path.join(tmp, 'key.pem'), 'rb').read()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    der_md5 = hashlib.md5(der).hexdigest()
    got = import_item(sim, 0, 'pemca', pem)
    tap.point(got == ['+USECMNG: 0,0,"pemca","%s"' % der_md5, 'OK'],
              '+USECMNG PEM import: MD5 of the DER form (openssl x509 -outform DER)', repr(got))
    got = command(sim, 'AT+USECMNG=4,0,"pemca"')
    tap.point(got == ['+USECMNG: 4,0,"pemca","%s"' % der_md5, 'OK'],
              '+USECMNG=4 of the PEM import: the same DER MD5', repr(got))
    got = import_item(sim, 0, 'derca', der)
    tap.point(got == ['+USECMNG: 0,0,"derca","%s"' % der_md5, 'OK'],
              '+USECMNG DER import of the same certificate: the same MD5', repr(got))
    body = b''.join(l for l in key.splitlines() if not l.startswith(b'-----'))
    key_md5 = hashlib.md5(base64.b64decode(body)).hexdigest()
    got = import_item(sim, 2, 'pk', key)
    tap.point(got == ['+USECMNG: 0,2,"pk","%s"' % key_md5, 'OK'],
              '+USECMNG PEM key import: MD5 of the DER body', repr(got))
    got = command(sim, 'AT+USECMNG=3')
    want = '"CA","derca","Fidelity CA","%s"' % expiry
    dates = [re.findall(r'"([^"]*)"', line)[-1] for line in (got or [])[:-1]
             if line.startswith('"CA"')]
    tap.point(got is not None and want in got and all(len(d) == 19 for d in dates),
              '+USECMNG=3 lists the expiry as "YYYY/MM/DD HH:MM:SS" (%s)' % expiry, repr(got))


def attach(sim):
    """Radio on and wait until registered. The module may have registered on its own before
    AT+CEREG=1 was taken (a loaded machine): then no URC comes, so ask AT+CEREG? as well."""
    command(sim, 'AT+CEREG=1')
    command(sim, 'AT+CFUN=1')
    until = time.monotonic() + 15.0
    while time.monotonic() < until:
        got = command(sim, 'AT+CEREG?') or []
        if any(re.fullmatch(r'\+CEREG: ?1,[15]', ln) for ln in got):
            return True
        if wait_for(sim, r'\+CEREG: ?[15]', 0.5) is not None:
            return True
    return False


def test_apn_default(tap, exe):
    sim = start(exe, ['--ephemeral'])
    try:
        tap.point(attach(sim), 'registered with the default APN list')
        got = command(sim, 'AT+CGACT?')
        tap.point(got == ['+CGACT: 1,1', 'OK'], 'default bearer up with the empty APN',
                  repr(got))
        got = command(sim, 'AT+CGCONTRDP=1')
        tap.point(bool(got) and got[0].startswith('+CGCONTRDP: 1,5,"internet",'),
                  'the empty APN is the network default APN "internet"', repr(got))
        got = command(sim, 'AT+CEER')
        tap.point(got == ['+CEER: "EMM cause",0,"No cause information available"', 'OK'],
                  '+CEER: no cause before a failure', repr(got))
        command(sim, 'AT+CGDCONT=2,"IP","nope.example"')
        got = command(sim, 'AT+CGACT=1,2')
        tap.point(got == ['+CME ERROR: Missing or unknown APN'],
                  '+CGACT with an APN the network does not serve fails', repr(got))
        got = command(sim, 'AT+CEER')
        tap.point(got == ['+CEER: "ESM cause",27,"Missing or unknown APN"', 'OK'],
                  '+CEER: ESM cause 27 "missing or unknown APN"', repr(got))
        got = command(sim, 'AT+CMEE=1')
        got = command(sim, 'AT+CGACT=1,2')
        tap.point(got == ['+CME ERROR: 127'], 'numeric: +CME ERROR: 127', repr(got))
        command(sim, 'AT+CMEE=2')
        ok = command(sim, 'AT+UPSD=0,0,0') == ['OK'] and \
            command(sim, 'AT+UPSD=0,100,2') == ['OK']
        got = command(sim, 'AT+UPSDA=0,3')
        tap.point(ok and got == ['+CME ERROR: Missing or unknown APN'],
                  '+UPSDA activation of that context fails too', repr(got))
        tap.point(wait_for(sim, r'\+UUPSDA.*', 0.5) is None, 'and no +UUPSDA follows')
        command(sim, 'AT+CGDCONT=2,"IP","INTERNET"')
        got = command(sim, 'AT+UPSDA=0,3')
        line = wait_for(sim, r'\+UUPSDA: .*')
        tap.point(got == ['OK'] and line is not None and line.startswith('+UUPSDA: 0,"10.64'),
                  'a served APN (any case) activates', repr((got, line)))
        # the host's connect: CGDCONT cid 1 with its APN before the radio goes on
        command(sim, 'AT+CFUN=4')
        command(sim, 'AT+CGDCONT=1,"IP","wrong"')
        tap.point(attach(sim), 'registers with a wrong APN on cid 1')
        got = command(sim, 'AT+CGACT?')
        tap.point(got == ['+CGACT: 1,0', '+CGACT: 2,0', 'OK'],
                  'but the default bearer is refused', repr(got))
        got = command(sim, 'AT+CGACT=1,1')
        tap.point(got == ['+CME ERROR: Missing or unknown APN'],
                  '+CGACT=1,1 then fails as on a live network', repr(got))
    finally:
        tap.point(sim.close() == 0, 'ukms-sim exits 0')


def test_apn_option(tap, exe):
    sim = start(exe, ['--ephemeral', '--apn', 'iot.example,second'])
    try:
        tap.point(attach(sim), '--apn iot.example,second: registered')
        got = command(sim, 'AT+CGCONTRDP=1')
        tap.point(bool(got) and got[0].startswith('+CGCONTRDP: 1,5,"iot.example",'),
                  'the first listed APN is the network default', repr(got))
        results = []
        for apn in ('internet', 'IOT.example', 'second'):
            command(sim, 'AT+CGDCONT=2,"IP","%s"' % apn)
            results.append(command(sim, 'AT+CGACT=1,2'))
            command(sim, 'AT+CGACT=0,2')
        tap.point(results == [['+CME ERROR: Missing or unknown APN'], ['OK'], ['OK']],
                  '"internet" refused, the listed APNs accepted', repr(results))
    finally:
        tap.point(sim.close() == 0, 'ukms-sim exits 0')
    for bad in ('', 'a b', 'x,,y', 'a' * 100, ','.join(['a'] * 17)):
        p = subprocess.run([exe, '--headless', '--ephemeral', '--apn', bad],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
        tap.point(p.returncode != 0 and b'--apn' in p.stderr,
                  'bad --apn %r refused at start' % bad[:20], repr(p.stderr))


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    exe = argv[1]
    state = tempfile.mkdtemp(prefix='ukms-fidelity-')
    os.environ['XDG_STATE_HOME'] = state
    tap = Tap()
    try:
        test_mnoprof(tap, exe, 'SARA-R510M8S', 16, MNO_VALUES)
        test_mnoprof(tap, exe, 'SARA-R410M-63B', 15, (0, 201, 0))
        sim = start(exe, ['--ephemeral'])
        try:
            test_cclk(tap, sim)
            test_usecmng(tap, sim)
        finally:
            tap.point(sim.close() == 0, 'ukms-sim exits 0')
        test_apn_default(tap, exe)
        test_apn_option(tap, exe)
    finally:
        shutil.rmtree(state, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
