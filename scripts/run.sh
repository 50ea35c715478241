#!/usr/bin/env bash
# Installs what is missing, then runs Captioned at http://127.0.0.1:3000.
# With MONGODB_URI unset it starts the embedded database (SecantusDB, data in ./data/mongo,
# kept across restarts) and stops it when the app stops.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
source scripts/lib.sh

if [ -z "${MONGODB_URI:-}" ]; then
  mkdir -p data/mongo
  trap stop_mongo EXIT
  start_mongo ./data/mongo "${EMBEDDED_MONGO_PORT:-27017}" data/mongo.log
  echo "embedded database: $MONGODB_URI (data in ./data/mongo)"
fi
build_release_site
# As `cargo leptos serve --release` would run it, once the site's gzip copies are the small ones.
LEPTOS_ENV=PROD target/release/server
