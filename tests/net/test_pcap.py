#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""--pcap output is readable by tshark: runs test_net_tls with UKMS_NET_PCAP set, then decodes
the capture and checks the PSK identities in the (D)TLS ClientKeyExchange. Prints TAP."""
import os
import shutil
import subprocess
import sys
import tempfile

results = []


def check(ok, what, diag=""):
    results.append((bool(ok), what, diag))


def tshark(pcap, *args):
    r = subprocess.run(["tshark", "-r", pcap, *args], capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout


def ports(pcap, field, flt):
    _, out = tshark(pcap, "-T", "fields", "-e", field, "-Y", flt)
    return sorted({p for p in out.split() if p})


def identities(pcap, decode, field, flt):
    args = []
    for d in decode:
        args += ["-d", d]
    _, out = tshark(pcap, *args, "-T", "fields", "-e", field, "-Y", flt)
    ids = set()
    for line in out.split():
        for h in line.split(","):
            try:
                ids.add(bytes.fromhex(h.replace(":", "")).decode("latin-1"))
            except ValueError:
                pass
    return ids


def main():
    if len(sys.argv) != 2 or shutil.which("tshark") is None:
        print("1..0 # SKIP needs the test_net_tls executable and tshark")
        return 0
    tmp = tempfile.mkdtemp(prefix="ukms-pcap-")
    pcap = os.path.join(tmp, "net.pcap")
    try:
        env = dict(os.environ, UKMS_NET_PCAP=pcap, CMOCKA_MESSAGE_OUTPUT="TAP")
        r = subprocess.run([sys.argv[1]], env=env, capture_output=True, text=True, timeout=120)
        failed = [ln for ln in r.stdout.splitlines() if ln.startswith("not ok")]
        check(r.returncode == 0 and os.path.getsize(pcap) > 24, "TLS tests ran and wrote a pcap",
              "exit %d; %s\n%s" % (r.returncode, failed, (r.stdout + r.stderr)[-3000:]))
        rc, out = tshark(pcap)
        check(rc == 0 and len(out.splitlines()) > 50, "tshark -r reads the capture")
        bad_filter = "_ws.malformed || _ws.short || ip.checksum.status == 0"
        _, bad = tshark(pcap, "-Y", bad_filter)
        detail = tshark(pcap, "-Y", bad_filter, "-V")[1] if bad.strip() else ""
        check(bad.strip() == "", "no malformed, truncated or bad-checksum packets",
              bad[-1500:] + detail[:3000])
        tcp = ports(pcap, "tcp.dstport", "tcp.flags.syn == 1 && tcp.flags.ack == 0")
        udp = ports(pcap, "udp.dstport", "udp")
        check(len(tcp) >= 5 and len(udp) >= 1, "TCP flows start with a SYN; UDP flows present")
        _, lost = tshark(pcap, *sum((["-d", f"tcp.port=={p},tls"] for p in tcp), []),
                         "-Y", "tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment")
        check(lost.strip() == "", "TCP sequence numbers are consistent (no lost segments)")
        tls_ids = identities(pcap, [f"tcp.port=={p},tls" for p in tcp], "tls.handshake.identity",
                             "tls.handshake.type == 16")
        check("ukms-psk-identity" in tls_ids, "TLS 1.2 ClientKeyExchange shows the PSK identity")
        check({"rot-identity-0", "rot-identity-1"} <= tls_ids,
              "RoT-generated identities (op 11) are visible, one per handshake")
        ids13 = identities(pcap, [f"tcp.port=={p},tls" for p in tcp],
                           "tls.handshake.extensions.psk.identity.identity",
                           "tls.handshake.type == 1")
        check("ukms-psk-identity" in ids13, "TLS 1.3 ClientHello pre_shared_key shows the identity")
        dtls_ids = identities(pcap, [f"udp.port=={p},dtls" for p in udp], "dtls.handshake.identity",
                              "dtls.handshake.type == 16")
        check("ukms-psk-identity" in dtls_ids, "DTLS ClientKeyExchange shows the PSK identity")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{len(results)}")
    for i, (ok, what, diag) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {what}")
        if not ok and diag:
            print("\n".join("# " + ln for ln in diag.splitlines()))
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
