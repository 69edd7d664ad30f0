//! An application's progress (办件进度): found by its pre-review receipt (scanned, or its
//! number typed: the receipt screens, [`ReceiptUse::Progress`]) or by the applicant's ID number
//! together with the phone number given on the application, or with the ID card itself on
//! the kiosk's reader (its name must fit the application's). An ID number alone never finds
//! anything: anyone can type another person's. A printed fast-track ticket's code finds its
//! receipt's applications too. The API counts the lookups that find nothing
//! and refuses after too many; its message says so.
//!
//! The application is shown and said as a short timeline, the materials still missing and
//! what to do next, with a ticket for the window when something must be done there.

use contract::model::{Application, ApplicationLookup, ApplicationStatus, Collection, NewTicket, Priority};

use super::entry::{self, Entry};
use super::id_card::CivilDate;
use super::receipts::ReceiptUse;
use super::speech::Phrase;
use super::view::{Item, Line, Page, Text, Texts, View};
use super::{action, ApiFailure, Effect, Kiosk};

pub const BY_RECEIPT: &str = "by-receipt";
pub const BY_RECEIPT_NUMBER: &str = "by-receipt-number";
pub const BY_ID_NUMBER: &str = "by-id-number";
/// Take a number for the window the application needs.
pub const TAKE_NUMBER: &str = "take-number";
/// Look again, another way.
pub const SEARCH_AGAIN: &str = "search-again";

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Screen {
    /// How to find the application.
    Ways,
    /// The applicant's ID number (masked).
    IdNumber,
    /// Then the phone number given on the application (masked).
    Phone,
    /// Several applications found: choose one.
    Found(Vec<Application>),
    Application(Box<Application>),
    /// Nothing found.
    NotFound,
}

impl Screen {
    pub fn entry_kind(&self) -> Option<Entry> {
        match self {
            Screen::IdNumber => Some(Entry::IdNumber),
            Screen::Phone => Some(Entry::Phone),
            _ => None,
        }
    }
}

impl Kiosk {
    pub(super) fn activate_progress(&mut self, screen: Screen, id: &str) -> Vec<Effect> {
        match screen {
            Screen::Ways | Screen::NotFound => match id {
                BY_RECEIPT => self.start_scan(ReceiptUse::Progress),
                BY_RECEIPT_NUMBER => {
                    self.session.typed.clear();
                    self.go(super::receipts::Screen::Number(ReceiptUse::Progress));
                }
                BY_ID_NUMBER => {
                    self.session.typed.clear();
                    self.go(Screen::IdNumber);
                }
                SEARCH_AGAIN => self.go(Screen::Ways),
                _ => {}
            },
            Screen::IdNumber if id == action::ENTRY_DONE => {
                if let Err(problem) = entry::validate(Entry::IdNumber, &self.session.typed) {
                    self.session.error = Some(problem);
                    return vec![];
                }
                let id_number = std::mem::take(&mut self.session.typed);
                // The card on the reader is the second thing: the phone the center has is
                // shown with the application, not asked again.
                if let Some(card) = self.card_for(&id_number) {
                    let card_name = Some(card.name.clone());
                    return self.look_up(ApplicationLookup {
                        id_number: Some(id_number),
                        card_name,
                        ..Default::default()
                    });
                }
                self.session.applicant_id = Some(id_number);
                self.go(Screen::Phone);
            }
            Screen::Phone if id == action::ENTRY_DONE => {
                if let Err(problem) = entry::validate(Entry::Phone, &self.session.typed) {
                    self.session.error = Some(problem);
                    return vec![];
                }
                let lookup = ApplicationLookup {
                    id_number: self.session.applicant_id.clone(),
                    phone: Some(std::mem::take(&mut self.session.typed)),
                    ..Default::default()
                };
                return self.look_up(lookup);
            }
            Screen::Found(applications) => {
                if let Some(application) = applications.into_iter().find(|a| a.id == id) {
                    self.go(Screen::Application(Box::new(application)));
                }
            }
            Screen::Application(application) if id == TAKE_NUMBER => {
                let request = NewTicket {
                    service_code: application.service_code.clone(),
                    priority: Priority::Normal,
                    contact_phone: None,
                };
                let idempotency_key = self.next_idempotency_key();
                return self.request(Effect::IssueTicket { request, idempotency_key });
            }
            _ => {}
        }
        vec![]
    }

    pub(super) fn look_up(&mut self, request: ApplicationLookup) -> Vec<Effect> {
        let idempotency_key = self.next_idempotency_key();
        self.request(Effect::LookUpApplications { request, idempotency_key })
    }

    pub(super) fn applications_found(&mut self, result: Result<Vec<Application>, ApiFailure>) -> Vec<Effect> {
        if !self.awaits(|e| matches!(e, Effect::LookUpApplications { .. })) {
            return vec![];
        }
        match result {
            Ok(mut applications) => {
                // What was typed to find them is not needed any more.
                self.session.applicant_id = None;
                self.session.typed.clear();
                let screen = match applications.len() {
                    0 => Screen::NotFound,
                    1 => Screen::Application(Box::new(applications.remove(0))),
                    _ => Screen::Found(applications),
                };
                self.session.pending = None;
                self.session.history.clear();
                self.session.screen = Screen::Ways.into();
                self.go(screen);
            }
            Err(failure) => self.failed(failure),
        }
        vec![]
    }

