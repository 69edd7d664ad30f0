//! A reproducible set of synthetic webcam frames for QR decoder tests and benchmarks.
//!
//! Each image shows a receipt QR code (printed on paper or shown on a phone) or no code at
//! all, under one hard condition (small, tilted, blurred, noisy, dim, glare, screen moiré,
//! inverted, JPEG artefacts, clutter) on top of mild everyday imperfections. The same seed
//! gives the same images, byte for byte, whatever the number of threads.

use base64::Engine;
use image::codecs::jpeg::JpegEncoder;
use image::GrayImage;
use qrcode::{Color, EcLevel, QrCode};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::f32::consts::PI;
use std::fs;
use std::io::{self, BufRead, BufWriter, Write};
use std::path::Path;

/// Hard conditions, each with `IMAGES_PER_CONDITION` images; `none` has no code.
pub const CONDITIONS: [&str; 15] = [
    "clean",
    "small",
    "tilt",
    "rotation",
    "defocus",
    "motion",
    "noise",
    "low_light",
    "low_contrast",
    "glare",
    "screen",
    "inverted",
    "jpeg",
    "clutter",
    "none",
];
pub const IMAGES_PER_CONDITION: usize = 18;
pub const MANIFEST: &str = "manifest.tsv";

/// One image of the set; `payload` is empty when the image holds no code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub file: String,
    pub condition: String,
    pub payload: String,
}

/// Writes the whole set (images and `manifest.tsv`) into `dir` and returns its samples.
pub fn generate(dir: &Path, seed: u64) -> io::Result<Vec<Sample>> {
    generate_every(dir, seed, 1)
}

/// Like [`generate`] but keeps only every `step`-th image of each condition (a quick subset).
pub fn generate_every(dir: &Path, seed: u64, step: usize) -> io::Result<Vec<Sample>> {
    fs::create_dir_all(dir)?;
    let jobs: Vec<(usize, &str)> =
        CONDITIONS.iter().flat_map(|c| (0..IMAGES_PER_CONDITION).step_by(step).map(move |i| (i, *c))).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = jobs.len().div_ceil(threads);
    let samples = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|&(i, condition)| write_image(dir, seed, condition, i))
                        .collect::<io::Result<Vec<_>>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("generator thread panicked")).collect::<io::Result<Vec<Vec<_>>>>()
    })?;
    let samples: Vec<Sample> = samples.into_iter().flatten().collect();
    let mut manifest = BufWriter::new(fs::File::create(dir.join(MANIFEST))?);
    writeln!(manifest, "file\tcondition\tpayload")?;
    for s in &samples {
        writeln!(manifest, "{}\t{}\t{}", s.file, s.condition, s.payload)?;
    }
    manifest.flush()?;
    Ok(samples)
}

/// Reads the manifest that [`generate`] wrote into `dir`.
pub fn read_manifest(dir: &Path) -> io::Result<Vec<Sample>> {
    let file = io::BufReader::new(fs::File::open(dir.join(MANIFEST))?);
    let mut samples = Vec::new();
    for line in file.lines().skip(1) {
        let line = line?;
        let mut fields = line.split('\t');
        let (Some(file), Some(condition), Some(payload)) = (fields.next(), fields.next(), fields.next()) else {
            return Err(io::Error::new(io::ErrorKind::InvalidData, format!("bad manifest line: {line}")));
        };
        samples.push(Sample { file: file.into(), condition: condition.into(), payload: payload.into() });
    }
    Ok(samples)
}

