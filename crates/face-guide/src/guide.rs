//! From a frame and its face to one hint for the resident.

use std::time::{Duration, Instant};

use image::RgbImage;

use crate::{Face, Point};

/// What the resident should do next. The kiosk shows it in very large text and speaks it.
///
/// Directions are the **resident's own**: [`Hint::MoveLeft`] means "move to your left". On a
/// mirrored preview (the screen shows the resident as a mirror would) that is also towards the
/// left of the screen, so text, voice and picture agree. In the unmirrored camera frame the
/// resident's left is the image's right: a face too far to the image's left gets `MoveLeft`.
/// Up and down are the resident's too: `MoveDown` means lower your head (the face sits too
/// high in the frame).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hint {
    /// No face in the frame.
    NoFace,
    /// The face is too small: come closer.
    TooFar,
    /// The face fills too much of the frame: step back.
    TooClose,
    MoveLeft,
    MoveRight,
    MoveUp,
    MoveDown,
    /// The face (or the whole frame) is too dark.
    TooDark,
    /// The background is much brighter than the face (a window or a lamp behind).
    Backlit,
    /// The face is moving.
    HoldStill,
    /// Everything holds: keep still while the picture is taken.
    Good,
}

/// Limits of a good picture, in image-relative units. The defaults suit a kiosk camera at
/// face height, 640x480 or 1280x720.
#[derive(Clone, Debug, PartialEq)]
pub struct GuideLimits {
    /// Face box height relative to the frame height: smaller is too far, larger too close.
    pub min_face_height: f32,
    pub max_face_height: f32,
    /// Where the face centre should be, and how far from it it may sit on each axis.
    pub target: Point,
    pub tolerance_x: f32,
    pub tolerance_y: f32,
    /// Mean luma (0-255) of the face below which it is too dark.
    pub min_face_luma: f32,
    /// How much brighter (luma) the whole frame may be than the face before it is backlit.
    pub max_backlight: f32,
    /// Face movement, in face widths per second, above which the resident should hold still.
    pub max_speed: f32,
}

impl Default for GuideLimits {
    fn default() -> GuideLimits {
        GuideLimits {
            min_face_height: 0.25,
            max_face_height: 0.65,
            target: Point { x: 0.5, y: 0.45 },
            tolerance_x: 0.12,
            tolerance_y: 0.12,
            min_face_luma: 60.0,
            max_backlight: 60.0,
            max_speed: 0.6,
        }
    }
}

/// Turns frames and their detected faces into hints. It remembers the previous face, to tell
/// when the resident is moving.
pub struct Guide {
    limits: GuideLimits,
    previous: Option<(Face, Instant)>,
}

impl Guide {
    pub fn new(limits: GuideLimits) -> Guide {
        Guide { limits, previous: None }
    }

    /// The hint for this frame. `face` is the resident's face (the largest detection), or
    /// `None`; `now` is when the frame was taken. The checks go from what the resident must
    /// fix first (be seen at all, light, distance, place) to holding still.
    pub fn assess(&mut self, image: &RgbImage, face: Option<&Face>, now: Instant) -> Hint {
        let previous = self.previous.take();
        let Some(face) = face else {
            return if mean_luma(image, None) < self.limits.min_face_luma { Hint::TooDark } else { Hint::NoFace };
        };
        self.previous = Some((*face, now));
        let limits = &self.limits;
        // A small face is far away, unless the frame's edge cuts it: then it is placed first
        // and only told to come closer once whole.
        let cut = face.center.x - face.width / 2.0 < 0.0
            || face.center.x + face.width / 2.0 > 1.0
            || face.center.y - face.height / 2.0 < 0.0
            || face.center.y + face.height / 2.0 > 1.0;
        if face.height < limits.min_face_height && !cut {
            return Hint::TooFar;
        }
        // Backlight first: a face darkened by a bright window behind is fixed by turning away
        // from the window, not by more light.
        let face_luma = mean_luma(image, Some(face));
        if mean_luma(image, None) - face_luma > limits.max_backlight {
            return Hint::Backlit;
        }
        if face_luma < limits.min_face_luma {
            return Hint::TooDark;
        }
        if face.height > limits.max_face_height {
            return Hint::TooClose;
        }
        // The resident's left is the image's right (see `Hint`).
        let dx = face.center.x - limits.target.x;
        if dx < -limits.tolerance_x {
            return Hint::MoveLeft;
        }
        if dx > limits.tolerance_x {
            return Hint::MoveRight;
        }
        let dy = face.center.y - limits.target.y;
        if dy < -limits.tolerance_y {
            return Hint::MoveDown;
        }
        if dy > limits.tolerance_y {
            return Hint::MoveUp;
        }
        if face.height < limits.min_face_height {
            return Hint::TooFar;
        }
        if let Some((before, then)) = previous {
            // At least one frame time at 30 fps, so detector jitter is not read as speed.
            let seconds = now.saturating_duration_since(then).max(Duration::from_millis(33)).as_secs_f32();
            // In pixels, so a vertical move counts the same as a horizontal one.
            let (w, h) = (image.width() as f32, image.height() as f32);
            let moved = ((face.center.x - before.center.x) * w).hypot((face.center.y - before.center.y) * h);
            if moved / (face.width * w).max(1.0) / seconds > limits.max_speed {
                return Hint::HoldStill;
            }
        }
        Hint::Good
    }
}

/// Mean luma (BT.601) of the face box, or of the whole frame, sampling a grid of about 64x64
/// points so a large frame costs no more than a small one.
fn mean_luma(image: &RgbImage, face: Option<&Face>) -> f32 {
    if image.width() == 0 || image.height() == 0 {
        return 0.0;
    }
    let (w, h) = (image.width() as f32, image.height() as f32);
    let (x0, x1, y0, y1) = match face {
        // The inner part of the box: skin, not hair or background.
        Some(f) => (
            (f.center.x - f.width * 0.3) * w,
            (f.center.x + f.width * 0.3) * w,
            (f.center.y - f.height * 0.3) * h,
            (f.center.y + f.height * 0.3) * h,
        ),
        None => (0.0, w, 0.0, h),
    };
    let (x0, x1) = (x0.clamp(0.0, w - 1.0), x1.clamp(0.0, w - 1.0));
    let (y0, y1) = (y0.clamp(0.0, h - 1.0), y1.clamp(0.0, h - 1.0));
    let (mut sum, mut count) = (0.0, 0);
    for j in 0..64 {
        for i in 0..64 {
            let x = x0 + (x1 - x0) * (i as f32 + 0.5) / 64.0;
            let y = y0 + (y1 - y0) * (j as f32 + 0.5) / 64.0;
            let [r, g, b] = image.get_pixel(x as u32, y as u32).0;
            sum += 0.299 * r as f32 + 0.587 * g as f32 + 0.114 * b as f32;
            count += 1;
        }
    }
    sum / count as f32
}
