//! Calling a person, alone: the interpreter call from the press to its end (or to why no
//! interpreter came), hanging up when the resident leaves, the staff call kept through an
//! outage, the status news with its alert sound, and captions of exactly what is spoken.

use contract::model::{
    ApiError, Bilingual, CallEndReason, InterpreterCallStatus as Status, StaffCallStatus, UnavailableReason,
};

use super::*;
use crate::speech::{Earcon, Sound};
use crate::view::{LineStyle, Page};

pub(super) fn call(status: Status) -> InterpreterCall {
    InterpreterCall {
        id: "call-1".into(),
        kiosk_id: "k1".into(),
        status,
        position: (status == Status::Queued).then_some(2),
        expected_wait_minutes: (status == Status::Queued).then_some(6),
        interpreter: matches!(status, Status::Assigned | Status::InCall).then(|| "王老师".into()),
        join_url: matches!(status, Status::Assigned | Status::InCall).then(|| "https://meet.example.cn/csc-0f".into()),
        unavailable_reason: (status == Status::Unavailable).then_some(UnavailableReason::OutsideHours),
        unavailable_message: (status == Status::Unavailable).then(|| Bilingual {
            zh: "现在不是手语服务时间（08:30-17:30）。".into(),
            en: "Outside interpreter hours (08:30-17:30).".into(),
        }),
        created_at: 1,
        assigned_at: None,
        started_at: None,
        ended_at: None,
        ended_reason: None,
    }
}

fn staff_call(status: StaffCallStatus) -> StaffCall {
    StaffCall {
        id: "staff-1".into(),
        kiosk_id: "k1".into(),
        reason: StaffCallReason::Wheelchair,
        status,
        created_at: 1,
        acknowledged_at: (status == StaffCallStatus::Acknowledged).then_some(2),
        acknowledged_by: (status == StaffCallStatus::Acknowledged).then(|| "李明".into()),
    }
}

fn unreachable() -> ApiFailure {
    ApiFailure::Unreachable("connection refused".into())
}

fn tick(kiosk: &mut Kiosk, secs: u32) -> Vec<Effect> {
    (0..secs).flat_map(|_| kiosk.handle(Event::Tick(1))).collect()
}

/// A kiosk whose resident pressed the sign-language button, with the call queued.
fn waiting() -> Kiosk {
    let mut kiosk = kiosk();
    let effects = kiosk.handle(Event::Bar(BarAction::SignLanguage));
    assert!(matches!(effects[0], Effect::RequestInterpreter { .. }), "{effects:?}");
    assert!(effects.contains(&Effect::OpenCamera(CameraUse::SelfView)), "{effects:?}");
    kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Queued))));
    kiosk
}

#[test]
fn one_press_reaches_the_waiting_screen_with_position_wait_and_self_view() {
    let mut kiosk = kiosk();
    kiosk.handle(Event::Bar(BarAction::SignLanguage));
    let view = kiosk.view();
    assert_eq!(view.page, Page::SelfView);
    assert_eq!(view.prompt, "正在为您联系手语翻译员……");
    assert!(view.profile.captions, "captions come on on the sign-language path");

    kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Queued))));
    let view = kiosk.view();
    assert_eq!(view.page, Page::SelfView);
    let lines: Vec<&str> = view.lines.iter().map(|l| l.text.shown.as_str()).collect();
    assert_eq!(lines[..2], ["您前面还有 1 人", "预计等待约 6 分钟"]);
    assert_eq!(view.lines[0].style, LineStyle::Heading, "position and wait in big text");
    assert_eq!(view.items[0].id, action::CANCEL);

    // A camera that fails leaves the call, with a warning.
    kiosk.handle(Event::CameraFailed(CameraProblem::NotConnected));
    assert!(kiosk.view().error.starts_with("摄像头无法使用"), "{}", kiosk.view().error);
    assert_eq!(kiosk.view().page, Page::SelfView);

    // The keypad's sign-language key works too, voice mode or not.
    let mut other = super::tests::kiosk();
    other.handle(Event::Nav(NavKey::SignLanguage));
    assert_eq!(other.view().page, Page::SelfView);
    assert!(!other.view().profile.voice);
}

#[test]
fn polls_while_waiting_and_does_not_time_the_resident_out() {
    let mut kiosk = waiting();
    let effects = tick(&mut kiosk, 2);
    assert_eq!(effects, vec![Effect::PollInterpreterCall { id: "call-1".into() }]);
    assert!(tick(&mut kiosk, 5).is_empty(), "no second poll before the first is answered");
    kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Queued))));
    tick(&mut kiosk, 200);
    assert_eq!(kiosk.view().idle_warning, None, "waiting for an interpreter is not idling");
    assert_eq!(kiosk.view().page, Page::SelfView);
}

