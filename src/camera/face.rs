//! The pension face screen's work on camera frames: find the face, guide it into place and
//! through the liveness check (a head turn or a nod), and take the picture (the `face-guide` crate). The picture is
//! kept in memory only, as a JPEG in a [`FacePhoto`] slot that the UI adapter empties when the
//! core says so; it is never written to disk.

use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Instant;

use contract::model::Movement;
use face_guide::{Attempt, FaceDetector, FaceSession, Hint, LivenessEvidence, LivenessFailure, Step};
use image::RgbImage;

use super::scanner::{FrameWork, ScanEvent};
use kiosk_core::{CameraProblem, FaceAttempt, FaceHint, FaceNews, Motion, TurnEvidence, TurnFailure};

/// The picture taken, JPEG-encoded, until it is submitted or dropped.
pub type FacePhoto = Arc<Mutex<Option<Vec<u8>>>>;

/// JPEG quality of the picture: staff compare it with the archive photo by eye.
const JPEG_QUALITY: u8 = 90;

/// One attempt at the picture: a new one for each time the face screen opens.
pub struct FaceWatch {
    session: FaceSession,
    photo: FacePhoto,
    /// The detector did not load, and that was said once.
    broken: bool,
}

impl FaceWatch {
    /// An attempt the way the resident chose it.
    pub fn new(photo: FacePhoto, attempt: FaceAttempt) -> FaceWatch {
        FaceWatch { session: FaceSession::new(guided(attempt)), photo, broken: false }
    }
}

/// The attempt as the face guidance takes it.
fn guided(attempt: FaceAttempt) -> Attempt {
    let movement = match attempt.movement {
        Movement::Turn => face_guide::Movement::TurnHead,
        Movement::Nod => face_guide::Movement::Nod,
    };
    Attempt { movement, seated: attempt.seated }
}

/// Where the face should be in the picture for this attempt, as a fraction of its height from
/// the top: the centre of the oval drawn on the preview.
pub fn face_target_y(attempt: FaceAttempt) -> f32 {
    guided(attempt).limits().target.y
}

/// The face detector, loaded on first use (on the camera's work thread, so the kiosk's start
/// and the screen never wait for it) and kept for the next resident.
fn detector() -> Result<&'static FaceDetector, &'static str> {
    static DETECTOR: OnceLock<Result<FaceDetector, String>> = OnceLock::new();
    DETECTOR.get_or_init(|| FaceDetector::load().map_err(|e| e.0)).as_ref().map_err(String::as_str)
}

impl FrameWork for FaceWatch {
    fn work(&mut self, frame: &RgbImage) -> Option<ScanEvent> {
        let detector = match detector() {
            Ok(detector) => detector,
            Err(_) if self.broken => return None,
            Err(e) => {
                // Without guidance the resident cannot be helped into a picture: staff can.
                eprintln!("kiosk: face guidance: cannot load the face detector: {e}");
                self.broken = true;
                return Some(ScanEvent::Failed(CameraProblem::NotConnected));
            }
        };
        let face = detector.detect(frame).first().copied();
        let news = match self.session.feed(frame, face.as_ref(), Instant::now())? {
            Step::Hint(hint) => FaceNews::Hint(face_hint(hint)),
            Step::Move(motion) => FaceNews::Move(core_motion(motion)),
            Step::TakeYourTime(motion) => FaceNews::TakeYourTime(core_motion(motion)),
            Step::FaceFront => FaceNews::FaceFront,
            Step::Failed(reason) => FaceNews::Failed(turn_failure(reason)),
            Step::Captured { photo, evidence } => {
                *self.photo.lock().unwrap_or_else(PoisonError::into_inner) = Some(jpeg(&photo));
                FaceNews::Captured(turn_evidence(evidence))
            }
        };
        Some(ScanEvent::Face(news))
    }
}

fn jpeg(photo: &RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
        .encode_image(photo)
        .expect("encoding an RGB image into memory cannot fail");
    bytes
}

/// The guidance's hint in the core's words: in place ("good") means holding still for the picture.
fn face_hint(hint: Hint) -> FaceHint {
    match hint {
        Hint::NoFace => FaceHint::NoFace,
        Hint::TooFar => FaceHint::TooFar,
        Hint::TooClose => FaceHint::TooClose,
        Hint::MoveLeft => FaceHint::MoveLeft,
        Hint::MoveRight => FaceHint::MoveRight,
        Hint::MoveUp => FaceHint::MoveUp,
        Hint::MoveDown => FaceHint::MoveDown,
        Hint::TooDark => FaceHint::TooDark,
        Hint::Backlit => FaceHint::Backlit,
        Hint::HoldStill | Hint::Good => FaceHint::HoldStill,
    }
}

fn turn_failure(failure: LivenessFailure) -> TurnFailure {
    match failure {
        LivenessFailure::WrongDirection => TurnFailure::WrongDirection,
        LivenessFailure::TooFast => TurnFailure::TooFast,
        LivenessFailure::NoMovement => TurnFailure::NoMovement,
        LivenessFailure::FaceLost => TurnFailure::FaceLost,
    }
}

fn core_motion(motion: face_guide::Motion) -> Motion {
    match motion {
        face_guide::Motion::TurnLeft => Motion::TurnLeft,
        face_guide::Motion::TurnRight => Motion::TurnRight,
        face_guide::Motion::ChinDown => Motion::ChinDown,
        face_guide::Motion::ChinUp => Motion::ChinUp,
    }
}

fn turn_evidence(evidence: LivenessEvidence) -> TurnEvidence {
    let movement = match evidence.movement {
        face_guide::Movement::TurnHead => Movement::Turn,
        face_guide::Movement::Nod => Movement::Nod,
    };
    TurnEvidence { movement, duration_ms: evidence.duration.as_millis() as u64 }
}
