//! A ticket drawn as a 1-bit image the width of the paper.

use std::fmt;

use ab_glyph::{point, Font, FontVec, PxScale, ScaleFont};
use image::{GrayImage, Luma};
use qrcode::{Color, EcLevel, QrCode};

use crate::font::TicketFont;

/// The paper roll, by width. Both print at 203 dpi (8 dots a millimetre).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Paper {
    /// 58 mm roll: 384 dots (48 mm) printable.
    Mm58,
    /// 80 mm roll: 576 dots (72 mm) printable.
    Mm80,
}

impl Paper {
    /// Printable width in dots; the rendered image is exactly this wide.
    pub const fn width_dots(self) -> u32 {
        match self {
            Paper::Mm58 => 384,
            Paper::Mm80 => 576,
        }
    }

    /// White space kept at each side of the text, in dots.
    const fn margin(self) -> u32 {
        match self {
            Paper::Mm58 => 8,
            Paper::Mm80 => 16,
        }
    }

    /// Em sizes in dots (8 dots = 1 mm) of the center name, the lines (and time), and the footer.
    /// The lines are 4–5 mm characters, readable without glasses by most older residents.
    const fn sizes(self) -> (f32, f32, f32) {
        match self {
            Paper::Mm58 => (34.0, 32.0, 26.0),
            Paper::Mm80 => (44.0, 40.0, 30.0),
        }
    }
}

/// What a queue ticket says, already in the resident's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketLayout {
    /// The service center's name, printed at the top.
    pub center_name: String,
    /// The queue number, e.g. "A012", printed very large.
    pub number: String,
    /// The ticket's lines, e.g. "业务：社保卡补办", "前面还有 3 人", "请到 3 号窗口".
    pub lines: Vec<String>,
    /// When the ticket was taken, e.g. "2026-12-05 14:03".
    pub issued_at: String,
    /// Encoded as a QR code under the time; no QR code when empty.
    pub qr_payload: String,
    /// Small print at the bottom.
    pub footer: Option<String>,
}

/// Why a ticket could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// The QR payload does not fit a QR code at error correction M with modules of at least
    /// 4 dots on this paper.
    QrPayloadTooLong {
        /// The payload's length in bytes.
        bytes: usize,
    },
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::QrPayloadTooLong { bytes } => {
                write!(f, "QR payload of {bytes} bytes is too long for a readable QR code on this paper")
            }
        }
    }
}

impl std::error::Error for RenderError {}

/// Where the baseline of CJK text sits below the top of its line, in ems: ideographs fill about
/// -0.12..0.88 em around it. (The font's own ascent, 1.16 em, would leave gaps between lines.)
const ASCENT_EM: f32 = 0.88;

/// Coverage at which a dot is burnt. A little under half, so thin strokes of the regular face
/// survive as at least one dot on the thermal head.
const INK_THRESHOLD: f32 = 0.4;

/// QR modules: at least 4 dots (0.5 mm) so phone cameras read them off thermal paper; the code
/// aims at about 30 mm wide with its 4-module quiet zone.
const QR_MIN_MODULE: u32 = 4;
const QR_MAX_MODULE: u32 = 8;
const QR_TARGET_DOTS: u32 = 240;
const QR_QUIET_MODULES: u32 = 4;

/// Draws the ticket, top to bottom: center name, number, lines, time, QR code, footer; every
/// text block centered and wrapped to the paper. The image is `paper.width_dots()` wide and
/// only black (0) and white (255).
pub fn render(layout: &TicketLayout, paper: Paper, font: &TicketFont) -> Result<GrayImage, RenderError> {
    let (title_em, body_em, footer_em) = paper.sizes();
    let mut sheet = Sheet::new(paper);
    sheet.gap(16.0);
    sheet.text(&font.bold, title_em, &layout.center_name);
    sheet.gap(8.0);
    sheet.rule();
    sheet.number(&font.bold, &layout.number);
    sheet.rule();
    sheet.gap(12.0);
    for line in &layout.lines {
        sheet.text(&font.bold, body_em, line);
    }
    sheet.gap(8.0);
    sheet.text(&font.regular, body_em, &layout.issued_at);
    if !layout.qr_payload.is_empty() {
        sheet.gap(8.0);
        sheet.qr(&layout.qr_payload)?;
    }
    if let Some(footer) = &layout.footer {
        sheet.gap(4.0);
        sheet.text(&font.regular, footer_em, footer);
    }
    sheet.gap(16.0);
    Ok(sheet.into_image())
}

