//! Reading QR codes from camera frames.

use image::GrayImage;

/// A QR decoder: the text of the first code found in `image`, if any.
pub trait QrDecoder: Send {
    fn decode(&mut self, image: &GrayImage) -> Option<String>;
}
