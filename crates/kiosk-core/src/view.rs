//! What the screen shows, resolved to text in the session's language, each text with the
//! phrase speech says for it. The core produces a [`View`] after every event; the UI adapter
//! copies it into Slint properties, voice navigation reads it aloud, and tests read it directly.

use std::fmt;
use std::ops::Deref;

use contract::model::Bilingual;

use super::profile::{Language, Profile};
use super::speech::Phrase;

/// Visible text and the phrase it was rendered from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text {
    pub shown: String,
    pub phrase: Phrase,
}

impl Text {
    pub fn new(phrase: Phrase, language: Language) -> Text {
        Text { shown: phrase.render(language), phrase }
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.shown
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.shown == *other
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

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
    /// The camera preview with its framing guide, looking for a receipt's QR code.
    Scan,
    /// The camera preview as a mirror, while waiting for an interpreter.
    SelfView,
    /// The camera preview with an oval for the face, and the face guidance's instruction.
    Face,
    /// The camera preview alone, for staff checking the camera.
    CameraCheck,
}

/// Builds a view's texts in the resident's language: the one place features turn prompt ids
/// and the catalog's words into [`Text`]s and [`Item`]s.
#[derive(Clone, Copy, Debug)]
pub struct Texts(pub Language);

impl Texts {
    /// A prompt of the catalog.
    pub fn prompt(self, id: &str) -> Text {
        Text::new(Phrase::prompt(id), self.0)
    }

    /// A prompt with its `{0}`, `{1}`... filled.
    pub fn prompt_with(self, id: &str, args: Vec<Phrase>) -> Text {
        Text::new(Phrase::prompt_with(id, args), self.0)
    }

    /// Any phrase.
    pub fn phrase(self, phrase: Phrase) -> Text {
        Text::new(phrase, self.0)
    }

    /// Text from the catalog or the API, which speech reads with live TTS.
    pub fn said(self, text: &Bilingual) -> Text {
        self.phrase(Phrase::text(self.pick(text)))
    }

    /// The catalog's or the API's words in this language.
    pub fn pick(self, text: &Bilingual) -> String {
        match self.0 {
            Language::Zh => text.zh.clone(),
            Language::En => text.en.clone(),
        }
    }

    /// A button whose label is the prompt `label`, and its help `<label>.help`.
    pub fn button(self, id: &str, label: &str) -> Item {
        let help = Phrase::prompt(format!("{label}.help"));
        Item { id: id.into(), label: self.prompt(label), detail: Text::default(), help }
    }

    /// A fixed item whose label, detail and help are the prompts `<prefix>.<id>`,
    /// `<prefix>.<id>.detail` and `<prefix>.<id>.help`.
    pub fn prompted_item(self, prefix: &str, id: &str) -> Item {
        Item {
            id: id.to_string(),
            label: self.prompt(&format!("{prefix}.{id}")),
            detail: self.prompt(&format!("{prefix}.{id}.detail")),
            help: Phrase::prompt(format!("{prefix}.{id}.help")),
        }
    }

    /// An item of the API's data (a service, a category, an option), with the help
    /// prompt its list shares.
    pub fn data_item(self, id: &str, label: &Bilingual, detail: Option<&Bilingual>, help: &str) -> Item {
        Item {
            id: id.to_string(),
            label: self.said(label),
            detail: detail.map(|d| self.said(d)).unwrap_or_default(),
            help: Phrase::prompt(help),
        }
    }
}

/// Something the resident can activate, in reading order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// Sent back in [`super::Event::Activate`].
    pub id: String,
    pub label: Text,
    /// A second, smaller line (a department, "required, 1 copy", ...). May be empty.
    pub detail: Text,
    /// What voice navigation's Help says it does.
    pub help: Phrase,
}

/// A read-only line of a guide, summary or info page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub style: LineStyle,
    pub text: Text,
    /// The value of a [`LineStyle::Field`] ("服务事项" → "社保参保登记"); empty otherwise.
    pub value: Text,
}

impl Line {
    pub fn heading(text: Text) -> Line {
        Line { style: LineStyle::Heading, text, value: Text::default() }
    }

    pub fn body(text: Text) -> Line {
        Line { style: LineStyle::Body, text, value: Text::default() }
    }

    pub fn instruction(text: Text) -> Line {
        Line { style: LineStyle::Instruction, text, value: Text::default() }
    }

    pub fn field(label: Text, value: Text) -> Line {
        Line { style: LineStyle::Field, text: label, value }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineStyle {
    Heading,
    Body,
    Field,
    /// What to do now, in the largest text on the page, for a resident looking at a camera.
    Instruction,
}

/// The keypad entry in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryView {
    /// What is typed, with each character replaced by `*` when the step is masked.
    pub shown: String,
    /// How many characters are typed.
    pub typed_len: usize,
    /// Whether the step hides what is typed (ID numbers): speech never reads it.
    pub masked: bool,
    /// Whether it is a secret (the staff's PIN): never shown, and only "star" is said for it,
    /// even in private listening.
    pub secret: bool,
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
    pub number: Text,
    pub service: Text,
    pub window: Text,
    pub people_ahead: Text,
    pub wait: Text,
}

/// Everything a page needs.
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    pub page: Page,
    pub title: Text,
    /// One sentence saying what to do here.
    pub prompt: Text,
    pub items: Vec<Item>,
    pub lines: Vec<Line>,
    pub entry: Option<EntryView>,
    pub ticket: Option<TicketView>,
    /// A problem to fix on this page (wrong check digit, ...), shown in a banner. May be empty.
    pub error: Text,
    pub can_go_back: bool,
    /// The interpreter's video window is open below the bar: the bar's sign-language button
    /// ends the call.
    pub in_video_call: bool,
    /// The focus id of the stop voice navigation is on (see [`super::voice`]); empty when none.
    pub voice_focus: String,
    /// Seconds left before the session is wiped, while the idle warning shows.
    pub idle_warning: Option<u32>,
    pub profile: Profile,
}
