//! The kiosk's pure core: the session, the guided flows, voice navigation and the
//! accessibility profile.
//!
//! Input arrives as [`Event`]s; [`Kiosk::handle`] updates the state and returns [`Effect`]s
//! for the adapters to carry out (call the service API, speak, open the camera); their results
//! come back as events. [`Kiosk::view`] says what the screen shows. No UI, network or clock
//! type lives here, so a test can drive a whole visit with no window and no server.
//!
//! Each feature is a module that owns its screens (a `Screen` enum), its state in the
//! [`session::Session`], how it answers its events and how it draws its view: [`home`],
//! [`guides`], [`ticket`] (the flow engine), [`receipts`], [`calls`] (interpreter and staff),
//! [`pension`], [`rating`], [`progress`], [`help`] and [`settings`], and the staff's [`admin`]
//! menu; the devices that serve
//! them all are [`id_card`] (an ID number by card) and [`printing`] (the paper ticket). [`Kiosk::handle`] dispatches to them;
//! [`navigation`] moves between screens and asks the API; [`narration`] decides what is said
//! when; [`voice`] is voice navigation's keys and stops.
//!
//! A new feature is one module here (its `Screen`, state, events and view), one page in
//! `ui/pages` if no page kind fits, and a line in each list that names the features: the
//! [`session::Screen`] enum, [`Kiosk::activate`] and [`Kiosk::view`]; its answers from the
//! API as [`Event`] variants dispatched in [`Kiosk::handle`], its requests as [`Effect`]
//! variants; and, where they apply, [`Kiosk::camera_use`] and `camera_failed`,
//! [`Kiosk::entry_kind`], and the narration's news and [`narration::speaks_unasked`].

pub mod admin;
mod calls;
pub mod entry;
mod guides;
mod help;
pub mod home;
mod id_card;
pub mod layout;
mod narration;
mod navigation;
mod pension;
mod printing;
pub mod profile;
mod progress;
mod prompt_file;
pub mod prompts;
mod rating;
mod receipts;
mod session;
mod settings;
pub mod speech;
mod ticket;
pub mod view;
pub mod voice;

#[cfg(test)]
mod tests;

pub use admin::{AdminPin, AdminSetup, Corner, Quit};
use contract::model::{
    Application, ApplicationLookup, Catalog, DeviceState, Evaluation, FaceAuth, InterpreterCall, Liveness,
    NewEvaluation, NewTicket, RateableVisit, RedeemReceipt, RedeemedReceipt, StaffCall, StaffCallReason, Ticket,
};
pub use contract::ApiFailure;
use ed25519_dalek::VerifyingKey;
pub use id_card::{CardNews, CivilDate, IdCard};
pub use layout::CameraPlace;
pub use printing::{PrintJob, PrintProblem};

pub use pension::{
    FaceAttempt, FaceHint, FaceNews, Motion, TurnEvidence, TurnFailure, FACE_TIME_LIMIT_SECS, QUIET_START_SECS,
};