#[test]
fn an_accepted_call_opens_the_video_then_its_end_brings_the_kiosk_back() {
    let mut kiosk = waiting();
    tick(&mut kiosk, 2);
    let effects = kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Assigned))));
    let open = Effect::OpenVideoCall { join_url: "https://meet.example.cn/csc-0f".into(), language: Language::Zh };
    assert!(effects.contains(&open), "{effects:?}");
    assert!(effects.contains(&Effect::ReportVideoStarted { id: "call-1".into() }));
    assert!(effects.contains(&Effect::CloseCamera), "the video program needs the camera");
    let said: Vec<String> = utterances(&effects).iter().flat_map(|u| u.transcript()).collect();
    assert_eq!(said[0], "<Alert>", "the news comes with the alert sound: {said:?}");
    assert!(said.contains(&"interpreter.in-call".to_string()), "{said:?}");
    assert_eq!(kiosk.view().page, Page::Message);
    assert_eq!(kiosk.view().lines[0].text, "翻译员：王老师");

    // A late answer to an earlier poll never reopens anything.
    let effects = kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Queued))));
    assert!(effects.is_empty(), "{effects:?}");
    kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::InCall))));

    let effects = kiosk.handle(Event::VideoCallClosed);
    assert_eq!(effects[0], Effect::EndInterpreterCall { id: "call-1".into() });
    kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Ended))));
    assert_eq!(kiosk.view().prompt, "视频通话已结束。谢谢您的使用。");
    assert!(tick(&mut kiosk, 10).is_empty(), "an ended call is not polled");
}

#[test]
fn beside_the_open_video_the_bars_sign_language_button_and_key_end_the_call() {
    let mut kiosk = waiting();
    assert!(!kiosk.view().in_video_call);
    kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Assigned))));
    assert!(kiosk.view().in_video_call, "the bar shows 结束通话");
    let stops = voice::stops(&kiosk.view());
    let bar = stops.iter().find(|s| s.focus_id == "bar:sign-language").unwrap();
    assert_eq!(bar.phrases[0], Phrase::prompt("bar.end-call"), "voice navigation names it for what it does");

    let effects = kiosk.handle(Event::Nav(NavKey::SignLanguage));
    assert!(effects.contains(&Effect::EndInterpreterCall { id: "call-1".into() }), "{effects:?}");
    assert!(effects.contains(&Effect::CloseVideoCall));
    assert!(!kiosk.view().in_video_call);

    // On the help page during a call, the bar's button ends it too.
    let mut kiosk = waiting();
    kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Assigned))));
    kiosk.handle(Event::Bar(BarAction::Help));
    let effects = kiosk.handle(Event::Bar(BarAction::SignLanguage));
    assert!(effects.contains(&Effect::CloseVideoCall), "{effects:?}");
}

#[test]
fn the_interpreter_ending_the_call_closes_the_video_window() {
    let mut kiosk = waiting();
    kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Assigned))));
    let effects = kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Ended))));
    assert!(effects.contains(&Effect::CloseVideoCall), "{effects:?}");
    let effects = kiosk.handle(Event::VideoCallClosed);
    assert!(effects.is_empty(), "nothing left to end: {effects:?}");
}

#[test]
fn a_call_the_interpreter_left_ends_offers_staff_and_then_the_session_is_wiped() {
    let mut kiosk = waiting();
    kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Assigned))));
    tick(&mut kiosk, 200);
    assert!(kiosk.view().in_video_call, "a call under way is not idling");

    // The interpreter's desk stopped reading the call: the API ended it.
    let gone = InterpreterCall { ended_reason: Some(CallEndReason::InterpreterGone), ..call(Status::Ended) };
    let effects = kiosk.handle(Event::InterpreterCallUpdated(Ok(gone)));
    assert!(effects.contains(&Effect::CloseVideoCall), "{effects:?}");
    let said: Vec<String> = utterances(&effects).iter().flat_map(|u| u.transcript()).collect();
    assert!(said.contains(&"interpreter.gone".to_string()), "{said:?}");
    let view = kiosk.view();
    assert_eq!(view.prompt, "翻译员已经离开，视频通话已结束。需要帮助可以请工作人员过来。");
    let items: Vec<&str> = view.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(items, [action::CALL_STAFF, action::HOME]);

    // Nobody is left at the kiosk either: the idle warning, then a fresh kiosk.
    let idle = IdlePolicy::default();
    tick(&mut kiosk, idle.timeout_secs);
    assert!(kiosk.view().idle_warning.is_some());
    let effects = tick(&mut kiosk, idle.warning_secs);
    assert!(!effects.iter().any(|e| matches!(e, Effect::HangUp { .. })), "the call is over already: {effects:?}");
    assert_eq!(kiosk.view().page, Page::Home);
    assert!(!kiosk.view().profile.captions, "the next resident gets the default profile");
}

