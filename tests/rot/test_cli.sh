#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ukms-rot command line: round trip, refusals and exit codes, --json, init, --help/--version.
# Usage: test_cli.sh UKMS_ROT. Prints TAP.
set -u
exe=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0 failed=0
check() { # check "what" command...
	local what=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $what"; else echo "not ok $n - $what"; failed=$((failed + 1)); fi
}
matches() { [[ $1 =~ $2 ]]; }
rc_of() { "$@" >"$work/out" 2>"$work/err"; echo $?; }

echo "1..29"
st=(--state-dir "$work/state")
read -r id psk < <("$exe" generate "${st[@]}")
check "generate prints a 28-hex identity" matches "$id" "^11010008[0-9A-F]{20}$"
check "generate prints a 16-byte PSK by default" matches "$psk" "^[0-9A-F]{32}$"
check "derive returns the first device and the same PSK" \
	[ "$("$exe" derive "$id")" = "0A04F008003C9623 $psk" ]
read -r id2 psk2 < <("$exe" generate "${st[@]}" --device 352753090000041 --length 32)
check "generate --device IMEI --length 32" matches "$psk2" "^[0-9A-F]{64}$"
check "derive --length 32 of that identity" \
	[ "$("$exe" derive --length 32 "$id2")" = "0A04F00800000004 $psk2" ]
read -r id3 _ < <("$exe" generate "${st[@]}")
check "the persisted counter advances" [ "${id3:16:8}" = "00000002" ]
last=${id:27:1}
flip=$([ "$last" = "0" ] && echo 1 || echo 0)
check "derive of a flipped digit is refused with exit 1" \
	[ "$(rc_of "$exe" derive "${id:0:27}$flip")" = 1 ]
check "the refusal says unknown or forged" grep -q "unknown or forged identity" "$work/err"
check "derive of a malformed identity exits 2" [ "$(rc_of "$exe" derive 1101XYZ)" = 2 ]
check "the message says malformed identity" grep -q "ukms-rot: malformed identity" "$work/err"
check "wrong header exits 2" [ "$(rc_of "$exe" derive "2${id:1}")" = 2 ]
check "generate --json parses and matches derive" python3 -c '
import json, subprocess, sys
exe, state = sys.argv[1], sys.argv[2]
g = json.loads(subprocess.check_output([exe, "generate", "--json", "--state-dir", state]))
d = json.loads(subprocess.check_output([exe, "derive", "--json", g["identity"]]))
assert g["psk"] == d["psk"] and d["rot_uid"] == "0A04F008003C9623" and d["counter"] == 3
assert d["psk_provisioning"] is True and d["model"] == "SARA-R510M8S"
' "$exe" "$work/state"
check "derive --json shows provisioning disabled without refusing" python3 -c '
import json, subprocess, sys
exe = sys.argv[1]
g = subprocess.check_output([exe, "generate", "--device", "0A04F0080000000C", "--counter", "9"], text=True).split()
d = json.loads(subprocess.check_output([exe, "derive", "--json", g[0]]))
assert d["psk_provisioning"] is False and d["psk"] == g[1]
' "$exe"
check "inspect shows the counter and the device" \
	bash -c '"$0" inspect "$1" | grep -q "^counter:  1$" && "$0" inspect "$1" | grep -q "SARA-R510M8S"' "$exe" "$id"
check "devices --json lists the 13 demo devices" python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.check_output([sys.argv[1], "devices", "--json"]))
assert len(d) == 13 and d[1]["rot_uid"] == "0002000089282245"
' "$exe"
check "init writes a 0600 platform file" \
	bash -c '"$0" init "$1" >/dev/null && [ "$(stat -c %a "$1")" = 600 ]' "$exe" "$work/p.json"
check "init refuses to overwrite (exit 1)" [ "$(rc_of "$exe" init "$work/p.json")" = 1 ]
check "generated platform round-trips generate/derive" bash -c '
	read -r i p < <("$0" generate --platform "$1" --ephemeral) &&
	[ "$("$0" derive --platform "$1" "$i" | cut -d" " -f2)" = "$p" ] &&
	[ "$("$0" derive "$i" 2>/dev/null; echo $?)" = 1 ]' "$exe" "$work/p.json"
check "nothing printed contains the platform secret" bash -c '
	s=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[\"platform_secret\"])" "$1")
	out=$("$0" devices --platform "$1" --json; "$0" generate --platform "$1" --ephemeral --json 2>&1)
	! grep -qi "$s" <<<"$out"' "$exe" "$work/p.json"
echo '{"version":2}' >"$work/bad.json"
check "a bad platform file exits 3 naming the problem" \
	bash -c '[ "$("$0" devices --platform "$1" 2>&1 >/dev/null)" = "ukms-rot: $1: version: unsupported version 2, this build reads 1" ] &&
		{ "$0" devices --platform "$1" >/dev/null 2>&1; [ $? = 3 ]; }' "$exe" "$work/bad.json"
check "--help lists the commands; generate --help works" \
	bash -c '"$0" --help | grep -q "derive IDENTITY" && "$0" generate --help | grep -q -- "--state-dir"' "$exe"
check "--version prints the version; bad option exits 2" \
	bash -c '"$0" --version | grep -Eq "^ukms-rot [0-9]+\.[0-9]+" && { "$0" derive --bogus x 2>/dev/null; [ $? = 2 ]; }' "$exe"
# Fleets: selectors refused with a clear message and the right exit code.
fl="$work/fleet.json"
python3 - "$fl" <<'PY'
import hashlib, json, sys
doc = {"version": 1, "platform_secret": hashlib.sha256(b"fleet cli").hexdigest(),
       "accounts": [{"name": "a", "api_key": "k", "api_secret": "s"}], "devices": [],
       "fleets": [{"name": "load", "account": "a", "model": "SARA-R510M8S", "count": 10}]}
json.dump(doc, open(sys.argv[1], "w"))
PY
chmod 600 "$fl"
check "generate --device load:10 (out of range) exits 1" \
	[ "$(rc_of "$exe" generate --platform "$fl" --ephemeral --device load:10)" = 1 ]
check "the message gives the fleet's range" \
	grep -q "load:10: index out of range (fleet load has 10 devices, 0-9)" "$work/err"
check "generate --device load:x exits 2" \
	[ "$(rc_of "$exe" generate --platform "$fl" --ephemeral --device load:x)" = 2 ]
check "devices nope:1 exits 1" [ "$(rc_of "$exe" devices --platform "$fl" nope:1)" = 1 ]
check "the message names the fleet" grep -q "no fleet 'nope' in the platform" "$work/err"
read -r fid fpsk < <("$exe" generate --platform "$fl" --ephemeral --device load:9 --length 32)
check "a fleet device's identity derives back to it" \
	[ "$("$exe" derive --platform "$fl" --length 32 "$fid")" = "$("$exe" devices --platform "$fl" load:9 | awk 'NR==2{print $1}') $fpsk" ]
check "without --device, generate takes fleet device 0 of a platform without explicit devices" \
	bash -c '"$0" generate --platform "$1" --ephemeral | grep -Eq "^11010008[0-9A-F]{20} [0-9A-F]{32}$"' "$exe" "$fl"
[ "$failed" = 0 ]
