//! Tickets printed to the virtual printer and read back as a person (or a phone) would.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use image::GrayImage;
use ticket_printer::{render, Connection, Paper, PrintFault, Printer, PrinterState, TicketFont, TicketLayout};
use virtual_printer::{decode, CutKind, Decoded, VirtualPrinter};

fn font() -> Arc<TicketFont> {
    static FONT: OnceLock<Arc<TicketFont>> = OnceLock::new();
    Arc::clone(FONT.get_or_init(|| Arc::new(TicketFont::noto_cjk().expect("Noto Sans CJK (fonts-noto-cjk)"))))
}

fn ticket() -> TicketLayout {
    TicketLayout {
        center_name: "幸福街道便民服务中心".into(),
        number: "A012".into(),
        lines: vec!["业务：社保卡补办".into(), "前面还有 3 人".into(), "请到 3 号窗口".into()],
        issued_at: "2026-12-05 14:03".into(),
        qr_payload: "https://kiosk.example/q/A012?c=xingfu".into(),
        footer: Some("过号请重新取号 · Please take a new ticket if you miss your turn".into()),
    }
}

fn output_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/output");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn connect(printer: &VirtualPrinter, paper: Paper) -> Result<Printer, PrintFault> {
    Printer::connect(&Connection::Tcp(printer.addr().to_string()), paper).map(|p| p.with_font(font()))
}

/// Prints `layout` on a fresh virtual printer and decodes what it received.
fn print_to_virtual_printer(layout: &TicketLayout, paper: Paper) -> (Result<PrinterState, PrintFault>, Decoded) {
    let virtual_printer = VirtualPrinter::start().unwrap();
    let result = connect(&virtual_printer, paper).unwrap().print(layout);
    let captured = virtual_printer.captured_after_disconnect(Duration::from_secs(5));
    (result, decode(&captured).expect("a well-formed ESC/POS stream"))
}

/// Runs of rows with ink, separated by blank rows: (first row, rows).
fn ink_bands(image: &GrayImage) -> Vec<(u32, u32)> {
    let inked = |y: u32| (0..image.width()).any(|x| image.get_pixel(x, y).0[0] < 128);
    let mut bands = Vec::new();
    let mut start = None;
    for y in 0..=image.height() {
        match (start, y < image.height() && inked(y)) {
            (None, true) => start = Some(y),
            (Some(top), false) => {
                bands.push((top, y - top));
                start = None;
            }
            _ => {}
        }
    }
    bands
}

/// The queue number's band: the tallest line of text (the QR code is excluded by being below).
fn number_band(image: &GrayImage) -> (u32, u32) {
    let bands = ink_bands(image);
    bands[..bands.len() / 2].iter().copied().max_by_key(|&(_, rows)| rows).unwrap()
}

fn crop_rows(image: &GrayImage, (top, rows): (u32, u32), padding: u32) -> GrayImage {
    let mut crop = GrayImage::from_pixel(image.width(), rows + 2 * padding, image::Luma([255]));
    image::imageops::replace(
        &mut crop,
        &image::imageops::crop_imm(image, 0, top, image.width(), rows).to_image(),
        0,
        padding as i64,
    );
    crop
}

