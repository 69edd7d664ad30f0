//! The staff's admin menu: the corner gesture, the PIN (never shown or said, wrong ones told
//! and counted, a lockout that outlives the session), the menu and each check, restart and
//! the maintenance shell, and the idle wipe that closes it all.

use contract::model::{DeviceState, DeviceStatus};

use super::*;
use crate::admin::{self, LOCKOUT_SECS, MAX_WRONG_PINS};
use crate::speech::{Part, Sound};
use crate::view::{Line, Page};

const PIN: &str = "246810";

fn setup(maintenance_shell: bool) -> AdminSetup {
    AdminSetup { kiosk_id: "hall-2".into(), version: "0.1.0".into(), maintenance_shell }
}

/// A kiosk whose staff PIN is configured.
fn staffed_kiosk() -> Kiosk {
    let mut kiosk = kiosk();
    kiosk.set_admin(setup(false));
    kiosk
}

fn gesture(kiosk: &mut Kiosk) -> Vec<Effect> {
    let mut effects = kiosk.handle(Event::CornerHeld(Corner::TopLeft));
    effects.extend(kiosk.handle(Event::CornerHeld(Corner::TopRight)));
    effects
}

/// Types `pin` and confirms it; returns the PIN the adapter is asked to check.
fn enter_pin(kiosk: &mut Kiosk, pin: &str) -> AdminPin {
    type_keys(kiosk, pin);
    let effects = activate(kiosk, action::ENTRY_DONE);
    effects
        .into_iter()
        .find_map(|e| match e {
            Effect::CheckAdminPin(pin) => Some(pin),
            _ => None,
        })
        .expect("the PIN is checked")
}

/// Signs in with the right PIN: the menu.
fn signed_in(kiosk: &mut Kiosk) -> Vec<Effect> {
    gesture(kiosk);
    enter_pin(kiosk, PIN);
    let effects = kiosk.handle(Event::AdminPinChecked { right: true });
    assert_eq!(kiosk.view().title.shown, "管理菜单");
    effects
}

fn item_ids(kiosk: &Kiosk) -> Vec<String> {
    kiosk.view().items.into_iter().map(|item| item.id).collect()
}

fn states(camera: DeviceStatus, printer: DeviceStatus) -> Vec<DeviceState> {
    let state = |device: &str, status| DeviceState { device: device.into(), status, detail: String::new() };
    vec![
        state("audio", DeviceStatus::Ok),
        state("speech", DeviceStatus::Missing),
        state("voice_pack", DeviceStatus::Ok),
        state("camera", camera),
        state("video", DeviceStatus::Ok),
        state("printer", printer),
    ]
}

#[test]
fn holding_the_two_top_corners_opens_the_pin_page_silently_and_only_with_a_pin_configured() {
    let mut kiosk = kiosk();
    assert_eq!(gesture(&mut kiosk), vec![], "no PIN configured: nothing at all");
    assert_eq!(kiosk.view().page, Page::Home);

    let mut kiosk = staffed_kiosk();
    assert_eq!(kiosk.handle(Event::CornerHeld(Corner::TopLeft)), vec![], "the first corner says and shows nothing");
    assert_eq!(kiosk.view().page, Page::Home);
    kiosk.handle(Event::CornerHeld(Corner::TopRight));
    let view = kiosk.view();
    assert_eq!((view.page, view.title.shown.as_str()), (Page::Entry, "工作人员登录"));
    assert!(view.can_go_back, "back to the home screen");
}

#[test]
fn the_corners_must_come_in_order_within_ten_seconds_and_only_on_the_home_screen() {
    let mut kiosk = staffed_kiosk();
    kiosk.handle(Event::CornerHeld(Corner::TopRight));
    kiosk.handle(Event::CornerHeld(Corner::TopLeft));
    assert_eq!(kiosk.view().page, Page::Home, "the wrong order");

    kiosk.handle(Event::Tick(admin::GESTURE_SECS + 1));
    kiosk.handle(Event::CornerHeld(Corner::TopRight));
    assert_eq!(kiosk.view().page, Page::Home, "too slow");

    activate(&mut kiosk, home::GUIDES);
    gesture(&mut kiosk);
    assert_ne!(kiosk.view().title.shown, "工作人员登录", "not in a resident's visit");
}

