//! Scanning a pre-review receipt through the real window, with image files as the camera,
//! against the real reference server: a receipt minted by the server scans into a
//! fast-track ticket once and is refused the second time; a code that is not a receipt is
//! named while the camera stays on; a camera that is missing or stops mid-scan leaves the
//! typed receipt number.

mod common;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use slint::{ComponentHandle, Model};

use kiosk::camera::{self, CameraChoice, FileCamera, FrameSource};
use kiosk::ui::{AppWindow, KioskUi, KioskView, LineStyle, PageKind};
use kiosk_core::IdlePolicy;

use common::{press, start_kiosk_with_camera, wait_until};

/// A kiosk window on screen, its home page loaded.
fn shown(ui: &KioskUi) {
    ui.window.window().set_size(slint::PhysicalSize::new(1920, 1080));
    ui.start();
    ui.window.show().unwrap();
    wait_until(&ui.window, "the catalog", |w| w.global::<KioskView>().get_page() == PageKind::Home);
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
    // The camera shows the receipt the server issues below, once the scan screen opens it.
    let (api, ui, said) = start_kiosk_with_camera(IdlePolicy::default(), |dir| {
        let receipt = dir.join("receipt.png");
        Arc::new(move || Ok(Box::new(FileCamera::open(&receipt)?) as Box<dyn FrameSource>))
    });
    shown(&ui);
    let issued = api.issue_receipt();
    common::frame_with_code(&issued.token, api.dir.path(), "receipt.png");
    let window = &ui.window;

    press(window, "扫描预审回执");
    wait_until(window, "the receipt's ticket", |w| w.global::<KioskView>().get_page() == PageKind::Ticket);
    assert_eq!(window.global::<KioskView>().get_page_title(), "回执已确认，请优先办理");
    let view = ui.view();
    let lines: Vec<&str> = view.lines.iter().map(|l| l.text.shown.as_str()).collect();
    assert_eq!(lines, ["1、居民身份证"]);
    let number = view.ticket.as_ref().unwrap().number.shown.clone();
    assert!(said.take().iter().any(|s| s.starts_with(&format!("回执已确认，请优先办理 您的号码 {number}"))));
    common::screenshot(window, "receipt-result");

    press(window, "完成，返回首页");
    press(window, "扫描预审回执");
    wait_until(window, "the refusal", |w| w.global::<KioskView>().get_page() == PageKind::Message);
    assert!(window.global::<KioskView>().get_prompt().contains("已"), "{}", window.global::<KioskView>().get_prompt());
    assert!(said.take().iter().any(|s| s.contains(window.global::<KioskView>().get_prompt().as_str())), "said too");
}

fn a_code_that_is_not_a_receipt_is_named_and_the_camera_stays_on() {
    let (_api, ui, said) = start_kiosk_with_camera(IdlePolicy::default(), |dir| {
        let code = common::frame_with_code("https://pay.example.com/order/8812", dir, "pay.png");
        common::files_camera(vec![code], 30)
    });
    shown(&ui);
    let window = &ui.window;
    press(window, "扫描预审回执");
    wait_until(window, "the reason", |w| w.global::<KioskView>().get_error() != "");
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Scan);
    assert!(window.global::<KioskView>().get_error().contains("不是预审回执"));
    assert!(said.take().iter().any(|s| s.starts_with("<Error> 这个二维码不是预审回执")));

    let shown = preview_frames_in(window, Duration::from_secs(2));
    assert!(shown >= 30, "{shown} preview frames in 2 s from a 30 fps camera: want at least 15 fps");

    let hint_shown =
        |w: &AppWindow| w.global::<KioskView>().get_lines().row_data(0).unwrap().style == LineStyle::Heading;
    wait_until(window, "the first hint", hint_shown);
    let hint = "请把二维码放在离摄像头大约20厘米的地方，拿稳不动";
    assert_eq!(window.global::<KioskView>().get_lines().row_data(0).unwrap().text, hint);
    assert!(said.take().contains(&hint.to_string()));
    common::screenshot(window, "scan");
}

/// How many different camera frames the scan page shows in `period`.
fn preview_frames_in(window: &AppWindow, period: Duration) -> usize {
    let count = Rc::new(Cell::new(0));
    let last = Rc::new(RefCell::new(window.global::<KioskView>().get_camera_preview()));
    let (weak, counted, seen) = (window.as_weak(), count.clone(), last.clone());
    let poll = slint::Timer::default();
    poll.start(slint::TimerMode::Repeated, Duration::from_millis(4), move || {
        let now = weak.upgrade().unwrap().global::<KioskView>().get_camera_preview();
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
    let (api, ui, said) =
        start_kiosk_with_camera(IdlePolicy::default(), |_| Arc::new(|| camera::open(&CameraChoice::Device(99))));
    shown(&ui);
    let issued = api.issue_receipt();
    let window = &ui.window;
    press(window, "扫描预审回执");
    wait_until(window, "the camera's absence", |w| w.global::<KioskView>().get_page_title() == "摄像头暂时不能使用");
    assert!(said.take().iter().any(|s| s.contains("没有找到摄像头")), "said, with voice navigation off");
    press(window, "输入回执编号");
    for digit in issued.number.chars() {
        press(window, &digit.to_string());
    }
    press(window, "确定");
    wait_until(window, "the receipt's ticket", |w| w.global::<KioskView>().get_page() == PageKind::Ticket);
}

fn a_camera_that_stops_mid_scan_leaves_the_typed_number() {
    let (_api, ui, _said) = start_kiosk_with_camera(IdlePolicy::default(), |dir| {
        let blank = common::blank_frame(dir);
        Arc::new(move || {
            Ok(Box::new(FileCamera::from_files(std::slice::from_ref(&blank))?.play_once()) as Box<dyn FrameSource>)
        })
    });
    shown(&ui);
    let window = &ui.window;
    press(window, "扫描预审回执");
    wait_until(window, "the camera's failure", |w| w.global::<KioskView>().get_page() == PageKind::Message);
    assert_eq!(
        window.global::<KioskView>().get_prompt(),
        "摄像头停止了工作。您可以输入回执二维码下方的12位编号，同样能快速取号"
    );
    press(window, "输入回执编号");
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Entry);
}
