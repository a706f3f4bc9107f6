//! # assistant-server
//!
//! The bank assistant's server (axum + tokio): the fallback chatbot for questions the browser's small
//! model could not answer, the hand-off of a conversation to a person (queue, live Server-Sent Events,
//! agent console), feedback and the improvement report, and operations endpoints. The contract is
//! `docs/openapi.yaml`; the request/response types are shared with the widget in
//! `assistant_core::api`.

pub mod app;
pub mod audit;
pub mod auth;
pub mod bus;
pub mod chat;
pub mod client;
pub mod config;
pub mod console;
pub mod conversations;
pub mod db;
pub mod error;
pub mod evaluate;
pub mod hours;
pub mod insights;
pub mod jobs;
pub mod limits;
pub mod metrics;
pub mod pseudonym;
pub mod queue;
pub mod retrieval;
pub mod routes;
pub mod serve;
pub mod state;
pub mod stream;
pub mod throttle;
pub mod upstream;

pub use app::router;
pub use config::Config;
pub use serve::serve;
pub use state::AppState;
