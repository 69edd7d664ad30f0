//! Rating a service (政务服务"好差评"): the resident names the visit by its ticket (the letter,
//! then the digits, as the keypad has no letters), sees which service and window it was,
//! chooses one of the five levels by its words, and for a low rating says what went wrong and
//! may leave a phone number for the call-back. One rating per served ticket (一事一评): the
//! API says when it was rated already.
//!
//! The same screens serve the window evaluator, a small screen facing the resident at one
//! window ([`Kiosk::set_evaluator_window`]): its home is a calm screen that asks the API every
//! few seconds whether the clerk finished a ticket there, and asks that resident to rate.
//!
//! The rating itself is [`Effect::is_durable`]: the outbox writes it to disk before the
//! thanks shows, and sends it until the API takes it.

use contract::model::{EvaluationChannel, LowRatingReason, NewEvaluation, RateableVisit, Satisfaction};

use super::entry::{self, Entry};
use super::receipts::ReceiptUse;
use super::speech::Phrase;
use super::view::{Item, Line, Page, Texts, View};
use super::{action, ApiFailure, Effect, Kiosk, TicketRef};

/// Scan the printed ticket's code instead of typing its number.
pub const SCAN_TICKET: &str = "scan-ticket";

/// Seconds between the window evaluator's questions to the API.
const WINDOW_POLL_EVERY_SECS: u32 = 3;
/// Seconds the window evaluator's thanks stays before its calm screen comes back.
const THANKS_SECS: u32 = 10;

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Screen {
    /// Which letter the ticket number starts with.
    Letters,
    /// The ticket number's digits, after its letter.
    Digits(String),
    /// The five levels, for the visit found.
    Levels,
    /// What went wrong, after a low level: several may be chosen.
    Reasons,
    /// A phone number for the call-back, or none.
    Phone,
    Thanks,
    /// The visit has a rating already.
    AlreadyRated,
}

/// The rating being given.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RatingDraft {
    visit: RateableVisit,
    level: Option<Satisfaction>,
    reasons: Vec<LowRatingReason>,
    callback_phone: Option<String>,
}

impl Screen {
    pub fn entry_kind(&self) -> Option<Entry> {
        match self {
            Screen::Digits(_) => Some(Entry::TicketDigits),
            Screen::Phone => Some(Entry::Phone),
            _ => None,
        }
    }
}

/// The window evaluator's state, kept across sessions.
#[derive(Clone, Debug, Default)]
pub(crate) struct Evaluator {
    window: i64,
    /// The last ticket its resident was asked about: asked once, rated or not.
    offered: Option<String>,
    asking: bool,
    secs_since_asked: u32,
}

impl Kiosk {
    /// Makes this kiosk the evaluator of a window: its home screen waits for the clerk to
    /// finish a ticket there, then asks the resident to rate.
    pub fn set_evaluator_window(&mut self, window: Option<i64>) {
        self.evaluator = window.map(|window| Evaluator { window, ..Evaluator::default() });
    }

    pub(super) fn evaluator_window(&self) -> Option<i64> {
        self.evaluator.as_ref().map(|e| e.window)
    }

    pub(super) fn start_rating(&mut self) -> Vec<Effect> {
        self.session.rating = None;
        self.open(Screen::Letters)
    }

    /// The first letters of the catalog's ticket numbers, each once, in catalog order.
    fn ticket_letters(&self) -> Vec<String> {
        let mut letters: Vec<String> = Vec::new();
        for service in &self.catalog().services {
            if !letters.contains(&service.ticket_prefix) {
                letters.push(service.ticket_prefix.clone());
            }
        }
        letters
    }

