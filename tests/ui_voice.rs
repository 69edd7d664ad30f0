//! Voice navigation through the real window on Slint's testing backend: keys of the tactile
//! keypad as key events, touch-and-confirm as pointer taps, Help held down, and the focus
//! ring drawn around the item being spoken. What the kiosk says is recorded, not played
//! (the speaker's own tests play and capture real audio).
//!
//! The testing backend's event loop can start once per process, so this file holds one test.

use std::time::Duration;

use i_slint_backend_testing::ElementHandle;
use slint::platform::{Key, PointerEventButton, WindowEvent};
use slint::{ComponentHandle, LogicalPosition, Model};

use kiosk::ui::{AppWindow, KioskView, PageKind, VoiceFocus};
use kiosk_core::IdlePolicy;

mod common;
use common::{init_headless_platform, start_speaking_kiosk, wait_until, write_png};

fn key(window: &AppWindow, key: impl Into<slint::SharedString>) {
    let text = key.into();
    window.window().dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
    window.window().dispatch_event(WindowEvent::KeyReleased { text });
}

fn centre(window: &AppWindow, label: &str) -> LogicalPosition {
    window.window().take_snapshot().expect("draw the page");
    let element = ElementHandle::find_by_accessible_label(window, label)
        .next()
        .unwrap_or_else(|| panic!("no {label:?} on {:?}", window.global::<KioskView>().get_page_title()));
    let (pos, size) = (element.absolute_position(), element.size());
    LogicalPosition::new(pos.x + size.width / 2.0, pos.y + size.height / 2.0)
}

/// Presses the pointer on `label`, holds it for `hold`, and lifts it, on the running event loop.
fn touch(window: &AppWindow, label: &str, hold: Duration) {
    let position = centre(window, label);
    let button = PointerEventButton::Left;
    window.window().dispatch_event(WindowEvent::PointerPressed { position, button });
    let weak = window.as_weak();
    slint::Timer::single_shot(hold, move || {
        let window = weak.upgrade().unwrap();
        window.window().dispatch_event(WindowEvent::PointerReleased { position, button });
        window.window().dispatch_event(WindowEvent::PointerExited);
        slint::quit_event_loop().unwrap();
    });
    slint::run_event_loop().unwrap();
}

fn tap(window: &AppWindow, label: &str) {
    touch(window, label, Duration::from_millis(50));
}

/// Presses Down until the stop `focus` is spoken.
fn focus_on(window: &AppWindow, focus: impl Fn(&str) -> bool) {
    for _ in 0..100 {
        if focus(&window.global::<VoiceFocus>().get_focus_id()) {
            return;
        }
        key(window, Key::DownArrow);
    }
    panic!("never reached; at {:?}", window.global::<VoiceFocus>().get_focus_id());
}

/// Pixels of the focus ring's colour inside the element labelled `label`, or anywhere.
fn ring_pixels(window: &AppWindow, label: &str) -> usize {
    let snapshot = window.window().take_snapshot().expect("snapshot");
    let (pos, size) = match ElementHandle::find_by_accessible_label(window, label).next() {
        Some(element) => (element.absolute_position(), element.size()),
        None if label.is_empty() => (LogicalPosition::new(0.0, 0.0), window.window().size().to_logical(1.0)),
        None => panic!("no {label:?}"),
    };
    let width = snapshot.width();
    let mut count = 0;
    for y in pos.y as u32..(pos.y + size.height) as u32 {
        for x in pos.x as u32..(pos.x + size.width) as u32 {
            let p = snapshot.as_slice()[(y * width + x) as usize];
            if (p.r, p.g, p.b) == (0xd9, 0x48, 0x0f) {
                count += 1;
            }
        }
    }
    count
}

