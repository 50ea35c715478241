#!/bin/bash
# GPU call 2: the rest of the photos, then training within the time left; the model comes back in $OUT.
set -uo pipefail
start=$(date +%s)
. .device/env.sh
REPO=$PWD
[ -x $T/captioner ] || { echo "fresh machine: part 1's files are gone"; exit 3; }
cp -r .device/imgB/. $T/img/; ls $T/img | wc -l
cd $T && ./captioner --backend vulkan extract --map --images img --out feat/map.f16.bin --batch 64 --vgg16 vgg16-f16.bpk 2>&1 | tr '\r' '\n' | grep -v '^\s*$' | tail -3
left=$(python3 -c "print(round(($1 - ($(date +%s) - $start)) / 60 - 1.2, 2))")
echo "extraction done at $(( $(date +%s) - start )) s; training for at most $left min"
python3 -c "import json,sys; c=json.load(open('$REPO/captioner/configs/attention.json')); c['max_minutes']=$left; json.dump(c,open('attention.json','w'),indent=2)"
./captioner --backend vulkan train --config attention.json --flickr8k flickr8k --features feat/map.f16.bin --out model 2>&1 | tr '\r' '\n' | grep -v '^\s*$' | grep -v '\[' | tee $OUT/train.log
./captioner --backend vulkan halve --model model
cp model/config.json model/vocab.json model/decoder-f16.bpk model/history.json model/training.svg $OUT/
echo "part 2: $(( $(date +%s) - start )) s"; ls -la $OUT
