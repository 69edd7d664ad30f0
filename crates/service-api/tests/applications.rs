//! Applications (办件) end to end: registered and moved on by staff with their history, found
//! at a kiosk by receipt or the fast-track ticket it gave, or by ID number with phone number or
//! ID card name, never by the ID number alone, the phone number only ever answered masked, and
//! the limit on lookups that find nothing. Times are moved by changing the stored ones.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::{id_number, parsed, refused, refused_saying, Client, Reply, TestServer};
use contract::model::{Application, ApplicationStatus, Collection};
use contract::receipt::Receipt;
use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use service_api::Role;

/// Served by window 3; its receipts are issued by the pre-review system.
const RESIDENCE: &str = "residence-permit";
const SOCIAL: &str = "social-insurance-enrolment";
const PHONE: &str = "13912340000";
/// [`PHONE`] as answered.
const PHONE_MASKED: &str = "139****0000";

fn now_secs() -> u32 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as u32
}

fn new_application(id_number: &str, receipt_number: Option<&str>) -> Value {
    let mut body = json!({"service_code": RESIDENCE, "id_number": id_number, "applicant": "刘*", "phone": PHONE});
    if let Some(number) = receipt_number {
        body["receipt_number"] = json!(number);
    }
    body
}

fn register(t: &TestServer, body: &Value) -> Application {
    parsed(t.staff.post("/v1/applications", Some(body), None), 201)
}

fn advance(t: &TestServer, id: &str, body: Value) -> Reply {
    t.staff.post(&format!("/v1/applications/{id}/advance"), Some(&body), None)
}

fn look_up(client: &Client, body: Value) -> Reply {
    client.post("/v1/applications/lookup", Some(&body), None)
}

fn found(client: &Client, body: Value) -> Vec<Application> {
    parsed(look_up(client, body), 200)
}

fn numbers(applications: &[Application]) -> Vec<&str> {
    applications.iter().map(|a| a.number.as_str()).collect()
}

