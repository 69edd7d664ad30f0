//! The ID card reader: wherever the kiosk asks for an ID number, a resident may put their
//! second-generation ID card on the reader instead of typing 18 characters. The card fills
//! the number as if typed (masked alike) and confirms it; an expired card is told kindly and
//! the keypad still works. The card's data lives in the session only and goes with it.

use super::entry::{self, Entry};
use super::voice::Target;
use super::{action, Effect, Kiosk};

/// What the kiosk keeps of a card while the resident is here: nothing more than the flows
/// use. Its `Debug` shows none of it, so no log line can carry it.
#[derive(Clone, PartialEq, Eq)]
pub struct IdCard {
    pub name: String,
    pub id_number: String,
    /// `None`: valid for life (长期).
    pub valid_until: Option<CivilDate>,
}

impl std::fmt::Debug for IdCard {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("IdCard { .. }")
    }
}

/// A calendar day, as the card prints its dates and as the adapter gives today.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CivilDate {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl CivilDate {
    /// The day it is in China (UTC+8, no daylight saving) at `unix_secs`.
    pub fn in_china(unix_secs: i64) -> CivilDate {
        let (year, month, day) = super::progress::civil_from_days((unix_secs + CHINA_OFFSET_SECS).div_euclid(86_400));
        CivilDate { year: year as u16, month: month as u8, day: day as u8 }
    }
}

/// China Standard Time is UTC+8, with no daylight saving.
pub(crate) const CHINA_OFFSET_SECS: i64 = 8 * 3600;

/// What the reader tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardNews {
    /// A card was put on the reader and read, on `today` (China time).
    Read { card: IdCard, today: CivilDate },
    /// A card is on the reader but could not be read (moved too soon, damaged).
    Unreadable,
}

impl Kiosk {
    /// Declares an ID card reader present: the ID number screens offer it.
    pub fn set_card_reader(&mut self, present: bool) {
        self.card_reader = present;
    }

    /// The prompt that asks for an entry: for an ID number, the card reader's too.
    pub(super) fn entry_prompt(&self, entry: Entry) -> &'static str {
        match entry {
            Entry::IdNumber if self.card_reader => "entry.prompt.id-number-or-card",
            _ => entry::prompt(entry),
        }
    }

    /// A card on the reader: on a screen asking for an ID number, its number is typed and
    /// confirmed; on the admin menu's reader check, it is shown masked; anywhere else it is not
    /// needed, and nothing happens.
    pub(super) fn card_news(&mut self, news: CardNews) -> Vec<Effect> {
        if let Some(effects) = self.admin_card_news(&news) {
            return effects;
        }
        if self.entry_kind() != Some(Entry::IdNumber) {
            return vec![];
        }
        let (card, today) = match news {
            CardNews::Read { card, today } => (card, today),
            CardNews::Unreadable => {
                self.session.error = Some("card.error.unreadable");
                return vec![];
            }
        };
        if entry::validate(Entry::IdNumber, &card.id_number).is_err() {
            // A genuine card's number always checks: this one was misread.
            self.session.error = Some("card.error.unreadable");
            return vec![];
        }
        if card.valid_until.is_some_and(|until| until < today) {
            self.session.error = Some("card.error.expired");
            return vec![];
        }
        self.session.typed = card.id_number.clone();
        self.session.show_typed = false;
        self.session.card = Some(card);
        self.perform(Target::Item(action::ENTRY_DONE.into()))
    }

    /// The card read in this visit, if its number is the one just confirmed: proof enough that
    /// the resident holds it, where a typed number needs a second thing (a phone number).
    pub(super) fn card_for(&self, id_number: &str) -> Option<&IdCard> {
        self.session.card.as_ref().filter(|card| card.id_number == id_number)
    }
}
