"""ONNX export of the intent model, built node by node with onnx.helper so the graph holds only ops tract
supports and no ONNX `Loop` (PyTorch's EmbeddingBag with offsets exports one; tract has none).

    ids[B,L] int64, weights[B,L] f32
    [optional TF-IDF: weights · Gather(idf u8 [V], ids)/16, L2-normalised again: Mul, ReduceSum, Sqrt, Max, Div]
    Gather(table int8 [V,H], ids) → Cast(f32) → Mul(weights[...,None]) → ReduceSum(axis 1)
    → Mul(scale[H]) → Add(b1) → Relu → MatMul(W2) → Add(b2) → Mul(1/T) → Softmax → probs[B,C]

The int8 table is dequantised per column *after* the sum (sum_i w_i·q_i·s = s·sum_i w_i·q_i), which is
the same arithmetic as DequantizeLinear on the table but touches only the rows a question uses."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


def quantize_columns(w1, levels=127):
    """Symmetric per-column int8: returns (q int8 [V,H], scale f32 [H]). Fewer `levels` (values in
    -levels..levels, still stored as int8) leave less entropy per byte, so the table gzips smaller."""
    scale = np.abs(w1).max(axis=0) / levels
    scale[scale == 0] = 1.0
    q = np.clip(np.round(w1 / scale), -levels, levels).astype(np.int8)
    return q, scale.astype(np.float32)


def reweigh_nodes():
    """weights · idf[ids], L2-normalised per row (an all-zero row stays zero)."""
    return [
        helper.make_node("Gather", ["idf_q", "ids"], ["idf_rows_q"], axis=0),
        helper.make_node("Cast", ["idf_rows_q"], ["idf_rows_u"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["idf_rows_u", "idf_step"], ["idf_rows"]),
        helper.make_node("Mul", ["weights", "idf_rows"], ["w_idf"]),
        helper.make_node("Mul", ["w_idf", "w_idf"], ["w_sq"]),
        helper.make_node("ReduceSum", ["w_sq", "axis1"], ["w_ss"], keepdims=1),
        helper.make_node("Sqrt", ["w_ss"], ["w_norm"]),
        helper.make_node("Max", ["w_norm", "eps"], ["w_norm_safe"]),
        helper.make_node("Div", ["w_idf", "w_norm_safe"], ["weights_tfidf"]),
    ]


def build(q, scale, b1, w2, b2, temperature, idf=None):
    """`idf` (uint8 [V], IDF × 16): when given, the graph first rescales the weights by IDF and
    L2-normalises them again (TF-IDF), see `reweigh_nodes`."""
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
    nodes = []
    weights = "weights"
    if idf is not None:
        inits += [numpy_helper.from_array(idf.astype(np.uint8), "idf_q"),
                  numpy_helper.from_array(np.array(1 / 16, dtype=np.float32), "idf_step"),
                  numpy_helper.from_array(np.array(1e-12, dtype=np.float32), "eps")]
        nodes += reweigh_nodes()
        weights = "weights_tfidf"
    nodes += [
        helper.make_node("Gather", ["table", "ids"], ["rows_q"], axis=0),
        helper.make_node("Cast", ["rows_q"], ["rows"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", [weights, "axis2"], ["w3"]),
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
