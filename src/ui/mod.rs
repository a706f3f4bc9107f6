//! The Leptos components: `app` (launcher + modal dialog), `header` (title, toolbar, display
//! settings), `messages` (the log), `composer` (chips and input) and `products` (product cards,
//! comparisons, glossary terms and calculators, rendered from the worker's views).

pub(crate) mod app;
pub(crate) mod composer;
pub(crate) mod header;
pub(crate) mod messages;
pub(crate) mod products;