    pub(super) fn progress_view(&self, screen: &Screen, t: Texts, view: &mut View) {
        match screen {
            Screen::Ways => {
                view.page = Page::List;
                view.title = t.prompt("progress.title");
                view.prompt = t.prompt("progress.prompt");
                view.items = [BY_RECEIPT, BY_RECEIPT_NUMBER, BY_ID_NUMBER]
                    .iter()
                    .map(|id| t.prompted_item("progress", id))
                    .collect();
                if self.card_reader {
                    // The same way, offered with the card.
                    view.items[2] = Item { id: BY_ID_NUMBER.into(), ..t.prompted_item("progress", "by-id-card") };
                }
            }
            Screen::IdNumber => {
                view.page = Page::Entry;
                view.title = t.prompt("progress.id-number.title");
                view.prompt = t.prompt(self.entry_prompt(Entry::IdNumber));
                view.entry = Some(entry::view(Entry::IdNumber, &self.session.typed, true, false));
                view.items = vec![t.button(action::ENTRY_DONE, "entry.done")];
            }
            Screen::Phone => {
                view.page = Page::Entry;
                view.title = t.prompt("progress.phone.title");
                view.prompt = t.prompt("progress.phone.prompt");
                view.entry = Some(entry::view(Entry::Phone, &self.session.typed, true, false));
                view.items = vec![t.button(action::ENTRY_DONE, "entry.done")];
            }
            Screen::Found(applications) => {
                view.page = Page::List;
                view.title = t.prompt("progress.found.title");
                view.prompt = t.prompt("progress.found.prompt");
                view.items = applications
                    .iter()
                    .map(|a| {
                        let mut item = t.data_item(&a.id, &a.service_name, None, "progress.found.help");
                        item.detail = status_text(t, a.status);
                        item
                    })
                    .collect();
            }
            Screen::Application(application) => application_view(application, t, view),
            Screen::NotFound => {
                view.title = t.prompt("progress.not-found.title");
                view.prompt = t.prompt("progress.not-found.prompt");
                view.items =
                    vec![t.button(SEARCH_AGAIN, "progress.search-again"), t.button(action::FINISH, "ticket.finish")];
            }
        }
    }
}

/// The application: its status now, the timeline that led there, the materials still
/// missing, and what to do next, which is also the instruction of the page.
fn application_view(application: &Application, t: Texts, view: &mut View) {
    view.page = Page::Info;
    view.title = t.said(&application.service_name);
    view.prompt = t.said(&application.next_step);
    let mut lines = vec![
        Line::field(t.prompt("progress.status"), status_text(t, application.status)),
        Line::field(t.prompt("progress.number"), t.phrase(Phrase::code(application.number.clone()))),
        Line::heading(t.prompt("progress.timeline")),
    ];
    lines.extend(application.history.iter().map(|step| {
        Line::body(t.prompt_with(
            "progress.step",
            vec![date(step.at), Phrase::prompt(format!("application.status.{}", step.status))],
        ))
    }));
    if let Some(note) = application.history.last().and_then(|step| step.note.as_ref()) {
        lines.push(Line::body(t.said(note)));
    }
    if !application.missing_materials.is_empty() {
        lines.push(Line::heading(t.prompt("progress.missing")));
        let numbered = |(n, name)| t.prompt_with("receipt.material", vec![Phrase::number(n as u64 + 1), name]);
        let names = application.missing_materials.iter().map(|m| Phrase::text(t.pick(m))).enumerate();
        lines.extend(names.map(|item| Line::body(numbered(item))));
    }
    if let Some(phone) = &application.contact_phone_masked {
        lines.push(Line::field(t.prompt("progress.sms"), t.phrase(Phrase::code(phone.clone()).personal())));
    }
    if let Some(collection) = application.collection {
        let how = match collection {
            Collection::Window => "progress.collect.window",
            Collection::Post => "progress.collect.post",
            Collection::Online => "progress.collect.online",
        };
        lines.push(Line::field(t.prompt("progress.collect"), t.prompt(how)));
    }
    view.lines = lines;
    // Something to do at a window: bring the missing materials, or collect the result there.
    let at_window =
        application.status == ApplicationStatus::NeedsMaterials || application.collection == Some(Collection::Window);
    view.items = match application.window_number.filter(|_| at_window) {
        Some(window) => vec![
            Item {
                id: TAKE_NUMBER.into(),
                label: t.prompt_with("progress.take-number", vec![Phrase::number(window as u64)]),
                detail: Text::default(),
                help: Phrase::prompt("progress.take-number.help"),
            },
            t.button(action::FINISH, "ticket.finish"),
        ],
        None => vec![t.button(action::FINISH, "ticket.finish")],
    };
}

fn status_text(t: Texts, status: ApplicationStatus) -> Text {
    t.prompt(&format!("application.status.{status}"))
}

/// A day in China Standard Time (UTC+8, no daylight saving), said with the number clips:
/// 12月1日, or 1 December.
fn date(unix_ms: i64) -> Phrase {
    let CivilDate { month, day, .. } = CivilDate::in_china(unix_ms.div_euclid(1000));
    Phrase::prompt_with("progress.date", vec![Phrase::prompt(format!("month.{month}")), Phrase::number(day.into())])
}

/// The proleptic Gregorian (year, month, day) of a count of days since 1970-01-01 (Howard
/// Hinnant's algorithm).
pub(super) fn civil_from_days(days: i64) -> (i64, u64, u64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u64;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_become_dates_in_china_standard_time() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_426), (2025, 12, 4));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        // 2026-12-04 20:00 UTC is already the 5th in Beijing.
        let evening = (20_791 * 86_400 + 20 * 3600) * 1000;
        assert_eq!(
            date(evening),
            Phrase::prompt_with("progress.date", vec![Phrase::prompt("month.12"), Phrase::number(5)])
        );
    }
}
