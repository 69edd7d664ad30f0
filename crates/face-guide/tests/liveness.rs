//! The head-turn check on synthetic keypoint tracks at 15 frames per second.

use std::time::{Duration, Instant};

use face_guide::{
    pitch_degrees, yaw_degrees, Face, Liveness, LivenessFailure, LivenessLimits, LivenessState, Model, Movement, Point,
    LEFT_EAR, LEFT_EYE, MOUTH, NOSE, RIGHT_EAR, RIGHT_EYE,
};

const FRAME: Duration = Duration::from_micros(66_667);

/// A face turned `yaw` degrees to the resident's left (negative: right), from a simple head:
/// ears on an axis through the head's centre, the nose tip 1.3 half-spans in front of it.
fn face_at_yaw(yaw: f32) -> Face {
    let (centre, half_span) = (0.5, 0.08);
    let theta = yaw.to_radians();
    let mut keypoints = [Point { x: centre, y: 0.45 }; 6];
    keypoints[RIGHT_EAR].x = centre - half_span * theta.cos();
    keypoints[LEFT_EAR].x = centre + half_span * theta.cos();
    keypoints[NOSE].x = centre + 1.3 * half_span * theta.sin();
    Face { center: Point { x: centre, y: 0.45 }, width: 0.3, height: 0.4, keypoints, score: 0.9, model: Model::Front }
}

/// A face pitched `pitch` degrees chin down (negative: up), from a simple head seen from the
/// front: eyes 0.5 above the nose's base and the mouth 0.5 below, all on one plane, the nose
/// tip 0.45 in front of it (in eyes-to-mouth distances of 0.1 of the frame).
fn face_at_pitch(pitch: f32) -> Face {
    let (centre, unit) = (0.45, 0.1);
    let theta = pitch.to_radians();
    // A point `up` above the base and `depth` in front of the plane, after the nod.
    let y = |up: f32, depth: f32| centre + unit * (-up * theta.cos() + depth * theta.sin());
    let mut face = face_at_yaw(0.0);
    face.keypoints[LEFT_EYE].y = y(0.5, 0.0);
    face.keypoints[RIGHT_EYE].y = y(0.5, 0.0);
    face.keypoints[NOSE].y = y(0.0, 0.45);
    face.keypoints[MOUTH].y = y(-0.5, 0.0);
    face
}

/// Feeds one angle per frame (None: no face) of `movement` and returns the state after each.
fn run_movement(movement: Movement, track: &[Option<f32>]) -> Vec<LivenessState> {
    let start = Instant::now();
    let mut check = Liveness::new(LivenessLimits::default(), movement, start);
    let face = match movement {
        Movement::TurnHead => face_at_yaw,
        Movement::Nod => face_at_pitch,
    };
    track.iter().enumerate().map(|(i, a)| check.update(a.map(face).as_ref(), start + FRAME * (i as u32 + 1))).collect()
}

/// Feeds one yaw per frame (None: no face) and returns the state after each.
fn run(track: &[Option<f32>]) -> Vec<LivenessState> {
    run_movement(Movement::TurnHead, track)
}

/// A slow sweep from one yaw to another at `speed` degrees per second.
fn sweep(from: f32, to: f32, speed: f32) -> Vec<Option<f32>> {
    let frames = ((to - from).abs() / speed * 15.0).ceil() as usize;
    (0..=frames).map(|i| Some(from + (to - from) * i as f32 / frames as f32)).collect()
}

#[test]
fn the_yaw_estimate_follows_the_head() {
    for yaw in [-40.0, -20.0, 0.0, 15.0, 35.0] {
        assert!((yaw_degrees(&face_at_yaw(yaw)) - yaw).abs() < 0.5, "{yaw}");
    }
}

