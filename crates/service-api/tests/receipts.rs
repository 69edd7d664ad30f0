//! Pre-review receipts end to end: issued by the pre-review system, redeemed once at a kiosk
//! for a fast-track ticket, and every way a redemption is refused.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::{parsed, refused, refused_saying, Reply, TestServer};
use contract::model::{Bilingual, Priority, RedeemedReceipt};
use contract::receipt::Receipt;
use ed25519_dalek::SigningKey;
use serde_json::json;

/// Served by window 3; materials: 0 居民身份证, 1 照片, 2 居住证明, 3 就业或就读证明.
const RESIDENCE: &str = "residence-permit";
/// Served by window 6 only.
const LEGAL: &str = "legal-aid";

fn now() -> u32 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as u32
}

fn redeemed(reply: Reply) -> RedeemedReceipt {
    parsed(reply, 200)
}

#[test]
fn a_receipt_gives_one_fast_track_ticket_with_the_missing_materials() {
    TestServer::on_each_database(|t| {
        let issued = t.prereview.issue_receipt(RESIDENCE, &[0, 2], 30);
        assert_eq!((issued.id.len(), issued.number.len()), (32, 12));
        assert!(contract::receipt::is_receipt_number(&issued.number));
        let receipt = Receipt::verify(&issued.token, &t.server.receipt_public_key(), now()).unwrap();
        assert_eq!(receipt.number(), issued.number);
        assert_eq!(i64::from(receipt.expires_at), issued.expires_at);
        assert_eq!(receipt.expires_at - receipt.issued_at, 30 * 86_400);

        let r = redeemed(t.kiosk.redeem(json!({"token": issued.token}), None));
        assert_eq!((r.receipt_number.as_str(), r.applicant.as_str()), (issued.number.as_str(), "张*明"));
        assert_eq!(r.ticket.service_code, RESIDENCE);
        assert_eq!(r.ticket.priority, Priority::FastTrack);
        assert_eq!(r.ticket.window.zh, "3号窗口");
        assert_eq!(
            r.missing_materials,
            [
                Bilingual::new("居民身份证", "Resident ID card"),
                Bilingual::new(
                    "居住证明（房产证或租赁合同）",
                    "Proof of residence (property certificate or tenancy contract)"
                ),
            ]
        );

        // Once: by token or by number, the receipt is spent.
        let again = t.kiosk.redeem(json!({"token": issued.token}), None);
        refused(&again, 409, "receipt_already_redeemed");
        let message = &again.body["message"];
        assert!(message["zh"].as_str().unwrap().contains("前台"), "{message}");
        assert!(message["en"].as_str().unwrap().contains("front desk"), "{message}");
        assert!(message["en"].as_str().unwrap().contains("Beijing time"), "{message}");
        refused(&t.kiosk.redeem(json!({"number": issued.number}), None), 409, "receipt_already_redeemed");
        // The window calls the fast-track ticket.
        assert_eq!(t.staff.post("/v1/windows/3/call-next", None, None).body["id"], r.ticket.id.as_str());
    });
}

#[test]
fn a_typed_number_redeems_too_and_a_complete_application_misses_nothing() {
    TestServer::on_each_database(|t| {
        let issued = t.prereview.issue_receipt(LEGAL, &[], 1);
        let r = redeemed(t.kiosk.redeem(json!({"number": issued.number}), None));
        assert_eq!((r.ticket.service_code.as_str(), r.ticket.priority), (LEGAL, Priority::FastTrack));
        assert!(r.missing_materials.is_empty());
        refused(&t.kiosk.redeem(json!({"token": issued.token}), None), 409, "receipt_already_redeemed");
    });
}

