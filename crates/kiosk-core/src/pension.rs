//! Pension face authentication (养老金资格认证): what it is and the resident's consent, the
//! ID number, how the resident will do it (standing or seated; a head turn, or a nod for a
//! resident who cannot turn the head), the camera screen with its spoken face guidance, the
//! submission, and what comes of it. Guidance is in words that need no sight (where the camera
//! is, which way to move), time is generous, and staff are offered at every failure. The face guidance itself runs in the adapter (the `face-guide` crate on camera
//! frames) and arrives as [`FaceNews`], in the core's own words for it; the picture stays in
//! the adapter, so the core only knows that one was taken and says when it must go
//! ([`Effect::DiscardFacePhoto`]).

use contract::model::{ApiError, Bilingual, FaceAuth, Liveness, Movement, StaffCallReason};

use super::entry::Entry;
use super::layout::CameraPlace;
use super::narration::News;
use super::speech::Phrase;
use super::view::{Line, Page, Text, Texts, View};
use super::{action, entry, ApiFailure, CameraUse, Effect, Kiosk};

/// Tries before the kiosk stops offering another and sends the resident to staff; the service
/// API refuses a fourth.
pub const MAX_ATTEMPTS: u32 = contract::limits::MAX_ATTEMPTS;

/// Seconds on the camera screen before face hints are said, so they do not cut off the
/// screen's own words ("look at the camera", where it is, that the photo takes itself).
pub const QUIET_START_SECS: u32 = 8;

/// Seconds an attempt may take on the camera screen, however actively the resident is being
/// guided, before staff are offered instead: the idle timer does not run while they are.
pub const FACE_TIME_LIMIT_SECS: u32 = 240;

/// Where the camera is, in words for a resident who cannot see it.
fn camera_prompt(place: CameraPlace) -> &'static str {
    match place {
        CameraPlace::AboveCentre => "face.camera.above-centre",
        CameraPlace::AboveLeft => "face.camera.above-left",
        CameraPlace::AboveRight => "face.camera.above-right",
        CameraPlace::BelowCentre => "face.camera.below-centre",
    }
}

/// How an attempt goes, as the resident chose it: the camera's work follows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaceAttempt {
    pub movement: Movement,
    /// In a wheelchair or on a chair: never told to stand up or raise the head beyond reach.
    pub seated: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Screen {
    /// What it is, and consent.
    Intro,
    /// Typing the ID number.
    Id,
    /// Standing or seated.
    Posture,
    /// A head turn, or a nod.
    Movement,
    /// The camera, guiding the resident's face until the picture is taken.
    Face(FaceAttempt),
    /// An attempt that ended without a submission: try again, or staff.
    Problem(PensionProblem),
    /// The picture was submitted for review.
    Submitted(Box<FaceAuth>),
}

impl Screen {
    pub fn camera_use(&self) -> Option<CameraUse> {
        match self {
            Screen::Face(attempt) => Some(CameraUse::Face(*attempt)),
            _ => None,
        }
    }

    pub fn entry_kind(&self) -> Option<Entry> {
        (*self == Screen::Id).then_some(Entry::IdNumber)
    }
}

/// What the face guidance on the camera's frames tells the core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaceNews {
    /// How to get into a good picture; a hint that still holds comes again every few seconds.
    Hint(FaceHint),
    /// The liveness check asks for a slow move.
    Move(Motion),
    /// A move is taking a while: no hurry (and the move, again).
    TakeYourTime(Motion),
    /// The liveness check passed: face the camera for the picture.
    FaceFront,
    /// The picture was taken (the adapter holds it) after this check.
    Captured(TurnEvidence),
    Failed(TurnFailure),
}

/// How the resident gets their face into a good picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaceHint {
    NoFace,
    /// Come closer.
    TooFar,
    /// Step back.
    TooClose,
    MoveLeft,
    MoveRight,
    MoveUp,
    MoveDown,
    TooDark,
    /// A window or a lamp behind the resident.
    Backlit,
    /// The face is moving, or is in place while the picture is taken.
    HoldStill,
}

/// One of the two moves of a [`Movement`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Motion {
    TurnLeft,
    TurnRight,
    ChinDown,
    ChinUp,
}

