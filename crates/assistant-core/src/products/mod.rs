//! Bank products explained in plain words (issue #5): the product catalogue (data, validated), the
//! glossary of financial terms, comparing two products side by side, small calculators, and the
//! readability checks the texts must pass.
//!
//! Why in the core: the widget (UI thread, `default-features = false`), the CLI and `xtask` must agree on
//! every number and every rule, and the honesty rules (risk always shown, "not advice", rates labelled as
//! examples) are enforced by tests here rather than by the UI's good behaviour. Everything is pure: the
//! browser downloads `public/kb/products.json` (a [`ProductBundle`]) and calls these functions.

pub mod calc;
pub mod card;
pub mod catalogue;
pub mod compare;
pub mod glossary;
pub mod input;
pub mod matcher;
pub mod money;
pub mod readability;
#[cfg(feature = "kb-source")]
mod source;

pub use catalogue::{Catalogue, CatalogueError, ProductBundle};
pub use glossary::Glossary;
pub use money::Money;
#[cfg(all(test, feature = "kb-source"))]
mod tests;
