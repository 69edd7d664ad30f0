//! The ticket flow, guides, help, the profile and the idle reset: whole visits.

use contract::model::*;

use super::*;
use crate::profile::{Language, TextSize};
use crate::speech::VoiceSettings;
use crate::view::{LineStyle, Page};

#[test]
fn home_offers_five_tiles() {
    let view = kiosk().view();
    let ids: Vec<_> = view.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, home::TILES);
    assert_eq!(view.items[0].label, "取号排队");
    assert!(!view.can_go_back);
}

#[test]
fn a_whole_ticket_flow() {
    let mut kiosk = kiosk();
    activate(&mut kiosk, home::TAKE_NUMBER);
    let view = kiosk.view();
    assert_eq!(view.page, Page::List);
    assert_eq!(view.items[0].label, "居住证办理");
    assert_eq!(view.items[0].detail, "公安局");

    walk_to_confirm(&mut kiosk);
    let lines = kiosk.view().lines;
    let fields: Vec<_> = lines.iter().map(|l| (&*l.text, &*l.value)).collect();
    assert_eq!(
        fields,
        [
            ("业务", "居住证办理"),
            ("优先办理", "我是60岁以上老人"),
            ("是否首次办理？", "是"),
            ("身份证号码", "**************002X"),
            ("手机号码", "未填写"),
        ]
    );
    assert!(lines.iter().all(|l| l.style == LineStyle::Field));

    let effects = activate(&mut kiosk, action::CONFIRM);
    let request =
        NewTicket { service_code: "residence-permit".into(), priority: Priority::Elderly, contact_phone: None };
    let issue = Effect::IssueTicket { request, idempotency_key: "k1-1".into() };
    assert_eq!(effects, vec![issue, Effect::StopSpeech], "a touch stops speech nobody asked for");
    assert_eq!(kiosk.view().page, Page::Busy);
    assert!(!kiosk.view().can_go_back, "no going back while the ticket is being issued");

    kiosk.handle(Event::TicketIssued(Ok(ticket(Priority::Elderly))));
    let view = kiosk.view();
    assert_eq!(view.page, Page::Ticket);
    let shown = view.ticket.unwrap();
    assert_eq!(shown.number, "H007");
    assert_eq!(shown.window, "办理窗口：3号窗口");
    assert_eq!(shown.people_ahead, "前面还有 3 人");
    assert_eq!(shown.wait, "预计等待约 24 分钟");
    assert!(!view.can_go_back, "the ticket cannot be taken twice by going back");

    activate(&mut kiosk, action::FINISH);
    assert_eq!(kiosk.view().page, Page::Home);
}

#[test]
fn masked_entry_shows_stars_and_names_the_wrong_part() {
    let mut kiosk = kiosk();
    activate(&mut kiosk, home::TAKE_NUMBER);
    activate(&mut kiosk, "residence-permit");
    activate(&mut kiosk, action::NEXT);
    activate(&mut kiosk, "normal");
    activate(&mut kiosk, action::NO);

    type_keys(&mut kiosk, "X1101051949123100219");
    let entry = kiosk.view().entry.unwrap();
    assert_eq!(entry.shown, "*".repeat(18), "X refused first, 19th digit refused");
    assert_eq!(entry.expected_len, 18);
    assert!(entry.allows_x);

    activate(&mut kiosk, action::ENTRY_DONE);
    let view = kiosk.view();
    assert_eq!(view.page, Page::Entry, "a wrong check digit keeps the resident here");
    assert!(view.error.contains("校验码"), "{}", view.error);
    assert!(!view.items.iter().any(|i| i.id == action::ENTRY_SKIP), "an ID number cannot be skipped");

    kiosk.handle(Event::Key(EntryKey::Delete));
    assert_eq!(kiosk.view().error, "", "typing clears the error");
    type_keys(&mut kiosk, "X");
    activate(&mut kiosk, action::ENTRY_DONE);
    assert_eq!(kiosk.view().page, Page::Entry, "now on the phone step");
    assert_eq!(kiosk.view().entry.unwrap().shown, "");
    type_keys(&mut kiosk, "2380013800");
    activate(&mut kiosk, action::ENTRY_DONE);
    assert!(kiosk.view().error.contains("11"), "too short");
    type_keys(&mut kiosk, "0");
    activate(&mut kiosk, action::ENTRY_DONE);
    assert!(kiosk.view().error.contains("1开头"));
    kiosk.handle(Event::Key(EntryKey::Clear));
    type_keys(&mut kiosk, "13800138000");
    assert_eq!(kiosk.view().entry.unwrap().shown, "13800138000", "a phone number is not masked");
    activate(&mut kiosk, action::ENTRY_DONE);
    assert_eq!(kiosk.view().page, Page::Confirm);
    let effects = activate(&mut kiosk, action::CONFIRM);
    assert!(
        matches!(&effects[0], Effect::IssueTicket { request, .. } if request.contact_phone.as_deref() == Some("13800138000")),
        "the phone goes with the ticket: {effects:?}"
    );
}

