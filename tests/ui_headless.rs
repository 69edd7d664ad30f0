//! The real kiosk window on Slint's testing backend (software renderer, no display), against
//! the real embedded service API: a resident's visit driven by accessible labels, with both
//! accessibility default actions and pointer clicks.
//!
//! The testing backend's event loop can start once per process, so this file holds one test.

use i_slint_backend_testing::ElementHandle;
use slint::platform::PointerEventButton;
use slint::ComponentHandle;

use contract::ApiClient;
use kiosk::legibility;
use kiosk::outbox::Outbox;
use kiosk::ui::{AppWindow, Flash, KioskUi, KioskView, PageKind, Theme};
use kiosk_core::profile::Language;
use kiosk_core::{IdlePolicy, Kiosk};

mod common;
use common::{audit, init_headless_platform, screenshot, start_kiosk, wait_until};

fn find(window: &AppWindow, label: &str) -> ElementHandle {
    let found: Vec<_> = ElementHandle::find_by_accessible_label(window, label).collect();
    assert!(
        !found.is_empty(),
        "no element labelled {label:?} on page {:?}",
        window.global::<KioskView>().get_page_title()
    );
    found.into_iter().next().unwrap()
}

/// Activates the control labelled `label` as a screen reader would.
fn press(window: &AppWindow, label: &str) {
    find(window, label).invoke_accessible_default_action();
}

/// Taps the control labelled `label` with the pointer at its centre, as a finger would:
/// on the page as drawn (a finger only meets what is on the screen), then press, 50 ms,
/// release, on the running event loop.
fn tap(window: &AppWindow, label: &str) {
    window.window().take_snapshot().expect("draw the page");
    let element = find(window, label);
    let tapped = slint::spawn_local(async move {
        element.single_click(PointerEventButton::Left).await;
        slint::quit_event_loop().unwrap();
    });
    tapped.unwrap();
    slint::run_event_loop().unwrap();
}

/// Share of pixels inside the element labelled `label` that are far from the page background.
fn ink_share(window: &AppWindow, label: &str) -> f64 {
    let element = find(window, label);
    let snapshot = window.window().take_snapshot().expect("snapshot");
    let scale = window.window().scale_factor();
    let (pos, size) = (element.absolute_position(), element.size());
    let (x0, y0) = ((pos.x * scale) as u32, (pos.y * scale) as u32);
    let (w, h) = ((size.width * scale) as u32, (size.height * scale) as u32);
    assert!(w > 0 && h > 0, "{label:?} has no size");
    let pixels = snapshot.as_slice();
    let at = |x: u32, y: u32| pixels[(y * snapshot.width() + x) as usize];
    let background = at(x0, y0);
    let mut inked = 0;
    for y in y0..(y0 + h).min(snapshot.height()) {
        for x in x0..(x0 + w).min(snapshot.width()) {
            let p = at(x, y);
            let distance = (p.r as i32 - background.r as i32).abs()
                + (p.g as i32 - background.g as i32).abs()
                + (p.b as i32 - background.b as i32).abs();
            if distance > 200 {
                inked += 1;
            }
        }
    }
    inked as f64 / (w * h) as f64
}

/// Changes of brightness along a row just inside the top edge of the control labelled
/// `label`: many on a disabled control's stripes, none on a plain background.
fn stripes(window: &AppWindow, label: &str) -> usize {
    let element = find(window, label);
    let snapshot = window.window().take_snapshot().expect("snapshot");
    let scale = window.window().scale_factor();
    let (pos, size) = (element.absolute_position(), element.size());
    let y = ((pos.y + 5.0) * scale) as u32;
    let (x0, x1) = (((pos.x + 6.0) * scale) as u32, ((pos.x + size.width - 6.0) * scale) as u32);
    let pixels = snapshot.as_slice();
    let brightness = |x: u32| {
        let p = pixels[(y * snapshot.width() + x) as usize];
        p.r as i32 + p.g as i32 + p.b as i32
    };
    (x0..x1)
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|pair| (brightness(pair[1]) - brightness(pair[0])).abs() > 60)
        .count()
}

