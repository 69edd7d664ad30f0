//! Pension face authentication (养老金资格认证): what it is and the resident's consent, the
//! ID number, the camera screen with its spoken face guidance, the submission, and what comes
//! of it. The face guidance itself runs in the adapter (the `face-guide` crate on camera
//! frames) and arrives as [`FaceNews`]; the picture stays in the adapter, so the core only
//! knows that one was taken and says when it must go ([`Effect::DiscardFacePhoto`]).

use face_guide::{Hint, LivenessEvidence, LivenessFailure};
use service_api::model::{ApiError, Bilingual, EntryKind, FaceAuth, Liveness, StaffCallReason};

use super::speech::Phrase;
use super::view::{Item, Line, LineStyle, Page, Text, View};
use super::{action, pick, said, ApiFailure, Effect, Kiosk, Screen};

/// Tries before the kiosk stops offering another and sends the resident to staff; the service
/// API refuses a fourth.
pub const MAX_ATTEMPTS: u32 = service_api::MAX_ATTEMPTS;

/// Seconds on the camera screen before face hints are said, so they do not cut off the
/// screen's own words ("look at the camera", what the oval is for).
pub const QUIET_START_SECS: u32 = 5;

/// What the face guidance on the camera's frames tells the core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaceNews {
    /// How to get into a good picture; a hint that still holds comes again every few seconds.
    Hint(Hint),
    TurnLeft,
    TurnRight,
    /// The head-turn check passed: face the camera for the picture.
    FaceFront,
    /// The picture was taken (the adapter holds it) after this check.
    Captured(LivenessEvidence),
    Failed(LivenessFailure),
}

/// Why an attempt ended without a submission.
#[derive(Clone, Debug, PartialEq)]
pub enum PensionProblem {
    /// The head-turn check failed.
    Liveness(LivenessFailure),
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
    evidence: Option<LivenessEvidence>,
}

