//! The shared service API's data model: the JSON bodies that travel between the reference
//! server and its clients (kiosks, staff windows). `openapi.json` describes the same shapes;
//! the contract test keeps the two in step.

use serde::{Deserialize, Serialize};

/// Declares a fieldless enum with the one string form of each value, the same in JSON, in the
/// database and in messages: serde, `as_str`, `parse`, `Display`, `FromStr` and `ALL` (every
/// value, in declaration order) all come from the names given here.
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $($(#[$variant_meta:meta])* $variant:ident = $string:literal,)* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$variant_meta])* #[serde(rename = $string)] $variant,)*
        }

        impl $name {
            pub const ALL: [$name; [$($string),*].len()] = [$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $string,)*
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($string => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<$name, String> {
                $name::parse(s).ok_or_else(|| format!("{s:?} is not a {}", stringify!($name)))
            }
        }
    };
}

/// A text in both languages of the center. Chinese is the default language of the kiosk.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bilingual {
    pub zh: String,
    pub en: String,
}

impl Bilingual {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self { zh: zh.into(), en: en.into() }
    }
}

/// A category of services, as the service guides group them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub code: String,
    pub name: Bilingual,
}

/// One service of the center (社保参保登记, 户籍迁入, ...), with its guide and its guided flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// Stable code, e.g. `social-insurance-enrolment`.
    pub code: String,
    /// Letter that starts the service's ticket numbers (A012).
    pub ticket_prefix: String,
    pub name: Bilingual,
    pub department: Bilingual,
    /// Code of its [`Category`].
    pub category: String,
    pub materials: Vec<Material>,
    pub conditions: Vec<Bilingual>,
    /// Legal time limit, e.g. 即时办结 / "on the spot" or 5个工作日 / "5 working days".
    pub time_limit: Bilingual,
    pub fee: Bilingual,
    pub window_type: WindowType,
    /// Typical minutes at the window, used for wait estimates until real times exist.
    pub typical_minutes: i64,
    /// The steps the kiosk walks a resident through before issuing a ticket.
    pub flow: Vec<Step>,
}

/// 即办件 (done on the spot) or 承诺件 (accepted now, done within the time limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowType {
    Immediate,
    Promised,
}

/// A material to bring: 身份证 (original, 1 copy), ...
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    pub name: Bilingual,
    pub required: bool,
    pub copies: i64,
    pub form: MaterialForm,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialForm {
    Original,
    Copy,
    OriginalAndCopy,
}

/// One step of a service's guided flow, as data: the kiosk has one page per kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Step {
    /// Something to read before going on.
    Info { id: String, title: Bilingual, body: Bilingual },
    /// One option out of several; the chosen option's id is the answer.
    Choice {
        id: String,
        title: Bilingual,
        /// Short name of the answer on the confirm page; the title when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<Bilingual>,
        options: Vec<ChoiceOption>,
    },
    /// A yes/no question; the answer is `yes` or `no`.
    YesNo {
        id: String,
        title: Bilingual,
        /// Short name of the answer on the confirm page; the title when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<Bilingual>,
    },
    /// Digits typed on the on-screen keypad, validated by kind.
    Entry {
        id: String,
        title: Bilingual,
        /// Short name of the answer on the confirm page; the title when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<Bilingual>,
        entry: EntryKind,
        masked: bool,
        optional: bool,
    },
    /// A summary of every answer, to confirm before the ticket is issued.
    Confirm { id: String, title: Bilingual },
    /// Issue the queue ticket with the answers given.
    Ticket { id: String, title: Bilingual },
}

impl Step {
    pub fn id(&self) -> &str {
        match self {
            Step::Info { id, .. }
            | Step::Choice { id, .. }
            | Step::YesNo { id, .. }
            | Step::Entry { id, .. }
            | Step::Confirm { id, .. }
            | Step::Ticket { id, .. } => id,
        }
    }