#[test]
fn the_outbox_answering_for_a_call_left_earlier_does_not_end_the_new_one() {
    let mut kiosk = waiting();
    let effects = kiosk.handle(Event::Bar(BarAction::Home));
    assert!(effects.contains(&Effect::HangUp { id: "call-1".into() }), "{effects:?}");
    kiosk.handle(Event::Bar(BarAction::SignLanguage));
    let earlier = InterpreterCall { status: Status::Cancelled, ..call(Status::Queued) };
    // While the new call is being asked for, and once it is known.
    assert!(kiosk.handle(Event::CallHungUp(Ok(earlier.clone()))).is_empty());
    assert_eq!(kiosk.view().prompt, "正在为您联系手语翻译员……");
    let new = InterpreterCall { id: "call-2".into(), ..call(Status::Queued) };
    kiosk.handle(Event::InterpreterCallUpdated(Ok(new.clone())));
    kiosk.handle(Event::CallHungUp(Ok(earlier)));
    kiosk.handle(Event::CallHungUp(Err(unreachable())));
    assert_eq!(kiosk.view().page, Page::SelfView, "still waiting for an interpreter");
    assert!(kiosk.view().error.shown.is_empty(), "an outbox retry is not this call's trouble");

    // The answer to hanging up this call is news.
    let ended = InterpreterCall { status: Status::Ended, ..call(Status::Assigned) };
    kiosk.handle(Event::InterpreterCallUpdated(Ok(InterpreterCall { id: "call-2".into(), ..call(Status::Assigned) })));
    let effects = kiosk.handle(Event::Nav(NavKey::SignLanguage));
    assert!(effects.contains(&Effect::EndInterpreterCall { id: "call-2".into() }), "{effects:?}");
    kiosk.handle(Event::CallHungUp(Ok(InterpreterCall { id: "call-2".into(), ..ended })));
    assert_eq!(kiosk.view().prompt, "视频通话已结束。谢谢您的使用。");
}

#[test]
fn leaving_or_a_wiped_session_hangs_up_and_closes_the_video() {
    // Cancel while queued: back where the resident was, the call cancelled.
    let mut kiosk = waiting();
    let effects = kiosk.handle(Event::Activate(action::CANCEL.into()));
    assert!(effects.contains(&Effect::HangUp { id: "call-1".into() }), "{effects:?}");
    assert!(effects.contains(&Effect::CloseCamera));
    assert_eq!(kiosk.view().page, Page::Home);

    // Home during the video call.
    let mut kiosk = waiting();
    kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Assigned))));
    let effects = kiosk.handle(Event::Bar(BarAction::Home));
    assert!(effects.contains(&Effect::CloseVideoCall), "{effects:?}");
    assert!(effects.contains(&Effect::HangUp { id: "call-1".into() }));

    // Help keeps the call.
    let mut kiosk = waiting();
    kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Assigned))));
    let effects = kiosk.handle(Event::Bar(BarAction::Help));
    assert!(!effects.iter().any(|e| matches!(e, Effect::HangUp { .. } | Effect::CloseVideoCall)), "{effects:?}");
    // With the API gone quiet, the resident may have left too: the session is wiped at the
    // idle timeout, and the call never outlives it.
    tick(&mut kiosk, 2);
    kiosk.handle(Event::InterpreterCallUpdated(Err(unreachable())));
    let effects = kiosk.reset_for_test();
    assert!(effects.contains(&Effect::CloseVideoCall), "{effects:?}");
    assert!(effects.contains(&Effect::HangUp { id: "call-1".into() }));

    // A call the API made after the resident left is hung up when its answer comes.
    let mut kiosk = super::tests::kiosk();
    kiosk.handle(Event::Bar(BarAction::SignLanguage));
    kiosk.handle(Event::Bar(BarAction::Home));
    let effects = kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Queued))));
    assert_eq!(effects, vec![Effect::HangUp { id: "call-1".into() }]);
}

