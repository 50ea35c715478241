#!/bin/bash
# GPU call 1 (Vulkan): unpack the captioner, VGG16 (f16), the captions and the first part of the photos;
# extract their 7x7 maps on the GPU into /tmp/cap (which the next call, on the same warm machine, reuses).
set -uo pipefail
start=$(date +%s)
. .device/env.sh
mkdir -p $T/img $T/feat
nvidia-smi -L
cp -r .device/imgA/. $T/img/ && cp -r .device/flickr8k $T/ && cp .device/vgg16-f16.bpk $T/
xz -dc .device/captioner.xz > $T/captioner && chmod +x $T/captioner
ls $T/img | wc -l
echo "vulkan driver: ${VK_DRIVER_FILES:-none found}"
cd $T && ./captioner --backend vulkan extract --map --images img --out feat/map.f16.bin --batch 64 --vgg16 vgg16-f16.bpk 2>&1 | tr '\r' '\n' | grep -v '^\s*$' | tail -6
echo "part 1: $(( $(date +%s) - start )) s"; ls -la $T/feat