#[test]
fn a_slow_turn_left_then_right_passes() {
    let mut track = vec![Some(0.0); 10];
    track.extend(sweep(0.0, 30.0, 25.0));
    track.extend(sweep(30.0, -30.0, 30.0));
    let states = run(&track);
    assert_eq!(states[0], LivenessState::First);
    let turned_left = states.iter().position(|s| *s == LivenessState::Second).expect("left turn seen");
    assert!(states[..turned_left].iter().all(|s| *s == LivenessState::First));
    assert_eq!(*states.last().unwrap(), LivenessState::Passed);
}

#[test]
fn turning_right_first_fails() {
    let mut track = vec![Some(0.0); 5];
    track.extend(sweep(0.0, -30.0, 25.0));
    assert_eq!(*run(&track).last().unwrap(), LivenessState::Failed(LivenessFailure::WrongDirection));
}

#[test]
fn a_jump_between_frames_is_too_fast() {
    let track = [Some(0.0), Some(2.0), Some(30.0)];
    assert_eq!(
        run(&track),
        [LivenessState::First, LivenessState::First, LivenessState::Failed(LivenessFailure::TooFast)]
    );
}

#[test]
fn a_face_that_does_not_turn_gets_half_a_minute_then_times_out() {
    // Detector jitter of ±3 degrees is neither a turn nor too fast.
    let track: Vec<Option<f32>> = (0..15 * 31).map(|i| Some(if i % 2 == 0 { 3.0 } else { -3.0 })).collect();
    let states = run(&track);
    assert_eq!(states[15 * 29], LivenessState::First, "a slow resident has time");
    assert_eq!(*states.last().unwrap(), LivenessState::Failed(LivenessFailure::NoMovement));
}

#[test]
fn the_pitch_estimate_follows_a_nod() {
    let front = face_guide::nose_drop(&face_at_pitch(0.0));
    for pitch in [-25.0, -10.0, 0.0, 12.0, 25.0] {
        let estimate = pitch_degrees(&face_at_pitch(pitch), front);
        assert!((estimate - pitch).abs() < 3.0, "{pitch}: {estimate}");
    }
}

#[test]
fn a_slow_nod_down_then_up_passes_for_a_resident_who_cannot_turn() {
    let mut track = vec![Some(0.0); 10];
    track.extend(sweep(0.0, 20.0, 15.0));
    track.extend(sweep(20.0, -18.0, 15.0));
    let states = run_movement(Movement::Nod, &track);
    assert_eq!(states[0], LivenessState::First);
    assert!(states.contains(&LivenessState::Second), "chin down seen");
    assert_eq!(*states.last().unwrap(), LivenessState::Passed);
}

#[test]
fn lifting_the_chin_first_fails_a_nod() {
    let mut track = vec![Some(0.0); 5];
    track.extend(sweep(0.0, -25.0, 15.0));
    let last = *run_movement(Movement::Nod, &track).last().unwrap();
    assert_eq!(last, LivenessState::Failed(LivenessFailure::WrongDirection));
}

#[test]
fn a_face_gone_too_long_fails() {
    let mut track = vec![Some(0.0); 5];
    track.extend([None; 20]);
    assert_eq!(run(&track)[8], LivenessState::First, "a short gap is forgiven");
    assert_eq!(*run(&track).last().unwrap(), LivenessState::Failed(LivenessFailure::FaceLost));
}

#[test]
fn a_finished_check_stays_finished() {
    let mut track = vec![Some(0.0), Some(40.0)];
    track.extend(sweep(0.0, 30.0, 20.0));
    assert!(run(&track)[1..].iter().all(|s| *s == LivenessState::Failed(LivenessFailure::TooFast)));
}

#[test]
fn a_small_face_counts_as_missing() {
    let start = Instant::now();
    let mut check = Liveness::new(LivenessLimits::default(), Movement::TurnHead, start);
    let mut far = face_at_yaw(-30.0);
    far.height = 0.15;
    for i in 1..10 {
        assert_eq!(check.update(Some(&far), start + FRAME * i), LivenessState::First);
    }
    assert_eq!(
        check.update(Some(&far), start + Duration::from_millis(1100)),
        LivenessState::Failed(LivenessFailure::FaceLost)
    );
}