use narration::Snapshot;
use profile::{Language, Profile};
use session::{Screen, Session};
use speech::Utterance;
use view::{Page, Texts, View};
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
    /// Headphones plugged in or out, where the hardware reports it: plugging them in starts
    /// voice navigation, in private listening when `private` (the adapter switched the
    /// speaker off and checked it is off; otherwise bystanders may hear, and nothing personal
    /// is said).
    Headphones {
        plugged: bool,
        private: bool,
    },
    /// The camera read a QR code at `now` (unix seconds, for the receipt's expiry).
    CodeRead {
        payload: String,
        now: u32,
    },
    CameraFailed(CameraProblem),
    CatalogLoaded(Result<Catalog, ApiFailure>),
    TicketIssued(Result<Ticket, ApiFailure>),
    ReceiptRedeemed(Result<RedeemedReceipt, ApiFailure>),
    /// The API's answer about the interpreter call: to the request, a poll, or a report.
    InterpreterCallUpdated(Result<InterpreterCall, ApiFailure>),
    /// The API's answer to ending or hanging up a call ([`Effect::EndInterpreterCall`],
    /// [`Effect::HangUp`]): sent by the outbox, perhaps long after, so perhaps about a call of
    /// an earlier session.
    CallHungUp(Result<InterpreterCall, ApiFailure>),
    /// The video window closed: the resident closed it, or the video platform ended the call.
    VideoCallClosed,
    /// The video window could not be opened (the launcher failed).
    VideoCallFailed,
    /// The API's answer to sending the staff call with this idempotency key, or to a poll.
    StaffCallAnswered {
        idempotency_key: String,
        result: Result<StaffCall, ApiFailure>,
    },
    /// The face guidance on the camera screen.
    Face(FaceNews),
    FaceAuthSubmitted(Result<FaceAuth, ApiFailure>),
    /// The served visit a typed ticket number names.
    RateableVisitFound(Result<RateableVisit, ApiFailure>),
    /// The window evaluator's question: the visit just finished at its window, if any.
    WindowVisitAnswered(Result<Option<RateableVisit>, ApiFailure>),
    /// The API's answer to a rating the outbox sent, perhaps long after the resident left.
    EvaluationSent(Result<Evaluation, ApiFailure>),
    ApplicationsFound(Result<Vec<Application>, ApiFailure>),
    /// The ID card reader.
    Card(CardNews),
    /// The printer's answer to [`Effect::PrintTicket`].
    TicketPrinted {
        ticket_id: String,
        result: Result<(), PrintProblem>,
    },
    /// A blank corner of the page held down: the admin menu's gesture (see [`admin`]).
    CornerHeld(Corner),
    /// The adapter's answer to [`Effect::CheckAdminPin`].
    AdminPinChecked {
        right: bool,
    },
    /// The answer to [`Effect::ReportDevices`]: each device's state, as the heartbeat has it.
    DevicesReported(Vec<DeviceState>),
    /// The answer to [`Effect::CheckApi`]: how many milliseconds the API took to answer.
    ApiChecked(Result<u32, ApiFailure>),
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
    /// The name in voice navigation's focus ids (`bar:home`) and the bar's prompt ids.
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
    IssueTicket {
        request: NewTicket,
        idempotency_key: String,
    },
    /// Like a ticket, a receipt is redeemed once however often the resident retries.
    RedeemReceipt {
        request: RedeemReceipt,
        idempotency_key: String,
    },
    /// Start the camera, feeding [`Event::CameraFailed`] and, when it reads codes,
    /// [`Event::CodeRead`]; only while the scan screen or the interpreter's waiting screen shows.
    OpenCamera(CameraUse),
    CloseCamera,
    /// Ask the API for an interpreter; answered by [`Event::InterpreterCallUpdated`], like
    /// every interpreter effect but the video's.
    RequestInterpreter {
        idempotency_key: String,
    },
    PollInterpreterCall {
        id: String,
    },
    /// Tell the API the video window is open.
    ReportVideoStarted {
        id: String,
    },
    /// Answered by [`Event::CallHungUp`], like the hang-up.
    EndInterpreterCall {
        id: String,
    },
    /// The resident left: cancel the call if it is still queued, or end it.
    HangUp {
        id: String,
    },
    /// Open the call's video room in the video window, in the resident's language; its end
    /// comes back as [`Event::VideoCallClosed`] or [`Event::VideoCallFailed`].
    OpenVideoCall {
        join_url: String,
        language: Language,
    },
    CloseVideoCall,
    /// Answered by [`Event::StaffCallAnswered`], like the poll.
    SendStaffCall {
        reason: StaffCallReason,
        idempotency_key: String,
    },
    PollStaffCall {
        id: String,
        idempotency_key: String,
    },
    /// Send the face picture the adapter holds, with this; answered by
    /// [`Event::FaceAuthSubmitted`]. A retry after a network failure sends the same picture.
    SubmitFaceAuth {
        id_number: String,
        attempt: u32,
        liveness: Liveness,
        idempotency_key: String,
    },
    /// Forget the face picture: it was submitted, refused, or the resident left.
    DiscardFacePhoto,
    /// Answered by [`Event::RateableVisitFound`].
    FindRateableVisit(TicketRef),
    /// Answered by [`Event::WindowVisitAnswered`].
    PollWindowVisit {
        window: i64,
    },
    /// Answered by [`Event::EvaluationSent`].
    SendEvaluation {
        request: NewEvaluation,
        idempotency_key: String,
    },
    /// Answered by [`Event::ApplicationsFound`].
    LookUpApplications {
        request: ApplicationLookup,
        idempotency_key: String,
    },
    /// Print the ticket, without holding up the screen; answered by [`Event::TicketPrinted`].
    PrintTicket(PrintJob),
    /// Say this now, interrupting whatever is being said.
    Speak(Utterance),
    /// Say this once what is being said has ended; anything said or stopped before then
    /// replaces it.
    SpeakAfter(Utterance),
    StopSpeech,
    PauseSpeech,
    ResumeSpeech,
    /// Check the staff PIN against the configured hash; answered by [`Event::AdminPinChecked`].
    CheckAdminPin(AdminPin),
    /// Answered by [`Event::DevicesReported`].
    ReportDevices,
    /// Ask the API something small and time it; answered by [`Event::ApiChecked`].
    CheckApi,
    /// End the kiosk program (from the admin menu).
    Quit(Quit),
}

