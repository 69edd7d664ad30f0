//! Guidance on a real photograph (scikit-image's astronaut.png, public domain), placed in a
//! 640x480 frame as a kiosk camera would see it: shifted, scaled, darkened, backlit, cropped.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

#[path = "common/scene.rs"]
mod scene;

use face_guide::{
    yaw_degrees, Attempt, AutoCapture, Face, FaceDetector, FaceSession, Guide, GuideLimits, Hint, HintPacer,
    LivenessFailure, Motion, Movement, Step, LEFT_EAR, NOSE, RIGHT_EAR, TAKE_YOUR_TIME_AFTER,
};
use image::{imageops, Rgb, RgbImage};
use scene::{frame, photo, turned_frame, PHOTO_FACE, PHOTO_FACE_HEIGHT};

fn detector() -> &'static FaceDetector {
    static DETECTOR: OnceLock<FaceDetector> = OnceLock::new();
    DETECTOR.get_or_init(|| FaceDetector::load().expect("models load"))
}

/// A well placed face: centred, 40% of the frame's height.
fn good_frame() -> RgbImage {
    frame(0.4, 0.5, 0.45)
}

fn hint(frame: &RgbImage) -> (Hint, Option<Face>) {
    let face = detector().detect(frame).first().copied();
    let hint = Guide::new(GuideLimits::default()).assess(frame, face.as_ref(), Instant::now());
    (hint, face)
}

fn assert_hint(frame: &RgbImage, expected: Hint) {
    let (hint, face) = hint(frame);
    assert_eq!(hint, expected, "face: {face:?}");
}

fn scale_pixels(frame: &mut RgbImage, factor: f32) {
    for p in frame.pixels_mut() {
        p.0 = p.0.map(|c| (c as f32 * factor).min(255.0) as u8);
    }
}

#[test]
fn detects_the_astronauts_face_and_keypoints() {
    let faces = detector().detect(photo());
    assert_eq!(faces.len(), 1, "{faces:?}");
    let face = faces[0];
    assert!((face.center.x - PHOTO_FACE.0).abs() < 0.02 && (face.center.y - PHOTO_FACE.1).abs() < 0.02, "{face:?}");
    assert!((face.height - PHOTO_FACE_HEIGHT).abs() < 0.02, "{face:?}");
    let k = face.keypoints;
    // Her right eye and ear are on the image's left; eyes above nose above mouth.
    assert!(k[face_guide::RIGHT_EAR].x < k[face_guide::RIGHT_EYE].x);
    assert!(k[face_guide::RIGHT_EYE].x < k[face_guide::NOSE].x && k[face_guide::NOSE].x < k[face_guide::LEFT_EYE].x);
    assert!(k[face_guide::LEFT_EYE].x < k[face_guide::LEFT_EAR].x);
    assert!(k[face_guide::RIGHT_EYE].y < k[face_guide::NOSE].y && k[face_guide::NOSE].y < k[face_guide::MOUTH].y);
    // She faces the camera.
    assert!(face_guide::yaw_degrees(&face).abs() < 8.0, "{}", face_guide::yaw_degrees(&face));
}

#[test]
fn a_well_placed_face_is_good() {
    let frame = good_frame();
    let (hint, face) = hint(&frame);
    assert_eq!(hint, Hint::Good, "{face:?}");
    let face = face.unwrap();
    assert!((face.center.x - 0.5).abs() < 0.03 && (face.center.y - 0.45).abs() < 0.03, "{face:?}");
    assert!((face.height - 0.4).abs() < 0.05, "{face:?}");
}

#[test]
fn shifted_faces_are_told_which_way_to_move() {
    // The camera frame is unmirrored: the resident's left is the image's right.
    assert_hint(&frame(0.4, 0.25, 0.45), Hint::MoveLeft);
    assert_hint(&frame(0.4, 0.75, 0.45), Hint::MoveRight);
    assert_hint(&frame(0.4, 0.5, 0.22), Hint::MoveDown);
    assert_hint(&frame(0.4, 0.5, 0.72), Hint::MoveUp);
}

#[test]
fn a_mirrored_frame_gets_the_opposite_direction() {
    assert_hint(&imageops::flip_horizontal(&frame(0.4, 0.25, 0.45)), Hint::MoveRight);
}