fn write_image(dir: &Path, seed: u64, condition: &str, index: usize) -> io::Result<Sample> {
    let condition_index = CONDITIONS.iter().position(|c| *c == condition).unwrap() as u64;
    let mut rng =
        ChaCha8Rng::seed_from_u64(seed ^ (condition_index << 32 | index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let (image, payload, quality) = render(&mut rng, condition);
    let file = format!("{condition}-{index:02}.jpg");
    let mut out = BufWriter::new(fs::File::create(dir.join(&file))?);
    JpegEncoder::new_with_quality(&mut out, quality).encode_image(&image).map_err(io::Error::other)?;
    out.flush()?;
    Ok(Sample { file, condition: condition.into(), payload })
}

/// Frame sizes of common webcams.
const SIZES: [(usize, usize); 5] = [(640, 480), (800, 600), (1280, 720), (1280, 960), (1920, 1080)];
/// Texels per QR module in the rendered sheet.
const TEXELS_PER_MODULE: usize = 4;

/// A frame under construction: luminance in 0..=255 as f32.
struct Frame {
    w: usize,
    h: usize,
    px: Vec<f32>,
}

/// What the code is shown on.
#[derive(Clone, Copy, PartialEq)]
enum Medium {
    Paper,
    Screen { inverted: bool },
}

fn render(rng: &mut ChaCha8Rng, condition: &str) -> (GrayImage, String, u8) {
    let (w, h) = SIZES[rng.random_range(0..SIZES.len())];
    let mut frame = Frame { w, h, px: vec![0.0; w * h] };
    let clutter = if condition == "clutter" || condition == "none" { 60 } else { rng.random_range(4..20) };
    draw_background(&mut frame, rng, clutter);

    let payload = if condition == "none" {
        // a code-free sheet (a printed form or a phone with text) now and then
        if rng.random_bool(0.5) {
            let sheet = text_sheet(rng, 60, 80);
            place_sheet(&mut frame, rng, &sheet, 4.0, 10f32.to_radians(), 20f32.to_radians(), Medium::Paper);
        }
        String::new()
    } else {
        draw_code(&mut frame, rng, condition)
    };

    // Lighting: dim or bright, unevenly.
    let (dim, gradient) = match condition {
        "low_light" => (rng.random_range(0.18..0.32), 0.3),
        _ => (rng.random_range(0.85..1.05), rng.random_range(0.0..0.3)),
    };
    light(&mut frame, rng, dim, gradient);

    // Optics and motion, then sensor noise.
    let ppm_blur = rng.random_range(0.4..0.9);
    gaussian_blur(&mut frame, ppm_blur);
    let noise = match condition {
        "noise" => rng.random_range(14.0..24.0),
        "low_light" => rng.random_range(3.0..6.0),
        _ => rng.random_range(1.5..4.0),
    };
    add_noise(&mut frame, rng, noise);

    let quality = if condition == "jpeg" { rng.random_range(12..28) } else { rng.random_range(80..95) };
    let image = GrayImage::from_fn(w as u32, h as u32, |x, y| {
        image::Luma([frame.px[y as usize * w + x as usize].round().clamp(0.0, 255.0) as u8])
    });
    (image, payload, quality)
}

/// Draws the code for one condition and returns its payload.
fn draw_code(frame: &mut Frame, rng: &mut ChaCha8Rng, condition: &str) -> String {
    let payload = if rng.random_bool(0.85) { receipt_token(rng) } else { receipt_url(rng) };
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).expect("payload fits a QR code");
    let modules = code.width();

    let min_side = frame.w.min(frame.h) as f32;
    let mut ppm = match condition {
        "small" => rng.random_range(2.1f32..3.0),
        _ => rng.random_range(3.5..8.0),
    };
    ppm = ppm.min(0.75 * min_side / (modules + 8) as f32);
    let rotation = match condition {
        "rotation" => rng.random_range(0.0..2.0 * PI),
        _ => rng.random_range(-12f32..12.0).to_radians(),
    };
    let tilt = match condition {
        "tilt" => rng.random_range(25f32..40.0),
        _ => rng.random_range(0f32..12.0),
    }
    .to_radians();
    let medium = match condition {
        "screen" => Medium::Screen { inverted: false },
        "inverted" => Medium::Screen { inverted: true },
        _ => Medium::Paper,
    };
    let (ink, paper) = match (condition, medium) {
        ("low_contrast", _) => (rng.random_range(95.0..125.0), rng.random_range(150.0..185.0)),
        (_, Medium::Paper) => (rng.random_range(15.0..60.0), rng.random_range(175.0..235.0)),
        (_, Medium::Screen { .. }) => (rng.random_range(20.0..50.0), rng.random_range(200.0..250.0)),
    };
    let (ink, paper) = if medium == (Medium::Screen { inverted: true }) { (paper, ink) } else { (ink, paper) };

    let margin = if condition == "clutter" { 6 } else { rng.random_range(6..20) };
    // 6 extra rows above and below the code for the receipt's text
    let mut sheet = Sheet::blank(modules + 2 * margin, modules + 2 * margin + 12, paper);
    if medium == Medium::Paper {
        let lines = if condition == "clutter" { 6 } else { 3 };
        sheet.text_lines(rng, 0..(margin + 2) * TEXELS_PER_MODULE, lines, ink);
        let below = (margin + 10 + modules) * TEXELS_PER_MODULE..sheet.h;
        sheet.text_lines(rng, below, lines, ink);
    }
    let colors = code.to_colors();
    for (i, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let (mx, my) = (i % modules, i / modules);
            sheet.fill_rect(
                (margin + mx) * TEXELS_PER_MODULE,
                (margin + 6 + my) * TEXELS_PER_MODULE,
                TEXELS_PER_MODULE,
                TEXELS_PER_MODULE,
                ink,
            );
        }
    }
    let center = place_sheet(frame, rng, &sheet, ppm, rotation, tilt, medium);
    if condition == "glare" {
        glare(frame, rng, center, modules as f32 * ppm);
    }

    if condition == "defocus" {
        gaussian_blur(frame, ppm * rng.random_range(0.3..0.5));
    }
    if condition == "motion" {
        motion_blur(frame, ppm * rng.random_range(0.8..1.5), rng.random_range(0.0..PI));
    }
    payload
}