#[test]
fn the_pin_is_masked_never_said_and_never_in_a_log_line() {
    let mut kiosk = staffed_kiosk();
    kiosk.handle(Event::Bar(BarAction::Voice));
    kiosk.set_private_output(true); // even where personal data may be said
    gesture(&mut kiosk);
    for digit in PIN.chars() {
        let effects = kiosk.handle(Event::Nav(NavKey::Type(EntryKey::Char(digit))));
        assert_eq!(spoken(&effects), ["voice.star"], "a star for each digit");
    }
    let view = kiosk.view();
    assert_eq!(view.entry.as_ref().unwrap().shown, "******");
    assert!(view.items.iter().all(|item| item.id != action::SHOW_TYPED), "no way to show it");
    let read_back = spoken(&kiosk.handle(Event::Nav(NavKey::ReadBack)));
    assert!(!read_back.iter().any(|said| said.contains('2')), "only how many: {read_back:?}");

    let pin = {
        activate(&mut kiosk, action::ENTRY_DONE); // touch, then confirm
        let effects = activate(&mut kiosk, action::ENTRY_DONE);
        let pin = effects.iter().find_map(|e| match e {
            Effect::CheckAdminPin(pin) => Some(pin.clone()),
            _ => None,
        });
        assert!(!format!("{effects:?}").contains(PIN), "no log line can carry it");
        pin.unwrap()
    };
    assert_eq!(pin.digits(), PIN);
    assert_eq!(kiosk.session.typed, "", "not kept");
}

#[test]
fn a_short_or_wrong_pin_is_told_plainly_and_the_right_one_opens_the_menu() {
    let mut kiosk = staffed_kiosk();
    gesture(&mut kiosk);
    type_keys(&mut kiosk, "123");
    let effects = activate(&mut kiosk, action::ENTRY_DONE);
    assert_eq!(kiosk.view().error.phrase, Phrase::prompt("entry.error.pin-length"));
    assert!(spoken(&effects).contains(&"entry.error.pin-length".to_string()), "said, voice or not: {effects:?}");
    kiosk.handle(Event::Key(EntryKey::Clear));

    for _ in 0..2 {
        enter_pin(&mut kiosk, "000000");
        let effects = kiosk.handle(Event::AdminPinChecked { right: false });
        assert_eq!(kiosk.view().error.phrase, Phrase::prompt("admin.pin.wrong"));
        assert_eq!(spoken(&effects), ["<Error>", "admin.pin.wrong"], "each wrong PIN is told again");
        assert_eq!(kiosk.view().entry.unwrap().typed_len, 0, "ready for the next try");
    }

    enter_pin(&mut kiosk, PIN);
    let effects = kiosk.handle(Event::AdminPinChecked { right: true });
    assert!(effects.contains(&Effect::ReportDevices), "the menu shows each device's state");
    let view = kiosk.view();
    assert_eq!(view.page, Page::List);
    assert_eq!(view.prompt.shown, "本机编号 hall-2，版本 0.1.0。请选择要检查的项目");
    assert!(!view.can_go_back, "not back to the PIN page");
    assert_eq!(item_ids(&kiosk), ["camera", "speech", "api", "restart", "close"]);
}

#[test]
fn five_wrong_pins_lock_the_pin_page_for_ten_minutes_whatever_the_session() {
    let mut kiosk = staffed_kiosk();
    gesture(&mut kiosk);
    for _ in 0..MAX_WRONG_PINS {
        enter_pin(&mut kiosk, "000000");
        kiosk.handle(Event::AdminPinChecked { right: false });
    }
    let view = kiosk.view();
    assert_eq!(view.title.shown, "暂时不能登录");
    assert_eq!(view.prompt.shown, "密码输错的次数太多，请10分钟后再试");
    assert_eq!(view.entry, None, "no keypad");

    // A new session (the idle wipe) does not reset the count.
    activate(&mut kiosk, action::HOME);
    kiosk.handle(Event::Tick(LOCKOUT_SECS - 61));
    gesture(&mut kiosk);
    assert_eq!(kiosk.view().prompt.shown, "密码输错的次数太多，请2分钟后再试");
    kiosk.handle(Event::Tick(IdlePolicy::default().timeout_secs + IdlePolicy::default().warning_secs));
    assert_eq!(kiosk.view().page, Page::Home);

    kiosk.handle(Event::Tick(61));
    gesture(&mut kiosk);
    assert_eq!(kiosk.view().page, Page::Entry, "ten minutes on, the PIN page again");
    enter_pin(&mut kiosk, PIN);
    kiosk.handle(Event::AdminPinChecked { right: true });
    assert_eq!(kiosk.view().title.shown, "管理菜单");
}

