//! Scanning a pre-review receipt: the camera screen with its hints, the receipt number typed
//! instead, offline verification of the scanned code, and the redeemed receipt's result. The
//! same screens find an application's progress by its receipt ([`ReceiptUse::Progress`]), and
//! read a printed queue ticket's code back, for its progress or to rate its visit
//! ([`ReceiptUse::Rating`]).

use contract::model::{ApplicationLookup, RedeemReceipt, RedeemedReceipt};
use contract::receipt::{Receipt, ReceiptError};
use ed25519_dalek::VerifyingKey;

use super::entry::Entry;
use super::rating::Screen as Rating;
use super::speech::Phrase;
use super::ticket::ticket_card;
use super::view::{Line, Page, Texts, View};
use super::{action, entry, ApiFailure, CameraProblem, CameraUse, Effect, Kiosk, TicketRef};

/// Seconds between scanning hints; after the last hint the keypad is offered.
const HINT_EVERY_SECS: u32 = 5;
/// The hints, in the order a resident gets them while nothing decodes; the last offers the
/// keypad, in words that depend on what is scanned.
const HINTS: [&str; 3] = ["scan.hint.distance", "scan.hint.brightness", "scan.hint.glare"];

/// What the receipt is scanned or typed for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReceiptUse {
    /// Redeemed into a fast-track ticket.
    Redeem,
    /// To find the application it belongs to, and its progress (a receipt, or the printed
    /// fast-track ticket it gave).
    Progress,
    /// A printed ticket's code, to rate its visit.
    Rating,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Screen {
    /// The camera looks for a receipt's QR code.
    Scan(ReceiptUse),
    /// The camera cannot be used: the receipt number can be typed instead.
    NoCamera(ReceiptUse, CameraProblem),
    /// Typing the receipt number printed under its QR code.
    Number(ReceiptUse),
    /// A receipt redeemed into a fast-track ticket.
    Redeemed(Box<RedeemedReceipt>),
}

impl Screen {
    pub fn camera_use(&self) -> Option<CameraUse> {
        matches!(self, Screen::Scan(_)).then_some(CameraUse::ReadCodes)
    }

    pub fn entry_kind(&self) -> Option<Entry> {
        matches!(self, Screen::Number(_)).then_some(Entry::ReceiptNumber)
    }
}

impl Kiosk {
    /// The service API's public key, to check receipts offline. Without one, scanned receipts
    /// are refused and only the typed receipt number (checked by the API) works.
    pub fn set_receipt_key(&mut self, key: Option<VerifyingKey>) {
        self.receipt_key = key;
    }

    pub(super) fn start_scan(&mut self, purpose: ReceiptUse) {
        self.session.camera_secs = 0;
        self.go(Screen::Scan(purpose));
    }

