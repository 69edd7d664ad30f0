//! The ID card reader and the ticket printer through the real window, against the real
//! reference server: a simulated GA 467 reader on a pseudo-terminal and a virtual ESC/POS
//! printer on loopback, both speaking their real protocols to the kiosk's real drivers. An
//! expired card is told kindly and a valid one fills the ID number; a ticket is printed, its
//! paper read back to an image whose QR code, held to the camera, finds the visit to rate;
//! a printer out of paper and a reader that stops answering leave the resident their number
//! on screen and tell staff.
//!
//! The testing backend's event loop can start once per process, so this file holds one test.

mod common;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use slint::ComponentHandle;

use id_card_simulator::{expired_card, sample_card, Simulator};
use kiosk::camera::{FileCamera, FrameSource, OpenError};
use kiosk::ui::{AppWindow, CameraOpener, KioskUi, KioskView, PageKind};
use kiosk_core::IdlePolicy;
use service_api::Role;
use virtual_printer::VirtualPrinter;

use common::{audit, press, screenshot, start_fitted_kiosk, wait_until, Said, TestApi};

const STAFF: &str = "staff-token";

fn title_is(title: &'static str) -> impl Fn(&AppWindow) -> bool {
    move |w| w.global::<KioskView>().get_page_title() == title
}

fn notice_has(words: &'static str) -> impl Fn(&AppWindow) -> bool {
    move |w| w.global::<KioskView>().get_staff_notice().contains(words)
}

/// A camera that shows whatever is held to it when it opens: `held`'s pictures.
fn held_camera(held: Arc<Mutex<Vec<PathBuf>>>) -> CameraOpener {
    Arc::new(move || {
        let frames = held.lock().unwrap().clone();
        if frames.is_empty() {
            return Err(OpenError("nothing held to the camera".into()));
        }
        Ok(Box::new(FileCamera::from_files(&frames)?.with_frame_rate(10)) as Box<dyn FrameSource>)
    })
}

#[test]
fn the_card_reader_and_the_ticket_printer() {
    common::init_headless_platform();
    let reader = Simulator::start().unwrap();
    let printer = VirtualPrinter::start().unwrap();
    let held = Arc::new(Mutex::new(Vec::new()));
    let (api, ui, said) =
        start_fitted_kiosk(IdlePolicy::default(), held_camera(held.clone()), reader.path(), printer.addr());
    api.add_token(Role::Staff, "李明", STAFF);
    ui.window.window().set_size(slint::PhysicalSize::new(1920, 1080));
    ui.start();
    ui.window.show().unwrap();
    wait_until(&ui.window, "the catalog", |w| w.global::<KioskView>().get_page() == PageKind::Home);

    a_card_on_the_reader_fills_the_id_number_and_an_expired_one_is_told_kindly(&reader, &ui, &said);
    a_printed_tickets_code_held_to_the_camera_finds_the_visit_to_rate(&api, &printer, &ui, &held);
    kiosk::fleet::start(
        contract::ApiClient::new(&api.server.base_url, "secret"),
        "kiosk-test".into(),
        ui.device_report(),
        ui.outbox_backlog(),
        0,
        Duration::from_millis(200),
    );
    a_printer_out_of_paper_leaves_the_number_on_screen_and_tells_staff(&api, &printer, &ui, &said);
    a_reader_that_stops_answering_shows_in_the_staff_notice_until_it_answers(&reader, &ui);
}

fn a_card_on_the_reader_fills_the_id_number_and_an_expired_one_is_told_kindly(
    reader: &Simulator,
    ui: &KioskUi,
    said: &Said,
) {
    let window = &ui.window;
    press(window, "养老金资格认证");
    wait_until(window, "the explanation", title_is("养老金资格认证"));
    press(window, "同意，开始");
    wait_until(window, "the keypad", |w| w.global::<KioskView>().get_page() == PageKind::Entry);
    assert_eq!(window.global::<KioskView>().get_prompt(), "请把身份证放在读卡器上，或用下面的数字键输入18位身份证号码");
    screenshot(window, "id-card-or-keypad");
    audit(ui);

    said.take();
    reader.place(expired_card());
    wait_until(window, "the expired card told", |w| w.global::<KioskView>().get_error().contains("已经过期"));
    assert!(said.take().iter().any(|s| s.contains("这张身份证已经过期")), "said as well as shown");
    assert_eq!(window.global::<KioskView>().get_entry().shown, "", "nothing typed for the resident");
    screenshot(window, "id-card-expired");
    reader.remove();

    reader.place(sample_card());
    wait_until(window, "the next step", |w| w.global::<KioskView>().get_page() != PageKind::Entry);
    assert_eq!(window.global::<KioskView>().get_error(), "");
    reader.remove();
    press(window, "首页");
    wait_until(window, "home", |w| w.global::<KioskView>().get_page() == PageKind::Home);
}

