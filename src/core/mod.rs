//! The kiosk's pure core: the session, the flow engine and the accessibility profile.
//!
//! Input arrives as [`Event`]s; [`Kiosk::handle`] updates the state and returns [`Effect`]s
//! for the adapters to carry out (call the service API); their results come back as events.
//! [`Kiosk::view`] says what the screen shows. No UI, network or clock type lives here, so a
//! test can drive a whole visit with no window and no server.

mod calls;
pub mod entry;
mod pension;
pub mod profile;
mod prompt_file;
pub mod prompts;
mod receipts;
pub mod speech;
pub mod view;
pub mod voice;

#[cfg(test)]
mod call_tests;
#[cfg(test)]
mod pension_tests;
#[cfg(test)]
mod receipt_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod voice_tests;

use ed25519_dalek::VerifyingKey;
use service_api::model::{
    ApiError, Bilingual, Catalog, EntryKind, FaceAuth, InterpreterCall, Liveness, MaterialForm, NewTicket, Priority,
    RedeemReceipt, RedeemedReceipt, Service, StaffCall, StaffCallReason, Step, Ticket, WindowType,
};

pub use pension::{FaceNews, QUIET_START_SECS};
use pension::{PensionProblem, PensionVisit};

use profile::{Language, Profile};
use speech::{Earcon, Phrase, Sound, Utterance, VoiceSettings};
use view::{EntryView, Item, Line, LineStyle, Page, Text, TicketView, View};
use voice::{NavKey, Target};

/// Something the resident (or the world) did.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// An item of the current view was activated (tapped, or confirmed from the keypad).
    Activate(String),
    /// A button of the global bar.
    Bar(BarAction),
    /// A key of the on-screen entry keypad.
    Key(EntryKey),
    /// Any other touch (paging a long list): the resident is still there.
    Touched,
    /// The idle warning's "I need more time".
    MoreTime,
    /// Seconds passed.
    Tick(u32),
    /// A key of the tactile keypad: starts voice navigation, then steps through the screen.
    Nav(NavKey),
    /// The Help button held down: starts voice navigation.
    HelpHeld,
    /// Headphones plugged in (true) or out, where the hardware reports it: plugging them in
    /// starts voice navigation in private listening.
    Headphones(bool),
    /// The camera read a QR code at `now` (unix seconds, for the receipt's expiry).
    CodeRead { payload: String, now: u32 },
    CameraFailed(CameraProblem),
    CatalogLoaded(Result<Catalog, ApiFailure>),
    TicketIssued(Result<Ticket, ApiFailure>),
    ReceiptRedeemed(Result<RedeemedReceipt, ApiFailure>),
    /// The API's answer about the interpreter call: to the request, a poll, or a report.
    InterpreterCallUpdated(Result<InterpreterCall, ApiFailure>),
    /// The video window closed: the resident closed it, or the video platform ended the call.
    VideoCallClosed,
    /// The video window could not be opened (the launcher failed).
    VideoCallFailed,
    /// The API's answer to sending the staff call with this idempotency key, or to a poll.
    StaffCallAnswered { idempotency_key: String, result: Result<StaffCall, ApiFailure> },
    /// The face guidance on the camera screen.
    Face(FaceNews),
    FaceAuthSubmitted(Result<FaceAuth, ApiFailure>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarAction {
    Home,
    Back,
    Help,
    SignLanguage,
    CallStaff,
    TextSize,
    Contrast,
    Language,
    Voice,
    /// Not in the bar, for want of room: on the Help page and on the caption strip.
    Captions,
}

impl BarAction {
    pub fn parse(name: &str) -> Option<BarAction> {
        Some(match name {
            "home" => BarAction::Home,
            "back" => BarAction::Back,
            "help" => BarAction::Help,
            "sign-language" => BarAction::SignLanguage,
            "call-staff" => BarAction::CallStaff,
            "text-size" => BarAction::TextSize,
            "contrast" => BarAction::Contrast,
            "language" => BarAction::Language,
            "voice" => BarAction::Voice,
            "captions" => BarAction::Captions,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            BarAction::Home => "home",
            BarAction::Back => "back",
            BarAction::Help => "help",
            BarAction::SignLanguage => "sign-language",
            BarAction::CallStaff => "call-staff",
            BarAction::TextSize => "text-size",
            BarAction::Contrast => "contrast",
            BarAction::Language => "language",
            BarAction::Voice => "voice",
            BarAction::Captions => "captions",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKey {
    Char(char),
    Delete,
    Clear,
}

impl EntryKey {
    pub fn parse(name: &str) -> Option<EntryKey> {
        match name {
            "delete" => Some(EntryKey::Delete),
            "clear" => Some(EntryKey::Clear),
            _ => {
                let mut chars = name.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if c.is_ascii_digit() || c == 'X' => Some(EntryKey::Char(c)),
                    _ => None,
                }
            }
        }
    }

    pub fn name(self) -> String {
        match self {
            EntryKey::Char(c) => c.to_string(),
            EntryKey::Delete => "delete".into(),
            EntryKey::Clear => "clear".into(),
        }
    }
}

/// Why a call to the service API failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiFailure {
    /// No answer: network down, server stopped, timeout. Worth retrying.
    Unreachable(String),
    /// The API answered with an error; its message says why.
    Refused(ApiError),
}

/// Why the camera gives no picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CameraProblem {
    /// No camera is connected, or it cannot be opened (busy, no permission).
    NotConnected,
    /// It stopped giving frames mid-scan (unplugged, driver error).
    Stopped,
}

/// Work for the adapters.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    LoadCatalog,
    /// The key stays the same when the resident retries, so a ticket is never issued twice.
    IssueTicket { request: NewTicket, idempotency_key: String },
    /// Like a ticket, a receipt is redeemed once however often the resident retries.
    RedeemReceipt { request: RedeemReceipt, idempotency_key: String },
    /// Start the camera, feeding [`Event::CameraFailed`] and, when it reads codes,
    /// [`Event::CodeRead`]; only while the scan screen or the interpreter's waiting screen shows.
    OpenCamera(CameraUse),
    CloseCamera,
    /// Ask the API for an interpreter; answered by [`Event::InterpreterCallUpdated`], like
    /// every interpreter effect but the video's.
    RequestInterpreter { idempotency_key: String },
    PollInterpreterCall { id: String },
    /// Tell the API the video window is open.
    ReportVideoStarted { id: String },
    EndInterpreterCall { id: String },
    /// The resident left: cancel the call if it is still queued, or end it.
    HangUp { id: String },
    /// Open the call's video room in the video window, in the resident's language; its end
    /// comes back as [`Event::VideoCallClosed`] or [`Event::VideoCallFailed`].
    OpenVideoCall { join_url: String, language: Language },
    CloseVideoCall,
    /// Answered by [`Event::StaffCallAnswered`], like the poll.
    SendStaffCall { reason: StaffCallReason, idempotency_key: String },
    PollStaffCall { id: String, idempotency_key: String },
    /// Send the face picture the adapter holds, with this; answered by
    /// [`Event::FaceAuthSubmitted`]. A retry after a network failure sends the same picture.
    SubmitFaceAuth { id_number: String, attempt: u32, liveness: Liveness, idempotency_key: String },
    /// Forget the face picture: it was submitted, refused, or the resident left.
    DiscardFacePhoto,
    /// Say this now, interrupting whatever is being said.
    Speak(Utterance),
    StopSpeech,
    PauseSpeech,
    ResumeSpeech,
}

/// What the camera is on for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CameraUse {
    /// The scan screen: a preview and the QR decoder.
    ReadCodes,
    /// The interpreter's waiting screen: a preview, so the resident can see they are in frame.
    SelfView,
    /// Pension face authentication: a preview with the face guidance, which takes the
    /// picture, feeding [`Event::Face`].
    Face,
}

