//! The server's receipt signing key: an Ed25519 seed kept as 64 hex characters in a file
//! only its owner may read, created from the OS random number generator on first use.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write as _};
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use rand::rngs::OsRng;
use rand::TryRngCore as _;

use crate::error::{Context, Error};

/// The key file's name when it sits next to the SQLite database.
pub const RECEIPT_KEY_FILE: &str = "receipt-signing.key";

/// The receipt key file that goes with a SQLite database file.
pub fn receipt_key_beside(db_file: &Path) -> PathBuf {
    db_file.with_file_name(RECEIPT_KEY_FILE)
}

/// Reads the signing key from `file`, creating the file (mode 0600) with a new random key
/// when it does not exist.
pub fn load_receipt_key(file: &Path) -> Result<SigningKey, Error> {
    match std::fs::read_to_string(file) {
        Ok(text) => parse(&text).ok_or_else(|| {
            Error::new(format!("{} is not a receipt signing key (64 hex characters expected)", file.display()))
        }),
        Err(e) if e.kind() == ErrorKind::NotFound => create(file),
        Err(e) => Err(e).context(format!("cannot read the receipt signing key {}", file.display())),
    }
}

fn parse(text: &str) -> Option<SigningKey> {
    let seed: [u8; 32] = hex::decode(text.trim()).ok()?.try_into().ok()?;
    Some(SigningKey::from_bytes(&seed))
}

fn create(file: &Path) -> Result<SigningKey, Error> {
    let mut seed = [0u8; 32];
    OsRng.try_fill_bytes(&mut seed).context("cannot read the OS random number generator")?;
    let mut options = OpenOptions::new();
    // create_new: two servers starting at once must not each write their own key.
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(file) {
        Ok(mut out) => {
            writeln!(out, "{}", hex::encode(seed))
                .and_then(|()| out.sync_all())
                .context(format!("cannot write the receipt signing key {}", file.display()))?;
            Ok(SigningKey::from_bytes(&seed))
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => load_receipt_key(file),
        Err(e) => Err(e).context(format!("cannot create the receipt signing key {}", file.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_created_once_readable_only_by_its_owner_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let file = receipt_key_beside(&dir.path().join("center.db"));
        let key = load_receipt_key(&file).unwrap();
        assert_eq!(load_receipt_key(&file).unwrap().to_bytes(), key.to_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_malformed_or_unreadable_key_names_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.key");
        std::fs::write(&file, "not a key").unwrap();
        let message = load_receipt_key(&file).unwrap_err().to_string();
        assert!(message.contains("bad.key") && message.contains("64 hex"), "{message}");
        // A directory cannot be read as a file.
        let message = load_receipt_key(dir.path()).unwrap_err().to_string();
        assert!(message.contains(&dir.path().display().to_string()), "{message}");
    }
}
