#!/usr/bin/env bash
# Starts a plain dockerd for the container tests when none answers, and imports a busybox image built from
# Debian's busybox-static (no registry is reachable here). Idempotent: a daemon that answers GET /_ping on the
# socket is left alone, and an image tag that exists is not imported again. Called by scripts/test.sh after
# setup-system.sh. As non-root, or without dockerd, it only reports (the container tests then skip, or fail in CI).
#
# dockerd runs with --iptables=false --ip-forward=false --ip-masq=false: it then adds no chains, does not set the
# FORWARD policy to DROP and does not turn ip_forward on, so the lab, etcd and nft tests see the host firewall as
# they would without Docker. Containers on docker0 still reach the host and each other (one bridge, no routing);
# they get no NAT to the outside world, which no test wants. See docs/docker.md.
set -euo pipefail

SOCK=/var/run/docker.sock
IMAGE=${TURBULENCE_BUSYBOX_IMAGE:-turbulence/busybox:latest}

ping_daemon() {
  curl -sf --max-time 2 --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1
}

if ! ping_daemon; then
  if [ "$(id -u)" != "0" ] || ! command -v dockerd >/dev/null 2>&1; then
    echo "start-dockerd: no daemon answers at $SOCK and cannot start one (not root or no dockerd): container tests will skip"
    exit 0
  fi
  log=$(mktemp /tmp/turbulence-dockerd.XXXXXX)
  # setsid: the daemon outlives this script and is not in the test runner's process group.
  setsid dockerd --iptables=false --ip-forward=false --ip-masq=false >"$log" 2>&1 </dev/null &
  pid=$!
  for _ in $(seq 1 100); do # 100 × 0.2 s
    ping_daemon && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "start-dockerd: dockerd exited; its log ($log):" >&2
      tail -20 "$log" >&2
      exit 1
    fi
    sleep 0.2
  done
  if ! ping_daemon; then
    echo "start-dockerd: dockerd (pid $pid) did not answer /_ping within 20 s; log: $log" >&2
    exit 1
  fi
  echo "start-dockerd: dockerd pid $pid answers at $SOCK (log $log)"
fi

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "start-dockerd: image $IMAGE present"
  exit 0
fi
# Debian's busybox-static installs /bin/busybox (a static binary: it runs in an image with no libc).
busybox=/bin/busybox
if [ ! -x "$busybox" ]; then
  echo "start-dockerd: no busybox-static to build $IMAGE from (apt-get install busybox-static)" >&2
  exit 1
fi
work=$(mktemp -d /tmp/turbulence-busybox.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/bin" "$work/root/etc" "$work/root/tmp" "$work/root/var/www"
cp "$busybox" "$work/root/bin/busybox"
for applet in $("$work/root/bin/busybox" --list); do
  [ -e "$work/root/bin/$applet" ] || ln -s busybox "$work/root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$work/root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$work/root/etc/group"
tar -C "$work/root" -cf "$work/rootfs.tar" .
docker import -c 'CMD ["/bin/sh"]' "$work/rootfs.tar" "$IMAGE" >/dev/null
echo "start-dockerd: imported $IMAGE from $busybox"
