#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Known-answer test of the RoT derivation (docs/rot-derivation.md).

An independent implementation (Python stdlib hmac/hashlib: HKDF per RFC 5869 and the
PSKIdentity layout; for fleet devices also AES-256 on single blocks, from the `openssl enc`
command) checks every vector in vectors.json, then checks that `ukms-rot generate` and
`ukms-rot derive` print the same values. Prints TAP.

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


def derive(secret, uid, counter, length, ref=None, k_dev=None):
    if k_dev is None:
        k_dev = hkdf(secret, b"ukms-v1", b"device key" + uid, 32)
    k_ref = hkdf(secret, b"ukms-v1", b"device reference", 32)
    if ref is None:
        ref = hmac.new(k_ref, uid, hashlib.sha256).digest()[:4]
    body = HEADER + ref + counter.to_bytes(4, "big")
    tag = hmac.new(k_dev, b"ukms-v1 tag" + body, hashlib.sha256).digest()[:2]
    identity = body + tag
    psk = hkdf_expand(k_dev, b"ukms-v1 psk" + b"\x00" + bytes([length]) + identity, length)
    return identity.hex().upper(), psk.hex().upper()


# Fleets (docs/rot-derivation.md, "Fleets"): secret 00..1f, fleets "load" (1,000,000 devices)
# and "b2" (5). (selector, counter, length, identity, psk), from the C code once; the
# independent derivation below and ukms-rot must both reproduce them.
FLEET_DOC = {
    "version": 1,
    "platform_secret": bytes(range(32)).hex(),
    "accounts": [{"name": "kat", "api_key": "kat-key", "api_secret": "kat-secret"}],
    "devices": [],
    "fleets": [{"name": "load", "account": "kat", "model": "SARA-R510M8S", "count": 1000000},
               {"name": "b2", "account": "kat", "model": "SARA-R422S", "count": 5}],
}
FLEET_VECTORS = [
    ("load:0", 0, 16, "110100087C1427C9000000009C43", "D2AD5340720EF2A4C765817D3C188070"),
    ("load:1", 1, 32, "11010008AD300BAB00000001AB46",
     "1A414E794A3A909537154D52A786CE03F79EDA2F0DC1014E49B039B71A8EA6B8"),
    ("load:999999", 4294967295, 16, "11010008F5B2A274FFFFFFFF7D8D",
     "CF8FA9181A954F95A02A0BDC02A51A3D"),
    ("b2:4", 7, 32, "1101000838519F0200000007F94D",
     "2CA9AD842B114A8EB32FCC6578B199A4940A99B204D3F71F07394CC42A5A613D"),
]


def luhn(digits):
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str((10 - total % 10) % 10)


def fleet_code(secret, name):
    k_ref = hkdf(secret, b"ukms-v1", b"device reference", 32)
    mac = hmac.new(k_ref, b"ukms-v1 fleet code" + name.encode(), hashlib.sha256).digest()
    return int.from_bytes(mac[:2], "big")


def aes256_blocks(key, data):
    """AES-256 of each 16-byte block of data (ECB, no padding), by the openssl command."""
    return subprocess.run(["openssl", "enc", "-aes-256-ecb", "-nopad", "-K", key.hex()],
                          input=data, capture_output=True, check=True).stdout


def fleet_ref(secret, plain):
    """4-round Feistel on 16-bit halves, round function AES(K_fref, round || half || 0^13)."""
    k = hkdf(secret, b"ukms-v1", b"fleet reference", 32)
    left, right = plain >> 16, plain & 0xFFFF
    for rnd in range(4):
        block = aes256_blocks(k, bytes([rnd]) + right.to_bytes(2, "big") + bytes(13))
        left, right = right, left ^ int.from_bytes(block[:2], "big")
    return ((left << 16) | right).to_bytes(4, "big")


def fleet_k_dev(secret, uid):
    """RFC 8452 section 4 key derivation: 8 bytes of AES(K_fdev, LE32(i) || uid || 0^4), i < 4."""
    k = hkdf(secret, b"ukms-v1", b"fleet device key", 32)
    blocks = aes256_blocks(k, b"".join(i.to_bytes(4, "little") + uid + bytes(4)
                                       for i in range(4)))
    return b"".join(blocks[16 * i:16 * i + 8] for i in range(4))


def fleet_device(secret, name, index):
    code = fleet_code(secret, name)
    return {
        "rot_uid": (bytes.fromhex("F1EE") + code.to_bytes(2, "big")
                    + index.to_bytes(4, "big")).hex().upper(),
        "imei": luhn(f"99{code:05d}{index:07d}"),
        "imsi": f"99{code:05d}{index:08d}",
        "iccid": luhn(f"8999{code:05d}{index:09d}"),
        "ref": fleet_ref(secret, (code & 0xFF) << 24 | index),
    }


def fleet_checks(exe, tmp):
    secret = bytes(range(32))
    path = os.path.join(tmp, "fleet.json")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        json.dump(FLEET_DOC, f)
    checks = []
    for sel, counter, length, want_id, want_psk in FLEET_VECTORS:
        name, index = sel.split(":")
        dev = fleet_device(secret, name, int(index))
        uid = bytes.fromhex(dev["rot_uid"])
        ident, psk = derive(secret, uid, counter, length, dev["ref"], fleet_k_dev(secret, uid))
        checks.append((f"fleet {sel}: independent derivation matches the vector",
                       (ident, psk) == (want_id, want_psk)))
        rc, out = run(exe, "generate", "--platform", path, "--device", sel, "--counter",
                      str(counter), "--length", str(length))
        checks.append((f"fleet {sel}: ukms-rot generate prints the vector",
                       rc == 0 and out == f"{want_id} {want_psk}"))
        rc, out = run(exe, "derive", "--platform", path, want_id, "--length", str(length))
        checks.append((f"fleet {sel}: ukms-rot derive resolves it to its UID and PSK",
                       rc == 0 and out == f"{dev['rot_uid']} {want_psk}"))
        rc, out = run(exe, "devices", "--json", "--platform", path, sel)
        got = json.loads(out)[0] if rc == 0 else {}
        checks.append((f"fleet {sel}: ukms-rot devices shows the same UID, IMEI, IMSI, ICCID",
                       all(got.get(k) == dev[k] for k in ("rot_uid", "imei", "imsi", "iccid"))))
    return checks


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
        checks += fleet_checks(exe, tmp)
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