impl Motion {
    fn prompt(self) -> &'static str {
        match self {
            Motion::TurnLeft => "face.turn-left",
            Motion::TurnRight => "face.turn-right",
            Motion::ChinDown => "face.chin-down",
            Motion::ChinUp => "face.chin-up",
        }
    }

    /// No hurry, then the move again.
    fn take_your_time_prompt(self) -> &'static str {
        match self {
            Motion::TurnLeft => "face.slowly.turn-left",
            Motion::TurnRight => "face.slowly.turn-right",
            Motion::ChinDown => "face.slowly.chin-down",
            Motion::ChinUp => "face.slowly.chin-up",
        }
    }
}

/// What the liveness check saw, sent with the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TurnEvidence {
    pub movement: Movement,
    /// From the first move's prompt to the check passing.
    pub duration_ms: u64,
}

/// Why the liveness check failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TurnFailure {
    /// Turned right when asked to turn left, or the chin went up when asked down.
    WrongDirection,
    /// A jump between frames: faster than a person moves.
    TooFast,
    /// The asked-for move did not come in time.
    NoMovement,
    FaceLost,
}

/// Why an attempt ended without a submission.
#[derive(Clone, Debug, PartialEq)]
pub enum PensionProblem {
    /// The head-turn check failed.
    Liveness(TurnFailure),
    /// The API refused the photo or the check (its message says why): a new photo may do.
    PhotoRefused(Bilingual),
    /// No camera, or no face guidance: staff must help.
    NoCamera,
    /// The attempt went on past [`FACE_TIME_LIMIT_SECS`].
    TookTooLong,
}

impl PensionProblem {
    /// Whether the attempt counts against the tries: a slow resident has not failed a check.
    fn counts(&self) -> bool {
        !matches!(self, PensionProblem::Liveness(TurnFailure::NoMovement) | PensionProblem::TookTooLong)
    }
}

/// One resident's authentication, from their consent on.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct PensionVisit {
    /// The ID number, once its check digit is right.
    id_number: Option<String>,
    /// How the resident does it, as they chose.
    attempt: FaceAttempt,
    /// Attempts that ended without a submission the API took.
    failed_attempts: u32,
    /// What the camera screen tells the resident now (a prompt id), and how many times the
    /// guidance spoke: a hint repeated is news again.
    instruction: Option<&'static str>,
    spoken: u32,
    /// The head-turn check of the picture the adapter holds, until the API has it.
    evidence: Option<TurnEvidence>,
}

impl Kiosk {
    pub(super) fn activate_pension(&mut self, screen: Screen, id: &str) -> Vec<Effect> {
        match &screen {
            Screen::Intro if id == action::AGREE => {
                // Back here and agreeing again keeps the tries counted.
                self.session.pension.get_or_insert_with(PensionVisit::default);
                self.session.typed.clear();
                self.go(Screen::Id);
            }
            Screen::Problem(_) if id == action::HOME => self.go_home(),
            Screen::Id if id == action::ENTRY_DONE => {
                if let Err(problem) = entry::validate(Entry::IdNumber, &self.session.typed) {
                    self.session.error = Some(problem);
                    return vec![];
                }
                let number = std::mem::take(&mut self.session.typed);
                if let Some(visit) = self.session.pension.as_mut() {
                    visit.id_number = Some(number);
                }
                self.go(Screen::Posture);
            }
            Screen::Posture if id == action::STANDING || id == action::SEATED => {
                self.choose(|attempt| attempt.seated = id == action::SEATED);
                self.go(Screen::Movement);
            }
            Screen::Movement if id == action::TURN || id == action::NOD => {
                let movement = if id == action::NOD { Movement::Nod } else { Movement::Turn };
                let attempt = self.choose(|attempt| attempt.movement = movement);
                self.start_face();
                self.go(Screen::Face(attempt));
            }
            Screen::Face(_) if id == action::CANCEL => self.go_home(),
            Screen::Problem(_) if id == action::CALL_STAFF => return self.call_staff(StaffCallReason::NeedHelp),
            Screen::Problem(problem) if id == action::RETRY && self.may_retry(problem) => {
                let attempt = self.choose(|_| {});
                self.start_face();
                self.session.screen = Screen::Face(attempt).into();
            }
            Screen::Problem(problem) if id == action::OTHER_MOVEMENT && self.may_retry(problem) => {
                let attempt = self.choose(|attempt| attempt.movement = other(attempt.movement));
                self.start_face();
                self.session.screen = Screen::Face(attempt).into();
            }
            _ => {}
        }
        vec![]
    }