#[test]
fn staff_register_an_application_and_it_starts_accepted_without_id_or_phone_in_any_answer() {
    TestServer::on_each_database(|t| {
        let id = id_number("11010119800101123");
        let reply = t.staff.post("/v1/applications", Some(&new_application(&id, None)), None);
        let text = reply.body.to_string();
        assert!(!text.contains(&id) && !text.contains(PHONE), "{text}");
        let application: Application = parsed(reply, 201);
        assert!(application.number.len() == 12 && application.number.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!((application.status, application.applicant.as_str()), (ApplicationStatus::Accepted, "刘*"));
        assert_eq!(application.service_name.zh, "居住证办理");
        assert_eq!(application.history.len(), 1);
        assert!(application.next_step.zh.contains("已受理"), "{:?}", application.next_step);

        let refusals = [
            (json!({"id_number": "110101198001011231"}), 400, "invalid_id_number"),
            (json!({"phone": "1391234000"}), 400, "invalid_request"),
            (json!({"applicant": " "}), 400, "invalid_request"),
            (json!({"service_code": "nope"}), 404, "unknown_service"),
            (json!({"receipt_number": "000000000001"}), 400, "receipt_invalid"),
            (json!({"receipt_number": "000000000000"}), 404, "receipt_not_found"),
        ];
        for (change, status, code) in refusals {
            let mut body = new_application(&id, None);
            body.as_object_mut().unwrap().extend(change.as_object().unwrap().clone());
            refused(&t.staff.post("/v1/applications", Some(&body), None), status, code);
        }
        let other_service = t.prereview.issue_receipt(SOCIAL, &[], 30);
        let mismatched = new_application(&id, Some(&other_service.number));
        refused_saying(&t.staff.post("/v1/applications", Some(&mismatched), None), 400, "invalid_request", SOCIAL);
        refused(&t.kiosk.post("/v1/applications", Some(&new_application(&id, None)), None), 403, "forbidden");
    });
}

#[test]
fn an_application_goes_through_review_materials_and_completion_with_its_history() {
    TestServer::on_each_database(|t| {
        let id = register(t, &new_application(&id_number("11010119800101123"), None)).id;
        let note = json!({"zh": "开始审查", "en": "Review started"});
        let moved: Application = parsed(advance(t, &id, json!({"status": "under_review", "note": note})), 200);
        assert!(moved.next_step.zh.starts_with("正在审查，请耐心等待"), "{:?}", moved.next_step);

        let photo = json!({"zh": "近期一寸照片", "en": "A recent photo"});
        let needs = json!({"status": "needs_materials", "missing_materials": [photo], "window_number": 3});
        let moved: Application = parsed(advance(t, &id, needs), 200);
        assert_eq!(moved.next_step.zh, "请带齐以下材料到3号窗口补正。");
        assert_eq!(moved.next_step.en, "Bring these materials to window 3.");
        assert_eq!((moved.missing_materials[0].zh.as_str(), moved.window_number), ("近期一寸照片", Some(3)));

        let moved: Application = parsed(advance(t, &id, json!({"status": "under_review"})), 200);
        assert_eq!((moved.missing_materials.len(), moved.window_number), (0, None));
        let done = json!({"status": "completed", "collection": "window", "window_number": 3});
        let completed: Application = parsed(advance(t, &id, done), 200);
        assert_eq!((completed.collection, completed.window_number), (Some(Collection::Window), Some(3)));
        assert!(completed.next_step.zh.contains("请带身份证到3号窗口领取结果"), "{:?}", completed.next_step);

        use ApplicationStatus::*;
        let statuses: Vec<_> = completed.history.iter().map(|step| step.status).collect();
        assert_eq!(statuses, [Accepted, UnderReview, NeedsMaterials, UnderReview, Completed]);
        assert!(completed.history.windows(2).all(|pair| pair[0].at <= pair[1].at));
        assert_eq!(completed.history[1].note.as_ref().unwrap().en, "Review started");
        let listed: Vec<Application> = parsed(t.staff.get("/v1/applications?status=completed"), 200);
        assert!(listed.iter().any(|a| a.id == id));
        refused(&t.staff.get("/v1/applications?status=lost"), 400, "invalid_request");
    });
}

#[test]
fn transitions_out_of_order_and_details_that_do_not_fit_are_refused() {
    TestServer::on_each_database(|t| {
        let id = register(t, &new_application(&id_number("11010119800101123"), None)).id;
        let material = json!([{"zh": "照片", "en": "Photo"}]);
        for body in [
            json!({"status": "completed", "collection": "post"}),
            json!({"status": "needs_materials", "missing_materials": material}),
            json!({"status": "accepted"}),
        ] {
            refused_saying(&advance(t, &id, body), 409, "invalid_transition", "accepted");
        }
        assert_eq!(advance(t, &id, json!({"status": "under_review"})).status, 200);
        for (body, words) in [
            (json!({"status": "needs_materials"}), "1 to 20"),
            (json!({"status": "needs_materials", "missing_materials": vec![material[0].clone(); 21]}), "1 to 20"),
            (json!({"status": "completed"}), "needs a collection"),
            (json!({"status": "completed", "collection": "window"}), "window_number"),
            (json!({"status": "completed", "collection": "online", "window_number": 3}), "window_number is only"),
            (
                json!({"status": "completed", "collection": "post", "missing_materials": material}),
                "only for needs_materials",
            ),
            (json!({"status": "completed", "collection": "post", "note": {"zh": "", "en": "x"}}), "note (zh)"),
        ] {
            refused_saying(&advance(t, &id, body), 400, "invalid_request", words);
        }
        refused(
            &advance(t, &id, json!({"status": "completed", "collection": "window", "window_number": 99})),
            404,
            "not_found",
        );
        refused(&advance(t, "nope", json!({"status": "under_review"})), 404, "not_found");
        assert_eq!(advance(t, &id, json!({"status": "completed", "collection": "post"})).status, 200);
        refused_saying(&advance(t, &id, json!({"status": "under_review"})), 409, "invalid_transition", "completed");

        let history: Vec<Application> = parsed(t.staff.get("/v1/applications?status=completed"), 200);
        let application = history.iter().find(|a| a.id == id).unwrap();
        assert_eq!(application.history.len(), 3, "refusals left no step");
    });
}

#[test]
fn concurrent_advances_move_an_application_once() {
    TestServer::on_each_database(|t| {
        let id = register(t, &new_application(&id_number("11010119800101123"), None)).id;
        let replies: Vec<Reply> = std::thread::scope(|s| {
            let handles: Vec<_> =
                (0..8).map(|_| s.spawn(|| advance(t, &id, json!({"status": "under_review"})))).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(replies.iter().filter(|r| r.status == 200).count(), 1);
        assert!(replies.iter().filter(|r| r.status != 200).all(|r| r.code() == "invalid_transition"));
        assert_eq!(t.count(&format!("SELECT COUNT(*) FROM application_steps WHERE application_id = '{id}'")), 2);
    });
}

#[test]
fn a_receipt_finds_its_application_by_token_or_number_even_once_expired() {
    TestServer::on_each_database(|t| {
        let issued = t.prereview.issue_receipt(RESIDENCE, &[1], 30);
        let application = register(t, &new_application(&id_number("11010119800101123"), Some(&issued.number)));
        assert_eq!(application.receipt_number.as_deref(), Some(issued.number.as_str()));

        assert_eq!(numbers(&found(&t.kiosk, json!({"receipt_token": issued.token}))), [application.number.as_str()]);
        assert_eq!(numbers(&found(&t.kiosk, json!({"receipt_number": issued.number}))), [application.number.as_str()]);
        let mut receipt = Receipt::verify(&issued.token, &t.server.receipt_public_key(), now_secs()).unwrap();
        receipt.expires_at = now_secs() - 1;
        let expired = receipt.sign(&t.receipt_key());
        assert_eq!(found(&t.kiosk, json!({"receipt_token": expired})).len(), 1);

        let forged = receipt.sign(&SigningKey::from_bytes(&[7; 32]));
        refused(&look_up(&t.kiosk, json!({"receipt_token": forged})), 400, "receipt_invalid");
        refused(&look_up(&t.kiosk, json!({"receipt_number": "000000000001"})), 400, "receipt_invalid");
        // A receipt whose application is not registered yet finds nothing.
        let unused = t.prereview.issue_receipt(RESIDENCE, &[], 30);
        assert!(found(&t.kiosk, json!({"receipt_number": unused.number})).is_empty());
    });
}

#[test]
fn an_id_number_finds_applications_only_with_the_phone_given_on_them() {
    TestServer::on_each_database(|t| {
        let id = id_number("11010119800101123");
        let first = register(t, &new_application(&id, None));
        let second = register(t, &new_application(&id, None));
        let mine = found(&t.kiosk, json!({"id_number": id, "phone": PHONE}));
        assert_eq!(numbers(&mine), [second.number.as_str(), first.number.as_str()], "newest first");
        let text = serde_json::to_string(&mine).unwrap();
        assert!(!text.contains(&id) && !text.contains(PHONE));

        // An ID number alone never answers; a wrong phone answers as an ID number with nothing.
        refused_saying(&look_up(&t.kiosk, json!({"id_number": id})), 400, "invalid_request", "one way");
        refused_saying(&look_up(&t.kiosk, json!({"phone": PHONE})), 400, "invalid_request", "one way");
        let wrong_phone = look_up(&t.kiosk, json!({"id_number": id, "phone": "13900000000"}));
        let nobody = look_up(&t.kiosk, json!({"id_number": id_number("11010119800101456"), "phone": PHONE}));
        assert_eq!((wrong_phone.status, &wrong_phone.body), (200, &json!([])));
        assert_eq!((nobody.status, &nobody.body), (wrong_phone.status, &wrong_phone.body));

        refused(
            &look_up(&t.kiosk, json!({"id_number": "110101198001011231", "phone": PHONE})),
            400,
            "invalid_id_number",
        );
        refused(&look_up(&t.kiosk, json!({"id_number": id, "phone": "139"})), 400, "invalid_request");
        let both = json!({"receipt_number": "000000000000", "id_number": id, "phone": PHONE});
        refused_saying(&look_up(&t.kiosk, both), 400, "invalid_request", "one way");
    });
}

#[test]
fn every_application_answered_to_staff_or_a_kiosk_shows_the_phone_masked_and_never_in_full() {
    TestServer::on_each_database(|t| {
        let id = id_number("11010119800101123");
        let registered = t.staff.post("/v1/applications", Some(&new_application(&id, None)), None);
        let mine = registered.body["id"].clone();
        let advanced = advance(t, mine.as_str().unwrap(), json!({"status": "under_review"}));
        let listed = t.staff.get("/v1/applications?status=under_review");
        let looked_up = look_up(&t.kiosk, json!({"id_number": id, "phone": PHONE}));
        for reply in [registered, advanced, listed, looked_up] {
            assert!(reply.status == 200 || reply.status == 201, "{}", reply.body);
            let text = reply.body.to_string();
            assert!(!text.contains(PHONE) && !text.contains(&id), "{text}");
            let applications = reply.body.as_array().cloned().unwrap_or_else(|| vec![reply.body.clone()]);
            let this = applications.iter().find(|a| a["id"] == mine).expect("the application");
            assert_eq!(this["contact_phone_masked"], PHONE_MASKED, "{this}");
        }
        // The demo's too, each with its own phone masked.
        let all: Vec<Application> = parsed(t.staff.get("/v1/applications"), 200);
        let masked = |number: &str| all.iter().find(|a| a.number == number).unwrap().contact_phone_masked.clone();
        assert_eq!(masked("300000000001").as_deref(), Some("138****8000"));
        assert_eq!(masked("300000000003").as_deref(), Some("139****5678"));
    });
}

#[test]
fn an_id_card_name_finds_the_applications_whose_masked_name_it_fits() {
    TestServer::on_each_database(|t| {
        let id = id_number("11010119800101123");
        let two_characters = register(t, &new_application(&id, None));
        let mut three = new_application(&id, None);
        three["applicant"] = json!("刘*华");
        let three_characters = register(t, &three);
        let by_card = |name: &str| json!({"id_number": id, "card_name": name});

        assert_eq!(numbers(&found(&t.kiosk, by_card("刘洋"))), [two_characters.number.as_str()]);
        let mine = found(&t.kiosk, by_card("刘建华"));
        assert_eq!(numbers(&mine), [three_characters.number.as_str()]);
        assert_eq!(mine[0].contact_phone_masked.as_deref(), Some(PHONE_MASKED));
        // A reader pads the name with spaces.
        assert_eq!(found(&t.kiosk, by_card("刘洋  ")).len(), 1);
        assert_eq!(t.count("SELECT COUNT(*) FROM lookup_failures"), 0, "finding is no miss");

        refused_saying(&look_up(&t.kiosk, by_card("刘*")), 400, "invalid_request", "without *");
        refused_saying(&look_up(&t.kiosk, by_card(" ")), 400, "invalid_request", "card_name");
        refused_saying(&look_up(&t.kiosk, json!({"card_name": "刘洋"})), 400, "invalid_request", "card_name");
        let with_phone = json!({"id_number": id, "phone": PHONE, "card_name": "刘洋"});
        refused_saying(&look_up(&t.kiosk, with_phone), 400, "invalid_request", "one way");
        let bad_id = json!({"id_number": "110101198001011231", "card_name": "刘洋"});
        refused(&look_up(&t.kiosk, bad_id), 400, "invalid_id_number");
    });
}

#[test]
fn a_card_name_that_does_not_fit_finds_nothing_and_counts_as_a_miss_like_a_wrong_phone() {
    TestServer::on_each_database(|t| {
        let id = id_number("11010119800101123");
        register(t, &new_application(&id, None));
        let by_card = |name: &str| json!({"id_number": id, "card_name": name});
        let nobody = look_up(&t.kiosk, json!({"id_number": id_number("11010119800101456"), "card_name": "刘洋"}));
        assert_eq!((nobody.status, &nobody.body), (200, &json!([])));
        for misfit in ["王洋", "洋刘", "刘洋洋", "刘"] {
            let reply = look_up(&t.kiosk, by_card(misfit));
            assert_eq!((reply.status, &reply.body), (nobody.status, &nobody.body), "{misfit}");
        }
        let wrong_phone = look_up(&t.kiosk, json!({"id_number": id, "phone": "13900000000"}));
        assert_eq!((wrong_phone.status, &wrong_phone.body), (200, &json!([])));
        assert_eq!(t.count("SELECT COUNT(*) FROM lookup_failures WHERE id_number_hash IS NOT NULL"), 6);
        // Five misses for the ID number, whichever way: the right name is refused too.
        refused_saying(&look_up(&t.kiosk, by_card("刘洋")), 429, "too_many_attempts", "ask staff");
        refused(&look_up(&t.kiosk, json!({"id_number": id, "phone": PHONE})), 429, "too_many_attempts");
        t.sql(&["UPDATE lookup_failures SET at = at - 25 * 3600000"]);
        assert_eq!(found(&t.kiosk, by_card("刘洋")).len(), 1);
    });
}

#[test]
fn the_fast_track_ticket_of_a_redeemed_receipt_finds_the_receipts_applications() {
    TestServer::on_each_database(|t| {
        let issued = t.prereview.issue_receipt(RESIDENCE, &[], 30);
        let id = id_number("11010119800101123");
        let first = register(t, &new_application(&id, Some(&issued.number)));
        let second = register(t, &new_application(&id, Some(&issued.number)));
        register(t, &new_application(&id, None));
        let redeemed = t.kiosk.redeem(json!({"number": issued.number}), None);
        assert_eq!(redeemed.status, 200, "{}", redeemed.body);
        let ticket = redeemed.body["ticket"]["id"].as_str().unwrap().to_owned();
        assert_eq!(redeemed.body["ticket"]["priority"], "fast_track");

        let mine = found(&t.kiosk, json!({"ticket_id": ticket}));
        assert_eq!(numbers(&mine), [second.number.as_str(), first.number.as_str()], "the receipt's, newest first");
        assert_eq!(mine[0].contact_phone_masked.as_deref(), Some(PHONE_MASKED));
        // Scanned at any kiosk, as typing the receipt's number would.
        t.add_token(Role::Kiosk, "kiosk-2", "kiosk-2-token");
        assert_eq!(found(&t.client(Some("kiosk-2-token")), json!({"ticket_id": ticket})).len(), 2);
        assert_eq!(t.count("SELECT COUNT(*) FROM lookup_failures"), 0, "finding is no miss");

        refused_saying(&look_up(&t.kiosk, json!({"ticket_id": "x"})), 400, "invalid_request", "ticket_id");
        let with_receipt = json!({"ticket_id": ticket, "receipt_number": issued.number});
        refused_saying(&look_up(&t.kiosk, with_receipt), 400, "invalid_request", "one way");
    });
}

#[test]
fn an_ordinary_ticket_or_an_unknown_one_finds_nothing_and_counts_as_a_miss() {
    TestServer::on_each_database(|t| {
        // A redeemed receipt whose application is not registered yet finds nothing either.
        let unused = t.prereview.issue_receipt(RESIDENCE, &[], 30);
        let redeemed = t.kiosk.redeem(json!({"number": unused.number}), None);
        assert_eq!(redeemed.status, 200, "{}", redeemed.body);
        let fast_track = redeemed.body["ticket"]["id"].as_str().unwrap().to_owned();
        let ordinary = t.kiosk.issue(RESIDENCE, "normal")["id"].as_str().unwrap().to_owned();
        for ticket in [fast_track.as_str(), ordinary.as_str(), "0000000000000000"] {
            let reply = look_up(&t.kiosk, json!({"ticket_id": ticket}));
            assert_eq!((reply.status, &reply.body), (200, &json!([])), "{ticket}");
        }
        assert_eq!(t.count("SELECT COUNT(*) FROM lookup_failures WHERE kiosk = 'kiosk:kiosk-1'"), 3);
        for _ in 3..20 {
            assert!(found(&t.kiosk, json!({"ticket_id": ordinary})).is_empty());
        }
        refused(&look_up(&t.kiosk, json!({"ticket_id": ordinary})), 429, "too_many_attempts");
    });
}

#[test]
fn five_misses_for_an_id_number_refuse_even_the_right_phone_until_a_day_has_passed() {
    TestServer::on_each_database(|t| {
        let id = id_number("11010119800101123");
        register(t, &new_application(&id, None));
        let right = json!({"id_number": id, "phone": PHONE});
        let wrong = json!({"id_number": id, "phone": "13900000000"});
        for _ in 0..5 {
            assert!(found(&t.kiosk, wrong.clone()).is_empty());
        }
        refused_saying(&look_up(&t.kiosk, right.clone()), 429, "too_many_attempts", "ask staff");
        // From another kiosk too: the count is the ID number's.
        t.add_token(Role::Kiosk, "kiosk-2", "kiosk-2-token");
        refused(&look_up(&t.client(Some("kiosk-2-token")), right.clone()), 429, "too_many_attempts");
        // Another resident at the same kiosk is not held up.
        let other = id_number("11010119800101456");
        register(t, &json!({"service_code": SOCIAL, "id_number": other, "applicant": "周*", "phone": PHONE}));
        assert_eq!(found(&t.kiosk, json!({"id_number": other, "phone": PHONE})).len(), 1);

        // Kept as a keyed hash, never the number.
        assert_eq!(t.count("SELECT COUNT(*) FROM lookup_failures WHERE id_number_hash IS NOT NULL"), 5);
        assert_eq!(
            t.count(&format!("SELECT COUNT(*) FROM lookup_failures WHERE id_number_hash LIKE '%{}%'", &id[..10])),
            0
        );

        t.sql(&["UPDATE lookup_failures SET at = at - 23 * 3600000"]);
        refused(&look_up(&t.kiosk, right.clone()), 429, "too_many_attempts");
        t.sql(&["UPDATE lookup_failures SET at = at - 2 * 3600000"]);
        assert_eq!(found(&t.kiosk, right).len(), 1);
    });
}

#[test]
fn twenty_misses_from_a_kiosk_refuse_its_lookups_for_an_hour() {
    TestServer::on_each_database(|t| {
        let issued = t.prereview.issue_receipt(RESIDENCE, &[], 30);
        register(t, &new_application(&id_number("11010119800101123"), Some(&issued.number)));
        let by_receipt = json!({"receipt_token": issued.token});
        let unused = t.prereview.issue_receipt(RESIDENCE, &[], 30);
        for _ in 0..20 {
            assert!(found(&t.kiosk, json!({"receipt_number": unused.number})).is_empty());
        }
        refused_saying(&look_up(&t.kiosk, by_receipt.clone()), 429, "too_many_attempts", "staff");
        t.add_token(Role::Kiosk, "kiosk-2", "kiosk-2-token");
        assert_eq!(found(&t.client(Some("kiosk-2-token")), by_receipt.clone()).len(), 1, "another kiosk");

        t.sql(&["UPDATE lookup_failures SET at = at - 59 * 60000"]);
        refused(&look_up(&t.kiosk, by_receipt.clone()), 429, "too_many_attempts");
        t.sql(&["UPDATE lookup_failures SET at = at - 2 * 60000"]);
        assert_eq!(found(&t.kiosk, by_receipt).len(), 1);
    });
}

#[test]
fn a_lookup_retried_with_its_key_is_answered_again_and_counted_once() {
    TestServer::on_each_database(|t| {
        let body = json!({"id_number": id_number("11010119800101123"), "phone": PHONE});
        let first = t.kiosk.post("/v1/applications/lookup", Some(&body), Some("lookup-1"));
        let retry = t.kiosk.post("/v1/applications/lookup", Some(&body), Some("lookup-1"));
        assert_eq!((first.status, &first.body, retry.replayed), (200, &json!([]), true));
        assert_eq!(t.count("SELECT COUNT(*) FROM lookup_failures"), 1);
    });
}

#[test]
fn the_demo_has_applications_in_every_state_and_a_resident_with_two() {
    TestServer::on_each_database(|t| {
        let all: Vec<Application> = parsed(t.staff.get("/v1/applications"), 200);
        for status in ApplicationStatus::ALL {
            assert!(all.iter().any(|a| a.status == status), "no demo application {status}");
        }
        let collections: Vec<_> = all.iter().filter_map(|a| a.collection).collect();
        assert!([Collection::Window, Collection::Post, Collection::Online].iter().all(|c| collections.contains(c)));
        let two = found(&t.kiosk, json!({"id_number": "11010519491231002X", "phone": "13800138000"}));
        assert_eq!(two.len(), 2);
        assert_eq!(two[0].status, ApplicationStatus::NeedsMaterials, "newest first");
        assert_eq!(two[0].next_step.en, "Bring these materials to window 3.");
        let by_card = found(&t.kiosk, json!({"id_number": "11010519491231002X", "card_name": "张三明"}));
        assert_eq!(numbers(&by_card), numbers(&two));
    });
}

#[test]
fn the_demo_receipt_is_redeemed_once_for_a_fast_track_ticket_that_finds_its_application() {
    TestServer::on_each_database(|t| {
        let redeemed = t.kiosk.redeem(json!({"number": "400000000077"}), None);
        assert_eq!(redeemed.status, 200, "{}", redeemed.body);
        assert_eq!(redeemed.body["applicant"], "孙*丽");
        let ticket = redeemed.body["ticket"]["id"].as_str().unwrap();
        let found = found(&t.kiosk, json!({"ticket_id": ticket}));
        assert_eq!(numbers(&found), ["300000000007"]);
        assert_eq!(found[0].receipt_number.as_deref(), Some("400000000077"));
        assert_eq!(found[0].status, ApplicationStatus::UnderReview);
        refused(&t.kiosk.redeem(json!({"number": "400000000077"}), None), 409, "receipt_already_redeemed");
    });
}
