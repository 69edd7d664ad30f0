//! Limits both sides of the API hold to: the kiosk to say so before asking, the server to
//! refuse what goes beyond them.

/// Tries a resident has at the kiosk for one pension face authentication; beyond them, staff
/// help at a window, and the server refuses a fourth.
pub const MAX_ATTEMPTS: u32 = 3;

/// The largest face photo, decoded.
pub const MAX_PHOTO_BYTES: usize = 2 * 1024 * 1024;

/// Longest masked applicant name on a receipt, in characters. Minority names written in
/// Chinese characters run long (买买提·艾力); 32 characters keep the token near 350
/// characters, well under [`crate::receipt::MAX_TOKEN_LEN`], and the QR code easy to scan.
pub const MAX_APPLICANT_CHARS: usize = 32;
