#!/usr/bin/env python3
"""Times onnxruntime on VGG16's convolutions (batch 1, 224x224): the baseline for `captioner bench`.
Run by scripts/bench-encoder.sh, which makes a throwaway venv with onnxruntime."""
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort

import vgg16_convolutions
from vgg16_convolutions import POOL



def main(onnx_path: str, runs: int = 10) -> None:
    session = vgg16_convolutions.session(onnx_path, threads=2)
    x = np.random.default_rng(0).uniform(-120, 120, (1, 224, 224, 3)).astype(np.float32)
    session.run([POOL], {"input": x})  # warm-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        session.run([POOL], {"input": x})
        samples.append(time.perf_counter() - start)
    print(f"onnxruntime {ort.__version__} VGG16 batch 1: {statistics.median(samples) * 1e3:.0f} ms")


if __name__ == "__main__":
    main(sys.argv[1])
