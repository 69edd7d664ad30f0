//! The ID card reader and the ticket printer, alone: a card tap wherever an ID number is asked,
//! an expired or unreadable card, the card as proof for progress; tickets printed as issued,
//! the printer's faults, and the printed ticket's code scanned back to rate or to look up.

use contract::model::{ApplicationLookup, Bilingual, RateableVisit, RedeemedReceipt};

use super::*;
use crate::progress::BY_ID_NUMBER;
use crate::rating::SCAN_TICKET;
use crate::view::{Line, Page};

const ID_NUMBER: &str = "11010519491231002X";
const TODAY: CivilDate = CivilDate { year: 2026, month: 12, day: 5 };

fn card(valid_until: Option<CivilDate>) -> IdCard {
    IdCard { name: "张三明".into(), id_number: ID_NUMBER.into(), valid_until }
}

fn tap(kiosk: &mut Kiosk, card: IdCard) -> Vec<Effect> {
    kiosk.handle(Event::Card(CardNews::Read { card, today: TODAY }))
}

/// A kiosk with a card reader, on the ticket flow's ID number step.
fn at_the_flows_id_step() -> Kiosk {
    let mut kiosk = kiosk();
    kiosk.set_card_reader(true);
    activate(&mut kiosk, home::TAKE_NUMBER);
    activate(&mut kiosk, "residence-permit");
    activate(&mut kiosk, action::NEXT);
    activate(&mut kiosk, "elderly");
    activate(&mut kiosk, action::YES);
    assert_eq!(kiosk.view().page, Page::Entry);
    kiosk
}

#[test]
fn a_card_on_the_reader_types_and_confirms_the_id_number_in_a_services_flow() {
    let mut kiosk = at_the_flows_id_step();
    let view = kiosk.view();
    assert_eq!(view.prompt.phrase, Phrase::prompt("entry.prompt.id-number-or-card"), "the reader is offered");
    tap(&mut kiosk, card(Some(CivilDate { year: 2036, month: 3, day: 1 })));
    assert_eq!(kiosk.view().title.shown, "手机号码", "on to the next step");
    activate(&mut kiosk, action::ENTRY_SKIP);
    let summary = kiosk.view().lines;
    let id = summary.iter().find(|line| line.text.shown == "身份证号码").expect("the ID number's row");
    assert_eq!(id.value.shown, "**************002X", "masked as a typed number is");
}

#[test]
fn without_a_reader_the_screen_asks_only_for_typing() {
    let mut kiosk = at_the_flows_id_step();
    kiosk.set_card_reader(false);
    assert_eq!(kiosk.view().prompt.phrase, Phrase::prompt("entry.prompt.id-number"));
}

#[test]
fn an_expired_card_is_told_kindly_on_screen_and_in_speech_and_the_keypad_still_works() {
    let mut kiosk = at_the_flows_id_step();
    let effects = tap(&mut kiosk, card(Some(CivilDate { year: 2026, month: 12, day: 4 })));
    assert_eq!(kiosk.view().error.phrase, Phrase::prompt("card.error.expired"));
    assert!(spoken(&effects).contains(&"card.error.expired".to_string()), "{effects:?}");
    assert_eq!(kiosk.view().entry.unwrap().typed_len, 0, "nothing typed for the resident");
    type_keys(&mut kiosk, ID_NUMBER);
    activate(&mut kiosk, action::ENTRY_DONE);
    assert_eq!(kiosk.view().title.shown, "手机号码");
}

#[test]
fn a_card_valid_for_life_or_until_today_is_taken() {
    for valid_until in [None, Some(TODAY)] {
        let mut kiosk = at_the_flows_id_step();
        tap(&mut kiosk, card(valid_until));
        assert_eq!(kiosk.view().title.shown, "手机号码");
    }
}

