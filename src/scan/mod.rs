//! Reading QR codes from camera frames.

mod rqrr_decoder;
#[cfg(feature = "zxing")]
mod zxing_decoder;

pub use rqrr_decoder::{Binarize, RqrrDecoder, Rung, Scale, LADDER};
#[cfg(feature = "zxing")]
pub use zxing_decoder::ZxingDecoder;

use image::GrayImage;

/// A QR decoder: the text of the first code found in `image`, if any.
pub trait QrDecoder: Send {
    fn decode(&mut self, image: &GrayImage) -> Option<String>;
}
