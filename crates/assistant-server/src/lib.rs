//! # assistant-server
//!
//! The bank assistant's server (axum + tokio): the fallback chatbot for questions the browser's small
//! model could not answer, the hand-off of a conversation to a person (queue, live Server-Sent Events,
//! agent console), feedback and the improvement report, and operations endpoints. The contract is
//! `docs/openapi.yaml`; the request/response types are shared with the widget in
//! `assistant_core::api`.

pub mod agent;
pub mod app;
pub mod auth;
pub mod bus;
pub mod chat;
pub mod config;
pub mod console;
pub mod db;
pub mod error;
pub mod handoff;
pub mod hours;
pub mod metrics;
pub mod retrieval;

pub use app::{AppState, router, serve};
pub use config::Config;