    /// What the confirm page calls the step's answer: its short label, else its title.
    pub fn summary_label(&self) -> &Bilingual {
        match self {
            Step::Choice { label: Some(label), .. }
            | Step::YesNo { label: Some(label), .. }
            | Step::Entry { label: Some(label), .. } => label,
            _ => self.title(),
        }
    }

    pub fn title(&self) -> &Bilingual {
        match self {
            Step::Info { title, .. }
            | Step::Choice { title, .. }
            | Step::YesNo { title, .. }
            | Step::Entry { title, .. }
            | Step::Confirm { title, .. }
            | Step::Ticket { title, .. } => title,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceOption {
    pub id: String,
    pub label: Bilingual,
}

/// What an entry step accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// 18-character resident ID number (GB 11643), last character a digit or X.
    IdNumber,
    /// 11-digit mainland mobile number.
    Phone,
    /// 12-digit number printed under a pre-review receipt's QR code, last digit a Luhn check
    /// digit (see [`crate::receipt::is_receipt_number`]).
    ReceiptNumber,
}

/// The whole catalog a kiosk loads at start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub categories: Vec<Category>,
    pub services: Vec<Service>,
}

string_enum! {
    pub enum Priority {
        Normal = "normal",
        Elderly = "elderly",
        Disabled = "disabled",
        FastTrack = "fast_track",
    }
}

string_enum! {
    pub enum TicketStatus {
        Issued = "issued",
        Called = "called",
        Serving = "serving",
        Done = "done",
        NoShow = "no_show",
    }
}

/// Body of `POST /v1/tickets`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTicket {
    pub service_code: String,
    pub priority: Priority,
    /// Mobile number for the SMS sent when the ticket is called, if the resident gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
}

/// A queue ticket, as issued to a resident and as seen by staff.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: String,
    /// e.g. `A012`.
    pub number: String,
    pub service_code: String,
    pub service_name: Bilingual,
    pub priority: Priority,
    pub status: TicketStatus,
    /// Tickets of the same service still waiting before this one.
    pub people_ahead: i64,
    /// Minutes, from recent real service times and open windows.
    pub estimated_wait_minutes: i64,
    /// Window that serves (or will serve) it, e.g. `3号窗口` / "Window 3".
    pub window: Bilingual,
    /// That window's number, for announcing it; `None` while no window serves the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_number: Option<i64>,
    /// Unix milliseconds.
    pub issued_at: i64,
}

/// A service window, opened and closed by staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub number: i64,
    pub name: Bilingual,
    /// Service codes it serves.
    pub services: Vec<String>,
    pub open: bool,
    /// Ticket now called or being served there.
    pub current_ticket: Option<String>,
}

/// Body of `POST /v1/receipts`: the pre-review system asks for a receipt after reviewing an
/// application online.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReceipt {
    pub service_code: String,
    /// Masked as the receipt shows it, e.g. `张*明`.
    pub applicant: String,
    /// Indices into the service's materials of those still missing; empty: complete.
    #[serde(default)]
    pub missing_materials: Vec<u8>,
    /// Days the receipt stays valid (1 to 90).
    pub valid_days: u32,
}

/// A receipt as issued: the token its QR code carries and the number printed under it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedReceipt {
    /// 32 hex characters.
    pub id: String,
    /// 12 digits, for typing on the kiosk's keypad when the code will not scan.
    pub number: String,
    /// `R1.…`, see [`crate::receipt`].
    pub token: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Body of `POST /v1/receipts/redeem`: the scanned token, or the typed number. Exactly one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedeemReceipt {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
}

/// A receipt redeemed (once) into a fast-track ticket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RedeemedReceipt {
    pub receipt_number: String,
    pub applicant: String,
    /// Priority `fast_track`, for the receipt's service.
    pub ticket: Ticket,
    /// The materials still to bring to the window; empty when the application is complete.
    pub missing_materials: Vec<Bilingual>,
}