#[test]
fn an_answer_for_a_pin_page_that_was_left_is_dropped() {
    let mut kiosk = staffed_kiosk();
    gesture(&mut kiosk);
    enter_pin(&mut kiosk, PIN);
    kiosk.handle(Event::Bar(BarAction::Home));
    kiosk.handle(Event::AdminPinChecked { right: true });
    assert_eq!(kiosk.view().page, Page::Home);
}

#[test]
fn the_idle_wipe_leaves_the_admin_menu_like_any_session() {
    let mut kiosk = staffed_kiosk();
    signed_in(&mut kiosk);
    activate(&mut kiosk, admin::CAMERA);
    assert_eq!(kiosk.view().page, Page::CameraCheck);
    let effects = kiosk.handle(Event::Tick(IdlePolicy::default().timeout_secs + IdlePolicy::default().warning_secs));
    assert_eq!(kiosk.view().page, Page::Home);
    assert!(effects.contains(&Effect::CloseCamera), "{effects:?}");
    assert!(kiosk.session.admin.is_none());
}

#[test]
fn the_maintenance_shell_is_offered_only_when_configured_and_each_way_out_quits() {
    let mut kiosk = staffed_kiosk();
    signed_in(&mut kiosk);
    assert!(!item_ids(&kiosk).contains(&admin::MAINTENANCE.to_string()));
    assert!(!activate(&mut kiosk, admin::MAINTENANCE).contains(&Effect::Quit(Quit::Maintenance)), "not by its id");
    assert!(activate(&mut kiosk, admin::RESTART).contains(&Effect::Quit(Quit::Restart)));

    let mut kiosk = kiosk_with_everything(true);
    signed_in(&mut kiosk);
    assert_eq!(
        item_ids(&kiosk),
        ["camera", "speech", "printer", "card-reader", "api", "restart", "maintenance", "close"]
    );
    assert!(activate(&mut kiosk, admin::MAINTENANCE).contains(&Effect::Quit(Quit::Maintenance)));
    let effects = activate(&mut kiosk, action::CLOSE);
    assert!(effects.contains(&Effect::LoadCatalog), "a fresh session");
    assert_eq!(kiosk.view().page, Page::Home);
}

/// A kiosk with a printer and a card reader, signed in.
fn kiosk_with_everything(maintenance_shell: bool) -> Kiosk {
    let mut kiosk = kiosk();
    kiosk.set_admin(setup(maintenance_shell));
    kiosk.set_printer(true);
    kiosk.set_card_reader(true);
    kiosk
}

#[test]
fn the_menu_shows_each_devices_state_from_the_heartbeats_report() {
    let mut kiosk = kiosk_with_everything(false);
    signed_in(&mut kiosk);
    kiosk.handle(Event::DevicesReported(states(DeviceStatus::Ok, DeviceStatus::Fault)));
    let details: Vec<(String, String)> =
        kiosk.view().items.into_iter().map(|item| (item.id, item.detail.shown)).take(4).collect();
    let expected = [
        ("camera", "正常"),
        ("speech", "没有连接或打不开"),
        ("printer", "有故障"),
        ("card-reader", "查看状态，读一张身份证"),
    ];
    assert_eq!(details, expected.map(|(id, detail)| (id.to_string(), detail.to_string())));
}

#[test]
fn the_camera_check_shows_the_picture_and_tells_when_it_fails() {
    let mut kiosk = staffed_kiosk();
    signed_in(&mut kiosk);
    let effects = activate(&mut kiosk, admin::CAMERA);
    assert!(effects.contains(&Effect::OpenCamera(CameraUse::SelfView)), "{effects:?}");
    kiosk.handle(Event::CameraFailed(CameraProblem::NotConnected));
    assert_eq!(kiosk.view().error.shown, "摄像头打不开，请检查连接线");
    let effects = activate(&mut kiosk, action::CLOSE);
    assert!(effects.contains(&Effect::CloseCamera));
    assert_eq!(kiosk.view().title.shown, "管理菜单");
}

