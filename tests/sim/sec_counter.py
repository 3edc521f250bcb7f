#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""One RoT counter per device and the modem's files (issue 13 items 2 and 7):
`ukms-rot generate` and `AT+USECPSK` on default state directories never issue the same identity;
a counter file deleted or rolled back, or an older build's counter, never makes the modem
re-issue one (NVM high-water mark); temp files of a killed writer are removed at start; --pcap
and --log-file refuse symlinks and create 0600 files; a state directory open to group/other is
set to 0700 with a warning.

Usage: sec_counter.py UKMS_SIM UKMS_ROT        (TAP on stdout)
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chat  # noqa: E402  (the pty runner: Sim, Tap)
from sec_derive import PSK_RE, command, start  # noqa: E402

UID = '0A04F008003C9623'  # the demo platform's first device: the default of both programs


def sim_psk(sim):
    out = command(sim, 'AT+USECPSK=16')
    m = PSK_RE.fullmatch(out)
    return m.group(1).decode() if m else 'answer %r' % out


def counter(identity):
    try:
        return int(identity[16:24], 16)
    except ValueError:
        return -1


def rot_generate(rot, *args):
    p = subprocess.run([rot, 'generate'] + list(args), capture_output=True, text=True,
                       timeout=30)
    return p.returncode, p.stdout.split()[0] if p.stdout else '', p.stderr


def run_sim(exe, n, args=()):
    """Starts ukms-sim on its default state dirs, takes n identities, stops it."""
    sim = start(exe, list(args))
    ids = [sim_psk(sim) for _ in range(n)]
    rc = sim.close()
    return rc, ids, sim.stderr()


def dead_pid():
    p = subprocess.Popen(['true'])
    p.wait()
    return p.pid


def test_shared(tap, exe, rot, base, seen):
    rc, first, err = rot_generate(rot)
    tap.point(rc == 0 and counter(first) == 1, 'ukms-rot generate: counter 1 of a new device',
              '%d %s %s' % (rc, first, err))
    seen.append(first)
    rc, ids, err = run_sim(exe, 2)
    tap.point(rc == 0 and all(counter(i) > counter(first) for i in ids),
              'AT+USECPSK after ukms-rot generate (default dirs): a later counter, not 1 again',
              '%s after %s: %s' % (ids, first, err[-800:]))
    seen.extend(ids)
    rc, after, err = rot_generate(rot)
    tap.point(rc == 0 and counter(after) > max(counter(i) for i in seen),
              'ukms-rot generate after the modem: beyond every counter the modem used',
              '%s after %s: %s' % (after, seen, err))
    seen.append(after)
    path = os.path.join(base, 'rot-%s.counter' % UID)
    tap.point(os.path.exists(path) and
              not os.path.exists(os.path.join(base, 'sim-' + UID, 'rot-%s.counter' % UID)),
              'one counter file per device, in the shared state directory', path)

    sim = start(exe, [])
    t0 = time.monotonic()
    rc, out, err = rot_generate(rot)
    waited = time.monotonic() - t0
    sim.close()
    tap.point(rc != 0 and 'in use by another process' in err and out == '',
              'ukms-rot generate while the modem holds the counter: refused (%.1f s)' % waited,
              '%d %r %r' % (rc, out, err))


def test_same_state_dir(tap, exe, rot, tmp):
    state = os.path.join(tmp, 'given')
    rc, ids, err = run_sim(exe, 1, ['--state-dir', state])
    rc2, after, err2 = rot_generate(rot, '--state-dir', state)
    tap.point(rc == 0 and rc2 == 0 and counter(after) > counter(ids[0]),
              'ukms-rot generate --state-dir DIR after ukms-sim --state-dir DIR: a later counter',
              '%s then %s: %s %s' % (ids, after, err[-400:], err2))


def test_deleted_rolled_back(tap, exe, base, seen):
    path = os.path.join(base, 'rot-%s.counter' % UID)
    with open(path, 'rb') as f:
        old = f.read()
    rc, ids, err = run_sim(exe, 1)
    seen.extend(ids)
    os.unlink(path)
    rc, ids, err = run_sim(exe, 2)
    tap.point(rc == 0 and min(counter(i) for i in ids) > max(counter(i) for i in seen),
              'counter file deleted: the modem resumes above its NVM high-water mark',
              '%s after %s: %s' % (ids, seen, err[-800:]))
    tap.point('resuming at' in err, 'the resumption is logged', err[-800:])
    seen.extend(ids)
    with open(path, 'wb') as f:
        f.write(old)  # rolled back to an old copy
    rc, ids, err = run_sim(exe, 1)
    tap.point(rc == 0 and counter(ids[0]) > max(counter(i) for i in seen),
              'counter file rolled back: no identity repeats', '%s after %s' % (ids, seen))
    seen.extend(ids)
    tap.point(len(set(seen)) == len(seen), 'all %d identities distinct' % len(seen), seen)


