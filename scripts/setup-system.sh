#!/usr/bin/env bash
# Installs the Debian packages the system tests need (idempotent). Runs as part of `npm test`.
# As root it installs what is missing; otherwise it only reports, and the system tests skip with a reason
# (in CI, CI=true, they fail instead).
set -euo pipefail

PACKAGES=(
  iproute2 nftables iptables procps psmisc curl
  etcd-server etcd-client
  dnsmasq-base dnsutils
  stress-ng busybox-static faketime
  libnetfilter-queue-dev
  docker.io musl-tools chromium
  prometheus
)
# kubectl checks the Kubernetes cluster fake; take Debian's client only when no kubectl is on PATH.
command -v kubectl >/dev/null 2>&1 || PACKAGES+=(kubernetes-client)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all system packages present"
  exit 0
fi

if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: missing ${missing[*]} (not root or no apt-get: system tests will skip)"
  exit 0
fi

echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-system: done"
