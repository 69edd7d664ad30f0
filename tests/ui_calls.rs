//! Calling a person through the real window, against the real reference server: one press on
//! the sign-language button reaches the waiting screen with its self-view; an interpreter
//! accepting through the API opens the video command (a stub that records its arguments) with
//! the right room; closing that window brings the kiosk back and ends the call. A call is
//! cancelled; the API going down mid-wait is shown and survived; the last interpreter going
//! off duty makes the call unavailable, with written help. A staff call is acknowledged by
//! staff through the API, and one made while the API is down is kept and arrives when it is
//! back. Captions show exactly what was spoken.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use slint::ComponentHandle;

use kiosk::ui::{Captions, KioskUi, KioskView, PageKind};
use kiosk::video::room_url;
use kiosk_core::profile::Language;
use kiosk_core::speech::Phrase;
use kiosk_core::IdlePolicy;
use service_api::{EmbeddedServer, Role};

use common::{press, start_kiosk_with, wait_until, TestApi};

const INTERPRETER: &str = "interpreter-token";
const STAFF: &str = "staff-token";

/// A stand-in for the video program: records its arguments in `dir/video-args`, one per line,
/// then waits until `dir/hang-up` exists (the resident closing the window); while
/// `dir/video-crashes` exists, it fails at once instead (a fault injected).
fn video_stub(dir: &Path) -> Vec<String> {
    let script = dir.join("video-stub");
    let body = format!(
        "#!/bin/sh\n[ -e '{dir}/video-crashes' ] && exit 3\nprintf '%s\\n' \"$@\" > '{dir}/video-args'\nwhile [ ! -e '{dir}/hang-up' ]; do sleep 0.05; done\n",
        dir = dir.display()
    );
    std::fs::write(&script, body).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    vec![script.to_string_lossy().into(), "--app={url}".into(), "--user-data-dir={profile}".into()]
}

/// One test: the testing backend is set up once per process, on one thread.
#[test]
fn calling_an_interpreter_and_staff() {
    common::init_headless_platform();
    let (api, ui, said) = start_kiosk_with(
        IdlePolicy::default(),
        |dir| common::files_camera(vec![common::blank_frame(dir)], 30),
        video_stub,
    );
    api.add_token(Role::Interpreter, "王老师", INTERPRETER);
    api.add_token(Role::Staff, "李明", STAFF);
    ui.window.window().set_size(slint::PhysicalSize::new(1920, 1080));
    ui.start();
    ui.window.show().unwrap();
    wait_until(&ui.window, "the catalog", |w| w.global::<KioskView>().get_page() == PageKind::Home);

    an_interpreter_answers_in_the_video_window_and_the_kiosk_comes_back(&api, &ui, &said);
    a_waiting_call_is_cancelled(&api, &ui);
    a_crashing_video_program_ends_the_call_offers_staff_and_tells_staff(&api, &ui);
    staff_acknowledge_a_call(&api, &ui);
    let api = the_api_going_down_mid_wait_is_survived_until_no_interpreter_is_left(api, &ui);
    a_staff_call_made_while_the_api_is_down_arrives_when_it_is_back(api, &ui);
}

