//! Resident ID numbers (居民身份证号码, GB 11643): the format and check-digit test, and the
//! masked form answers show. The kiosk checks what residents type with the same function.

use std::fmt;

/// Which part of an ID number is wrong, so the resident knows what to check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdNumberProblem {
    /// Not 17 digits and a digit or `X`.
    Length,
    /// The first two digits are no province's code.
    Region,
    /// Digits 7 to 14 are not a real date between 1900 and 2100.
    BirthDate,
    /// The last character does not match the first 17 digits: most likely a typo.
    CheckDigit,
}

impl IdNumberProblem {
    /// What the resident should check, in Chinese and English.
    pub fn advice(self) -> (&'static str, &'static str) {
        match self {
            IdNumberProblem::Length => (
                "身份证号码应为18位：17位数字加最后一位数字或X，请核对位数。",
                "An ID number has 18 characters: 17 digits, then a digit or X. Please check the length.",
            ),
            IdNumberProblem::Region => (
                "身份证号码的前两位不是有效的省份代码，请核对开头的数字。",
                "The first two digits are not a province code. Please check the start of the number.",
            ),
            IdNumberProblem::BirthDate => (
                "身份证号码中的出生日期（第7至14位）不正确，请核对。",
                "The birth date in the ID number (characters 7 to 14) is not valid. Please check it.",
            ),
            IdNumberProblem::CheckDigit => (
                "身份证号码的校验位（最后一位）不符，可能有输错的数字，请逐位核对。",
                "The check digit (the last character) does not match; a digit may be mistyped. Please check each digit.",
            ),
        }
    }
}

impl fmt::Display for IdNumberProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.advice().1)
    }
}

impl std::error::Error for IdNumberProblem {}

/// Checks an 18-character ID number: length and characters, province, birth date, check digit.
pub fn validate(value: &str) -> Result<(), IdNumberProblem> {
    let bytes = value.as_bytes();
    if bytes.len() != 18
        || !bytes[..17].iter().all(u8::is_ascii_digit)
        || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
    {
        return Err(IdNumberProblem::Length);
    }
    if !is_province_code(&value[..2]) {
        return Err(IdNumberProblem::Region);
    }
    if !is_birth_date(&value[6..14]) {
        return Err(IdNumberProblem::BirthDate);
    }
    if check_character(&bytes[..17]) != bytes[17] {
        return Err(IdNumberProblem::CheckDigit);
    }
    Ok(())
}

/// The check character of the first 17 digits of an ID number.
pub fn check_character(first17: &[u8]) -> u8 {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    b"10X98765432"[(sum % 11) as usize]
}

/// The first 3 and last 4 characters visible, the rest `*`: `110***********002X`.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    chars.iter().enumerate().map(|(i, c)| if i < 3 || i + 4 >= n.max(7) { *c } else { '*' }).collect()
}

fn is_province_code(code: &str) -> bool {
    matches!(code.parse::<u32>(), Ok(11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82 | 83))
}

fn is_birth_date(yyyymmdd: &str) -> bool {
    let (Ok(year), Ok(month), Ok(day)) =
        (yyyymmdd[..4].parse::<u32>(), yyyymmdd[4..6].parse::<u32>(), yyyymmdd[6..].parse::<u32>())
    else {
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

    #[test]
    fn validates_each_part() {
        assert_eq!(validate("11010519491231002X"), Ok(()));
        assert_eq!(validate("110105194912310021"), Err(IdNumberProblem::CheckDigit));
        assert_eq!(validate("1101051949123100"), Err(IdNumberProblem::Length));
        assert_eq!(validate("11010519491231002x"), Err(IdNumberProblem::Length));
        assert_eq!(validate("99010519491231002X"), Err(IdNumberProblem::Region));
        let mut feb30 = b"11010519490230002".to_vec();
        feb30.push(check_character(&feb30));
        let feb30 = String::from_utf8(feb30).unwrap();
        assert_eq!(validate(&feb30), Err(IdNumberProblem::BirthDate));
    }

    #[test]
    fn leap_days_and_the_standards_own_example() {
        let with_check = |first17: &str| format!("{first17}{}", check_character(first17.as_bytes()) as char);
        assert_eq!(validate(&with_check("11010520000229002")), Ok(()));
        assert_eq!(validate(&with_check("11010519000229002")), Err(IdNumberProblem::BirthDate));
        assert_eq!(validate(&with_check("44030419850615123")), Ok(()));
    }

    #[test]
    fn masks_all_but_the_ends() {
        assert_eq!(mask("11010519491231002X"), "110***********002X");
        assert_eq!(mask("1234567"), "1234567");
        assert_eq!(mask("12345678"), "123*5678");
    }
}
