//! Scanning a pre-review receipt, alone: the camera screen and its hints, every kind of bad
//! code, the typed receipt number, and the redeemed receipt's result, spoken with voice
//! navigation off (the resident is looking at the camera, not the screen).

use contract::model::{ApiError, Bilingual, Priority, RedeemReceipt, RedeemedReceipt};
use contract::receipt::Receipt;
use ed25519_dalek::SigningKey;

use super::*;
use crate::view::Page;

const NOW: u32 = 1_800_000_000;

fn signing_key() -> SigningKey {
    SigningKey::from_bytes(&[9; 32])
}

pub(super) fn receipt() -> Receipt {
    Receipt {
        id: [3; 16],
        service_code: "residence-permit".into(),
        issued_at: NOW - 3600,
        expires_at: NOW + 86_400,
        missing_materials: vec![0],
        applicant: "张*明".into(),
    }
}

/// A kiosk that knows the API's receipt key, on the scan screen.
fn scanning() -> Kiosk {
    let mut kiosk = kiosk();
    kiosk.set_receipt_key(Some(signing_key().verifying_key()));
    let effects = kiosk.handle(Event::Activate(home::SCAN_RECEIPT.into()));
    assert!(effects.contains(&Effect::OpenCamera(CameraUse::ReadCodes)), "{effects:?}");
    assert_eq!(kiosk.view().page, Page::Scan);
    kiosk
}

fn read(kiosk: &mut Kiosk, payload: &str) -> Vec<Effect> {
    kiosk.handle(Event::CodeRead { payload: payload.into(), now: NOW })
}

fn redeemed() -> RedeemedReceipt {
    RedeemedReceipt {
        receipt_number: receipt().number(),
        applicant: "张*明".into(),
        ticket: ticket(Priority::FastTrack),
        missing_materials: vec![Bilingual::new("居民身份证", "Resident ID card")],
    }
}

#[test]
fn the_scan_screen_says_what_to_do_and_gives_hints_until_the_keypad_is_offered() {
    let mut kiosk = kiosk();
    let effects = kiosk.handle(Event::Activate(home::SCAN_RECEIPT.into()));
    assert!(spoken(&effects).contains(&"scan.prompt".to_string()), "spoken with voice navigation off");
    assert_eq!(kiosk.view().lines[0].text.phrase, Phrase::prompt("scan.frame"), "no hint at first");
    let mut hints = Vec::new();
    for _ in 0..25 {
        let effects = kiosk.handle(Event::Tick(1));
        hints.extend(spoken(&effects));
    }
    assert_eq!(hints, ["scan.hint.distance", "scan.hint.brightness", "scan.hint.glare", "scan.hint.keypad"]);
    assert_eq!(kiosk.view().lines[0].text.phrase, Phrase::prompt("scan.hint.keypad"));
    assert_eq!(kiosk.view().items[0].id, action::ENTER_NUMBER);
}

#[test]
fn every_bad_code_has_its_reason_on_screen_and_in_speech_and_the_camera_stays_on() {
    let token = receipt().sign(&signing_key());
    let (_, signature) = token.rsplit_once('.').unwrap();
    let other_key = SigningKey::from_bytes(&[1; 32]);
    let expired = Receipt { expires_at: NOW - 1, ..receipt() }.sign(&signing_key());
    let cases = [
        ("https://example.com/pay?order=1", "scan.error.not-a-receipt"),
        (&"R1.".repeat(300) as &str, "scan.error.oversized"),
        (&token[..token.len() - 5], "scan.error.damaged"),
        (&receipt().sign(&other_key), "scan.error.forged"),
        (token.rsplit_once('.').unwrap().0, "scan.error.forged"),
        (
            &format!(
                "{}.{signature}",
                Receipt { service_code: "legal-aid".into(), ..receipt() }
                    .sign(&signing_key())
                    .rsplit_once('.')
                    .unwrap()
                    .0
            ),
            "scan.error.forged",
        ),
        (&expired, "scan.error.expired"),
    ];
    for (payload, reason) in cases {
        let mut kiosk = scanning();
        let effects = read(&mut kiosk, payload);
        assert_eq!(kiosk.view().page, Page::Scan, "{reason}");
        assert_eq!(kiosk.view().error.phrase, Phrase::prompt(reason));
        assert!(!effects.contains(&Effect::CloseCamera));
        let Some(Effect::Speak(utterance)) = effects.iter().find(|e| matches!(e, Effect::Speak(_))) else {
            panic!("{reason} not spoken: {effects:?}");
        };
        assert_eq!(utterance.transcript(), ["<Error>", reason], "with the error sound");
    }
}

#[test]
fn a_good_receipt_is_redeemed_into_a_fast_track_ticket_and_its_missing_materials_are_said() {
    let mut kiosk = scanning();
    let token = receipt().sign(&signing_key());
    let effects = read(&mut kiosk, &token);
    let request = RedeemReceipt { token: Some(token), number: None };
    assert!(effects.contains(&Effect::CloseCamera), "the camera is released at once");
    assert!(effects.contains(&Effect::RedeemReceipt { request, idempotency_key: "k1-1".into() }), "{effects:?}");
    assert_eq!(kiosk.view().page, Page::Busy);

    let effects = kiosk.handle(Event::ReceiptRedeemed(Ok(redeemed())));
    let view = kiosk.view();
    assert_eq!(view.page, Page::Ticket);
    assert_eq!(view.ticket.as_ref().unwrap().number, "H007");
    let lines: Vec<&str> = view.lines.iter().map(|l| l.text.shown.as_str()).collect();
    assert_eq!(lines, ["1、居民身份证"]);
    assert_eq!(view.prompt, "请记好号码，并补齐下面列出的材料");
    let said = spoken(&effects);
    assert_eq!(said[..3], ["receipt.title", "ticket.number", "H007"], "the number comes first");
    assert!(
        said.ends_with(&["receipt.prompt.missing".into(), "receipt.material".into(), "1".into(), "居民身份证".into()]),
        "{said:?}"
    );
    assert!(!view.can_go_back, "nothing to go back to: the receipt is used");

    kiosk.handle(Event::Activate(action::FINISH.into()));
    assert_eq!(kiosk.view().page, Page::Home);
}

