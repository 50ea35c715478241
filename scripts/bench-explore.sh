#!/usr/bin/env bash
# Explore at scale: the median and p95 latency of /explore (first page, a later page by cursor,
# a public search) and of a profile, with 10,000 public and 10,000 private photos stored.
# Starts a throwaway database; the app runs inside the measuring process (release build).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
source scripts/lib.sh
mkdir -p .tmp
trap stop_mongo EXIT
start_mongo :memory: "$(free_port)" .tmp/mongo-bench.log --standalone
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores;" \
  "vector extensions: $(grep -m1 '^flags' /proc/cpuinfo | grep -o -w -E 'avx2|avx512[a-z]*|fma' | sort -u | xargs)"
RUST_LOG=warn cargo run --release -q -p server --example explore_latency
