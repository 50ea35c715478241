#!/usr/bin/env bash
# Installs what is missing, then runs every test: Rust unit and integration tests against a
# throwaway database, then the Playwright suite in Chromium against a freshly built app.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
source scripts/lib.sh

mkdir -p .tmp
trap stop_mongo EXIT
# A throwaway server in memory; each test binary and the browser suite use databases of their own.
start_mongo :memory: "$(free_port)" .tmp/mongo-test.log --standalone || exit 1
echo "test database server: $MONGODB_URI"

status=0
echo "==> Rust tests"
cargo test -p app -p server --no-fail-fast || status=1
# The captioner runs VGG16 in its tests: optimised, or it takes minutes.
cargo test --release -p captioner --no-fail-fast || status=1

echo "==> Browser tests (Playwright, Chromium)"
export MONGODB_DATABASE="e2e_$(date +%s)_$$"
# Many sign-ups from one address in a few seconds: the limit itself is tested in Rust.
export AUTH_ATTEMPTS_PER_MINUTE=1000
cargo leptos end-to-end --release || status=1

exit $status
