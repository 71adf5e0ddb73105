#!/usr/bin/env bash
# `npm test`: install what the tests need, build, typecheck, lint, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-system.sh
echo "== build"; npm run --silent build
echo "== typecheck"; npm run --silent typecheck
echo "== lint"; npm run --silent lint
echo "== format"; npm run --silent format:check
echo "== tests"; npx vitest run "$@"
