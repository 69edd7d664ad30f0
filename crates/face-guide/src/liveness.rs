//! A liveness prompt: the resident turns the head slowly to the left, then to the right. A
//! printed photo or a still screen cannot follow it; a swapped picture shows as a jump.

use std::time::{Duration, Instant};

use crate::{Face, LEFT_EAR, NOSE, RIGHT_EAR};

/// How far the nose tip sits in front of the ears' axis, in half ear-to-ear distances (an
/// adult head: about 9-10 cm in front, ears about 7 cm either side of the centre).
const NOSE_DEPTH: f32 = 1.3;

/// Head yaw in degrees from the keypoints, positive when the resident has turned to their own
/// left, negative to their right, 0 facing the camera. Rough (about ±5° of jitter), enough to
/// tell a clear turn from none. Works on the unmirrored camera frame: turning left moves the
/// nose towards the image's right, away from the midpoint of the ears.
pub fn yaw_degrees(face: &Face) -> f32 {
    let (right_ear, left_ear, nose) = (face.keypoints[RIGHT_EAR], face.keypoints[LEFT_EAR], face.keypoints[NOSE]);
    let half_span = ((left_ear.x - right_ear.x) / 2.0).abs().max(f32::EPSILON);
    let offset = nose.x - (left_ear.x + right_ear.x) / 2.0;
    (offset / half_span / NOSE_DEPTH).atan().to_degrees()
}

/// Where the check stands: the first two are prompts to show and speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LivenessState {
    TurnLeft,
    TurnRight,
    Passed,
    Failed(LivenessFailure),
}

/// Why the check failed; the kiosk may explain and start again, or call staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LivenessFailure {
    /// Turned right when asked to turn left (or the reverse).
    WrongDirection,
    /// The head turned faster than a person turns slowly: a jump between frames.
    TooFast,
    /// The asked-for turn did not come in time.
    NoMovement,
    /// The face was gone for too long.
    FaceLost,
}

/// Limits of the check.
#[derive(Clone, Debug, PartialEq)]
pub struct LivenessLimits {
    /// How far (degrees) each turn must go.
    pub turn: f32,
    /// Turning this far the wrong way fails the check.
    pub wrong_way: f32,
    /// Fastest yaw change (degrees per second) between frames.
    pub max_speed: f32,
    /// Time allowed for each turn.
    pub step_timeout: Duration,
    /// How long the face may be missing.
    pub max_face_gap: Duration,
    /// Faces smaller than this (box height relative to the frame's) count as missing: their
    /// keypoints are too coarse for a yaw (the test photo at 17% of the height read -26°).
    pub min_face_height: f32,
}

impl Default for LivenessLimits {
    fn default() -> LivenessLimits {
        LivenessLimits {
            turn: 20.0,
            wrong_way: 15.0,
            max_speed: 150.0,
            step_timeout: Duration::from_secs(8),
            max_face_gap: Duration::from_secs(1),
            min_face_height: 0.25,
        }
    }
}

/// The head-turn check, fed every frame's face with the frame's time.
pub struct Liveness {
    limits: LivenessLimits,
    state: LivenessState,
    step_started: Instant,
    last_face: Option<(f32, Instant)>,
    last_seen: Instant,
}

impl Liveness {
    /// Starts the check at `now`, asking to turn left first.
    pub fn new(limits: LivenessLimits, now: Instant) -> Liveness {
        Liveness { limits, state: LivenessState::TurnLeft, step_started: now, last_face: None, last_seen: now }
    }

    pub fn state(&self) -> LivenessState {
        self.state
    }

    /// Feed one frame's face (or `None`); returns the state after it. Passed and Failed are
    /// final.
    pub fn update(&mut self, face: Option<&Face>, now: Instant) -> LivenessState {
        if matches!(self.state, LivenessState::Passed | LivenessState::Failed(_)) {
            return self.state;
        }
        self.state = self.next_state(face, now);
        self.state
    }

    fn next_state(&mut self, face: Option<&Face>, now: Instant) -> LivenessState {
        let limits = &self.limits;
        if now.saturating_duration_since(self.step_started) > limits.step_timeout {
            return LivenessState::Failed(LivenessFailure::NoMovement);
        }
        let Some(face) = face.filter(|f| f.height >= limits.min_face_height) else {
            if now.saturating_duration_since(self.last_seen) > limits.max_face_gap {
                return LivenessState::Failed(LivenessFailure::FaceLost);
            }
            return self.state;
        };
        self.last_seen = now;
        let yaw = yaw_degrees(face);
        if let Some((before, then)) = self.last_face.replace((yaw, now)) {
            let seconds = now.saturating_duration_since(then).max(Duration::from_millis(33)).as_secs_f32();
            if (yaw - before).abs() / seconds > limits.max_speed {
                return LivenessState::Failed(LivenessFailure::TooFast);
            }
        }
        // Left turns give positive yaw, right turns negative.
        let wanted = if self.state == LivenessState::TurnLeft { 1.0 } else { -1.0 };
        if yaw * wanted >= limits.turn {
            self.step_started = now;
            return if self.state == LivenessState::TurnLeft {
                LivenessState::TurnRight
            } else {
                LivenessState::Passed
            };
        }
        // Only the first turn can go the wrong way: on the way back from the left, the head
        // is "to the right" of where it was but not yet turned right.
        if self.state == LivenessState::TurnLeft && yaw * wanted <= -limits.wrong_way {
            return LivenessState::Failed(LivenessFailure::WrongDirection);
        }
        self.state
    }
}
