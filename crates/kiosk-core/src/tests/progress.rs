//! An application's progress (办件进度), alone: found by ID and phone numbers, by a typed or
//! scanned receipt; nothing found; several found; the API's attempt limit; and a ticket for
//! the window when something must be done there.

use contract::model::{
    ApiError, Application, ApplicationLookup, ApplicationStatus, ApplicationStep, Bilingual, Collection, NewTicket,
    Priority,
};
use contract::receipt::Receipt;
use ed25519_dalek::SigningKey;

use super::*;
use crate::progress::{BY_ID_NUMBER, BY_RECEIPT, BY_RECEIPT_NUMBER, SEARCH_AGAIN, TAKE_NUMBER};
use crate::view::Page;

/// 2026-12-01 and 12-03, 10:00 in Beijing.
const DEC_1: i64 = 1_796_090_400_000;
const DEC_3: i64 = DEC_1 + 2 * 86_400_000;

pub(super) fn application(status: ApplicationStatus) -> Application {
    let step = |status, at| ApplicationStep { status, at, note: None };
    Application {
        id: "a1".into(),
        number: "202612010001".into(),
        service_code: "residence-permit".into(),
        service_name: Bilingual::new("居住证办理", "Residence permit"),
        applicant: "张*明".into(),
        status,
        history: vec![step(ApplicationStatus::Accepted, DEC_1), step(status, DEC_3)],
        missing_materials: vec![Bilingual::new("户口簿复印件", "Copy of the household register")],
        collection: None,
        window_number: Some(3),
        next_step: Bilingual::new("请带齐以下材料到3号窗口补正", "Bring these materials to window 3"),
        receipt_number: None,
        contact_phone_masked: Some("138****5678".into()),
    }
}

fn looked_up(effects: &[Effect]) -> Option<&ApplicationLookup> {
    effects.iter().find_map(|e| match e {
        Effect::LookUpApplications { request, .. } => Some(request),
        _ => None,
    })
}

/// A resident who typed their ID and phone numbers; the lookup asked.
fn by_id_and_phone() -> (Kiosk, Vec<Effect>) {
    let mut kiosk = kiosk();
    activate(&mut kiosk, home::PROGRESS);
    assert_eq!(kiosk.view().items.len(), 3, "three ways to find it");
    activate(&mut kiosk, BY_ID_NUMBER);
    type_keys(&mut kiosk, "110105194912310021");
    activate(&mut kiosk, action::ENTRY_DONE);
    assert_eq!(kiosk.view().error.phrase, Phrase::prompt("entry.error.id-check-digit"));
    kiosk.handle(Event::Key(EntryKey::Delete));
    type_keys(&mut kiosk, "X");
    assert_eq!(kiosk.view().entry.unwrap().shown, "*".repeat(18), "masked");
    activate(&mut kiosk, action::ENTRY_DONE);
    assert_eq!(kiosk.view().title.shown, "申请时留的手机号码", "an ID number alone finds nothing");
    assert!(kiosk.view().entry.unwrap().masked);
    type_keys(&mut kiosk, "13800138000");
    let effects = activate(&mut kiosk, action::ENTRY_DONE);
    (kiosk, effects)
}

#[test]
fn a_resident_finds_an_application_by_id_and_phone_and_takes_a_number_for_the_window_it_needs() {
    let (mut kiosk, effects) = by_id_and_phone();
    let lookup = looked_up(&effects).expect("asked");
    assert_eq!(lookup.id_number.as_deref(), Some("11010519491231002X"));
    assert_eq!(lookup.phone.as_deref(), Some("13800138000"));
    assert_eq!((lookup.receipt_token.as_ref(), lookup.receipt_number.as_ref()), (None, None));
    assert_eq!(kiosk.view().page, Page::Busy);

    let effects = kiosk.handle(Event::ApplicationsFound(Ok(vec![application(ApplicationStatus::NeedsMaterials)])));
    let view = kiosk.view();
    assert_eq!(view.title.shown, "居住证办理");
    assert_eq!(view.prompt.shown, "请带齐以下材料到3号窗口补正", "what to do next");
    let lines: Vec<String> = view.lines.iter().map(|l| format!("{} {}", l.text.shown, l.value.shown)).collect();
    assert_eq!(
        lines,
        [
            "当前状态 待补正",
            "办件编号 202612010001",
            "办理经过 ",
            "12月1日：已受理 ",
            "12月3日：待补正 ",
            "还需要补交的材料 ",
            "1、户口簿复印件 ",
            "短信通知 138****5678",
        ]
    );
    let said = spoken(&effects);
    assert!(said.contains(&"居住证办理".to_string()), "said unasked: {said:?}");
    assert_eq!(view.items[0].label.shown, "取号，到3号窗口办理");

    let effects = activate(&mut kiosk, TAKE_NUMBER);
    let Some(Effect::IssueTicket { request, .. }) = effects.iter().find(|e| matches!(e, Effect::IssueTicket { .. }))
    else {
        panic!("{effects:?}")
    };
    let wanted = NewTicket { service_code: "residence-permit".into(), priority: Priority::Normal, contact_phone: None };
    assert_eq!(*request, wanted);
    kiosk.handle(Event::TicketIssued(Ok(ticket(Priority::Normal))));
    assert_eq!(kiosk.view().page, Page::Ticket);
}

