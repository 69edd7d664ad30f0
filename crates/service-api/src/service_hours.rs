//! Daily service hours in Beijing time, e.g. when interpreters can be called.

use std::fmt;
use std::str::FromStr;

/// Daily hours in Beijing time, written `08:30-17:30`; an end before the start runs past
/// midnight (`22:00-06:00`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceHours {
    /// Minutes since midnight; the end is not included.
    start: i64,
    end: i64,
}

impl ServiceHours {
    /// Whether the hours include this moment (unix milliseconds).
    pub fn contains(self, unix_ms: i64) -> bool {
        let minute = (unix_ms.div_euclid(60_000) + 8 * 60).rem_euclid(24 * 60);
        if self.start < self.end {
            (self.start..self.end).contains(&minute)
        } else {
            minute >= self.start || minute < self.end
        }
    }
}

impl FromStr for ServiceHours {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let minute = |hh_mm: &str| {
            let (h, m) = hh_mm.trim().split_once(':')?;
            let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
            ((0..24).contains(&h) && (0..60).contains(&m)).then_some(h * 60 + m)
        };
        s.split_once('-')
            .and_then(|(start, end)| Some((minute(start)?, minute(end)?)))
            .filter(|(start, end)| start != end)
            .map(|(start, end)| ServiceHours { start, end })
            .ok_or_else(|| format!("{s:?} is not daily hours HH:MM-HH:MM, e.g. 08:30-17:30"))
    }
}

impl fmt::Display for ServiceHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (start, end) = (self.start, self.end);
        write!(f, "{:02}:{:02}-{:02}:{:02}", start / 60, start % 60, end / 60, end % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-01-01 00:00 in Beijing, as unix milliseconds.
    const MIDNIGHT_BEIJING: i64 = 1_704_038_400_000;

    fn at(hour: i64, minute: i64) -> i64 {
        MIDNIGHT_BEIJING + (hour * 60 + minute) * 60_000
    }

    #[test]
    fn service_hours_are_beijing_wall_clock() {
        let hours: ServiceHours = "08:30-17:30".parse().unwrap();
        assert_eq!(hours.to_string(), "08:30-17:30");
        assert!(!hours.contains(at(8, 29)));
        assert!(hours.contains(at(8, 30)));
        assert!(hours.contains(at(17, 29)));
        assert!(!hours.contains(at(17, 30)));
        let night: ServiceHours = "22:00-06:00".parse().unwrap();
        assert!(night.contains(at(23, 0)) && night.contains(at(5, 59)));
        assert!(!night.contains(at(6, 0)) && !night.contains(at(12, 0)));
        for bad in ["8-17", "08:30", "08:30-08:30", "24:00-08:00", "08:60-09:00", ""] {
            assert!(bad.parse::<ServiceHours>().is_err(), "{bad}");
        }
    }
}
