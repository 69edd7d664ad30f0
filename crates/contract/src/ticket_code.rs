//! The QR code printed on a queue ticket: the ticket's id, so that the rating and progress
//! screens of any kiosk can scan the paper ticket back. Not signed, unlike a receipt: the id
//! is 64 random bits the API issued, and scanning it only finds what typing the ticket's
//! number would (its visit to rate, the applications of its receipt).

const PREFIX: &str = "TICKET:";

/// The payload of the ticket's QR code.
pub fn encode(ticket_id: &str) -> String {
    format!("{PREFIX}{ticket_id}")
}

/// The ticket id a scanned payload carries, if it is a ticket's code.
pub fn parse(payload: &str) -> Option<&str> {
    let id = payload.trim().strip_prefix(PREFIX)?;
    let plausible = (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    plausible.then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_code_carries_its_id_and_nothing_else_is_taken_for_one() {
        assert_eq!(parse(&encode("3fa9c01b77d2e845")), Some("3fa9c01b77d2e845"));
        assert_eq!(parse("TICKET:"), None);
        assert_eq!(parse("TICKET:../../etc/passwd"), None);
        assert_eq!(parse("RECEIPT:3fa9c01b77d2e845"), None);
    }
}
