//! The staff's admin menu through the real window, against the real reference server: the two
//! corners held with the pointer, a wrong PIN told, the right one checked against an Argon2
//! hash, the menu, the camera's picture, the speech test, the API's check, and a restart that
//! ends the event loop.
//!
//! The testing backend's event loop can start once per process, so this file holds one test.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use slint::platform::{PointerEventButton, WindowEvent};
use slint::{ComponentHandle, LogicalPosition, Model};

use kiosk::admin::PinHash;
use kiosk::ui::{AppWindow, Flash, KioskUi, KioskView, PageKind};
use kiosk_core::{AdminSetup, IdlePolicy, Quit};

use common::{audit, files_camera, press, screenshot, start_kiosk_with_camera, wait_until, Said};

const PIN: &str = "246810";

fn title_is(title: &'static str) -> impl Fn(&AppWindow) -> bool {
    move |w| w.global::<KioskView>().get_page_title() == title
}

fn lines(window: &AppWindow) -> Vec<String> {
    let lines = window.global::<KioskView>().get_lines();
    lines.iter().map(|line| format!("{} {}", line.text, line.value)).collect()
}

/// Holds the pointer down at (`x`, `y`) for `secs`, with the event loop running.
fn hold(window: &AppWindow, x: f32, y: f32, secs: f32) {
    let position = LogicalPosition::new(x, y);
    let button = PointerEventButton::Left;
    window.window().dispatch_event(WindowEvent::PointerPressed { position, button });
    let until = Instant::now() + Duration::from_secs_f32(secs);
    wait_until(window, "the hold", move |_| Instant::now() > until);
    window.window().dispatch_event(WindowEvent::PointerReleased { position, button });
}

/// The blank spot just under the bar, at the left or right end.
fn corner(window: &AppWindow, right: bool) -> (f32, f32) {
    let y = window.global::<KioskView>().get_bar_height() + 40.0;
    let width = window.window().size().to_logical(window.window().scale_factor()).width;
    (if right { width - 40.0 } else { 40.0 }, y)
}

fn type_pin(window: &AppWindow, pin: &str) {
    for digit in pin.chars() {
        press(window, &digit.to_string());
    }
}

#[test]
fn staff_open_the_admin_menu_check_the_devices_and_restart_the_kiosk() {
    common::init_headless_platform();
    let person = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/crates/face-guide/tests/data/astronaut.png"));
    let (_api, ui, said) =
        start_kiosk_with_camera(IdlePolicy::default(), move |_| files_camera(vec![person.clone()], 10));
    let setup = AdminSetup { kiosk_id: "hall-2".into(), version: "0.1.0".into(), maintenance_shell: false };
    ui.set_admin(setup, PinHash::of(PIN));
    ui.window.window().set_size(slint::PhysicalSize::new(1920, 1080));
    ui.start();
    ui.window.show().unwrap();
    let window = &ui.window;
    wait_until(window, "the catalog", |w| w.global::<KioskView>().get_page() == PageKind::Home);

    the_two_corners_held_open_the_pin_page_and_a_tap_does_not(&ui, &said);
    a_wrong_pin_is_told_and_the_right_one_opens_the_menu(&ui, &said);
    the_camera_speech_and_api_checks(&ui, &said);
    restart_ends_the_event_loop(&ui);
}

fn the_two_corners_held_open_the_pin_page_and_a_tap_does_not(ui: &KioskUi, said: &Said) {
    let window = &ui.window;
    let (left, right) = (corner(window, false), corner(window, true));
    for (x, y) in [left, right] {
        hold(window, x, y, 0.2);
    }
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Home, "taps on the corners do nothing");
    said.take();
    hold(window, left.0, left.1, 3.3);
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Home, "one corner shows nothing");
    assert_eq!(said.take(), Vec::<String>::new(), "and says nothing");
    hold(window, right.0, right.1, 3.3);
    wait_until(window, "the PIN page", title_is("工作人员登录"));
}

fn a_wrong_pin_is_told_and_the_right_one_opens_the_menu(ui: &KioskUi, said: &Said) {
    let window = &ui.window;
    type_pin(window, "000000");
    assert_eq!(window.global::<KioskView>().get_entry().shown, "******");
    said.take();
    press(window, "确定");
    wait_until(window, "the wrong PIN told", |w| w.global::<KioskView>().get_error().contains("密码不对"));
    assert!(said.take().iter().any(|s| s.contains("密码不对")), "said as well as shown");

    type_pin(window, &PIN[..3]);
    wait_until(window, "the border's flash over", |w| w.global::<KioskView>().get_flash() == Flash::None);
    screenshot(window, "admin-pin");
    audit(ui);
    type_pin(window, &PIN[3..]);
    press(window, "确定");
    wait_until(window, "the menu", title_is("管理菜单"));
    let items: Vec<String> = window.global::<KioskView>().get_items().iter().map(|i| i.label.to_string()).collect();
    assert_eq!(
        items,
        ["摄像头", "语音和声音", "服务接口", "重启自助机", "退出管理"],
        "no maintenance shell unless configured"
    );
    screenshot(window, "admin-menu");
    audit(ui);
}

fn the_camera_speech_and_api_checks(ui: &KioskUi, said: &Said) {
    let window = &ui.window;
    press(window, "摄像头");
    wait_until(window, "the camera's picture", |w| {
        let view = w.global::<KioskView>();
        view.get_page() == PageKind::CameraCheck && view.get_camera_preview().size().width > 0
    });
    press(window, "返回管理菜单");
    wait_until(window, "the menu", title_is("管理菜单"));

    said.take();
    press(window, "语音和声音");
    wait_until(window, "the speech test", title_is("语音和声音"));
    let test = said.take().join(" ");
    assert!(test.contains("这是语音包里的录音。") && test.contains("这是语音合成读出的句子。"), "{test}");
    press(window, "返回管理菜单");

    press(window, "服务接口");
    wait_until(window, "the API's answer", |w| lines(w).iter().any(|l| l.contains("正常，响应用了")));
    assert!(lines(window).contains(&"本机编号 hall-2".to_string()), "{:?}", lines(window));
    press(window, "返回管理菜单");
    wait_until(window, "the menu", title_is("管理菜单"));
}

fn restart_ends_the_event_loop(ui: &KioskUi) {
    press(&ui.window, "重启自助机");
    // The quit asked is pending: the next loop ends at once (or the guard ends it, and fails).
    let guard = slint::Timer::default();
    guard.start(slint::TimerMode::SingleShot, Duration::from_secs(5), || slint::quit_event_loop().unwrap());
    let started = Instant::now();
    slint::run_event_loop().unwrap();
    assert!(started.elapsed() < Duration::from_secs(4), "the event loop ended by itself");
    assert_eq!(ui.quit_asked(), Some(Quit::Restart));
}