/// How long a resident may stay idle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdlePolicy {
    /// Seconds without any touch before the warning shows.
    pub timeout_secs: u32,
    /// Seconds the warning counts down before the session is wiped (at least 20, WCAG 2.2.1).
    pub warning_secs: u32,
}

impl Default for IdlePolicy {
    fn default() -> Self {
        IdlePolicy { timeout_secs: 60, warning_secs: 30 }
    }
}

/// Step ids whose answers go into the ticket request (see the catalog's flows).
const PRIORITY_STEP: &str = "priority";
const PHONE_STEP: &str = "phone";

/// Ids of the home screen's tiles.
pub mod home {
    pub const TAKE_NUMBER: &str = "take-number";
    pub const SCAN_RECEIPT: &str = "scan-receipt";
    pub const GUIDES: &str = "guides";
    pub const PENSION: &str = "pension";
    pub const CALL_STAFF: &str = "call-staff";
    pub const TILES: [&str; 5] = [TAKE_NUMBER, SCAN_RECEIPT, GUIDES, PENSION, CALL_STAFF];
}

/// Ids of the fixed buttons some pages carry besides their data items.
pub mod action {
    pub const NEXT: &str = "next";
    pub const YES: &str = "yes";
    pub const NO: &str = "no";
    pub const ENTRY_DONE: &str = "entry-done";
    pub const ENTRY_SKIP: &str = "entry-skip";
    pub const CONFIRM: &str = "confirm";
    pub const FINISH: &str = "finish";
    pub const RETRY: &str = "retry";
    pub const HOME: &str = "home";
    pub const TAKE_NUMBER: &str = "take-number";
    pub const CLOSE: &str = "close";
    pub const ENTER_NUMBER: &str = "enter-number";
    pub const CANCEL: &str = "cancel";
    pub const END_CALL: &str = "end-call";
    pub const CALL_STAFF: &str = "call-staff";
    pub const CAPTIONS: &str = "captions";
    pub const AGREE: &str = "agree";
}

#[derive(Clone, Debug, PartialEq)]
enum Screen {
    Home,
    /// Choose the service to take a number for.
    Services,
    GuideCategories,
    GuideServices { category: String },
    Guide { service: String },
    /// Step `index` of a service's flow.
    Step { service: String, index: usize },
    Ticket(Ticket),
    Help,
    /// The camera looks for a receipt's QR code.
    Scan,
    /// The camera cannot be used: the receipt number can be typed instead.
    NoCamera(CameraProblem),
    /// Typing the receipt number printed under its QR code.
    ReceiptNumber,
    /// A receipt redeemed into a fast-track ticket.
    Receipt(Box<RedeemedReceipt>),
    /// The sign-language interpreter call: waiting, in the video call, or why none came.
    Interpreter,
    /// Pension face authentication: what it is, and consent.
    PensionIntro,
    /// Typing the ID number.
    PensionId,
    /// The camera, guiding the resident's face until the picture is taken.
    PensionFace,
    /// An attempt that ended without a submission: try again, or staff.
    PensionProblem(PensionProblem),
    /// The picture was submitted for review.
    PensionResult(Box<FaceAuth>),
    /// Choose why staff should come.
    StaffReasons,
    /// The staff call's status, until a staff member is on the way.
    StaffCall,
    /// Waiting for the service API.
    Busy,
    /// The API could not be reached; `Retry` repeats the pending request.
    Unavailable,
    /// The API refused the request; its message says why.
    Refused(Bilingual),
}

/// One resident's visit. [`Kiosk`] replaces it wholesale for the next resident.
#[derive(Debug)]
struct Session {
    profile: Profile,
    screen: Screen,
    history: Vec<Screen>,
    /// Answers of the flow in progress: (step id, answer).
    answers: Vec<(String, String)>,
    /// What is typed on the current entry step.
    typed: String,
    /// Prompt id of a problem to fix on the current page.
    error: Option<&'static str>,
    /// Where the resident was going when the catalog had to be fetched first.
    after_catalog: Option<Screen>,
    /// The request to repeat from the "unavailable" page.
    pending: Option<Effect>,
    idle_secs: u32,
    /// Seconds the camera has been on, since the scan or face screen last started: for
    /// their hints.
    camera_secs: u32,
    /// The voice navigation focus: a [`voice::Stop`]'s focus id; `None` at the screen's start.
    focus: Option<String>,
    /// Help presses in a row: the second explains the whole kiosk.
    help_presses: u32,
    /// The last thing said, for the Repeat key.
    last_said: Vec<Sound>,
    speech_paused: bool,
    interpreter: Option<calls::InterpreterProgress>,
    /// The idempotency key of the staff call the staff-call screen shows.
    staff_call: Option<String>,
    pension: Option<PensionVisit>,
}

impl Session {
    fn new(language: Language, screen: Screen) -> Session {
        Session {
            profile: Profile::new(language),
            screen,
            history: Vec::new(),
            answers: Vec::new(),
            typed: String::new(),
            error: None,
            after_catalog: None,
            pending: None,
            idle_secs: 0,
            camera_secs: 0,
            focus: None,
            help_presses: 0,
            last_said: Vec::new(),
            speech_paused: false,
            interpreter: None,
            staff_call: None,
            pension: None,
        }
    }

    fn answer(&self, step_id: &str) -> Option<&str> {
        self.answers.iter().find(|(id, _)| id == step_id).map(|(_, a)| a.as_str())
    }

    fn set_answer(&mut self, step_id: &str, answer: String) {
        self.answers.retain(|(id, _)| id != step_id);
        self.answers.push((step_id.to_string(), answer));
    }
}