/// The colour of the window's border, where it flashes with an error or alert sound.
fn border_colour(window: &AppWindow) -> slint::Color {
    let snapshot = window.window().take_snapshot().expect("snapshot");
    let p = snapshot.as_slice()[(snapshot.height() / 2 * snapshot.width() + 4) as usize];
    slint::Color::from_rgb_u8(p.r, p.g, p.b)
}

#[test]
fn a_visit_by_labels_touch_and_default_actions() {
    init_headless_platform();

    let (server, ui) = start_kiosk(IdlePolicy::default());
    let window = &ui.window;
    window.window().set_size(slint::PhysicalSize::new(1920, 1080));
    window.show().unwrap();
    ui.start();
    wait_until(window, "the home page", |w| w.global::<KioskView>().get_page() == PageKind::Home);

    // The Chinese title really is drawn: a missing CJK font leaves it blank.
    let title = window.global::<KioskView>().get_page_title().to_string();
    assert_eq!(title, "您好，请选择要办理的事项");
    let ink = ink_share(window, &title);
    assert!(ink > 0.03, "the title has almost no ink ({ink:.3}): is the CJK font missing?");
    screenshot(window, "home");
    audit(&ui);
    // The smallest text (the bar's) has capitals of 4.8 mm on the default panel (ADA 707.7.2).
    let mut font = std::fs::File::open(legibility::font_file(kiosk::ui::FONT_FAMILY).unwrap()).unwrap();
    let smallest = window.global::<Theme>().get_smallest_text();
    let cap = legibility::Panel::DEFAULT.cap_height_mm(smallest, legibility::cap_per_em(&mut font).unwrap());
    assert!(cap >= legibility::MIN_CAP_HEIGHT_MM, "{smallest} px text has {cap:.2} mm capitals");
    assert!(legibility::warning(&legibility::Panel::DEFAULT, smallest, kiosk::ui::FONT_FAMILY).is_none());
    // A disabled control shows it by a pattern, not by a lighter colour alone.
    assert!(stripes(window, "返回") >= 8, "the disabled Back wears stripes: {}", stripes(window, "返回"));
    assert_eq!(stripes(window, "首页"), 0, "an enabled button is plain");

    // Every page carries the global bar.
    for label in ["首页", "返回", "帮助", "手语服务", "呼叫工作人员", "文字大小", "高对比度", "English", "语音"]
    {
        find(window, label);
    }

    // Take a number: service, priority, phone (skipped), confirm, ticket.
    tap(window, "取号排队");
    wait_until(window, "the services", |w| w.global::<KioskView>().get_page() == PageKind::List);
    screenshot(window, "services");
    audit(&ui);
    press(window, "社保参保登记");
    while window.global::<KioskView>().get_page() == PageKind::Info {
        tap(window, "我知道了，下一步");
    }
    assert_eq!(window.global::<KioskView>().get_page_title(), "请问您是否需要优先办理？");
    screenshot(window, "priority");
    audit(&ui);
    tap(window, "我是60岁以上老人");
    if window.global::<KioskView>().get_page() == PageKind::Entry {
        press(window, "跳过，不填写");
    }
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Confirm);
    screenshot(window, "confirm");
    audit(&ui);
    tap(window, "确认取号");
    wait_until(window, "the ticket", |w| w.global::<KioskView>().get_page() == PageKind::Ticket);
    let ticket = window.global::<KioskView>().get_ticket();
    assert!(ticket.number.starts_with(|c: char| c.is_ascii_uppercase()), "{}", ticket.number);
    assert_eq!(ticket.service, "社保参保登记");
    assert!(ticket.window.contains("号窗口"), "{}", ticket.window);
    assert!(ticket.people_ahead.contains("前面还有"));
    find(window, &ticket.number);
    screenshot(window, "ticket");
    audit(&ui);
    assert!(ink_share(window, &ticket.number) > 0.05, "the ticket number is drawn large");
    press(window, "完成，返回首页");
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Home);

    // The volume page, one step from every screen (Help); a masked ID number shown by a
    // sighted resident checking it.
    press(window, "帮助");
    let shown =
        |label: &'static str| move |w: &AppWindow| ElementHandle::find_by_accessible_label(w, label).next().is_some();
    wait_until(window, "the help page's buttons", shown("调节音量"));
    press(window, "调节音量");
    screenshot(window, "volume");
    audit(&ui);
    press(window, "首页");
    wait_until(window, "the home page", shown("养老金资格认证"));
    press(window, "养老金资格认证");
    wait_until(window, "the explanation", shown("同意，开始"));
    press(window, "同意，开始");
    wait_until(window, "the keypad", shown("显示号码"));
    for key in "11010519491231002X".chars() {
        press(window, &key.to_string());
    }
    assert_eq!(window.global::<KioskView>().get_entry().shown, "*".repeat(18));
    press(window, "显示号码");
    assert_eq!(window.global::<KioskView>().get_entry().shown, "11010519491231002X");
    screenshot(window, "entry-shown");
    audit(&ui);
    press(window, "首页");

    // Service guides: category, service, materials; then take a number from the guide.
    press(window, "办事指南");
    tap(window, "社会保障");
    assert_eq!(window.global::<KioskView>().get_page_title(), "社会保障");
    tap(window, "社保参保登记");
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Guide);
    find(window, "需要带的材料");
    screenshot(window, "guide");
    audit(&ui);
    tap(window, "返回");
    assert_eq!(window.global::<KioskView>().get_page_title(), "社会保障");
    tap(window, "首页");
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Home);

    // Largest text, high contrast and English, all from the bar.
    tap(window, "文字大小");
    press(window, "文字大小");
    assert_eq!(window.global::<Theme>().get_text_size_level(), 2);
    screenshot(window, "home-largest-text");
    audit(&ui);
    tap(window, "高对比度");
    assert!(window.global::<Theme>().get_high_contrast());
    tap(window, "English");
    assert_eq!(window.global::<KioskView>().get_page_title(), "Hello, what would you like to do?");
    find(window, "Take a number");
    find(window, "中文"); // the bar's own strings come from the bundled translation
    find(window, "Home");
    assert!(ink_share(window, "Hello, what would you like to do?") > 0.03);
    screenshot(window, "home-high-contrast-english");
    audit(&ui);

    // A problem flashes the window's border with the error sound (EN 301 549 5.1.5): the
    // receipt number, typed with no camera here, confirmed empty. Last, after the
    // screenshots: the testing backend's clock does not run, so the flash stays.
    press(window, "Scan a receipt");
    press(window, "Type the receipt number");
    press(window, "OK");
    assert_eq!(window.global::<KioskView>().get_flash(), Flash::Error);
    let red = window.global::<Theme>().get_flash_error();
    wait_until(window, "the border to flash", move |w| border_colour(w) == red);

    drop(server);
    a_dead_api_and_an_idle_resident();
}