def test_legacy(tap, exe, base):
    """An older build kept the modem's counter in sim-<UID>/: taken over, never gone back."""
    shutil.rmtree(base)
    legacy = os.path.join(base, 'sim-' + UID)
    os.makedirs(legacy, mode=0o700)
    with open(os.path.join(legacy, 'rot-%s.counter' % UID), 'w') as f:
        f.write('ukms-rot-counter 1\n500\n')
    rc, ids, err = run_sim(exe, 1)
    tap.point(rc == 0 and counter(ids[0]) >= 500,
              "an older build's counter in sim-<UID>/ is a floor", '%s %s' % (ids, err[-800:]))


def test_stale_temps(tap, exe, rot, base):
    pid = dead_pid()
    stale = [os.path.join(base, 'sim-' + UID, 'nvm.dat.tmp.%d.Ab3dE9' % pid),
             os.path.join(base, 'sim-' + UID, 'nvm.dat.tmp.Zx9Yw8'),
             os.path.join(base, 'rot-%s.counter.tmp.%d.q1w2e3' % (UID, pid))]
    for p in stale:
        with open(p, 'w') as f:
            f.write('secret')
    rc, ids, err = run_sim(exe, 1)
    left = [p for p in stale if os.path.exists(p)]
    tap.point(rc == 0 and not left, "ukms-sim removes a killed writer's temp files at start",
              '%s %s' % (left, err[-800:]))
    p = os.path.join(base, 'rot-%s.counter.tmp.%d.r4t5y6' % (UID, pid))
    with open(p, 'w') as f:
        f.write('x')
    rc, _, err = rot_generate(rot)
    tap.point(rc == 0 and not os.path.exists(p),
              "ukms-rot generate removes a killed writer's counter temp file", err)


def refused(exe, args):
    p = subprocess.run([exe, '--headless', '--ephemeral'] + args, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=20)
    return p.returncode, p.stderr.decode(errors='replace')


def test_outputs(tap, exe, tmp):
    target = os.path.join(tmp, 'target')
    for opt in ('--pcap', '--log-file'):
        with open(target, 'w') as f:
            f.write('precious')
        link = os.path.join(tmp, 'link' + opt)
        os.symlink(target, link)
        rc, err = refused(exe, [opt, link])
        with open(target) as f:
            kept = f.read()
        tap.point(rc != 0 and 'symbolic link' in err and kept == 'precious',
                  '%s through a symlink: refused, target untouched' % opt, '%d %s' % (rc, err))
        dangling = os.path.join(tmp, 'dangling' + opt)
        os.symlink(os.path.join(tmp, 'nowhere' + opt), dangling)
        rc, err = refused(exe, [opt, dangling])
        tap.point(rc != 0 and not os.path.exists(os.path.join(tmp, 'nowhere' + opt)),
                  '%s to a dangling symlink: refused, nothing created' % opt, err)
    pcap, log = os.path.join(tmp, 'out.pcap'), os.path.join(tmp, 'out.log')
    sim = start(exe, ['--ephemeral', '--pcap', pcap, '--log-file', log])
    sim.close()
    modes = [stat.S_IMODE(os.stat(p).st_mode) if os.path.exists(p) else -1 for p in (pcap, log)]
    tap.point(modes == [0o600, 0o600], '--pcap and --log-file create 0600 files',
              str([oct(m) for m in modes]))


def test_dir_perms(tap, exe, tmp):
    state = os.path.join(tmp, 'open-state')
    os.makedirs(state)
    os.chmod(state, 0o755)
    sim = start(exe, ['--state-dir', state])
    sim_psk(sim)
    sim.close()
    mode = stat.S_IMODE(os.stat(state).st_mode)
    err = sim.stderr()
    tap.point(mode == 0o700 and 'group/other permissions' in err,
              'a state directory open to group/other is set to 0700 with a warning',
              '%s %s' % (oct(mode), err[-800:]))


def main(argv):
    if len(argv) != 3:
        print(__doc__)
        return 2
    exe, rot = argv[1], argv[2]
    tap = chat.Tap()
    tmp = tempfile.mkdtemp(prefix='ukms-ctr-')
    xdg = os.path.join(tmp, 'xdg')
    os.environ['XDG_STATE_HOME'] = xdg
    base = os.path.join(xdg, 'ukms')
    seen = []
    try:
        test_shared(tap, exe, rot, base, seen)
        test_deleted_rolled_back(tap, exe, base, seen)
        test_same_state_dir(tap, exe, rot, tmp)
        test_stale_temps(tap, exe, rot, base)
        test_legacy(tap, exe, base)
        test_outputs(tap, exe, tmp)
        test_dir_perms(tap, exe, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main(sys.argv))