string_enum! {
    /// Where an interpreter call is: queued -> assigned -> in_call -> ended, or cancelled (by the
    /// kiosk while queued), or unavailable (no interpreter could take it; see
    /// [`UnavailableReason`]).
    pub enum InterpreterCallStatus {
        Queued = "queued",
        Assigned = "assigned",
        InCall = "in_call",
        Ended = "ended",
        Cancelled = "cancelled",
        Unavailable = "unavailable",
    }
}

string_enum! {
    /// Why no interpreter can take a call.
    pub enum UnavailableReason {
        /// No interpreter was on duty when the call was made, or the last one went off duty
        /// while it waited.
        NoInterpreterOnDuty = "no_interpreter_on_duty",
        /// Outside the interpreters' service hours (`serve --interpreter-hours`).
        OutsideHours = "outside_hours",
        /// Queued for longer than a resident should wait, and nobody accepted it.
        NoAnswer = "no_answer",
    }
}

string_enum! {
    /// Why a call ended without either end ending it: that end stopped reading the call (a
    /// kiosk polls it every 2 seconds; an interpreter's desk reads it too) for a few minutes.
    pub enum CallEndReason {
        /// The interpreter left: the call ended, the resident is told so.
        InterpreterGone = "interpreter_gone",
        /// The kiosk left (switched off, or its network is down): an accepted call ended, a
        /// queued one was cancelled.
        KioskGone = "kiosk_gone",
    }
}

/// A kiosk's request for a remote sign-language interpreter (远程手语视频), as the kiosk polls
/// it and as interpreters see it in their queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterpreterCall {
    pub id: String,
    /// Name of the token that made the call (the kiosk's id, or a staff member's name).
    pub kiosk_id: String,
    pub status: InterpreterCallStatus,
    /// 1 = the next call an interpreter takes; only while queued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    /// Only while queued; see `openapi.json` for how it is estimated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_wait_minutes: Option<i64>,
    /// Display name of the interpreter who accepted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreter: Option<String>,
    /// The video room, `<video base URL>/csc-<32 hex>`; only while assigned or in call. The
    /// kiosk adds its own settings (Jitsi's `#config...` hash) when it opens the room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_url: Option<String>,
    /// Only when unavailable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable_reason: Option<UnavailableReason>,
    /// Only when unavailable: why, and what the resident can do instead (call staff, written
    /// help), to show and speak as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable_message: Option<Bilingual>,
    /// Unix milliseconds, as are the other times.
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_at: Option<i64>,
    /// When the kiosk opened the video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<i64>,
    /// When it ended, was cancelled or became unavailable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<i64>,
    /// Only when an end was gone too long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_reason: Option<CallEndReason>,
}

/// An interpreter's own state, as `POST /v1/interpreters/me/on-duty` and `off-duty` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interpreter {
    /// The display name: the name of the interpreter's token.
    pub name: String,
    pub on_duty: bool,
    /// Id of the call the interpreter has accepted and not yet ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_call: Option<String>,
}

string_enum! {
    /// Why a kiosk calls a staff member over (一键呼叫).
    pub enum StaffCallReason {
        NeedHelp = "need_help",
        Wheelchair = "wheelchair",
        Hearing = "hearing",
        Vision = "vision",
    }
}

string_enum! {
    /// `sent`, then `acknowledged` once a staff member is on the way.
    pub enum StaffCallStatus {
        Sent = "sent",
        Acknowledged = "acknowledged",
    }
}

/// Body of `POST /v1/staff-calls`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewStaffCall {
    pub reason: StaffCallReason,
}

/// A call for a staff member to come to a kiosk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffCall {
    pub id: String,
    /// Name of the token that made the call: the kiosk's id.
    pub kiosk_id: String,
    pub reason: StaffCallReason,
    pub status: StaffCallStatus,
    /// Unix milliseconds, as is `acknowledged_at`.
    pub created_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<i64>,
    /// Name of the staff member on the way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
}

/// Error body of every failed request: a stable code and a message in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: String,
    pub message: Bilingual,
}

/// Body of `GET /v1/health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok` when the server can reach its database.
    pub status: String,
    /// Version of the server.
    pub version: String,
}

