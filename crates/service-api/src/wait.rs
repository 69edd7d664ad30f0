//! Wait estimates, for a resident waiting for a window or for an interpreter: plain arithmetic
//! over what the database counted.

/// The average length in minutes of these (start, end) times in unix milliseconds, if any.
pub(crate) fn average_minutes(spans: &[(i64, i64)]) -> Option<f64> {
    if spans.is_empty() {
        return None;
    }
    let total_ms: i64 = spans.iter().map(|(start, end)| end - start).sum();
    Some(total_ms as f64 / spans.len() as f64 / 60_000.0)
}

/// Minutes to wait for a window: everyone ahead plus oneself, at the average service time,
/// spread over the open windows (at least one, so a closed service still gets an estimate).
pub(crate) fn ticket_wait_minutes(people_ahead: i64, average_minutes: f64, open_windows: i64) -> i64 {
    ((people_ahead + 1) as f64 * average_minutes / open_windows.max(1) as f64).ceil() as i64
}

/// Minutes until an interpreter takes the call at `position` (1 = next): one while free
/// interpreters are at least as many as the calls up to it; otherwise the calls beyond the
/// free interpreters, at the average call length, shared by the interpreters on duty.
pub(crate) fn interpreter_wait_minutes(position: i64, on_duty: i64, busy: i64, average_call_minutes: f64) -> i64 {
    let beyond_free = position - (on_duty - busy).max(0);
    if beyond_free <= 0 {
        return 1;
    }
    let minutes = (beyond_free as f64 * average_call_minutes / on_duty.max(1) as f64).ceil() as i64;
    minutes.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_average_is_of_the_spans_given() {
        assert_eq!(average_minutes(&[]), None);
        assert_eq!(average_minutes(&[(0, 60_000), (1_000, 181_000)]), Some(2.0));
    }

    #[test]
    fn a_ticket_waits_for_everyone_ahead_spread_over_the_open_windows() {
        assert_eq!(ticket_wait_minutes(0, 5.0, 1), 5);
        assert_eq!(ticket_wait_minutes(3, 5.0, 2), 10);
        assert_eq!(ticket_wait_minutes(2, 2.5, 2), 4, "rounded up");
        assert_eq!(ticket_wait_minutes(1, 5.0, 0), 10, "all windows closed: as if one were open");
    }

    #[test]
    fn an_interpreter_call_waits_a_minute_while_someone_is_free() {
        assert_eq!(interpreter_wait_minutes(2, 3, 1, 10.0), 1);
        // Two on duty, both busy: the first call waits for half a call length.
        assert_eq!(interpreter_wait_minutes(1, 2, 2, 10.0), 5);
        assert_eq!(interpreter_wait_minutes(3, 2, 1, 10.0), 10);
        // Nobody on duty still gives an estimate, never under a minute.
        assert_eq!(interpreter_wait_minutes(1, 0, 0, 10.0), 10);
        assert_eq!(interpreter_wait_minutes(1, 4, 4, 0.1), 1);
    }
}
