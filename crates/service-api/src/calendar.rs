//! Days and dates in China time (UTC+8), the center's wall clock: when ticket numbers restart,
//! which day a rating counts for, and when a follow-up is due.

const DAY_MS: i64 = 86_400_000;
const CHINA_OFFSET_MS: i64 = 8 * 3_600_000;

/// The day number (days since 1970-01-01) in China time, which numbers restart on.
pub fn china_day(unix_ms: i64) -> i64 {
    (unix_ms + CHINA_OFFSET_MS).div_euclid(DAY_MS)
}

/// `YYYY-MM-DD HH:MM` in China time, for messages to residents.
pub fn china_time(unix_secs: i64) -> String {
    let minute_of_day = (unix_secs + 8 * 3600).rem_euclid(86_400) / 60;
    format!("{} {:02}:{:02}", china_date(china_day(unix_secs * 1000)), minute_of_day / 60, minute_of_day % 60)
}

/// A day number as `YYYY-MM-DD`.
pub(crate) fn china_date(day: i64) -> String {
    // Civil date from a day number: Howard Hinnant's days_from_civil, inverted.
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day_of_month = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day_of_month:02}")
}

/// The day number of a date written `YYYY-MM-DD` (a real date, years 1970 to 9999).
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' || ![0..4, 5..7, 8..10].into_iter().all(digits) {
        return None;
    }
    let (year, month, day): (i64, i64, i64) =
        (text[..4].parse().ok()?, text[5..7].parse().ok()?, text[8..].parse().ok()?);
    // Howard Hinnant's days_from_civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_index = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let number = era * 146_097 + day_of_era - 719_468;
    // Reading the number back catches 30 February and month 13.
    (year >= 1970 && china_date(number) == text).then_some(number)
}

/// Monday to Friday. Public holidays (and the weekends worked in their place) are not known
/// here: they change every year by State Council notice.
fn is_working_day(day: i64) -> bool {
    // Day 0, 1970-01-01, was a Thursday: (day + 3) mod 7 is 0 on Mondays.
    (day + 3).rem_euclid(7) < 5
}

/// The moment `days` working days after `unix_ms`, at the same time of day.
pub(crate) fn after_working_days(unix_ms: i64, days: u32) -> i64 {
    let start = china_day(unix_ms);
    let mut day = start;
    for _ in 0..days {
        day += 1;
        while !is_working_day(day) {
            day += 1;
        }
    }
    unix_ms + (day - start) * DAY_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_time_is_beijing_wall_clock() {
        assert_eq!(china_time(0), "1970-01-01 08:00");
        // 2024-02-29 16:30 UTC: a leap day, already 00:30 on 1 March in Beijing.
        assert_eq!(china_time(1_709_224_200), "2024-03-01 00:30");
        assert_eq!(china_time(1_800_000_000), "2027-01-15 16:00");
    }

    #[test]
    fn china_day_turns_at_midnight_beijing_time() {
        // 2024-01-01 15:59:59.999 UTC is 23:59:59.999 in Beijing; a millisecond later, the next day.
        let before = 1_704_124_799_999;
        assert_eq!(china_day(before) + 1, china_day(before + 1));
    }

    #[test]
    fn a_date_reads_back_as_written_and_only_real_dates_read() {
        for date in ["1970-01-01", "2024-02-29", "2026-12-31", "9999-12-31"] {
            assert_eq!(china_date(parse_date(date).unwrap()), date);
        }
        assert_eq!(parse_date("1970-01-02"), Some(1));
        for bad in ["2023-02-29", "2026-13-01", "2026-00-10", "2026-1-10", "2026/01/10", "1969-12-31", "２026-01-01"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn fifteen_working_days_skip_the_weekends() {
        // 2026-12-04 10:00 Beijing, a Friday.
        let friday = (parse_date("2026-12-04").unwrap() * DAY_MS) - CHINA_OFFSET_MS + 10 * 3_600_000;
        let due = after_working_days(friday, 15);
        assert_eq!(china_time(due / 1000), "2026-12-25 10:00");
        // From a Saturday, the first working day counted is the Monday.
        assert_eq!(china_time(after_working_days(friday + DAY_MS, 15) / 1000), "2026-12-25 10:00");
        assert_eq!(china_time(after_working_days(friday, 1) / 1000), "2026-12-07 10:00");
    }
}
