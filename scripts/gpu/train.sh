#!/bin/bash
# After the extraction, in the same call (`bash scripts/gpu/train.sh END`, END a Unix time): the runs
# below train side by side on the one GPU (each is far too small to fill it) until shortly before
# END; each model comes back as a tar.
# English tries two weights of the attention regulariser (the dev split picks); the other
# languages use the one between them.
set -uo pipefail
start=$(date +%s)
. scripts/gpu/env.sh
REPO=$PWD
[ -s $T/feat/map.f16.bin ] || { echo "fresh machine: the extraction calls' files are gone"; exit 3; }
cd $T && mkdir -p models logs
left=$(( $1 - $(date +%s) ))
minutes=$(python3 -c "print(round(($left - 75) / 60, 2))")
echo "training for at most $minutes min"
for run in en-p002:en:0.02 en-p01:en:0.1 zh:zh:0.05 de:de:0.05 ar:ar:0.05; do
  IFS=: read name language penalty <<<"$run"
  python3 -c "import json; c=json.load(open('$REPO/captioner/configs/attention.json')); c.update(language='$language', attention_penalty=$penalty, max_minutes=$minutes); json.dump(c, open('$name.json', 'w'), indent=2)"
  timeout $(( left - 45 )) ./captioner --backend vulkan train --config $name.json --flickr8k flickr8k --features feat/map.f16.bin --out models/$name \
    > logs/$name.log 2>&1 &
done
sleep 90; tail -n 3 logs/*.log; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv
wait
for name in en-p002 en-p01 zh de ar; do
  echo "== $name"; tr '\r' '\n' < logs/$name.log | grep -v '^\s*$' | grep -v '\[' | tail -n 40
  [ -f models/$name/decoder.bpk ] && ./captioner --backend ndarray halve --model models/$name \
    && tar cf $OUT/$name.tar -C models $name/config.json $name/vocab.json $name/decoder-f16.bpk $name/history.json $name/training.svg
done
tar czf $OUT/logs.tgz logs
echo "training call: $(( $(date +%s) - start )) s"; ls -la $OUT
