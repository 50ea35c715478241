#!/usr/bin/env bash
# The load and fault checks against a real release build of the server: uploads and captions under
# load, peak memory under the worst uploads and decoder bombs, orphans after a database kill.
# Starts its own databases; prints a table (the README shows the last one).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
source scripts/lib.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
cargo leptos build "${LEPTOS_RELEASE[@]}"
print_cpu
CAPTIONED_SERVER_BINARY="$PWD/target/release/server" RUST_LOG=warn \
  cargo run --release -q -p server --example hardening_check