    /// Which hint the scan screen shows: `None` in the first seconds.
    pub(super) fn scan_hint(&self) -> Option<&'static str> {
        self.scanning()?;
        let n = (self.session.camera_secs / HINT_EVERY_SECS) as usize;
        let keypad = match self.scanning()? {
            ReceiptUse::Rating => "scan.ticket.hint.keypad",
            _ => "scan.hint.keypad",
        };
        n.checked_sub(1).map(|i| HINTS.get(i).copied().unwrap_or(keypad))
    }

    /// What the scan screen on show is for, if it is on show.
    fn scanning(&self) -> Option<ReceiptUse> {
        match self.session.screen {
            super::Screen::Receipts(Screen::Scan(purpose)) => Some(purpose),
            _ => None,
        }
    }

    pub(super) fn activate_receipts(&mut self, screen: Screen, id: &str) -> Vec<Effect> {
        match screen {
            Screen::Scan(ReceiptUse::Rating) | Screen::NoCamera(ReceiptUse::Rating, _)
                if id == action::ENTER_NUMBER =>
            {
                self.go(Rating::Letters)
            }
            Screen::Scan(purpose) | Screen::NoCamera(purpose, _) if id == action::ENTER_NUMBER => {
                self.session.typed.clear();
                self.go(Screen::Number(purpose));
            }
            Screen::NoCamera(..) if id == action::HOME => self.go_home(),
            Screen::Number(purpose) if id == action::ENTRY_DONE => {
                if let Err(problem) = entry::validate(Entry::ReceiptNumber, &self.session.typed) {
                    self.session.error = Some(problem);
                    return vec![];
                }
                let number = self.session.typed.clone();
                return match purpose {
                    ReceiptUse::Redeem => self.redeem(RedeemReceipt { token: None, number: Some(number) }),
                    ReceiptUse::Progress | ReceiptUse::Rating => {
                        self.look_up(ApplicationLookup { receipt_number: Some(number), ..Default::default() })
                    }
                };
            }
            _ => {}
        }
        vec![]
    }

    /// A QR code was read at `now` (unix seconds): a printed ticket's code finds its visit or
    /// its applications; a receipt is checked offline before the API is asked; anything else
    /// is refused with its reason, and the camera stays on.
    pub(super) fn code_read(&mut self, payload: &str, now: u32) -> Vec<Effect> {
        let Some(purpose) = self.scanning() else { return vec![] };
        match (purpose, contract::ticket_code::parse(payload)) {
            (ReceiptUse::Rating, Some(id)) => return self.request(Effect::FindRateableVisit(TicketRef::Id(id.into()))),
            (ReceiptUse::Progress, Some(id)) => {
                return self.look_up(ApplicationLookup { ticket_id: Some(id.into()), ..Default::default() })
            }
            (ReceiptUse::Redeem, Some(_)) => {
                self.session.error = Some("scan.error.ticket-not-receipt");
                return vec![];
            }
            (ReceiptUse::Rating, None) => {
                self.session.error = Some("scan.error.not-a-ticket");
                return vec![];
            }
            (ReceiptUse::Progress | ReceiptUse::Redeem, None) => {}
        }
        let Some(key) = &self.receipt_key else {
            self.session.error = Some("scan.error.no-key");
            return vec![];
        };
        match Receipt::verify(payload, key, now) {
            Ok(_) => match purpose {
                ReceiptUse::Redeem => self.redeem(RedeemReceipt { token: Some(payload.to_string()), number: None }),
                ReceiptUse::Progress | ReceiptUse::Rating => {
                    self.look_up(ApplicationLookup { receipt_token: Some(payload.to_string()), ..Default::default() })
                }
            },
            Err(problem) => {
                self.session.error = Some(match problem {
                    ReceiptError::NotAReceipt => "scan.error.not-a-receipt",
                    ReceiptError::Oversized => "scan.error.oversized",
                    ReceiptError::Malformed => "scan.error.damaged",
                    ReceiptError::BadSignature => "scan.error.forged",
                    ReceiptError::Expired => "scan.error.expired",
                });
                vec![]
            }
        }
    }

    pub(super) fn receipt_camera_failed(&mut self, problem: CameraProblem) {
        if let Some(purpose) = self.scanning() {
            self.session.screen = Screen::NoCamera(purpose, problem).into();
        }
    }

    fn redeem(&mut self, request: RedeemReceipt) -> Vec<Effect> {
        let idempotency_key = self.next_idempotency_key();
        self.request(Effect::RedeemReceipt { request, idempotency_key })
    }

    pub(super) fn receipt_redeemed(&mut self, result: Result<RedeemedReceipt, ApiFailure>) -> Vec<Effect> {
        if !self.awaits(|e| matches!(e, Effect::RedeemReceipt { .. })) {
            return vec![]; // the resident left while the request was under way
        }
        match result {
            Ok(redeemed) => {
                self.session.typed.clear();
                let print = self.print(&redeemed.ticket);
                self.answered(Screen::Redeemed(Box::new(redeemed)));
                return print;
            }
            Err(failure) => self.failed(failure),
        }
        vec![]
    }

    pub(super) fn receipts_view(&self, screen: &Screen, t: Texts, view: &mut View) {
        match screen {
            Screen::Scan(purpose) => {
                view.page = Page::Scan;
                let (title, prompt) = match purpose {
                    ReceiptUse::Redeem => ("scan.title", "scan.prompt"),
                    ReceiptUse::Progress => ("scan.progress.title", "scan.progress.prompt"),
                    ReceiptUse::Rating => ("scan.ticket.title", "scan.ticket.prompt"),
                };
                view.title = t.prompt(title);
                view.prompt = t.prompt(prompt);
                // What the yellow frame is for, then the hint: large and bold, for a resident
                // glancing over from the camera.
                let line = self
                    .scan_hint()
                    .map_or_else(|| Line::body(t.prompt("scan.frame")), |hint| Line::heading(t.prompt(hint)));
                view.lines = vec![line];
                view.items = vec![t.button(action::ENTER_NUMBER, enter_number(*purpose))];
            }
            Screen::NoCamera(purpose, problem) => {
                view.title = t.prompt("scan.no-camera.title");
                view.prompt = t.prompt(match problem {
                    CameraProblem::NotConnected => "scan.no-camera.prompt",
                    CameraProblem::Stopped => "scan.camera-stopped.prompt",
                });
                view.items =
                    vec![t.button(action::ENTER_NUMBER, enter_number(*purpose)), t.button(action::HOME, "later.home")];
            }
            Screen::Number(_) => {
                view.page = Page::Entry;
                view.title = t.prompt("receipt-number.title");
                view.prompt = t.prompt(entry::prompt(Entry::ReceiptNumber));
                view.entry = Some(entry::view(Entry::ReceiptNumber, &self.session.typed, false, false));
                view.items = vec![t.button(action::ENTRY_DONE, "entry.done")];
            }
            Screen::Redeemed(redeemed) => {
                let missing = &redeemed.missing_materials;
                view.page = Page::Ticket;
                view.title = t.prompt("receipt.title");
                view.prompt = t.prompt(if missing.is_empty() { "receipt.prompt" } else { "receipt.prompt.missing" });
                view.ticket = Some(ticket_card(&redeemed.ticket, t));
                // No heading above them: at the largest text it would take a page of its own.
                view.lines = if missing.is_empty() {
                    vec![Line::body(t.prompt("receipt.complete"))]
                } else {
                    let numbered =
                        |(n, name)| t.prompt_with("receipt.material", vec![Phrase::number(n as u64 + 1), name]);
                    let names = missing.iter().map(|m| Phrase::text(t.pick(m))).enumerate();
                    names.map(|item| Line::body(numbered(item))).collect()
                };
                view.lines.extend(self.print_line(t));
                view.items = vec![t.button(action::FINISH, "ticket.finish")];
            }
        }
    }
}

/// The scan screen's way to the keypad: the receipt's number, or the ticket's.
fn enter_number(purpose: ReceiptUse) -> &'static str {
    match purpose {
        ReceiptUse::Rating => "scan.ticket.enter-number",
        _ => "scan.enter-number",
    }
}