#[test]
fn back_returns_step_by_step_and_keeps_what_was_typed() {
    let mut kiosk = kiosk();
    walk_to_confirm(&mut kiosk);
    kiosk.handle(Event::Bar(BarAction::Back)); // phone
    kiosk.handle(Event::Bar(BarAction::Back)); // ID number
    assert_eq!(kiosk.view().entry.unwrap().shown, "*".repeat(18));
    kiosk.handle(Event::Bar(BarAction::Back)); // yes/no
    kiosk.handle(Event::Bar(BarAction::Back)); // priority
    kiosk.handle(Event::Bar(BarAction::Back)); // info
    kiosk.handle(Event::Bar(BarAction::Back)); // services
    assert_eq!(kiosk.view().page, Page::List);
    kiosk.handle(Event::Bar(BarAction::Back));
    assert_eq!(kiosk.view().page, Page::Home);
    assert!(!kiosk.view().can_go_back);
}

#[test]
fn home_abandons_the_flow() {
    let mut kiosk = kiosk();
    walk_to_confirm(&mut kiosk);
    kiosk.handle(Event::Bar(BarAction::Home));
    assert_eq!(kiosk.view().page, Page::Home);
    activate(&mut kiosk, home::TAKE_NUMBER);
    activate(&mut kiosk, "residence-permit");
    activate(&mut kiosk, action::NEXT);
    activate(&mut kiosk, "normal");
    activate(&mut kiosk, action::NO);
    assert_eq!(kiosk.view().entry.unwrap().shown, "", "nothing of the abandoned flow is left");
}

#[test]
fn an_unreachable_api_keeps_everything_and_retries_with_the_same_key() {
    let mut kiosk = kiosk();
    walk_to_confirm(&mut kiosk);
    let first = activate(&mut kiosk, action::CONFIRM);
    kiosk.handle(Event::TicketIssued(Err(ApiFailure::Unreachable("connection refused".into()))));
    let view = kiosk.view();
    assert_eq!(view.title, "服务暂时不可用");
    assert_eq!(view.items[0].id, action::RETRY);

    let retry = activate(&mut kiosk, action::RETRY);
    assert_eq!(retry, first, "the same request, with the same idempotency key");
    assert_eq!(kiosk.view().page, Page::Busy);
    kiosk.handle(Event::TicketIssued(Ok(ticket(Priority::Elderly))));
    assert_eq!(kiosk.view().page, Page::Ticket);

    // The next ticket gets a new key.
    activate(&mut kiosk, action::FINISH);
    walk_to_confirm(&mut kiosk);
    let next = activate(&mut kiosk, action::CONFIRM);
    assert!(matches!(&next[0], Effect::IssueTicket { idempotency_key, .. } if idempotency_key == "k1-2"));
}

#[test]
fn a_refusal_shows_the_api_message() {
    let mut kiosk = kiosk();
    walk_to_confirm(&mut kiosk);
    activate(&mut kiosk, action::CONFIRM);
    let error =
        ApiError { code: "unknown_service".into(), message: text("该业务已停办", "This service has ended") };
    kiosk.handle(Event::TicketIssued(Err(ApiFailure::Refused(error))));
    let view = kiosk.view();
    assert_eq!(view.title, "没能办理成功");
    assert_eq!(view.prompt, "该业务已停办");
    activate(&mut kiosk, action::HOME);
    assert_eq!(kiosk.view().page, Page::Home);
}

