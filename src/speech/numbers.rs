//! Numbers and codes as the voice pack's digit and unit clips, the way queue announcers read them.
//!
//! Clip keys (the text each clip says is in [`vocabulary`]):
//! - `digit.0`..`digit.9`: 零..九 / zero..nine;
//! - zh: `unit.ten` 十, `unit.hundred` 百, `unit.thousand` 千, `unit.ten-thousand` 万, and
//!   `digit.liang` 两, the "two" said before 千 and 万 and as a leading 两百;
//! - en: `number.10`..`number.19`, `number.20`, `number.30`..`number.90`, `unit.hundred`,
//!   `unit.thousand`, `unit.million` (US style, no "and": 105 is "one hundred five");
//! - `letter.A`..`letter.Z` for ticket prefixes, said as English letter names in both languages.
//!
//! Numbers below [`WORDS_BELOW`] are read as words; larger ones (never a count or a duration
//! at a kiosk) digit by digit.

use kiosk_core::profile::Language;

/// Numbers from here on are read digit by digit.
pub const WORDS_BELOW: u64 = 100_000_000;

const ZH_DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
const EN_DIGITS: [&str; 10] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
const EN_TEENS: [&str; 10] =
    ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
/// Tens from 20 to 90.
const EN_TENS: [&str; 8] = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

/// Every number and code clip of `language`: (key, text said).
pub fn vocabulary(language: Language) -> Vec<(String, String)> {
    let mut clips = Vec::new();
    let digits = match language {
        Language::Zh => ZH_DIGITS,
        Language::En => EN_DIGITS,
    };
    for (d, text) in digits.iter().enumerate() {
        clips.push((format!("digit.{d}"), text.to_string()));
    }
    match language {
        Language::Zh => {
            for (key, text) in [
                ("digit.liang", "两"),
                ("unit.ten", "十"),
                ("unit.hundred", "百"),
                ("unit.thousand", "千"),
                ("unit.ten-thousand", "万"),
            ] {
                clips.push((key.to_string(), text.to_string()));
            }
        }
        Language::En => {
            for (i, text) in EN_TEENS.iter().enumerate() {
                clips.push((format!("number.{}", 10 + i), text.to_string()));
            }
            for (i, text) in EN_TENS.iter().enumerate() {
                clips.push((format!("number.{}", 20 + 10 * i), text.to_string()));
            }
            for (key, text) in [("unit.hundred", "hundred"), ("unit.thousand", "thousand"), ("unit.million", "million")]
            {
                clips.push((key.to_string(), text.to_string()));
            }
        }
    }
    for letter in 'A'..='Z' {
        clips.push((format!("letter.{letter}"), letter.to_string()));
    }
    clips
}

/// The clips that say `n`: 12 is 十二 / twelve, 105 一百零五 / one hundred five.
pub fn number_keys(language: Language, n: u64) -> Vec<String> {
    if n >= WORDS_BELOW {
        return code_keys(language, &n.to_string());
    }
    match language {
        Language::Zh => zh_number(n).into_iter().map(String::from).collect(),
        Language::En => en_number(n),
    }
}

/// The clips that say a code letter by letter and digit by digit: A012 is letter.A digit.0
/// digit.1 digit.2. Lower-case letters are said as capitals; anything else (a dash, a space)
/// is not said.
pub fn code_keys(_language: Language, code: &str) -> Vec<String> {
    code.chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(format!("digit.{c}")),
            c if c.is_ascii_alphabetic() => Some(format!("letter.{}", c.to_ascii_uppercase())),
            _ => None,
        })
        .collect()
}

const DIGIT_KEYS: [&str; 10] =
    ["digit.0", "digit.1", "digit.2", "digit.3", "digit.4", "digit.5", "digit.6", "digit.7", "digit.8", "digit.9"];

/// Chinese reading of `n` < 100,000,000: two groups of four digits around 万.
fn zh_number(n: u64) -> Vec<&'static str> {
    if n == 0 {
        return vec!["digit.0"];
    }
    let (high, low) = (n / 10_000, n % 10_000);
    let mut keys = Vec::new();
    if high > 0 {
        if high == 2 {
            keys.push("digit.liang"); // 两万
        } else {
            zh_group(high, true, &mut keys);
        }
        keys.push("unit.ten-thousand");
        if low > 0 && low < 1000 {
            keys.push("digit.0"); // 一万零五百
        }
    }
    if low > 0 {
        zh_group(low, high == 0, &mut keys);
    }
    keys
}

