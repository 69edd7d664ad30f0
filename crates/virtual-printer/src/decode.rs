//! ESC/POS stream → image.

use std::fmt;

use image::{GrayImage, Luma};

/// What a captured ESC/POS stream would have printed.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// Every raster band stacked top to bottom: black (0) where a dot is burnt, else white (255).
    pub image: GrayImage,
    /// Whether the printer was reset (`ESC @`) before the first image band.
    pub initialized: bool,
    /// The raster bands' heights in rows, in order.
    pub band_rows: Vec<u32>,
    /// The `n` of each real-time status query (`DLE EOT n`), in order.
    pub status_queries: Vec<u8>,
    /// Lines fed with `ESC d n`, added up.
    pub feed_lines: u32,
    /// Every cut, in order.
    pub cuts: Vec<Cut>,
}

impl Decoded {
    /// Whether the paper was cut after the last printed row, so the ticket came off.
    pub fn paper_cut(&self) -> bool {
        self.cuts.last().is_some_and(|cut| cut.after_row == self.image.height())
    }
}

/// A `GS V` cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// Full or partial.
    pub kind: CutKind,
    /// How many image rows had been printed before it.
    pub after_row: u32,
}

/// The two kinds of cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutKind {
    /// Cut through.
    Full,
    /// One point left uncut, so the ticket hangs until taken.
    Partial,
}

/// Where and why a stream could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset of the command that failed.
    pub offset: usize,
    /// What was wrong there.
    pub reason: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ESC/POS stream, byte {}: {}", self.offset, self.reason)
    }
}

impl std::error::Error for DecodeError {}

/// One command of the stream.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command<'a> {
    Initialize,
    /// `GS v 0` at normal density: `width_bytes` bytes a row, MSB leftmost, 1 = black.
    Raster {
        width_bytes: usize,
        rows: usize,
        data: &'a [u8],
    },
    Feed(u8),
    Cut(CutKind),
    StatusQuery(u8),
}

/// The next command at the start of `bytes`, with its length; `Ok(None)` when `bytes` holds only
/// the beginning of one (the server waits for more; [`decode`] calls it truncated).
pub(crate) fn next_command(bytes: &[u8]) -> Result<Option<(Command<'_>, usize)>, String> {
    const ESC: u8 = 0x1B;
    const GS: u8 = 0x1D;
    const DLE: u8 = 0x10;
    const EOT: u8 = 0x04;
    let byte = |i: usize| bytes.get(i).copied();
    let Some(first) = byte(0) else { return Ok(None) };
    let Some(second) = byte(1) else { return Ok(None) };
    match (first, second) {
        (ESC, b'@') => Ok(Some((Command::Initialize, 2))),
        (ESC, b'd') => Ok(byte(2).map(|n| (Command::Feed(n), 3))),
        (DLE, EOT) => match byte(2) {
            None => Ok(None),
            Some(n @ 1..=4) => Ok(Some((Command::StatusQuery(n), 3))),
            Some(n) => Err(format!("DLE EOT with n = {n}")),
        },
        (GS, b'V') => match byte(2) {
            None => Ok(None),
            Some(0 | 48) => Ok(Some((Command::Cut(CutKind::Full), 3))),
            Some(1 | 49) => Ok(Some((Command::Cut(CutKind::Partial), 3))),
            // Feed to the cutter (plus n units), then cut.
            Some(65) => Ok(byte(3).map(|_| (Command::Cut(CutKind::Full), 4))),
            Some(66) => Ok(byte(3).map(|_| (Command::Cut(CutKind::Partial), 4))),
            Some(m) => Err(format!("GS V with m = {m}")),
        },
        (GS, b'v') => {
            let Some(header) = bytes.get(2..8) else { return Ok(None) };
            if header[0] != b'0' {
                return Err(format!("GS v {} (only GS v 0 is raster)", header[0]));
            }
            if !matches!(header[1], 0 | 48) {
                return Err(format!("GS v 0 at scaled density m = {}", header[1]));
            }
            let width_bytes = usize::from(header[2]) | usize::from(header[3]) << 8;
            let rows = usize::from(header[4]) | usize::from(header[5]) << 8;
            if width_bytes == 0 || rows == 0 {
                return Err(format!("GS v 0 of {width_bytes} bytes x {rows} rows"));
            }
            let end = 8 + width_bytes * rows;
            Ok(bytes.get(8..end).map(|data| (Command::Raster { width_bytes, rows, data }, end)))
        }
        _ => Err(format!("unknown command starting {first:#04x} {second:#04x}")),
    }
}

