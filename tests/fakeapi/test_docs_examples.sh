#!/usr/bin/env bash
# Runs every curl example of docs/api.md that is marked
#     <!-- example: status=NNN [contains=TEXT] -->
# (the ```sh block right after the marker) against a fresh ukms-fakeapi on the demo platform,
# with BASE and TOKEN set as the document says, and checks the HTTP status, that the body is
# JSON, and that it contains TEXT. Prints TAP.
#
# usage: test_docs_examples.sh UKMS_FAKEAPI FAKEAPI_ROTGEN DOCS_API_MD
set -uo pipefail
exe=$1 doc=$3
work=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

"$exe" --listen 127.0.0.1:0 >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 1 200); do
    grep -q "listening on" "$work/out" && break
    sleep 0.05
done
port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\)$/\1/p' "$work/out")
if [ -z "$port" ]; then
    echo "1..0 # SKIP ukms-fakeapi did not start"; cat "$work/err" >&2; exit 1
fi
export BASE=http://127.0.0.1:$port
TOKEN=$(command curl -s -X POST "$BASE/v1/authenticate" -H "Content-Type: application/json" \
    -d '{"APIKey":"11111111-2222-4333-8444-555555555555","APISecret":"ukmsDemoSecretNotSecretPublic001"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["AuthToken"])')
export TOKEN

# Extract: one file per example (the commands) plus its expectations.
awk -v dir="$work" '
    /^<!-- example:/ { n++; want = $0; sub(/^<!-- example: */, "", want); sub(/ *-->$/, "", want)
                       print want > (dir "/ex" n ".want"); grab = 1; next }
    grab == 1 && /^```sh/ { grab = 2; next }
    grab == 2 && /^```/ { grab = 0; next }
    grab == 2 { print > (dir "/ex" n ".sh") }
' "$doc"

count=$(ls "$work"/ex*.want 2>/dev/null | wc -l)
fail=0
i=0
for want in $(ls "$work"/ex*.want | sort -V); do
    i=$((i + 1))
    ex=${want%.want}
    status=$(sed -n 's/.*status=\([0-9]*\).*/\1/p' "$want")
    contains=$(sed -n 's/.*contains=\([^ ]*\).*/\1/p' "$want")
    first=$(grep -m1 -o 'curl .*"\$BASE[^"]*"' "$ex.sh" | head -c 70)
    # curl as a function: the example's own command, with the status and body captured.
    got=$(BODY="$ex.body" bash -c 'curl() { command curl -sS -o "$BODY" -w "%{http_code}" "$@"; }
                   source "$1"' _ "$ex.sh" 2>"$ex.stderr")
    ok=1
    [ "$got" = "$status" ] || ok=0
    python3 -m json.tool "$ex.body" >/dev/null 2>&1 || ok=0
    if [ -n "$contains" ] && ! grep -qF -- "$contains" "$ex.body"; then ok=0; fi
    if [ $ok = 1 ]; then
        echo "ok $i - docs/api.md example $i ($first...) -> $status"
    else
        echo "not ok $i - docs/api.md example $i ($first...) -> want $status, got '$got'"
        sed 's/^/# /' "$ex.body" "$ex.stderr" 2>/dev/null | head -n 5
        fail=1
    fi
done
echo "1..$count"
[ "$count" -ge 10 ] || { echo "# expected at least 10 examples, found $count"; exit 1; }
exit $fail
