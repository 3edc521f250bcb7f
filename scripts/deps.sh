#!/usr/bin/env bash
# Installs the Debian 12 packages ukms needs to build, test and run, when any is missing.
# Run as root (CI and fresh machines are); does nothing when everything is present.
set -euo pipefail

# libclang-rt-14-dev: clang's sanitizer and libFuzzer runtimes (the fuzz build links against them;
# clang alone does not pull them in without recommends). haproxy: the scale-out test.
PKGS=(
  build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
  libssl-dev libmicrohttpd-dev libcjson-dev libreadline-dev libcmocka-dev libcurl4-openssl-dev
  openssl python3 curl socat tshark wrk iproute2 procps haproxy
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing packages and not root; run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