#[test]
fn an_unreadable_card_or_a_misread_number_asks_to_put_it_again() {
    let mut kiosk = at_the_flows_id_step();
    kiosk.handle(Event::Card(CardNews::Unreadable));
    assert_eq!(kiosk.view().error.phrase, Phrase::prompt("card.error.unreadable"));
    let misread = IdCard { id_number: "110105194912310021".into(), ..card(None) };
    tap(&mut kiosk, misread);
    assert_eq!(kiosk.view().error.phrase, Phrase::prompt("card.error.unreadable"));
    assert_eq!(kiosk.view().page, Page::Entry);
}

#[test]
fn a_card_where_no_id_number_is_asked_changes_nothing() {
    let mut kiosk = kiosk();
    kiosk.set_card_reader(true);
    let before = kiosk.view();
    assert_eq!(tap(&mut kiosk, card(None)), vec![]);
    assert_eq!(kiosk.view(), before);
    assert!(kiosk.session.card.is_none());
}

#[test]
fn the_pension_check_takes_the_card_and_the_card_goes_with_the_session() {
    let mut kiosk = kiosk();
    kiosk.set_card_reader(true);
    activate(&mut kiosk, home::PENSION);
    assert_eq!(kiosk.view().lines[0].text.phrase, Phrase::prompt("pension.step.id-or-card"), "the steps say it");
    activate(&mut kiosk, action::AGREE);
    assert_eq!(kiosk.view().prompt.phrase, Phrase::prompt("entry.prompt.id-number-or-card"));
    tap(&mut kiosk, card(None));
    assert_eq!(
        kiosk.view().items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        [action::STANDING, action::SEATED]
    );
    assert!(format!("{:?}", kiosk.session.card).find("张").is_none(), "no log line can carry the card");
    kiosk.handle(Event::Tick(IdlePolicy::default().timeout_secs + IdlePolicy::default().warning_secs));
    assert_eq!(kiosk.view().page, Page::Home);
    assert!(kiosk.session.card.is_none(), "wiped with the session");
}

#[test]
fn a_card_finds_the_residents_applications_without_asking_the_phone_and_shows_the_one_on_file() {
    let mut kiosk = kiosk();
    kiosk.set_card_reader(true);
    activate(&mut kiosk, home::PROGRESS);
    let way = kiosk.view().items.into_iter().find(|item| item.id == BY_ID_NUMBER).unwrap();
    assert_eq!((way.label.shown.as_str(), way.detail.shown.as_str()), ("身份证", "刷身份证，或输入身份证号和手机号"));
    activate(&mut kiosk, BY_ID_NUMBER);
    let effects = tap(&mut kiosk, card(None));
    let request = effects.iter().find_map(|e| match e {
        Effect::LookUpApplications { request, .. } => Some(request.clone()),
        _ => None,
    });
    let expected =
        ApplicationLookup {
            id_number: Some(ID_NUMBER.into()), card_name: Some("张三明".into()), ..Default::default()
        };
    assert_eq!(request, Some(expected));
    kiosk.handle(Event::ApplicationsFound(Ok(vec![super::progress::application(ApplicationStatus::NeedsMaterials)])));
    let sms = kiosk.view().lines.into_iter().find(|line| line.text.phrase == Phrase::prompt("progress.sms"));
    assert_eq!(sms.expect("the phone on file").value.shown, "138****5678");
}

#[test]
fn a_typed_id_number_still_needs_the_phone_even_after_another_card_was_read() {
    let mut kiosk = kiosk();
    kiosk.set_card_reader(true);
    kiosk.session.card = Some(IdCard { id_number: "110105194912310037".into(), ..card(None) });
    activate(&mut kiosk, home::PROGRESS);
    activate(&mut kiosk, BY_ID_NUMBER);
    type_keys(&mut kiosk, ID_NUMBER);
    activate(&mut kiosk, action::ENTRY_DONE);
    assert_eq!(kiosk.view().title.shown, "申请时留的手机号码");
}

fn printed(effects: &[Effect]) -> Option<&PrintJob> {
    effects.iter().find_map(|e| match e {
        Effect::PrintTicket(job) => Some(job),
        _ => None,
    })
}