string_enum! {
    /// Where a pension face authentication (养老金资格认证) is: staff review every submission,
    /// as this server cannot compare the photo with the national archive.
    pub enum FaceAuthStatus {
        PendingReview = "pending_review",
        Approved = "approved",
        Rejected = "rejected",
    }
}

string_enum! {
    /// The movement of a liveness check: a head turn, or a nod for a resident who cannot turn
    /// the head.
    pub enum Movement {
        Turn = "turn",
        Nod = "nod",
    }
}

impl Default for Movement {
    /// Submissions from before nods were offered were all head turns.
    fn default() -> Movement {
        Movement::Turn
    }
}

/// What the kiosk saw of the resident being alive and present: the head turned both ways, or
/// nodded down and up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Liveness {
    /// The kiosk's own verdict; the server refuses a submission that did not pass.
    pub passed: bool,
    #[serde(default)]
    pub movement: Movement,
    /// For a head turn: each way seen (false for a nod).
    pub turned_left: bool,
    pub turned_right: bool,
    /// How long the check took.
    pub duration_ms: u64,
}

/// Body of `POST /v1/face-auth`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFaceAuth {
    /// The full 18-character ID number, for the archive check; answers only show it masked.
    pub id_number: String,
    /// The resident agreed to the photo being taken and kept for the review; must be true.
    pub consent: bool,
    /// 1 to 3: the kiosk's count of tries today.
    pub attempt: u32,
    pub liveness: Liveness,
    /// The photo: a JPEG of at most 2 MB, base64 (standard alphabet, padded).
    pub photo_jpeg: String,
}

/// A face authentication as the kiosk and staff see it: never the full ID number or the photo.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaceAuth {
    pub id: String,
    /// Name of the token that submitted it: the kiosk's id.
    pub kiosk_id: String,
    /// First 3 and last 4 characters, the rest `*`: `110***********002X`.
    pub id_number_masked: String,
    pub attempt: u32,
    pub liveness: Liveness,
    pub status: FaceAuthStatus,
    /// Unix milliseconds, as is `reviewed_at`.
    pub submitted_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<i64>,
    /// Name of the staff member who approved or rejected it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_reason: Option<String>,
    /// How the resident learns the result, to show and speak.
    pub result_notice: Bilingual,
}

/// Body of `POST /v1/face-auth/{id}/reject`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectFaceAuth {
    /// Why, for the resident: e.g. the photo is blurred. Not empty.
    pub reason: String,
}

string_enum! {
    /// The five levels of the national 好差评 scheme, best first.
    pub enum Satisfaction {
        VerySatisfied = "very_satisfied",
        Satisfied = "satisfied",
        BasicallySatisfied = "basically_satisfied",
        Dissatisfied = "dissatisfied",
        VeryDissatisfied = "very_dissatisfied",
    }
}

impl Satisfaction {
    /// 不满意 and 非常不满意: the center must follow these up.
    pub fn is_low(self) -> bool {
        matches!(self, Satisfaction::Dissatisfied | Satisfaction::VeryDissatisfied)
    }
}

string_enum! {
    /// What went wrong, asked after a low rating.
    pub enum LowRatingReason {
        Attitude = "attitude",
        LongWait = "long_wait",
        UnclearMaterials = "unclear_materials",
        NotDoneInOneVisit = "not_done_in_one_visit",
        Other = "other",
    }
}

string_enum! {
    /// Where a rating was given: a kiosk in the hall, or the evaluator facing the resident at
    /// a window.
    pub enum EvaluationChannel {
        Kiosk = "kiosk",
        Window = "window",
    }
}

/// A served visit that can be rated, as the kiosk shows it before the levels: which service,
/// which window. Nothing about the resident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateableVisit {
    pub ticket_id: String,
    /// e.g. `A012`.
    pub ticket_number: String,
    pub service_code: String,
    pub service_name: Bilingual,
    /// e.g. `3号窗口` / "Window 3".
    pub window: Bilingual,
    pub window_number: i64,
    /// Unix milliseconds.
    pub finished_at: i64,
    /// Already rated: one rating per served ticket (一事一评).
    pub rated: bool,
}

