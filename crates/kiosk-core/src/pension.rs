//! Pension face authentication (养老金资格认证): what it is and the resident's consent, the
//! ID number, the camera screen with its spoken face guidance, the submission, and what comes
//! of it. The face guidance itself runs in the adapter (the `face-guide` crate on camera
//! frames) and arrives as [`FaceNews`], in the core's own words for it; the picture stays in
//! the adapter, so the core only knows that one was taken and says when it must go
//! ([`Effect::DiscardFacePhoto`]).

use contract::model::{ApiError, Bilingual, EntryKind, FaceAuth, Liveness, StaffCallReason};

use super::narration::News;
use super::speech::Phrase;
use super::view::{Line, Page, Text, Texts, View};
use super::{action, entry, ApiFailure, CameraUse, Effect, Kiosk};

/// Tries before the kiosk stops offering another and sends the resident to staff; the service
/// API refuses a fourth.
pub const MAX_ATTEMPTS: u32 = contract::limits::MAX_ATTEMPTS;

/// Seconds on the camera screen before face hints are said, so they do not cut off the
/// screen's own words ("look at the camera", what the oval is for).
pub const QUIET_START_SECS: u32 = 5;

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Screen {
    /// What it is, and consent.
    Intro,
    /// Typing the ID number.
    Id,
    /// The camera, guiding the resident's face until the picture is taken.
    Face,
    /// An attempt that ended without a submission: try again, or staff.
    Problem(PensionProblem),
    /// The picture was submitted for review.
    Submitted(Box<FaceAuth>),
}

impl Screen {
    pub fn camera_use(&self) -> Option<CameraUse> {
        (*self == Screen::Face).then_some(CameraUse::Face)
    }

    pub fn entry_kind(&self) -> Option<EntryKind> {
        (*self == Screen::Id).then_some(EntryKind::IdNumber)
    }
}

/// What the face guidance on the camera's frames tells the core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaceNews {
    /// How to get into a good picture; a hint that still holds comes again every few seconds.
    Hint(FaceHint),
    TurnLeft,
    TurnRight,
    /// The head-turn check passed: face the camera for the picture.
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

/// What the head-turn check saw, sent with the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TurnEvidence {
    pub turned_left: bool,
    pub turned_right: bool,
    /// From the first turn's prompt to the check passing.
    pub duration_ms: u64,
}

/// Why the head-turn check failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TurnFailure {
    /// Turned right when asked to turn left (or the reverse).
    WrongDirection,
    /// A jump between frames: faster than a person turns.
    TooFast,
    /// The asked-for turn did not come in time.
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
}

