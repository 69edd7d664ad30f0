//! Validation of what residents type on the keypad. Each failure names the part to check.

use contract::id_number::IdNumberProblem;
use contract::model::EntryKind;

use super::view::EntryView;

/// Why an entry was refused: the id of the prompt that explains it.
pub type EntryError = &'static str;

pub fn expected_len(kind: EntryKind) -> usize {
    match kind {
        EntryKind::IdNumber => 18,
        EntryKind::Phone => 11,
        EntryKind::ReceiptNumber => 12,
    }
}

/// The prompt that asks for an entry of `kind`.
pub fn prompt(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::IdNumber => "entry.prompt.id-number",
        EntryKind::Phone => "entry.prompt.phone",
        EntryKind::ReceiptNumber => "entry.prompt.receipt-number",
    }
}

/// The keypad entry of `kind` in progress, `typed` so far.
pub fn view(kind: EntryKind, typed: &str, masked: bool, optional: bool) -> EntryView {
    EntryView {
        shown: if masked { "*".repeat(typed.len()) } else { typed.to_string() },
        typed_len: typed.len(),
        masked,
        expected_len: expected_len(kind),
        allows_x: kind == EntryKind::IdNumber,
        optional,
    }
}

pub fn validate(kind: EntryKind, value: &str) -> Result<(), EntryError> {
    match kind {
        EntryKind::IdNumber => validate_id_number(value),
        EntryKind::Phone => validate_phone(value),
        EntryKind::ReceiptNumber if contract::receipt::is_receipt_number(value) => Ok(()),
        EntryKind::ReceiptNumber if value.len() != 12 => Err("entry.error.receipt-length"),
        EntryKind::ReceiptNumber => Err("entry.error.receipt-check-digit"),
    }
}

/// Whether `key` may be typed at position `len` (X only as an ID number's last character).
pub fn accepts(kind: EntryKind, len: usize, key: char) -> bool {
    len < expected_len(kind) && (key.is_ascii_digit() || (key == 'X' && kind == EntryKind::IdNumber && len == 17))
}

fn validate_phone(value: &str) -> Result<(), EntryError> {
    if value.len() != 11 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err("entry.error.phone-length");
    }
    if !value.starts_with('1') {
        return Err("entry.error.phone-start");
    }
    Ok(())
}

/// GB 11643 citizen identity number (checked by the service API's own rules), the part to
/// check named.
fn validate_id_number(value: &str) -> Result<(), EntryError> {
    contract::id_number::validate(value).map_err(|problem| match problem {
        IdNumberProblem::Length => "entry.error.id-length",
        IdNumberProblem::Region => "entry.error.id-region",
        IdNumberProblem::BirthDate => "entry.error.id-birth-date",
        IdNumberProblem::CheckDigit => "entry.error.id-check-digit",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_wrong_part_of_an_id_number_is_named() {
        let with_check =
            |first17: &str| format!("{first17}{}", contract::id_number::check_character(first17.as_bytes()) as char);
        assert_eq!(validate_id_number("11010519491231002X"), Ok(()));
        assert_eq!(validate_id_number("110105194912310021"), Err("entry.error.id-check-digit"));
        assert_eq!(validate_id_number("11010519491231002"), Err("entry.error.id-length"));
        assert_eq!(validate_id_number(&with_check("99010519491231002")), Err("entry.error.id-region"));
        assert_eq!(validate_id_number(&with_check("11010519490231002")), Err("entry.error.id-birth-date"));
    }

    #[test]
    fn phone_numbers() {
        assert_eq!(validate_phone("13800138000"), Ok(()));
        assert_eq!(validate_phone("1380013800"), Err("entry.error.phone-length"));
        assert_eq!(validate_phone("23800138000"), Err("entry.error.phone-start"));
    }

    #[test]
    fn x_only_as_the_last_id_character() {
        assert!(accepts(EntryKind::IdNumber, 17, 'X'));
        assert!(!accepts(EntryKind::IdNumber, 3, 'X'));
        assert!(!accepts(EntryKind::Phone, 10, 'X'));
        assert!(!accepts(EntryKind::Phone, 11, '1'));
    }
}
