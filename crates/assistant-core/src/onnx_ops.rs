//! The ONNX operators the intent model's graph uses, registered with tract-onnx one by one.
//!
//! Why not `tract_onnx::onnx()`: it registers every ONNX operator tract knows (convolutions, FFT,
//! attention, recurrent nets, …), and because the registry holds a pointer to each builder, none of
//! that code can be removed from the Web Worker's wasm. Registering only what our graph uses
//! (see `training/export.py`) lets the linker drop the rest: the worker shrinks by about half.
//!
//! If the exported graph gains an operator, add it to [`onnx`] (the builders mirror tract-onnx 0.23's
//! own; copy the one from `tract-onnx/src/ops`). Until then loading such a model fails with a typed
//! `ModelError::Onnx` naming the operator, and the test `every_operator_of_the_committed_model_is_registered`
//! fails first.

use tract_onnx::Onnx;
use tract_onnx::model::{OnnxOpRegister, ParsingContext};
use tract_onnx::pb::NodeProto;
use tract_onnx::tract_hir::internal::*;
use tract_onnx::tract_hir::ops;

type Built = TractResult<(Box<dyn InferenceOp>, Vec<String>)>;

/// The ONNX operator types [`onnx`] can load.
pub const SUPPORTED: &[&str] = &[
    "Add",
    "Cast",
    "Constant",
    "Div",
    "Gather",
    "Identity",
    "MatMul",
    "Max",
    "Mul",
    "ReduceSum",
    "Relu",
    "Softmax",
    "Sqrt",
    "Unsqueeze",
];

/// An ONNX loader that knows only the operators in [`SUPPORTED`].
pub fn onnx() -> Onnx {
    let mut reg = OnnxOpRegister::default();
    reg.insert("Add", |_, _| Ok((ops::math::Add.into_hir(), vec![])));
    reg.insert("Mul", |_, _| Ok((ops::math::Mul.into_hir(), vec![])));
    // TF-IDF inside the graph: IDF weighting and L2 normalisation (see training/export.py).
    reg.insert("Div", |_, _| Ok((ops::math::Div.into_hir(), vec![])));
    reg.insert("Sqrt", |_, _| Ok((ops::math::sqrt().into_hir(), vec![])));
    reg.insert("Max", |_, _| {
        Ok((
            Box::new(ops::binary::Nary(Box::new(ops::math::Max), false)),
            vec![],
        ))
    });
    reg.insert("Cast", cast);
    reg.insert("Constant", constant);
    reg.insert("Gather", gather);
    reg.insert("Identity", |_, _| {
        Ok((Box::<ops::identity::Identity>::default(), vec![]))
    });
    reg.insert("MatMul", |_, _| {
        Ok((expand(ops::matmul::MatMulInference::default()), vec![]))
    });
    reg.insert("ReduceSum", reduce_sum);
    reg.insert("Relu", |_, _| {
        Ok((expand(ops::activations::Clip::new(Some(0.0), None)), vec![]))
    });
    reg.insert("Softmax", softmax);
    reg.insert("Unsqueeze", unsqueeze);
    debug_assert_eq!(reg.0.len(), SUPPORTED.len());
    Onnx {
        op_register: reg,
        ..Onnx::default()
    }
}

fn cast(_: &ParsingContext, node: &NodeProto) -> Built {
    let mut to = node.get_attr::<DatumType>("to")?;
    if to == i64::datum_type() {
        // As tract-onnx does: integer shapes and indices are symbolic dimensions inside tract.
        to = TDim::datum_type();
    }
    Ok((Box::new(ops::cast::cast(to)), vec![]))
}

fn constant(ctx: &ParsingContext, node: &NodeProto) -> Built {
    let value = if let Some(v) = node.get_attr_opt("value")? {
        ctx.load_tensor(v)?
    } else if let Some(i) = node.get_attr_opt::<i64>("value_int")? {
        tensor0(i)
    } else if let Some(v) = node.get_attr_opt::<f32>("value_float")? {
        tensor0(v)
    } else if let Some(ints) = node.get_attr_opt_slice::<i64>("value_ints")? {
        tensor1(ints)
    } else if let Some(floats) = node.get_attr_opt_slice::<f32>("value_floats")? {
        tensor1(floats)
    } else {
        bail!("Constant node without a numeric value");
    };
    Ok((
        Box::new(ops::konst::Const::new(value.into_arc_tensor())?),
        vec![],
    ))
}

fn gather(_: &ParsingContext, node: &NodeProto) -> Built {
    let axis = node.get_attr_opt("axis")?.unwrap_or(0);
    Ok((expand(ops::array::Gather::new(axis)), vec![]))
}

fn softmax(ctx: &ParsingContext, node: &NodeProto) -> Built {
    let axis = node.get_attr_opt("axis")?;
    if ctx.onnx_operator_set_version < 13 {
        Ok((
            expand(ops::nn::LayerSoftmax::new(axis.unwrap_or(1), true)),
            vec![],
        ))
    } else {
        Ok((expand(ops::nn::Softmax::new(axis.unwrap_or(-1))), vec![]))
    }
}