pub struct Kiosk {
    catalog: Option<Catalog>,
    default_language: Language,
    idle: IdlePolicy,
    /// Makes idempotency keys unique across kiosk restarts; set by the adapter.
    key_prefix: String,
    requests: u64,
    session: Session,
    /// Headphones are plugged in: personal data may be spoken.
    headphones: bool,
    /// The kiosk's only audio output is private (a handset), so speech is always private.
    private_output: bool,
    /// Something was activated during the event being handled (for the earcon).
    acted: bool,
    /// The service API's public key, to check scanned receipts offline.
    receipt_key: Option<VerifyingKey>,
    /// Staff calls not yet taken by the API, and the one the session watches: kept across
    /// sessions, so a call made during a network outage is still sent.
    staff_calls: Vec<calls::StaffCallProgress>,
}

impl Kiosk {
    /// A kiosk on its home screen, which needs no catalog; call [`Kiosk::start`] and carry
    /// out its effects.
    pub fn new(default_language: Language, idle: IdlePolicy, key_prefix: impl Into<String>) -> Kiosk {
        Kiosk {
            catalog: None,
            default_language,
            idle,
            key_prefix: key_prefix.into(),
            requests: 0,
            session: Session::new(default_language, Screen::Home),
            headphones: false,
            private_output: false,
            acted: false,
            receipt_key: None,
            staff_calls: Vec::new(),
        }
    }

    /// Declares the kiosk's audio output private (a handset or headphones only).
    pub fn set_private_output(&mut self, private: bool) {
        self.private_output = private;
    }

    /// Loads the catalog in the background while the home screen shows.
    pub fn start(&mut self) -> Vec<Effect> {
        vec![Effect::LoadCatalog]
    }

    pub fn profile(&self) -> Profile {
        self.session.profile
    }

    pub fn handle(&mut self, event: Event) -> Vec<Effect> {
        let resident = !matches!(
            event,
            Event::Tick(_)
                | Event::CatalogLoaded(_)
                | Event::TicketIssued(_)
                | Event::ReceiptRedeemed(_)
                | Event::CameraFailed(_)
                | Event::Headphones(_)
                | Event::InterpreterCallUpdated(_)
                | Event::VideoCallClosed
                | Event::VideoCallFailed
                | Event::StaffCallAnswered { .. }
                | Event::FaceAuthSubmitted(_)
                // Nobody in front of the camera is nobody using the kiosk.
                | Event::Face(FaceNews::Hint(face_guide::Hint::NoFace))
        );
        let before = Snapshot::of(self);
        let call_before = self.session.interpreter.clone();
        let photo_before = self.holds_face_photo();
        if resident {
            self.session.idle_secs = 0;
        }
        self.acted = false;
        // The resident is back: say the screen again (news from the camera is still news).
        if before.idle && resident && self.session.profile.voice && !matches!(event, Event::Face(_)) {
            return self.follow(before);
        }
        if self.session.profile.voice {
            // Touch and confirm: the first touch of an item says it, the second activates it.
            if let Some(effects) = touched(&event).and_then(|target| self.touch(target)) {
                return effects;
            }
        }
        let mut effects = match event {
            Event::Activate(id) => self.perform(Target::Item(id)),
            Event::Bar(action) => self.perform(Target::Bar(action)),
            Event::Key(key) => self.perform(Target::Key(key)),
            Event::Touched | Event::MoreTime => vec![],
            Event::Nav(key) => self.nav(key),
            Event::HelpHeld => self.nav(NavKey::Help),
            Event::Headphones(plugged) => {
                self.headphones = plugged;
                self.session.profile.voice |= plugged;
                vec![]
            }
            Event::Tick(secs) => self.tick(secs),
            Event::CatalogLoaded(result) => {
                self.catalog_loaded(result);
                vec![]
            }
            Event::TicketIssued(result) => {
                self.ticket_issued(result);
                vec![]
            }
            Event::CodeRead { payload, now } => self.code_read(&payload, now),
            Event::CameraFailed(problem) => {
                self.camera_failed(problem);
                vec![]
            }
            Event::ReceiptRedeemed(result) => {
                self.receipt_redeemed(result);
                vec![]
            }
            Event::InterpreterCallUpdated(result) => self.interpreter_answered(result),
            Event::VideoCallClosed => self.video_closed(false),
            Event::VideoCallFailed => self.video_closed(true),
            Event::StaffCallAnswered { idempotency_key, result } => {
                self.staff_call_answered(&idempotency_key, result);
                vec![]
            }
            Event::Face(news) => self.face_news(news),
            Event::FaceAuthSubmitted(result) => {
                self.face_auth_submitted(result);
                vec![]
            }
        };
        if photo_before && !self.holds_face_photo() {
            effects.push(Effect::DiscardFacePhoto);
        }
        effects.extend(self.hang_up_if_left(call_before));
        let camera = self.camera_use();
        if before.camera != camera {
            if before.camera.is_some() {
                effects.push(Effect::CloseCamera);
            }
            effects.extend(camera.map(Effect::OpenCamera));
        }
        effects.extend(self.follow(before));
        effects
    }

    // --- events ---

    fn perform(&mut self, target: Target) -> Vec<Effect> {
        self.acted = true;
        match target {
            Target::Item(id) => self.activate(&id),
            Target::Bar(action) => self.bar(action),
            Target::Key(key) => {
                self.key(key);
                vec![]
            }
        }
    }

    fn activate(&mut self, id: &str) -> Vec<Effect> {
        let screen = self.session.screen.clone();
        match screen {
            Screen::Home => match id {
                home::TAKE_NUMBER => return self.open(Screen::Services),
                home::GUIDES => return self.open(Screen::GuideCategories),
                home::SCAN_RECEIPT => self.start_scan(),
                home::CALL_STAFF => self.go(Screen::StaffReasons),
                home::PENSION => self.go(Screen::PensionIntro),
                _ => {}
            },
            Screen::Services if self.service(id).is_some() => self.start_flow(id),
            Screen::GuideCategories => {
                let known = self.catalog().categories.iter().any(|c| c.code == id);
                if known {
                    self.go(Screen::GuideServices { category: id.to_string() });
                }
            }
            Screen::GuideServices { .. } if self.service(id).is_some() => {
                self.go(Screen::Guide { service: id.to_string() })
            }
            Screen::Guide { service } if id == action::TAKE_NUMBER => self.start_flow(&service),
            Screen::Step { service, index } => return self.activate_step(&service, index, id),
            Screen::Ticket(_) | Screen::Refused(_) if id == action::FINISH || id == action::HOME => {
                self.go_home()
            }
            Screen::Help if id == action::CLOSE => self.back(),
            Screen::Help if id == action::CAPTIONS => return self.bar(BarAction::Captions),
            Screen::Unavailable if id == action::RETRY => {
                if let Some(effect) = self.session.pending.clone() {
                    self.session.screen = Screen::Busy;
                    return vec![effect];
                }
            }
            Screen::Scan | Screen::NoCamera(_) | Screen::ReceiptNumber | Screen::Receipt(_) => {
                return self.activate_receipt_screen(&screen, id)
            }
            Screen::Interpreter => return self.activate_interpreter_screen(id),
            Screen::PensionIntro
            | Screen::PensionId
            | Screen::PensionFace
            | Screen::PensionProblem(_)
            | Screen::PensionResult(_) => return self.activate_pension_screen(&screen, id),
            Screen::StaffReasons => {
                if let Some(reason) = StaffCallReason::parse(id) {
                    return self.call_staff(reason);
                }
            }
            Screen::StaffCall if id == action::HOME => self.go_home(),
            _ => {}
        }
        vec![]
    }