impl Effect {
    /// A request whose loss would lose what a resident did or leave someone waiting for
    /// nobody (a staff member walking to an empty kiosk, an interpreter in an empty room, a
    /// rating the center must follow up).
    /// The adapter's outbox writes it to disk before its first try and sends it, with its
    /// idempotency key, until the API answers, across restarts; every try's answer comes back
    /// as the effect's event. The others belong to the screen that asked and die with it.
    pub fn is_durable(&self) -> bool {
        matches!(
            self,
            Effect::SendStaffCall { .. }
                | Effect::EndInterpreterCall { .. }
                | Effect::HangUp { .. }
                | Effect::SendEvaluation { .. }
        )
    }
}

/// A queue ticket, as the resident names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TicketRef {
    /// Today's number, typed: `A012`.
    Number(String),
    /// The id in the printed ticket's QR code.
    Id(String),
}

/// What the camera is on for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CameraUse {
    /// The scan screen: a preview and the QR decoder.
    ReadCodes,
    /// The interpreter's waiting screen: a preview, so the resident can see they are in frame.
    SelfView,
    /// Pension face authentication: a preview with the face guidance, which takes the
    /// picture, feeding [`Event::Face`]; the attempt as the resident chose it.
    Face(FaceAttempt),
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
    /// The entry field itself: reads back what is typed.
    pub const READ_BACK: &str = "read-back";
    /// Shows or hides a masked entry's characters, for a sighted resident checking them.
    pub const SHOW_TYPED: &str = "show-typed";
    pub const LOUDER: &str = "louder";
    pub const QUIETER: &str = "quieter";
    pub const VOLUME: &str = "volume";
    pub const STANDING: &str = "standing";
    pub const SEATED: &str = "seated";
    pub const TURN: &str = "turn";
    pub const NOD: &str = "nod";
    /// After a failed liveness try: the other movement (a nod instead of a turn, or back).
    pub const OTHER_MOVEMENT: &str = "other-movement";
}

impl Event {
    /// Whether the resident touched the screen or pressed a key (pausing speech aside).
    fn is_touch_or_key(&self) -> bool {
        match self {
            Event::Nav(key) => *key != NavKey::Pause,
            _ => matches!(
                self,
                Event::Activate(_) | Event::Bar(_) | Event::Key(_) | Event::Touched | Event::MoreTime | Event::HelpHeld
            ),
        }
    }