fn unsqueeze(ctx: &ParsingContext, node: &NodeProto) -> Built {
    if ctx.onnx_operator_set_version < 13 {
        let axes = node
            .get_attr_vec::<i64>("axes")?
            .into_iter()
            .map(|x| x as isize)
            .collect();
        Ok((expand(ops::array::AddDims::new(axes)), vec![]))
    } else {
        Ok((expand(Unsqueeze13), vec![]))
    }
}

fn reduce_sum(ctx: &ParsingContext, node: &NodeProto) -> Built {
    let keep_dims = node.get_attr_opt("keepdims")?.unwrap_or(1i64) == 1;
    if ctx.onnx_operator_set_version >= 13 {
        let noop_with_empty_axes = node.get_attr_opt("noop_with_empty_axes")?.unwrap_or(0i64) == 1;
        Ok((
            expand(ReduceSum13 {
                have_axis_input: node.input.len() == 2,
                keep_dims,
                noop_with_empty_axes,
            }),
            vec![],
        ))
    } else {
        let axes = node.get_attr_opt_vec("axes")?;
        Ok((
            expand(ops::nn::Reduce::new(axes, keep_dims, ops::nn::Reducer::Sum)),
            vec![],
        ))
    }
}

/// A constant tensor's values as `i64` (the axes inputs of opset-13 `Unsqueeze` and `ReduceSum`).
fn const_i64s(t: &Tensor) -> TractResult<Vec<i64>> {
    Ok(t.cast_to::<i64>()?
        .try_as_plain_ram()?
        .as_slice::<i64>()?
        .to_vec())
}

/// Opset-13 `Unsqueeze`: the axes come as a (constant) second input. Same as tract-onnx's.
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
struct Unsqueeze13;

impl Expansion for Unsqueeze13 {
    fn name(&self) -> StaticName {
        "Unsqueeze13".into()
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 2)?;
        check_output_arity(outputs, 1)?;
        s.equals(&outputs[0].datum_type, &inputs[0].datum_type)?;
        s.given_2(&inputs[0].shape, &inputs[1].value, move |s, shape, axes| {
            let axes = const_i64s(&axes)?.into_iter().map(|i| i as isize).collect();
            let out_shape = ops::array::AddDims::new(axes).output_shape(&shape);
            s.equals(&outputs[0].shape, out_shape)
        })
    }

    fn wire(
        &self,
        prefix: &str,
        model: &mut TypedModel,
        inputs: &[OutletId],
    ) -> TractResult<TVec<OutletId>> {
        let Some(axes) = model.outlet_fact(inputs[1])?.konst.clone() else {
            bail!("Unsqueeze needs constant axes");
        };
        let axes = const_i64s(&axes)?.into_iter().map(|i| i as isize).collect();
        ops::array::AddDims::new(axes).wire(prefix, model, &inputs[0..1])
    }
}

/// Opset-13 `ReduceSum`: the axes come as an optional (constant) second input. Same as tract-onnx's.
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
struct ReduceSum13 {
    have_axis_input: bool,
    keep_dims: bool,
    noop_with_empty_axes: bool,
}

impl ReduceSum13 {
    fn axes(&self, given: Vec<i64>, rank: i64) -> Vec<i64> {
        if given.is_empty() && !self.noop_with_empty_axes {
            (0..rank).collect()
        } else {
            given
        }
    }

    fn reduce(&self, axes: Vec<i64>) -> ops::nn::Reduce {
        ops::nn::Reduce::new(Some(axes), self.keep_dims, ops::nn::Reducer::Sum)
    }
}

impl Expansion for ReduceSum13 {
    fn name(&self) -> StaticName {
        "Reduce13".into()
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 1 + self.have_axis_input as usize)?;
        check_output_arity(outputs, 1)?;
        s.equals(&inputs[0].datum_type, &outputs[0].datum_type)?;
        let shape_rules = move |s: &mut Solver<'r>, axes: Vec<i64>| -> InferenceResult {
            if self.keep_dims {
                s.equals(&inputs[0].rank, &outputs[0].rank)?;
            } else {
                s.equals(inputs[0].rank.bex() - axes.len() as i64, &outputs[0].rank)?;
            }
            let op = self.reduce(axes);
            s.given(&inputs[0].shape, move |s, shape| {
                s.equals(&outputs[0].shape, op.output_shape(&shape))
            })
        };
        if self.have_axis_input {
            s.given_2(&inputs[0].rank, &inputs[1].value, move |s, rank, axes| {
                shape_rules(s, self.axes(const_i64s(&axes)?, rank))
            })
        } else {
            s.given(&inputs[0].rank, move |s, rank| {
                shape_rules(s, self.axes(vec![], rank))
            })
        }
    }

    fn wire(
        &self,
        prefix: &str,
        model: &mut TypedModel,
        inputs: &[OutletId],
    ) -> TractResult<TVec<OutletId>> {
        let given = if self.have_axis_input {
            let Some(axes) = model.outlet_fact(inputs[1])?.konst.clone() else {
                bail!("ReduceSum needs constant axes");
            };
            const_i64s(&axes)?
        } else {
            vec![]
        };
        let rank = model.outlet_fact(inputs[0])?.rank() as i64;
        self.reduce(self.axes(given, rank))
            .wire(prefix, model, &inputs[0..1])
    }
}
