//! One resident's visit: the accessibility profile, the screen and the way back, what is being
//! typed, and each feature's state. [`super::Kiosk`] replaces it wholesale for the next resident.

use contract::model::Bilingual;

use super::admin::AdminVisit;
use super::calls::{InterpreterProgress, StaffCallProgress};
use super::id_card::IdCard;
use super::pension::PensionVisit;
use super::printing::PrintState;
use super::profile::Profile;
use super::rating::RatingDraft;
use super::speech::Sound;
use super::ticket::Answers;
use super::{admin, calls, guides, pension, progress, rating, receipts, ticket, Effect};

/// Where the resident is: a feature's own screen, or one the kiosk shares.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Screen {
    Home,
    Guides(guides::Screen),
    Ticket(ticket::Screen),
    Receipts(receipts::Screen),
    Calls(calls::Screen),
    Pension(pension::Screen),
    Rating(rating::Screen),
    Progress(progress::Screen),
    Help,
    /// Louder or quieter.
    Volume,
    /// The staff's admin menu.
    Admin(admin::Screen),
    /// Waiting for the service API.
    Busy,
    /// The API could not be reached; `Retry` repeats the pending request.
    Unavailable,
    /// The API refused the request; its message says why.
    Refused(Bilingual),
}

macro_rules! feature_screens {
    ($($feature:ident => $variant:ident),*) => {$(
        impl From<$feature::Screen> for Screen {
            fn from(screen: $feature::Screen) -> Screen {
                Screen::$variant(screen)
            }
        }
    )*};
}
feature_screens!(admin => Admin, guides => Guides, ticket => Ticket, receipts => Receipts, calls => Calls, pension => Pension, rating => Rating,
    progress => Progress);

#[derive(Debug)]
pub(crate) struct Session {
    pub profile: Profile,
    pub screen: Screen,
    pub history: Vec<Screen>,
    /// What is typed on the current entry.
    pub typed: String,
    /// A sighted resident chose to see a masked entry's characters.
    pub show_typed: bool,
    /// Prompt id of a problem to fix on the current page.
    pub error: Option<&'static str>,
    /// Where the resident was going when the catalog had to be fetched first.
    pub after_catalog: Option<Screen>,
    /// The request to repeat from the "unavailable" page.
    pub pending: Option<Effect>,
    pub idle_secs: u32,
    /// Seconds the camera has been on, since the scan or face screen last started: for
    /// their hints.
    pub camera_secs: u32,
    /// The voice navigation focus: a [`super::voice::Stop`]'s focus id; `None` at the
    /// screen's start.
    pub focus: Option<String>,
    /// Help presses in a row: the second explains the whole kiosk.
    pub help_presses: u32,
    /// The last thing said, for the Repeat key.
    pub last_said: Vec<Sound>,
    pub speech_paused: bool,
    /// The ticket flow's answers.
    pub answers: Answers,
    pub interpreter: Option<InterpreterProgress>,
    /// The staff call the staff-call screen shows.
    pub staff_call: Option<StaffCallProgress>,
    pub pension: Option<PensionVisit>,
    /// The visit being rated, and the rating so far.
    pub rating: Option<RatingDraft>,
    /// The ID number typed to find an application, until the phone number is typed too.
    pub applicant_id: Option<String>,
    /// The ID card read on the reader in this visit.
    pub card: Option<IdCard>,
    /// The ticket of this visit the printer is printing, or printed.
    pub printing: Option<PrintState>,
    /// What the admin screens hold, while they show.
    pub admin: Option<AdminVisit>,
}

impl Session {
    /// A session for a new resident, with the center's default profile.
    pub fn new(profile: Profile) -> Session {
        Session {
            profile,
            screen: Screen::Home,
            history: Vec::new(),
            typed: String::new(),
            show_typed: false,
            error: None,
            after_catalog: None,
            pending: None,
            idle_secs: 0,
            camera_secs: 0,
            focus: None,
            help_presses: 0,
            last_said: Vec::new(),
            speech_paused: false,
            answers: Answers::default(),
            interpreter: None,
            staff_call: None,
            pension: None,
            rating: None,
            applicant_id: None,
            card: None,
            printing: None,
            admin: None,
        }
    }
}
