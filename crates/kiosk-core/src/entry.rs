//! Validation of what residents type on the keypad. Each failure names the part to check.

use contract::id_number::IdNumberProblem;
use contract::model::EntryKind;

use super::view::EntryView;

/// Why an entry was refused: the id of the prompt that explains it.
pub type EntryError = &'static str;

/// What a keypad entry takes: what a flow's entry step can ask for, and the kiosk's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    IdNumber,
    Phone,
    ReceiptNumber,
    /// The digits of a ticket number (A012's 012), typed after choosing its letter: the keypad
    /// has no letters.
    TicketDigits,
    /// The staff's PIN for the admin menu: a secret, never shown or spoken, even in private
    /// listening.
    AdminPin,
}

impl Entry {
    /// Whether what is typed is never shown nor spoken, whoever listens.
    pub fn is_secret(self) -> bool {
        self == Entry::AdminPin
    }
}

impl From<EntryKind> for Entry {
    fn from(kind: EntryKind) -> Entry {
        match kind {
            EntryKind::IdNumber => Entry::IdNumber,
            EntryKind::Phone => Entry::Phone,
            EntryKind::ReceiptNumber => Entry::ReceiptNumber,
        }
    }
}

/// Ticket numbers have three digits (the API counts each letter's tickets from 001 a day).
const TICKET_DIGITS: usize = 3;

/// Staff PINs have six digits, like a bank card's (`kiosk --hash-admin-pin` takes no other).
pub const ADMIN_PIN_DIGITS: usize = 6;

pub fn expected_len(entry: Entry) -> usize {
    match entry {
        Entry::IdNumber => 18,
        Entry::Phone => 11,
        Entry::ReceiptNumber => 12,
        Entry::TicketDigits => TICKET_DIGITS,
        Entry::AdminPin => ADMIN_PIN_DIGITS,
    }
}

/// The prompt that asks for an entry.
pub fn prompt(entry: Entry) -> &'static str {
    match entry {
        Entry::IdNumber => "entry.prompt.id-number",
        Entry::Phone => "entry.prompt.phone",
        Entry::ReceiptNumber => "entry.prompt.receipt-number",
        Entry::TicketDigits => "entry.prompt.ticket-digits",
        Entry::AdminPin => "admin.pin.prompt",
    }
}

/// The keypad entry in progress, `typed` so far.
pub fn view(entry: Entry, typed: &str, masked: bool, optional: bool) -> EntryView {
    EntryView {
        shown: if masked { "*".repeat(typed.len()) } else { typed.to_string() },
        typed_len: typed.len(),
        masked,
        secret: entry.is_secret(),
        expected_len: expected_len(entry),
        allows_x: entry == Entry::IdNumber,
        optional,
    }
}

pub fn validate(entry: Entry, value: &str) -> Result<(), EntryError> {
    match entry {
        Entry::IdNumber => validate_id_number(value),
        Entry::Phone => validate_phone(value),
        Entry::ReceiptNumber if contract::receipt::is_receipt_number(value) => Ok(()),
        Entry::ReceiptNumber if value.len() != 12 => Err("entry.error.receipt-length"),
        Entry::ReceiptNumber => Err("entry.error.receipt-check-digit"),
        Entry::TicketDigits if value.len() == TICKET_DIGITS => Ok(()),
        Entry::TicketDigits => Err("entry.error.ticket-digits"),
        Entry::AdminPin if value.len() == ADMIN_PIN_DIGITS => Ok(()),
        Entry::AdminPin => Err("entry.error.pin-length"),
    }
}

/// Whether `key` may be typed at position `len` (X only as an ID number's last character).
pub fn accepts(entry: Entry, len: usize, key: char) -> bool {
    len < expected_len(entry) && (key.is_ascii_digit() || (key == 'X' && entry == Entry::IdNumber && len == 17))
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
        assert!(accepts(Entry::IdNumber, 17, 'X'));
        assert!(!accepts(Entry::IdNumber, 3, 'X'));
        assert!(!accepts(Entry::Phone, 10, 'X'));
        assert!(!accepts(Entry::Phone, 11, '1'));
    }
}
