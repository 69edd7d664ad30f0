//! Rating a service (好差评) and an application's progress (办件进度) through the real window,
//! against the real reference server, driven by accessible labels: a resident served at
//! window 3 rates the visit from the hall and a second try is told it was rated; a low
//! rating with its reasons and call-back number reaches the API for follow-up; an application
//! in need of materials is found by ID and phone numbers and a ticket taken for its window;
//! and the window evaluator asks the resident the clerk has just finished with.
//!
//! The testing backend's event loop can start once per process, so this file holds one test.

mod common;

use slint::{ComponentHandle, Model};

use contract::ApiClient;
use kiosk::outbox::Outbox;
use kiosk::ui::{KioskUi, KioskView, PageKind};
use kiosk_core::profile::Language;
use kiosk_core::{IdlePolicy, Kiosk};
use service_api::Role;

use common::{audit, press, screenshot, start_kiosk, wait_until, TestApi};

const STAFF: &str = "staff-token";

fn title_is(title: &'static str) -> impl Fn(&kiosk::ui::AppWindow) -> bool {
    move |w| w.global::<KioskView>().get_page_title() == title
}

fn type_on_keypad(ui: &KioskUi, keys: &str) {
    for key in keys.chars() {
        press(&ui.window, &key.to_string());
    }
}

#[test]
fn rating_a_service_and_finding_an_application() {
    common::init_headless_platform();
    let (api, ui) = start_kiosk(IdlePolicy::default());
    api.add_token(Role::Staff, "李明", STAFF);
    ui.window.window().set_size(slint::PhysicalSize::new(1920, 1080));
    ui.start();
    ui.window.show().unwrap();
    wait_until(&ui.window, "the catalog", |w| w.global::<KioskView>().get_page() == PageKind::Home);

    a_served_resident_rates_the_visit_once(&api, &ui);
    a_low_rating_reaches_the_api_with_its_reasons_and_call_back_number(&api, &ui);
    an_application_is_found_by_id_and_phone_and_a_number_taken_for_its_window(&api, &ui);
    drop(ui);
    the_window_evaluator_asks_the_resident_the_clerk_finished_with(api);
}

/// Home → 评价服务 → the letter → the digits: the visit's levels show.
fn open_the_levels(ui: &KioskUi, number: &str) {
    let window = &ui.window;
    press(window, "评价服务");
    wait_until(window, "the letters", title_is("评价服务"));
    let (letter, digits) = number.split_at(1);
    press(window, letter);
    wait_until(window, "the digits", |w| w.global::<KioskView>().get_page() == PageKind::Entry);
    type_on_keypad(ui, digits);
    press(window, "确定");
}

fn a_served_resident_rates_the_visit_once(api: &TestApi, ui: &KioskUi) {
    let window = &ui.window;
    let number = api.serve_a_ticket(STAFF);
    open_the_levels(ui, &number);
    wait_until(window, "the levels", title_is("您对这次服务满意吗？"));
    assert_eq!(window.global::<KioskView>().get_prompt(), format!("{number}号，居住证办理，3号窗口"));
    screenshot(window, "rating-levels");
    audit(ui);
    press(window, "文字大小");
    press(window, "文字大小");
    wait_until(window, "the largest text", |w| w.global::<KioskView>().get_text_size_name() == "特大");
    screenshot(window, "rating-levels-largest-text");
    audit(ui);
    press(window, "文字大小");
    press(window, "非常满意");
    wait_until(window, "the thanks", title_is("谢谢您的评价"));
    audit(ui);
    press(window, "完成，返回首页");
    wait_until(window, "home", |w| w.global::<KioskView>().get_page() == PageKind::Home);

    // The outbox sends it; then a second try is told kindly.
    let url = api.server.base_url.clone();
    let path = format!("/v1/rateable-visits/{number}");
    wait_until(window, "the rating at the API", move |_| common::get_json(&url, "secret", &path)["rated"] == true);
    open_the_levels(ui, &number);
    wait_until(window, "rated already", title_is("这次服务已经评价过了"));
    screenshot(window, "rating-already");
    press(window, "完成，返回首页");
    wait_until(window, "home", |w| w.global::<KioskView>().get_page() == PageKind::Home);
}

