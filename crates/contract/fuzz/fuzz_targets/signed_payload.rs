//! Any payload, correctly signed: reaches the decoder that the signature check guards, which
//! must never panic, and must decode exactly (what it accepts signs back to the same token).
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64;
use base64::Engine as _;
use ed25519_dalek::Signer as _;
use libfuzzer_sys::fuzz_target;
use contract_fuzz::{key, receipt::Receipt, NOW};

fuzz_target!(|payload: &[u8]| {
    let key = key();
    let signature = key.sign(payload).to_bytes();
    let token = format!("R1.{}.{}", BASE64.encode(payload), BASE64.encode(signature));
    if let Ok(receipt) = Receipt::verify(&token, &key.verifying_key(), NOW) {
        assert_eq!(receipt.sign(&key), token);
    }
});
