#!/usr/bin/env bash
# Explore at scale: the median and p95 latency of /explore (first page, a later page by cursor,
# a public search) and of a profile, with 10,000 public and 10,000 private photos stored.
# Starts a throwaway database; the app runs inside the measuring process (release build).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
start_bench_database
RUST_LOG=warn cargo run --release -q -p server --example explore_latency
