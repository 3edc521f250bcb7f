#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Known-answer test of the RoT derivation (docs/rot-derivation.md).

An independent implementation (Python stdlib hmac/hashlib only: HKDF per RFC 5869 and the
PSKIdentity layout) checks every vector in vectors.json, then checks that `ukms-rot generate`
and `ukms-rot derive` print the same values. Prints TAP.

Usage: kat.py VECTORS.json UKMS_ROT
"""
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile

HEADER = bytes.fromhex("11010008")


def hkdf_extract(salt, ikm):
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def hkdf_expand(prk, info, length):
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def hkdf(ikm, salt, info, length):
    return hkdf_expand(hkdf_extract(salt, ikm), info, length)


def derive(secret, uid, counter, length):
    k_dev = hkdf(secret, b"ukms-v1", b"device key" + uid, 32)
    k_ref = hkdf(secret, b"ukms-v1", b"device reference", 32)
    ref = hmac.new(k_ref, uid, hashlib.sha256).digest()[:4]
    body = HEADER + ref + counter.to_bytes(4, "big")
    tag = hmac.new(k_dev, b"ukms-v1 tag" + body, hashlib.sha256).digest()[:2]
    identity = body + tag
    psk = hkdf_expand(k_dev, b"ukms-v1 psk" + b"\x00" + bytes([length]) + identity, length)
    return identity.hex().upper(), psk.hex().upper()


def platform_file(directory, vec):
    """A one-device platform file holding the vector's secret and UID."""
    doc = {
        "version": 1,
        "platform_secret": vec["secret"].lower(),
        "accounts": [{"name": "kat", "api_key": "kat-key", "api_secret": "kat-secret"}],
        "devices": [{"rot_uid": vec["uid"], "imei": "352753090000017",
                     "imsi": "001010000000001", "iccid": "8900101000000000019",
                     "model": "SARA-R510M8S", "account": "kat"}],
    }
    path = os.path.join(directory, "platform.json")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        json.dump(doc, f)
    return path


def run(exe, *args):
    p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=20)
    return p.returncode, p.stdout.strip()


def main():
    vectors_path, exe = sys.argv[1], sys.argv[2]
    with open(vectors_path) as f:
        vectors = json.load(f)
    demo_secret = hashlib.sha256(b"ukms public demo platform - not a secret").hexdigest()
    checks = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, v in enumerate(vectors):
            secret, uid = bytes.fromhex(v["secret"]), bytes.fromhex(v["uid"])
            ident, psk = derive(secret, uid, v["counter"], v["length"])
            checks.append((f"vector {i} ({v['note']}): independent derivation matches",
                           (ident, psk) == (v["identity"], v["psk"])))
            if v["demo_platform"]:
                checks.append((f"vector {i}: demo platform secret is SHA-256 of its label",
                               v["secret"].lower() == demo_secret))
                plat = []
            else:
                plat = ["--platform", platform_file(tmp, v)]
            rc, out = run(exe, "generate", *plat, "--device", v["uid"], "--counter",
                          str(v["counter"]), "--length", str(v["length"]))
            checks.append((f"vector {i}: ukms-rot generate prints identity and PSK",
                           rc == 0 and out == f"{v['identity']} {v['psk']}"))
            rc, out = run(exe, "derive", *plat, v["identity"], "--length", str(v["length"]))
            checks.append((f"vector {i}: ukms-rot derive prints UID and PSK",
                           rc == 0 and out == f"{v['uid'].upper()} {v['psk']}"))
    checks.append(("at least 8 vectors with both lengths and two UIDs",
                   len(vectors) >= 8 and {v["length"] for v in vectors} == {16, 32}
                   and len({v["uid"] for v in vectors}) >= 2))
    print(f"1..{len(checks)}")
    failed = 0
    for n, (what, ok) in enumerate(checks, 1):
        print(f"{'ok' if ok else 'not ok'} {n} - {what}")
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