/// A signed pre-review receipt as the issuer encodes it: `R1.` and base64url bytes.
fn receipt_token(rng: &mut ChaCha8Rng) -> String {
    let bytes: Vec<u8> = (0..rng.random_range(125..=147)).map(|_| rng.random()).collect();
    format!("R1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn receipt_url(rng: &mut ChaCha8Rng) -> String {
    let id: String = (0..rng.random_range(16..40))
        .map(|_| char::from(b"abcdefghijkmnpqrstuvwxyz23456789"[rng.random_range(0..32)]))
        .collect();
    format!("https://zwfw.example.gov.cn/receipt/{id}")
}

/// A flat picture (paper sheet or screen) in texels, later projected into the frame.
struct Sheet {
    w: usize,
    h: usize,
    px: Vec<f32>,
}

impl Sheet {
    /// A blank sheet of `modules` x `modules_high` QR modules' size.
    fn blank(modules: usize, modules_high: usize, paper: f32) -> Self {
        let (w, h) = (modules * TEXELS_PER_MODULE, modules_high * TEXELS_PER_MODULE);
        Sheet { w, h, px: vec![paper; w * h] }
    }

    fn fill_rect(&mut self, x: usize, y: usize, w: usize, h: usize, v: f32) {
        for yy in y..(y + h).min(self.h) {
            for xx in x..(x + w).min(self.w) {
                self.px[yy * self.w + xx] = v;
            }
        }
    }

    /// Lines of glyph-like strokes (CJK-looking) within the rows `rows`.
    fn text_lines(&mut self, rng: &mut ChaCha8Rng, rows: std::ops::Range<usize>, lines: usize, ink: f32) {
        let glyph = 10;
        let mut y = rows.start + 2;
        for _ in 0..lines {
            if y + glyph > rows.end {
                break;
            }
            let mut x = rng.random_range(4..12);
            let end = self.w.saturating_sub(rng.random_range(4..self.w / 3 + 5));
            while x + glyph < end {
                for _ in 0..rng.random_range(2..5) {
                    if rng.random_bool(0.5) {
                        self.fill_rect(x, y + rng.random_range(0..glyph - 1), glyph, 1, ink);
                    } else {
                        self.fill_rect(x + rng.random_range(0..glyph - 1), y, 1, glyph, ink);
                    }
                }
                x += glyph + 3;
            }
            y += glyph + 6;
        }
    }
}

/// A sheet of `modules` x `modules_high` QR modules' size filled with text.
fn text_sheet(rng: &mut ChaCha8Rng, modules: usize, modules_high: usize) -> Sheet {
    let mut sheet = Sheet::blank(modules, modules_high, rng.random_range(170.0..230.0));
    let (h, ink) = (sheet.h, rng.random_range(20.0..70.0));
    sheet.text_lines(rng, 0..h, h / 16, ink);
    sheet
}

/// Projects `sheet` into the frame: `ppm` pixels per module, turned by `rotation` in its
/// plane and tilted by `tilt` about a random axis, seen through a pinhole camera. Returns
/// where the sheet's centre lands.
fn place_sheet(
    frame: &mut Frame,
    rng: &mut ChaCha8Rng,
    sheet: &Sheet,
    ppm: f32,
    rotation: f32,
    tilt: f32,
    medium: Medium,
) -> (f32, f32) {
    let scale = ppm / TEXELS_PER_MODULE as f32;
    let (sw, sh) = (sheet.w as f32 * scale, sheet.h as f32 * scale);
    let focal = frame.w as f32 * rng.random_range(0.9..1.4);
    let axis = rng.random_range(0.0..PI);
    // rotation matrix: in-plane rotation, then tilt about `axis`
    let (cr, sr) = (rotation.cos(), rotation.sin());
    let (ca, sa, ct, st) = (axis.cos(), axis.sin(), tilt.cos(), tilt.sin());
    let tilt_m = [
        [ca * ca + sa * sa * ct, ca * sa * (1.0 - ct), sa * st],
        [ca * sa * (1.0 - ct), sa * sa + ca * ca * ct, -ca * st],
        [-sa * st, ca * st, ct],
    ];
    let r = |i: usize, j: usize| -> f32 {
        let in_plane = [[cr, -sr], [sr, cr]];
        tilt_m[i][0] * in_plane[0][j] + tilt_m[i][1] * in_plane[1][j]
    };
    // keep the whole code (the middle of the sheet) in the frame
    let reach = 0.5 * sw.min(sh) * 1.2;
    let cx = rng.random_range(reach..(frame.w as f32 - reach).max(reach + 1.0));
    let cy = rng.random_range(reach..(frame.h as f32 - reach).max(reach + 1.0));
    // texel (u, v) -> image, as a 3x3 homography
    let a = [
        [focal * r(0, 0) + cx * r(2, 0), focal * r(0, 1) + cx * r(2, 1), cx * focal],
        [focal * r(1, 0) + cy * r(2, 0), focal * r(1, 1) + cy * r(2, 1), cy * focal],
        [r(2, 0), r(2, 1), focal],
    ];
    let to_metric = [[scale, 0.0, -sw / 2.0], [0.0, scale, -sh / 2.0], [0.0, 0.0, 1.0]];
    let h = mat_mul(&a, &to_metric);
    let inv = mat_inv(&h);

    let corners = [(0.0, 0.0), (sheet.w as f32, 0.0), (0.0, sheet.h as f32), (sheet.w as f32, sheet.h as f32)];
    let projected = corners.map(|(u, v)| apply(&h, u, v));
    let bound = |f: fn(&(f32, f32)) -> f32, max: usize| {
        let vals = projected.iter().map(f);
        let lo = vals.clone().fold(f32::MAX, f32::min).floor().max(0.0) as usize;
        let hi = (vals.fold(f32::MIN, f32::max).ceil() as usize).min(max);
        lo..hi
    };
    let (xs, ys) = (bound(|p| p.0, frame.w), bound(|p| p.1, frame.h));

    // screen pixel grid, a few screen pixels per module: the camera aliases it into moiré
    let pitch = TEXELS_PER_MODULE as f32 / rng.random_range(4.0..8.0);
    let bezel = rng.random_range(5.0..25.0);
    const SUB: [f32; 3] = [1.0 / 6.0, 0.5, 5.0 / 6.0];
    for y in ys {
        for x in xs.clone() {
            let mut sum = 0.0;
            let mut inside = 0;
            for dy in SUB {
                for dx in SUB {
                    let (u, v) = apply(&inv, x as f32 + dx, y as f32 + dy);
                    let Some(value) = sheet_sample(sheet, u, v, medium, bezel) else {
                        continue;
                    };
                    inside += 1;
                    sum += match medium {
                        Medium::Paper => value,
                        Medium::Screen { .. } => {
                            let grid = (2.0 * PI * u / pitch).cos() * (2.0 * PI * v / pitch).cos();
                            value * (0.8 + 0.2 * grid)
                        }
                    };
                }
            }
            if inside > 0 {
                let p = &mut frame.px[y * frame.w + x];
                *p = (*p * (9 - inside) as f32 + sum) / 9.0;
            }
        }
    }
    (cx, cy)
}

/// The sheet at texel (u, v); a phone has a dark bezel around its screen.
fn sheet_sample(sheet: &Sheet, u: f32, v: f32, medium: Medium, bezel: f32) -> Option<f32> {
    let border = if matches!(medium, Medium::Screen { .. }) { 12.0 } else { 0.0 };
    if u < -border || v < -border || u >= sheet.w as f32 + border || v >= sheet.h as f32 + border {
        return None;
    }
    if u < 0.0 || v < 0.0 || u >= sheet.w as f32 || v >= sheet.h as f32 {
        return Some(bezel);
    }
    Some(sheet.px[v as usize * sheet.w + u as usize])
}

fn mat_mul(a: &[[f32; 3]; 3], b: &[[f32; 3]; 3]) -> [[f32; 3]; 3] {
    let mut m = [[0.0; 3]; 3];
    for (i, row) in m.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            *cell = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    m
}

fn mat_inv(m: &[[f32; 3]; 3]) -> [[f32; 3]; 3] {
    let c = |r0: usize, c0: usize, r1: usize, c1: usize| m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0];
    let adj = [
        [c(1, 1, 2, 2), -c(0, 1, 2, 2), c(0, 1, 1, 2)],
        [-c(1, 0, 2, 2), c(0, 0, 2, 2), -c(0, 0, 1, 2)],
        [c(1, 0, 2, 1), -c(0, 0, 2, 1), c(0, 0, 1, 1)],
    ];
    let det = m[0][0] * adj[0][0] + m[0][1] * adj[1][0] + m[0][2] * adj[2][0];
    adj.map(|row| row.map(|v| v / det))
}

