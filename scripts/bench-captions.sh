#!/usr/bin/env bash
# Captioning as users meet it: upload → caption stored (12-megapixel JPEG and Flickr8k photo),
# and the dashboard's latency while 20 photos are captioned beside the same page afterwards.
# Starts a throwaway database; the app runs inside the measuring process (release build).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
start_bench_database
RUST_LOG=warn cargo run --release -q -p server --example caption_latency