#[test]
fn a_small_face_is_too_far() {
    assert_hint(&frame(0.17, 0.5, 0.45), Hint::TooFar);
    // Coming closer comes before moving aside.
    assert_hint(&frame(0.17, 0.25, 0.45), Hint::TooFar);
}

#[test]
fn a_distant_face_is_found_by_the_back_model_and_is_too_far() {
    let frame = frame(0.07, 0.5, 0.45);
    let (hint, face) = hint(&frame);
    assert_eq!(hint, Hint::TooFar, "{face:?}");
    assert_eq!(face.map(|f| f.model), Some(face_guide::Model::Back));
}

#[test]
fn a_large_face_is_too_close() {
    assert_hint(&frame(0.8, 0.5, 0.45), Hint::TooClose);
}

#[test]
fn a_dark_frame_is_too_dark() {
    let mut frame = good_frame();
    scale_pixels(&mut frame, 0.25);
    assert_hint(&frame, Hint::TooDark);
}

/// The frame before a bright window: the resident underexposed by `exposure`, everything
/// outside the face and shoulders burnt out to white.
fn backlit(exposure: f32) -> RgbImage {
    let mut frame = good_frame();
    scale_pixels(&mut frame, exposure);
    for (x, y, p) in frame.enumerate_pixels_mut() {
        let (dx, dy) = ((x as f32 - 320.0) / 130.0, (y as f32 - 216.0) / 150.0);
        if dx * dx + dy * dy > 1.0 && y < 330 {
            *p = Rgb([252, 252, 250]);
        }
    }
    frame
}

#[test]
fn a_bright_window_behind_is_backlit() {
    assert_hint(&backlit(0.45), Hint::Backlit);
    // Even when the face alone would be too dark: the window is what to fix.
    assert_hint(&backlit(0.2), Hint::Backlit);
}

#[test]
fn a_face_cut_by_the_edge_is_told_to_move_in() {
    // A fifth of the face is outside the image's left edge: the resident moves to their left.
    assert_hint(&frame(0.4, 0.1, 0.45), Hint::MoveLeft);
    // Cut on the right, where only the back model finds it: placed, not "too far".
    let (hint, face) = hint(&frame(0.4, 0.95, 0.45));
    assert_eq!(hint, Hint::MoveRight, "{face:?}");
    assert_eq!(face.map(|f| f.model), Some(face_guide::Model::Back));
}

#[test]
fn a_face_cropped_away_is_no_face() {
    assert_hint(&frame(0.4, -0.4, 0.45), Hint::NoFace);
    assert_hint(&RgbImage::from_pixel(640, 480, Rgb([170, 170, 165])), Hint::NoFace);
}

#[test]
fn a_moving_face_is_told_to_hold_still() {
    let mut guide = Guide::new(GuideLimits::default());
    let start = Instant::now();
    let first = good_frame();
    let face = detector().detect(&first).first().copied();
    assert_eq!(guide.assess(&first, face.as_ref(), start), Hint::Good);
    // A sixth of the frame's width in a tenth of a second.
    let moved = frame(0.4, 0.55, 0.45);
    let face = detector().detect(&moved).first().copied();
    assert_eq!(guide.assess(&moved, face.as_ref(), start + Duration::from_millis(100)), Hint::HoldStill);
    // Still again a second later, at the same place.
    assert_eq!(guide.assess(&moved, face.as_ref(), start + Duration::from_millis(1100)), Hint::Good);
}

#[test]
fn frames_at_1280x720_are_guided_the_same() {
    let frame = imageops::resize(&good_frame(), 960, 720, imageops::FilterType::Triangle);
    let mut wide = RgbImage::from_pixel(1280, 720, Rgb([170, 170, 165]));
    imageops::replace(&mut wide, &frame, 160, 0);
    assert_hint(&wide, Hint::Good);
}

#[test]
fn empty_and_tiny_frames_do_not_panic() {
    for (w, h) in [(0, 0), (1, 1), (2, 640), (3, 3)] {
        let frame = RgbImage::new(w, h);
        let face = detector().detect(&frame).first().copied();
        Guide::new(GuideLimits::default()).assess(&frame, face.as_ref(), Instant::now());
    }
}