impl Kiosk {
    /// The idle reset as the clock brings it.
    fn reset_for_test(&mut self) -> Vec<Effect> {
        let limit = self.idle.timeout_secs + self.idle.warning_secs;
        self.session.idle_secs = limit - 1;
        self.handle(Event::Tick(1))
    }
}

#[test]
fn no_interpreter_offers_staff_and_written_help() {
    let mut kiosk = waiting();
    let effects = kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Unavailable))));
    let view = kiosk.view();
    assert_eq!(view.page, Page::Message);
    assert_eq!(view.prompt, "现在没有手语翻译员可以接听。");
    assert_eq!(view.lines[0].text, "现在不是手语服务时间（08:30-17:30）。", "the API's reason");
    assert!(view.lines.len() >= 4, "written help: {:?}", view.lines);
    assert_eq!(view.items[0].id, action::CALL_STAFF);
    assert!(effects.contains(&Effect::CloseCamera));

    // One press calls staff, for a hearing reason.
    let effects = kiosk.handle(Event::Activate(action::CALL_STAFF.into()));
    assert!(matches!(&effects[0], Effect::SendStaffCall { reason: StaffCallReason::Hearing, .. }), "{effects:?}");
    assert_eq!(kiosk.view().title, "呼叫工作人员");
}

#[test]
fn a_refused_or_unreachable_request_is_explained_and_retried() {
    let mut kiosk = kiosk();
    let effects = kiosk.handle(Event::Bar(BarAction::SignLanguage));
    let Effect::RequestInterpreter { idempotency_key } = &effects[0] else { panic!("{effects:?}") };
    kiosk.handle(Event::InterpreterCallUpdated(Err(unreachable())));
    assert_eq!(kiosk.view().error, "网络暂时中断，正在自动重试，请稍候。");
    let effects = tick(&mut kiosk, 5);
    assert_eq!(effects, vec![Effect::RequestInterpreter { idempotency_key: idempotency_key.clone() }], "same key");
    // The network fails mid-wait: the call is kept and polled again.
    kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Queued))));
    assert_eq!(kiosk.view().error, "");
    tick(&mut kiosk, 2);
    kiosk.handle(Event::InterpreterCallUpdated(Err(unreachable())));
    assert_eq!(kiosk.view().page, Page::SelfView);
    assert!(!kiosk.view().error.is_empty());
    assert_eq!(tick(&mut kiosk, 2), vec![Effect::PollInterpreterCall { id: "call-1".into() }]);

    let mut kiosk = super::tests::kiosk();
    kiosk.handle(Event::Bar(BarAction::SignLanguage));
    let message =
        Bilingual { zh: "本机已有一个手语呼叫。".into(), en: "This kiosk already has a call.".into() };
    kiosk.handle(Event::InterpreterCallUpdated(Err(ApiFailure::Refused(ApiError {
        code: "interpreter_call_open".into(),
        message: message.clone(),
    }))));
    assert_eq!(kiosk.view().lines[0].text, message.zh.as_str());
    assert!(tick(&mut kiosk, 20).is_empty(), "a refusal is not retried");
}

#[test]
fn a_video_window_that_cannot_open_ends_the_call_and_offers_staff() {
    let mut kiosk = waiting();
    kiosk.handle(Event::InterpreterCallUpdated(Ok(call(Status::Assigned))));
    let effects = kiosk.handle(Event::VideoCallFailed);
    assert_eq!(effects[0], Effect::EndInterpreterCall { id: "call-1".into() });
    assert_eq!(kiosk.view().items[0].id, action::CALL_STAFF);
}

#[test]
fn staff_calls_choose_a_reason_and_show_the_status_until_acknowledged() {
    let mut kiosk = kiosk();
    kiosk.handle(Event::Bar(BarAction::CallStaff));
    let view = kiosk.view();
    assert_eq!(
        view.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        ["need_help", "wheelchair", "hearing", "vision"]
    );
    let effects = kiosk.handle(Event::Activate("wheelchair".into()));
    let Effect::SendStaffCall { reason: StaffCallReason::Wheelchair, idempotency_key } = effects[0].clone() else {
        panic!("{effects:?}")
    };
    assert_eq!(kiosk.view().prompt, "正在通知工作人员……");
    kiosk.handle(Event::StaffCallAnswered {
        idempotency_key: idempotency_key.clone(),
        result: Ok(staff_call(StaffCallStatus::Sent)),
    });
    assert_eq!(kiosk.view().prompt, "已通知工作人员，请在这里稍候。");
    assert_eq!(kiosk.view().lines[0].value, "轮椅协助");
    let effects = tick(&mut kiosk, 2);
    assert_eq!(effects, vec![Effect::PollStaffCall { id: "staff-1".into(), idempotency_key: idempotency_key.clone() }]);
    let effects = kiosk
        .handle(Event::StaffCallAnswered { idempotency_key, result: Ok(staff_call(StaffCallStatus::Acknowledged)) });
    assert_eq!(kiosk.view().prompt, "工作人员李明正在赶来，请在这里稍候。");
    let said = utterances(&effects)[0].transcript();
    assert_eq!(said[..3], ["<Alert>", "staff-call.coming", "李明"], "spoken even with voice off");
    assert!(tick(&mut kiosk, 10).is_empty(), "no more polls");
}