    pub(super) fn activate_rating(&mut self, screen: Screen, id: &str) -> Vec<Effect> {
        match screen {
            Screen::Letters if id == SCAN_TICKET => self.start_scan(ReceiptUse::Rating),
            Screen::Letters if self.ticket_letters().iter().any(|l| l == id) => {
                self.session.typed.clear();
                self.go(Screen::Digits(id.to_string()));
            }
            Screen::Digits(letter) if id == action::ENTRY_DONE => {
                if let Err(problem) = entry::validate(Entry::TicketDigits, &self.session.typed) {
                    self.session.error = Some(problem);
                    return vec![];
                }
                let ticket_number = format!("{letter}{}", self.session.typed);
                return self.request(Effect::FindRateableVisit(TicketRef::Number(ticket_number)));
            }
            Screen::Levels => {
                let Some(level) = Satisfaction::parse(id) else { return vec![] };
                let draft = self.session.rating.as_mut().expect("a visit to rate");
                draft.level = Some(level);
                if !level.is_low() {
                    draft.reasons.clear();
                    draft.callback_phone = None;
                    return self.send_rating();
                }
                self.go(Screen::Reasons);
            }
            Screen::Reasons => {
                let draft = self.session.rating.as_mut().expect("a visit to rate");
                if let Some(reason) = LowRatingReason::parse(id) {
                    match draft.reasons.iter().position(|r| *r == reason) {
                        Some(i) => drop(draft.reasons.remove(i)),
                        None => draft.reasons.push(reason),
                    }
                    self.session.error = None;
                } else if id == action::NEXT {
                    if draft.reasons.is_empty() {
                        self.session.error = Some("rating.error.no-reason");
                        return vec![];
                    }
                    self.session.typed = draft.callback_phone.clone().unwrap_or_default();
                    self.go(Screen::Phone);
                }
            }
            Screen::Phone if id == action::ENTRY_DONE => {
                if let Err(problem) = entry::validate(Entry::Phone, &self.session.typed) {
                    self.session.error = Some(problem);
                    return vec![];
                }
                let phone = std::mem::take(&mut self.session.typed);
                self.session.rating.as_mut().expect("a visit to rate").callback_phone = Some(phone);
                return self.send_rating();
            }
            Screen::Phone if id == action::ENTRY_SKIP => {
                self.session.typed.clear();
                self.session.rating.as_mut().expect("a visit to rate").callback_phone = None;
                return self.send_rating();
            }
            _ => {}
        }
        vec![]
    }

    /// The rating goes to the outbox, which keeps it until the API has it: the resident is
    /// thanked at once, whether the API is up or not.
    fn send_rating(&mut self) -> Vec<Effect> {
        let draft = self.session.rating.as_ref().expect("a visit to rate");
        let request = NewEvaluation {
            ticket_id: draft.visit.ticket_id.clone(),
            level: draft.level.expect("a level chosen"),
            reasons: draft.reasons.clone(),
            callback_phone: draft.callback_phone.clone(),
            channel: if self.evaluator.is_some() { EvaluationChannel::Window } else { EvaluationChannel::Kiosk },
        };
        let idempotency_key = self.next_idempotency_key();
        self.session.history.clear();
        self.session.screen = Screen::Thanks.into();
        vec![Effect::SendEvaluation { request, idempotency_key }]
    }

    pub(super) fn rateable_visit_found(&mut self, result: Result<RateableVisit, ApiFailure>) -> Vec<Effect> {
        if !self.awaits(|e| matches!(e, Effect::FindRateableVisit { .. })) {
            return vec![];
        }
        match result {
            Ok(visit) => {
                self.session.typed.clear();
                self.session.pending = None;
                // Back from the levels returns to the digits, to correct a wrong number.
                let letter = visit.ticket_number.trim_end_matches(|c: char| c.is_ascii_digit());
                self.session.screen = Screen::Digits(letter.to_string()).into();
                let rated = visit.rated;
                self.session.rating = Some(RatingDraft { visit, level: None, reasons: vec![], callback_phone: None });
                self.go(if rated { Screen::AlreadyRated } else { Screen::Levels });
            }
            Err(failure) => self.failed(failure),
        }
        vec![]
    }

    /// A window evaluator's thanks has shown long enough: its calm screen comes back.
    pub(super) fn evaluator_thanked(&self) -> bool {
        self.evaluator.is_some()
            && self.session.screen == Screen::Thanks.into()
            && self.session.idle_secs >= THANKS_SECS
    }

    /// The window evaluator asks the API whether a visit just finished at its window.
    pub(super) fn evaluator_tick(&mut self, secs: u32) -> Vec<Effect> {
        let idle = self.session_is_pristine();
        let Some(evaluator) = self.evaluator.as_mut() else { return vec![] };
        evaluator.secs_since_asked += secs;
        if !idle || evaluator.asking || evaluator.secs_since_asked < WINDOW_POLL_EVERY_SECS {
            return vec![];
        }
        evaluator.asking = true;
        evaluator.secs_since_asked = 0;
        vec![Effect::PollWindowVisit { window: evaluator.window }]
    }

    /// A visit finished at the evaluator's window: its resident is asked to rate it, once.
    pub(super) fn window_visit_answered(&mut self, result: Result<Option<RateableVisit>, ApiFailure>) -> Vec<Effect> {
        let idle = self.session_is_pristine();
        let Some(evaluator) = self.evaluator.as_mut() else { return vec![] };
        evaluator.asking = false;
        // An outage only delays the question; the calm screen stays.
        let Ok(Some(visit)) = result else { return vec![] };
        if !idle || evaluator.offered.as_ref() == Some(&visit.ticket_id) {
            return vec![];
        }
        evaluator.offered = Some(visit.ticket_id.clone());
        self.session.rating = Some(RatingDraft { visit, level: None, reasons: vec![], callback_phone: None });
        self.session.screen = Screen::Levels.into();
        vec![]
    }