#[test]
fn the_english_timeline_and_a_completed_application_to_collect_by_post() {
    let (mut kiosk, _) = by_id_and_phone();
    kiosk.handle(Event::Bar(BarAction::Language));
    let completed = Application {
        collection: Some(Collection::Post),
        missing_materials: vec![],
        next_step: Bilingual::new("结果已邮寄", "The result is in the post"),
        ..application(ApplicationStatus::Completed)
    };
    kiosk.handle(Event::ApplicationsFound(Ok(vec![completed])));
    let view = kiosk.view();
    let lines: Vec<String> = view.lines.iter().map(|l| format!("{} {}", l.text.shown, l.value.shown)).collect();
    assert_eq!(
        lines[3..],
        [
            "1 December: Accepted ",
            "3 December: Completed ",
            "Text messages to 138****5678",
            "How you get the result By post"
        ]
    );
    assert_eq!(view.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), [action::FINISH], "nothing at a window");
}

#[test]
fn a_typed_or_scanned_receipt_finds_its_application() {
    let key = SigningKey::from_bytes(&[9; 32]);
    let receipt = Receipt {
        id: [3; 16],
        service_code: "residence-permit".into(),
        issued_at: 1_800_000_000 - 3600,
        expires_at: 1_800_000_000 + 86_400,
        missing_materials: vec![],
        applicant: "张*明".into(),
    };
    let mut kiosk = kiosk();
    kiosk.set_receipt_key(Some(key.verifying_key()));
    activate(&mut kiosk, home::PROGRESS);
    activate(&mut kiosk, BY_RECEIPT_NUMBER);
    type_keys(&mut kiosk, &receipt.number());
    let effects = activate(&mut kiosk, action::ENTRY_DONE);
    assert_eq!(looked_up(&effects).unwrap().receipt_number, Some(receipt.number()));
    assert!(effects.iter().all(|e| !matches!(e, Effect::RedeemReceipt { .. })), "looked up, not redeemed");

    kiosk.handle(Event::ApplicationsFound(Ok(vec![])));
    assert_eq!(kiosk.view().title.shown, "没有找到办件");
    activate(&mut kiosk, SEARCH_AGAIN);
    let effects = activate(&mut kiosk, BY_RECEIPT);
    assert!(effects.contains(&Effect::OpenCamera(CameraUse::ReadCodes)), "{effects:?}");
    let token = receipt.sign(&key);
    let effects = kiosk.handle(Event::CodeRead { payload: token.clone(), now: 1_800_000_000 });
    assert_eq!(looked_up(&effects).unwrap().receipt_token, Some(token));
}

#[test]
fn several_applications_are_listed_with_their_status_and_one_is_chosen() {
    let (mut kiosk, _) = by_id_and_phone();
    let other = Application {
        id: "a2".into(),
        service_name: Bilingual::new("社保参保登记", "Social insurance"),
        ..application(ApplicationStatus::UnderReview)
    };
    kiosk.handle(Event::ApplicationsFound(Ok(vec![application(ApplicationStatus::NeedsMaterials), other])));
    let view = kiosk.view();
    let listed: Vec<(&str, &str)> =
        view.items.iter().map(|i| (i.label.shown.as_str(), i.detail.shown.as_str())).collect();
    assert_eq!(listed, [("居住证办理", "待补正"), ("社保参保登记", "审查中")]);
    activate(&mut kiosk, "a2");
    assert_eq!(kiosk.view().title.shown, "社保参保登记");
    kiosk.handle(Event::Bar(BarAction::Back));
    assert_eq!(kiosk.view().items.len(), 2, "back to the list");
}

#[test]
fn too_many_lookups_that_found_nothing_are_refused_with_the_apis_words_and_nothing_typed_is_kept() {
    let (mut kiosk, _) = by_id_and_phone();
    let message = Bilingual::new("查询次数太多，请到服务台咨询", "Too many tries; please ask at the front desk");
    let error = ApiError { code: "too_many_attempts".into(), message: message.clone() };
    let effects = kiosk.handle(Event::ApplicationsFound(Err(ApiFailure::Refused(error))));
    assert_eq!(kiosk.view().prompt.shown, message.zh);
    assert!(spoken(&effects).iter().any(|s| s.contains("查询次数太多")), "{:?}", spoken(&effects));
    activate(&mut kiosk, action::HOME);
    assert_eq!(kiosk.view().page, Page::Home);
    assert!(kiosk.session.applicant_id.is_none(), "the ID number leaves with the resident");
}