    fn activate_step(&mut self, service: &str, index: usize, id: &str) -> Vec<Effect> {
        let Some(step) = self.service(service).and_then(|s| s.flow.get(index)).cloned() else {
            return vec![];
        };
        match &step {
            Step::Info { .. } if id == action::NEXT => {}
            Step::Choice { options, .. } if options.iter().any(|o| o.id == id) => {
                self.session.set_answer(step.id(), id.to_string());
            }
            Step::YesNo { .. } if id == action::YES || id == action::NO => {
                self.session.set_answer(step.id(), id.to_string());
            }
            Step::Entry { entry, .. } if id == action::ENTRY_DONE => {
                if let Err(problem) = entry::validate(*entry, &self.session.typed) {
                    self.session.error = Some(problem);
                    return vec![];
                }
                let typed = std::mem::take(&mut self.session.typed);
                self.session.set_answer(step.id(), typed);
            }
            Step::Entry { optional: true, .. } if id == action::ENTRY_SKIP => {
                self.session.typed.clear();
                self.session.answers.retain(|(a, _)| a != step.id());
            }
            Step::Confirm { .. } if id == action::CONFIRM => {}
            _ => return vec![],
        }
        self.enter_step(service, index + 1)
    }

    /// Shows step `index` of the service's flow; a ticket step asks the API for the ticket.
    fn enter_step(&mut self, service: &str, index: usize) -> Vec<Effect> {
        let step = self.service(service).and_then(|s| s.flow.get(index)).cloned();
        match step {
            None => {
                self.go_home();
                vec![]
            }
            Some(Step::Ticket { .. }) => {
                let priority = self
                    .session
                    .answer(PRIORITY_STEP)
                    .and_then(Priority::parse)
                    .unwrap_or(Priority::Normal);
                // The phone step's number goes with the ticket, for the SMS when it is called.
                let contact_phone = self.session.answer(PHONE_STEP).map(str::to_string);
                let request = NewTicket { service_code: service.to_string(), priority, contact_phone };
                let idempotency_key = self.next_idempotency_key();
                self.request(Effect::IssueTicket { request, idempotency_key })
            }
            Some(step) => {
                self.session.typed = match &step {
                    Step::Entry { .. } => self.session.answer(step.id()).unwrap_or("").to_string(),
                    _ => String::new(),
                };
                self.go(Screen::Step { service: service.to_string(), index });
                vec![]
            }
        }
    }

    fn next_idempotency_key(&mut self) -> String {
        self.requests += 1;
        format!("{}-{}", self.key_prefix, self.requests)
    }

    fn start_flow(&mut self, service: &str) {
        self.session.answers.clear();
        self.enter_step(service, 0);
    }

    fn bar(&mut self, action: BarAction) -> Vec<Effect> {
        let profile = &mut self.session.profile;
        match action {
            BarAction::Home => self.go_home(),
            BarAction::Back => self.back(),
            BarAction::Help => {
                if self.session.screen != Screen::Help {
                    self.go(Screen::Help)
                }
            }
            BarAction::SignLanguage => return self.sign_language(),
            BarAction::CallStaff => {
                if self.session.screen != Screen::StaffReasons {
                    self.go(Screen::StaffReasons)
                }
            }
            BarAction::TextSize => profile.text_size = profile.text_size.next(),
            BarAction::Contrast => profile.high_contrast = !profile.high_contrast,
            BarAction::Language => profile.language = profile.language.other(),
            BarAction::Voice => profile.voice = !profile.voice,
            BarAction::Captions => profile.captions = !profile.captions,
        }
        vec![]
    }

    /// What the entry on screen accepts, if there is one.
    fn entry_kind(&self) -> Option<EntryKind> {
        match &self.session.screen {
            Screen::ReceiptNumber => Some(EntryKind::ReceiptNumber),
            Screen::PensionId => Some(EntryKind::IdNumber),
            Screen::Step { service, index } => match self.service(service)?.flow.get(*index)? {
                Step::Entry { entry, .. } => Some(*entry),
                _ => None,
            },
            _ => None,
        }
    }

    fn key(&mut self, key: EntryKey) {
        let Some(entry) = self.entry_kind() else { return };
        let typed = &mut self.session.typed;
        match key {
            EntryKey::Char(c) if entry::accepts(entry, typed.len(), c) => typed.push(c),
            EntryKey::Char(_) => {}
            EntryKey::Delete => {
                typed.pop();
            }
            EntryKey::Clear => typed.clear(),
        }
        self.session.error = None;
    }

    fn tick(&mut self, secs: u32) -> Vec<Effect> {
        let mut effects = self.calls_tick(secs);
        if self.session_is_pristine() {
            return effects;
        }
        // A resident waiting for an interpreter, or talking to one in the video window,
        // touches nothing here and is still using the kiosk.
        if !self.waiting_for_interpreter() {
            self.session.idle_secs += secs;
        }
        if self.camera_use().is_some() {
            self.session.camera_secs += secs;
        }
        if self.session.idle_secs >= self.idle.timeout_secs + self.idle.warning_secs {
            effects.extend(self.reset());
        }
        effects
    }

    /// Nothing of a resident is left: home, default profile, nothing entered.
    fn session_is_pristine(&self) -> bool {
        let s = &self.session;
        s.screen == Screen::Home
            && s.history.is_empty()
            && s.answers.is_empty()
            && s.profile == Profile::new(self.default_language)
    }

    /// Wipes the session for the next resident and refreshes the catalog, so a service the
    /// center added shows up without a restart.
    fn reset(&mut self) -> Vec<Effect> {
        self.session = Session::new(self.default_language, Screen::Home);
        self.forget_finished_staff_calls();
        vec![Effect::LoadCatalog]
    }

