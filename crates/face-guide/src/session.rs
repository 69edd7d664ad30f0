//! One attempt at the picture, from "come into the frame" to the photo: the guide's hints
//! until the face is in place, the liveness check (a head turn or a nod), then the picture
//! once the face is back in place and still for about a second. Fed every frame with its face
//! and time.

use std::time::{Duration, Instant};

use image::RgbImage;

use crate::{
    AutoCapture, Face, Guide, GuideLimits, Hint, HintPacer, Liveness, LivenessFailure, LivenessLimits, LivenessState,
    Motion, Movement,
};

/// How long the face must stay in place before the head-turn check starts.
const SETTLE: Duration = Duration::from_millis(600);
/// How long the conditions must hold before the picture is taken.
const HOLD_FOR_PHOTO: Duration = Duration::from_secs(1);
/// How long a move may take before the resident is told there is no hurry (and asked again).
pub const TAKE_YOUR_TIME_AFTER: Duration = Duration::from_secs(10);

/// How the attempt goes, chosen by the resident before it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Attempt {
    pub movement: Movement,
    /// Seated (a wheelchair, a chair): the face sits lower before a camera above the screen,
    /// and the resident cannot raise it by standing up, so lower in the frame is in place.
    pub seated: bool,
}

impl Attempt {
    /// A good picture for this attempt: seated, the face may sit lower, and further off.
    pub fn limits(&self) -> GuideLimits {
        let mut limits = GuideLimits::default();
        if self.seated {
            limits.target.y = 0.52;
            limits.tolerance_y = 0.2;
        }
        limits
    }
}

/// What the resident is told, or what came of the attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// How to get into a good picture, paced by [`HintPacer`]; never [`Hint::Good`].
    Hint(Hint),
    /// The liveness check asks for a slow move: a turn to the resident's left, then right, or
    /// the chin down, then up.
    Move(Motion),
    /// A move is taking a while: no hurry, the time is generous (then the move is asked again).
    TakeYourTime(Motion),
    /// The check passed: face the camera again and hold still for the picture.
    FaceFront,
    /// The picture, with what the check saw.
    Captured { photo: RgbImage, evidence: LivenessEvidence },
    /// The check failed; a new session is a new attempt.
    Failed(LivenessFailure),
}

/// What the liveness check saw, sent with the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LivenessEvidence {
    pub movement: Movement,
    /// Both moves were made (left and right, or down and up).
    /// From the first turn's prompt to the check passing.
    pub duration: Duration,
}

enum Phase {
    /// Until the face has been in place for [`SETTLE`] (since when it has).
    Placing(Option<Instant>),
    Turning {
        check: Liveness,
        started: Instant,
        /// The resident was told to take their time in the current move.
        reassured: bool,
    },
    Photo(LivenessEvidence),
    Done,
}

pub struct FaceSession {
    attempt: Attempt,
    guide: Guide,
    pacer: HintPacer,
    capture: AutoCapture,
    phase: Phase,
}

impl Default for FaceSession {
    fn default() -> FaceSession {
        FaceSession::new(Attempt::default())
    }
}

impl FaceSession {
    pub fn new(attempt: Attempt) -> FaceSession {
        let limits = attempt.limits();
        FaceSession {
            attempt,
            capture: AutoCapture::new(HOLD_FOR_PHOTO, limits.target),
            guide: Guide::new(limits),
            pacer: HintPacer::default(),
            phase: Phase::Placing(None),
        }
    }

    /// Feed each frame (as the camera gives it, not mirrored) with its face; returns what to
    /// tell the resident now, if anything. After `Captured` or `Failed` it returns nothing.
    pub fn feed(&mut self, frame: &RgbImage, face: Option<&Face>, now: Instant) -> Option<Step> {
        match &mut self.phase {
            Phase::Placing(since) => {
                let hint = self.guide.assess(frame, face, now);
                if hint != Hint::Good {
                    *since = None;
                    return self.pacer.pace(hint, now).map(Step::Hint);
                }
                let since = *since.get_or_insert(now);
                if now.saturating_duration_since(since) < SETTLE {
                    return None;
                }
                let check = Liveness::new(LivenessLimits::default(), self.attempt.movement, now);
                self.phase = Phase::Turning { check, started: now, reassured: false };
                Some(Step::Move(self.attempt.movement.motions()[0]))
            }
            Phase::Turning { check, started, reassured } => {
                let [first, second] = self.attempt.movement.motions();
                let before = check.state();
                let state = check.update(face, now);
                if state == before {
                    let slow = now.saturating_duration_since(check.step_started()) >= TAKE_YOUR_TIME_AFTER;
                    if slow && !*reassured {
                        *reassured = true;
                        return Some(Step::TakeYourTime(if state == LivenessState::First { first } else { second }));
                    }
                    return None;
                }
                *reassured = false;
                match state {
                    LivenessState::First => None,
                    LivenessState::Second => Some(Step::Move(second)),
                    LivenessState::Passed => {
                        let duration = now.saturating_duration_since(*started);
                        let movement = self.attempt.movement;
                        self.phase = Phase::Photo(LivenessEvidence { movement, duration });
                        Some(Step::FaceFront)
                    }
                    LivenessState::Failed(reason) => {
                        self.phase = Phase::Done;
                        Some(Step::Failed(reason))
                    }
                }
            }
            Phase::Photo(evidence) => {
                let evidence = *evidence;
                let hint = self.guide.assess(frame, face, now);
                if let Some(photo) = self.capture.feed(frame, face, hint, now) {
                    self.phase = Phase::Done;
                    return Some(Step::Captured { photo, evidence });
                }
                match hint {
                    Hint::Good => None,
                    hint => self.pacer.pace(hint, now).map(Step::Hint),
                }
            }
            Phase::Done => None,
        }
    }
}
