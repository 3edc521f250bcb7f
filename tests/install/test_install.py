#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`meson install` installs every program and its man page (issue 13 item 1): read from the
build's introspection files, so a new ukms-* program without `install: true` or without a
docs/<program>.1 in docs/meson.build fails here. Prints TAP.

Usage: test_install.py        (UKMS_BUILD_ROOT and UKMS_SOURCE_ROOT from the test env)
"""
import glob
import json
import os
import sys


def main():
    build, src = os.environ['UKMS_BUILD_ROOT'], os.environ['UKMS_SOURCE_ROOT']
    with open(os.path.join(build, 'meson-info', 'intro-targets.json')) as f:
        targets = json.load(f)
    with open(os.path.join(build, 'meson-info', 'intro-installed.json')) as f:
        installed = set(json.load(f).values())
    progs = sorted({t['name'] for t in targets
                    if t['type'] == 'executable' and t['name'].startswith('ukms-')})
    points = [(len(progs) >= 4, 'the build has the ukms-* programs: %s' % ' '.join(progs), '')]
    for p in progs:
        bins = [d for d in installed if os.path.basename(d) == p and '/bin/' in d]
        points.append((len(bins) == 1, '%s is installed into bindir' % p, sorted(installed)))
        man = [d for d in installed if d.endswith('/man1/%s.1' % p)]
        points.append((len(man) == 1, '%s.1 is installed into man1' % p,
                       'add docs/%s.1 and list it in docs/meson.build' % p))
    pages = sorted(os.path.basename(p) for p in glob.glob(os.path.join(src, 'docs', 'ukms-*.1')))
    missing = [p for p in pages if not any(d.endswith('/man1/' + p) for d in installed)]
    points.append((not missing, 'every docs/ukms-*.1 is installed', missing))
    with open(os.path.join(src, 'README.md')) as f:
        readme = f.read()
    points.append(('meson install -C build' in readme, 'README.md says how to install', ''))
    print('1..%d' % len(points))
    for i, (ok, what, diag) in enumerate(points, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, what))
        if not ok and diag:
            print('# %s' % (diag,))
    return 0 if all(ok for ok, _, _ in points) else 1


if __name__ == '__main__':
    sys.exit(main())