/// A strip of paper that grows downwards as blocks are added.
struct Sheet {
    paper: Paper,
    width: u32,
    /// One flag a dot, row after row; true = black.
    dots: Vec<bool>,
    /// Where the next block starts.
    y: f32,
}

impl Sheet {
    fn new(paper: Paper) -> Sheet {
        Sheet { paper, width: paper.width_dots(), dots: Vec::new(), y: 0.0 }
    }

    fn gap(&mut self, dots: f32) {
        self.y += dots;
    }

    fn rows(&self) -> u32 {
        (self.dots.len() / self.width as usize) as u32
    }

    fn grow_to(&mut self, rows: u32) {
        if rows > self.rows() {
            self.dots.resize(rows as usize * self.width as usize, false);
        }
    }

    fn ink(&mut self, x: i32, y: i32) {
        if x < 0 || y < 0 || x >= self.width as i32 {
            return;
        }
        self.grow_to(y as u32 + 1);
        self.dots[y as usize * self.width as usize + x as usize] = true;
    }

    fn usable_width(&self) -> f32 {
        (self.width - 2 * self.paper.margin()) as f32
    }

    /// Centered text at `em` dots a character, wrapped; lines 1.3 em apart.
    fn text(&mut self, face: &FontVec, em: f32, text: &str) {
        let width = self.usable_width();
        for line in wrap(text, width, |candidate| text_width(face, em, candidate)) {
            self.line(face, em, &line);
            self.y += 0.3 * em;
        }
    }

    /// One centered line of text with its top at the current position.
    fn line(&mut self, face: &FontVec, em: f32, text: &str) {
        let scaled = face.as_scaled(em_scale(face, em));
        let mut x = (self.width as f32 - text_width(face, em, text)) / 2.0;
        let baseline = self.y + ASCENT_EM * em;
        let mut previous = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(previous) = previous {
                x += scaled.kern(previous, id);
            }
            previous = Some(id);
            let glyph = id.with_scale_and_position(scaled.scale(), point(x, baseline));
            x += scaled.h_advance(id);
            let Some(outline) = face.outline_glyph(glyph) else { continue };
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                if coverage >= INK_THRESHOLD {
                    self.ink(bounds.min.x as i32 + gx as i32, bounds.min.y as i32 + gy as i32);
                }
            });
        }
        self.y += em;
        self.grow_to(self.y.ceil() as u32);
    }

    /// The queue number on one line, as large as fits: about 90% of the usable width, but no
    /// taller than half the paper's width (a short number would be absurd). "A012" comes out
    /// with capitals about a third of the width tall.
    fn number(&mut self, face: &FontVec, number: &str) {
        let unit_width = text_width(face, 1.0, number).max(f32::EPSILON);
        let em = (0.9 * self.usable_width() / unit_width).min(0.5 * self.width as f32);
        // Capitals and digits reach 0.73 em above the baseline: start so that they, not the
        // ideographs' taller box, sit under the rule with a little air.
        self.y -= (ASCENT_EM - 0.73) * em - 0.08 * em;
        self.line(face, em, number);
        // No descenders in a queue number: the ideograph box's 0.12 em below is air enough.
    }

    /// A 2-dot dashed line across the usable width, with air around it.
    fn rule(&mut self) {
        self.y += 6.0;
        let top = self.y.round() as i32;
        let margin = self.paper.margin() as i32;
        for x in margin..self.width as i32 - margin {
            if x % 12 < 8 {
                self.ink(x, top);
                self.ink(x, top + 1);
            }
        }
        self.y += 2.0 + 6.0;
    }

    fn qr(&mut self, payload: &str) -> Result<(), RenderError> {
        let too_long = RenderError::QrPayloadTooLong { bytes: payload.len() };
        let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).map_err(|_| too_long.clone())?;
        let modules = code.width() as u32;
        let total = modules + 2 * QR_QUIET_MODULES;
        // The quiet zone may lie in the side margins: they are white paper too.
        let module = (QR_TARGET_DOTS / total).clamp(QR_MIN_MODULE, QR_MAX_MODULE);
        if total * module > self.width {
            return Err(too_long);
        }
        let left = ((self.width - modules * module) / 2) as i32;
        let top = (self.y.round() as u32 + QR_QUIET_MODULES * module) as i32;
        let colors = code.to_colors();
        for (i, color) in colors.iter().enumerate() {
            if *color != Color::Dark {
                continue;
            }
            let (col, row) = ((i as u32 % modules) as i32, (i as u32 / modules) as i32);
            for dy in 0..module as i32 {
                for dx in 0..module as i32 {
                    self.ink(left + col * module as i32 + dx, top + row * module as i32 + dy);
                }
            }
        }
        self.y += (total * module) as f32;
        self.grow_to(self.y.ceil() as u32);
        Ok(())
    }

    fn into_image(mut self) -> GrayImage {
        self.grow_to(self.y.ceil() as u32);
        let (width, rows) = (self.width, self.rows());
        GrayImage::from_fn(width, rows, |x, y| Luma([if self.dots[(y * width + x) as usize] { 0 } else { 255 }]))
    }
}

