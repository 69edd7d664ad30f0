//! The receipt module of the contract crate, compiled on its own: depending on the crate would
//! build its HTTP client (ureq, rustls) with sanitizer flags for nothing.
//! `receipt.rs` uses only base64 and ed25519-dalek, so it compiles here unchanged.

use ed25519_dalek::SigningKey;

#[path = "../../src/receipt.rs"]
pub mod receipt;

/// The time the targets verify at: the epoch, so that only a receipt expiring at 0 has
/// expired and nearly every well-signed input goes on to be decoded.
pub const NOW: u32 = 0;

/// The fixed key the targets sign and verify with (the one receipt.rs's unit tests use).
pub fn key() -> SigningKey {
    SigningKey::from_bytes(&[7; 32])
}
