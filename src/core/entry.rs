//! Validation of what residents type on the keypad. Each failure names the part to check.

use service_api::model::EntryKind;

/// Why an entry was refused: the id of the prompt that explains it.
pub type EntryError = &'static str;

pub fn expected_len(kind: EntryKind) -> usize {
    match kind {
        EntryKind::IdNumber => 18,
        EntryKind::Phone => 11,
        EntryKind::ReceiptNumber => 12,
    }
}

pub fn validate(kind: EntryKind, value: &str) -> Result<(), EntryError> {
    match kind {
        EntryKind::IdNumber => validate_id_number(value),
        EntryKind::Phone => validate_phone(value),
        EntryKind::ReceiptNumber if service_api::receipt::is_receipt_number(value) => Ok(()),
        EntryKind::ReceiptNumber if value.len() != 12 => Err("entry.error.receipt-length"),
        EntryKind::ReceiptNumber => Err("entry.error.receipt-check-digit"),
    }
}

/// Whether `key` may be typed at position `len` (X only as an ID number's last character).
pub fn accepts(kind: EntryKind, len: usize, key: char) -> bool {
    len < expected_len(kind)
        && (key.is_ascii_digit() || (key == 'X' && kind == EntryKind::IdNumber && len == 17))
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

/// GB 11643-1999 citizen identity number: 6-digit region, 8-digit birth date, 3-digit
/// sequence, one check character computed with ISO 7064 MOD 11-2.
pub fn validate_id_number(value: &str) -> Result<(), EntryError> {
    let bytes = value.as_bytes();
    if bytes.len() != 18
        || !bytes[..17].iter().all(u8::is_ascii_digit)
        || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
    {
        return Err("entry.error.id-length");
    }
    if !is_province_code(&value[..2]) {
        return Err("entry.error.id-region");
    }
    if !is_birth_date(&value[6..14]) {
        return Err("entry.error.id-birth-date");
    }
    if check_character(&bytes[..17]) != bytes[17] {
        return Err("entry.error.id-check-digit");
    }
    Ok(())
}

/// The check character of the first 17 digits of an ID number.
pub fn check_character(first17: &[u8]) -> u8 {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    b"10X98765432"[(sum % 11) as usize]
}

fn is_province_code(code: &str) -> bool {
    matches!(
        code.parse::<u32>(),
        Ok(11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82 | 83)
    )
}

fn is_birth_date(yyyymmdd: &str) -> bool {
    let (Ok(year), Ok(month), Ok(day)) = (
        yyyymmdd[..4].parse::<u32>(),
        yyyymmdd[4..6].parse::<u32>(),
        yyyymmdd[6..].parse::<u32>(),
    ) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2100).contains(&year) && (1..=days_in_month).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a valid ID number from its first 17 digits.
    fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_character(first17.as_bytes()) as char)
    }

    #[test]
    fn known_valid_id_numbers_pass() {
        // The example from GB 11643-1999 itself.
        assert_eq!(validate_id_number("11010519491231002X"), Ok(()));
        assert_eq!(validate_id_number(&with_check("44030419850615123")), Ok(()));
    }

    #[test]
    fn each_wrong_part_is_named() {
        assert_eq!(validate_id_number("110105194912310021"), Err("entry.error.id-check-digit"));
        assert_eq!(validate_id_number("11010519491231002"), Err("entry.error.id-length"));
        assert_eq!(validate_id_number("1101051949123100XX"), Err("entry.error.id-length"));
        assert_eq!(validate_id_number(&with_check("99010519491231002")), Err("entry.error.id-region"));
        assert_eq!(validate_id_number(&with_check("11010519490231002")), Err("entry.error.id-birth-date"));
        assert_eq!(validate_id_number(&with_check("11010519491301002")), Err("entry.error.id-birth-date"));
    }

    #[test]
    fn leap_days() {
        assert_eq!(validate_id_number(&with_check("11010520000229002")), Ok(()));
        assert_eq!(validate_id_number(&with_check("11010519000229002")), Err("entry.error.id-birth-date"));
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
