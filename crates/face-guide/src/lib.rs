//! Face guidance for the kiosk's pension face authentication: find the face in each camera
//! frame ([`FaceDetector`]), tell the resident how to get into a good picture ([`Guide`],
//! paced by [`HintPacer`]), check a slow head turn or nod ([`Liveness`]), and take the picture by
//! itself once the conditions have held for about a second ([`AutoCapture`]); all of it in
//! order, one attempt at a time ([`FaceSession`]).
//!
//! Frames are [`image::RgbImage`] exactly as the camera delivers them, **not mirrored**;
//! coordinates are image-relative, 0..1. All logic besides the detector is pure: no I/O, and
//! the time is always passed in.

mod capture;
mod detector;
mod guide;
mod liveness;
mod pacer;
mod session;

pub use capture::{quality, AutoCapture};
pub use detector::{
    Face, FaceDetector, LoadError, Model, Point, LEFT_EAR, LEFT_EYE, MOUTH, NOSE, RIGHT_EAR, RIGHT_EYE,
};
pub use guide::{Guide, GuideLimits, Hint};
pub use liveness::{
    nose_drop, pitch_degrees, yaw_degrees, Liveness, LivenessFailure, LivenessLimits, LivenessState, Motion, Movement,
};
pub use pacer::HintPacer;
pub use session::{Attempt, FaceSession, LivenessEvidence, Step, TAKE_YOUR_TIME_AFTER};