    pub(super) fn rating_view(&self, screen: &Screen, t: Texts, view: &mut View) {
        let draft = self.session.rating.as_ref();
        match screen {
            Screen::Letters => {
                view.page = Page::List;
                view.title = t.prompt("rating.letters.title");
                view.prompt = t.prompt("rating.letters.prompt");
                let letters = self.ticket_letters().into_iter().map(|letter| {
                    let services: Vec<String> = self
                        .catalog()
                        .services
                        .iter()
                        .filter(|s| s.ticket_prefix == letter)
                        .map(|s| t.pick(&s.name))
                        .collect();
                    Item {
                        label: t.phrase(Phrase::code(letter.clone())),
                        detail: t.phrase(Phrase::text(services.join("、"))),
                        help: Phrase::prompt("rating.letters.help"),
                        id: letter,
                    }
                });
                // A printed ticket is scanned first: no letter to find, no digits to type.
                view.items = std::iter::once(t.prompted_item("rating", SCAN_TICKET)).chain(letters).collect();
            }
            Screen::Digits(letter) => {
                view.page = Page::Entry;
                view.title = t.prompt_with("rating.digits.title", vec![Phrase::code(letter.clone())]);
                view.prompt = t.prompt(self.entry_prompt(Entry::TicketDigits));
                view.entry = Some(entry::view(Entry::TicketDigits, &self.session.typed, false, false));
                view.items = vec![t.button(action::ENTRY_DONE, "entry.done")];
            }
            Screen::Levels => {
                view.page = Page::List;
                view.title = t.prompt("rating.levels.title");
                if let Some(draft) = draft {
                    view.prompt = visit_sentence(t, &draft.visit);
                }
                view.items = Satisfaction::ALL
                    .iter()
                    .map(|level| t.button(level.as_str(), &format!("rating.level.{level}")))
                    .collect();
            }
            Screen::Reasons => {
                view.page = Page::List;
                view.title = t.prompt("rating.reasons.title");
                view.prompt = t.prompt("rating.reasons.prompt");
                let chosen = draft.map(|d| d.reasons.as_slice()).unwrap_or_default();
                view.items = LowRatingReason::ALL
                    .iter()
                    .map(|reason| {
                        let mut item = t.button(reason.as_str(), &format!("rating.reason.{reason}"));
                        // Words, not only a tick: spoken and read alike.
                        let state =
                            if chosen.contains(reason) { "rating.reason.chosen" } else { "rating.reason.not-chosen" };
                        item.detail = t.prompt(state);
                        item
                    })
                    .chain([t.button(action::NEXT, "rating.reasons.done")])
                    .collect();
            }
            Screen::Phone => {
                view.page = Page::Entry;
                view.title = t.prompt("rating.phone.title");
                view.prompt = t.prompt("rating.phone.prompt");
                view.entry = Some(entry::view(Entry::Phone, &self.session.typed, true, true));
                view.items =
                    vec![t.button(action::ENTRY_DONE, "entry.done"), t.button(action::ENTRY_SKIP, "entry.skip")];
            }
            Screen::Thanks => {
                let low = draft.and_then(|d| d.level).is_some_and(Satisfaction::is_low);
                let call_back = draft.is_some_and(|d| d.callback_phone.is_some());
                view.title = t.prompt("rating.thanks.title");
                view.prompt = t.prompt("rating.thanks.prompt");
                if low {
                    let follow_up = if call_back { "rating.thanks.call-back" } else { "rating.thanks.follow-up" };
                    view.lines = vec![Line::body(t.prompt(follow_up))];
                }
                view.items = vec![t.button(action::FINISH, "ticket.finish")];
            }
            Screen::AlreadyRated => {
                view.title = t.prompt("rating.already.title");
                if let Some(draft) = draft {
                    view.lines = vec![Line::body(visit_sentence(t, &draft.visit))];
                }
                view.prompt = t.prompt("rating.already.prompt");
                view.items = vec![t.button(action::FINISH, "ticket.finish")];
            }
        }
    }

    /// The window evaluator's home: a calm screen saying what it is for.
    pub(super) fn evaluator_home_view(&self, window: i64, t: Texts, view: &mut View) {
        view.page = Page::Message;
        view.title = t.prompt_with("evaluator.title", vec![Phrase::number(window as u64)]);
        view.prompt = t.prompt("evaluator.prompt");
    }
}

/// "A012, 社保参保登记 at 3号窗口": which visit this is.
fn visit_sentence(t: Texts, visit: &RateableVisit) -> super::view::Text {
    t.prompt_with(
        "rating.visit",
        vec![
            Phrase::code(visit.ticket_number.clone()),
            Phrase::text(t.pick(&visit.service_name)),
            Phrase::text(t.pick(&visit.window)),
        ],
    )
}