    /// Goes to a screen built from the catalog, fetching the catalog first if it is not here
    /// yet (the service API was down at start, or is slow).
    fn open(&mut self, screen: Screen) -> Vec<Effect> {
        if self.catalog.is_some() {
            self.go(screen);
            return vec![];
        }
        self.session.after_catalog = Some(screen);
        self.request(Effect::LoadCatalog)
    }

    fn catalog_loaded(&mut self, result: Result<Catalog, ApiFailure>) {
        let waiting = self.session.pending == Some(Effect::LoadCatalog);
        match result {
            Ok(catalog) => {
                self.catalog = Some(catalog);
                if waiting {
                    self.session.pending = None;
                    self.session.screen = Screen::Home;
                    if let Some(screen) = self.session.after_catalog.take() {
                        self.go(screen);
                    }
                }
            }
            // A background refresh that failed keeps the catalog already loaded.
            Err(_) if !waiting => {}
            Err(failure) => self.failed(failure),
        }
    }

    fn ticket_issued(&mut self, result: Result<Ticket, ApiFailure>) {
        if !matches!(self.session.pending, Some(Effect::IssueTicket { .. })) {
            return; // the resident left (idle reset) while the request was under way
        }
        match result {
            Ok(ticket) => {
                self.session.pending = None;
                self.session.history.clear();
                self.session.answers.clear();
                self.session.screen = Screen::Ticket(ticket);
            }
            Err(failure) => self.failed(failure),
        }
    }

    fn failed(&mut self, failure: ApiFailure) {
        self.session.screen = match failure {
            ApiFailure::Unreachable(_) => Screen::Unavailable,
            ApiFailure::Refused(error) => {
                self.session.pending = None;
                Screen::Refused(error.message)
            }
        };
    }

    // --- navigation ---

    fn request(&mut self, effect: Effect) -> Vec<Effect> {
        self.session.pending = Some(effect.clone());
        self.session.screen = Screen::Busy;
        vec![effect]
    }

    fn go(&mut self, screen: Screen) {
        let previous = std::mem::replace(&mut self.session.screen, screen);
        if !matches!(previous, Screen::Busy | Screen::Unavailable | Screen::Refused(_)) {
            self.session.history.push(previous);
        }
        self.session.error = None;
    }

    fn back(&mut self) {
        if self.session.pending.is_some() {
            return; // a request is under way or waits for a retry: stay with it
        }
        if let Some(previous) = self.session.history.pop() {
            if let Screen::Step { service, index } = &previous {
                let step = self.service(service).and_then(|s| s.flow.get(*index));
                if let Some(step @ Step::Entry { .. }) = step {
                    self.session.typed = self.session.answer(step.id()).unwrap_or("").to_string();
                }
            }
            self.session.screen = previous;
            self.session.error = None;
        }
    }

    fn go_home(&mut self) {
        self.session.screen = Screen::Home;
        self.session.history.clear();
        self.session.answers.clear();
        self.session.typed.clear();
        self.session.error = None;
        self.session.pending = None;
        self.session.after_catalog = None;
        self.session.staff_call = None; // a call not yet sent is still sent (see `calls`)
        self.session.pension = None;
    }

    // --- voice navigation ---

    /// A first touch of an item in voice mode: focus it and say it. `None` when it is
    /// already in focus (so the touch activates it) or is not on the screen.
    fn touch(&mut self, target: Target) -> Option<Vec<Effect>> {
        let stops = voice::stops(&self.view());
        let index = stops.iter().position(|s| s.target.as_ref() == Some(&target))?;
        if self.session.focus.as_deref() == Some(stops[index].focus_id.as_str()) {
            return None;
        }
        Some(self.focus(&stops, index))
    }

    fn focus(&mut self, stops: &[voice::Stop], index: usize) -> Vec<Effect> {
        self.session.focus = Some(stops[index].focus_id.clone());
        let mut sounds = vec![Sound::Earcon(Earcon::Focus)];
        sounds.extend(voice::describe(stops, index));
        self.say(sounds)
    }

    fn nav(&mut self, key: NavKey) -> Vec<Effect> {
        let profile = &mut self.session.profile;
        // Help from a person comes at once, voice mode or not: a deaf resident needs no speech.
        let for_help = matches!(key, NavKey::SignLanguage | NavKey::CallStaff);
        if !profile.voice && !for_help {
            profile.voice = true; // any key starts voice mode; `follow` welcomes the resident
            return vec![];
        }
        if key != NavKey::Help {
            self.session.help_presses = 0;
        }
        let view = self.view();
        let stops = voice::stops(&view);
        let focused = self.session.focus.as_ref().and_then(|id| stops.iter().position(|s| &s.focus_id == id));
        let last = stops.len() - 1;
        let settings = &mut self.session.profile.voice_settings;
        let (setting, change, said) = match key {
            NavKey::Down => return self.focus(&stops, focused.map_or(0, |i| if i == last { 0 } else { i + 1 })),
            NavKey::Up => return self.focus(&stops, focused.map_or(last, |i| if i == 0 { last } else { i - 1 })),
            NavKey::Enter => {
                return match focused.and_then(|i| stops[i].target.clone()) {
                    Some(target) => self.perform(target),
                    None => {
                        let sounds = match focused {
                            Some(i) => voice::describe(&stops, i),
                            None => voice::announce(&view, &stops),
                        };
                        self.say(sounds)
                    }
                };
            }
            NavKey::Back if view.can_go_back => return self.perform(Target::Bar(BarAction::Back)),
            NavKey::Back => return self.say_prompt("voice.no-back"),
            NavKey::Help => {
                self.session.help_presses += 1;
                if self.session.help_presses >= 2 {
                    self.session.help_presses = 0;
                    return self.say_prompt("voice.help.general");
                }
                let stop = &stops[focused.unwrap_or(0)];
                let mut sounds: Vec<Sound> = stop.phrases.iter().cloned().map(Sound::Say).collect();
                sounds.push(Sound::Say(voice::help(stop)));
                return self.say(sounds);
            }
            NavKey::WhereAmI => {
                let here = match focused {
                    Some(i) => voice::position(i, stops.len()),
                    None => Phrase::prompt("voice.at-start"),
                };
                return self.say(vec![Sound::Say(view.title.phrase.clone()), Sound::Say(here)]);
            }
            NavKey::Repeat => {
                let sounds = self.session.last_said.clone();
                return self.say(sounds);
            }
            NavKey::Pause => {
                self.session.speech_paused = !self.session.speech_paused;
                return vec![if self.session.speech_paused { Effect::PauseSpeech } else { Effect::ResumeSpeech }];
            }
            NavKey::Type(key) => {
                self.key(key);
                return vec![];
            }
            NavKey::SignLanguage => return self.perform(Target::Bar(BarAction::SignLanguage)),
            NavKey::CallStaff => return self.perform(Target::Bar(BarAction::CallStaff)),
            NavKey::RateDown => (&mut settings.rate, -1, "voice.slower"),
            NavKey::RateUp => (&mut settings.rate, 1, "voice.faster"),
            NavKey::VolumeDown => (&mut settings.volume, -1, "voice.quieter"),
            NavKey::VolumeUp => (&mut settings.volume, 1, "voice.louder"),
        };
        let wanted = *setting + change;
        if wanted.abs() > VoiceSettings::STEPS {
            return self.say_prompt("voice.limit");
        }
        *setting = wanted;
        self.say_prompt(said)
    }

