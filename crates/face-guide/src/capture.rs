//! Taking the picture with no button: once the hints have said Good for about a second, the
//! best frame of that second is the picture.

use std::time::{Duration, Instant};

use image::RgbImage;

use crate::{Face, Hint, Point};

/// Collects good frames and says when to take the picture.
pub struct AutoCapture {
    hold: Duration,
    /// The picture's ideal face centre, for the "most centred" part of the quality.
    target: Point,
    /// Since when the frames have been good, and the best of them with its quality.
    window: Option<(Instant, RgbImage, f32)>,
}

impl AutoCapture {
    /// `hold`: how long the conditions must hold (about a second); `target`: where the face
    /// should be (the guide's target).
    pub fn new(hold: Duration, target: Point) -> AutoCapture {
        AutoCapture { hold, target, window: None }
    }

    /// Feed each frame with its face and hint, in order. Returns the picture once the hint has
    /// been [`Hint::Good`] for `hold`: the sharpest, best-centred good frame of that time.
    /// Any other hint starts the wait again; after a picture, so does the next good frame.
    pub fn feed(&mut self, frame: &RgbImage, face: Option<&Face>, hint: Hint, now: Instant) -> Option<RgbImage> {
        let (Hint::Good, Some(face)) = (hint, face) else {
            self.window = None;
            return None;
        };
        let score = quality(frame, face, self.target);
        match &mut self.window {
            None => self.window = Some((now, frame.clone(), score)),
            Some((_, best, best_score)) => {
                if score > *best_score {
                    *best = frame.clone();
                    *best_score = score;
                }
            }
        }
        let (since, _, _) = self.window.as_ref()?;
        if now.saturating_duration_since(*since) >= self.hold {
            self.window.take().map(|(_, best, _)| best)
        } else {
            None
        }
    }
}

/// Sharpness of the face (mean absolute Laplacian of its luma: blur and motion lower it),
/// lowered by up to a half as the face moves off the target.
pub fn quality(frame: &RgbImage, face: &Face, target: Point) -> f32 {
    // The Laplacian needs a pixel on each side.
    if frame.width() < 3 || frame.height() < 3 {
        return 0.0;
    }
    let (w, h) = (frame.width() as i64, frame.height() as i64);
    let x0 = (((face.center.x - face.width / 2.0) * w as f32) as i64).clamp(1, w - 2);
    let x1 = (((face.center.x + face.width / 2.0) * w as f32) as i64).clamp(1, w - 2);
    let y0 = (((face.center.y - face.height / 2.0) * h as f32) as i64).clamp(1, h - 2);
    let y1 = (((face.center.y + face.height / 2.0) * h as f32) as i64).clamp(1, h - 2);
    let luma = |x: i64, y: i64| {
        let [r, g, b] = frame.get_pixel(x as u32, y as u32).0;
        0.299 * r as f32 + 0.587 * g as f32 + 0.114 * b as f32
    };
    // At most about 64x64 samples, however large the face.
    let step = ((x1 - x0).max(y1 - y0) / 64).max(1) as usize;
    let (mut sum, mut count) = (0.0, 0);
    for y in (y0..=y1).step_by(step) {
        for x in (x0..=x1).step_by(step) {
            let laplacian = 4.0 * luma(x, y) - luma(x - 1, y) - luma(x + 1, y) - luma(x, y - 1) - luma(x, y + 1);
            sum += laplacian.abs();
            count += 1;
        }
    }
    let sharpness = sum / count.max(1) as f32;
    let off_centre = (face.center.x - target.x).hypot(face.center.y - target.y);
    sharpness * (1.0 - off_centre.min(0.5))
}
