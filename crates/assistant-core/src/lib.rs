//! # assistant-core
//!
//! The pure heart of the bank assistant: no DOM, no network, no files. Everything here compiles both
//! natively and to `wasm32`, so what the browser does can be unit-tested, property-tested and benchmarked
//! natively, byte for byte the same featurisation and model.
//!
//! Features keep the widget's first load small: with `default-features = false` you get only PII
//! masking, routing, locale and protocol types (what the UI thread needs); `engine` adds normalisation,
//! the featuriser and the tract-onnx engine (the Web Worker, CLI and server); `kb-source` adds reading and
//! validating the knowledge base's TOML sources (CLI, xtask, server).

pub mod answers;
pub mod api;
pub mod display;
pub mod distress;
pub mod locale;
pub mod pii;
pub mod products;
pub mod protocol;
pub mod routing;
pub mod taxonomy;
pub mod telemetry;

#[cfg(feature = "engine")]
pub mod assistant;
#[cfg(feature = "engine")]
pub mod engine;
#[cfg(feature = "text")]
pub mod features;
#[cfg(feature = "kb-source")]
pub mod kb;
#[cfg(feature = "text")]
pub mod meta;
#[cfg(feature = "text")]
pub mod normalize;
#[cfg(feature = "engine")]
pub mod onnx_ops;
#[cfg(feature = "text")]
pub mod t2s;