    /// What voice navigation says after an event changed something on screen.
    fn follow(&mut self, before: Snapshot) -> Vec<Effect> {
        let voice = self.session.profile.voice;
        let view = self.view();
        if !voice {
            let mut effects = if before.voice { vec![Effect::StopSpeech] } else { vec![] };
            let sounds = self.unasked(&before, &view);
            if !sounds.is_empty() {
                effects.extend(self.say(sounds));
            }
            return effects;
        }
        let stops = voice::stops(&view);
        let mut sounds = Vec::new();
        if self.acted {
            sounds.push(Sound::Earcon(Earcon::Activate));
        }
        let now = Snapshot::of(self);
        let language_changed = now.profile.language != before.profile.language;
        if !before.voice || now.screen != before.screen || language_changed || now.idle != before.idle {
            self.session.focus = None;
            if !before.voice {
                sounds.push(Sound::Say(Phrase::prompt("voice.welcome")));
            }
            sounds.extend(voice::announce(&view, &stops));
        } else if let Some(news) = news(&before, &now, &view) {
            sounds = news;
        } else if now.typed != before.typed {
            let masked = view.entry.as_ref().is_some_and(|e| e.masked);
            sounds.push(Sound::Say(self.typed_echo(&before.typed, masked)));
        } else if let Some(index) = self.session.focus.as_ref().and_then(|id| stops.iter().position(|s| &s.focus_id == id)) {
            if !self.acted && now.profile == before.profile {
                return vec![];
            }
            sounds.extend(voice::describe(&stops, index)); // a setting changed: say its new value
        } else {
            return vec![];
        }
        self.say(sounds)
    }

    /// What the kiosk says with voice navigation off: the screens a resident may not be
    /// looking at (the scan screen, held at a camera, and its hints), a receipt's result,
    /// the calls for help and their news, the pension face authentication (explained,
    /// guided and answered by voice), and every problem.
    fn unasked(&self, before: &Snapshot, view: &View) -> Vec<Sound> {
        let now = Snapshot::of(self);
        let speaks = matches!(
            self.session.screen,
            Screen::Scan
                | Screen::NoCamera(_)
                | Screen::Receipt(_)
                | Screen::Refused(_)
                | Screen::Unavailable
                | Screen::Interpreter
                | Screen::StaffCall
                | Screen::PensionIntro
                | Screen::PensionFace
                | Screen::PensionProblem(_)
                | Screen::PensionResult(_)
        );
        if now.screen != before.screen && speaks {
            let mut sounds = voice::summary(view);
            // A message's lines are part of it (the pension steps, an interpreter's absence).
            if view.page == Page::Message {
                sounds.extend(view.lines.iter().map(|line| Sound::Say(line.text.phrase.clone())));
            }
            sounds
        } else {
            news(before, &now, view).unwrap_or_default()
        }
    }

    /// What typing on the keypad says: never the characters of a masked entry, and the
    /// characters of any entry only in private listening.
    fn typed_echo(&self, before: &str, masked: bool) -> Phrase {
        let typed = &self.session.typed;
        match typed.chars().last() {
            _ if typed.is_empty() && !before.is_empty() => Phrase::prompt("keypad.clear"),
            _ if typed.len() < before.len() => Phrase::prompt("keypad.delete"),
            Some(c) if !masked && self.private() => Phrase::code(c.to_string()),
            _ => Phrase::prompt("voice.star"),
        }
    }

    fn private(&self) -> bool {
        self.headphones || self.private_output
    }

    fn say_prompt(&mut self, id: &str) -> Vec<Effect> {
        self.say(vec![Sound::Say(Phrase::prompt(id))])
    }

    fn say(&mut self, sounds: Vec<Sound>) -> Vec<Effect> {
        self.session.last_said = sounds.clone();
        let profile = self.session.profile;
        vec![Effect::Speak(Utterance {
            language: profile.language,
            settings: profile.voice_settings,
            private: self.private(),
            sounds,
        })]
    }

    // --- catalog look-ups ---

    fn catalog(&self) -> &Catalog {
        static EMPTY: Catalog = Catalog { categories: Vec::new(), services: Vec::new() };
        self.catalog.as_ref().unwrap_or(&EMPTY)
    }

    fn service(&self, code: &str) -> Option<&Service> {
        self.catalog().services.iter().find(|s| s.code == code)
    }

    // --- the view ---

