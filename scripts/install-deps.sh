#!/usr/bin/env bash
# Installs every Debian package the build and the tests need, and the packages named
# as arguments; with --only, just the packages named (`make deb`). Idempotent and quick:
# apt is only touched when something is missing.
set -euo pipefail
if [ "${1:-}" = --only ]; then
  shift; PKGS=("$@")
else
PKGS=(build-essential pkg-config libssl-dev libsodium-dev libmnl-dev libnftables-dev
      libqrencode-dev libpng-dev libreadline-dev iproute2 nftables wireguard-tools
      wireguard-go iperf3 iputils-ping procps psmisc util-linux python3 openssl
      clang libclang-rt-dev libmicrohttpd-dev libjansson-dev python3-librouteros curl python3-prometheus-client
      man-db tzdata chromium chromium-driver python3-selenium libpcap-dev tcpdump
      "$@")
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
