//! The ESC/POS bytes: a raster image to print, and the real-time status replies.

use image::GrayImage;

use crate::PrintFault;

/// Rows per `GS v 0` band: cheap printers have receive buffers of a few kilobytes, and a band
/// is only printed once it has arrived whole.
pub const BAND_ROWS: u32 = 255;

/// Lines fed after the image before cutting, so the last line clears the cutter with a margin.
const FEED_LINES: u8 = 3;

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const DLE: u8 = 0x10;
const EOT: u8 = 0x04;

/// The ESC/POS job printing `bitmap` (dark pixels, below 128, are burnt): `ESC @` (reset),
/// the image in `GS v 0` bands of at most [`BAND_ROWS`] rows, `ESC d 3` (feed three lines)
/// and `GS V 66 0` (feed to the cutter, partial cut).
pub fn escpos(bitmap: &GrayImage) -> Vec<u8> {
    let width_bytes = bitmap.width().div_ceil(8);
    let mut job = vec![ESC, b'@'];
    for band_top in (0..bitmap.height()).step_by(BAND_ROWS as usize) {
        let rows = BAND_ROWS.min(bitmap.height() - band_top);
        // m = 0: normal density; then width in bytes and height in rows, little-endian.
        job.extend([GS, b'v', b'0', 0]);
        job.extend((width_bytes as u16).to_le_bytes());
        job.extend((rows as u16).to_le_bytes());
        for y in band_top..band_top + rows {
            for byte_x in 0..width_bytes {
                let mut byte = 0u8;
                for bit in 0..8 {
                    let x = byte_x * 8 + bit;
                    // The most significant bit is the leftmost dot; past the image is white.
                    if x < bitmap.width() && bitmap.get_pixel(x, y).0[0] < 128 {
                        byte |= 0x80 >> bit;
                    }
                }
                job.push(byte);
            }
        }
    }
    job.extend([ESC, b'd', FEED_LINES, GS, b'V', 66, 0]);
    job
}

/// `DLE EOT n`: transmit real-time status. Printers answer it at once, even offline or
/// with a full buffer.
pub(crate) fn status_query(n: u8) -> [u8; 3] {
    [DLE, EOT, n]
}

/// The three status queries asked before and after printing: printer (1), offline cause (2),
/// roll paper sensor (4).
pub(crate) const STATUS_KINDS: [u8; 3] = [1, 2, 4];

/// Every status byte has bits 1 and 4 set and bits 0 and 7 clear (Epson ESC/POS reference,
/// `DLE EOT`); anything else is not a status reply.
pub(crate) fn is_status_byte(byte: u8) -> bool {
    byte & 0b1001_0011 == 0b0001_0010
}

/// What the replies to `DLE EOT 1`, `2` and `4` mean for printing a ticket.
///
/// Paper near its end is only a warning: the roll still holds tickets.
pub(crate) fn interpret(printer: u8, offline_cause: u8, paper: u8) -> Result<crate::PrinterState, PrintFault> {
    const OFFLINE: u8 = 1 << 3; // DLE EOT 1
    const COVER_OPEN: u8 = 1 << 2; // DLE EOT 2
    const PAPER_END_STOP: u8 = 1 << 5; // DLE EOT 2
    const ERROR: u8 = 1 << 6; // DLE EOT 2
    const NEAR_END: u8 = 0b11 << 2; // DLE EOT 4, bits 2 and 3
    const PAPER_END: u8 = 0b11 << 5; // DLE EOT 4, bits 5 and 6
                                     // An open cover is checked first: the paper sensor often reads empty while the roll is
                                     // being changed.
    if offline_cause & COVER_OPEN != 0 {
        Err(PrintFault::CoverOpen)
    } else if paper & PAPER_END != 0 || offline_cause & PAPER_END_STOP != 0 {
        Err(PrintFault::PaperOut)
    } else if printer & OFFLINE != 0 || offline_cause & ERROR != 0 {
        Err(PrintFault::Offline)
    } else if paper & NEAR_END != 0 {
        Ok(crate::PrinterState::PaperNearEnd)
    } else {
        Ok(crate::PrinterState::Ready)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PrinterState;
    use image::Luma;

    #[test]
    fn a_tall_image_goes_in_bands_of_at_most_255_rows() {
        let image = GrayImage::from_pixel(10, 600, Luma([255]));
        let job = escpos(&image);
        let band_header = |rows: u16| {
            let [low, high] = rows.to_le_bytes();
            vec![GS, b'v', b'0', 0, 2, 0, low, high]
        };
        let band = |rows: u16| [band_header(rows), vec![0; 2 * rows as usize]].concat();
        let expected = [vec![ESC, b'@'], band(255), band(255), band(90), vec![ESC, b'd', 3, GS, b'V', 66, 0]].concat();
        assert_eq!(job, expected);
    }

    #[test]
    fn dark_pixels_are_set_bits_leftmost_first() {
        let image = GrayImage::from_fn(9, 1, |x, _| Luma([if x == 0 || x == 8 { 0 } else { 255 }]));
        let job = escpos(&image);
        assert_eq!(&job[10..12], [0b1000_0000, 0b1000_0000]);
    }

    #[test]
    fn status_bytes_are_recognised_by_their_fixed_bits() {
        assert!(is_status_byte(0x12));
        assert!(is_status_byte(0x7E));
        assert!(!is_status_byte(0x00));
        assert!(!is_status_byte(0x93));
    }

    #[test]
    fn replies_map_to_faults_and_warnings() {
        assert_eq!(interpret(0x12, 0x12, 0x12), Ok(PrinterState::Ready));
        assert_eq!(interpret(0x12, 0x12, 0x1E), Ok(PrinterState::PaperNearEnd));
        assert_eq!(interpret(0x1A, 0x32, 0x7E), Err(PrintFault::PaperOut));
        assert_eq!(interpret(0x1A, 0x16, 0x12), Err(PrintFault::CoverOpen));
        assert_eq!(interpret(0x1A, 0x36, 0x7E), Err(PrintFault::CoverOpen));
        assert_eq!(interpret(0x1A, 0x12, 0x12), Err(PrintFault::Offline));
        assert_eq!(interpret(0x12, 0x52, 0x12), Err(PrintFault::Offline));
    }
}