/// 取号排队 → 居住证办理 → its steps → the ticket.
fn take_a_residence_permit_number(ui: &KioskUi) -> String {
    let window = &ui.window;
    press(window, "取号排队");
    wait_until(window, "the services", |w| w.global::<KioskView>().get_page() == PageKind::List);
    press(window, "居住证办理");
    while window.global::<KioskView>().get_page() == PageKind::Info {
        press(window, "我知道了，下一步");
    }
    press(window, "不需要");
    press(window, "跳过，不填写");
    press(window, "确认取号");
    wait_until(window, "the ticket", |w| w.global::<KioskView>().get_page() == PageKind::Ticket);
    window.global::<KioskView>().get_ticket().number.to_string()
}

fn lines(window: &AppWindow) -> Vec<String> {
    use slint::Model;
    window.global::<KioskView>().get_lines().iter().map(|line| line.text.to_string()).collect()
}

fn a_printed_tickets_code_held_to_the_camera_finds_the_visit_to_rate(
    api: &TestApi,
    printer: &VirtualPrinter,
    ui: &KioskUi,
    held: &Mutex<Vec<PathBuf>>,
) {
    let window = &ui.window;
    let number = take_a_residence_permit_number(ui);
    wait_until(window, "printed", |w| lines(w).iter().any(|l| l.contains("号码票已打印")));
    screenshot(window, "ticket-printed");

    // The paper, read back: the whole ticket, cut, its QR code the ticket's.
    let paper = virtual_printer::decode(&printer.captured_after_disconnect(Duration::from_secs(5))).unwrap();
    assert!(paper.paper_cut(), "the paper is cut");
    let picture = api.dir.path().join("printed-ticket.png");
    paper.image.save(&picture).unwrap();
    if let Some(dir) = std::env::var_os("KIOSK_SCREENSHOTS") {
        paper.image.save(PathBuf::from(dir).join("printed-ticket.png")).unwrap();
    }
    let (w, h) = (paper.image.width() as usize, paper.image.height() as usize);
    let mut grid = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| paper.image.as_raw()[y * w + x]);
    let (_, payload) = grid.detect_grids().first().expect("a QR code on the paper").decode().unwrap();
    // The code names the ticket: served, it finds this number's visit below.
    let ticket_id = contract::ticket_code::parse(&payload).expect("a ticket's code").to_string();
    press(window, "完成，返回首页");

    // Served at window 3; then the paper is held to the camera to rate the visit.
    api.serve(STAFF, &ticket_id);
    *held.lock().unwrap() = vec![picture];
    press(window, "评价服务");
    wait_until(window, "the letters", title_is("评价服务"));
    press(window, "扫描号码票");
    wait_until(window, "the levels", title_is("您对这次服务满意吗？"));
    assert!(window.global::<KioskView>().get_prompt().starts_with(&number), "{number}'s visit");
    press(window, "首页");
    wait_until(window, "home", |w| w.global::<KioskView>().get_page() == PageKind::Home);
}

fn a_printer_out_of_paper_leaves_the_number_on_screen_and_tells_staff(
    api: &TestApi,
    printer: &VirtualPrinter,
    ui: &KioskUi,
    said: &Said,
) {
    let window = &ui.window;
    printer.paper_out();
    said.take();
    let number = take_a_residence_permit_number(ui);
    wait_until(window, "the fault told", |w| w.global::<KioskView>().get_error().contains("打印机没纸了"));
    assert_eq!(window.global::<KioskView>().get_ticket().number, number.as_str(), "the number stays on screen");
    assert!(said.take().iter().any(|s| s.contains("请记下屏幕上的号码")), "said as well as shown");
    wait_until(window, "staff told", notice_has("票据打印机缺纸"));
    // And the center's fleet list, through the heartbeat.
    let url = api.server.base_url.clone();
    wait_until(window, "the heartbeat", move |_| {
        let kiosks = common::get_json(&url, STAFF, "/v1/kiosks");
        let printer =
            kiosks[0]["heartbeat"]["devices"].as_array().into_iter().flatten().find(|d| d["device"] == "printer");
        printer.is_some_and(|p| p["status"] == "fault" && p["detail"] == "out of paper")
    });
    screenshot(window, "ticket-paper-out");
    audit(ui);
    press(window, "完成，返回首页");
    printer.ok();
}

fn a_reader_that_stops_answering_shows_in_the_staff_notice_until_it_answers(reader: &Simulator, ui: &KioskUi) {
    let window = &ui.window;
    assert!(!window.global::<KioskView>().get_staff_notice().contains("读卡器"));
    reader.go_silent();
    wait_until(window, "staff told", notice_has("身份证读卡器无法使用"));
    reader.wake();
    wait_until(window, "the notice gone", |w| !w.global::<KioskView>().get_staff_notice().contains("读卡器"));
}