#[test]
fn a_staff_call_made_during_an_outage_is_kept_by_the_outbox_and_shown_sent_when_it_gets_through() {
    let mut kiosk = kiosk();
    kiosk.handle(Event::Activate(home::CALL_STAFF.into()));
    let effects = kiosk.handle(Event::Activate("vision".into()));
    let Effect::SendStaffCall { idempotency_key, .. } = effects[0].clone() else { panic!("{effects:?}") };
    assert!(effects[0].is_durable(), "the outbox keeps it on disk until the API takes it");
    let answered = |result| Event::StaffCallAnswered { idempotency_key: idempotency_key.clone(), result };
    kiosk.handle(answered(Err(unreachable())));
    assert!(kiosk.view().prompt.contains("已保存"), "{}", kiosk.view().prompt);
    assert!(tick(&mut kiosk, 20).is_empty(), "the outbox sends it again, not the core");

    // The outbox got it through: sent, then polled for the acknowledgement.
    kiosk.handle(answered(Ok(staff_call(StaffCallStatus::Sent))));
    assert_eq!(kiosk.view().prompt, "已通知工作人员，请在这里稍候。");
    let poll = Effect::PollStaffCall { id: "staff-1".into(), idempotency_key: idempotency_key.clone() };
    assert_eq!(tick(&mut kiosk, 2), vec![poll]);

    // The resident goes away; the session is wiped. A late report of the call changes nothing.
    kiosk.handle(Event::Bar(BarAction::Home));
    kiosk.reset_for_test();
    assert!(kiosk.handle(answered(Ok(staff_call(StaffCallStatus::Sent)))).is_empty());
    assert!(tick(&mut kiosk, 20).is_empty(), "nothing more to do for a wiped session");
}

#[test]
fn captions_show_exactly_what_is_spoken_and_can_be_switched() {
    // Switched on the Help page (and off on the caption strip).
    let mut kiosk = kiosk();
    assert!(!kiosk.view().profile.captions);
    kiosk.handle(Event::Bar(BarAction::Help));
    kiosk.handle(Event::Activate(action::CAPTIONS.into()));
    assert!(kiosk.view().profile.captions);
    assert_eq!(kiosk.view().items[1].label, "关闭字幕");
    kiosk.handle(Event::Bar(BarAction::Captions));
    assert!(!kiosk.view().profile.captions);
    // A spoken screen, in words: the spoken forms, numbers as said.
    let effects = waiting().handle(Event::InterpreterCallUpdated(Ok(call(Status::Assigned))));
    let utterance = utterances(&effects)[0];
    assert_eq!(
        utterance.captions(),
        ["翻译员已接通，视频通话在另一个窗口中。通话结束后会回到这里。", "翻译员：王老师"]
    );
    // Something personal is captioned as it is said: hidden, unless listening is private.
    let secret = Phrase::prompt_with("voice.ends-with", vec![Phrase::code("1234")]).personal();
    let mut utterance = Utterance {
        language: Language::Zh,
        settings: Default::default(),
        private: false,
        sounds: vec![Sound::Earcon(Earcon::Error), Sound::Say(secret)],
    };
    assert_eq!(utterance.captions(), ["内容已隐藏"]);
    utterance.private = true;
    assert!(utterance.captions()[0].contains("1234"));
    // The spoken form, not the written one: the language button says what it does.
    let language = Utterance { sounds: vec![Sound::Say(Phrase::prompt("bar.language"))], ..utterance };
    assert_eq!(language.captions(), ["切换为英文"]);
    // The next resident starts without captions.
    let mut kiosk = waiting();
    kiosk.handle(Event::Bar(BarAction::Home));
    kiosk.reset_for_test();
    assert!(!kiosk.view().profile.captions);
}
