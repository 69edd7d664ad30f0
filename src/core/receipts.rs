//! Scanning a pre-review receipt: the camera screen with its hints, the receipt number typed
//! instead, offline verification of the scanned code, and the redeemed receipt's result.

use ed25519_dalek::VerifyingKey;
use service_api::model::{EntryKind, RedeemReceipt, RedeemedReceipt};
use service_api::receipt::{Receipt, ReceiptError};

use super::speech::Phrase;
use super::view::{Item, Line, LineStyle, Page, Text, View};
use super::{action, ApiFailure, CameraProblem, CameraUse, Effect, Kiosk, Screen};

/// Seconds between scanning hints; after the last hint the keypad is offered.
const HINT_EVERY_SECS: u32 = 5;
/// The hints, in the order a resident gets them while nothing decodes.
const HINTS: [&str; 4] = ["scan.hint.distance", "scan.hint.brightness", "scan.hint.glare", "scan.hint.keypad"];

impl Kiosk {
    /// The service API's public key, to check receipts offline. Without one, scanned receipts
    /// are refused and only the typed receipt number (checked by the API) works.
    pub fn set_receipt_key(&mut self, key: Option<VerifyingKey>) {
        self.receipt_key = key;
    }

    pub(super) fn start_scan(&mut self) {
        self.session.camera_secs = 0;
        self.go(Screen::Scan);
    }

    /// What the camera should be on for: reading codes on the scan screen, a self-view while
    /// waiting for an interpreter, the face guidance; off everywhere else.
    pub(super) fn camera_use(&self) -> Option<CameraUse> {
        match self.session.screen {
            Screen::Scan => Some(CameraUse::ReadCodes),
            Screen::Interpreter if self.interpreter_page() == Page::SelfView => Some(CameraUse::SelfView),
            Screen::PensionFace => Some(CameraUse::Face),
            _ => None,
        }
    }

    /// Which hint the scan screen shows: `None` in the first seconds.
    pub(super) fn scan_hint(&self) -> Option<&'static str> {
        if self.session.screen != Screen::Scan {
            return None;
        }
        let n = (self.session.camera_secs / HINT_EVERY_SECS) as usize;
        n.checked_sub(1).map(|i| HINTS[i.min(HINTS.len() - 1)])
    }

    pub(super) fn activate_receipt_screen(&mut self, screen: &Screen, id: &str) -> Vec<Effect> {
        match screen {
            Screen::Scan | Screen::NoCamera(_) if id == action::ENTER_NUMBER => {
                self.session.typed.clear();
                self.go(Screen::ReceiptNumber);
            }
            Screen::NoCamera(_) | Screen::Receipt(_) if id == action::HOME || id == action::FINISH => self.go_home(),
            Screen::ReceiptNumber if id == action::ENTRY_DONE => {
                if let Err(problem) = super::entry::validate(EntryKind::ReceiptNumber, &self.session.typed) {
                    self.session.error = Some(problem);
                    return vec![];
                }
                let number = self.session.typed.clone();
                return self.redeem(RedeemReceipt { token: None, number: Some(number) });
            }
            _ => {}
        }
        vec![]
    }

    /// A QR code was read at `now` (unix seconds): a receipt is checked offline before the
    /// API is asked; anything else is refused with its reason, and the camera stays on.
    pub(super) fn code_read(&mut self, payload: &str, now: u32) -> Vec<Effect> {
        if self.session.screen != Screen::Scan {
            return vec![];
        }
        let Some(key) = &self.receipt_key else {
            self.session.error = Some("scan.error.no-key");
            return vec![];
        };
        match Receipt::verify(payload, key, now) {
            Ok(_) => self.redeem(RedeemReceipt { token: Some(payload.to_string()), number: None }),
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

    pub(super) fn camera_failed(&mut self, problem: CameraProblem) {
        match self.session.screen {
            Screen::Scan => self.session.screen = Screen::NoCamera(problem),
            // The call can go on, but the interpreter may not see the resident sign.
            Screen::Interpreter => self.session.error = Some("interpreter.no-camera"),
            Screen::PensionFace => self.pension_camera_failed(),
            _ => {}
        }
    }

    fn redeem(&mut self, request: RedeemReceipt) -> Vec<Effect> {
        let idempotency_key = self.next_idempotency_key();
        self.request(Effect::RedeemReceipt { request, idempotency_key })
    }

    pub(super) fn receipt_redeemed(&mut self, result: Result<RedeemedReceipt, ApiFailure>) {
        if !matches!(self.session.pending, Some(Effect::RedeemReceipt { .. })) {
            return; // the resident left while the request was under way
        }
        match result {
            Ok(redeemed) => {
                self.session.pending = None;
                self.session.history.clear();
                self.session.typed.clear();
                self.session.screen = Screen::Receipt(Box::new(redeemed));
            }
            Err(failure) => self.failed(failure),
        }
    }

    /// The view of the receipt screens.
    pub(super) fn receipt_view(&self, view: &mut View) {
        let lang = self.session.profile.language;
        let t = |id: &str| Text::new(Phrase::prompt(id), lang);
        let button = |id: &str, prompt: &str| Item { id: id.into(), label: t(prompt), detail: Text::default() };
        let body = |text: Text| Line { style: LineStyle::Body, text, value: Text::default() };
        match &self.session.screen {
            Screen::Scan => {
                view.page = Page::Scan;
                view.title = t("scan.title");
                view.prompt = t("scan.prompt");
                // What the yellow frame is for, then the hint: large and bold, for a resident
                // glancing over from the camera.
                let heading = |text: Text| Line { style: LineStyle::Heading, text, value: Text::default() };
                view.lines = vec![self.scan_hint().map_or_else(|| body(t("scan.frame")), |hint| heading(t(hint)))];
                view.items = vec![button(action::ENTER_NUMBER, "scan.enter-number")];
            }
            Screen::NoCamera(problem) => {
                view.title = t("scan.no-camera.title");
                view.prompt = t(match problem {
                    CameraProblem::NotConnected => "scan.no-camera.prompt",
                    CameraProblem::Stopped => "scan.camera-stopped.prompt",
                });
                view.items = vec![button(action::ENTER_NUMBER, "scan.enter-number"), button(action::HOME, "later.home")];
            }
            Screen::ReceiptNumber => {
                view.page = Page::Entry;
                view.title = t("receipt-number.title");
                view.prompt = t("entry.prompt.receipt-number");
                view.entry = Some(self.entry_view(EntryKind::ReceiptNumber, false, false));
                view.items = vec![button(action::ENTRY_DONE, "entry.done")];
            }
            Screen::Receipt(redeemed) => {
                let missing = &redeemed.missing_materials;
                view.page = Page::Ticket;
                view.title = t("receipt.title");
                view.prompt = t(if missing.is_empty() { "receipt.prompt" } else { "receipt.prompt.missing" });
                view.ticket = Some(super::ticket_view(&redeemed.ticket, lang));
                // No heading above them: at the largest text it would take a page of its own.
                view.lines = if missing.is_empty() {
                    vec![body(t("receipt.complete"))]
                } else {
                    let numbered = |(n, name)| Phrase::prompt_with("receipt.material", vec![Phrase::number(n as u64 + 1), name]);
                    let names = missing.iter().map(|m| Phrase::text(super::pick(m, lang))).enumerate();
                    names.map(|item| body(Text::new(numbered(item), lang))).collect()
                };
                view.items = vec![button(action::FINISH, "ticket.finish")];
            }
            _ => {}
        }
    }
}