/// The scale at which one em of `face` is `em` dots (ab_glyph scales by the ascent-to-descent
/// height, which for Noto CJK is 1.45 em).
fn em_scale(face: &FontVec, em: f32) -> PxScale {
    let units_per_em = face.units_per_em().unwrap_or(1000.0);
    PxScale::from(em * face.height_unscaled() / units_per_em)
}

/// The advance width of `text` at `em` dots a character, kerning included.
fn text_width(face: &FontVec, em: f32, text: &str) -> f32 {
    let scaled = face.as_scaled(em_scale(face, em));
    let mut width = 0.0;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(previous) = previous {
            width += scaled.kern(previous, id);
        }
        width += scaled.h_advance(id);
        previous = Some(id);
    }
    width
}

/// Chinese, Japanese and Korean characters and their punctuation: a line may break before or
/// after any of them.
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}')
}

/// Punctuation that must not start a line: it stays with the character before it.
fn closes(c: char) -> bool {
    "，。、；：？！）》」』】”’,.;:?!)".contains(c)
}

/// Splits `text` into lines no wider than `max_width` as `measure` measures them. Chinese breaks
/// between any two characters, other scripts at spaces; a word wider than a line on its own is
/// broken between characters.
fn wrap(text: &str, max_width: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    // Unbreakable pieces, each with whether a space came before it.
    let mut pieces: Vec<(bool, String)> = Vec::new();
    let mut space_before = false;
    let mut in_word = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space_before = true;
            in_word = false;
        } else if closes(c) && !space_before && !pieces.is_empty() {
            if let Some((_, last)) = pieces.last_mut() {
                last.push(c);
            }
        } else if is_cjk(c) || !in_word {
            pieces.push((space_before, c.to_string()));
            space_before = false;
            in_word = !is_cjk(c);
        } else if let Some((_, last)) = pieces.last_mut() {
            last.push(c);
        }
    }

    let mut lines = Vec::new();
    let mut line = String::new();
    for (space, piece) in pieces {
        let joined = match (line.is_empty(), space) {
            (true, _) => piece.clone(),
            (false, true) => format!("{line} {piece}"),
            (false, false) => format!("{line}{piece}"),
        };
        if measure(&joined) <= max_width {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The piece starts a line; if it is still too wide, it is cut between characters.
        for c in piece.chars() {
            let longer = format!("{line}{c}");
            if measure(&longer) > max_width && !line.is_empty() {
                lines.push(std::mem::replace(&mut line, c.to_string()));
            } else {
                line = longer;
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character one unit wide.
    fn wrap_chars(text: &str, width: usize) -> Vec<String> {
        wrap(text, width as f32, |s| s.chars().count() as f32)
    }

    #[test]
    fn chinese_wraps_between_any_two_characters() {
        assert_eq!(wrap_chars("请到三号窗口办理业务", 4), ["请到三号", "窗口办理", "业务"]);
    }

    #[test]
    fn english_wraps_at_spaces() {
        assert_eq!(wrap_chars("Please go to window 3 now", 12), ["Please go to", "window 3 now"]);
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        assert_eq!(wrap_chars("请稍候，谢谢。", 3), ["请稍", "候，谢", "谢。"]);
    }

    #[test]
    fn mixed_text_breaks_at_spaces_and_around_chinese() {
        assert_eq!(wrap_chars("前面还有 3 人等候", 6), ["前面还有 3", "人等候"]);
    }

    #[test]
    fn a_word_longer_than_a_line_is_cut() {
        assert_eq!(wrap_chars("see https://example.org", 8), ["see", "https://", "example.", "org"]);
    }

    #[test]
    fn short_text_stays_on_one_line() {
        assert_eq!(wrap_chars("A012", 10), ["A012"]);
        assert!(wrap_chars("", 10).is_empty());
    }
}
