//! A liveness prompt: the resident turns the head slowly to the left, then to the right, or,
//! for a resident who cannot turn the head, nods: chin down, then up. A printed photo or a
//! still screen cannot follow it; a swapped picture shows as a jump.

use std::time::{Duration, Instant};

use crate::{Face, LEFT_EAR, LEFT_EYE, MOUTH, NOSE, RIGHT_EAR, RIGHT_EYE};

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

/// How far the nose tip sits in front of the eyes and mouth, in eyes-to-mouth distances.
const NOSE_RELIEF: f32 = 0.45;

/// Where the nose tip sits between the eyes (0) and the mouth (1), in the picture.
pub fn nose_drop(face: &Face) -> f32 {
    let k = &face.keypoints;
    let eyes = (k[LEFT_EYE].y + k[RIGHT_EYE].y) / 2.0;
    (k[NOSE].y - eyes) / (k[MOUTH].y - eyes).abs().max(f32::EPSILON)
}

/// Head pitch in degrees against the face's own front view (`front`, its [`nose_drop`] facing
/// the camera), positive with the chin down. Rough, like [`yaw_degrees`]: the nose tip is in
/// front of the eyes and mouth, so it drops further than they do as the chin goes down.
pub fn pitch_degrees(face: &Face, front: f32) -> f32 {
    ((nose_drop(face) - front) / NOSE_RELIEF).clamp(-1.0, 1.0).asin().to_degrees()
}

/// The movement the resident makes: a head turn, or a nod for those who cannot turn the head.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Movement {
    #[default]
    TurnHead,
    Nod,
}

/// One of the two moves of a [`Movement`], to show and speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Motion {
    TurnLeft,
    TurnRight,
    ChinDown,
    ChinUp,
}

impl Movement {
    /// Its two moves, in order.
    pub fn motions(self) -> [Motion; 2] {
        match self {
            Movement::TurnHead => [Motion::TurnLeft, Motion::TurnRight],
            Movement::Nod => [Motion::ChinDown, Motion::ChinUp],
        }
    }
}

/// Where the check stands: waiting for the first move or the second, or done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LivenessState {
    First,
    Second,
    Passed,
    Failed(LivenessFailure),
}

/// Why the check failed; the kiosk may explain and start again, or call staff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LivenessFailure {
    /// Turned right when asked to turn left, or lifted the chin when asked to lower it.
    WrongDirection,
    /// The head moved faster than a person moves slowly: a jump between frames.
    TooFast,
    /// The asked-for move did not come in time.
    NoMovement,
    /// The face was gone for too long.
    FaceLost,
}

/// Limits of the check.
#[derive(Clone, Debug, PartialEq)]
pub struct LivenessLimits {
    /// How far (degrees) each turn must go.
    pub turn: f32,
    /// How far (degrees) each half of a nod must go: a neck bends less than it turns.
    pub nod: f32,
    /// Moving this far the wrong way (degrees) fails the check.
    pub wrong_way: f32,
    /// Fastest change (degrees per second) between frames.
    pub max_speed: f32,
    /// Time allowed for each move: generous, for residents who move slowly (a stiff neck,
    /// a resident who must hear the instruction twice).
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
            nod: 12.0,
            wrong_way: 15.0,
            max_speed: 150.0,
            step_timeout: Duration::from_secs(30),
            max_face_gap: Duration::from_secs(1),
            min_face_height: 0.25,
        }
    }
}

/// The check, fed every frame's face with the frame's time.
pub struct Liveness {
    limits: LivenessLimits,
    movement: Movement,
    state: LivenessState,
    step_started: Instant,
    /// The face's own front view, for a nod: its first frame's [`nose_drop`].
    front: Option<f32>,
    last_face: Option<(f32, Instant)>,
    last_seen: Instant,
}

impl Liveness {
    /// Starts the check at `now`, asking for the movement's first move.
    pub fn new(limits: LivenessLimits, movement: Movement, now: Instant) -> Liveness {
        Liveness {
            limits,
            movement,
            state: LivenessState::First,
            step_started: now,
            front: None,
            last_face: None,
            last_seen: now,
        }
    }

    /// Since when the current move has been asked for.
    pub fn step_started(&self) -> Instant {
        self.step_started
    }

    /// The angle the check follows, positive towards the first move (left, or chin down).
    fn angle(&mut self, face: &Face) -> f32 {
        match self.movement {
            Movement::TurnHead => yaw_degrees(face),
            Movement::Nod => {
                let front = *self.front.get_or_insert_with(|| nose_drop(face));
                pitch_degrees(face, front)
            }
        }
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
        let reach = match self.movement {
            Movement::TurnHead => self.limits.turn,
            Movement::Nod => self.limits.nod,
        };
        let (max_speed, wrong_way) = (self.limits.max_speed, self.limits.wrong_way);
        let angle = self.angle(face);
        if let Some((before, then)) = self.last_face.replace((angle, now)) {
            let seconds = now.saturating_duration_since(then).max(Duration::from_millis(33)).as_secs_f32();
            if (angle - before).abs() / seconds > max_speed {
                return LivenessState::Failed(LivenessFailure::TooFast);
            }
        }
        // The first move gives a positive angle, the second a negative one.
        let wanted = if self.state == LivenessState::First { 1.0 } else { -1.0 };
        if angle * wanted >= reach {
            self.step_started = now;
            return if self.state == LivenessState::First { LivenessState::Second } else { LivenessState::Passed };
        }
        // Only the first move can go the wrong way: on the way back from the left, the head
        // is "to the right" of where it was but not yet turned right.
        if self.state == LivenessState::First && angle * wanted <= -wrong_way {
            return LivenessState::Failed(LivenessFailure::WrongDirection);
        }
        self.state
    }
}