#[test]
fn voice_navigation_by_keys_touch_and_help() {
    init_headless_platform();
    let (_api, ui, said) = start_speaking_kiosk(IdlePolicy::default());
    let window = &ui.window;
    window.window().set_size(slint::PhysicalSize::new(1920, 1080));
    window.show().unwrap();
    ui.start();
    wait_until(window, "the home tiles", |w| {
        w.global::<KioskView>().get_items().row_count() == kiosk_core::home::TILES.len()
    });

    // Help held down starts voice mode and says how to use it; it does not open help.
    touch(window, "帮助", Duration::from_millis(1800));
    assert!(window.global::<VoiceFocus>().get_voice_on());
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Home);
    let welcome = said.take();
    assert_eq!(welcome.len(), 1, "{welcome:?}");
    assert!(welcome[0].starts_with("语音导航已开启"), "{welcome:?}");
    assert!(welcome[0].contains("自助服务") || welcome[0].contains("本页共"), "{welcome:?}");

    // Down steps: the title, then the first tile, with the focus ring around it.
    key(window, Key::DownArrow);
    assert_eq!(window.global::<VoiceFocus>().get_focus_id(), "title");
    key(window, Key::DownArrow);
    assert_eq!(window.global::<VoiceFocus>().get_focus_id(), "item:take-number");
    let spoken = said.take();
    assert!(spoken[1].contains("取号排队") && spoken[1].contains("第2项"), "{spoken:?}");
    assert!(ring_pixels(window, "取号排队") > 2000, "the focus ring is drawn around the tile");
    assert_eq!(ring_pixels(window, "办事指南"), 0, "and nowhere else");

    // F1 explains the item in focus; F1 again explains the kiosk.
    key(window, Key::F1);
    key(window, Key::F1);
    let help = said.take();
    assert!(help[0].contains("选择要办理的事项，领取排队号"), "what this item does: {help:?}");
    assert!(help[1].starts_with("上下键移动"), "{help:?}");
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Home);

    // Touch and confirm: the first tap says the tile, the second opens it.
    tap(window, "办事指南");
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Home);
    assert_eq!(window.global::<VoiceFocus>().get_focus_id(), "item:guides");
    assert!(said.take()[0].contains("办事指南"));
    tap(window, "办事指南");
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::List);
    let arrival = said.take();
    assert!(arrival[0].contains("请选择类别") || arrival[0].contains("办事指南"), "{arrival:?}");

    // Enter on the focused tile of a long list turns the list to its page.
    key(window, Key::Escape);
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Home, "Escape is the keypad's Back");
    key(window, Key::DownArrow);
    key(window, Key::DownArrow);
    key(window, Key::Return);
    wait_until(window, "the services", |w| w.global::<KioskView>().get_page() == PageKind::List);
    let items = window.global::<KioskView>().get_items().row_count();
    for _ in 0..items + 1 {
        key(window, Key::DownArrow);
    }
    assert_eq!(window.global::<VoiceFocus>().get_focus_item() as usize, items - 1, "on the last service");
    let last = window.global::<KioskView>().get_items().iter().last().unwrap().label;
    assert!(ring_pixels(window, &last) > 1000, "the last service's page shows, ringed");
    if let Some(dir) = std::env::var_os("KIOSK_SCREENSHOTS") {
        let snapshot = window.window().take_snapshot().expect("snapshot");
        write_png(&snapshot, &std::path::Path::new(&dir).join("voice-focus.png"));
    }

    // A long guide in the largest text turns its page to the line being spoken.
    focus_on(window, |f| f == "bar:text-size");
    key(window, Key::Return);
    key(window, Key::Return);
    focus_on(window, |f| f == "bar:home");
    key(window, Key::Return);
    focus_on(window, |f| f == "item:guides");
    key(window, Key::Return);
    for _ in 0..2 {
        focus_on(window, |f| f.starts_with("item:"));
        key(window, Key::Return);
    }
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Guide);
    let last_line = format!("line:{}", window.global::<KioskView>().get_lines().row_count() - 1);
    focus_on(window, |f| f == last_line);
    assert!(ring_pixels(window, "") > 1000, "the last line of the guide shows, ringed");

    // The voice button turns speech off, and the ring goes with it.
    focus_on(window, |f| f == "bar:voice");
    key(window, Key::Return);
    assert!(!window.global::<VoiceFocus>().get_voice_on());
    assert_eq!(window.global::<VoiceFocus>().get_focus_id(), "");
    assert_eq!(said.take().last().map(String::as_str), Some("<stop>"));
}
