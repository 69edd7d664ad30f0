//! The electronic receipt (电子回执) of an online pre-review, as its QR code carries it: a
//! compact payload signed with Ed25519 by the service API's key, so a kiosk can check it
//! offline before it asks the API to redeem it.
//!
//! Token: `R1.` + base64url(payload) + `.` + base64url(signature over the payload bytes).
//! Payload (all integers big-endian): version 1 (u8), receipt id (16 bytes), issued and
//! expires (unix seconds, u32 each), result (u8: 0 complete, 1 materials missing), then
//! length-prefixed (u8) UTF-8 strings: service code, masked applicant name, and the count
//! (u8) of missing materials followed by their indices (u8) in the service's material list.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

const PREFIX: &str = "R1.";
const VERSION: u8 = 1;
/// A receipt never needs more; anything longer is refused before decoding.
pub const MAX_TOKEN_LEN: usize = 600;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub id: [u8; 16],
    pub service_code: String,
    /// Unix seconds.
    pub issued_at: u32,
    pub expires_at: u32,
    /// Indices into the service's materials of those still missing; empty: complete.
    pub missing_materials: Vec<u8>,
    /// e.g. 张*明.
    pub applicant: String,
}

/// Why a scanned code is not a receipt the kiosk can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiptError {
    /// Longer than any receipt: refused unread.
    Oversized,
    /// Some other QR code (a web address, a payment code...).
    NotAReceipt,
    /// Looks like a receipt but does not decode: damaged or altered.
    Malformed,
    /// The signature is missing or not the service API's: forged or altered.
    BadSignature,
    Expired,
}

impl Receipt {
    /// The token for the QR code, signed with `key`.
    pub fn sign(&self, key: &SigningKey) -> String {
        let payload = self.encode();
        let signature = key.sign(&payload);
        format!("{PREFIX}{}.{}", BASE64.encode(&payload), BASE64.encode(signature.to_bytes()))
    }

    /// Checks a scanned token offline: its form, its signature by `key`, and that it has not
    /// expired at `now` (unix seconds). Redeeming it online is the API's part.
    pub fn verify(token: &str, key: &VerifyingKey, now: u32) -> Result<Receipt, ReceiptError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(ReceiptError::Oversized);
        }
        let body = token.strip_prefix(PREFIX).ok_or(ReceiptError::NotAReceipt)?;
        // No signature at all is as bad as a wrong one: anyone can write a payload.
        let (payload, signature) = body.split_once('.').ok_or(ReceiptError::BadSignature)?;
        let payload = BASE64.decode(payload).map_err(|_| ReceiptError::Malformed)?;
        let signature: [u8; 64] =
            BASE64.decode(signature).ok().and_then(|s| s.try_into().ok()).ok_or(ReceiptError::Malformed)?;
        key.verify_strict(&payload, &Signature::from_bytes(&signature)).map_err(|_| ReceiptError::BadSignature)?;
        let receipt = Receipt::decode(&payload).ok_or(ReceiptError::Malformed)?;
        if now >= receipt.expires_at {
            return Err(ReceiptError::Expired);
        }
        Ok(receipt)
    }

    /// The 12-digit number printed under the QR code: 11 digits from the receipt id and a
    /// Luhn check digit, so a mistyped digit is caught before the API is asked.
    pub fn number(&self) -> String {
        let head = u64::from_be_bytes(self.id[..8].try_into().expect("8 bytes")) % 100_000_000_000;
        let digits = format!("{head:011}");
        format!("{digits}{}", luhn_check_digit(&digits))
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = vec![VERSION];
        out.extend(self.id);
        out.extend(self.issued_at.to_be_bytes());
        out.extend(self.expires_at.to_be_bytes());
        out.push(u8::from(!self.missing_materials.is_empty()));
        for text in [&self.service_code, &self.applicant] {
            out.push(text.len() as u8);
            out.extend(text.as_bytes());
        }
        out.push(self.missing_materials.len() as u8);
        out.extend(&self.missing_materials);
        out
    }

    fn decode(bytes: &[u8]) -> Option<Receipt> {
        let mut reader = Reader(bytes);
        if reader.take(1)? != [VERSION] {
            return None;
        }
        let id = reader.take(16)?.try_into().ok()?;
        let issued_at = u32::from_be_bytes(reader.take(4)?.try_into().ok()?);
        let expires_at = u32::from_be_bytes(reader.take(4)?.try_into().ok()?);
        let incomplete = reader.take(1)?[0];
        let service_code = reader.text()?;
        let applicant = reader.text()?;
        let count = reader.take(1)?[0] as usize;
        let missing_materials = reader.take(count)?.to_vec();
        let consistent = incomplete == u8::from(!missing_materials.is_empty());
        (consistent && reader.0.is_empty() && !service_code.is_empty()).then_some(Receipt {
            id,
            service_code,
            issued_at,
            expires_at,
            missing_materials,
            applicant,
        })
    }
}