/// A kiosk with a printer, at the moment its ticket is issued.
fn issued() -> (Kiosk, Vec<Effect>) {
    let mut kiosk = kiosk();
    kiosk.set_printer(true);
    walk_to_confirm(&mut kiosk);
    activate(&mut kiosk, action::CONFIRM);
    let effects = kiosk.handle(Event::TicketIssued(Ok(ticket(Priority::Elderly))));
    (kiosk, effects)
}

fn print_line(kiosk: &Kiosk) -> Option<Phrase> {
    let lines: Vec<Line> = kiosk.view().lines;
    let about_printing = |phrase: &Phrase| format!("{phrase:?}").contains("\"print.");
    lines.into_iter().map(|line| line.text.phrase).find(about_printing)
}

#[test]
fn an_issued_ticket_is_printed_as_shown_and_the_resident_told_to_take_it() {
    let (mut kiosk, effects) = issued();
    let job = printed(&effects).expect("printed");
    assert_eq!(job.number, "H007");
    assert_eq!(job.lines, ["居住证办理", "办理窗口：3号窗口", "前面还有 3 人", "预计等待约 24 分钟"]);
    assert_eq!(job.issued_at, "1970-01-01 08:00");
    assert_eq!(job.qr_payload, contract::ticket_code::encode("t1"));
    assert_eq!(kiosk.view().page, Page::Ticket, "the screen does not wait for the paper");
    assert_eq!(print_line(&kiosk), Some(Phrase::prompt("print.under-way")));
    let effects = kiosk.handle(Event::TicketPrinted { ticket_id: "t1".into(), result: Ok(()) });
    assert!(matches!(&effects[..], [Effect::SpeakAfter(_)]), "said after the ticket's announcement: {effects:?}");
    assert_eq!(spoken(&effects), ["print.done"]);
    assert_eq!(print_line(&kiosk), Some(Phrase::prompt("print.done")));
}

#[test]
fn a_printer_fault_keeps_the_ticket_on_screen_and_asks_to_note_the_number() {
    let (mut kiosk, _) = issued();
    let effects = kiosk.handle(Event::TicketPrinted { ticket_id: "t1".into(), result: Err(PrintProblem::PaperOut) });
    assert_eq!(kiosk.view().page, Page::Ticket);
    assert_eq!(kiosk.view().ticket.unwrap().number.shown, "H007");
    assert_eq!(kiosk.view().error.phrase, Phrase::prompt("print.failed.paper-out"), "the page's problem");
    assert_eq!(print_line(&kiosk), None, "the banner says it");
    let [Effect::SpeakAfter(utterance)] = &effects[..] else { panic!("said after the ticket: {effects:?}") };
    assert_eq!(utterance.transcript(), ["<Error>", "print.failed.paper-out"]);
}

#[test]
fn the_printers_answer_after_the_resident_left_changes_nothing() {
    let (mut kiosk, _) = issued();
    activate(&mut kiosk, action::FINISH);
    let effects = kiosk.handle(Event::TicketPrinted { ticket_id: "t1".into(), result: Err(PrintProblem::Offline) });
    assert_eq!(effects, vec![]);
    assert_eq!(print_line(&kiosk), None);
}

#[test]
fn without_a_printer_nothing_is_printed_or_said_about_paper() {
    let mut kiosk = kiosk();
    walk_to_confirm(&mut kiosk);
    activate(&mut kiosk, action::CONFIRM);
    let effects = kiosk.handle(Event::TicketIssued(Ok(ticket(Priority::Elderly))));
    assert_eq!(printed(&effects), None);
    assert_eq!(print_line(&kiosk), None);
}

