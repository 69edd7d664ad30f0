//! The contract of the center's service API, shared by its clients (the kiosk) and its
//! reference server: the request and response types, the rules both sides check (signed
//! receipts, ID numbers, limits), and, with the `client` feature, the one HTTP client.
//!
//! Nothing here knows of a server, a database or a screen.

#[cfg(feature = "client")]
pub mod client;
pub mod id_number;
pub mod limits;
pub mod model;
pub mod receipt;
pub mod ticket_code;

#[cfg(feature = "client")]
pub use client::{ApiClient, CaCertificates};

use std::fmt;

use model::ApiError;

/// Why a call to the service API failed, as a client sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiFailure {
    /// No answer: network down, server stopped, timeout. Worth retrying.
    Unreachable(String),
    /// The API answered with an error; its message says why.
    Refused(ApiError),
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            ApiFailure::Unreachable(why) => write!(f, "no answer: {why}"),
            ApiFailure::Refused(error) => write!(f, "refused ({}): {}", error.code, error.message.en),
        }
    }
}