impl Kiosk {
    pub(super) fn activate_pension_screen(&mut self, screen: &Screen, id: &str) -> Vec<Effect> {
        match screen {
            Screen::PensionIntro if id == action::AGREE => {
                // Back here and agreeing again keeps the tries counted.
                self.session.pension.get_or_insert_with(PensionVisit::default);
                self.session.typed.clear();
                self.go(Screen::PensionId);
            }
            Screen::PensionProblem(_) | Screen::PensionResult(_) if id == action::HOME || id == action::FINISH =>
            {
                self.go_home()
            }
            Screen::PensionId if id == action::ENTRY_DONE => {
                if let Err(problem) = super::entry::validate(EntryKind::IdNumber, &self.session.typed) {
                    self.session.error = Some(problem);
                    return vec![];
                }
                let number = std::mem::take(&mut self.session.typed);
                if let Some(visit) = self.session.pension.as_mut() {
                    visit.id_number = Some(number);
                }
                self.start_face();
                self.go(Screen::PensionFace);
            }
            Screen::PensionFace if id == action::CANCEL => self.go_home(),
            Screen::PensionProblem(_) if id == action::CALL_STAFF => {
                return self.call_staff(StaffCallReason::NeedHelp)
            }
            Screen::PensionProblem(problem) if id == action::RETRY && self.may_retry(problem) => {
                self.start_face();
                self.session.screen = Screen::PensionFace;
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
        if self.session.screen != Screen::PensionFace {
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
                self.session.screen = Screen::PensionProblem(PensionProblem::Liveness(reason));
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
            duration_ms: evidence.duration.as_millis() as u64,
        };
        let idempotency_key = self.next_idempotency_key();
        self.request(Effect::SubmitFaceAuth { id_number, attempt, liveness, idempotency_key })
    }

    pub(super) fn face_auth_submitted(&mut self, result: Result<FaceAuth, ApiFailure>) {
        if !matches!(self.session.pending, Some(Effect::SubmitFaceAuth { .. })) {
            return; // the resident left while the photo was on its way (and it was dropped)
        }
        let failure = match result {
            Ok(auth) => {
                self.session.pending = None;
                self.session.history.clear();
                self.session.pension = None;
                self.session.screen = Screen::PensionResult(Box::new(auth));
                return;
            }
            // The photo is kept for the retry.
            Err(ApiFailure::Unreachable(reason)) => return self.failed(ApiFailure::Unreachable(reason)),
            Err(ApiFailure::Refused(error)) => error,
        };
        self.session.pending = None;
        let Some(visit) = self.session.pension.as_mut() else { return };
        visit.evidence = None;
        let ApiError { code, message } = failure;
        match code.as_str() {
            "liveness_failed" | "invalid_photo" => visit.failed_attempts += 1,
            "too_many_attempts" => visit.failed_attempts = MAX_ATTEMPTS,
            _ => {
                self.session.screen = Screen::Refused(message);
                return;
            }
        }
        self.session.screen = Screen::PensionProblem(PensionProblem::PhotoRefused(message));
    }

    pub(super) fn pension_camera_failed(&mut self) {
        self.session.screen = Screen::PensionProblem(PensionProblem::NoCamera);
    }

    /// Whether the adapter holds a picture of the resident's face: when this turns false,
    /// the picture must go.
    pub(super) fn holds_face_photo(&self) -> bool {
        self.session.pension.as_ref().is_some_and(|v| v.evidence.is_some())
    }

    /// The guidance's latest instruction and how often it has spoken, for [`super::news`].
    pub(super) fn face_instruction(&self) -> Option<(&'static str, u32)> {
        let visit = self.session.pension.as_ref().filter(|_| self.session.screen == Screen::PensionFace)?;
        Some((visit.instruction?, visit.spoken))
    }

    pub(super) fn pension_view(&self, view: &mut View) {
        let lang = self.session.profile.language;
        let t = |id: &str| Text::new(Phrase::prompt(id), lang);
        let with = |id: &str, numbers: &[u32]| {
            Text::new(Phrase::prompt_with(id, numbers.iter().map(|&n| Phrase::number(n.into())).collect()), lang)
        };
        let button = |id: &str, prompt: &str| Item { id: id.into(), label: t(prompt), detail: Text::default() };
        let line = |style, text| Line { style, text, value: Text::default() };
        let failed = self.failed_attempts();
        match &self.session.screen {
            Screen::PensionIntro => {
                view.title = t("pension.title");
                view.prompt = t("pension.intro");
                let steps = ["pension.step.id", "pension.step.camera", "pension.step.turn", "pension.step.photo"];
                view.lines = steps
                    .iter()
                    .chain(&["pension.privacy"])
                    .map(|id| line(LineStyle::Body, t(id)))
                    .collect();
                // Agreeing is the one button: not agreeing is leaving (home or back, in the bar).
                view.items = vec![button(action::AGREE, "pension.agree")];
            }
            Screen::PensionId => {
                view.page = Page::Entry;
                view.title = t("pension.id.title");
                view.prompt = t("entry.prompt.id-number");
                view.entry = Some(self.entry_view(EntryKind::IdNumber, true, false));
                view.items = vec![button(action::ENTRY_DONE, "entry.done")];
            }
            Screen::PensionFace => {
                view.page = Page::Face;
                view.title = t("face.title");
                view.prompt = t("face.prompt");
                let instruction = self.session.pension.as_ref().and_then(|v| v.instruction);
                view.lines = vec![line(LineStyle::Instruction, t(instruction.unwrap_or("face.start")))];
                if failed > 0 {
                    view.lines.push(line(LineStyle::Body, with("face.attempt", &[failed + 1, MAX_ATTEMPTS])));
                }
                // One button, so the picture keeps its room on a short screen; staff are in the bar.
                view.items = vec![button(action::CANCEL, "face.cancel")];
            }
            Screen::PensionProblem(problem) => {
                let (title, prompt) = match problem {
                    PensionProblem::Liveness(reason) => (t("pension.failed.title"), t(failure_prompt(*reason))),
                    PensionProblem::PhotoRefused(message) => (t("pension.failed.title"), said(message, lang)),
                    PensionProblem::NoCamera => (t("pension.no-camera.title"), t("pension.no-camera.prompt")),
                };
                view.title = title;
                view.prompt = prompt;
                view.items = if self.may_retry(problem) {
                    view.lines = vec![line(LineStyle::Body, with("pension.tries-left", &[MAX_ATTEMPTS - failed]))];
                    vec![button(action::RETRY, "pension.retry"), button(action::CALL_STAFF, "pension.call-staff")]
                } else {
                    if failed >= MAX_ATTEMPTS {
                        view.lines = vec![line(LineStyle::Body, with("pension.no-tries-left", &[MAX_ATTEMPTS]))];
                    }
                    vec![button(action::CALL_STAFF, "pension.call-staff")]
                };
                view.items.push(button(action::HOME, "later.home"));
            }
            Screen::PensionResult(auth) => {
                view.title = t("pension.submitted.title");
                view.prompt = Text::new(Phrase::text(pick(&auth.result_notice, lang)), lang);
                let masked = Text { shown: auth.id_number_masked.clone(), phrase: Phrase::code(&auth.id_number_masked).personal() };
                view.lines = vec![Line { style: LineStyle::Field, text: t("pension.id-number"), value: masked }];
                view.items = vec![button(action::FINISH, "ticket.finish")];
            }
            _ => {}
        }
    }
}

fn hint_prompt(hint: Hint) -> &'static str {
    match hint {
        Hint::NoFace => "face.hint.no-face",
        Hint::TooFar => "face.hint.too-far",
        Hint::TooClose => "face.hint.too-close",
        Hint::MoveLeft => "face.hint.move-left",
        Hint::MoveRight => "face.hint.move-right",
        Hint::MoveUp => "face.hint.move-up",
        Hint::MoveDown => "face.hint.move-down",
        Hint::TooDark => "face.hint.too-dark",
        Hint::Backlit => "face.hint.backlit",
        Hint::HoldStill | Hint::Good => "face.hint.hold-still",
    }
}

fn failure_prompt(reason: LivenessFailure) -> &'static str {
    match reason {
        LivenessFailure::WrongDirection => "pension.failed.wrong-direction",
        LivenessFailure::TooFast => "pension.failed.too-fast",
        LivenessFailure::NoMovement => "pension.failed.no-movement",
        LivenessFailure::FaceLost => "pension.failed.face-lost",
    }
}
