#!/usr/bin/env python3
"""Times onnxruntime on VGG16's convolutions (batch 1, 224x224): the baseline for `captioner bench`.
Run by scripts/bench-encoder.sh, which makes a throwaway venv with onnxruntime."""
import statistics
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort

POOL = "functional_1/block5_pool_1/MaxPool2d:0"


def main(onnx_path: str, runs: int = 10) -> None:
    model = onnx.load(onnx_path)
    nodes = []
    for node in model.graph.node:
        nodes.append(node)
        if POOL in node.output:
            break
    used = {name for node in nodes for name in node.input}
    graph = onnx.helper.make_graph(nodes, "vgg16_convolutions", [model.graph.input[0]],
                                   [onnx.helper.make_tensor_value_info(POOL, onnx.TensorProto.FLOAT, None)],
                                   initializer=[i for i in model.graph.initializer if i.name in used])
    sub = onnx.helper.make_model(graph, opset_imports=model.opset_import)
    sub.ir_version = model.ir_version
    dims = sub.graph.input[0].type.tensor_type.shape.dim
    dims[1].dim_param, dims[2].dim_param = "height", "width"
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    session = ort.InferenceSession(sub.SerializeToString(), options, providers=["CPUExecutionProvider"])
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
