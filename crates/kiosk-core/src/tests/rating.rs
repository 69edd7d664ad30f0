//! Rating a service (好差评), alone: a resident in the hall naming the visit by its ticket
//! number, the five levels, what went wrong after a low one, the call-back number, a visit
//! rated already, and the window evaluator asking the resident the clerk just served.

use contract::model::{
    ApiError, Bilingual, EvaluationChannel, LowRatingReason, NewEvaluation, RateableVisit, Satisfaction,
};

use super::*;
use crate::view::Page;

pub(super) fn visit(rated: bool) -> RateableVisit {
    RateableVisit {
        ticket_id: "t7".into(),
        ticket_number: "H007".into(),
        service_code: "residence-permit".into(),
        service_name: Bilingual::new("居住证办理", "Residence permit"),
        window: Bilingual::new("3号窗口", "Window 3"),
        window_number: 3,
        finished_at: 0,
        rated,
    }
}

/// A resident in the hall who typed H007 and whose visit the API found.
fn rating_h007(rated: bool) -> Kiosk {
    let mut kiosk = kiosk();
    activate(&mut kiosk, home::RATE_SERVICE);
    let view = kiosk.view();
    assert_eq!(view.page, Page::List);
    assert_eq!(view.items.len(), 2, "one letter in the test catalog, and scanning the ticket");
    assert_eq!(view.items[0].id, crate::rating::SCAN_TICKET, "a printed ticket is scanned first");
    assert_eq!(view.items[1].label.shown, "H");
    assert_eq!(view.items[1].detail.shown, "居住证办理", "the letter's services, to recognise it");
    activate(&mut kiosk, "H");
    assert_eq!(kiosk.view().page, Page::Entry);
    assert_eq!(kiosk.view().title.shown, "排队号 H");
    type_keys(&mut kiosk, "00");
    activate(&mut kiosk, action::ENTRY_DONE);
    assert_eq!(kiosk.view().error.phrase, Phrase::prompt("entry.error.ticket-digits"));
    type_keys(&mut kiosk, "7");
    let effects = activate(&mut kiosk, action::ENTRY_DONE);
    assert!(effects.contains(&Effect::FindRateableVisit(TicketRef::Number("H007".into()))), "{effects:?}");
    assert_eq!(kiosk.view().page, Page::Busy);
    kiosk.handle(Event::RateableVisitFound(Ok(visit(rated))));
    kiosk
}

fn sent(effects: &[Effect]) -> Vec<&NewEvaluation> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::SendEvaluation { request, .. } => Some(request),
            _ => None,
        })
        .collect()
}

#[test]
fn a_resident_rates_a_visit_by_its_ticket_number_and_is_thanked_at_once() {
    let mut kiosk = rating_h007(false);
    let view = kiosk.view();
    assert_eq!(view.page, Page::List);
    assert_eq!(view.prompt.shown, "H007号，居住证办理，3号窗口", "which visit this is");
    let levels: Vec<&str> = view.items.iter().map(|i| i.label.shown.as_str()).collect();
    assert_eq!(levels, ["非常满意", "满意", "基本满意", "不满意", "非常不满意"], "words, best first");

    let effects = activate(&mut kiosk, Satisfaction::Satisfied.as_str());
    let requests = sent(&effects);
    assert_eq!(requests.len(), 1);
    assert_eq!(
        *requests[0],
        NewEvaluation {
            ticket_id: "t7".into(),
            level: Satisfaction::Satisfied,
            reasons: vec![],
            callback_phone: None,
            channel: EvaluationChannel::Kiosk,
        }
    );
    let durable = effects.iter().filter(|e| e.is_durable()).count();
    assert_eq!(durable, 1, "the rating goes through the outbox");
    let view = kiosk.view();
    assert_eq!(view.title.shown, "谢谢您的评价");
    assert!(view.lines.is_empty(), "no follow-up for a good rating");
    assert!(spoken(&effects).contains(&"rating.thanks.prompt".to_string()), "said with voice navigation off");
    assert!(!view.can_go_back, "a rating sent cannot be taken back");

    // The API's answer, whenever it comes, changes nothing on screen.
    assert!(kiosk.handle(Event::EvaluationSent(Err(ApiFailure::Unreachable("down".into())))).is_empty());
    activate(&mut kiosk, action::FINISH);
    assert_eq!(kiosk.view().page, Page::Home);
}