fn apply(m: &[[f32; 3]; 3], x: f32, y: f32) -> (f32, f32) {
    let w = m[2][0] * x + m[2][1] * y + m[2][2];
    ((m[0][0] * x + m[0][1] * y + m[0][2]) / w, (m[1][0] * x + m[1][1] * y + m[1][2]) / w)
}

/// A wall, a desk, a counter: a grey gradient with rectangles, bars, lines and text.
fn draw_background(frame: &mut Frame, rng: &mut ChaCha8Rng, shapes: usize) {
    let (w, h) = (frame.w, frame.h);
    let base = rng.random_range(60.0..180.0);
    let (gx, gy) = (rng.random_range(-60.0..60.0) / w as f32, rng.random_range(-60.0..60.0) / h as f32);
    for y in 0..h {
        for x in 0..w {
            frame.px[y * w + x] = base + gx * x as f32 + gy * y as f32;
        }
    }
    for _ in 0..shapes {
        let v = rng.random_range(10.0..245.0);
        let (x0, y0) = (rng.random_range(0..w), rng.random_range(0..h));
        match rng.random_range(0..4) {
            0 => {
                let (rw, rh) = (rng.random_range(10..w / 3), rng.random_range(10..h / 3));
                frame.fill_rect(x0, y0, rw, rh, v);
            }
            1 => {
                // barcode-like stripes
                let (bar_h, mut x) = (rng.random_range(20..h / 4), x0);
                for _ in 0..rng.random_range(10..40) {
                    let bw = rng.random_range(1..6);
                    frame.fill_rect(x, y0, bw, bar_h, 20.0);
                    x += bw + rng.random_range(1..6);
                }
            }
            2 => {
                // a line of text
                let size = rng.random_range(6..24);
                let mut x = x0;
                for _ in 0..rng.random_range(4..20) {
                    for _ in 0..rng.random_range(2..5) {
                        if rng.random_bool(0.5) {
                            frame.fill_rect(x, y0 + rng.random_range(0..size), size, size / 8 + 1, v.min(90.0));
                        } else {
                            frame.fill_rect(x + rng.random_range(0..size), y0, size / 8 + 1, size, v.min(90.0));
                        }
                    }
                    x += size + size / 3;
                }
            }
            _ => {
                // checkerboard: square-ish dark/light patterns that look a little like finders
                let cell = rng.random_range(3..16);
                for j in 0..rng.random_range(2..8) {
                    for i in 0..rng.random_range(2..8) {
                        if (i + j) % 2 == 0 {
                            frame.fill_rect(x0 + i * cell, y0 + j * cell, cell, cell, 25.0);
                        }
                    }
                }
            }
        }
    }
}

