//! Reading QR codes from camera frames.

mod rqrr_decoder;
#[cfg(feature = "zxing")]
mod zxing_decoder;

pub use rqrr_decoder::{Binarize, RqrrDecoder, Rung, Scale, LADDER};
#[cfg(feature = "zxing")]
pub use zxing_decoder::ZxingDecoder;

use image::GrayImage;

/// The kiosk's decoder: zxing-cpp where it is built in (the default), which reads more codes
/// and faster (docs/qr-benchmark.md); rqrr with its ladder otherwise.
pub fn decoder() -> Box<dyn QrDecoder> {
    #[cfg(feature = "zxing")]
    return Box::new(ZxingDecoder::default());
    #[cfg(not(feature = "zxing"))]
    return Box::new(RqrrDecoder::default());
}

/// A QR decoder: the text of the first code found in `image`, if any.
pub trait QrDecoder: Send {
    fn decode(&mut self, image: &GrayImage) -> Option<String>;
}
