//! QR decoding with rqrr behind a ladder of image preparations.
//!
//! rqrr alone misses codes that a camera sees every day: light-on-dark phone screens, glare
//! and dim or uneven light (its own threshold is a running row average), noise and screen
//! moiré, and codes of 2-3 pixels per module. Each rung of the ladder prepares the frame
//! differently and hands it to rqrr; the first payload wins. rqrr checks the code's error
//! correction, so a wrong rung yields nothing rather than a misread.

use super::QrDecoder;
use image::imageops::{self, FilterType};
use image::GrayImage;
use rqrr::PreparedImage;
use std::fmt;
use std::str::FromStr;

/// The resolution a rung works at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// Frames wider than `HALVE_ABOVE` pixels, halved (2x2 averages); others as they are.
    /// Averaging also smooths sensor noise and screen moiré.
    Work,
    /// The frame as the camera gave it.
    Full,
    /// Twice the frame's size (bilinear), for codes of 2-3 pixels per module.
    Double,
}

/// How a rung turns grey into black and white.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binarize {
    /// rqrr's own threshold (a running average along each row).
    Rqrr,
    /// Local mean over a square window: robust to glare, gradients and low contrast.
    Adaptive,
    /// `Adaptive` with black and white swapped, for light-on-dark codes (dark-mode screens).
    AdaptiveInverted,
}

/// One attempt: a scale and a threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rung {
    pub scale: Scale,
    pub binarize: Binarize,
}

/// Frames wider than this are halved on `Scale::Work` rungs.
const HALVE_ABOVE: u32 = 960;

/// The default ladder, chosen on the benchmark set (docs/qr-benchmark.md): the full frame
/// with the local threshold finds the most codes on its own; rqrr's own threshold adds a
/// few; the inverted pass at the working scale is cheap and the only one that reads
/// dark-mode screens. Doubling the frame would add a tenth of the codes but costs hundreds
/// of milliseconds on frames without a code, so it is left out.
pub const LADDER: [Rung; 3] = [
    Rung { scale: Scale::Full, binarize: Binarize::Adaptive },
    Rung { scale: Scale::Full, binarize: Binarize::Rqrr },
    Rung { scale: Scale::Work, binarize: Binarize::AdaptiveInverted },
];

/// rqrr with a ladder of preparations; see the module documentation.
pub struct RqrrDecoder {
    ladder: Vec<Rung>,
}

impl Default for RqrrDecoder {
    fn default() -> Self {
        Self::with_ladder(LADDER.to_vec())
    }
}

impl RqrrDecoder {
    pub fn with_ladder(ladder: Vec<Rung>) -> Self {
        Self { ladder }
    }

    /// The payload and the index of the rung that found it.
    pub fn decode_with_rung(&self, image: &GrayImage) -> Option<(String, usize)> {
        let mut work = None;
        let mut double = None;
        self.ladder.iter().enumerate().find_map(|(index, rung)| {
            let scaled = match rung.scale {
                Scale::Full => image,
                Scale::Work if image.width() <= HALVE_ABOVE => image,
                Scale::Work => work.get_or_insert_with(|| halve(image)),
                Scale::Double => double.get_or_insert_with(|| {
                    imageops::resize(image, image.width() * 2, image.height() * 2, FilterType::Triangle)
                }),
            };
            decode_rung(scaled, rung.binarize).map(|payload| (payload, index))
        })
    }
}

impl QrDecoder for RqrrDecoder {
    fn decode(&mut self, image: &GrayImage) -> Option<String> {
        self.decode_with_rung(image).map(|(payload, _)| payload)
    }
}

fn decode_rung(image: &GrayImage, binarize: Binarize) -> Option<String> {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let mut prepared = match binarize {
        Binarize::Rqrr => PreparedImage::prepare_from_greyscale(w, h, |x, y| image.as_raw()[y * w + x]),
        Binarize::Adaptive | Binarize::AdaptiveInverted => {
            let dark = adaptive_threshold(image);
            let inverted = binarize == Binarize::AdaptiveInverted;
            PreparedImage::prepare_from_bitmap(w, h, |x, y| dark[y * w + x] != inverted)
        }
    };
    prepared.detect_grids().into_iter().find_map(|grid| grid.decode().ok().map(|(_, payload)| payload))
}

/// 2x2 averages: half the width and height.
fn halve(image: &GrayImage) -> GrayImage {
    let src = image.as_raw();
    let w = image.width() as usize;
    GrayImage::from_fn(image.width() / 2, image.height() / 2, |x, y| {
        let i = 2 * y as usize * w + 2 * x as usize;
        let sum = src[i] as u16 + src[i + 1] as u16 + src[i + w] as u16 + src[i + w + 1] as u16;
        image::Luma([(sum / 4) as u8])
    })
}

/// Dark where a pixel is below its window's mean by more than `MARGIN_PERCENT`.
/// The window (about a sixteenth of the frame) spans several modules of any readable code.
fn adaptive_threshold(image: &GrayImage) -> Vec<bool> {
    const MARGIN_PERCENT: u64 = 10;
    let (w, h) = (image.width() as usize, image.height() as usize);
    let src = image.as_raw();
    // integral image with a zero row and column in front
    let mut integral = vec![0u64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row_sum = 0u64;
        for x in 0..w {
            row_sum += src[y * w + x] as u64;
            integral[(y + 1) * (w + 1) + x + 1] = integral[y * (w + 1) + x + 1] + row_sum;
        }
    }
    let radius = (w.max(h) / 32).max(4);
    let mut dark = vec![false; w * h];
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(radius), (y + radius + 1).min(h));
        for x in 0..w {
            let (x0, x1) = (x.saturating_sub(radius), (x + radius + 1).min(w));
            let sum = integral[y1 * (w + 1) + x1] + integral[y0 * (w + 1) + x0]
                - integral[y0 * (w + 1) + x1]
                - integral[y1 * (w + 1) + x0];
            let area = ((x1 - x0) * (y1 - y0)) as u64;
            dark[y * w + x] = src[y * w + x] as u64 * area * 100 < sum * (100 - MARGIN_PERCENT);
        }
    }
    dark
}

impl fmt::Display for Rung {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = match self.scale {
            Scale::Work => "work",
            Scale::Full => "full",
            Scale::Double => "double",
        };
        let binarize = match self.binarize {
            Binarize::Rqrr => "rqrr",
            Binarize::Adaptive => "adaptive",
            Binarize::AdaptiveInverted => "inverted",
        };
        write!(f, "{scale}-{binarize}")
    }
}

/// Parses the `Display` form, e.g. `work-adaptive` or `double-inverted`.
impl FromStr for Rung {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (scale, binarize) = s.split_once('-').ok_or_else(|| format!("not SCALE-THRESHOLD: {s}"))?;
        let scale = match scale {
            "work" => Scale::Work,
            "full" => Scale::Full,
            "double" => Scale::Double,
            _ => return Err(format!("unknown scale {scale} (work, full, double)")),
        };
        let binarize = match binarize {
            "rqrr" => Binarize::Rqrr,
            "adaptive" => Binarize::Adaptive,
            "inverted" => Binarize::AdaptiveInverted,
            _ => return Err(format!("unknown threshold {binarize} (rqrr, adaptive, inverted)")),
        };
        Ok(Rung { scale, binarize })
    }
}
