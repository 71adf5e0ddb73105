#!/usr/bin/env bash
# `npm test`: install what the tests need, build, typecheck, lint, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-system.sh
bash scripts/start-dockerd.sh
# The optional nfqueue addon (user-space latency where the kernel has no netem) can only compile once
# libnetfilter-queue-dev is installed, which on a fresh machine happens after `npm ci`.
# npm ci drops the optional package when its build fails there, so install it again (same version, lock untouched).
if ! node -e "require('nfqueue')" 2>/dev/null && [ -f /usr/include/libnetfilter_queue/libnetfilter_queue.h ]; then
  echo "== building the nfqueue addon"
  if [ -d node_modules/nfqueue ]; then
    npm rebuild nfqueue >/dev/null
  else
    version=$(node -p "require('./package-lock.json').packages['node_modules/nfqueue'].version")
    npm install --no-save --no-audit --no-fund "nfqueue@${version}" >/dev/null
  fi
fi
echo "== build"; npm run --silent build
echo "== typecheck"; npm run --silent typecheck
echo "== lint"; npm run --silent lint
echo "== format"; npm run --silent format:check
echo "== tests"; npx vitest run "$@"