    /// Whether the event is the resident's doing (which keeps the session alive), rather than
    /// an answer, a device or the clock.
    fn is_by_resident(&self) -> bool {
        !matches!(
            self,
            Event::Tick(_)
                | Event::CatalogLoaded(_)
                | Event::TicketIssued(_)
                | Event::ReceiptRedeemed(_)
                | Event::CameraFailed(_)
                | Event::Headphones { .. }
                | Event::InterpreterCallUpdated(_)
                | Event::CallHungUp(_)
                | Event::VideoCallClosed
                | Event::VideoCallFailed
                | Event::StaffCallAnswered { .. }
                | Event::FaceAuthSubmitted(_)
                | Event::RateableVisitFound(_)
                | Event::WindowVisitAnswered(_)
                | Event::EvaluationSent(_)
                | Event::ApplicationsFound(_)
                | Event::TicketPrinted { .. }
                | Event::AdminPinChecked { .. }
                | Event::DevicesReported(_)
                | Event::ApiChecked(_)
                // Nobody in front of the camera is nobody using the kiosk.
                | Event::Face(FaceNews::Hint(FaceHint::NoFace))
        )
    }
}

pub struct Kiosk {
    catalog: Option<Catalog>,
    /// The profile each resident starts with: the center's language and volume.
    default_profile: Profile,
    idle: IdlePolicy,
    /// Makes idempotency keys unique across kiosk restarts; set by the adapter.
    key_prefix: String,
    requests: u64,
    session: Session,
    /// Headphones are plugged in and the speaker is off: personal data may be spoken.
    headphones: bool,
    /// The kiosk's only audio output is private (a handset), so speech is always private.
    private_output: bool,
    /// Something was activated during the event being handled (for the earcon).
    acted: bool,
    /// The service API's public key, to check scanned receipts offline.
    receipt_key: Option<VerifyingKey>,
    /// Where the camera is, for the face screen's words.
    camera_place: CameraPlace,
    /// Set when the kiosk is a window's evaluator.
    evaluator: Option<rating::Evaluator>,
    /// An ID card reader is connected (the configuration names one).
    card_reader: bool,
    /// A ticket printer is connected.
    printer: bool,
    /// Set when a staff PIN is configured: the admin menu's guard.
    admin: Option<admin::Guard>,
}

/// What features tidy up after an event that made the resident leave them.
struct Leaving {
    call: Option<calls::InterpreterProgress>,
    photo: bool,
}

impl Kiosk {
    /// A kiosk on its home screen, which needs no catalog; call [`Kiosk::start`] and carry
    /// out its effects.
    pub fn new(default_language: Language, idle: IdlePolicy, key_prefix: impl Into<String>) -> Kiosk {
        Kiosk {
            catalog: None,
            default_profile: Profile::new(default_language),
            idle,
            key_prefix: key_prefix.into(),
            requests: 0,
            session: Session::new(Profile::new(default_language)),
            headphones: false,
            private_output: false,
            acted: false,
            receipt_key: None,
            camera_place: CameraPlace::default(),
            evaluator: None,
            card_reader: false,
            printer: false,
            admin: None,
        }
    }

    /// Where the kiosk's camera is (the configuration says), for the face screen's words.
    pub fn set_camera_place(&mut self, place: CameraPlace) {
        self.camera_place = place;
    }

    /// Declares the kiosk's audio output private (a handset or headphones only).
    pub fn set_private_output(&mut self, private: bool) {
        self.private_output = private;
    }

    /// The volume level every resident starts with (see [`speech::VoiceSettings`]): the
    /// center sets it for its hall at installation.
    pub fn set_default_volume(&mut self, level: i8) {
        let level = level.clamp(0, speech::VoiceSettings::LOUDEST);
        let pristine = self.session_is_pristine();
        self.default_profile.voice_settings.volume = level;
        if pristine {
            self.session.profile = self.default_profile;
        }
    }