/// Body of `GET /v1/windows/{number}/rateable-visit`: the visit just finished at that window
/// and not rated yet, if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowRateableVisit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit: Option<RateableVisit>,
}

/// Body of `POST /v1/evaluations`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvaluation {
    pub ticket_id: String,
    pub level: Satisfaction,
    /// Only for a low level, and then at least one.
    #[serde(default)]
    pub reasons: Vec<LowRatingReason>,
    /// For the call-back about a low rating, if the resident gave one: 11 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_phone: Option<String>,
    pub channel: EvaluationChannel,
}

/// The center's follow-up of a low rating: what a staff member found and did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    /// Name of the staff member who recorded it.
    pub by: String,
    pub finding: String,
    pub action: String,
    /// Unix milliseconds.
    pub at: i64,
}

/// Body of `POST /v1/evaluations/{id}/follow-up`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFollowUp {
    pub finding: String,
    pub action: String,
}

/// A rating of one served ticket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    pub id: String,
    pub ticket_id: String,
    pub ticket_number: String,
    pub service_code: String,
    pub window_number: i64,
    pub level: Satisfaction,
    pub reasons: Vec<LowRatingReason>,
    pub channel: EvaluationChannel,
    /// Name of the token that sent it: the kiosk's or the window evaluator's id.
    pub kiosk_id: String,
    /// First 3 and last 4 digits (`138****5678`); staff read the full number from
    /// `callback_phone`, which kiosks never get.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_phone_masked: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_phone: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// A low rating's deadline for its follow-up: 15 working days (Monday to Friday) later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_due: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<FollowUp>,
}

/// Ratings counted by level.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelCounts {
    pub very_satisfied: i64,
    pub satisfied: i64,
    pub basically_satisfied: i64,
    pub dissatisfied: i64,
    pub very_dissatisfied: i64,
}

/// One line of `GET /v1/evaluations/summary`: the ratings of one service at one window on
/// one day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvaluationSummary {
    /// `YYYY-MM-DD`, the server's local day.
    pub day: String,
    pub window_number: i64,
    pub service_code: String,
    pub counts: LevelCounts,
    pub total: i64,
    /// Share of the three satisfied levels, 0 to 1.
    pub satisfaction_rate: f64,
    /// Share of the two low levels, 0 to 1.
    pub low_rate: f64,
    /// Low ratings past their due time with no follow-up.
    pub follow_ups_overdue: i64,
}

string_enum! {
    /// Where an application (办件) is: 已受理 -> 审查中 -> (待补正 -> 审查中) -> 已办结.
    pub enum ApplicationStatus {
        Accepted = "accepted",
        UnderReview = "under_review",
        NeedsMaterials = "needs_materials",
        Completed = "completed",
    }
}

string_enum! {
    /// How a completed application's result reaches the resident.
    pub enum Collection {
        Window = "window",
        Post = "post",
        Online = "online",
    }
}

/// One step of an application's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationStep {
    pub status: ApplicationStatus,
    /// Unix milliseconds.
    pub at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Bilingual>,
}

/// An application (办件) as the resident sees it at the kiosk: never the ID or phone number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    /// 12 digits (办件编号).
    pub number: String,
    pub service_code: String,
    pub service_name: Bilingual,
    /// Masked as receipts show it, e.g. `张*明`.
    pub applicant: String,
    pub status: ApplicationStatus,
    /// Oldest first; the last step is the current status.
    pub history: Vec<ApplicationStep>,
    /// While `needs_materials`: what to bring.
    #[serde(default)]
    pub missing_materials: Vec<Bilingual>,
    /// Once completed: how the result is collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<Collection>,
    /// The window to go to: to bring missing materials, or to collect the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_number: Option<i64>,
    /// What the resident does next, to show and speak as it is.
    pub next_step: Bilingual,
    /// The pre-review receipt it came from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_number: Option<String>,
    /// The phone number given on the application, masked (`138****5678`), where the SMS about
    /// it go: what the center already knows, so a kiosk need not ask for it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_phone_masked: Option<String>,
}

