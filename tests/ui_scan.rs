//! Scanning a pre-review receipt through the real window, with image files as the camera,
//! against the real reference server: a receipt minted by the server scans into a
//! fast-track ticket once and is refused the second time; a camera that is missing or stops
//! mid-scan leaves the typed receipt number.

mod common;

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use image::{GrayImage, Luma, RgbImage};
use slint::{ComponentHandle, Model};

use kiosk::api::ApiClient;
use kiosk::camera::{self, CameraChoice, FileCamera, FrameSource};
use kiosk::core::profile::Language;
use kiosk::core::{IdlePolicy, Kiosk};
use kiosk::ui::{AppWindow, CameraOpener, KioskUi, PageKind};
use service_api::model::{IssuedReceipt, NewReceipt};
use service_api::EmbeddedServer;

use common::{press, wait_until, Said};

struct Setup {
    ui: KioskUi,
    said: Said,
    /// Kept running for the kiosk.
    _server: EmbeddedServer,
    dir: tempfile::TempDir,
}

/// A kiosk on its own embedded API, which checks receipts with that API's key, and whose
/// camera is `camera` (given the test's folder).
fn start(camera: impl Fn(&Path) -> CameraOpener) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let server = EmbeddedServer::start(&dir.path().join("api.sqlite"), "kiosk-test", "secret").unwrap();
    let mut kiosk = Kiosk::new(Language::Zh, IdlePolicy::default(), "scan-test");
    kiosk.set_receipt_key(Some(server.receipt_public_key()));
    let said = Said::default();
    let api = ApiClient::new(&server.base_url, "secret");
    let ui = KioskUi::new(kiosk, api, Box::new(said.clone()), camera(dir.path())).unwrap();
    ui.window.window().set_size(slint::PhysicalSize::new(1920, 1080));
    ui.start();
    ui.window.show().unwrap();
    wait_until(&ui.window, "the catalog", |w| w.get_page() == PageKind::Home);
    Setup { ui, said, _server: server, dir }
}

/// A receipt for a residence permit with its first material missing, issued by the
/// pre-review system's path into the server's database.
fn issue_receipt(setup: &Setup) -> IssuedReceipt {
    let db_file = setup.dir.path().join("api.sqlite");
    let key = service_api::load_receipt_key(&service_api::receipt_key_beside(&db_file)).unwrap();
    let new = NewReceipt {
        service_code: "residence-permit".into(),
        applicant: "张*明".into(),
        missing_materials: vec![0],
        valid_days: 30,
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let db = service_api::open_database(&service_api::database_url(&db_file.to_string_lossy())).await.unwrap();
        service_api::issue_receipt(&db, &key, &new, "ui-test").await.unwrap()
    })
}

/// A 640x480 webcam frame of a grey desk with the QR code of `payload` held in it, about 3.5
/// pixels per module (a phone some 25 cm away).
fn frame_with_code(payload: &str, dir: &Path, name: &str) -> PathBuf {
    let code = qrcode::QrCode::new(payload.as_bytes()).unwrap();
    let modules = code.to_colors();
    let width = code.width() as u32;
    let scale = 3.5_f32;
    let mut frame = RgbImage::from_pixel(640, 480, image::Rgb([120, 118, 110]));
    let side = ((width + 8) as f32 * scale) as u32;
    let (left, top) = (320 - side / 2, 240 - side / 2);
    for y in 0..side {
        for x in 0..side {
            let module = |v: u32| (v as f32 / scale) as i64 - 4;
            let (mx, my) = (module(x), module(y));
            let inside = (0..width as i64).contains(&mx) && (0..width as i64).contains(&my);
            let dark = inside && modules[(my * width as i64 + mx) as usize] == qrcode::Color::Dark;
            let shade = if dark { 30 } else { 225 };
            frame.put_pixel(left + x, top + y, image::Rgb([shade, shade, shade]));
        }
    }
    let path = dir.join(name);
    frame.save(&path).unwrap();
    path
}

fn blank_frame(dir: &Path) -> PathBuf {
    let path = dir.join("blank.png");
    GrayImage::from_pixel(640, 480, Luma([128])).save(&path).unwrap();
    path
}

/// One test: the testing backend is set up once per process, on one thread.
#[test]
fn scanning_receipts() {
    common::init_headless_platform();
    a_minted_receipt_scans_into_a_fast_track_ticket_once();
    a_code_that_is_not_a_receipt_is_named_and_the_camera_stays_on();
    without_a_camera_the_typed_receipt_number_gets_the_ticket();
    a_camera_that_stops_mid_scan_leaves_the_typed_number();
}

