//! What the screen shows, resolved to text in the session's language. The core produces a
//! [`View`] after every event; the UI adapter copies it into Slint properties, and tests
//! read it directly.

use super::profile::Profile;

/// Which page component shows the view. One page per kind of step, plus the fixed pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Home,
    /// A list of big buttons: services, categories, a choice step's options.
    List,
    /// Text to read, then "next".
    Info,
    YesNo,
    /// Digits on the on-screen keypad.
    Entry,
    /// Summary lines, then "confirm".
    Confirm,
    Ticket,
    /// A service guide: materials, conditions, time limit, fee.
    Guide,
    /// A message with a button: service unavailable (retry), a feature not here yet (home).
    Message,
    /// Waiting for the service API.
    Busy,
}

/// Something the resident can activate, in reading order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// Sent back in [`super::Event::Activate`].
    pub id: String,
    pub label: String,
    /// A second, smaller line (a department, "required, 1 copy", ...). May be empty.
    pub detail: String,
}

/// A read-only line of a guide, summary or info page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub style: LineStyle,
    pub text: String,
    /// The value of a [`LineStyle::Field`] ("服务事项" → "社保参保登记"); empty otherwise.
    pub value: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineStyle {
    Heading,
    Body,
    Field,
}

/// The keypad entry in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryView {
    /// What is typed, with each character replaced by `*` when the step is masked.
    pub shown: String,
    /// How many characters are expected (18 for an ID number, 11 for a phone).
    pub expected_len: usize,
    /// Whether the X key is offered (ID numbers end in X sometimes).
    pub allows_x: bool,
    /// Whether the resident may skip it.
    pub optional: bool,
}

/// A queue ticket, as shown very large.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketView {
    pub number: String,
    pub service: String,
    pub window: String,
    pub people_ahead: String,
    pub wait: String,
}

/// Everything a page needs.
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    pub page: Page,
    pub title: String,
    /// One sentence saying what to do here.
    pub prompt: String,
    pub items: Vec<Item>,
    pub lines: Vec<Line>,
    pub entry: Option<EntryView>,
    pub ticket: Option<TicketView>,
    /// A problem to fix on this page (wrong check digit, ...), shown in a banner. May be empty.
    pub error: String,
    pub can_go_back: bool,
    /// Seconds left before the session is wiped, while the idle warning shows.
    pub idle_warning: Option<u32>,
    pub profile: Profile,
}