fn an_interpreter_answers_in_the_video_window_and_the_kiosk_comes_back(
    api: &TestApi,
    ui: &KioskUi,
    said: &common::Said,
) {
    let window = &ui.window;
    api.post(INTERPRETER, "/v1/interpreters/me/on-duty");

    press(window, "手语服务");
    wait_until(window, "the waiting screen", |w| w.global::<KioskView>().get_page() == PageKind::SelfView);
    wait_until(window, "the queue position", |w| w.global::<KioskView>().get_prompt().contains("请确认您在画面里"));
    let lines: Vec<String> = ui.view().lines.iter().map(|l| l.text.shown.clone()).collect();
    assert_eq!(lines[0], "下一位就是您");
    assert!(lines[1].starts_with("预计等待约"), "{lines:?}");
    wait_until(window, "the self-view", |w| w.global::<KioskView>().get_camera_preview().size().width > 0);
    // Captions came on with the sign-language button, and show the words just spoken, one
    // phrase after the other.
    assert!(window.global::<Captions>().get_on());
    let spoken = said.last_spoken();
    assert!(spoken.contains(&"下一位就是您".to_string()), "{spoken:?}");
    // (On a busy machine the first may be gone already: from the one on screen, in order.)
    let first = spoken
        .iter()
        .position(|phrase| window.global::<Captions>().get_text() == phrase.as_str())
        .expect("a spoken phrase");
    let mut shown = vec![window.global::<Captions>().get_text().to_string()];
    while first + shown.len() < spoken.len() {
        let before = shown.last().unwrap().clone();
        wait_until(window, "the next caption", move |w| w.global::<Captions>().get_text() != before.as_str());
        shown.push(window.global::<Captions>().get_text().to_string());
    }
    assert_eq!(shown, spoken[first..]);
    common::screenshot(window, "interpreter-waiting");

    // The interpreter takes the call; within a poll the kiosk opens the room.
    let queue = api.get(INTERPRETER, "/v1/interpreter-calls?status=queued");
    let id = queue[0]["id"].as_str().unwrap().to_string();
    let accepted = api.post(INTERPRETER, &format!("/v1/interpreter-calls/{id}/accept"));
    let join_url = accepted["join_url"].as_str().unwrap();
    let args_file = api.dir.path().join("video-args");
    wait_until(window, "the video window", move |_| args_file.exists());
    let args = std::fs::read_to_string(api.dir.path().join("video-args")).unwrap();
    let args: Vec<&str> = args.lines().collect();
    assert_eq!(args[0], format!("--app={}", room_url(join_url, "大厅测试机", Language::Zh)));
    assert!(args[0].contains("#config.prejoinConfig.enabled=false&"), "{}", args[0]);
    wait_until(window, "the in-call screen", |w| w.global::<KioskView>().get_page() == PageKind::Message);
    assert_eq!(ui.view().lines[0].text, "翻译员：王老师");
    let (base, path) = (api.server.base_url.clone(), format!("/v1/interpreter-calls/{id}"));
    wait_until(window, "the video reported open", move |_| {
        common::get_json(&base, INTERPRETER, &path)["status"] == "in_call"
    });

    // The resident closes the video window: the kiosk notices and ends the call.
    std::fs::write(api.dir.path().join("hang-up"), "").unwrap();
    wait_until(window, "the call's end", |w| w.global::<KioskView>().get_prompt() == "视频通话已结束。谢谢您的使用。");
    let base = api.server.base_url.clone();
    wait_until(window, "the end reported", move |_| {
        common::get_json(&base, INTERPRETER, &format!("/v1/interpreter-calls/{id}"))["status"] == "ended"
    });
    press(window, "返回首页");
    wait_until(window, "home", |w| w.global::<KioskView>().get_page() == PageKind::Home);
}

/// The id of the one queued call.
fn queued_call(api: &TestApi) -> String {
    let queue = api.get(INTERPRETER, "/v1/interpreter-calls?status=queued");
    assert_eq!(queue.as_array().unwrap().len(), 1, "{queue}");
    queue[0]["id"].as_str().unwrap().to_string()
}

fn a_waiting_call_is_cancelled(api: &TestApi, ui: &KioskUi) {
    let window = &ui.window;
    press(window, "手语服务");
    wait_until(window, "the queue position", |w| w.global::<KioskView>().get_prompt().contains("请确认您在画面里"));
    let id = queued_call(api);
    press(window, "取消呼叫");
    wait_until(window, "home", |w| w.global::<KioskView>().get_page() == PageKind::Home);
    // As the kiosk sees it (an interpreter sees only the queue and their own calls).
    let base = api.server.base_url.clone();
    wait_until(window, "the call cancelled", move |_| {
        common::get_json(&base, "secret", &format!("/v1/interpreter-calls/{id}"))["status"] == "cancelled"
    });
}

fn a_crashing_video_program_ends_the_call_offers_staff_and_tells_staff(api: &TestApi, ui: &KioskUi) {
    let window = &ui.window;
    let crashes = api.dir.path().join("video-crashes");
    std::fs::write(&crashes, "").unwrap();
    press(window, "手语服务");
    wait_until(window, "the queue position", |w| w.global::<KioskView>().get_prompt().contains("请确认您在画面里"));
    let id = queued_call(api);
    api.post(INTERPRETER, &format!("/v1/interpreter-calls/{id}/accept"));
    wait_until(window, "the video's failure", |w| w.global::<KioskView>().get_prompt().contains("视频窗口没能打开"));
    assert_eq!(ui.view().prompt.phrase, Phrase::prompt("interpreter.video-failed"));
    assert!(ui.view().items.iter().any(|i| i.id == "call-staff"), "staff are offered");
    wait_until(window, "the staff notice", |w| w.global::<KioskView>().get_staff_notice().contains("手语视频无法打开"));
    let base = api.server.base_url.clone();
    wait_until(window, "the call ended", move |_| {
        common::get_json(&base, INTERPRETER, &format!("/v1/interpreter-calls/{id}"))["status"] == "ended"
    });
    std::fs::remove_file(crashes).unwrap();
    press(window, "返回首页");
    wait_until(window, "home", |w| w.global::<KioskView>().get_page() == PageKind::Home);
}

