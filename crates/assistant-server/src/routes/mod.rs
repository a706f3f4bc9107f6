//! The HTTP API, one file per audience, each exporting `routes()`: what the customer's browser calls
//! (`customer`), the agents' JSON API (`agent`), the admin's (`admin`), operations (`ops`), and the
//! help centre's plain article pages (`help`).
//! Handlers here only read requests and shape responses; what they do is in `conversations`, `chat`,
//! `auth` and `db`. `app` merges them and adds the layers.

pub mod admin;
pub mod agent;
pub mod customer;
pub mod help;
pub mod ops;

/// Agent and admin data (transcripts, queues, reports) must not be kept by browsers or proxies.
fn no_store() -> tower_http::set_header::SetResponseHeaderLayer<axum::http::HeaderValue> {
    tower_http::set_header::SetResponseHeaderLayer::overriding(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    )
}