    /// Changes how the attempt goes, and gives the new way.
    fn choose(&mut self, change: impl FnOnce(&mut FaceAttempt)) -> FaceAttempt {
        let visit = self.session.pension.get_or_insert_with(PensionVisit::default);
        change(&mut visit.attempt);
        visit.attempt
    }

    fn start_face(&mut self) {
        self.session.camera_secs = 0;
        if let Some(visit) = self.session.pension.as_mut() {
            visit.instruction = None;
        }
    }

    /// Past the time limit on the camera screen: the attempt ends, and staff are offered.
    pub(super) fn pension_tick(&mut self) {
        if matches!(self.session.screen, super::Screen::Pension(Screen::Face(_)))
            && self.session.camera_secs >= FACE_TIME_LIMIT_SECS
        {
            self.session.screen = Screen::Problem(PensionProblem::TookTooLong).into();
        }
    }

    fn failed_attempts(&self) -> u32 {
        self.session.pension.as_ref().map_or(0, |v| v.failed_attempts)
    }

    fn may_retry(&self, problem: &PensionProblem) -> bool {
        *problem != PensionProblem::NoCamera && self.failed_attempts() < MAX_ATTEMPTS
    }

    pub(super) fn face_news(&mut self, news: FaceNews) -> Vec<Effect> {
        if !matches!(self.session.screen, super::Screen::Pension(Screen::Face(_))) {
            return vec![]; // a frame's news that came after the resident left the camera screen
        }
        let quiet = self.session.camera_secs < QUIET_START_SECS;
        let Some(visit) = self.session.pension.as_mut() else { return vec![] };
        let instruction = match news {
            FaceNews::Hint(_) if quiet => return vec![],
            FaceNews::Hint(hint) => hint_prompt(hint, visit.attempt.seated),
            FaceNews::Move(motion) => motion.prompt(),
            FaceNews::TakeYourTime(motion) => motion.take_your_time_prompt(),
            FaceNews::FaceFront => "face.face-front",
            FaceNews::Captured(evidence) => {
                visit.evidence = Some(evidence);
                return self.submit_face_auth();
            }
            FaceNews::Failed(reason) => {
                let problem = PensionProblem::Liveness(reason);
                visit.failed_attempts += u32::from(problem.counts());
                self.session.screen = Screen::Problem(problem).into();
                return vec![];
            }
        };
        visit.instruction = Some(instruction);
        visit.spoken += 1;
        vec![]
    }

    fn submit_face_auth(&mut self) -> Vec<Effect> {
        let Some(visit) = &self.session.pension else { return vec![] };
        let (Some(id_number), Some(evidence)) = (visit.id_number.clone(), visit.evidence) else { return vec![] };
        let attempt = visit.failed_attempts + 1;
        let turned = evidence.movement == Movement::Turn;
        let liveness = Liveness {
            passed: true,
            movement: evidence.movement,
            turned_left: turned,
            turned_right: turned,
            duration_ms: evidence.duration_ms,
        };
        let idempotency_key = self.next_idempotency_key();
        self.request(Effect::SubmitFaceAuth { id_number, attempt, liveness, idempotency_key })
    }

    pub(super) fn face_auth_submitted(&mut self, result: Result<FaceAuth, ApiFailure>) -> Vec<Effect> {
        if !self.awaits(|e| matches!(e, Effect::SubmitFaceAuth { .. })) {
            return vec![]; // the resident left while the photo was on its way (and it was dropped)
        }
        match result {
            Ok(auth) => {
                self.session.pension = None;
                self.answered(Screen::Submitted(Box::new(auth)));
            }
            // The photo is kept for the retry.
            Err(ApiFailure::Unreachable(reason)) => self.failed(ApiFailure::Unreachable(reason)),
            Err(ApiFailure::Refused(error)) => self.photo_refused(error),
        }
        vec![]
    }

