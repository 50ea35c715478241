#!/bin/bash
# GPU call N of 3 (`bash scripts/gpu/extract.sh N`): extracts the 7x7 maps of the photos in
# .device/imgN on the GPU into /tmp/cap/feat (kept between calls while the machine stays warm).
# The first call also unpacks the captioner, VGG16 (f16) and the caption files.
set -uo pipefail
start=$(date +%s)
. scripts/gpu/env.sh
mkdir -p $T/img $T/feat
if [ ! -x $T/captioner ]; then
  nvidia-smi -L; nproc; grep -m1 'model name' /proc/cpuinfo
  echo "vulkan driver: ${VK_DRIVER_FILES:-none found}"
  xz -dc .device/captioner.xz > $T/captioner && chmod +x $T/captioner
  tar xJf .device/flickr8k.tar.xz -C $T && cp .device/vgg16-f16.bpk $T/
fi
cp -r .device/img$1/. $T/img/
echo "$(ls $T/img | wc -l) photos here"
cd $T && ./captioner --backend vulkan extract --map --images img --out feat/map.f16.bin --batch 32 --vgg16 vgg16-f16.bpk 2>&1 \
  | tr '\r' '\n' | grep -v '^\s*$' | tail -4
echo "call $1: $(( $(date +%s) - start )) s"
