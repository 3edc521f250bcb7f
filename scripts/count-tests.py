#!/usr/bin/env python3
"""Counts individual test cases across meson test logs and prints 'N passed, N failed'.

A TAP test (cmocka with CMOCKA_MESSAGE_OUTPUT=TAP, or our scripts) counts each 'ok' / 'not ok'
line; a test without TAP lines counts as one case by its result. A test that failed or timed
out without reporting a 'not ok' line still counts one failure. Exit 1 if anything failed or
nothing ran.
"""
import json
import os
import re
import sys

TAP = re.compile(r"^(not ok|ok)\b(.*)$")


def count(logfile):
    passed = failed = skipped = 0
    with open(logfile, encoding="utf-8", errors="replace") as f:
        for line in f:
            t = json.loads(line)
            result = t.get("result", "")
            out = t.get("stdout") or ""
            p = fl = s = 0
            for l in out.splitlines():
                m = TAP.match(l.strip())
                if not m:
                    continue
                rest = m.group(2)
                if "# SKIP" in rest.upper():
                    s += 1
                elif m.group(1) == "ok":
                    p += 1
                else:
                    fl += 1
            if p + fl + s == 0:
                if result == "OK" or result == "EXPECTEDFAIL":
                    p = 1
                elif result == "SKIP":
                    s = 1
                else:
                    fl = 1
            elif result not in ("OK", "SKIP", "EXPECTEDFAIL") and fl == 0:
                fl = 1
            passed += p
            failed += fl
            skipped += s
    return passed, failed, skipped


def main(dirs):
    total = [0, 0, 0]
    for d in dirs:
        log = os.path.join(d, "meson-logs", "testlog.json")
        if not os.path.exists(log):
            print(f"{d}: no test log", file=sys.stderr)
            total[1] += 1
            continue
        p, f, s = count(log)
        print(f"{d}: {p} passed, {f} failed, {s} skipped", file=sys.stderr)
        total = [total[0] + p, total[1] + f, total[2] + s]
    print(f"{total[0]} passed, {total[1]} failed, {total[2]} skipped")
    return 1 if total[1] > 0 or total[0] == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