fn a_minted_receipt_scans_into_a_fast_track_ticket_once() {
    let code = std::sync::Arc::new(std::sync::Mutex::new(PathBuf::new()));
    let camera_code = code.clone();
    let setup = start(move |_| {
        let code = camera_code.clone();
        Box::new(move || Ok(Box::new(FileCamera::open(&code.lock().unwrap())?) as Box<dyn FrameSource>))
    });
    let issued = issue_receipt(&setup);
    *code.lock().unwrap() = frame_with_code(&issued.token, setup.dir.path(), "receipt.png");
    let window = &setup.ui.window;

    press(window, "扫描预审回执");
    wait_until(window, "the receipt's ticket", |w| w.get_page() == PageKind::Ticket);
    assert_eq!(window.get_page_title(), "回执已确认，请优先办理");
    let view = setup.ui.view();
    let lines: Vec<&str> = view.lines.iter().map(|l| l.text.shown.as_str()).collect();
    assert_eq!(lines, ["1、居民身份证"]);
    let number = view.ticket.as_ref().unwrap().number.shown.clone();
    assert!(setup.said.take().iter().any(|s| s.starts_with(&format!("回执已确认，请优先办理 您的号码 {number}"))));
    common::screenshot(window, "receipt-result");

    press(window, "完成，返回首页");
    press(window, "扫描预审回执");
    wait_until(window, "the refusal", |w| w.get_page() == PageKind::Message);
    assert!(window.get_prompt().contains("已"), "{}", window.get_prompt());
    assert!(setup.said.take().iter().any(|s| s.contains(window.get_prompt().as_str())), "said too");
}

fn a_code_that_is_not_a_receipt_is_named_and_the_camera_stays_on() {
    let setup = start(|dir| {
        let code = frame_with_code("https://pay.example.com/order/8812", dir, "pay.png");
        Box::new(move || Ok(Box::new(FileCamera::from_files(&[code.clone()])?.with_frame_rate(30)) as Box<dyn FrameSource>))
    });
    let window = &setup.ui.window;
    press(window, "扫描预审回执");
    wait_until(window, "the reason", |w| w.get_error() != "");
    assert_eq!(window.get_page(), PageKind::Scan);
    assert!(window.get_error().contains("不是预审回执"));
    assert!(setup.said.take().iter().any(|s| s.starts_with("<Error> 这个二维码不是预审回执")));

    let shown = preview_frames_in(window, Duration::from_secs(2));
    assert!(shown >= 30, "{shown} preview frames in 2 s from a 30 fps camera: want at least 15 fps");

    wait_until(window, "the first hint", |w| w.get_lines().row_count() == 1);
    assert_eq!(window.get_lines().row_data(0).unwrap().text, "请把二维码放在离摄像头大约20厘米的地方，拿稳不动");
    assert!(setup.said.take().contains(&"请把二维码放在离摄像头大约20厘米的地方，拿稳不动".to_string()));
    common::screenshot(window, "scan");
}

/// How many different camera frames the scan page shows in `period`.
fn preview_frames_in(window: &AppWindow, period: Duration) -> usize {
    let count = Rc::new(Cell::new(0));
    let last = Rc::new(RefCell::new(window.get_camera_preview()));
    let (weak, counted, seen) = (window.as_weak(), count.clone(), last.clone());
    let poll = slint::Timer::default();
    poll.start(slint::TimerMode::Repeated, Duration::from_millis(4), move || {
        let now = weak.upgrade().unwrap().get_camera_preview();
        if *seen.borrow() != now {
            counted.set(counted.get() + 1);
            *seen.borrow_mut() = now;
        }
    });
    slint::Timer::single_shot(period, || slint::quit_event_loop().unwrap());
    slint::run_event_loop().unwrap();
    count.get()
}

fn without_a_camera_the_typed_receipt_number_gets_the_ticket() {
    // The real webcam path (nokhwa), on a device number no machine has.
    let setup = start(|_| Box::new(|| camera::open(&CameraChoice::Device(99))));
    let issued = issue_receipt(&setup);
    let window = &setup.ui.window;
    press(window, "扫描预审回执");
    assert_eq!(window.get_page_title(), "摄像头暂时不能使用");
    assert!(setup.said.take().iter().any(|s| s.contains("没有找到摄像头")), "said, with voice navigation off");
    press(window, "输入回执编号");
    for digit in issued.number.chars() {
        press(window, &digit.to_string());
    }
    press(window, "确定");
    wait_until(window, "the receipt's ticket", |w| w.get_page() == PageKind::Ticket);
}

fn a_camera_that_stops_mid_scan_leaves_the_typed_number() {
    let setup = start(|dir| {
        let blank = blank_frame(dir);
        Box::new(move || Ok(Box::new(FileCamera::from_files(&[blank.clone()])?.play_once()) as Box<dyn FrameSource>))
    });
    let window = &setup.ui.window;
    press(window, "扫描预审回执");
    wait_until(window, "the camera's failure", |w| w.get_page() == PageKind::Message);
    assert_eq!(window.get_prompt(), "摄像头停止了工作。您可以输入回执二维码下方的12位编号，同样能快速取号");
    press(window, "输入回执编号");
    assert_eq!(window.get_page(), PageKind::Entry);
}