/// Whether `value` has the form of a receipt number: 12 digits with a valid check digit.
pub fn is_receipt_number(value: &str) -> bool {
    value.len() == 12
        && value.bytes().all(|b| b.is_ascii_digit())
        && luhn_check_digit(&value[..11]) == value.as_bytes()[11] as char
}

fn luhn_check_digit(digits: &str) -> char {
    // Doubling every second digit from the right catches any single wrong digit and most
    // swaps of neighbours.
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                if d * 2 > 9 {
                    d * 2 - 9
                } else {
                    d * 2
                }
            } else {
                d
            }
        })
        .sum();
    char::from_digit((10 - sum % 10) % 10, 10).expect("a digit")
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (taken, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(taken)
    }

    fn text(&mut self) -> Option<String> {
        let len = self.take(1)?[0] as usize;
        String::from_utf8(self.take(len)?.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7; 32])
    }

    fn receipt() -> Receipt {
        Receipt {
            id: [1; 16],
            service_code: "residence-permit".into(),
            issued_at: 1_800_000_000,
            expires_at: 1_800_086_400,
            missing_materials: vec![0, 2],
            applicant: "张*明".into(),
        }
    }

    #[test]
    fn a_signed_receipt_verifies_offline_and_fits_a_small_qr_code() {
        let token = receipt().sign(&key());
        assert!(token.len() < 200, "{} characters", token.len());
        assert_eq!(Receipt::verify(&token, &key().verifying_key(), 1_800_000_100), Ok(receipt()));
    }

    #[test]
    fn the_receipt_number_catches_a_mistyped_digit() {
        let number = receipt().number();
        assert_eq!(number.len(), 12);
        assert!(is_receipt_number(&number));
        assert!(!is_receipt_number("12345678901")); // 11 digits
        assert!(is_receipt_number("000000000000"));
        for i in 0..12 {
            let mut typo = number.clone().into_bytes();
            typo[i] = b'0' + (typo[i] - b'0' + 1) % 10;
            assert!(!is_receipt_number(std::str::from_utf8(&typo).unwrap()), "digit {i}");
        }
    }

    #[test]
    fn bad_receipts_each_have_their_reason() {
        let public = key().verifying_key();
        let now = 1_800_000_100;
        let token = receipt().sign(&key());
        let verify = |token: &str| Receipt::verify(token, &public, now);
        assert_eq!(verify("https://example.com/pay?id=1"), Err(ReceiptError::NotAReceipt));
        assert_eq!(verify(&"R1.".repeat(300)), Err(ReceiptError::Oversized));
        assert_eq!(verify("R1.!!!.???"), Err(ReceiptError::Malformed));
        assert_eq!(verify(&token[..token.len() - 3]), Err(ReceiptError::Malformed));
        let unsigned = token.rsplit_once('.').unwrap().0;
        assert_eq!(verify(unsigned), Err(ReceiptError::BadSignature));

        // Another service code under the original signature: altered.
        let (_, signature) = token.rsplit_once('.').unwrap();
        let altered = Receipt { service_code: "legal-aid".into(), ..receipt() };
        let payload = BASE64.encode(altered.encode());
        assert_eq!(verify(&format!("R1.{payload}.{signature}")), Err(ReceiptError::BadSignature));

        // Signed by someone else's key: forged.
        let forged = receipt().sign(&SigningKey::from_bytes(&[9; 32]));
        assert_eq!(verify(&forged), Err(ReceiptError::BadSignature));

        assert_eq!(Receipt::verify(&token, &public, receipt().expires_at), Err(ReceiptError::Expired));
    }

    #[test]
    fn decoding_never_panics_on_truncated_or_padded_payloads() {
        let payload = receipt().encode();
        for end in 0..payload.len() {
            assert_eq!(Receipt::decode(&payload[..end]), None, "truncated at {end}");
        }
        let mut padded = payload.clone();
        padded.push(0);
        assert_eq!(Receipt::decode(&padded), None);
        assert_eq!(Receipt::decode(&payload), Some(receipt()));
    }
}
