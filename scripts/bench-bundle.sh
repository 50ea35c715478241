#!/usr/bin/env bash
# The browser's share: the wasm's size (raw, and the brotli and gzip copies the server sends), then
# the dashboard's time to interactive in Chromium with the app's files sent compressed and sent
# whole, on the loopback network and on a throttled one (end2end/bench/time-to-interactive.mjs).
# Builds the release site, starts a throwaway database and the release server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
start_bench_database
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
build_release_site >.tmp/bench-bundle-build.log 2>&1 ||
  { tail -n 40 .tmp/bench-bundle-build.log; exit 1; }

echo "site file             raw        brotli (sent)   gzip (sent)"
for f in captioned.wasm captioned.js captioned.css; do
  p=target/site/pkg/$f
  printf '%-16s %9d B %12d B %11d B\n' "$f" "$(stat -c %s "$p")" "$(stat -c %s "$p.br")" "$(stat -c %s "$p.gz")"
done

port=$(free_port)
LEPTOS_SITE_ADDR=127.0.0.1:$port LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=captioned \
  MONGODB_URI="$MONGODB_URI" MONGODB_DATABASE="bench_bundle_$$" CAPTION_LANGUAGES=en RUST_LOG=warn \
  target/release/server >.tmp/bench-bundle-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; stop_mongo' EXIT
wait_for_port "$port" 120
(cd end2end && BASE_URL="http://127.0.0.1:$port" node bench/time-to-interactive.mjs)