#[test]
fn the_speech_test_plays_a_recorded_clip_then_live_speech_with_voice_on_or_off() {
    for voice in [false, true] {
        let mut kiosk = staffed_kiosk();
        signed_in(&mut kiosk);
        if voice {
            kiosk.handle(Event::Bar(BarAction::Voice));
            activate(&mut kiosk, admin::SPEECH); // touch, then confirm
        }
        let effects = activate(&mut kiosk, admin::SPEECH);
        let test = said(&effects);
        assert_eq!(test.sounds[0], Sound::Say(Phrase::prompt("admin.speech.recorded")), "a voice pack clip");
        assert_eq!(test.sounds[1], Sound::Say(Phrase(vec![Part::Text("这是语音合成读出的句子。".into())])), "live");
        kiosk.handle(Event::DevicesReported(states(DeviceStatus::Ok, DeviceStatus::Ok)));
        let lines: Vec<(String, String)> =
            kiosk.view().lines.into_iter().map(|l| (l.text.shown, l.value.shown)).collect();
        assert_eq!(lines[1], ("语音合成".to_string(), "没有连接或打不开".to_string()));
        if voice {
            activate(&mut kiosk, admin::AGAIN);
        }
        let again = activate(&mut kiosk, admin::AGAIN);
        assert_eq!(said(&again).sounds, test.sounds, "again");
    }
}

#[test]
fn the_printer_check_prints_a_test_page_and_tells_how_it_went() {
    let mut kiosk = kiosk_with_everything(false);
    signed_in(&mut kiosk);
    activate(&mut kiosk, admin::PRINTER);
    let effects = activate(&mut kiosk, admin::TEST_PRINT);
    let Some(Effect::PrintTicket(job)) = effects.iter().find(|e| matches!(e, Effect::PrintTicket(_))) else {
        panic!("a test page: {effects:?}")
    };
    assert_eq!((job.number.as_str(), job.lines[1].as_str()), ("测试", "本机编号 hall-2"));
    let effects = kiosk
        .handle(Event::TicketPrinted { ticket_id: admin::TEST_PRINT_ID.into(), result: Err(PrintProblem::PaperOut) });
    assert_eq!(kiosk.view().error.phrase, Phrase::prompt("print.failed.paper-out"));
    assert!(spoken(&effects).contains(&"print.failed.paper-out".to_string()));
}

#[test]
fn the_card_reader_check_shows_a_card_masked() {
    let mut kiosk = kiosk_with_everything(false);
    signed_in(&mut kiosk);
    activate(&mut kiosk, admin::CARD_READER);
    let card = IdCard { name: "张三明".into(), id_number: "11010519491231002X".into(), valid_until: None };
    let today = CivilDate { year: 2026, month: 12, day: 5 };
    let effects = kiosk.handle(Event::Card(CardNews::Read { card, today }));
    let fields: Vec<(String, String)> =
        kiosk.view().lines.into_iter().filter(|l| !l.value.is_empty()).map(|l| (l.text.shown, l.value.shown)).collect();
    let expected = [("姓名", "张**"), ("号码", "110105********002X"), ("有效期至", "长期")];
    assert_eq!(fields, expected.map(|(a, b)| (a.to_string(), b.to_string())));
    assert!(spoken(&effects).contains(&"admin.card.read".to_string()), "told: {effects:?}");
    assert_eq!(kiosk.view().title.shown, "身份证读卡器", "not taken as a resident's number");
}

#[test]
fn the_api_check_times_the_api_and_shows_the_kiosks_id_and_version() {
    let mut kiosk = staffed_kiosk();
    signed_in(&mut kiosk);
    assert_eq!(activate(&mut kiosk, admin::API).first(), Some(&Effect::CheckApi));
    assert_eq!(kiosk.view().lines[0].value.shown, "正在检查……");
    kiosk.handle(Event::ApiChecked(Ok(42)));
    let lines: Vec<String> = kiosk.view().lines.iter().map(|l| l.value.shown.clone()).collect();
    assert_eq!(lines, ["正常，响应用了42毫秒", "hall-2", "0.1.0"]);
    activate(&mut kiosk, admin::AGAIN);
    kiosk.handle(Event::ApiChecked(Err(ApiFailure::Unreachable("connection refused".into()))));
    assert_eq!(
        kiosk.view().lines[0],
        Line::field(Texts(Language::Zh).prompt("admin.api.state"), Texts(Language::Zh).prompt("admin.api.unreachable"))
    );
}
