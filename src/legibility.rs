//! Whether the smallest text a resident reads is large enough on this kiosk's panel: capitals
//! at least 4.8 mm high (ADA 707.7.2, measured on the capital I). The text sizes are in pixels
//! (ui/theme.slint); how large a pixel is depends on the panel, which the center names in the
//! configuration (`panel_inches`, `panel_pixels`).

use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

/// ADA 707.7.2: characters on screen at least 3/16 inch high, based on the capital I.
pub const MIN_CAP_HEIGHT_MM: f32 = 4.8;

/// The kiosk's screen: its diagonal and its resolution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Panel {
    pub diagonal_inches: f32,
    pub width_px: u32,
    pub height_px: u32,
}

impl Panel {
    /// The panel the kiosk is designed for: 21.5 inches, 1920x1080.
    pub const DEFAULT: Panel = Panel { diagonal_inches: 21.5, width_px: 1920, height_px: 1080 };

    /// The size of a pixel, in millimetres (square pixels).
    pub fn mm_per_px(&self) -> f32 {
        let diagonal_px = (self.width_px as f32).hypot(self.height_px as f32);
        self.diagonal_inches * 25.4 / diagonal_px
    }

    /// How tall the capitals of text `font_px` high are on this panel, for a font whose
    /// capitals are `cap_per_em` of its em.
    pub fn cap_height_mm(&self, font_px: f32, cap_per_em: f32) -> f32 {
        font_px * cap_per_em * self.mm_per_px()
    }
}

/// The capital height of a font file, as a share of its em: `sCapHeight / unitsPerEm` from
/// its OS/2 and head tables (of its first face, for a collection). Reads only those few
/// bytes: the kiosk's CJK font is a 19 MB collection, and the check runs during start-up.
pub fn cap_per_em(font: &mut (impl Read + Seek)) -> Option<f32> {
    let mut bytes = |at: u64, n: usize| {
        let mut buffer = vec![0; n];
        font.seek(SeekFrom::Start(at)).ok()?;
        font.read_exact(&mut buffer).ok()?;
        Some(buffer)
    };
    let u16_of = |b: &[u8], at: usize| b.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    let u32_of = |b: &[u8], at: usize| b.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let header = bytes(0, 16)?;
    let face = if header.get(..4)? == b"ttcf" { u32_of(&header, 12)? as u64 } else { 0 };
    let tables = u16_of(&bytes(face + 4, 2)?, 0)? as usize;
    let records = bytes(face + 12, 16 * tables)?;
    let table =
        |tag: &[u8]| records.chunks_exact(16).find(|record| &record[..4] == tag).and_then(|record| u32_of(record, 8));
    let (head, os2) = (table(b"head")? as u64, table(b"OS/2")? as u64);
    let units_per_em = u16_of(&bytes(head + 18, 2)?, 0)?;
    let os2 = bytes(os2, 90)?;
    // sCapHeight is in OS/2 version 2 and later.
    if u16_of(&os2, 0)? < 2 || units_per_em == 0 {
        return None;
    }
    let cap_height = u16_of(&os2, 88)? as i16;
    Some(cap_height as f32 / units_per_em as f32)
}

/// The file fontconfig gives for `family` in bold (the kiosk's labels), if it can say.
pub fn font_file(family: &str) -> Option<PathBuf> {
    let output =
        std::process::Command::new("fc-match").args(["-f", "%{file}", &format!("{family}:bold")]).output().ok()?;
    let path = PathBuf::from(String::from_utf8(output.stdout).ok()?);
    path.is_file().then_some(path)
}

/// A warning for the log when text `smallest_px` high is too small on `panel`, with the font
/// the kiosk draws in; `None` when it is large enough or the font cannot be read.
pub fn warning(panel: &Panel, smallest_px: f32, family: &str) -> Option<String> {
    let cap_per_em = cap_per_em(&mut std::fs::File::open(font_file(family)?).ok()?)?;
    let cap = panel.cap_height_mm(smallest_px, cap_per_em);
    (cap < MIN_CAP_HEIGHT_MM).then(|| {
        format!(
            "on a {}-inch {}x{} panel the smallest text's capitals are {cap:.1} mm high, under the \
             {MIN_CAP_HEIGHT_MM} mm minimum (ADA 707.7.2): use a larger panel or a lower resolution",
            panel.diagonal_inches, panel.width_px, panel.height_px
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pixel_of_the_default_panel_is_a_quarter_millimetre() {
        assert!((Panel::DEFAULT.mm_per_px() - 0.2479).abs() < 0.0005);
        let small = Panel { diagonal_inches: 15.6, ..Panel::DEFAULT };
        assert!(small.cap_height_mm(27.0, 0.733) < MIN_CAP_HEIGHT_MM);
    }

    #[test]
    fn reads_the_capital_height_of_the_kiosks_font() {
        let mut font =
            std::fs::File::open(font_file("Noto Sans CJK SC").expect("fonts-noto-cjk is installed")).unwrap();
        let cap = cap_per_em(&mut font).unwrap();
        assert!((0.70..0.76).contains(&cap), "Noto Sans CJK's capitals are 0.733 em: {cap}");
        assert_eq!(cap_per_em(&mut std::io::Cursor::new(b"not a font")), None);
    }
}