fn a_low_rating_reaches_the_api_with_its_reasons_and_call_back_number(api: &TestApi, ui: &KioskUi) {
    let window = &ui.window;
    let number = api.serve_a_ticket(STAFF);
    open_the_levels(ui, &number);
    wait_until(window, "the levels", title_is("您对这次服务满意吗？"));
    press(window, "不满意");
    wait_until(window, "the reasons", title_is("哪里让您不满意？"));
    press(window, "等待太久");
    press(window, "材料要求不清楚");
    wait_until(window, "two chosen", |w| {
        let items = w.global::<KioskView>().get_items();
        (0..items.row_count()).filter_map(|i| items.row_data(i)).filter(|item| item.detail == "✓ 已选").count() == 2
    });
    screenshot(window, "rating-reasons");
    audit(ui);
    press(window, "选好了");
    wait_until(window, "the call-back number", title_is("需要回访吗？"));
    type_on_keypad(ui, "13800138000");
    assert_eq!(window.global::<KioskView>().get_entry().shown, "*".repeat(11), "masked, as ID numbers are");
    screenshot(window, "rating-phone");
    press(window, "确定");
    wait_until(window, "the thanks", title_is("谢谢您的评价"));
    screenshot(window, "rating-thanks");
    press(window, "完成，返回首页");

    // The demo seed has low ratings of its own: this visit's is found by its number.
    let (url, wanted) = (api.server.base_url.clone(), number.clone());
    let this_visit = move |rating: &serde_json::Value| rating["ticket_number"] == wanted.as_str();
    let rated = this_visit.clone();
    wait_until(window, "the low rating at the API", move |_| {
        common::get_json(&url, STAFF, "/v1/evaluations?follow_up=open").as_array().unwrap().iter().any(&rated)
    });
    let open = api.get(STAFF, "/v1/evaluations?follow_up=open");
    let rating = open.as_array().unwrap().iter().find(|r| this_visit(r)).unwrap();
    assert_eq!(rating["reasons"], serde_json::json!(["long_wait", "unclear_materials"]));
    assert_eq!(rating["callback_phone"], "13800138000", "staff can call back");
    assert!(rating["follow_up_due"].is_i64(), "due in 15 working days");
}

fn an_application_is_found_by_id_and_phone_and_a_number_taken_for_its_window(api: &TestApi, ui: &KioskUi) {
    let window = &ui.window;
    api.application_waiting_for_materials(STAFF, "320102197503151236", "13655556666");

    press(window, "办件进度");
    wait_until(window, "the ways", title_is("办件进度"));
    screenshot(window, "progress-ways");
    audit(ui);
    press(window, "身份证号加手机号");
    wait_until(window, "the ID number", title_is("申请人身份证号码"));
    type_on_keypad(ui, "320102197503151236");
    press(window, "确定");
    wait_until(window, "the phone number", title_is("申请时留的手机号码"));
    type_on_keypad(ui, "13655556666");
    press(window, "确定");
    wait_until(window, "the application", title_is("居住证办理"));
    let lines = ui.view().lines.iter().map(|l| format!("{}{}", l.text.shown, l.value.shown)).collect::<Vec<_>>();
    assert!(lines.contains(&"当前状态待补正".to_string()), "{lines:?}");
    assert!(lines.contains(&"1、户口簿复印件".to_string()), "{lines:?}");
    screenshot(window, "progress-application");
    audit(ui);
    press(window, "文字大小");
    press(window, "文字大小");
    wait_until(window, "the largest text", |w| w.global::<KioskView>().get_text_size_name() == "特大");
    screenshot(window, "progress-application-largest-text");
    audit(ui);
    press(window, "取号，到3号窗口办理");
    wait_until(window, "the ticket", |w| w.global::<KioskView>().get_page() == PageKind::Ticket);
    press(window, "完成，返回首页");
    wait_until(window, "home", |w| w.global::<KioskView>().get_page() == PageKind::Home);
}

/// A second kiosk program on the same API, as window 3's evaluator: its calm screen, then the
/// question once the clerk finishes a ticket, then the calm screen again after the thanks.
fn the_window_evaluator_asks_the_resident_the_clerk_finished_with(api: TestApi) {
    let mut kiosk = Kiosk::new(Language::Zh, IdlePolicy::default(), "evaluator-test");
    kiosk.set_evaluator_window(Some(3));
    let client = ApiClient::new(&api.server.base_url, "secret");
    let devices = common::devices(Box::new(common::Said::default()), common::no_camera());
    let outbox = Outbox::open_in(&api.dir.path().join("evaluator")).unwrap();
    let ui = KioskUi::new(kiosk, client, outbox, devices).unwrap();
    let window = &ui.window;
    window.window().set_size(slint::PhysicalSize::new(1280, 800));
    ui.start();
    window.show().unwrap();
    wait_until(window, "the calm screen", title_is("3号窗口 服务评价"));
    screenshot(window, "evaluator-idle");

    let number = api.serve_a_ticket(STAFF);
    wait_until(window, "the question", title_is("您对这次服务满意吗？"));
    assert!(window.global::<KioskView>().get_prompt().starts_with(&number));
    press(window, "满意");
    wait_until(window, "the thanks", title_is("谢谢您的评价"));
    wait_until(window, "the calm screen again", title_is("3号窗口 服务评价"));
    let url = api.server.base_url.clone();
    let path = format!("/v1/rateable-visits/{number}");
    wait_until(window, "the rating at the API", move |_| common::get_json(&url, "secret", &path)["rated"] == true);
}
