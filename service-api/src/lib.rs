//! The shared service API of a community service center (便民服务中心): its data model, the
//! reference server (SQLite or PostgreSQL through sqlx) and the OpenAPI 3.1 contract it serves.
//!
//! A kiosk with no API URL configured runs an [`EmbeddedServer`]; a city runs `service-api
//! serve` on PostgreSQL. Clients always talk HTTP: see `openapi.json` for the contract.

mod embedded;
mod error;
mod http;
pub mod model;
mod queue;
pub mod receipt;
mod store;

pub use embedded::EmbeddedServer;
pub use error::Error;
pub use http::{router, routes, OPENAPI};
pub use store::{add_token, database_url, open_database, Db, Role};

/// A new random bearer token (48 hex characters).
pub fn generate_token() -> String {
    store::random_hex(24)
}