/// One group of up to four digits (1..=9999). `leading`: the group starts the number, so 10-19
/// are 十.. rather than 一十.. and a leading 2 before 百 is 两.
fn zh_group(group: u64, leading: bool, keys: &mut Vec<&'static str>) {
    const UNITS: [Option<&str>; 4] = [Some("unit.thousand"), Some("unit.hundred"), Some("unit.ten"), None];
    let digits = [group / 1000, group / 100 % 10, group / 10 % 10, group % 10];
    let first = digits.iter().position(|&d| d > 0).expect("group is not zero");
    let mut zero_pending = false;
    for (i, (&d, unit)) in digits.iter().zip(UNITS).enumerate().skip(first) {
        if d == 0 {
            zero_pending = true;
            continue;
        }
        if zero_pending {
            keys.push("digit.0"); // one 零 for any run of zeros inside the number: 1005 一千零五
            zero_pending = false;
        }
        let said_alone_ten = leading && i == first && d == 1 && unit == Some("unit.ten");
        let liang =
            d == 2 && (unit == Some("unit.thousand") || (unit == Some("unit.hundred") && leading && i == first));
        if liang {
            keys.push("digit.liang");
        } else if !said_alone_ten {
            keys.push(DIGIT_KEYS[d as usize]);
        }
        if let Some(unit) = unit {
            keys.push(unit);
        }
    }
}

/// English reading of `n` < 100,000,000.
fn en_number(n: u64) -> Vec<String> {
    if n == 0 {
        return vec!["digit.0".to_string()];
    }
    let mut keys = Vec::new();
    for (scale, unit) in [(1_000_000, Some("unit.million")), (1_000, Some("unit.thousand")), (1, None)] {
        let part = n / scale % 1000;
        if part > 0 {
            en_below_thousand(part, &mut keys);
            keys.extend(unit.map(String::from));
        }
    }
    keys
}

fn en_below_thousand(n: u64, keys: &mut Vec<String>) {
    let (hundreds, rest) = (n / 100, n % 100);
    if hundreds > 0 {
        keys.push(format!("digit.{hundreds}"));
        keys.push("unit.hundred".to_string());
    }
    match rest {
        0 => {}
        1..=9 => keys.push(format!("digit.{rest}")),
        10..=19 => keys.push(format!("number.{rest}")),
        _ => {
            keys.push(format!("number.{}", rest / 10 * 10));
            if rest % 10 > 0 {
                keys.push(format!("digit.{}", rest % 10));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The number as the texts of its clips, joined.
    fn said(language: Language, n: u64) -> String {
        let vocabulary = vocabulary(language);
        let text = |key: &String| {
            vocabulary.iter().find(|(k, _)| k == key).unwrap_or_else(|| panic!("no clip {key}")).1.clone()
        };
        let words: Vec<String> = number_keys(language, n).iter().map(text).collect();
        words.join(if language == Language::En { " " } else { "" })
    }

    #[test]
    fn chinese_numbers_read_as_announcers_say_them() {
        for (n, text) in [
            (0, "零"),
            (7, "七"),
            (10, "十"),
            (12, "十二"),
            (20, "二十"),
            (22, "二十二"),
            (100, "一百"),
            (105, "一百零五"),
            (110, "一百一十"),
            (200, "两百"),
            (222, "两百二十二"),
            (1000, "一千"),
            (1010, "一千零一十"),
            (1200, "一千二百"),
            (2000, "两千"),
            (2002, "两千零二"),
            (9999, "九千九百九十九"),
            (10_000, "一万"),
            (10_005, "一万零五"),
            (10_500, "一万零五百"),
            (12_000, "一万两千"),
            (20_000, "两万"),
            (100_000, "十万"),
            (101_000, "十万一千"),
            (120_034, "十二万零三十四"),
            (1_000_001, "一百万零一"),
            (22_220_000, "两千二百二十二万"),
            (99_999_999, "九千九百九十九万九千九百九十九"),
        ] {
            assert_eq!(said(Language::Zh, n), text, "{n}");
        }
    }

    #[test]
    fn english_numbers_read_as_announcers_say_them() {
        for (n, text) in [
            (0, "zero"),
            (7, "seven"),
            (12, "twelve"),
            (20, "twenty"),
            (45, "forty five"),
            (105, "one hundred five"),
            (1010, "one thousand ten"),
            (20_000, "twenty thousand"),
            (1_000_001, "one million one"),
            (99_999_999, "ninety nine million nine hundred ninety nine thousand nine hundred ninety nine"),
        ] {
            assert_eq!(said(Language::En, n), text, "{n}");
        }
    }

    #[test]
    fn huge_numbers_are_read_digit_by_digit() {
        assert_eq!(said(Language::Zh, 100_000_000), "一零零零零零零零零");
        assert_eq!(number_keys(Language::En, u64::MAX).len(), 20);
    }

    #[test]
    fn codes_are_read_one_character_at_a_time() {
        for language in [Language::Zh, Language::En] {
            assert_eq!(code_keys(language, "A012"), ["letter.A", "digit.0", "digit.1", "digit.2"]);
            assert_eq!(code_keys(language, "b-7 "), ["letter.B", "digit.7"]);
        }
    }

    #[test]
    fn every_key_said_has_a_clip() {
        for language in [Language::Zh, Language::En] {
            for n in (0..2_000).chain((0..100_000_000).step_by(99_991)) {
                said(language, n); // panics on a key without a clip
            }
        }
    }
}