#[test]
fn a_low_rating_asks_what_went_wrong_then_offers_a_call_back_number() {
    let mut kiosk = rating_h007(false);
    activate(&mut kiosk, Satisfaction::Dissatisfied.as_str());
    assert_eq!(kiosk.view().title.shown, "哪里让您不满意？");
    activate(&mut kiosk, action::NEXT);
    assert_eq!(kiosk.view().error.shown, "请至少选一项");

    activate(&mut kiosk, LowRatingReason::Attitude.as_str());
    activate(&mut kiosk, LowRatingReason::LongWait.as_str());
    activate(&mut kiosk, LowRatingReason::Attitude.as_str());
    let states: Vec<(String, String)> =
        kiosk.view().items.iter().map(|i| (i.label.shown.clone(), i.detail.shown.clone())).collect();
    assert_eq!(states[0], ("态度不好".into(), "未选".into()), "a second tap undoes");
    assert_eq!(states[1], ("等待太久".into(), "✓ 已选".into()), "chosen, in words and a tick");
    activate(&mut kiosk, action::NEXT);

    let view = kiosk.view();
    let entry = view.entry.expect("the phone keypad");
    assert!(entry.masked && entry.optional, "private, and may be skipped");
    type_keys(&mut kiosk, "13800138000");
    assert_eq!(kiosk.view().entry.unwrap().shown, "***********");
    let effects = activate(&mut kiosk, action::ENTRY_DONE);
    let requests = sent(&effects);
    assert_eq!(requests[0].level, Satisfaction::Dissatisfied);
    assert_eq!(requests[0].reasons, [LowRatingReason::LongWait]);
    assert_eq!(requests[0].callback_phone.as_deref(), Some("13800138000"));
    let view = kiosk.view();
    assert_eq!(view.lines[0].text.phrase, Phrase::prompt("rating.thanks.call-back"));
}

#[test]
fn a_low_rating_without_a_phone_is_followed_up_all_the_same() {
    let mut kiosk = rating_h007(false);
    activate(&mut kiosk, Satisfaction::VeryDissatisfied.as_str());
    activate(&mut kiosk, LowRatingReason::Other.as_str());
    activate(&mut kiosk, action::NEXT);
    let effects = activate(&mut kiosk, action::ENTRY_SKIP);
    assert_eq!(sent(&effects)[0].callback_phone, None);
    assert_eq!(kiosk.view().lines[0].text.phrase, Phrase::prompt("rating.thanks.follow-up"));
}

#[test]
fn back_from_the_levels_corrects_the_ticket_number() {
    let mut kiosk = rating_h007(false);
    kiosk.handle(Event::Bar(BarAction::Back));
    assert_eq!(kiosk.view().page, Page::Entry);
    assert_eq!(kiosk.view().title.shown, "排队号 H");
    assert_eq!(kiosk.view().entry.unwrap().typed_len, 0);
}

#[test]
fn a_visit_rated_already_is_told_kindly_and_nothing_is_sent() {
    let mut kiosk = rating_h007(true);
    let view = kiosk.view();
    assert_eq!(view.title.shown, "这次服务已经评价过了");
    assert_eq!(view.prompt.shown, "每次服务只能评价一次。谢谢您");
    assert_eq!(view.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), [action::FINISH]);
    let effects = activate(&mut kiosk, action::FINISH);
    assert!(sent(&effects).is_empty());
    assert_eq!(kiosk.view().page, Page::Home);
}