/// One resident's authentication, from their consent on.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct PensionVisit {
    /// The ID number, once its check digit is right.
    id_number: Option<String>,
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
                if let Err(problem) = entry::validate(EntryKind::IdNumber, &self.session.typed) {
                    self.session.error = Some(problem);
                    return vec![];
                }
                let number = std::mem::take(&mut self.session.typed);
                if let Some(visit) = self.session.pension.as_mut() {
                    visit.id_number = Some(number);
                }
                self.start_face();
                self.go(Screen::Face);
            }
            Screen::Face if id == action::CANCEL => self.go_home(),
            Screen::Problem(_) if id == action::CALL_STAFF => return self.call_staff(StaffCallReason::NeedHelp),
            Screen::Problem(problem) if id == action::RETRY && self.may_retry(problem) => {
                self.start_face();
                self.session.screen = Screen::Face.into();
            }
            _ => {}
        }
        vec![]
    }

    fn start_face(&mut self) {
        self.session.camera_secs = 0;
        if let Some(visit) = self.session.pension.as_mut() {
            visit.instruction = None;
        }
    }

    fn failed_attempts(&self) -> u32 {
        self.session.pension.as_ref().map_or(0, |v| v.failed_attempts)
    }

    fn may_retry(&self, problem: &PensionProblem) -> bool {
        *problem != PensionProblem::NoCamera && self.failed_attempts() < MAX_ATTEMPTS
    }

    pub(super) fn face_news(&mut self, news: FaceNews) -> Vec<Effect> {
        if self.session.screen != Screen::Face.into() {
            return vec![]; // a frame's news that came after the resident left the camera screen
        }
        let quiet = self.session.camera_secs < QUIET_START_SECS;
        let Some(visit) = self.session.pension.as_mut() else { return vec![] };
        let instruction = match news {
            FaceNews::Hint(_) if quiet => return vec![],
            FaceNews::Hint(hint) => hint_prompt(hint),
            FaceNews::TurnLeft => "face.turn-left",
            FaceNews::TurnRight => "face.turn-right",
            FaceNews::FaceFront => "face.face-front",
            FaceNews::Captured(evidence) => {
                visit.evidence = Some(evidence);
                return self.submit_face_auth();
            }
            FaceNews::Failed(reason) => {
                visit.failed_attempts += 1;
                self.session.screen = Screen::Problem(PensionProblem::Liveness(reason)).into();
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
        let liveness = Liveness {
            passed: true,
            turned_left: evidence.turned_left,
            turned_right: evidence.turned_right,
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
        if self.session.screen == Screen::Face.into() {
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
        let visit = self.session.pension.as_ref().filter(|_| *screen == Screen::Face)?;
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
                let steps = ["pension.step.id", "pension.step.camera", "pension.step.turn", "pension.step.photo"];
                view.lines = steps.iter().chain(&["pension.privacy"]).map(|id| Line::body(t.prompt(id))).collect();
                // Agreeing is the one button: not agreeing is leaving (home or back, in the bar).
                view.items = vec![t.button(action::AGREE, "pension.agree")];
            }
            Screen::Id => {
                view.page = Page::Entry;
                view.title = t.prompt("pension.id.title");
                view.prompt = t.prompt(entry::prompt(EntryKind::IdNumber));
                view.entry = Some(entry::view(EntryKind::IdNumber, &self.session.typed, true, false));
                view.items = vec![t.button(action::ENTRY_DONE, "entry.done")];
            }
            Screen::Face => {
                view.page = Page::Face;
                view.title = t.prompt("face.title");
                view.prompt = t.prompt("face.prompt");
                let instruction = self.session.pension.as_ref().and_then(|v| v.instruction);
                view.lines = vec![Line::instruction(t.prompt(instruction.unwrap_or("face.start")))];
                if failed > 0 {
                    view.lines.push(Line::body(with("face.attempt", &[failed + 1, MAX_ATTEMPTS])));
                }
                // One button, so the picture keeps its room on a short screen; staff are in the bar.
                view.items = vec![t.button(action::CANCEL, "face.cancel")];
            }
            Screen::Problem(problem) => {
                let (title, prompt) = match problem {
                    PensionProblem::Liveness(reason) => {
                        (t.prompt("pension.failed.title"), t.prompt(failure_prompt(*reason)))
                    }
                    PensionProblem::PhotoRefused(message) => (t.prompt("pension.failed.title"), t.said(message)),
                    PensionProblem::NoCamera => {
                        (t.prompt("pension.no-camera.title"), t.prompt("pension.no-camera.prompt"))
                    }
                };
                view.title = title;
                view.prompt = prompt;
                view.items = if self.may_retry(problem) {
                    view.lines = vec![Line::body(with("pension.tries-left", &[MAX_ATTEMPTS - failed]))];
                    vec![t.button(action::RETRY, "pension.retry"), t.button(action::CALL_STAFF, "pension.call-staff")]
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

fn hint_prompt(hint: FaceHint) -> &'static str {
    match hint {
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

fn failure_prompt(reason: TurnFailure) -> &'static str {
    match reason {
        TurnFailure::WrongDirection => "pension.failed.wrong-direction",
        TurnFailure::TooFast => "pension.failed.too-fast",
        TurnFailure::NoMovement => "pension.failed.no-movement",
        TurnFailure::FaceLost => "pension.failed.face-lost",
    }
}
