#!/usr/bin/env bash
# The browser's share: the wasm's size (raw, and the brotli and gzip copies the server sends), then
# the dashboard's and a photo page's time to interactive in Chromium with the app's files sent
# compressed and sent whole, on the loopback network and on a throttled one
# (end2end/bench/time-to-interactive.mjs). Builds the release site, starts a throwaway database
# and the release server (and a second one for BASELINE, below).
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

# A release server (binary $1) on a site folder ($2) and a database of its own, named $3.
servers=()
serve_site() {
  local port
  port=$(free_port)
  LEPTOS_SITE_ADDR=127.0.0.1:$port LEPTOS_SITE_ROOT=$2 LEPTOS_OUTPUT_NAME=captioned \
    MONGODB_URI="$MONGODB_URI" MONGODB_DATABASE="bench_bundle_$3_$$" CAPTION_LANGUAGES=en RUST_LOG=warn \
    "$1" >".tmp/bench-bundle-server-$3.log" 2>&1 &
  servers+=($!)
  wait_for_port "$port" 120
  sites="${sites:+$sites;}$3=http://127.0.0.1:$port"
}
trap 'kill "${servers[@]}" 2>/dev/null; stop_mongo' EXIT
serve_site target/release/server target/site "this build"
# BASELINE=DIR: another build to measure in turns with this one, its server at DIR/server and its
# site at DIR/site (e.g. an earlier commit's, built in a git worktree and copied there).
[ -n "${BASELINE:-}" ] && serve_site "$BASELINE/server" "$BASELINE/site" baseline
(cd end2end && SITES="$sites" node bench/time-to-interactive.mjs)
