//! QR decoding with the zxing-cpp C++ library (feature `zxing`, on by default).

use super::QrDecoder;
use image::GrayImage;
use zxingcpp::{BarcodeFormat, BarcodeReader, ImageFormat, ImageView};

/// zxing-cpp with its default effort (tries harder, inverted, rotated and downscaled),
/// reading QR codes only. It returns only codes whose error correction checks out.
#[derive(Default)]
pub struct ZxingDecoder;

impl QrDecoder for ZxingDecoder {
    fn decode(&mut self, image: &GrayImage) -> Option<String> {
        let view = ImageView::from_slice(image.as_raw(), image.width(), image.height(), ImageFormat::Lum).ok()?;
        // A reader holds a raw C pointer (not Send), so each call makes its own: cheap.
        let reader = BarcodeReader::new().formats([BarcodeFormat::QRCode]);
        reader.from(view).ok()?.into_iter().next().map(|code| code.text())
    }
}