    fn photo_refused(&mut self, failure: ApiError) {
        self.session.pending = None;
        let Some(visit) = self.session.pension.as_mut() else { return };
        visit.evidence = None;
        let ApiError { code, message } = failure;
        match code.as_str() {
            "liveness_failed" | "invalid_photo" => visit.failed_attempts += 1,
            "too_many_attempts" => visit.failed_attempts = MAX_ATTEMPTS,
            _ => {
                self.session.screen = super::Screen::Refused(message);
                return;
            }
        }
        self.session.screen = Screen::Problem(PensionProblem::PhotoRefused(message)).into();
    }

    pub(super) fn pension_camera_failed(&mut self) {
        if matches!(self.session.screen, super::Screen::Pension(Screen::Face(_))) {
            self.session.screen = Screen::Problem(PensionProblem::NoCamera).into();
        }
    }

    /// Whether the adapter holds a picture of the resident's face: when this turns false,
    /// the picture must go.
    pub(super) fn holds_face_photo(&self) -> bool {
        self.session.pension.as_ref().is_some_and(|v| v.evidence.is_some())
    }

    /// The guidance's latest instruction on the camera screen, and how often it has spoken.
    pub(super) fn pension_news(&self, screen: &Screen) -> Option<News> {
        let visit = self.session.pension.as_ref().filter(|_| matches!(screen, Screen::Face(_)))?;
        Some(News::Hint(visit.instruction?, visit.spoken))
    }

    pub(super) fn pension_view(&self, screen: &Screen, t: Texts, view: &mut View) {
        let with =
            |id: &str, numbers: &[u32]| t.prompt_with(id, numbers.iter().map(|&n| Phrase::number(n.into())).collect());
        let failed = self.failed_attempts();
        match screen {
            Screen::Intro => {
                view.title = t.prompt("pension.title");
                view.prompt = t.prompt("pension.intro");
                let id = if self.card_reader { "pension.step.id-or-card" } else { "pension.step.id" };
                let steps = [id, "pension.step.camera", "pension.step.turn", "pension.step.photo"];
                view.lines = steps.iter().chain(&["pension.privacy"]).map(|id| Line::body(t.prompt(id))).collect();
                // Agreeing is the one button: not agreeing is leaving (home or back, in the bar).
                view.items = vec![t.button(action::AGREE, "pension.agree")];
            }
            Screen::Id => {
                view.page = Page::Entry;
                view.title = t.prompt("pension.id.title");
                view.prompt = t.prompt(self.entry_prompt(Entry::IdNumber));
                view.entry = Some(entry::view(Entry::IdNumber, &self.session.typed, true, false));
                view.items = vec![t.button(action::ENTRY_DONE, "entry.done")];
            }
            Screen::Posture => {
                view.page = Page::List;
                view.title = t.prompt("pension.posture.title");
                view.prompt = t.prompt("pension.posture.prompt");
                view.items =
                    vec![t.button(action::STANDING, "pension.standing"), t.button(action::SEATED, "pension.seated")];
            }
            Screen::Movement => {
                view.page = Page::List;
                view.title = t.prompt("pension.movement.title");
                view.prompt = t.prompt("pension.movement.prompt");
                view.items = vec![t.button(action::TURN, "pension.turn"), t.button(action::NOD, "pension.nod")];
            }
            Screen::Face(attempt) => {
                view.page = Page::Face;
                view.title = t.prompt("face.title");
                view.prompt = t.prompt_with("face.prompt", vec![Phrase::prompt(camera_prompt(self.camera_place))]);
                let start = if attempt.seated { "face.start.seated" } else { "face.start" };
                let instruction = self.session.pension.as_ref().and_then(|v| v.instruction);
                view.lines = vec![Line::instruction(t.prompt(instruction.unwrap_or(start)))];
                if failed > 0 {
                    view.lines.push(Line::body(with("face.attempt", &[failed + 1, MAX_ATTEMPTS])));
                }
                // One button, so the picture keeps its room on a short screen; staff are in the bar.
                view.items = vec![t.button(action::CANCEL, "face.cancel")];
            }
            Screen::Problem(problem) => {
                let movement = self.session.pension.as_ref().map(|v| v.attempt.movement).unwrap_or_default();
                let reason = match problem {
                    PensionProblem::Liveness(reason) => Phrase::prompt(failure_prompt(*reason, movement)),
                    PensionProblem::PhotoRefused(message) => Phrase::text(t.pick(message)),
                    PensionProblem::NoCamera => Phrase::prompt("pension.no-camera.prompt"),
                    PensionProblem::TookTooLong => Phrase::prompt("pension.failed.took-too-long"),
                };
                view.title = match problem {
                    PensionProblem::NoCamera => t.prompt("pension.no-camera.title"),
                    _ => t.prompt("pension.failed.title"),
                };
                // Staff are offered in words at every failure, not only by a button.
                view.prompt = match problem {
                    PensionProblem::NoCamera => t.phrase(reason),
                    _ => t.prompt_with("pension.failed.staff-offer", vec![reason]),
                };
                view.items = if self.may_retry(problem) {
                    view.lines = vec![Line::body(with("pension.tries-left", &[MAX_ATTEMPTS - failed]))];
                    let retry = match problem {
                        PensionProblem::Liveness(TurnFailure::NoMovement) | PensionProblem::TookTooLong => {
                            "pension.more-time"
                        }
                        _ => "pension.retry",
                    };
                    let mut items = vec![t.button(action::RETRY, retry)];
                    if matches!(problem, PensionProblem::Liveness(_)) {
                        let switch = match movement {
                            Movement::Turn => "pension.switch-to-nod",
                            Movement::Nod => "pension.switch-to-turn",
                        };
                        items.push(t.button(action::OTHER_MOVEMENT, switch));
                    }
                    items.push(t.button(action::CALL_STAFF, "pension.call-staff"));
                    items
                } else {
                    if failed >= MAX_ATTEMPTS {
                        view.lines = vec![Line::body(with("pension.no-tries-left", &[MAX_ATTEMPTS]))];
                    }
                    vec![t.button(action::CALL_STAFF, "pension.call-staff")]
                };
                view.items.push(t.button(action::HOME, "later.home"));
            }
            Screen::Submitted(auth) => {
                view.title = t.prompt("pension.submitted.title");
                view.prompt = t.said(&auth.result_notice);
                let masked = Text {
                    shown: auth.id_number_masked.clone(),
                    phrase: Phrase::code(&auth.id_number_masked).personal(),
                };
                view.lines = vec![Line::field(t.prompt("pension.id-number"), masked)];
                view.items = vec![t.button(action::FINISH, "ticket.finish")];
            }
        }
    }
}

