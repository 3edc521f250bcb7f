#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The SIM's files and the module file system over the pty (issue 10 item 5):

- +CRSM READ BINARY / UPDATE BINARY of EF FPLMN (6F7B), EF IMSI (6F07) and EF ICCID (2FE2)
  with the UICC status words (144,0 ok; 103,0 wrong length, which ubxlib's FPLMN size probe
  reads; 105,130 no write access; 106,130 unknown file; 105,129 record access to a transparent
  file; 107,0 offset beyond the file; 109,0 unsupported instruction); EF IMSI and EF ICCID
  encoded from AT+CIMI and AT+CCID (3GPP 31.102, ETSI 102 221); EF FPLMN kept across
  AT+CFUN=16 and a restart on the same --state-dir; ubxlib's uCellSimFplmnListDelete dialogue;
- +URDFILE / +URDBLOCK give the raw bytes between quotes after their count (binary-safe:
  NUL, CR, LF and quotes inside), +ULSTFILE=0/1/2 list, free space and size, and a missing
  file is "+CME ERROR: FILE NOT FOUND" (1612) for each of them;
- the same on a SARA-R410M (no space after the colon, quirks Q20).

Usage: test_sim_files.py UKMS_SIM        (TAP on stdout)
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chat import Sim, Tap, command, prompt_send, resync  # noqa: E402

EMPTY_FPLMN = 'F' * 24
NEW_FPLMN = '00F110' + '130062' + 'FFFFFF' * 2  # 001-01 and 310-260


def start(exe, args):
    sim = Sim(exe, args)
    command(sim, 'ATE0')
    command(sim, 'AT+CMEE=2')
    return sim


def bcd_swapped(digits, size, first=None):
    nibbles = ([first] if first is not None else []) + [int(d) for d in digits]
    nibbles += [0xF] * (2 * size - len(nibbles))
    return ''.join('%X%X' % (nibbles[i + 1], nibbles[i]) for i in range(0, 2 * size, 2))


def crsm(sim, args):
    return command(sim, 'AT+CRSM=' + args)


