"""ONNX export of the intent model, built node by node with onnx.helper so the graph holds only ops tract
supports and no ONNX `Loop` (PyTorch's EmbeddingBag with offsets exports one; tract has none).

    ids[B,L] int64, weights[B,L] f32
    Gather(table int8 [V,H], ids) → Cast(f32) → Mul(weights[...,None]) → ReduceSum(axis 1)
    → Mul(scale[H]) → Add(b1) → Relu → MatMul(W2) → Add(b2) → Mul(1/T) → Softmax → probs[B,C]

The int8 table is dequantised per column *after* the sum (sum_i w_i·q_i·s = s·sum_i w_i·q_i), which is
the same arithmetic as DequantizeLinear on the table but touches only the rows a question uses."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


def quantize_columns(w1):
    """Symmetric per-column int8: returns (q int8 [V,H], scale f32 [H])."""
    scale = np.abs(w1).max(axis=0) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(w1 / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def build(q, scale, b1, w2, b2, temperature):
    inits = [
        numpy_helper.from_array(q, "table"),
        numpy_helper.from_array(scale, "scale"),
        numpy_helper.from_array(b1.astype(np.float32), "b1"),
        numpy_helper.from_array(w2.astype(np.float32), "w2"),
        numpy_helper.from_array(b2.astype(np.float32), "b2"),
        numpy_helper.from_array(np.array(1.0 / temperature, dtype=np.float32), "inv_t"),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
    ]
    nodes = [
        helper.make_node("Gather", ["table", "ids"], ["rows_q"], axis=0),
        helper.make_node("Cast", ["rows_q"], ["rows"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["weights", "axis2"], ["w3"]),
        helper.make_node("Mul", ["rows", "w3"], ["weighted"]),
        helper.make_node("ReduceSum", ["weighted", "axis1"], ["summed"], keepdims=0),
        helper.make_node("Mul", ["summed", "scale"], ["hidden_pre"]),
        helper.make_node("Add", ["hidden_pre", "b1"], ["hidden_b"]),
        helper.make_node("Relu", ["hidden_b"], ["hidden"]),
        helper.make_node("MatMul", ["hidden", "w2"], ["logits_pre"]),
        helper.make_node("Add", ["logits_pre", "b2"], ["logits"]),
        helper.make_node("Mul", ["logits", "inv_t"], ["scaled"]),
        helper.make_node("Softmax", ["scaled"], ["probs"], axis=-1),
    ]
    graph = helper.make_graph(
        nodes,
        "intent",
        [
            helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", "len"]),
            helper.make_tensor_value_info("weights", TensorProto.FLOAT, ["batch", "len"]),
        ],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", w2.shape[1]])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="assistant-training")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model