#[test]
fn the_catalog_failing_at_start_offers_a_retry_where_it_is_needed() {
    let mut kiosk = Kiosk::new(Language::Zh, IdlePolicy::default(), "k1");
    kiosk.start();
    kiosk.handle(Event::CatalogLoaded(Err(ApiFailure::Unreachable("refused".into()))));
    assert_eq!(kiosk.view().page, Page::Home, "home works without the API");

    assert_eq!(activate(&mut kiosk, home::TAKE_NUMBER), vec![Effect::LoadCatalog, Effect::StopSpeech]);
    assert_eq!(kiosk.view().page, Page::Busy);
    kiosk.handle(Event::CatalogLoaded(Err(ApiFailure::Unreachable("refused".into()))));
    assert_eq!(kiosk.view().title, "服务暂时不可用");
    assert_eq!(activate(&mut kiosk, action::RETRY), vec![Effect::LoadCatalog, Effect::StopSpeech]);
    kiosk.handle(Event::CatalogLoaded(Ok(catalog())));
    let view = kiosk.view();
    assert_eq!(view.title, "请选择要办理的业务", "the resident arrives where they were going");
    kiosk.handle(Event::Bar(BarAction::Back));
    assert_eq!(kiosk.view().page, Page::Home);
}

#[test]
fn home_leaves_the_unavailable_page() {
    let mut kiosk = Kiosk::new(Language::Zh, IdlePolicy::default(), "k1");
    kiosk.start();
    activate(&mut kiosk, home::GUIDES);
    kiosk.handle(Event::CatalogLoaded(Err(ApiFailure::Unreachable("refused".into()))));
    kiosk.handle(Event::Bar(BarAction::Home));
    assert_eq!(kiosk.view().page, Page::Home);
    kiosk.handle(Event::CatalogLoaded(Ok(catalog())));
    assert_eq!(kiosk.view().page, Page::Home, "a late catalog does not move the resident");
}

#[test]
fn guides_go_category_service_guide_and_can_take_a_number() {
    let mut kiosk = kiosk();
    activate(&mut kiosk, home::GUIDES);
    assert_eq!(kiosk.view().items[0].label, "户籍证照");
    activate(&mut kiosk, "household");
    assert_eq!(kiosk.view().title, "户籍证照");
    activate(&mut kiosk, "residence-permit");
    let view = kiosk.view();
    assert_eq!(view.page, Page::Guide);
    assert_eq!(view.title, "居住证办理");
    let texts: Vec<_> = view.lines.iter().map(|l| &*l.text).collect();
    assert!(texts.contains(&"需要带的材料"));
    assert!(texts.contains(&"1. 居民身份证（原件和复印件，1份，必须提供）"), "{texts:?}");
    assert!(texts.contains(&"在本市居住半年以上"));
    let fee = view.lines.iter().find(|l| l.text == "收费标准").unwrap();
    assert_eq!(fee.value, "免费");

    activate(&mut kiosk, action::TAKE_NUMBER);
    assert_eq!(kiosk.view().page, Page::Info);
}

#[test]
fn profile_changes_apply_at_once() {
    let mut kiosk = kiosk();
    kiosk.handle(Event::Bar(BarAction::Language));
    assert_eq!(kiosk.view().items[0].label, "Take a number");
    kiosk.handle(Event::Bar(BarAction::TextSize));
    kiosk.handle(Event::Bar(BarAction::TextSize));
    kiosk.handle(Event::Bar(BarAction::Contrast));
    let profile = kiosk.profile();
    assert_eq!(profile.text_size, TextSize::Largest);
    assert!(profile.high_contrast);
    activate(&mut kiosk, home::GUIDES);
    activate(&mut kiosk, "household");
    activate(&mut kiosk, "residence-permit");
    let texts: Vec<_> = kiosk.view().lines.iter().map(|l| l.text.shown.clone()).collect();
    assert!(
        texts.contains(&"1. Resident ID card (original and photocopy, copies: 1, required)".to_string()),
        "{texts:?}"
    );
    kiosk.handle(Event::Bar(BarAction::Voice));
    assert!(kiosk.profile().voice);
}