#[test]
fn a_resident_moving_into_place_is_guided_and_photographed() {
    // 15 fps: one second off to the image's left, one second moving to the centre, then
    // standing still there.
    let frame_time = Duration::from_micros(66_667);
    let place = |i: u32| match i {
        0..15 => 0.25,
        15..30 => 0.25 + 0.25 * (i - 14) as f32 / 15.0,
        _ => 0.5,
    };
    let start = Instant::now();
    let mut guide = Guide::new(GuideLimits::default());
    let mut pacer = HintPacer::default();
    let mut capture = AutoCapture::new(Duration::from_secs(1), GuideLimits::default().target);
    let mut said = Vec::new();
    let mut photographed = None;
    for i in 0..50 {
        let now = start + frame_time * i;
        let frame = frame(0.4, place(i), 0.45);
        let face = detector().detect(&frame).first().copied();
        let hint = guide.assess(&frame, face.as_ref(), now);
        said.extend(pacer.pace(hint, now));
        if capture.feed(&frame, face.as_ref(), hint, now).is_some() {
            photographed = Some(i);
            break;
        }
    }
    // Moving in, the resident hears to hold still; the picture comes before "good" is due.
    assert_eq!(said, [Hint::MoveLeft, Hint::HoldStill]);
    // In place from frame 29: a second of good frames later.
    let taken = photographed.expect("a picture");
    assert!((44..=46).contains(&taken), "taken at frame {taken}, said {said:?}");
}

/// `face` with its nose moved as a head turned `yaw` degrees to the resident's left would move
/// it (see `yaw_degrees`).
fn turned(face: &Face, yaw: f32) -> Face {
    let mut face = *face;
    let (right, left) = (face.keypoints[RIGHT_EAR].x, face.keypoints[LEFT_EAR].x);
    let half_span = (left - right).abs() / 2.0;
    face.keypoints[NOSE].x = (left + right) / 2.0 + 1.3 * half_span * yaw.to_radians().tan();
    face
}

/// One attempt: `yaws` are the head's turn over the frames of the check (15 fps), on the
/// well-placed frame; before and after it the face is as the detector finds it.
fn attempt(yaws: &[f32]) -> Vec<Step> {
    let frame_time = Duration::from_micros(66_667);
    let frame = good_frame();
    let found = detector().detect(&frame).first().copied().expect("a face");
    let mut session = FaceSession::default();
    let (start, mut steps, mut turn) = (Instant::now(), Vec::new(), None);
    for i in 0..200u32 {
        let now = start + frame_time * i;
        let face = match turn {
            Some(first) if i - first < yaws.len() as u32 => turned(&found, yaws[(i - first) as usize]),
            _ => found,
        };
        let step = session.feed(&frame, Some(&face), now);
        if step == Some(Step::Move(Motion::TurnLeft)) {
            turn = Some(i + 1);
        }
        let done = matches!(step, Some(Step::Captured { .. } | Step::Failed(_)));
        steps.extend(step);
        if done {
            break;
        }
    }
    steps
}

/// A slow sweep at 30° a second, one yaw per frame.
fn sweep(from: f32, to: f32) -> Vec<f32> {
    let frames = ((to - from).abs() / 2.0).ceil() as usize;
    (0..=frames).map(|i| from + (to - from) * i as f32 / frames as f32).collect()
}