/// A kiosk whose service API does not answer shows "service temporarily unavailable" with a
/// retry, never a blank window; a resident who stops touching it gets a countdown warning.
fn a_dead_api_and_an_idle_resident() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let api = ApiClient::new(&format!("http://127.0.0.1:{port}"), "secret");
    let idle = IdlePolicy { timeout_secs: 1, warning_secs: 20 };
    let devices = common::devices(Box::new(common::Said::default()), common::no_camera());
    let ui = KioskUi::new(Kiosk::new(Language::Zh, idle, "dead-api"), api, Outbox::in_memory(), devices).unwrap();
    let window = &ui.window;
    window.window().set_size(slint::PhysicalSize::new(1280, 720));
    window.show().unwrap();
    ui.start();
    wait_until(window, "the home page", |w| w.global::<KioskView>().get_page() == PageKind::Home);
    tap(window, "办事指南");
    wait_until(window, "the unavailable page", |w| w.global::<KioskView>().get_page_title() == "服务暂时不可用");
    assert!(ink_share(window, "服务暂时不可用") > 0.03);
    find(window, "重试");
    screenshot(window, "unavailable");
    audit(&ui);

    wait_until(window, "the idle warning", |w| w.global::<KioskView>().get_idle_seconds_left() >= 0);
    let left = window.global::<KioskView>().get_idle_seconds_left();
    assert!((18..=20).contains(&left), "the warning starts at 20 s, shows {left}");
    screenshot(window, "idle-warning");
    tap(window, "我还需要时间");
    assert_eq!(window.global::<KioskView>().get_idle_seconds_left(), -1, "more time hides the warning");
    window.hide().unwrap();
}
