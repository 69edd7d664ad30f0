//! When hints are said, and when the picture is taken, with time passed in.

use std::time::{Duration, Instant};

use face_guide::{quality, AutoCapture, Face, Hint, HintPacer, Model, Point};
use image::{Rgb, RgbImage};

const FRAME: Duration = Duration::from_micros(66_667);

/// Feeds hints at 15 fps; returns (frame index, hint) for each one said.
fn said(hints: &[Hint]) -> Vec<(usize, Hint)> {
    let start = Instant::now();
    let mut pacer = HintPacer::default();
    hints
        .iter()
        .enumerate()
        .filter_map(|(i, hint)| pacer.pace(*hint, start + FRAME * i as u32).map(|h| (i, h)))
        .collect()
}

#[test]
fn a_steady_hint_is_said_once_settled_and_repeated_every_two_and_a_half_seconds() {
    let spoken = said(&[Hint::MoveLeft; 15 * 6]);
    let frames: Vec<usize> = spoken.iter().map(|(i, _)| *i).collect();
    // Settled after 0.3 s (frame 5), then every 2.5 s (38 frames, rounded up).
    assert_eq!(frames, [5, 43, 81]);
}

#[test]
fn a_hint_of_one_frame_is_never_said() {
    let mut hints = vec![Hint::Good; 30];
    hints[20] = Hint::MoveRight;
    assert_eq!(said(&hints), [(5, Hint::Good)]);
}

#[test]
fn a_new_hint_waits_for_the_last_one_to_be_heard() {
    let mut hints = vec![Hint::TooFar; 10];
    hints.extend([Hint::MoveUp; 30]);
    // TooFar said at frame 5; MoveUp settled at frame 15 but waits until 1.5 s after that.
    assert_eq!(said(&hints), [(5, Hint::TooFar), (28, Hint::MoveUp)]);
}

fn face_at(x: f32) -> Face {
    Face {
        center: Point { x, y: 0.45 },
        width: 0.3,
        height: 0.4,
        keypoints: [Point { x, y: 0.45 }; 6],
        score: 0.9,
        model: Model::Front,
    }
}

/// A 64x48 frame with a checkerboard of the given contrast: higher contrast, sharper.
fn frame(contrast: u8) -> RgbImage {
    RgbImage::from_fn(64, 48, |x, y| {
        let v = if (x + y) % 2 == 0 { 128 + contrast / 2 } else { 128 - contrast / 2 };
        Rgb([v, v, v])
    })
}

#[test]
fn quality_prefers_sharp_and_centred() {
    let centre = Point { x: 0.5, y: 0.45 };
    assert!(quality(&frame(80), &face_at(0.5), centre) > quality(&frame(40), &face_at(0.5), centre));
    assert!(quality(&frame(80), &face_at(0.5), centre) > quality(&frame(80), &face_at(0.7), centre));
}

#[test]
fn the_sharpest_good_frame_is_taken_after_a_second() {
    let start = Instant::now();
    let mut capture = AutoCapture::new(Duration::from_secs(1), Point { x: 0.5, y: 0.45 });
    let contrast = |i: u32| if i == 7 { 100 } else { 40 + i as u8 };
    let mut taken = None;
    for i in 0..20u32 {
        if let Some(picture) = capture.feed(&frame(contrast(i)), Some(&face_at(0.5)), Hint::Good, start + FRAME * i) {
            taken = Some((i, picture));
            break;
        }
    }
    let (i, picture) = taken.expect("a picture within 20 frames");
    assert_eq!(i, 15, "taken once a second of good frames has passed");
    assert_eq!(picture, frame(100), "the sharpest frame of that second");
}

#[test]
fn any_other_hint_starts_the_second_again() {
    let start = Instant::now();
    let mut capture = AutoCapture::new(Duration::from_secs(1), Point { x: 0.5, y: 0.45 });
    let hint = |i: u32| if i == 12 { Hint::HoldStill } else { Hint::Good };
    let taken: Vec<u32> = (0..40u32)
        .filter(|&i| capture.feed(&frame(60), Some(&face_at(0.5)), hint(i), start + FRAME * i).is_some())
        .collect();
    // Good again from frame 13: a picture at frame 28, and the next wait starts after it.
    assert_eq!(taken, [28]);
}

#[test]
fn no_face_means_no_picture() {
    let start = Instant::now();
    let mut capture = AutoCapture::new(Duration::from_secs(1), Point { x: 0.5, y: 0.45 });
    assert!((0..30u32).all(|i| capture.feed(&frame(60), None, Hint::Good, start + FRAME * i).is_none()));
}

#[test]
fn a_frame_too_small_for_sharpness_has_no_quality() {
    assert_eq!(quality(&RgbImage::new(2, 2), &face_at(0.5), Point { x: 0.5, y: 0.45 }), 0.0);
}
