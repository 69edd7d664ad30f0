//! The staff PIN of the admin menu (see `kiosk_core::admin`): kept in the configuration only
//! as an Argon2id hash in the PHC string format (`admin_pin_hash`), which the engineer makes
//! with `kiosk --hash-admin-pin`. Argon2's defaults (19 MiB, two passes) make each guess cost
//! tens of milliseconds, so the check runs off the UI thread.
//!
//! How the kiosk program ends from the menu is its exit code, for the session that runs it.

use std::io::BufRead;
use std::process::ExitCode;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use kiosk_core::entry::ADMIN_PIN_DIGITS;

/// The exit code that asks the kiosk session for a maintenance shell (the admin menu's
/// 进入维护终端); the session starts the kiosk again when the shell closes. A restart exits
/// with 0 after a clean stop, and the session supervisor starts the kiosk again.
pub const MAINTENANCE_EXIT: u8 = 10;

/// The configured staff PIN's hash, checked to be a valid Argon2 PHC string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinHash(String);

impl PinHash {
    pub fn parse(phc: &str) -> Result<PinHash, String> {
        let hash = PasswordHash::new(phc)
            .map_err(|e| format!("not a PHC string ({e}): make it with kiosk --hash-admin-pin"))?;
        if !hash.algorithm.as_str().starts_with("argon2") {
            return Err(format!("{} is not an Argon2 hash: make it with kiosk --hash-admin-pin", hash.algorithm));
        }
        Ok(PinHash(phc.to_string()))
    }

    /// The hash of `pin`, with a fresh random salt.
    pub fn of(pin: &str) -> PinHash {
        let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes()).expect("16 bytes make a salt");
        let hash = Argon2::default().hash_password(pin.as_bytes(), &salt).expect("Argon2's defaults hash any PIN");
        PinHash(hash.to_string())
    }

    /// Whether `pin` is the PIN hashed. Slow on purpose: call it off the UI thread.
    pub fn matches(&self, pin: &str) -> bool {
        let hash = PasswordHash::new(&self.0).expect("checked when parsed");
        Argon2::default().verify_password(pin.as_bytes(), &hash).is_ok()
    }
}

/// `kiosk --hash-admin-pin`: the PIN from the first line of `input`, as the configuration line
/// to paste into kiosk.toml.
pub fn hash_line(input: impl BufRead) -> Result<String, String> {
    let pin = input.lines().next().unwrap_or(Ok(String::new())).map_err(|e| format!("cannot read the PIN: {e}"))?;
    let pin = pin.trim();
    if pin.len() != ADMIN_PIN_DIGITS || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("the staff PIN is {ADMIN_PIN_DIGITS} digits, typed on the kiosk's keypad"));
    }
    Ok(format!("admin_pin_hash = \"{}\"", PinHash::of(pin).0))
}

/// `kiosk --hash-admin-pin`: prints the line for kiosk.toml, from the PIN on standard input.
pub fn print_hash_line() -> ExitCode {
    match hash_line(std::io::stdin().lock()) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kiosk: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_line_holds_a_hash_that_knows_its_pin_and_no_other() {
        let line = hash_line("246810\n".as_bytes()).unwrap();
        let phc = line.strip_prefix("admin_pin_hash = \"").and_then(|l| l.strip_suffix('"')).unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        let hash = PinHash::parse(phc).unwrap();
        assert!(hash.matches("246810"));
        assert!(!hash.matches("246811"));
        assert_ne!(hash_line("246810".as_bytes()).unwrap(), line, "a fresh salt each time");
    }

    #[test]
    fn only_six_digits_make_a_pin_and_only_argon2_hashes_are_taken() {
        for pin in ["", "12345", "1234567", "12345a"] {
            assert!(hash_line(pin.as_bytes()).unwrap_err().contains("6 digits"), "{pin:?}");
        }
        assert!(PinHash::parse("246810").is_err());
        assert!(PinHash::parse("$pbkdf2-sha256$i=1000$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo")
            .unwrap_err()
            .contains("not an Argon2"));
    }
}