#[test]
fn a_number_the_api_does_not_know_shows_its_message_and_an_outage_offers_a_retry_of_the_same() {
    let mut kiosk = kiosk();
    activate(&mut kiosk, home::RATE_SERVICE);
    activate(&mut kiosk, "H");
    type_keys(&mut kiosk, "123");
    activate(&mut kiosk, action::ENTRY_DONE);
    kiosk.handle(Event::RateableVisitFound(Err(ApiFailure::Unreachable("down".into()))));
    assert_eq!(kiosk.view().title.phrase, Phrase::prompt("unavailable.title"));
    let effects = activate(&mut kiosk, action::RETRY);
    assert!(effects.contains(&Effect::FindRateableVisit(TicketRef::Number("H123".into()))), "{effects:?}");
    let message = Bilingual::new("今天没有办完的H123号", "No ticket H123 was served today");
    let error = ApiError { code: "not_found".into(), message: message.clone() };
    kiosk.handle(Event::RateableVisitFound(Err(ApiFailure::Refused(error))));
    assert_eq!(kiosk.view().prompt.shown, message.zh);
}

/// A kiosk that evaluates window 3, on its calm screen.
fn evaluator() -> Kiosk {
    let mut kiosk = kiosk();
    kiosk.set_evaluator_window(Some(3));
    let view = kiosk.view();
    assert_eq!(view.title.shown, "3号窗口 服务评价");
    assert!(view.items.is_empty(), "nothing to press until there is something to rate");
    kiosk
}

/// Ticks until the evaluator asks the API, and answers.
fn poll(kiosk: &mut Kiosk, answer: Option<RateableVisit>) -> Vec<Effect> {
    let mut asked = false;
    for _ in 0..5 {
        if kiosk.handle(Event::Tick(1)).contains(&Effect::PollWindowVisit { window: 3 }) {
            asked = true;
            break;
        }
    }
    assert!(asked, "the evaluator asks every few seconds");
    kiosk.handle(Event::WindowVisitAnswered(Ok(answer)))
}

#[test]
fn a_window_evaluator_asks_the_resident_the_clerk_just_served_and_then_returns_to_its_calm_screen() {
    let mut kiosk = evaluator();
    poll(&mut kiosk, None);
    assert_eq!(kiosk.view().title.shown, "3号窗口 服务评价");
    let effects = poll(&mut kiosk, Some(visit(false)));
    let view = kiosk.view();
    assert_eq!(view.title.shown, "您对这次服务满意吗？");
    assert!(spoken(&effects).contains(&"rating.levels.title".to_string()), "asked aloud: {:?}", spoken(&effects));
    assert!(!view.can_go_back);

    let effects = activate(&mut kiosk, Satisfaction::VerySatisfied.as_str());
    assert_eq!(sent(&effects)[0].channel, EvaluationChannel::Window);
    for _ in 0..10 {
        kiosk.handle(Event::Tick(1));
    }
    assert_eq!(kiosk.view().title.shown, "3号窗口 服务评价", "the thanks leaves by itself");

    // Until the API forgets it, the same visit is answered again: it is not asked twice.
    poll(&mut kiosk, Some(visit(false)));
    assert_eq!(kiosk.view().title.shown, "3号窗口 服务评价");
    poll(&mut kiosk, Some(RateableVisit { ticket_id: "t8".into(), ..visit(false) }));
    assert_eq!(kiosk.view().title.shown, "您对这次服务满意吗？", "the next resident is asked");
}

#[test]
fn a_resident_who_walks_away_without_rating_is_not_asked_again_and_an_outage_keeps_the_calm_screen() {
    let mut kiosk = evaluator();
    poll(&mut kiosk, Some(visit(false)));
    for _ in 0..(IdlePolicy::default().timeout_secs + IdlePolicy::default().warning_secs) {
        kiosk.handle(Event::Tick(1));
    }
    assert_eq!(kiosk.view().title.shown, "3号窗口 服务评价", "the idle reset");
    poll(&mut kiosk, Some(visit(false)));
    assert_eq!(kiosk.view().title.shown, "3号窗口 服务评价");
    for _ in 0..5 {
        kiosk.handle(Event::Tick(1));
    }
    kiosk.handle(Event::WindowVisitAnswered(Err(ApiFailure::Unreachable("down".into()))));
    assert_eq!(kiosk.view().title.shown, "3号窗口 服务评价");
}