/// Stops the server, runs `meanwhile`, and starts it again on the same port and database.
fn with_the_api_down(api: TestApi, meanwhile: impl FnOnce()) -> TestApi {
    let TestApi { server, dir } = api;
    let address = server.base_url.trim_start_matches("http://").to_string();
    drop(server);
    meanwhile();
    let listener = std::net::TcpListener::bind(&address).unwrap();
    let server = EmbeddedServer::start_on(listener, &dir.path().join("api.sqlite"), "kiosk-test", "secret").unwrap();
    TestApi { server, dir }
}

fn the_api_going_down_mid_wait_is_survived_until_no_interpreter_is_left(api: TestApi, ui: &KioskUi) -> TestApi {
    let window = &ui.window;
    press(window, "手语服务");
    wait_until(window, "the queue position", |w| w.global::<KioskView>().get_prompt().contains("请确认您在画面里"));
    let id = queued_call(&api);
    let api = with_the_api_down(api, || {
        wait_until(window, "the connection lost", |w| w.global::<KioskView>().get_error().contains("网络暂时中断"));
        assert_eq!(window.global::<KioskView>().get_page(), PageKind::SelfView, "still waiting");
    });
    wait_until(window, "the connection back", |w| w.global::<KioskView>().get_error().is_empty());
    assert_eq!(queued_call(&api), id, "the same call, still queued");

    // The interpreter goes off duty: nobody is left to answer.
    api.post(INTERPRETER, "/v1/interpreters/me/off-duty");
    wait_until(window, "no interpreter", |w| w.global::<KioskView>().get_prompt() == "现在没有手语翻译员可以接听。");
    let lines: Vec<String> = ui.view().lines.iter().map(|l| l.text.shown.clone()).collect();
    assert!(lines.len() >= 4, "the reason and written help: {lines:?}");
    common::screenshot(window, "interpreter-unavailable");
    press(window, "返回首页");
    wait_until(window, "home", |w| w.global::<KioskView>().get_page() == PageKind::Home);
    api
}

fn staff_acknowledge_a_call(api: &TestApi, ui: &KioskUi) {
    let window = &ui.window;
    press(window, "呼叫工作人员");
    wait_until(window, "the reasons", |w| w.global::<KioskView>().get_page() == PageKind::List);
    common::screenshot(window, "staff-call-reasons");
    press(window, "轮椅协助");
    wait_until(window, "the call sent", |w| w.global::<KioskView>().get_prompt() == "已通知工作人员，请在这里稍候。");
    let open = api.get(STAFF, "/v1/staff-calls?status=sent");
    assert_eq!(open[0]["reason"], "wheelchair");
    let id = open[0]["id"].as_str().unwrap();
    api.post(STAFF, &format!("/v1/staff-calls/{id}/acknowledge"));
    wait_until(window, "staff on the way", |w| {
        w.global::<KioskView>().get_prompt() == "工作人员李明正在赶来，请在这里稍候。"
    });
    common::screenshot(window, "staff-call-acknowledged");
    press(window, "返回首页");
    wait_until(window, "home", |w| w.global::<KioskView>().get_page() == PageKind::Home);
}

fn a_staff_call_made_while_the_api_is_down_arrives_when_it_is_back(api: TestApi, ui: &KioskUi) {
    let window = &ui.window;
    let api = with_the_api_down(api, || {
        press(window, "呼叫工作人员");
        wait_until(window, "the reasons", |w| w.global::<KioskView>().get_page() == PageKind::List);
        press(window, "需要帮助");
        wait_until(window, "the call kept", |w| w.global::<KioskView>().get_prompt().contains("您的呼叫已保存"));
        // The resident goes home; the call is still kept.
        press(window, "首页");
        wait_until(window, "home", |w| w.global::<KioskView>().get_page() == PageKind::Home);
    });
    let base = api.server.base_url.clone();
    wait_until(window, "the kept call sent", move |_| {
        let calls = common::get_json(&base, STAFF, "/v1/staff-calls?status=sent");
        calls.as_array().unwrap().iter().any(|c| c["reason"] == "need_help")
    });
}