impl Frame {
    fn fill_rect(&mut self, x: usize, y: usize, w: usize, h: usize, v: f32) {
        for yy in y..(y + h).min(self.h) {
            self.px[yy * self.w + x.min(self.w)..yy * self.w + (x + w).min(self.w)].fill(v);
        }
    }
}

/// Scales the scene by `dim` and a linear light gradient of strength `gradient`.
fn light(frame: &mut Frame, rng: &mut ChaCha8Rng, dim: f32, gradient: f32) {
    let angle = rng.random_range(0.0..2.0 * PI);
    let (dx, dy) = (angle.cos() / frame.w as f32, angle.sin() / frame.h as f32);
    for y in 0..frame.h {
        for x in 0..frame.w {
            let t = (x as f32 - frame.w as f32 / 2.0) * dx + (y as f32 - frame.h as f32 / 2.0) * dy;
            frame.px[y * frame.w + x] *= dim * (1.0 + gradient * t);
        }
    }
}

/// A bright reflection (a ceiling lamp on glossy paper or glass) on a code of `side` pixels
/// centred at `center`.
fn glare(frame: &mut Frame, rng: &mut ChaCha8Rng, center: (f32, f32), side: f32) {
    let cx = center.0 + side * rng.random_range(-0.35..0.35);
    let cy = center.1 + side * rng.random_range(-0.35..0.35);
    let radius = side * rng.random_range(0.1..0.25);
    let peak = rng.random_range(150.0..300.0);
    for y in 0..frame.h {
        for x in 0..frame.w {
            let d2 = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)) / (radius * radius);
            if d2 < 9.0 {
                let p = &mut frame.px[y * frame.w + x];
                *p = (*p + peak * (-d2).exp()).min(255.0);
            }
        }
    }
}