#[test]
fn idle_warns_then_wipes_the_session_and_profile() {
    let mut kiosk = kiosk();
    kiosk.handle(Event::Bar(BarAction::Language));
    kiosk.handle(Event::Bar(BarAction::TextSize));
    kiosk.handle(Event::Bar(BarAction::Contrast));
    walk_to_confirm(&mut kiosk);

    kiosk.handle(Event::Tick(59));
    assert_eq!(kiosk.view().idle_warning, None);
    kiosk.handle(Event::Tick(1));
    assert_eq!(kiosk.view().idle_warning, Some(30), "the warning counts down at least 20 s");
    kiosk.handle(Event::MoreTime);
    assert_eq!(kiosk.view().idle_warning, None);

    kiosk.handle(Event::Tick(70));
    assert_eq!(kiosk.view().idle_warning, Some(20));
    assert_eq!(kiosk.view().page, Page::Confirm, "still there during the warning");
    let effects = kiosk.handle(Event::Tick(20));
    assert_eq!(effects, vec![Effect::LoadCatalog], "the catalog is refreshed between residents");

    let view = kiosk.view();
    assert_eq!(view.page, Page::Home);
    assert_eq!(view.idle_warning, None);
    assert_eq!(view.profile, Profile::new(Language::Zh));
    assert_eq!(view.items[0].label, "取号排队");
    activate(&mut kiosk, home::TAKE_NUMBER);
    activate(&mut kiosk, "residence-permit");
    activate(&mut kiosk, action::NEXT);
    activate(&mut kiosk, "normal");
    activate(&mut kiosk, action::NO);
    assert_eq!(kiosk.view().entry.unwrap().shown, "", "nothing the last resident typed is left");
}

#[test]
fn a_pristine_home_never_warns() {
    let mut kiosk = kiosk();
    kiosk.handle(Event::Tick(1000));
    assert_eq!(kiosk.view().idle_warning, None);
}

#[test]
fn a_failed_background_refresh_keeps_the_catalog() {
    let mut kiosk = kiosk();
    activate(&mut kiosk, home::TAKE_NUMBER);
    kiosk.end_visit();
    kiosk.handle(Event::CatalogLoaded(Err(ApiFailure::Unreachable("down".into()))));
    assert_eq!(kiosk.view().page, Page::Home);
    activate(&mut kiosk, home::TAKE_NUMBER);
    assert_eq!(kiosk.view().items.len(), 1);
}

#[test]
fn a_ticket_answer_after_the_resident_left_is_dropped() {
    let mut kiosk = kiosk();
    walk_to_confirm(&mut kiosk);
    activate(&mut kiosk, action::CONFIRM);
    kiosk.handle(Event::Tick(1000));
    kiosk.handle(Event::TicketIssued(Ok(ticket(Priority::Normal))));
    assert_eq!(kiosk.view().page, Page::Home, "the next resident never sees someone else's ticket");
}

#[test]
fn help_sign_language_and_staff_call_are_reachable_everywhere() {
    let mut kiosk = kiosk();
    walk_to_confirm(&mut kiosk);
    kiosk.handle(Event::Bar(BarAction::Help));
    assert_eq!(kiosk.view().title, "使用帮助");
    activate(&mut kiosk, action::CLOSE);
    assert_eq!(kiosk.view().page, Page::Confirm, "help returns to where the resident was");
    kiosk.handle(Event::Bar(BarAction::SignLanguage));
    assert_eq!(kiosk.view().title, "手语视频服务");
    kiosk.handle(Event::Bar(BarAction::Back));
    assert_eq!(kiosk.view().page, Page::Confirm);
    kiosk.handle(Event::Bar(BarAction::CallStaff));
    assert_eq!(kiosk.view().title, "呼叫工作人员");
    kiosk.handle(Event::Bar(BarAction::Back));
    assert_eq!(kiosk.view().page, Page::Confirm);
}