#[test]
fn a_redeemed_receipts_fast_track_ticket_is_printed_too() {
    let mut kiosk = kiosk();
    kiosk.set_printer(true);
    activate(&mut kiosk, home::SCAN_RECEIPT);
    activate(&mut kiosk, action::ENTER_NUMBER);
    let number = super::receipts::receipt().number();
    type_keys(&mut kiosk, &number);
    activate(&mut kiosk, action::ENTRY_DONE);
    let redeemed = RedeemedReceipt {
        receipt_number: number,
        applicant: "张*明".into(),
        ticket: ticket(Priority::FastTrack),
        missing_materials: vec![Bilingual::new("居民身份证", "Resident ID card")],
    };
    let effects = kiosk.handle(Event::ReceiptRedeemed(Ok(redeemed)));
    assert_eq!(printed(&effects).map(|job| job.number.as_str()), Some("H007"));
    assert_eq!(print_line(&kiosk), Some(Phrase::prompt("print.under-way")));
}

/// The scan screen a feature opened, its camera on.
fn scan_from(kiosk: &mut Kiosk, tile: &str, way: &str) {
    activate(kiosk, tile);
    let effects = activate(kiosk, way);
    assert!(effects.contains(&Effect::OpenCamera(CameraUse::ReadCodes)), "{effects:?}");
}

fn read(kiosk: &mut Kiosk, payload: &str) -> Vec<Effect> {
    kiosk.handle(Event::CodeRead { payload: payload.into(), now: 1_796_090_400 })
}

#[test]
fn a_printed_tickets_code_finds_its_visit_to_rate() {
    let mut kiosk = kiosk();
    activate(&mut kiosk, home::RATE_SERVICE);
    assert_eq!(kiosk.view().items[0].id, SCAN_TICKET);
    scan_from(&mut kiosk, home::RATE_SERVICE, SCAN_TICKET);
    assert_eq!(kiosk.view().title.phrase, Phrase::prompt("scan.ticket.title"));
    read(&mut kiosk, "not a ticket");
    assert_eq!(kiosk.view().error.phrase, Phrase::prompt("scan.error.not-a-ticket"));
    let effects = read(&mut kiosk, &contract::ticket_code::encode("3fa9c01b77d2e845"));
    assert!(effects.contains(&Effect::FindRateableVisit(TicketRef::Id("3fa9c01b77d2e845".into()))), "{effects:?}");
    let visit = RateableVisit { ticket_id: "3fa9c01b77d2e845".into(), ..super::rating::visit(false) };
    kiosk.handle(Event::RateableVisitFound(Ok(visit)));
    assert_eq!(kiosk.view().title.phrase, Phrase::prompt("rating.levels.title"));
}

#[test]
fn without_a_camera_the_ticket_number_is_typed_instead() {
    let mut kiosk = kiosk();
    scan_from(&mut kiosk, home::RATE_SERVICE, SCAN_TICKET);
    kiosk.handle(Event::CameraFailed(CameraProblem::NotConnected));
    assert_eq!(kiosk.view().items[0].label.phrase, Phrase::prompt("scan.ticket.enter-number"));
    activate(&mut kiosk, action::ENTER_NUMBER);
    assert_eq!(kiosk.view().items[1].label.shown, "H", "the letters");
}

#[test]
fn a_printed_fast_track_tickets_code_finds_its_application_and_a_ticket_is_not_a_receipt() {
    let mut kiosk = kiosk();
    scan_from(&mut kiosk, home::PROGRESS, crate::progress::BY_RECEIPT);
    assert_eq!(kiosk.view().prompt.phrase, Phrase::prompt("scan.progress.prompt"));
    let effects = read(&mut kiosk, &contract::ticket_code::encode("8c1d2e3f4a5b6c7d"));
    let expected = ApplicationLookup { ticket_id: Some("8c1d2e3f4a5b6c7d".into()), ..Default::default() };
    assert!(effects.iter().any(|e| matches!(e, Effect::LookUpApplications { request, .. } if *request == expected)));

    let mut kiosk = super::kiosk();
    activate(&mut kiosk, home::SCAN_RECEIPT);
    read(&mut kiosk, &contract::ticket_code::encode("8c1d2e3f4a5b6c7d"));
    assert_eq!(kiosk.view().error.phrase, Phrase::prompt("scan.error.ticket-not-receipt"));
}
