#!/usr/bin/env bash
# Installs what is missing, then runs every check and test: style (rustfmt, clippy for the server
# and for the browser's wasm), Rust unit and integration tests against a throwaway database, the
# Playwright suite in Chromium against a freshly built app, and the release bundle unpacked and run
# outside the source tree.
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
echo "==> Style: rustfmt, clippy (native and wasm)"
cargo fmt --all --check || status=1
cargo clippy --workspace --exclude frontend --all-targets -- -D warnings || status=1
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings || status=1

echo "==> Rust tests"
# The captioner runs VGG16 in its tests: it and burn are optimised in the dev profile too
# (Cargo.toml), so its tests run in the same debug build, and one build of burn serves all three.
cargo test -p app -p server -p captioner --no-fail-fast || status=1

echo "==> Browser tests (Playwright, Chromium)"
export MONGODB_DATABASE="e2e_$(date +%s)_$$"
# Many sign-ups from one address in a few seconds: the limit itself is tested in Rust.
export AUTH_ATTEMPTS_PER_MINUTE=1000
cargo leptos end-to-end --release || status=1

echo "==> Release bundle: unpacked into an empty directory, run, and a photo captioned"
bash scripts/test-bundle.sh || status=1

exit $status