/// The hint's words; seated residents are never told to stand or raise the head beyond reach.
fn hint_prompt(hint: FaceHint, seated: bool) -> &'static str {
    match hint {
        FaceHint::NoFace if seated => "face.hint.seated.no-face",
        FaceHint::MoveUp if seated => "face.hint.seated.move-up",
        FaceHint::NoFace => "face.hint.no-face",
        FaceHint::TooFar => "face.hint.too-far",
        FaceHint::TooClose => "face.hint.too-close",
        FaceHint::MoveLeft => "face.hint.move-left",
        FaceHint::MoveRight => "face.hint.move-right",
        FaceHint::MoveUp => "face.hint.move-up",
        FaceHint::MoveDown => "face.hint.move-down",
        FaceHint::TooDark => "face.hint.too-dark",
        FaceHint::Backlit => "face.hint.backlit",
        FaceHint::HoldStill => "face.hint.hold-still",
    }
}

fn failure_prompt(reason: TurnFailure, movement: Movement) -> &'static str {
    match (reason, movement) {
        (TurnFailure::WrongDirection, Movement::Turn) => "pension.failed.wrong-direction",
        (TurnFailure::WrongDirection, Movement::Nod) => "pension.failed.wrong-direction.nod",
        (TurnFailure::NoMovement, Movement::Turn) => "pension.failed.no-movement",
        (TurnFailure::NoMovement, Movement::Nod) => "pension.failed.no-movement.nod",
        (TurnFailure::TooFast, _) => "pension.failed.too-fast",
        (TurnFailure::FaceLost, _) => "pension.failed.face-lost",
    }
}

/// The movement offered instead, after a failed try.
fn other(movement: Movement) -> Movement {
    match movement {
        Movement::Turn => Movement::Nod,
        Movement::Nod => Movement::Turn,
    }
}