#[test]
fn bad_numbers_and_tokens_are_refused_each_with_its_reason() {
    TestServer::on_each_database(|t| {
        let issued = t.prereview.issue_receipt(RESIDENCE, &[1], 30);
        let redeem = |body| t.kiosk.redeem(body, None);

        // A typo in the number: the check digit catches it before any lookup.
        let mut typo = issued.number.clone().into_bytes();
        typo[3] = b'0' + (typo[3] - b'0' + 1) % 10;
        let typo = String::from_utf8(typo).unwrap();
        refused(&redeem(json!({"number": typo})), 400, "receipt_invalid");
        refused(&redeem(json!({"number": "12345"})), 400, "receipt_invalid");
        // A well-formed number this server never issued.
        refused(&redeem(json!({"number": "000000000000"})), 404, "receipt_not_found");

        // Tampered (one payload character changed under the original signature), or damaged.
        let mut tampered = issued.token.clone().into_bytes();
        tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        refused(&redeem(json!({"token": tampered})), 400, "receipt_invalid");
        refused(&redeem(json!({"token": &issued.token[..60]})), 400, "receipt_invalid");
        refused(&redeem(json!({"token": "https://example.com/pay?id=1"})), 400, "receipt_invalid");

        // The same receipt signed by another key: forged.
        let receipt = Receipt::verify(&issued.token, &t.server.receipt_public_key(), now()).unwrap();
        let forged = receipt.sign(&SigningKey::from_bytes(&[9; 32]));
        refused(&redeem(json!({"token": forged})), 400, "receipt_invalid");

        // Signed with the server's key but expired, or never issued by it.
        let key = t.receipt_key();
        let expired = Receipt { issued_at: now() - 100_000, expires_at: now() - 1, ..receipt.clone() };
        refused(&redeem(json!({"token": expired.sign(&key)})), 410, "receipt_expired");
        let unknown = Receipt { id: [5; 16], ..receipt.clone() };
        refused(&redeem(json!({"token": unknown.sign(&key)})), 404, "receipt_not_found");
        // A typed number has only the stored expiry.
        t.sql(&[&format!("UPDATE receipts SET expires_at = 1 WHERE number = '{}'", issued.number)]);
        refused(&redeem(json!({"number": issued.number})), 410, "receipt_expired");

        // Exactly one of token and number.
        refused(&redeem(json!({})), 400, "invalid_request");
        let both = json!({"token": issued.token, "number": issued.number});
        refused(&redeem(both), 400, "invalid_request");
        // Nothing above spent a ticket.
        refused(&t.staff.post("/v1/windows/3/call-next", None, None), 404, "no_waiting_ticket");
    });
}

#[test]
fn a_receipt_for_a_withdrawn_service_is_refused() {
    TestServer::on_each_database(|t| {
        let issued = t.prereview.issue_receipt(LEGAL, &[0], 30);
        t.sql(&[
            "DELETE FROM window_services WHERE service_code = 'legal-aid'",
            "DELETE FROM services WHERE code = 'legal-aid'",
        ]);
        let r = t.kiosk.redeem(json!({"token": issued.token}), None);
        refused_saying(&r, 404, "unknown_service", "front desk");
    });
}

#[test]
fn concurrent_redeems_give_exactly_one_ticket() {
    TestServer::on_each_database(|t| {
        let issued = t.prereview.issue_receipt(LEGAL, &[], 30);
        let body = json!({"token": issued.token});
        let replies: Vec<Reply> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..10).map(|_| s.spawn(|| t.kiosk.redeem(body.clone(), None))).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
        assert_eq!(statuses.iter().filter(|&&s| s == 200).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|&&s| s == 409).count(), 9, "{statuses:?}");
        assert_eq!(t.staff.post("/v1/windows/6/call-next", None, None).status, 200);
        refused(&t.staff.post("/v1/windows/6/call-next", None, None), 404, "no_waiting_ticket");
    });
}

