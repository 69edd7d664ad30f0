//! One attempt at the picture, from "come into the frame" to the photo: the guide's hints
//! until the face is in place, the head-turn check, then the picture once the face is back in
//! place and still for about a second. Fed every frame with its face and time.

use std::time::{Duration, Instant};

use image::RgbImage;

use crate::{
    AutoCapture, Face, Guide, GuideLimits, Hint, HintPacer, Liveness, LivenessFailure, LivenessLimits, LivenessState,
};

/// How long the face must stay in place before the head-turn check starts.
const SETTLE: Duration = Duration::from_millis(600);
/// How long the conditions must hold before the picture is taken.
const HOLD_FOR_PHOTO: Duration = Duration::from_secs(1);

/// What the resident is told, or what came of the attempt.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// How to get into a good picture, paced by [`HintPacer`]; never [`Hint::Good`].
    Hint(Hint),
    /// The head-turn check asks for a slow turn to the resident's left, then right.
    TurnLeft,
    TurnRight,
    /// The check passed: face the camera again and hold still for the picture.
    FaceFront,
    /// The picture, with what the check saw.
    Captured {
        photo: RgbImage,
        evidence: LivenessEvidence,
    },
    /// The check failed; a new session is a new attempt.
    Failed(LivenessFailure),
}

/// What the head-turn check saw, sent with the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LivenessEvidence {
    pub turned_left: bool,
    pub turned_right: bool,
    /// From the first turn's prompt to the check passing.
    pub duration: Duration,
}

enum Phase {
    /// Until the face has been in place for [`SETTLE`] (since when it has).
    Placing(Option<Instant>),
    Turning {
        check: Liveness,
        started: Instant,
    },
    Photo(LivenessEvidence),
    Done,
}

pub struct FaceSession {
    guide: Guide,
    pacer: HintPacer,
    capture: AutoCapture,
    phase: Phase,
}

impl Default for FaceSession {
    fn default() -> FaceSession {
        let limits = GuideLimits::default();
        FaceSession {
            capture: AutoCapture::new(HOLD_FOR_PHOTO, limits.target),
            guide: Guide::new(limits),
            pacer: HintPacer::default(),
            phase: Phase::Placing(None),
        }
    }
}

impl FaceSession {
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
                let check = Liveness::new(LivenessLimits::default(), now);
                self.phase = Phase::Turning { check, started: now };
                Some(Step::TurnLeft)
            }
            Phase::Turning { check, started } => {
                let before = check.state();
                let state = check.update(face, now);
                if state == before {
                    return None;
                }
                match state {
                    LivenessState::TurnLeft => None,
                    LivenessState::TurnRight => Some(Step::TurnRight),
                    LivenessState::Passed => {
                        let duration = now.saturating_duration_since(*started);
                        self.phase = Phase::Photo(LivenessEvidence { turned_left: true, turned_right: true, duration });
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
