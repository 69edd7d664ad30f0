//! Face guidance for the kiosk's pension face authentication: find the face in each camera
//! frame, tell the resident how to get into a good picture, check a slow head turn, and pick
//! the picture by itself once the conditions have held for about a second.
//!
//! Frames are [`image::RgbImage`] exactly as the camera delivers them, **not mirrored**. All
//! logic besides the detector is pure: no I/O, and the time is always passed in.

mod detector;

pub use detector::{Face, FaceDetector, LoadError, Model, Point, LEFT_EAR, LEFT_EYE, MOUTH, NOSE, RIGHT_EAR, RIGHT_EYE};