fn gaussian_blur(frame: &mut Frame, sigma: f32) {
    let radius = (3.0 * sigma).ceil() as isize;
    let kernel: Vec<f32> = (-radius..=radius).map(|i| (-(i * i) as f32 / (2.0 * sigma * sigma)).exp()).collect();
    let total: f32 = kernel.iter().sum();
    let kernel: Vec<f32> = kernel.iter().map(|k| k / total).collect();
    convolve(frame, &kernel, 1, 0);
    convolve(frame, &kernel, 0, 1);
}

/// Averages each pixel with its neighbours along a line of `length` pixels at `angle`.
fn motion_blur(frame: &mut Frame, length: f32, angle: f32) {
    let taps = length.round().max(1.0) as isize;
    let (dx, dy) = (angle.cos(), angle.sin());
    let offsets: Vec<(isize, isize)> = (0..=taps)
        .map(|i| {
            let t = i as f32 - taps as f32 / 2.0;
            ((t * dx).round() as isize, (t * dy).round() as isize)
        })
        .collect();
    let src = frame.px.clone();
    let (w, h) = (frame.w as isize, frame.h as isize);
    for y in 0..h {
        for x in 0..w {
            let sum: f32 = offsets
                .iter()
                .map(|(ox, oy)| src[((y + oy).clamp(0, h - 1) * w + (x + ox).clamp(0, w - 1)) as usize])
                .sum();
            frame.px[(y * w + x) as usize] = sum / offsets.len() as f32;
        }
    }
}

/// One separable convolution pass along (`sx`, `sy`), edges clamped.
fn convolve(frame: &mut Frame, kernel: &[f32], sx: isize, sy: isize) {
    let radius = (kernel.len() / 2) as isize;
    let src = frame.px.clone();
    let (w, h) = (frame.w as isize, frame.h as isize);
    for y in 0..h {
        for x in 0..w {
            let mut sum = 0.0;
            for (k, weight) in kernel.iter().enumerate() {
                let o = k as isize - radius;
                let (xx, yy) = ((x + o * sx).clamp(0, w - 1), (y + o * sy).clamp(0, h - 1));
                sum += weight * src[(yy * w + xx) as usize];
            }
            frame.px[(y * w + x) as usize] = sum;
        }
    }
}

/// Gaussian sensor noise of standard deviation `sigma` (Box-Muller).
fn add_noise(frame: &mut Frame, rng: &mut ChaCha8Rng, sigma: f32) {
    for p in frame.px.iter_mut() {
        let (u1, u2): (f32, f32) = (rng.random_range(f32::EPSILON..1.0), rng.random());
        *p += sigma * (-2.0 * u1.ln()).sqrt() * (2.0 * PI * u2).cos();
    }
}