/// Body of `POST /v1/applications/lookup` (a POST so that ID and phone numbers stay out of
/// URLs and logs). Exactly one way: the receipt's scanned token, or its typed 12-digit
/// number, or the queue ticket's id (scanned from a printed ticket: a receipt's fast-track
/// ticket finds the receipt's applications), or the applicant's ID number with either the
/// phone number given on the application or the name read from the ID card on the kiosk's
/// reader (`card_name`: the full name, which must fit the masked applicant's name).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationLookup {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<String>,
}

/// Body of `POST /v1/applications` (staff register an application).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApplication {
    pub service_code: String,
    /// Full, checked (check digit); stored as face authentications store it.
    pub id_number: String,
    /// Masked, e.g. `张*明`.
    pub applicant: String,
    /// 11 digits: the second thing, besides the ID number, that finds it at a kiosk.
    pub phone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_number: Option<String>,
}

/// Body of `POST /v1/applications/{id}/advance`: the next status, by staff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvanceApplication {
    pub status: ApplicationStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Bilingual>,
    /// For `needs_materials`: at least one.
    #[serde(default)]
    pub missing_materials: Vec<Bilingual>,
    /// For `completed`: required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<Collection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_number: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_enum_reads_back_what_it_writes() {
        for status in TicketStatus::ALL {
            assert_eq!(TicketStatus::parse(status.as_str()), Some(status));
            assert_eq!(status.to_string().parse(), Ok(status));
        }
        assert_eq!(Priority::FastTrack.as_str(), "fast_track");
        assert_eq!(StaffCallReason::ALL.len(), 4);
        assert_eq!(FaceAuthStatus::parse("PendingReview"), None);
        assert!("busy".parse::<InterpreterCallStatus>().unwrap_err().contains("InterpreterCallStatus"));
    }
}

string_enum! {
    /// How one of a kiosk's devices is doing, as the kiosk sees it.
    pub enum DeviceStatus {
        /// Working, as far as the kiosk can tell.
        Ok = "ok",
        /// Configured, or needed, but not there or not answering.
        Missing = "missing",
        /// There, but in a state that stops it (a printer out of paper, a voice pack with a
        /// bad clip).
        Fault = "fault",
    }
}

/// One device in a kiosk's heartbeat: `camera`, `speech`, `audio`, `voice_pack`, `video`,
/// `card_reader`, `printer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceState {
    pub device: String,
    pub status: DeviceStatus,
    /// What is wrong, for staff (English, short); empty when `ok`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// Body of `POST /v1/kiosks/heartbeat`: a kiosk says how it is, every minute. The kiosk is the
/// caller (its token); nothing about residents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    /// The kiosk program's version (`CARGO_PKG_VERSION`, and the git commit where known).
    pub version: String,
    /// Seconds since this run of the kiosk started.
    pub uptime_secs: i64,
    /// How many times the kiosk has restarted after a crash or a hang, since it was installed.
    pub restarts: i64,
    /// Only the devices the kiosk has or needs.
    pub devices: Vec<DeviceState>,
    /// Requests the kiosk's outbox still holds for the API (staff calls, ratings, hang-ups).
    pub outbox_backlog: i64,
}

/// A kiosk of the center as its last heartbeat left it, for staff: `GET /v1/kiosks`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskHealth {
    /// The kiosk's token name (`service-api token add kiosk NAME`).
    pub kiosk: String,
    /// The last heartbeat, as sent.
    pub heartbeat: Heartbeat,
    /// Unix milliseconds, by the server's clock.
    pub last_seen: i64,
    /// No heartbeat for more than three minutes (three missed): it may be off, hung or cut
    /// off from the network.
    pub quiet: bool,
}
