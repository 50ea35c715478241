# Helpers shared by the scripts: run.sh, test.sh and the benchmarks (sourced, not run).

# Starts a named step and prints its header; `steps_done` prints every step's time. A cold run's
# log then says, step by step, where its minutes went.
STEP_TIMES=()
step() {
  steps_close
  STEP_NAME=$*
  STEP_STARTED=$SECONDS
  printf '\n==> %s\n' "$*"
}
steps_close() {
  [ -n "${STEP_NAME:-}" ] && STEP_TIMES+=("$(printf '%6d s  %s' $((SECONDS - STEP_STARTED)) "$STEP_NAME")")
  STEP_NAME=
  return 0
}
steps_done() {
  steps_close
  [ ${#STEP_TIMES[@]} -gt 0 ] && printf '\n%s, step by step:\n' "$1" && printf '%s\n' "${STEP_TIMES[@]}"
  return 0
}

# How the site is built for release (run.sh, test.sh, bundle.sh, check-hardening.sh): with a
# brotli and a gzip copy of each of its files, which the server sends to browsers that accept them,
# and split (`--split`): the lazy pages of `app/src/lib.rs` get wasm files of their own. Every build
# of the wasm needs `--split` (`cargo leptos watch --split` too): a plain one cannot hydrate them.
LEPTOS_RELEASE=(--release --precompress --split)

# The release build, then the site's gzip copies written again by `server compress-site`, a fifth
# smaller than cargo-leptos' (gzip is what browsers get over plain HTTP).
build_release_site() {
  # (`&&`: a caller's `||` turns off `set -e` in here)
  cargo leptos build "${LEPTOS_RELEASE[@]}" && target/release/server compress-site target/site >/dev/null
}

# A free TCP port on the loopback interface.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something listens on 127.0.0.1:$1 (at most $2 seconds, default 30).
wait_for_port() {
  local port=$1 limit=${2:-30}
  timeout "$limit" bash -c "until (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do sleep 0.2; done"
}

# Starts SecantusDB, the embedded MongoDB-compatible server, in the background.
# start_mongo STORAGE PORT LOG [extra flags]; sets MONGO_PID and MONGODB_URI.
start_mongo() {
  local storage=$1 port=$2 log=$3
  shift 3
  .venv-mongo/bin/secantusd-py --host 127.0.0.1 --port "$port" --storage-path "$storage" "$@" >"$log" 2>&1 &
  MONGO_PID=$!
  if ! wait_for_port "$port" 30; then
    echo "SecantusDB did not start; its log ($log):" >&2
    tail -20 "$log" >&2
    return 1
  fi
  export MONGODB_URI="mongodb://127.0.0.1:$port/?directConnection=true"
}

stop_mongo() {
  if [ -n "${MONGO_PID:-}" ] && kill -0 "$MONGO_PID" 2>/dev/null; then
    kill "$MONGO_PID" 2>/dev/null || true
    wait "$MONGO_PID" 2>/dev/null || true
  fi
}

# The CPU, its cores and its vector extensions: printed with every benchmark, since machines of
# one kind differ (some have AVX-512) and figures compare only within one run.
print_cpu() {
  echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores;" \
    "vector extensions: $(grep -m1 '^flags' /proc/cpuinfo | grep -o -w -E 'avx2|avx512[a-z]*|fma' | sort -u | xargs)"
}

# What a benchmark script needs first: the tools, and a throwaway database (stopped on exit).
start_bench_database() {
  bash scripts/setup.sh >/dev/null
  mkdir -p .tmp
  trap stop_mongo EXIT
  start_mongo :memory: "$(free_port)" .tmp/mongo-bench.log --standalone
  print_cpu
}
