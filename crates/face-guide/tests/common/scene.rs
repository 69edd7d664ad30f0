//! A resident in front of a kiosk camera, made from a real photograph (scikit-image's
//! astronaut.png, public domain): placed in a 640x480 frame at any size and place, and with
//! the head turned. Shared by the face crate's tests and the kiosk's headless pension test
//! (`#[path]`-included: it is not a test of its own).
#![allow(dead_code)] // each test uses its own share

use std::sync::OnceLock;

use image::{imageops, Rgb, RgbImage};

/// Where the face is in astronaut.png (found by the detector, checked by eye): centre and
/// box height, relative to the 512x512 photo.
pub const PHOTO_FACE: (f32, f32) = (0.44, 0.25);
pub const PHOTO_FACE_HEIGHT: f32 = 0.184;

pub fn photo() -> &'static RgbImage {
    static PHOTO: OnceLock<RgbImage> = OnceLock::new();
    PHOTO.get_or_init(|| {
        // Relative to this file, so it is found from either crate.
        image::load_from_memory(include_bytes!("../data/astronaut.png")).expect("test photo").to_rgb8()
    })
}

/// A 640x480 frame with the photo scaled so the face is `face_height` of the frame's height,
/// its centre at `(x, y)` (frame-relative); the rest is a grey wall.
pub fn frame(face_height: f32, x: f32, y: f32) -> RgbImage {
    let (w, h) = (640.0, 480.0);
    let side = (face_height * h / PHOTO_FACE_HEIGHT).round() as u32;
    let scaled = imageops::resize(photo(), side, side, imageops::FilterType::Triangle);
    let mut frame = RgbImage::from_pixel(640, 480, Rgb([170, 170, 165]));
    let left = (x * w - PHOTO_FACE.0 * side as f32).round() as i64;
    let top = (y * h - PHOTO_FACE.1 * side as f32).round() as i64;
    imageops::replace(&mut frame, &scaled, left, top);
    frame
}

/// [`frame`] with the head turned `turn` degrees to the resident's own left (negative: to
/// the right): the head is drawn as a cylinder turning about its vertical axis, so the nose
/// moves across the face and the far side narrows. The detector reads about 0.75 of the
/// turn (40° reads as about 30°).
pub fn turned_frame(face_height: f32, x: f32, y: f32, turn: f32) -> RgbImage {
    let flat = frame(face_height, x, y);
    if turn == 0.0 {
        return flat;
    }
    let (cx, cy) = (x * 640.0, y * 480.0);
    let radius = 0.57 * face_height * 480.0;
    let half_height = 0.88 * face_height * 480.0;
    let mut out = flat.clone();
    for py in 0..480u32 {
        let v = (py as f32 - cy) / half_height;
        if v.abs() >= 1.0 {
            continue;
        }
        // The whole turn at eye level, none at the crown and the chin.
        let angle = turn.to_radians() * (1.0 - v.powi(4));
        for px in 0..640u32 {
            let u = (px as f32 - cx) / radius;
            if u.abs() >= 1.0 {
                continue;
            }
            // The cylinder's point seen here was at `u.asin() - angle` before the turn.
            let before = u.asin() - angle;
            if before.abs() >= std::f32::consts::FRAC_PI_2 {
                continue;
            }
            let sx = (cx + radius * before.sin()).round().clamp(0.0, 639.0) as u32;
            out.put_pixel(px, py, *flat.get_pixel(sx, py));
        }
    }
    out
}
