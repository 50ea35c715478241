#!/usr/bin/env python3
"""Times onnxruntime on VGG16's convolutions (batch 1 and 8, 224x224): the baseline for `captioner bench`.
Run by scripts/bench-encoder.sh, which makes a throwaway venv with onnxruntime."""
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort

import vgg16_convolutions
from vgg16_convolutions import POOL



def median_seconds(session: ort.InferenceSession, x: np.ndarray, runs: int) -> float:
    session.run([POOL], {"input": x})  # warm-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        session.run([POOL], {"input": x})
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main(onnx_path: str, runs: int = 10) -> None:
    session = vgg16_convolutions.session(onnx_path, threads=2)
    rng = np.random.default_rng(0)
    one = rng.uniform(-120, 120, (1, 224, 224, 3)).astype(np.float32)
    eight = rng.uniform(-120, 120, (8, 224, 224, 3)).astype(np.float32)
    batch1 = median_seconds(session, one, runs)
    batch8 = median_seconds(session, eight, max(runs // 2, 3)) / 8
    print(f"onnxruntime {ort.__version__} VGG16 batch 1: {batch1 * 1e3:.0f} ms; per image at batch 8: {batch8 * 1e3:.0f} ms")


if __name__ == "__main__":
    main(sys.argv[1])
