//! The JSON the widget exchanges with its counterparts, by hand and without serde (see [`write`] for
//! why): [`read`] reads through the browser's `JSON.parse`, [`write`] writes exactly what serde would
//! write, and one file per counterpart holds its messages: [`worker`] (and [`view`], the product
//! views and calculator results), [`server`] (request bodies and responses). Storage's, the stream's
//! and the host's shapes still live next to their callers (`io::outbox`, `io::live`,
//! `conversation::history`, `host`).
//! This module uses nothing else of the widget, so every other module may use it.

pub(crate) mod read;
pub(crate) mod server;
pub(crate) mod view;
pub(crate) mod worker;
pub(crate) mod write;

#[cfg(test)]
mod tests;
