//! The home screen: one tile per thing a resident comes to do.

use super::receipts::ReceiptUse;
use super::view::{Page, Texts, View};
use super::{calls, guides, pension, progress, ticket, Effect, Kiosk};

pub const TAKE_NUMBER: &str = "take-number";
pub const SCAN_RECEIPT: &str = "scan-receipt";
pub const GUIDES: &str = "guides";
pub const PENSION: &str = "pension";
pub const CALL_STAFF: &str = "call-staff";
pub const RATE_SERVICE: &str = "rate-service";
pub const PROGRESS: &str = "progress";
/// The tiles' ids, in the order they show.
pub const TILES: [&str; 7] = [TAKE_NUMBER, SCAN_RECEIPT, GUIDES, PROGRESS, PENSION, RATE_SERVICE, CALL_STAFF];

impl Kiosk {
    pub(super) fn activate_home(&mut self, id: &str) -> Vec<Effect> {
        match id {
            TAKE_NUMBER => return self.open(ticket::Screen::Services),
            GUIDES => return self.open(guides::Screen::Categories),
            SCAN_RECEIPT => self.start_scan(ReceiptUse::Redeem),
            CALL_STAFF => self.go(calls::Screen::StaffReasons),
            PENSION => self.go(pension::Screen::Intro),
            RATE_SERVICE => return self.start_rating(),
            PROGRESS => self.go(progress::Screen::Ways),
            _ => {}
        }
        vec![]
    }
}

pub(super) fn view(t: Texts, view: &mut View) {
    view.page = Page::Home;
    view.title = t.prompt("home.title");
    view.prompt = t.prompt("home.prompt");
    view.items = TILES.iter().map(|id| t.prompted_item("home", id)).collect();
}