/// What tesseract reads on one line of text.
fn ocr_line(image: &GrayImage, name: &str) -> String {
    let path = output_dir().join(format!("{name}.png"));
    image.save(&path).unwrap();
    let output = Command::new("tesseract")
        .arg(&path)
        .args(["-", "--psm", "7"])
        .output()
        .expect("the tesseract command (Debian package tesseract-ocr)");
    assert!(output.status.success(), "tesseract: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn qr_payloads(image: &GrayImage) -> Vec<String> {
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(image.width() as usize, image.height() as usize, |x, y| {
            image.get_pixel(x as u32, y as u32).0[0]
        });
    prepared.detect_grids().into_iter().filter_map(|grid| grid.decode().ok().map(|(_, text)| text)).collect()
}

#[test]
fn a_ticket_printed_over_tcp_reads_back_with_its_qr_code_and_number() {
    let virtual_printer = VirtualPrinter::start().unwrap();
    let state = connect(&virtual_printer, Paper::Mm80).unwrap().print(&ticket());
    assert_eq!(state, Ok(PrinterState::Ready));
    let captured = virtual_printer.captured_after_disconnect(Duration::from_secs(5));

    // The capture survives a trip through a file, as a dump of a real print would.
    let dump = output_dir().join("ticket-80mm.escpos");
    virtual_printer.save_capture(&dump).unwrap();
    assert_eq!(std::fs::read(&dump).unwrap(), captured);

    let decoded = decode(&captured).unwrap();
    assert!(decoded.initialized);
    // Asked before printing, and again after.
    assert_eq!(decoded.status_queries, [1, 2, 4, 1, 2, 4]);
    assert!(decoded.band_rows.iter().all(|&rows| rows <= 255), "{:?}", decoded.band_rows);
    decoded.image.save(output_dir().join("ticket-80mm.png")).unwrap();

    assert_eq!(qr_payloads(&decoded.image), [ticket().qr_payload]);
    let number = crop_rows(&decoded.image, number_band(&decoded.image), 40);
    let read = ocr_line(&number, "number-80mm");
    assert!(read.contains("A012"), "tesseract read {read:?}");
}

#[test]
fn the_paper_is_cut_after_the_ticket() {
    let (result, decoded) = print_to_virtual_printer(&ticket(), Paper::Mm58);
    assert!(result.is_ok());
    assert!(decoded.paper_cut());
    assert_eq!(decoded.cuts.len(), 1);
    assert_eq!(decoded.cuts[0].kind, CutKind::Partial);
    assert!(decoded.feed_lines >= 3);
}

#[test]
fn both_paper_widths_print_full_width_with_a_huge_number_and_a_readable_qr_code() {
    for (paper, name) in [(Paper::Mm58, "58mm"), (Paper::Mm80, "80mm")] {
        let (result, decoded) = print_to_virtual_printer(&ticket(), paper);
        assert!(result.is_ok(), "{name}: {result:?}");
        let image = &decoded.image;
        assert_eq!(image.width(), paper.width_dots(), "{name}");
        decoded.image.save(output_dir().join(format!("ticket-{name}.png"))).unwrap();

        let band = number_band(image);
        assert!(band.1 >= paper.width_dots() / 4, "{name}: number {} dots high", band.1);
        let read = ocr_line(&crop_rows(image, band, 40), &format!("number-{name}"));
        assert!(read.contains("A012"), "{name}: tesseract read {read:?}");
        assert_eq!(qr_payloads(image), [ticket().qr_payload], "{name}");
    }
}

#[test]
fn chinese_and_english_lines_both_render() {
    let font = font();
    let with_lines = |lines: &[&str]| {
        let layout = TicketLayout { lines: lines.iter().map(|line| line.to_string()).collect(), ..ticket() };
        render(&layout, Paper::Mm80, &font).unwrap()
    };
    let without = ink_bands(&with_lines(&[]));
    for line in ["业务：社保卡补办", "Please go to window 3"] {
        let image = with_lines(&[line]);
        let bands = ink_bands(&image);
        assert_eq!(bands.len(), without.len() + 1, "{line}: one more line of ink");
        // The new band is the first that differs, just under the number's lower rule.
        let index = bands.iter().zip(&without).position(|(a, b)| a != b).unwrap();
        let (top, rows) = bands[index];
        let inked = (top..top + rows)
            .flat_map(|y| (0..image.width()).map(move |x| (x, y)))
            .filter(|&(x, y)| image.get_pixel(x, y).0[0] < 128)
            .count();
        assert!(rows >= 30 && inked > 1000, "{line}: {rows} rows, {inked} dots");
        if line.is_ascii() {
            let read = ocr_line(&crop_rows(&image, (top, rows), 20), "english-line");
            assert!(read.contains("window 3"), "tesseract read {read:?}");
        }
    }
}

#[test]
fn long_lines_wrap_to_the_paper_width() {
    let long = "Please bring your ID card and household register to window 3 on the ground floor";
    let layout = TicketLayout { lines: vec![long.into()], ..ticket() };
    let short = TicketLayout { lines: vec!["Window 3".into()], ..ticket() };
    let font = font();
    let (long_image, short_image) =
        (render(&layout, Paper::Mm58, &font).unwrap(), render(&short, Paper::Mm58, &font).unwrap());
    assert_eq!(long_image.width(), 384);
    // Four or more lines of 32-dot text instead of one.
    assert!(
        long_image.height() >= short_image.height() + 3 * 32,
        "{} vs {}",
        long_image.height(),
        short_image.height()
    );
}

#[test]
fn paper_out_cover_open_and_offline_each_give_their_fault_and_nothing_is_printed() {
    type SetState = fn(&VirtualPrinter);
    let cases: [(SetState, PrintFault); 3] = [
        (VirtualPrinter::paper_out, PrintFault::PaperOut),
        (VirtualPrinter::cover_open, PrintFault::CoverOpen),
        (VirtualPrinter::offline, PrintFault::Offline),
    ];
    for (set_state, fault) in cases {
        let virtual_printer = VirtualPrinter::start().unwrap();
        set_state(&virtual_printer);
        let mut printer = connect(&virtual_printer, Paper::Mm80).unwrap();
        assert_eq!(printer.check(), Err(fault.clone()));
        assert_eq!(printer.print(&ticket()), Err(fault.clone()));
        drop(printer);
        let decoded = decode(&virtual_printer.captured_after_disconnect(Duration::from_secs(5))).unwrap();
        assert!(decoded.band_rows.is_empty() && decoded.cuts.is_empty(), "{fault}: something was printed");
        assert_eq!(decoded.status_queries, [1, 2, 4, 1, 2, 4], "{fault}");
    }
}

#[test]
fn paper_near_end_prints_with_a_warning() {
    let virtual_printer = VirtualPrinter::start().unwrap();
    virtual_printer.paper_near_end();
    let mut printer = connect(&virtual_printer, Paper::Mm58).unwrap();
    assert_eq!(printer.print(&ticket()), Ok(PrinterState::PaperNearEnd));
    drop(printer);
    assert!(decode(&virtual_printer.captured_after_disconnect(Duration::from_secs(5))).unwrap().paper_cut());
}

#[test]
fn a_printer_that_never_answers_gives_not_responding_within_1_5_s() {
    let virtual_printer = VirtualPrinter::start().unwrap();
    virtual_printer.go_silent();
    let mut printer = connect(&virtual_printer, Paper::Mm80).unwrap();
    let started = Instant::now();
    assert_eq!(printer.print(&ticket()), Err(PrintFault::NotResponding));
    let waited = started.elapsed();
    assert!(waited < Duration::from_millis(1500), "waited {waited:?}");
    drop(printer);
    let decoded = decode(&virtual_printer.captured_after_disconnect(Duration::from_secs(5))).unwrap();
    assert!(decoded.band_rows.is_empty());
}

#[test]
fn no_listener_at_the_address_gives_not_connected() {
    // A port that was free a moment ago: nothing listens there now.
    let address = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let result = Printer::connect(&Connection::Tcp(address.to_string()), Paper::Mm80);
    assert_eq!(result.err(), Some(PrintFault::NotConnected));
}

#[test]
fn a_regular_file_as_the_device_gets_the_ticket_without_status_queries() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let connection = Connection::Device(file.path().to_path_buf());
    let mut printer = Printer::connect(&connection, Paper::Mm58).unwrap().with_font(font());
    assert_eq!(printer.check(), Ok(PrinterState::StatusUnknown));
    assert_eq!(printer.print(&ticket()), Ok(PrinterState::StatusUnknown));
    drop(printer);
    let decoded = decode(&std::fs::read(file.path()).unwrap()).unwrap();
    assert!(decoded.status_queries.is_empty());
    assert!(decoded.paper_cut());
    assert_eq!(qr_payloads(&decoded.image), [ticket().qr_payload]);
}

#[test]
fn a_missing_device_file_is_not_connected() {
    let connection = Connection::Device("/nonexistent/usb/lp0".into());
    assert_eq!(Printer::connect(&connection, Paper::Mm58).err(), Some(PrintFault::NotConnected));
}
