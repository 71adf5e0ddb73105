#!/usr/bin/env bash
# `npm test`: install what the tests need, build, typecheck, lint, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-system.sh
# The optional nfqueue addon (user-space latency where the kernel has no netem) can only compile once
# libnetfilter-queue-dev is installed, which on a fresh machine happens after `npm ci`.
if ! node -e "require('nfqueue')" 2>/dev/null && [ -f /usr/include/libnetfilter_queue/libnetfilter_queue.h ]; then
  echo "== building the nfqueue addon"; npm rebuild nfqueue >/dev/null
fi
echo "== build"; npm run --silent build
echo "== typecheck"; npm run --silent typecheck
echo "== lint"; npm run --silent lint
echo "== format"; npm run --silent format:check
echo "== tests"; npx vitest run "$@"
