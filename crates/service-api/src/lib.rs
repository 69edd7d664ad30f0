//! The shared service API of a community service center (便民服务中心): the reference server
//! (SQLite or PostgreSQL through sqlx) serving the OpenAPI 3.1 contract; its types and rules
//! are in the `contract` crate.
//!
//! A kiosk with no API URL configured runs an [`EmbeddedServer`]; a city runs `service-api
//! serve` on PostgreSQL. Clients always talk HTTP: see `openapi.json` for the contract.

mod access;
mod applications;
mod calendar;
mod calls;
mod console;
mod embedded;
mod error;
mod evaluations;
mod face_auth;
mod fleet;
mod http;
mod prereview;
mod queue;
mod receipt_key;
mod server;
mod service_hours;
mod store;
mod wait;

pub use access::Role;
pub use calendar::{china_day, china_time};
pub use calls::{CallSettings, DEFAULT_CALL_MINUTES, DEFAULT_VIDEO_BASE_URL, GONE_AFTER_MINUTES, MAX_QUEUE_MINUTES};
pub use console::{add_account, NewAccount, StaffRole};
pub use embedded::EmbeddedServer;
pub use error::Error;
pub use face_auth::DEFAULT_PHOTO_RETENTION_DAYS;
pub use http::{router, routes, OPENAPI};
pub use receipt_key::{load_receipt_key, receipt_key_beside, RECEIPT_KEY_FILE};
pub use server::{serve, Limits, Tls, BODY_READ_TIMEOUT, HEADER_READ_TIMEOUT, MAX_CONNECTIONS};
pub use service_hours::ServiceHours;
pub use store::{add_token, database_url, open_database, sqlite_file, Db};

use contract::model::{IssuedReceipt, NewReceipt};
use ed25519_dalek::SigningKey;

/// A new random bearer token (48 hex characters).
pub fn generate_token() -> String {
    store::random_hex(24)
}

/// Issues a receipt straight into the database, as `POST /v1/receipts` does; `issued_by`
/// is stored with it (e.g. `cli:operator`).
pub async fn issue_receipt(
    db: &Db,
    key: &SigningKey,
    new: &NewReceipt,
    issued_by: &str,
) -> Result<IssuedReceipt, Error> {
    Ok(db.issue_receipt(new, key, issued_by).await?)
}