/// Kiosks taking tickets while others redeem one receipt, all at once: every number once,
/// none skipped, and one redemption.
#[test]
fn tickets_and_redemptions_at_once_share_the_numbers_without_gaps() {
    TestServer::on_each_database(|t| {
        let issued = t.prereview.issue_receipt(LEGAL, &[], 30);
        let redeem = json!({"token": issued.token});
        let ticket = json!({"service_code": LEGAL, "priority": "normal"});
        let replies: Vec<Reply> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..40)
                .map(|i| {
                    let (redeem, ticket) = (&redeem, &ticket);
                    s.spawn(move || match i % 4 {
                        0 => t.kiosk.redeem(redeem.clone(), Some(&format!("redeem-{i}"))),
                        _ => t.kiosk.post("/v1/tickets", Some(ticket), Some(&format!("ticket-{i}"))),
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let redeemed = replies.iter().filter(|r| r.status == 200).count();
        let refused = replies.iter().filter(|r| r.status == 409).count();
        assert_eq!((redeemed, refused), (1, 9));
        let mut numbers: Vec<&str> = replies
            .iter()
            .filter_map(|r| match r.status {
                200 => r.body["ticket"]["number"].as_str(),
                201 => r.body["number"].as_str(),
                _ => None,
            })
            .collect();
        numbers.sort_unstable();
        let expected: Vec<String> = (1..=31).map(|n| format!("M{n:03}")).collect();
        assert_eq!(numbers, expected);
    });
}

#[test]
fn a_retry_with_the_same_idempotency_key_gets_the_same_ticket() {
    TestServer::on_each_database(|t| {
        let issued = t.prereview.issue_receipt(RESIDENCE, &[3], 30);
        let body = json!({"token": issued.token});
        let first = t.kiosk.redeem(body.clone(), Some("scan-1"));
        let retry = t.kiosk.redeem(body.clone(), Some("scan-1"));
        assert_eq!(first.status, 200, "{}", first.body);
        assert_eq!((retry.status, &retry.body), (200, &first.body));
        assert!(!first.replayed && retry.replayed);
        refused(&t.kiosk.redeem(body, Some("scan-2")), 409, "receipt_already_redeemed");
    });
}

#[test]
fn only_the_prereview_system_issues_and_only_kiosks_and_staff_redeem() {
    TestServer::on_each_database(|t| {
        let new = json!({"service_code": RESIDENCE, "applicant": "张*明", "valid_days": 30});
        for client in [&t.kiosk, &t.staff] {
            refused(&client.post("/v1/receipts", Some(&new), None), 403, "forbidden");
        }
        let issued = t.prereview.issue_receipt(RESIDENCE, &[], 30);
        refused(&t.prereview.redeem(json!({"token": issued.token}), None), 403, "forbidden");
        refused(&t.prereview.get("/v1/catalog"), 403, "forbidden");
        refused(
            &t.prereview.post("/v1/tickets", Some(&json!({"service_code": RESIDENCE, "priority": "normal"})), None),
            403,
            "forbidden",
        );
        // Staff at the front desk may redeem for a resident.
        assert_eq!(t.staff.redeem(json!({"number": issued.number}), None).status, 200);
    });
}

#[test]
fn issuing_refuses_what_the_receipt_cannot_carry() {
    TestServer::on_each_database(|t| {
        let issue = |service: &str, applicant: &str, missing: &[u8], valid_days: u32| {
            t.prereview.post(
                "/v1/receipts",
                Some(&json!({"service_code": service, "applicant": applicant,
                         "missing_materials": missing, "valid_days": valid_days})),
                None,
            )
        };
        refused(&issue("no-such-service", "张*明", &[], 30), 404, "unknown_service");
        // residence-permit has 4 materials: 0 to 3.
        refused(&issue(RESIDENCE, "张*明", &[4], 30), 400, "invalid_request");
        refused(&issue(RESIDENCE, "张*明", &[1, 1], 30), 400, "invalid_request");
        refused(&issue(RESIDENCE, "张*明", &[], 0), 400, "invalid_request");
        refused(&issue(RESIDENCE, "张*明", &[], 91), 400, "invalid_request");
        refused(&issue(RESIDENCE, " ", &[], 30), 400, "invalid_request");
        let longest = "买".repeat(contract::limits::MAX_APPLICANT_CHARS);
        refused(&issue(RESIDENCE, &format!("{longest}买"), &[], 30), 400, "invalid_request");

        // The longest name, every material missing, the longest service code: still a small code.
        let services: Vec<String> = serde_json::from_value::<contract::model::Catalog>(t.kiosk.get("/v1/catalog").body)
            .unwrap()
            .services
            .into_iter()
            .map(|s| s.code)
            .collect();
        let longest_code = services.iter().max_by_key(|c| c.len()).unwrap();
        let r = issue(longest_code, &longest, &[0, 1, 2, 3], 90);
        assert_eq!(r.status, 201, "{}", r.body);
        let token = r.body["token"].as_str().unwrap();
        assert!(token.len() < 400, "{} characters", token.len());
        assert_eq!(issue(RESIDENCE, "张*明", &[], 90).status, 201);
    });
}
