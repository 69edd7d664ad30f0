//! Reading QR codes from camera frames.

mod rqrr_decoder;
#[cfg(feature = "zxing")]
mod zxing_decoder;

pub use rqrr_decoder::{Binarize, RqrrDecoder, Rung, Scale, LADDER};
#[cfg(feature = "zxing")]
pub use zxing_decoder::ZxingDecoder;

use image::GrayImage;

/// The kiosk's decoder, chosen by measurement (docs/qr-benchmark.md): zxing-cpp where it is
/// built in (the default), then, on a frame it finds nothing in, rqrr on the halved frame
/// with an adaptive threshold, which reads some of zxing's misses (glare, defocus); rqrr with
/// its whole ladder otherwise.
pub fn decoder() -> Box<dyn QrDecoder> {
    #[cfg(feature = "zxing")]
    return Box::new(FirstOf(vec![Box::new(ZxingDecoder), Box::new(RqrrDecoder::with_ladder(vec![ZXING_FALLBACK]))]));
    #[cfg(not(feature = "zxing"))]
    return Box::new(RqrrDecoder::default());
}

/// The rqrr rung that adds most to zxing-cpp for its time.
#[cfg(feature = "zxing")]
const ZXING_FALLBACK: Rung = Rung { scale: Scale::Work, binarize: Binarize::Adaptive };

/// Decoders tried in turn: the first payload wins.
pub struct FirstOf(pub Vec<Box<dyn QrDecoder>>);

impl QrDecoder for FirstOf {
    fn decode(&mut self, image: &GrayImage) -> Option<String> {
        self.0.iter_mut().find_map(|decoder| decoder.decode(image))
    }
}

/// A QR decoder: the text of the first code found in `image`, if any.
pub trait QrDecoder: Send {
    fn decode(&mut self, image: &GrayImage) -> Option<String>;
}