    pub fn view(&self) -> View {
        let lang = self.session.profile.language;
        let t = |id: &str| Text::new(Phrase::prompt(id), lang);
        let button = |id: &str, prompt: &str| Item { id: id.into(), label: t(prompt), detail: Text::default() };
        let mut view = View {
            page: Page::Message,
            title: Text::default(),
            prompt: Text::default(),
            items: Vec::new(),
            lines: Vec::new(),
            entry: None,
            ticket: None,
            error: self.session.error.map(t).unwrap_or_default(),
            can_go_back: !self.session.history.is_empty() && self.session.pending.is_none(),
            voice_focus: String::new(),
            idle_warning: self
                .session
                .idle_secs
                .checked_sub(self.idle.timeout_secs)
                .map(|over| self.idle.warning_secs - over),
            profile: self.session.profile,
        };
        match &self.session.screen {
            Screen::Home => {
                view.page = Page::Home;
                view.title = t("home.title");
                view.prompt = t("home.prompt");
                view.items = home::TILES.iter().map(|id| prompted_item("home", id, lang)).collect();
            }
            Screen::Services => {
                view.page = Page::List;
                view.title = t("services.title");
                view.prompt = t("services.prompt");
                view.items = self.service_items(|_| true, lang);
            }
            Screen::GuideCategories => {
                view.page = Page::List;
                view.title = t("guides.title");
                view.prompt = t("guides.prompt");
                view.items = self
                    .catalog()
                    .categories
                    .iter()
                    .map(|c| Item { id: c.code.clone(), label: said(&c.name, lang), detail: Text::default() })
                    .collect();
            }
            Screen::GuideServices { category } => {
                view.page = Page::List;
                view.title = self
                    .catalog()
                    .categories
                    .iter()
                    .find(|c| &c.code == category)
                    .map(|c| said(&c.name, lang))
                    .unwrap_or_default();
                view.prompt = t("guide-services.prompt");
                view.items = self.service_items(|s| &s.category == category, lang);
            }
            Screen::Guide { service } => {
                if let Some(service) = self.service(service) {
                    view.page = Page::Guide;
                    view.title = said(&service.name, lang);
                    view.prompt = t("guide.prompt");
                    view.lines = guide_lines(service, lang);
                    view.items = vec![button(action::TAKE_NUMBER, "guide.take-number")];
                }
            }
            Screen::Step { service, index } => {
                if let Some(service) = self.service(service) {
                    self.step_view(service, *index, &mut view);
                }
            }
            Screen::Ticket(ticket) => {
                view.page = Page::Ticket;
                view.title = t("ticket.title");
                view.prompt = t("ticket.prompt");
                view.ticket = Some(ticket_view(ticket, lang));
                view.items = vec![button(action::FINISH, "ticket.finish")];
            }
            Screen::Help => {
                view.title = t("help.title");
                view.prompt = t("help.prompt");
                view.lines = ["help.tap", "help.text", "help.staff", "help.sign-language", "help.privacy"]
                    .iter()
                    .map(|id| Line { style: LineStyle::Body, text: t(id), value: Text::default() })
                    .collect();
                let captions = if view.profile.captions { "help.captions-off" } else { "help.captions-on" };
                view.items = vec![button(action::CLOSE, "help.close"), button(action::CAPTIONS, captions)];
            }
            Screen::PensionIntro
            | Screen::PensionId
            | Screen::PensionFace
            | Screen::PensionProblem(_)
            | Screen::PensionResult(_) => self.pension_view(&mut view),
            Screen::Scan | Screen::NoCamera(_) | Screen::ReceiptNumber | Screen::Receipt(_) => {
                self.receipt_view(&mut view)
            }
            Screen::Interpreter | Screen::StaffReasons | Screen::StaffCall => self.calls_view(&mut view),
            Screen::Busy => {
                view.page = Page::Busy;
                view.title = t("busy.title");
                view.prompt = t("busy.prompt");
            }
            Screen::Unavailable => {
                view.title = t("unavailable.title");
                view.prompt = t("unavailable.prompt");
                view.items = vec![button(action::RETRY, "unavailable.retry")];
            }
            Screen::Refused(message) => {
                view.title = t("refused.title");
                view.prompt = said(message, lang);
                view.items = vec![button(action::HOME, "later.home")];
            }
        }
        if let (true, Some(focus)) = (view.profile.voice, &self.session.focus) {
            view.voice_focus = focus.clone();
        }
        view
    }

    fn service_items(&self, keep: impl Fn(&Service) -> bool, lang: Language) -> Vec<Item> {
        self.catalog()
            .services
            .iter()
            .filter(|s| keep(s))
            .map(|s| Item { id: s.code.clone(), label: said(&s.name, lang), detail: said(&s.department, lang) })
            .collect()
    }

    fn step_view(&self, service: &Service, index: usize, view: &mut View) {
        let lang = self.session.profile.language;
        let t = |id: &str| Text::new(Phrase::prompt(id), lang);
        let button = |id: &str, prompt: &str| Item { id: id.into(), label: t(prompt), detail: Text::default() };
        let Some(step) = service.flow.get(index) else { return };
        view.title = said(step.title(), lang);
        match step {
            Step::Info { body, .. } => {
                view.page = Page::Info;
                view.prompt = said(&service.name, lang);
                view.lines = body_lines(&pick(body, lang), lang);
                view.items = vec![button(action::NEXT, "step.next")];
            }
            Step::Choice { options, .. } => {
                view.page = Page::List;
                view.prompt = t("step.choose");
                view.items = options
                    .iter()
                    .map(|o| Item { id: o.id.clone(), label: said(&o.label, lang), detail: Text::default() })
                    .collect();
            }
            Step::YesNo { .. } => {
                view.page = Page::YesNo;
                view.prompt = t("step.choose");
                view.items = vec![button(action::YES, "step.yes"), button(action::NO, "step.no")];
            }
            Step::Entry { entry, masked, optional, .. } => {
                view.page = Page::Entry;
                view.prompt = t(match entry {
                    service_api::model::EntryKind::IdNumber => "entry.prompt.id-number",
                    service_api::model::EntryKind::Phone => "entry.prompt.phone",
                    service_api::model::EntryKind::ReceiptNumber => "entry.prompt.receipt-number",
                });
                view.entry = Some(self.entry_view(*entry, *masked, *optional));
                view.items = vec![button(action::ENTRY_DONE, "entry.done")];
                if *optional {
                    view.items.push(button(action::ENTRY_SKIP, "entry.skip"));
                }
            }
            Step::Confirm { .. } => {
                view.page = Page::Confirm;
                view.prompt = t("confirm.prompt");
                view.lines = self.summary(service, lang);
                view.items = vec![button(action::CONFIRM, "confirm.button")];
            }
            Step::Ticket { .. } => {}
        }
    }

    /// The keypad entry of `kind` in progress.
    fn entry_view(&self, kind: EntryKind, masked: bool, optional: bool) -> EntryView {
        let typed = &self.session.typed;
        EntryView {
            shown: if masked { "*".repeat(typed.len()) } else { typed.clone() },
            typed_len: typed.len(),
            masked,
            expected_len: entry::expected_len(kind),
            allows_x: kind == EntryKind::IdNumber,
            optional,
        }
    }

    /// The confirm page's rows: the service, then each question with its answer.
    fn summary(&self, service: &Service, lang: Language) -> Vec<Line> {
        let field = |text: Text, value: Text| Line { style: LineStyle::Field, text, value };
        let t = |id: &str| Text::new(Phrase::prompt(id), lang);
        let mut lines = vec![field(t("confirm.service"), said(&service.name, lang))];
        for step in &service.flow {
            let answer = self.session.answer(step.id());
            let value = match step {
                Step::Choice { options, .. } => answer
                    .and_then(|a| options.iter().find(|o| o.id == a))
                    .map(|o| said(&o.label, lang)),
                Step::YesNo { .. } => answer.map(|a| t(&format!("step.{a}"))),
                Step::Entry { masked, .. } => answer.map(|a| typed_answer(a, *masked, lang)),
                _ => continue,
            };
            lines.push(field(said(step.summary_label(), lang), value.unwrap_or_else(|| t("confirm.not-given"))));
        }
        lines
    }
}

