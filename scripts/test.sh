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
mongo_log=.tmp/mongo-test.log
start_mongo :memory: "$(free_port)" "$mongo_log" --standalone || exit 1
echo "test database server: $MONGODB_URI"

status=0
step "Style: rustfmt"
cargo fmt --all --check || status=1
# Each clippy in the profile and target directory of the build that follows it: the proc macros
# and build scripts it compiles are then the very ones those builds use.
step "Style: clippy for the server side"
cargo clippy --release --workspace --exclude frontend --all-targets -- -D warnings || status=1
step "Style: clippy for the browser's wasm"
cargo clippy -p frontend --target wasm32-unknown-unknown --target-dir target/front --profile wasm-release \
    -- -D warnings || status=1

step "Rust tests (release build)"
# In the release profile: setup.sh has already built burn (and everything else the server needs)
# there for the VGG16 import, with the same features (see ciborium in captioner/Cargo.toml), and
# the browser suite below builds the server there too. A debug test build would compile burn
# once more.
rust_tests=(--release -p app -p server -p captioner -p languages)
cargo test "${rust_tests[@]}" --no-run || status=1
# The browser suite's build of the server (cargo-leptos runs this same command) must find the test
# build's crates ready: when the two resolve features apart, or differ in the environment leptos
# reads at compile time, cargo compiles the app and much below it twice (see server/Cargo.toml,
# .cargo/config.toml).
if ! cargo build --release --package=server --bin=server --no-default-features --message-format=json-render-diagnostics \
    | python3 scripts/recompiled.py; then
    echo "the server's build recompiled the crates above after the test build: see server/Cargo.toml"
    status=1
fi
# Built above, they run in a few minutes: one that hangs fails here, and the browser suite and
# the bundle still run, instead of the whole CI run timing out.
if ! timeout 1200 cargo test "${rust_tests[@]}" --no-fail-fast; then
    status=1
    echo "--- the test database server's log, last lines:"
    tail -n 40 "$mongo_log"
fi

step "Browser tests (Playwright, Chromium; release build)"
export MONGODB_DATABASE="e2e_$(date +%s)_$$"
# Many sign-ups from one address in a few seconds: the limit itself is tested in Rust.
export AUTH_ATTEMPTS_PER_MINUTE=1000
cargo leptos end-to-end "${LEPTOS_RELEASE[@]}" || status=1

step "Release bundle: unpacked into an empty directory, run, and a photo captioned"
bash scripts/test-bundle.sh || status=1

steps_done "test.sh (after setup)"
exit $status
