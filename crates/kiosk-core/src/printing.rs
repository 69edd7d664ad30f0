//! The ticket printer: a queue ticket, and a redeemed receipt's fast-track ticket, are printed
//! as they show, for a family member to read or to hold up at the window. The screen never
//! waits for the paper: the ticket shows at once, and the printer's answer comes later as
//! news ("take your ticket below", or what went wrong and to note the number instead), said
//! once the ticket's own announcement has ended, so it never cuts the number short.

use contract::model::Ticket;

use super::id_card::{CivilDate, CHINA_OFFSET_SECS};
use super::narration::News;
use super::ticket::ticket_card;
use super::view::{Line, Texts};
use super::{Effect, Kiosk};

/// A ticket to print, in the resident's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintJob {
    pub ticket_id: String,
    /// e.g. `A012`, printed very large.
    pub number: String,
    /// The service, the window, the people ahead, the wait: as the screen shows them.
    pub lines: Vec<String>,
    /// When it was issued, China time: `2026-12-05 14:03`.
    pub issued_at: String,
    /// The ticket's QR code, which the rating and progress screens scan back.
    pub qr_payload: String,
}

/// Why a ticket did not print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrintProblem {
    PaperOut,
    CoverOpen,
    /// Not connected, not answering, or reporting itself offline.
    Offline,
}

/// Where a ticket's printing is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Printing {
    Under,
    Done,
    Failed(PrintProblem),
}

/// The ticket of this visit being printed, and how far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PrintState {
    ticket_id: String,
    printing: Printing,
}

impl Kiosk {
    /// Declares a ticket printer present: tickets are printed as they are issued.
    pub fn set_printer(&mut self, present: bool) {
        self.printer = present;
    }

    /// Prints `ticket`, if there is a printer.
    pub(super) fn print(&mut self, ticket: &Ticket) -> Vec<Effect> {
        if !self.printer {
            return vec![];
        }
        let t = Texts(self.session.profile.language);
        let card = ticket_card(ticket, t);
        self.print_job(PrintJob {
            ticket_id: ticket.id.clone(),
            number: ticket.number.clone(),
            lines: [card.service, card.window, card.people_ahead, card.wait].map(|text| text.shown).to_vec(),
            issued_at: china_time(ticket.issued_at),
            qr_payload: contract::ticket_code::encode(&ticket.id),
        })
    }

    /// Sends `job` to the printer; its answer comes as [`Kiosk::ticket_printed`].
    pub(super) fn print_job(&mut self, job: PrintJob) -> Vec<Effect> {
        self.session.printing = Some(PrintState { ticket_id: job.ticket_id.clone(), printing: Printing::Under });
        vec![Effect::PrintTicket(job)]
    }

    /// The printer's answer, for the ticket on screen (nothing if the resident left): a fault
    /// is the page's problem, in its banner; the adapter tells staff.
    pub(super) fn ticket_printed(&mut self, ticket_id: &str, result: Result<(), PrintProblem>) -> Vec<Effect> {
        let Some(state) = self.session.printing.as_mut().filter(|s| s.ticket_id == ticket_id) else { return vec![] };
        state.printing = match result {
            Ok(()) => Printing::Done,
            Err(problem) => Printing::Failed(problem),
        };
        if let Printing::Failed(_) = state.printing {
            self.session.error = Some(print_prompt(state.printing));
        }
        vec![]
    }

    /// What the ticket page says of the printing, once the printer answered: the ticket is
    /// there to take, or a fault and what to do instead (note the number).
    pub(super) fn print_news(&self) -> Option<News> {
        let printing = self.session.printing.as_ref()?.printing;
        let problem = match printing {
            Printing::Under => return None,
            Printing::Done => false,
            Printing::Failed(_) => true,
        };
        Some(News::Aside { prompt: print_prompt(printing), problem })
    }

    /// The ticket page's line about the printing, while it prints and once printed (a fault
    /// is the page's problem).
    pub(super) fn print_line(&self, t: Texts) -> Option<Line> {
        match self.session.printing.as_ref()?.printing {
            Printing::Failed(_) => None,
            printing => Some(Line::body(t.prompt(print_prompt(printing)))),
        }
    }
}

fn print_prompt(printing: Printing) -> &'static str {
    match printing {
        Printing::Under => "print.under-way",
        Printing::Done => "print.done",
        Printing::Failed(PrintProblem::PaperOut) => "print.failed.paper-out",
        Printing::Failed(PrintProblem::CoverOpen) => "print.failed.cover-open",
        Printing::Failed(PrintProblem::Offline) => "print.failed.offline",
    }
}

/// Unix milliseconds as China Standard Time (UTC+8): `2026-12-05 14:03`.
fn china_time(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000);
    let CivilDate { year, month, day } = CivilDate::in_china(secs);
    let minute = (secs + CHINA_OFFSET_SECS).rem_euclid(86_400) / 60;
    format!("{year}-{month:02}-{day:02} {:02}:{:02}", minute / 60, minute % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_print_their_time_in_china() {
        // 2026-12-04 20:05 UTC is 04:05 on the 5th in Beijing.
        assert_eq!(china_time((20_791 * 86_400 + 20 * 3600 + 5 * 60) * 1000), "2026-12-05 04:05");
    }
}