/// What voice navigation compares before and after an event.
struct Snapshot {
    voice: bool,
    profile: Profile,
    screen: Screen,
    error: Option<&'static str>,
    typed: String,
    idle: bool,
    hint: Option<&'static str>,
    camera: Option<CameraUse>,
    /// The prompt id of a call's state on its screen.
    call_status: Option<&'static str>,
    face: Option<(&'static str, u32)>,
}

impl Snapshot {
    fn of(kiosk: &Kiosk) -> Snapshot {
        let s = &kiosk.session;
        Snapshot {
            voice: s.profile.voice,
            profile: s.profile,
            screen: s.screen.clone(),
            error: s.error,
            typed: s.typed.clone(),
            idle: s.idle_secs >= kiosk.idle.timeout_secs,
            hint: kiosk.scan_hint(),
            camera: kiosk.camera_use(),
            call_status: kiosk.call_status(),
            face: kiosk.face_instruction(),
        }
    }
}

/// What is said of a change on the same screen, with voice navigation on or off: a new
/// problem (with the error sound), a call's new state (with the alert sound), the face
/// guidance's instruction (said again when repeated), or a new scanning hint.
fn news(before: &Snapshot, now: &Snapshot, view: &View) -> Option<Vec<Sound>> {
    if now.error != before.error && now.error.is_some() {
        return Some(vec![Sound::Earcon(Earcon::Error), Sound::Say(view.error.phrase.clone())]);
    }
    if now.call_status != before.call_status && now.call_status.is_some() {
        let mut sounds = vec![Sound::Earcon(Earcon::Alert), Sound::Say(view.prompt.phrase.clone())];
        sounds.extend(view.lines.iter().map(|line| Sound::Say(line.text.phrase.clone())));
        return Some(sounds);
    }
    if let Some((instruction, _)) = now.face.filter(|_| now.face != before.face) {
        return Some(vec![Sound::Say(Phrase::prompt(instruction))]);
    }
    let hint = now.hint.filter(|_| now.hint != before.hint)?;
    Some(vec![Sound::Say(Phrase::prompt(hint))])
}

/// The item a touch event lands on.
fn touched(event: &Event) -> Option<Target> {
    Some(match event {
        Event::Activate(id) => Target::Item(id.clone()),
        Event::Bar(action) => Target::Bar(*action),
        Event::Key(key) => Target::Key(*key),
        _ => return None,
    })
}

fn pick(text: &Bilingual, lang: Language) -> String {
    match lang {
        Language::Zh => text.zh.clone(),
        Language::En => text.en.clone(),
    }
}

fn ticket_view(ticket: &Ticket, lang: Language) -> TicketView {
    let count = |n: i64| Phrase::number(n.max(0) as u64);
    let with = |id: &str, arg: Phrase| Text::new(Phrase::prompt_with(id, vec![arg]), lang);
    TicketView {
        number: Text::new(Phrase::code(&ticket.number), lang),
        service: said(&ticket.service_name, lang),
        window: window_text(ticket, lang),
        people_ahead: with("ticket.people-ahead", count(ticket.people_ahead)),
        wait: with("ticket.wait", count(ticket.estimated_wait_minutes)),
    }
}

/// The ticket's window as shown (its name from the API) and as said: from number clips where
/// the API gives the number, the way queue announcers say it.
fn window_text(ticket: &Ticket, lang: Language) -> Text {
    let name = Text::new(Phrase::prompt_with("ticket.window", vec![Phrase::text(pick(&ticket.window, lang))]), lang);
    match ticket.window_number {
        Some(number) => {
            let said = Phrase::prompt_with("ticket.window-number", vec![Phrase::number(number.max(0) as u64)]);
            Text { shown: name.shown, phrase: Phrase::prompt_with("ticket.window", vec![said]) }
        }
        None => name,
    }
}

/// A fixed item whose label and detail are the prompts `<prefix>.<id>` and `<prefix>.<id>.detail`.
fn prompted_item(prefix: &str, id: &str, lang: Language) -> Item {
    let t = |key: String| Text::new(Phrase::prompt(key), lang);
    Item { id: id.to_string(), label: t(format!("{prefix}.{id}")), detail: t(format!("{prefix}.{id}.detail")) }
}

/// Text from the catalog or the API, which speech reads with live TTS.
fn said(text: &Bilingual, lang: Language) -> Text {
    Text::new(Phrase::text(pick(text, lang)), lang)
}

/// What the resident typed, as the summary shows it: a masked answer hides all but its last
/// four characters, and speech reads only those, and only in private listening.
fn typed_answer(value: &str, masked: bool, lang: Language) -> Text {
    if !masked {
        return Text::new(Phrase::code(value).personal(), lang);
    }
    let keep = value.len().saturating_sub(4);
    let tail = &value[keep..];
    Text {
        shown: format!("{}{tail}", "*".repeat(keep)),
        phrase: Phrase::prompt_with("voice.ends-with", vec![Phrase::code(tail)]).personal(),
    }
}

fn body_lines(text: &str, lang: Language) -> Vec<Line> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Line { style: LineStyle::Body, text: Text::new(Phrase::text(l.trim()), lang), value: Text::default() })
        .collect()
}

/// A service guide as lines: department, materials, conditions, time limit, fee, type.
fn guide_lines(service: &Service, lang: Language) -> Vec<Line> {
    let text = |phrase: Phrase| Text::new(phrase, lang);
    let heading = |id: &str| Line { style: LineStyle::Heading, text: text(Phrase::prompt(id)), value: Text::default() };
    let body = |phrase: Phrase| Line { style: LineStyle::Body, text: text(phrase), value: Text::default() };
    let field = |label: &str, value: Text| Line { style: LineStyle::Field, text: text(Phrase::prompt(label)), value };

    let mut lines = vec![field("guide.department", said(&service.department, lang))];
    lines.push(heading("guide.materials"));
    for (n, material) in service.materials.iter().enumerate() {
        let form = Phrase::prompt(match material.form {
            MaterialForm::Original => "material.original",
            MaterialForm::Copy => "material.copy",
            MaterialForm::OriginalAndCopy => "material.original-and-copy",
        });
        let need = Phrase::prompt(if material.required { "material.required" } else { "material.optional" });
        let copies = Phrase::prompt_with("material.copies", vec![Phrase::number(material.copies as u64)]);
        let name = Phrase::text(pick(&material.name, lang));
        let number = Phrase::number(n as u64 + 1);
        lines.push(body(Phrase::prompt_with("material.line", vec![number, name, form, copies, need])));
    }
    if !service.conditions.is_empty() {
        lines.push(heading("guide.conditions"));
        lines.extend(service.conditions.iter().map(|c| body(Phrase::text(pick(c, lang)))));
    }
    lines.push(field("guide.time-limit", said(&service.time_limit, lang)));
    lines.push(field("guide.fee", said(&service.fee, lang)));
    let kind = match service.window_type {
        WindowType::Immediate => "guide.immediate",
        WindowType::Promised => "guide.promised",
    };
    lines.push(field("guide.window-type", text(Phrase::prompt(kind))));
    lines
}