#[test]
fn a_touch_or_a_key_stops_speech_nobody_asked_for() {
    let mut kiosk = kiosk();
    let intro = activate(&mut kiosk, home::PENSION);
    assert!(!utterances(&intro).is_empty(), "the pension explanation is said, voice mode off");
    assert!(activate(&mut kiosk, action::AGREE).contains(&Effect::StopSpeech), "it stops at the next touch");
    assert_eq!(kiosk.handle(Event::Key(EntryKey::Char('1'))), [Effect::StopSpeech], "and at every key");
    assert_eq!(kiosk.handle(Event::Touched), [Effect::StopSpeech], "or any touch");
    // What a touch asks for is said instead.
    assert!(!utterances(&activate(&mut kiosk, action::READ_BACK)).is_empty());
    assert!(!kiosk.handle(Event::Tick(1)).contains(&Effect::StopSpeech), "the clock stops nothing");
}

#[test]
fn the_next_resident_starts_with_a_fresh_kiosk() {
    let mut kiosk = kiosk();
    // The first resident: English, the largest text, high contrast, captions.
    for action in [BarAction::Language, BarAction::TextSize, BarAction::TextSize, BarAction::Contrast] {
        kiosk.handle(Event::Bar(action));
    }
    kiosk.handle(Event::Bar(BarAction::Captions));
    let chosen = kiosk.profile();
    activate(&mut kiosk, home::TAKE_NUMBER);
    activate(&mut kiosk, "residence-permit");
    kiosk.handle(Event::Bar(BarAction::Home));
    assert_eq!(kiosk.profile(), chosen, "Home in the middle of a visit keeps the settings");
    for id in [home::TAKE_NUMBER, "residence-permit", action::NEXT, "elderly", action::YES] {
        activate(&mut kiosk, id);
    }
    type_keys(&mut kiosk, "110105");
    activate(&mut kiosk, action::SHOW_TYPED);
    // Voice mode, louder and faster, then the ticket.
    for key in [NavKey::Down, NavKey::VolumeUp, NavKey::RateUp] {
        kiosk.handle(Event::Nav(key));
    }
    for c in "19491231002X".chars() {
        kiosk.handle(Event::Nav(NavKey::Type(EntryKey::Char(c))));
    }
    for id in [action::ENTRY_DONE, action::ENTRY_SKIP, action::CONFIRM] {
        kiosk.handle(Event::Activate(id.into()));
        kiosk.handle(Event::Activate(id.into()));
    }
    kiosk.handle(Event::TicketIssued(Ok(ticket(Priority::Elderly))));
    assert_eq!(kiosk.view().page, Page::Ticket);
    assert!(kiosk.profile().voice && kiosk.profile().voice_settings.volume == VoiceSettings::DEFAULT_VOLUME + 1);

    // 完成 ends the visit (touch and confirm: two touches in voice mode).
    kiosk.handle(Event::Activate(action::FINISH.into()));
    let effects = kiosk.handle(Event::Activate(action::FINISH.into()));
    assert!(effects.contains(&Effect::LoadCatalog), "the catalog is refreshed for the next resident");
    let fresh = Kiosk::new(Language::Zh, IdlePolicy::default(), "k1");
    assert_eq!(kiosk.profile(), fresh.profile(), "voice, volume, rate, language, size, contrast, captions");
    assert_eq!(kiosk.view().page, Page::Home);

    // The second resident finds the ID number masked again and nothing typed.
    for id in [home::TAKE_NUMBER, "residence-permit", action::NEXT, "elderly", action::YES] {
        activate(&mut kiosk, id);
    }
    let entry = kiosk.view().entry.unwrap();
    assert_eq!((entry.typed_len, entry.masked), (0, true));
    type_keys(&mut kiosk, "1");
    assert_eq!(kiosk.view().entry.unwrap().shown, "*", "the show toggle is off again");
}

#[test]
fn home_from_a_final_screen_ends_the_visit_too() {
    let mut kiosk = kiosk();
    kiosk.handle(Event::Bar(BarAction::TextSize));
    walk_to_confirm(&mut kiosk);
    activate(&mut kiosk, action::CONFIRM);
    kiosk.handle(Event::TicketIssued(Ok(ticket(Priority::Elderly))));
    assert!(kiosk.handle(Event::Bar(BarAction::Home)).contains(&Effect::LoadCatalog));
    assert_eq!(kiosk.profile(), Kiosk::new(Language::Zh, IdlePolicy::default(), "k1").profile());
}