#[test]
fn a_complete_application_says_so() {
    let mut kiosk = scanning();
    read(&mut kiosk, &receipt().sign(&signing_key()));
    kiosk.handle(Event::ReceiptRedeemed(Ok(RedeemedReceipt { missing_materials: vec![], ..redeemed() })));
    assert_eq!(kiosk.view().lines[0].text.phrase, Phrase::prompt("receipt.complete"));
}

#[test]
fn the_api_refusing_a_receipt_is_shown_and_said_and_an_outage_is_retried_with_the_same_key() {
    let mut kiosk = scanning();
    read(&mut kiosk, &receipt().sign(&signing_key()));
    kiosk.handle(Event::ReceiptRedeemed(Err(ApiFailure::Unreachable("down".into()))));
    let effects = kiosk.handle(Event::Activate(action::RETRY.into()));
    assert!(matches!(&effects[0], Effect::RedeemReceipt { idempotency_key, .. } if idempotency_key == "k1-1"));

    let message = Bilingual::new("这张回执已经使用过了", "This receipt has already been used");
    let refusal = ApiError { code: "receipt_already_redeemed".into(), message: message.clone() };
    let effects = kiosk.handle(Event::ReceiptRedeemed(Err(ApiFailure::Refused(refusal))));
    assert_eq!(kiosk.view().prompt, "这张回执已经使用过了");
    assert!(spoken(&effects).contains(&"这张回执已经使用过了".to_string()));
}

#[test]
fn without_a_camera_the_receipt_number_is_typed_and_checked_before_the_api_is_asked() {
    let mut kiosk = scanning();
    let effects = kiosk.handle(Event::CameraFailed(CameraProblem::NotConnected));
    assert_eq!(kiosk.view().prompt.phrase, Phrase::prompt("scan.no-camera.prompt"));
    assert!(spoken(&effects).contains(&"scan.no-camera.prompt".to_string()));
    assert!(effects.contains(&Effect::CloseCamera));

    kiosk.handle(Event::Activate(action::ENTER_NUMBER.into()));
    assert_eq!(kiosk.view().page, Page::Entry);
    assert_eq!(kiosk.view().entry.unwrap().expected_len, 12);
    let number = receipt().number();
    let mut typo = number.clone().into_bytes();
    typo[4] = if typo[4] == b'9' { b'0' } else { typo[4] + 1 };
    for c in String::from_utf8(typo).unwrap().chars() {
        kiosk.handle(Event::Key(EntryKey::Char(c)));
    }
    let effects = kiosk.handle(Event::Activate(action::ENTRY_DONE.into()));
    assert_eq!(kiosk.view().error.phrase, Phrase::prompt("entry.error.receipt-check-digit"));
    assert!(spoken(&effects).contains(&"entry.error.receipt-check-digit".to_string()));

    kiosk.handle(Event::Key(EntryKey::Clear));
    for c in number.chars() {
        kiosk.handle(Event::Key(EntryKey::Char(c)));
    }
    let effects = kiosk.handle(Event::Activate(action::ENTRY_DONE.into()));
    let request = RedeemReceipt { token: None, number: Some(number) };
    assert_eq!(effects[0], Effect::RedeemReceipt { request, idempotency_key: "k1-1".into() });
}

#[test]
fn the_camera_is_on_only_while_the_scan_screen_shows() {
    let mut kiosk = scanning();
    let effects = kiosk.handle(Event::Activate(action::ENTER_NUMBER.into()));
    assert!(effects.contains(&Effect::CloseCamera));
    let effects = kiosk.handle(Event::Bar(BarAction::Back));
    assert!(effects.contains(&Effect::OpenCamera(CameraUse::ReadCodes)), "back to the camera");
    let effects = kiosk.handle(Event::Bar(BarAction::Help));
    assert!(effects.contains(&Effect::CloseCamera));
    kiosk.handle(Event::Bar(BarAction::Back));
    let effects = kiosk.handle(Event::Bar(BarAction::Home));
    assert!(effects.contains(&Effect::CloseCamera));

    let mut kiosk = scanning();
    let idle = IdlePolicy::default();
    let effects = kiosk.handle(Event::Tick(idle.timeout_secs + idle.warning_secs));
    assert!(effects.contains(&Effect::CloseCamera), "an idle reset releases the camera");
}

#[test]
fn codes_read_elsewhere_are_ignored_and_a_kiosk_without_the_key_says_so() {
    let mut kiosk = kiosk();
    kiosk.set_receipt_key(Some(signing_key().verifying_key()));
    assert_eq!(read(&mut kiosk, &receipt().sign(&signing_key())), vec![]);
    assert_eq!(kiosk.view().page, Page::Home);

    let mut kiosk = super::tests::kiosk();
    kiosk.handle(Event::Activate(home::SCAN_RECEIPT.into()));
    read(&mut kiosk, &receipt().sign(&signing_key()));
    assert_eq!(kiosk.view().error.phrase, Phrase::prompt("scan.error.no-key"));
}
