//! Bank products explained in plain words (issue #5): the product catalogue (data, validated), the
//! glossary of financial terms, comparing two products side by side, small calculators, and the
//! readability checks the texts must pass.
//!
//! Why in the core: the widget (UI thread, `default-features = false`), the CLI and `xtask` must agree on
//! every number and every rule, and the honesty rules (risk always shown, "not advice", rates labelled as
//! examples) are enforced by tests here rather than by the UI's good behaviour. Everything is pure: the
//! browser downloads `public/kb/products.json` (a [`ProductBundle`]) and calls these functions.
//!
//! ## For the UI
//! - Load: [`ProductBundle::parse`]`(json)` → `bundle.catalogue`, `bundle.glossary`.
//! - Product card for a `product_*` intent: [`Catalogue::card`]`(id, lang)` → [`card::ProductCard`]
//!   (summary, risk line, worked-example table, "tell me more" sections, notice, disclaimer).
//! - Glossary: [`Glossary::mark_terms`]`(text, lang)` → [`glossary::Segment`]s;
//!   [`Glossary::explain`]`(id, lang)`.
//! - Compare: [`compare::detect_compare`]`(text, &catalogue)` → `Some((a, b))`;
//!   [`Catalogue::compare`]`(a, b, lang)` → [`compare::Comparison`] (same rows for both).
//! - Calculators: [`calculator::deposit_from_text`], [`calculator::loan_from_text`] (errors name the
//!   field and have [`input::InputError::message`]), [`calculator::describe_deposit`],
//!   [`calculator::describe_loan`]; the arithmetic itself is in [`calc`], money formatting in [`money`].

pub mod calc;
pub mod calculator;
pub mod card;
pub mod catalogue;
pub mod compare;
pub mod facet;
pub mod glossary;
pub mod input;
pub mod matcher;
pub mod money;
pub mod readability;
#[cfg(feature = "kb-source")]
mod source;
mod validate;
pub mod view;

pub use catalogue::{Catalogue, CatalogueError, ProductBundle};
pub use glossary::Glossary;
pub use money::Money;
#[cfg(all(test, feature = "kb-source"))]
mod tests;