def test_crsm(tap, sim):
    imsi = command(sim, 'AT+CIMI')[0]
    iccid = command(sim, 'AT+CCID')[0].split(':', 1)[1].strip().strip('"')
    want_imsi = '%02X' % ((len(imsi) + 2) // 2) + bcd_swapped(imsi, 8, 9 if len(imsi) % 2 else 1)
    cases = [
        ('176,28539,0,0,12', '+CRSM: 144,0,"%s"' % EMPTY_FPLMN, 'READ BINARY EF FPLMN: empty'),
        ('176,28539,0,0,20', '+CRSM: 103,0,""', 'READ 20 bytes of a 12-byte EF: 103,0 wrong length'),
        ('176,28539,0,12,1', '+CRSM: 107,0,""', 'offset beyond the file: 107,0'),
        ('176,28423,0,0,9', '+CRSM: 144,0,"%s"' % want_imsi, 'READ BINARY EF IMSI from AT+CIMI'),
        ('176,12258,0,0,10', '+CRSM: 144,0,"%s"' % bcd_swapped(iccid, 10),
         'READ BINARY EF ICCID from AT+CCID'),
        ('214,28423,0,0,1,"00"', '+CRSM: 105,130,""', 'UPDATE EF IMSI: 105,130 (no access)'),
        ('176,28569,0,0,4', '+CRSM: 106,130,""', 'unknown file 6F99: 106,130'),
        ('178,28539,1,4,3', '+CRSM: 105,129,""', 'READ RECORD of a transparent EF: 105,129'),
        ('242', '+CRSM: 109,0,""', 'STATUS: 109,0 (instruction not supported)'),
        ('214,28539,0,0,3,"00F1"', '+CRSM: 103,0,""', 'UPDATE with data shorter than P3: 103,0'),
        ('177,28539,0,0,12', '+CME ERROR: incorrect parameters', 'unknown command: CME 50'),
        ('214,28539,0,0,12,"%s"' % NEW_FPLMN, '+CRSM: 144,0,""', 'UPDATE BINARY EF FPLMN'),
        ('176,28539,0,0,12', '+CRSM: 144,0,"%s"' % NEW_FPLMN, 'READ BINARY shows the update'),
        ('176,28539,0,3,3', '+CRSM: 144,0,"%s"' % NEW_FPLMN[6:12], 'READ with offset 3'),
        ('176,28539,0,0,0', '+CRSM: 144,0,"%s"' % NEW_FPLMN, 'READ with P3 0: the whole EF'),
    ]
    for args, want, what in cases:
        got = crsm(sim, args)
        ok = got == [want, 'OK'] if want.startswith('+CRSM') else got == [want]
        tap.point(ok, 'AT+CRSM=%s: %s' % (args, what), repr(got))


def test_fplmn_delete(tap, sim):
    """ubxlib uCellSimFplmnListDelete: READ 20 -> 103 -> assume 12 -> UPDATE 12 x FF."""
    ok = crsm(sim, '176,28539,0,0,20') == ['+CRSM: 103,0,""', 'OK'] and \
        crsm(sim, '214,28539,0,0,12,"%s"' % EMPTY_FPLMN) == ['+CRSM: 144,0,""', 'OK']
    got = crsm(sim, '176,28539,0,0,12')
    tap.point(ok and got == ['+CRSM: 144,0,"%s"' % EMPTY_FPLMN, 'OK'],
              'ubxlib FPLMN list delete dialogue empties EF FPLMN', repr(got))


def test_fplmn_persists(tap, exe):
    state = tempfile.mkdtemp(prefix='ukms-simfiles-')
    try:
        sim = start(exe, ['--state-dir', state])
        try:
            got = crsm(sim, '214,28539,0,0,12,"%s"' % NEW_FPLMN)
            reboot = command(sim, 'AT+CFUN=16') == ['OK'] and resync(sim)
            got = crsm(sim, '176,28539,0,0,12')
            tap.point(reboot and got == ['+CRSM: 144,0,"%s"' % NEW_FPLMN, 'OK'],
                      'EF FPLMN kept across AT+CFUN=16', repr(got))
        finally:
            sim.close()
        sim = start(exe, ['--state-dir', state])
        try:
            got = crsm(sim, '176,28539,0,0,12')
            tap.point(got == ['+CRSM: 144,0,"%s"' % NEW_FPLMN, 'OK'],
                      'EF FPLMN kept across a restart (NVM)', repr(got))
        finally:
            sim.close()
    finally:
        shutil.rmtree(state, ignore_errors=True)


def raw(sim, cmd, want):
    sim.send(cmd.encode() + b'\r')
    return sim.expect_exact(want, 3000)


def test_files(tap, sim, colon):
    c = colon.encode()
    data = bytes([0, 13, 10, 34, 65, 0xFF]) + b'tail"'
    got = command(sim, 'AT+ULSTFILE=1')
    free = int(got[0].split(':', 1)[1]) if got and got[-1] == 'OK' else None
    got = prompt_send(sim, 'AT+UDWNFILE="bin.dat",%d' % len(data), data)
    tap.point(got == ['OK'], '+UDWNFILE stores %d binary bytes' % len(data), repr(got))
    ok, diag = raw(sim, 'AT+URDFILE="bin.dat"',
                   b'\r\n+URDFILE' + c + b'"bin.dat",11,"' + data + b'"\r\n\r\nOK\r\n')
    tap.point(ok, '+URDFILE: "<name>",<size>,"<raw bytes>"', diag)
    ok, diag = raw(sim, 'AT+URDBLOCK="bin.dat",2,3',
                   b'\r\n+URDBLOCK' + c + b'"bin.dat",3,"' + data[2:5] + b'"\r\n\r\nOK\r\n')
    tap.point(ok, '+URDBLOCK offset 2 size 3', diag)
    ok, diag = raw(sim, 'AT+URDBLOCK="bin.dat",8,100',
                   b'\r\n+URDBLOCK' + c + b'"bin.dat",3,"' + data[8:] + b'"\r\n\r\nOK\r\n')
    tap.point(ok, '+URDBLOCK past the end gives the bytes left', diag)
    ok, diag = raw(sim, 'AT+URDBLOCK="bin.dat",11,4',
                   b'\r\n+URDBLOCK' + c + b'"bin.dat",0,""\r\n\r\nOK\r\n')
    tap.point(ok, '+URDBLOCK at the end gives none', diag)
    prompt_send(sim, 'AT+UDWNFILE="two.txt",3', b'abc')
    got = command(sim, 'AT+ULSTFILE=0')
    tap.point(got == ['+ULSTFILE%s"bin.dat","two.txt"' % colon, 'OK'],
              '+ULSTFILE=0 lists both files', repr(got))
    got = command(sim, 'AT+ULSTFILE=1')
    tap.point(free is not None and got == ['+ULSTFILE%s%d' % (colon, free - 14), 'OK'],
              '+ULSTFILE=1: free space down by the 14 bytes stored', repr(got))
    got = command(sim, 'AT+ULSTFILE=2,"two.txt"')
    tap.point(got == ['+ULSTFILE%s3' % colon, 'OK'], '+ULSTFILE=2: size of one file', repr(got))
    for cmd in ('AT+URDFILE="none"', 'AT+URDBLOCK="none",0,1', 'AT+ULSTFILE=2,"none"',
                'AT+UDELFILE="none"'):
        got = command(sim, cmd)
        tap.point(got == ['+CME ERROR: FILE NOT FOUND'], '%s: FILE NOT FOUND' % cmd,
                  repr(got))
    command(sim, 'AT+CMEE=1')
    got = command(sim, 'AT+URDFILE="none"')
    tap.point(got == ['+CME ERROR: 1612'], 'numeric: +CME ERROR: 1612', repr(got))
    command(sim, 'AT+CMEE=2')
    got = command(sim, 'AT+URDBLOCK="bin.dat",0,0')
    tap.point(got == ['+CME ERROR: incorrect parameters'], '+URDBLOCK size 0 refused', repr(got))


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    exe = argv[1]
    state = tempfile.mkdtemp(prefix='ukms-simfiles-home-')
    os.environ['XDG_STATE_HOME'] = state
    tap = Tap()
    try:
        sim = start(exe, ['--ephemeral'])
        try:
            test_crsm(tap, sim)
            test_fplmn_delete(tap, sim)
            test_files(tap, sim, ': ')
        finally:
            tap.point(sim.close() == 0, 'ukms-sim exits 0')
        test_fplmn_persists(tap, exe)
        sim = start(exe, ['--ephemeral', '--model', 'SARA-R410M-63B'])
        try:
            got = crsm(sim, '176,28539,0,0,12')
            tap.point(got == ['+CRSM:144,0,"%s"' % EMPTY_FPLMN, 'OK'],
                      'SARA-R410M: +CRSM without a space after the colon', repr(got))
            test_files(tap, sim, ':')
        finally:
            tap.point(sim.close() == 0, 'ukms-sim exits 0')
    finally:
        shutil.rmtree(state, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