#[test]
fn a_whole_attempt_turns_the_head_then_takes_the_picture() {
    let mut yaws = sweep(0.0, 30.0);
    yaws.extend(sweep(30.0, -30.0));
    yaws.extend(sweep(-30.0, 0.0));
    let steps = attempt(&yaws);
    let names: Vec<String> = steps
        .iter()
        .map(|s| match s {
            Step::Captured { evidence, photo } => {
                assert_eq!(evidence.movement, Movement::TurnHead);
                assert!(evidence.duration > Duration::from_secs(2), "{evidence:?}");
                assert_eq!(photo.dimensions(), (640, 480));
                "Captured".to_string()
            }
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        names.first().map(String::as_str),
        Some("Move(TurnLeft)"),
        "a well-placed face goes straight to the check: {names:?}"
    );
    assert_eq!(names[1..3], ["Move(TurnRight)", "FaceFront"], "{names:?}");
    assert_eq!(names.last().map(String::as_str), Some("Captured"), "{names:?}");
}

#[test]
fn a_slow_resident_is_told_to_take_their_time_before_the_check_gives_up() {
    let frame_time = Duration::from_micros(66_667);
    let frame = good_frame();
    let found = detector().detect(&frame).first().copied().expect("a face");
    let mut session = FaceSession::new(Attempt { movement: Movement::Nod, seated: false });
    let start = Instant::now();
    let mut steps = Vec::new();
    for i in 0..15 * 40 {
        steps.extend(session.feed(&frame, Some(&found), start + frame_time * i).map(|s| (i, s)));
    }
    let (asked, reassured, failed) = (&steps[0], &steps[1], &steps[2]);
    assert_eq!(asked.1, Step::Move(Motion::ChinDown));
    assert_eq!(reassured.1, Step::TakeYourTime(Motion::ChinDown));
    let after = frame_time * (reassured.0 - asked.0);
    assert!(after >= TAKE_YOUR_TIME_AFTER && after < TAKE_YOUR_TIME_AFTER + Duration::from_secs(1), "{after:?}");
    assert_eq!(failed.1, Step::Failed(LivenessFailure::NoMovement));
    assert!(frame_time * (failed.0 - asked.0) >= Duration::from_secs(30), "half a minute per move");
    assert_eq!(steps.len(), 3, "{steps:?}");
}

#[test]
fn a_seated_resident_low_in_the_frame_is_in_place() {
    // The face centred 0.64 down the frame: a resident in a wheelchair below a camera above
    // the screen. Standing, they are told to raise the head; seated, they are in place.
    let low = frame(0.4, 0.5, 0.64);
    let face = detector().detect(&low).first().copied();
    let steps = |attempt| {
        let (mut session, start) = (FaceSession::new(attempt), Instant::now());
        (0..15u32)
            .filter_map(|i| session.feed(&low, face.as_ref(), start + Duration::from_millis(100) * i))
            .collect::<Vec<Step>>()
    };
    assert_eq!(steps(Attempt::default()).first(), Some(&Step::Hint(Hint::MoveUp)));
    assert_eq!(steps(Attempt { movement: Movement::TurnHead, seated: true }), [Step::Move(Motion::TurnLeft)]);
}

#[test]
fn a_turn_the_wrong_way_fails_the_attempt() {
    let steps = attempt(&sweep(0.0, -30.0));
    assert_eq!(steps, [Step::Move(Motion::TurnLeft), Step::Failed(LivenessFailure::WrongDirection)]);
}

#[test]
fn a_head_turned_in_the_picture_reads_as_a_turn_and_passes_the_check() {
    let yaw = |turn: f32| {
        let face = detector().detect(&turned_frame(0.4, 0.5, 0.45, turn)).first().copied();
        yaw_degrees(&face.expect("a face"))
    };
    assert!(yaw(0.0).abs() < 5.0, "{}", yaw(0.0));
    assert!(yaw(40.0) > 25.0, "to the resident's left: {}", yaw(40.0));
    assert!(yaw(-40.0) < -25.0, "to the right: {}", yaw(-40.0));

    // The pixels of a whole attempt: in place, the turn left, then right, then back, at 30°
    // a second and 15 frames a second.
    let frame_time = Duration::from_micros(66_667);
    let mut turns = vec![0.0; 12];
    turns.extend(sweep(0.0, 40.0));
    turns.extend(sweep(40.0, -40.0));
    turns.extend(sweep(-40.0, 0.0));
    turns.extend([0.0; 30]);
    let start = Instant::now();
    let mut session = FaceSession::default();
    let mut steps = Vec::new();
    for (i, turn) in turns.into_iter().enumerate() {
        let frame = turned_frame(0.4, 0.5, 0.45, turn);
        let face = detector().detect(&frame).first().copied();
        if let Some(step) = session.feed(&frame, face.as_ref(), start + frame_time * i as u32) {
            steps.push(match step {
                Step::Captured { .. } => "Captured".to_string(),
                other => format!("{other:?}"),
            });
        }
    }
    assert_eq!(steps, ["Move(TurnLeft)", "Move(TurnRight)", "FaceFront", "Captured"]);
}