/// Parses a whole ESC/POS stream (as the printer would have received it) into what it printed.
///
/// Raster bands must all have the same width. Unknown commands, text outside commands and a
/// stream that ends inside a command are errors.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let mut decoded = Decoded {
        image: GrayImage::new(0, 0),
        initialized: false,
        band_rows: Vec::new(),
        status_queries: Vec::new(),
        feed_lines: 0,
        cuts: Vec::new(),
    };
    // Packed rows, one bit a dot, of the fixed width set by the first band.
    let mut width_bytes = None;
    let mut raster = Vec::new();
    let mut offset = 0;
    while offset < bytes.len() {
        let fail = |reason: String| DecodeError { offset, reason };
        let (command, length) = next_command(&bytes[offset..])
            .map_err(fail)?
            .ok_or_else(|| fail("the stream ends inside this command".into()))?;
        match command {
            Command::Initialize => decoded.initialized |= decoded.band_rows.is_empty(),
            Command::Raster { width_bytes: width, rows, data } => {
                if *width_bytes.get_or_insert(width) != width {
                    return Err(fail(format!("a band {width} bytes wide after bands of {width_bytes:?}")));
                }
                raster.extend_from_slice(data);
                decoded.band_rows.push(rows as u32);
            }
            Command::Feed(lines) => decoded.feed_lines += u32::from(lines),
            Command::Cut(kind) => decoded.cuts.push(Cut { kind, after_row: decoded.band_rows.iter().sum() }),
            Command::StatusQuery(n) => decoded.status_queries.push(n),
        }
        offset += length;
    }
    if let Some(width_bytes) = width_bytes {
        let height = raster.len() / width_bytes;
        decoded.image = GrayImage::from_fn(width_bytes as u32 * 8, height as u32, |x, y| {
            let byte = raster[y as usize * width_bytes + x as usize / 8];
            let black = byte & (0x80 >> (x % 8)) != 0;
            Luma([if black { 0 } else { 255 }])
        });
    }
    Ok(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_two_band_ticket_with_a_cut_decodes_to_its_image() {
        let mut stream = vec![0x1B, b'@'];
        // Band 1: 1 byte wide, 2 rows: leftmost dot, then rightmost dot.
        stream.extend([0x1D, b'v', b'0', 0, 1, 0, 2, 0, 0b1000_0000, 0b0000_0001]);
        stream.extend([0x10, 0x04, 4]);
        stream.extend([0x1D, b'v', b'0', 0, 1, 0, 1, 0, 0xFF]);
        stream.extend([0x1B, b'd', 3, 0x1D, b'V', 66, 0]);
        let decoded = decode(&stream).unwrap();
        assert!(decoded.initialized);
        assert_eq!((decoded.image.width(), decoded.image.height()), (8, 3));
        assert_eq!(decoded.image.get_pixel(0, 0).0, [0]);
        assert_eq!(decoded.image.get_pixel(1, 0).0, [255]);
        assert_eq!(decoded.image.get_pixel(7, 1).0, [0]);
        assert!((0..8).all(|x| decoded.image.get_pixel(x, 2).0 == [0]));
        assert_eq!(decoded.band_rows, [2, 1]);
        assert_eq!(decoded.status_queries, [4]);
        assert_eq!(decoded.feed_lines, 3);
        assert_eq!(decoded.cuts, [Cut { kind: CutKind::Partial, after_row: 3 }]);
        assert!(decoded.paper_cut());
    }

    #[test]
    fn text_outside_commands_is_an_error() {
        let error = decode(b"\x1b@Hello").unwrap_err();
        assert_eq!(error.offset, 2);
    }

    #[test]
    fn a_stream_cut_off_inside_a_band_is_an_error() {
        let error = decode(&[0x1D, b'v', b'0', 0, 2, 0, 2, 0, 0xFF]).unwrap_err();
        assert!(error.reason.contains("ends inside"), "{error}");
    }

    #[test]
    fn bands_of_different_widths_are_an_error() {
        let stream = [0x1D, b'v', b'0', 0, 1, 0, 1, 0, 0xFF, 0x1D, b'v', b'0', 0, 2, 0, 1, 0, 0xFF, 0xFF];
        assert!(decode(&stream).is_err());
    }

    #[test]
    fn without_a_cut_the_paper_is_not_cut() {
        let decoded = decode(&[0x1B, b'@', 0x1D, b'v', b'0', 0, 1, 0, 1, 0, 0xFF]).unwrap();
        assert!(!decoded.paper_cut());
    }
}