    /// Loads the catalog in the background while the home screen shows.
    pub fn start(&mut self) -> Vec<Effect> {
        vec![Effect::LoadCatalog]
    }

    pub fn profile(&self) -> Profile {
        self.session.profile
    }

    pub fn handle(&mut self, event: Event) -> Vec<Effect> {
        let touched = event.is_touch_or_key();
        let mut effects = self.handle_event(event);
        // Any touch or key stops speech the resident did not ask for (EN 301 549 5.1.3.5):
        // what the event says replaces it; when it says nothing, speech stops.
        let speech = |e: &Effect| matches!(e, Effect::Speak(_) | Effect::StopSpeech | Effect::ResumeSpeech);
        if touched && !effects.iter().any(speech) {
            effects.push(Effect::StopSpeech);
        }
        effects
    }

    fn handle_event(&mut self, event: Event) -> Vec<Effect> {
        let resident = event.is_by_resident();
        let before = Snapshot::of(self);
        let leaving = Leaving { call: self.session.interpreter.clone(), photo: self.holds_face_photo() };
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
            if let Some(effects) = voice::touched(&event).and_then(|target| self.touch(target)) {
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
            Event::Headphones { plugged, private } => self.headphones_plugged(plugged, private),
            Event::Tick(secs) => self.tick(secs),
            Event::CatalogLoaded(result) => self.catalog_loaded(result),
            Event::TicketIssued(result) => self.ticket_issued(result),
            Event::CodeRead { payload, now } => self.code_read(&payload, now),
            Event::CameraFailed(problem) => self.camera_failed(problem),
            Event::ReceiptRedeemed(result) => self.receipt_redeemed(result),
            Event::InterpreterCallUpdated(result) => self.interpreter_answered(result),
            Event::CallHungUp(result) => self.hung_up(result),
            Event::VideoCallClosed => self.video_closed(false),
            Event::VideoCallFailed => self.video_closed(true),
            Event::StaffCallAnswered { idempotency_key, result } => self.staff_call_answered(&idempotency_key, result),
            Event::Face(news) => self.face_news(news),
            Event::FaceAuthSubmitted(result) => self.face_auth_submitted(result),
            Event::RateableVisitFound(result) => self.rateable_visit_found(result),
            Event::WindowVisitAnswered(result) => self.window_visit_answered(result),
            // The rating was written to disk before the thanks; the API's answer changes
            // nothing for the resident (a rating refused as a duplicate was given elsewhere).
            Event::EvaluationSent(_) => vec![],
            Event::ApplicationsFound(result) => self.applications_found(result),
            Event::Card(news) => self.card_news(news),
            Event::TicketPrinted { ticket_id, result } => self.ticket_printed(&ticket_id, result),
            Event::CornerHeld(corner) => self.corner_held(corner),
            Event::AdminPinChecked { right } => self.admin_pin_checked(right),
            Event::DevicesReported(devices) => self.devices_reported(devices),
            Event::ApiChecked(result) => self.api_checked(result),
        };
        if leaving.photo && !self.holds_face_photo() {
            effects.push(Effect::DiscardFacePhoto);
        }
        effects.extend(self.hang_up_if_left(leaving.call));
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

    fn perform(&mut self, target: Target) -> Vec<Effect> {
        self.acted = true;
        match target {
            // The final screens' 完成, or Home from one: the visit is over.
            Target::Item(id) if id == action::FINISH => self.end_visit(),
            Target::Bar(BarAction::Home) if self.on_final_screen() => self.end_visit(),
            Target::Item(id) if id == action::READ_BACK => self.read_back(),
            Target::Item(id) if id == action::SHOW_TYPED => {
                self.session.show_typed = !self.session.show_typed;
                vec![]
            }
            Target::Item(id) => self.activate(&id),
            Target::Bar(action) => self.bar(action),
            Target::Key(key) => {
                self.key(key);
                vec![]
            }
        }
    }

    /// An item of the screen was activated: its feature says what that does.
    fn activate(&mut self, id: &str) -> Vec<Effect> {
        match self.session.screen.clone() {
            Screen::Home => self.activate_home(id),
            Screen::Guides(screen) => self.activate_guides(screen, id),
            Screen::Ticket(screen) => self.activate_ticket(screen, id),
            Screen::Receipts(screen) => self.activate_receipts(screen, id),
            Screen::Calls(screen) => self.activate_calls(screen, id),
            Screen::Pension(screen) => self.activate_pension(screen, id),
            Screen::Rating(screen) => self.activate_rating(screen, id),
            Screen::Progress(screen) => self.activate_progress(screen, id),
            Screen::Help => self.activate_help(id),
            Screen::Volume => self.activate_volume(id),
            Screen::Admin(screen) => self.activate_admin(screen, id),
            Screen::Unavailable if id == action::RETRY => self.retry(),
            Screen::Refused(_) if id == action::HOME => {
                self.go_home();
                vec![]
            }
            Screen::Busy | Screen::Unavailable | Screen::Refused(_) => vec![],
        }
    }

    fn bar(&mut self, action: BarAction) -> Vec<Effect> {
        match action {
            BarAction::Home => self.go_home(),
            BarAction::Back => self.back(),
            BarAction::Help => self.open_help(),
            BarAction::SignLanguage => return self.sign_language(),
            BarAction::CallStaff => self.choose_staff_reason(),
            BarAction::TextSize
            | BarAction::Contrast
            | BarAction::Language
            | BarAction::Voice
            | BarAction::Captions => settings::change(&mut self.session.profile, action),
        }
        vec![]
    }

    /// What the entry on screen accepts, if there is one.
    fn entry_kind(&self) -> Option<entry::Entry> {
        match &self.session.screen {
            Screen::Ticket(screen) => self.ticket_entry_kind(screen),
            Screen::Receipts(screen) => screen.entry_kind(),
            Screen::Pension(screen) => screen.entry_kind(),
            Screen::Rating(screen) => screen.entry_kind(),
            Screen::Progress(screen) => screen.entry_kind(),
            Screen::Admin(admin::Screen::Pin) => Some(entry::Entry::AdminPin),
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

    /// What the camera should be on for: reading codes, a self-view while waiting for an
    /// interpreter, the face guidance; off everywhere else.
    fn camera_use(&self) -> Option<CameraUse> {
        match &self.session.screen {
            Screen::Receipts(screen) => screen.camera_use(),
            Screen::Calls(screen) => self.calls_camera_use(screen),
            Screen::Pension(screen) => screen.camera_use(),
            // The camera check's picture.
            Screen::Admin(_) if self.checks_camera() => Some(CameraUse::SelfView),
            _ => None,
        }
    }

    fn camera_failed(&mut self, problem: CameraProblem) -> Vec<Effect> {
        match &self.session.screen {
            Screen::Receipts(_) => self.receipt_camera_failed(problem),
            Screen::Calls(_) => self.calls_camera_failed(),
            Screen::Pension(_) => self.pension_camera_failed(),
            Screen::Admin(_) => self.admin_camera_failed(),
            _ => {}
        }
        vec![]
    }

    fn headphones_plugged(&mut self, plugged: bool, private: bool) -> Vec<Effect> {
        self.headphones = plugged && private;
        self.session.profile.voice |= plugged;
        vec![]
    }

    fn tick(&mut self, secs: u32) -> Vec<Effect> {
        let mut effects = self.calls_tick(secs);
        effects.extend(self.evaluator_tick(secs));
        self.admin_tick(secs);
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
            self.pension_tick();
        }
        if self.session.idle_secs >= self.idle.timeout_secs + self.idle.warning_secs || self.evaluator_thanked() {
            effects.extend(self.end_visit());
        }
        effects
    }

    /// Nothing of a resident is left: home, default profile, nothing entered.
    fn session_is_pristine(&self) -> bool {
        let s = &self.session;
        s.screen == Screen::Home && s.history.is_empty() && s.answers.is_empty() && s.profile == self.default_profile
    }

    /// A final screen (a ticket, a redeemed receipt, a submitted face check): one that
    /// offers 完成.
    fn on_final_screen(&self) -> bool {
        self.view().items.iter().any(|item| item.id == action::FINISH)
    }

    /// Ends the visit (完成, or the idle wipe): wipes the session, profile and all, so the
    /// next resident starts with a fresh kiosk; refreshes the catalog, so a service the
    /// center added shows up without a restart.
    fn end_visit(&mut self) -> Vec<Effect> {
        self.session = Session::new(self.default_profile);
        vec![Effect::LoadCatalog]
    }

    /// Whether personal data may be spoken.
    fn private(&self) -> bool {
        self.headphones || self.private_output
    }

    pub fn view(&self) -> View {
        let t = Texts(self.session.profile.language);
        let mut view = View {
            page: Page::Message,
            title: Default::default(),
            prompt: Default::default(),
            items: Vec::new(),
            lines: Vec::new(),
            entry: None,
            ticket: None,
            error: self.session.error.map(|id| t.prompt(id)).unwrap_or_default(),
            can_go_back: !self.session.history.is_empty() && self.session.pending.is_none(),
            in_video_call: self.video_open(),
            voice_focus: String::new(),
            idle_warning: self
                .session
                .idle_secs
                .checked_sub(self.idle.timeout_secs)
                .map(|over| self.idle.warning_secs - over),
            profile: self.session.profile,
        };
        match &self.session.screen {
            Screen::Home => match self.evaluator_window() {
                Some(window) => self.evaluator_home_view(window, t, &mut view),
                None => home::view(t, &mut view),
            },
            Screen::Guides(screen) => self.guides_view(screen, t, &mut view),
            Screen::Ticket(screen) => self.ticket_view(screen, t, &mut view),
            Screen::Receipts(screen) => self.receipts_view(screen, t, &mut view),
            Screen::Calls(screen) => self.calls_view(screen, t, &mut view),
            Screen::Pension(screen) => self.pension_view(screen, t, &mut view),
            Screen::Rating(screen) => self.rating_view(screen, t, &mut view),
            Screen::Progress(screen) => self.progress_view(screen, t, &mut view),
            Screen::Help => help::view(t, &mut view),
            Screen::Volume => settings::volume_view(t, &mut view),
            Screen::Admin(screen) => self.admin_view(screen, t, &mut view),
            Screen::Busy => {
                view.page = Page::Busy;
                view.title = t.prompt("busy.title");
                view.prompt = t.prompt("busy.prompt");
            }
            Screen::Unavailable => {
                view.title = t.prompt("unavailable.title");
                view.prompt = t.prompt("unavailable.prompt");
                view.items = vec![t.button(action::RETRY, "unavailable.retry")];
            }
            Screen::Refused(message) => {
                view.title = t.prompt("refused.title");
                view.prompt = t.said(message);
                view.items = vec![t.button(action::HOME, "later.home")];
            }
        }
        if let Some(entry) = view.entry.as_mut().filter(|entry| entry.masked && !entry.secret) {
            let show = self.session.show_typed;
            if show {
                entry.shown = self.session.typed.clone();
            }
            let label = if show { "entry.hide" } else { "entry.show" };
            view.items.push(t.button(action::SHOW_TYPED, label));
        }
        if let (true, Some(focus)) = (view.profile.voice, &self.session.focus) {
            view.voice_focus = focus.clone();
        }
        view
    }
}
