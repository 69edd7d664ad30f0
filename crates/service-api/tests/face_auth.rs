//! Pension face authentication (养老金资格认证) against a real server: submissions wait for
//! staff review, each refusal has its code, and answers never carry the full ID number.

mod common;

use common::{id_number, new_face_auth, parsed, refused, refused_saying, test_jpeg, TestServer};
use contract::model::{FaceAuth, FaceAuthStatus};
use serde_json::{json, Value};
use service_api::Role;

const ID: &str = "11010519491231002X";

fn submit(t: &TestServer, body: &Value) -> FaceAuth {
    parsed(t.kiosk.post("/v1/face-auth", Some(body), None), 201)
}

#[test]
fn a_submission_waits_for_review_then_the_kiosk_sees_the_result() {
    TestServer::on_each_database(|t| {
        let first = submit(t, &new_face_auth(ID, &test_jpeg()));
        assert_eq!(first.status, FaceAuthStatus::PendingReview);
        assert_eq!(first.id_number_masked, "110***********002X");
        assert_eq!(first.kiosk_id, "kiosk-1");
        assert!(first.liveness.passed && first.liveness.turned_left);
        assert!(first.result_notice.zh.contains("12333"), "{:?}", first.result_notice);
        let other_id = id_number("44030119800101123");
        let second = submit(t, &new_face_auth(&other_id, &test_jpeg()));

        let queue: Vec<FaceAuth> = parsed(t.staff.get("/v1/face-auth?status=pending_review"), 200);
        let ids: Vec<&str> = queue.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, [first.id.as_str(), second.id.as_str()], "oldest first");
        let default_queue: Vec<FaceAuth> = parsed(t.staff.get("/v1/face-auth"), 200);
        assert_eq!(default_queue, queue);

        let approved: FaceAuth = parsed(t.staff.post(&format!("/v1/face-auth/{}/approve", first.id), None, None), 200);
        assert_eq!(approved.status, FaceAuthStatus::Approved);
        assert_eq!(approved.reviewed_by.as_deref(), Some("staff-1"));
        assert!(approved.reviewed_at.is_some());
        let reject = format!("/v1/face-auth/{}/reject", second.id);
        refused(&t.staff.post(&reject, Some(&json!({"reason": "  "})), None), 400, "invalid_request");
        refused(&t.staff.post(&reject, Some(&json!({})), None), 400, "invalid_request");
        let rejected: FaceAuth = parsed(t.staff.post(&reject, Some(&json!({"reason": "照片模糊"})), None), 200);
        assert_eq!(rejected.status, FaceAuthStatus::Rejected);
        assert_eq!(rejected.reject_reason.as_deref(), Some("照片模糊"));

        let seen: FaceAuth = parsed(t.kiosk.get(&format!("/v1/face-auth/{}", first.id)), 200);
        assert_eq!(seen.status, FaceAuthStatus::Approved);
        let seen: FaceAuth = parsed(t.kiosk.get(&format!("/v1/face-auth/{}", second.id)), 200);
        assert_eq!(seen.status, FaceAuthStatus::Rejected);
        assert!(seen.result_notice.zh.contains("照片模糊"), "{:?}", seen.result_notice);

        // Reviewed once: neither approved again nor turned around.
        let approve_again = t.staff.post(&format!("/v1/face-auth/{}/approve", first.id), None, None);
        refused(&approve_again, 409, "invalid_transition");
        refused(
            &t.staff.post(&reject.replace(&second.id, &first.id), Some(&json!({"reason": "x"})), None),
            409,
            "invalid_transition",
        );
        let queue: Vec<FaceAuth> = parsed(t.staff.get("/v1/face-auth"), 200);
        assert!(queue.is_empty());
        let approved_list: Vec<FaceAuth> = parsed(t.staff.get("/v1/face-auth?status=approved"), 200);
        assert_eq!(approved_list.len(), 1);
        refused(&t.staff.get("/v1/face-auth?status=nonsense"), 400, "invalid_request");
        refused(&t.staff.post("/v1/face-auth/nope/approve", None, None), 404, "not_found");
    });
}

#[test]
fn each_refusal_has_its_code() {
    TestServer::on_each_database(|t| {
        let with = |change: &dyn Fn(&mut Value)| {
            let mut body = new_face_auth(ID, &test_jpeg());
            change(&mut body);
            t.kiosk.post("/v1/face-auth", Some(&body), None)
        };
        refused(&with(&|b| b["consent"] = json!(false)), 400, "consent_required");
        let wrong_check = with(&|b| b["id_number"] = json!("110105194912310021"));
        refused_saying(&wrong_check, 400, "invalid_id_number", "check digit");
        let feb_30 = id_number("11010519490230002");
        let bad_birth = with(&|b| b["id_number"] = json!(feb_30));
        refused_saying(&bad_birth, 400, "invalid_id_number", "birth date");
        let short = with(&|b| b["id_number"] = json!("1101051949"));
        refused_saying(&short, 400, "invalid_id_number", "length");

        use base64::Engine;
        let b64 = |bytes: &[u8]| json!(base64::engine::general_purpose::STANDARD.encode(bytes));
        let png = b"\x89PNG\r\n\x1a\n not a jpeg".to_vec();
        let not_jpeg = with(&|b| b["photo_jpeg"] = b64(&png));
        refused_saying(&not_jpeg, 400, "invalid_photo", "JPEG");
        refused(&with(&|b| b["photo_jpeg"] = json!("not base64!")), 400, "invalid_photo");
        let mut huge = test_jpeg();
        huge.resize(contract::limits::MAX_PHOTO_BYTES + 1, 0);
        let too_large = with(&|b| b["photo_jpeg"] = b64(&huge));
        refused_saying(&too_large, 400, "invalid_photo", "2 MB");
        let mut largest = test_jpeg();
        largest.resize(contract::limits::MAX_PHOTO_BYTES, 0);
        assert_eq!(with(&|b| b["photo_jpeg"] = b64(&largest)).status, 201);

        let fourth = with(&|b| b["attempt"] = json!(4));
        refused_saying(&fourth, 400, "too_many_attempts", "staff");
        assert_eq!(with(&|b| b["attempt"] = json!(3)).status, 201);
        refused(&with(&|b| b["attempt"] = json!(0)), 400, "invalid_request");
        refused(&with(&|b| b["liveness"]["passed"] = json!(false)), 400, "liveness_failed");
        refused(&with(&|b| b["liveness"] = json!({"passed": true})), 400, "invalid_request");

        // Only the two good submissions wait for review.
        let queue: Vec<FaceAuth> = parsed(t.staff.get("/v1/face-auth"), 200);
        assert_eq!(queue.len(), 2);
    });
}

#[test]
fn only_staff_review_and_see_photos_and_a_kiosk_sees_only_its_own() {
    TestServer::on_each_database(|t| {
        let submitted = submit(t, &new_face_auth(ID, &test_jpeg()));
        let id = &submitted.id;
        refused(&t.kiosk.post(&format!("/v1/face-auth/{id}/approve"), None, None), 403, "forbidden");
        let reject = json!({"reason": "x"});
        refused(&t.kiosk.post(&format!("/v1/face-auth/{id}/reject"), Some(&reject), None), 403, "forbidden");
        refused(&t.kiosk.get(&format!("/v1/face-auth/{id}/photo")), 403, "forbidden");
        refused(&t.kiosk.get("/v1/face-auth"), 403, "forbidden");
        refused(&t.interpreter.get(&format!("/v1/face-auth/{id}")), 403, "forbidden");
        refused(&t.prereview.post("/v1/face-auth", Some(&new_face_auth(ID, &test_jpeg())), None), 403, "forbidden");

        t.add_token(Role::Kiosk, "kiosk-2", "kiosk-2-token");
        let other_kiosk = t.client(Some("kiosk-2-token"));
        refused(&other_kiosk.get(&format!("/v1/face-auth/{id}")), 404, "not_found");
        assert_eq!(t.staff.get(&format!("/v1/face-auth/{id}")).status, 200);
    });
}

#[test]
fn the_photo_round_trips_byte_exact_to_staff() {
    TestServer::on_each_database(|t| {
        let jpeg = test_jpeg();
        let submitted = submit(t, &new_face_auth(ID, &jpeg));
        let (status, content_type, bytes) = t.staff.get_bytes(&format!("/v1/face-auth/{}/photo", submitted.id));
        assert_eq!((status, content_type.as_str()), (200, "image/jpeg"));
        assert_eq!(bytes, jpeg);
        refused(&t.staff.get("/v1/face-auth/nope/photo"), 404, "not_found");
    });
}

#[test]
fn the_photo_is_deleted_once_the_review_decides_and_the_submission_stays() {
    TestServer::on_each_database(|t| {
        let approved = submit(t, &new_face_auth(ID, &test_jpeg()));
        let rejected = submit(t, &new_face_auth(ID, &test_jpeg()));
        let photo = |id: &str| t.staff.get_bytes(&format!("/v1/face-auth/{id}/photo")).0;
        assert_eq!((photo(&approved.id), photo(&rejected.id)), (200, 200));
        parsed::<FaceAuth>(t.staff.post(&format!("/v1/face-auth/{}/approve", approved.id), None, None), 200);
        let reason = json!({"reason": "照片模糊"});
        parsed::<FaceAuth>(t.staff.post(&format!("/v1/face-auth/{}/reject", rejected.id), Some(&reason), None), 200);
        for (id, status) in [(&approved.id, FaceAuthStatus::Approved), (&rejected.id, FaceAuthStatus::Rejected)] {
            refused_saying(&t.staff.get(&format!("/v1/face-auth/{id}/photo")), 404, "not_found", "deleted");
            let kept: FaceAuth = parsed(t.staff.get(&format!("/v1/face-auth/{id}")), 200);
            assert_eq!(kept.status, status);
        }
    });
}

#[test]
fn an_undecided_photo_is_deleted_after_the_retention_period() {
    TestServer::on_each_database(|t| {
        let day_ms = 24 * 60 * 60 * 1000;
        let days = i64::from(service_api::DEFAULT_PHOTO_RETENTION_DAYS);
        let expired = submit(t, &new_face_auth(ID, &test_jpeg()));
        let kept = submit(t, &new_face_auth(ID, &test_jpeg()));
        let submitted_ago = |id: &str, ms: i64| {
            t.sql(&[&format!("UPDATE face_auths SET submitted_at = submitted_at - {ms} WHERE id = '{id}'")]);
        };
        submitted_ago(&expired.id, days * day_ms + 60_000);
        submitted_ago(&kept.id, days * day_ms - 60_000);
        let photo = |id: &str| t.staff.get_bytes(&format!("/v1/face-auth/{id}/photo")).0;
        assert_eq!(photo(&kept.id), 200);
        refused_saying(&t.staff.get(&format!("/v1/face-auth/{}/photo", expired.id)), 404, "not_found", "deleted");
        // Still there to be decided (a reviewer rejects it: the resident authenticates again).
        let waiting: FaceAuth = parsed(t.staff.get(&format!("/v1/face-auth/{}", expired.id)), 200);
        assert_eq!(waiting.status, FaceAuthStatus::PendingReview);
    });
}

#[test]
fn a_repeated_idempotency_key_answers_the_first_submission() {
    TestServer::on_each_database(|t| {
        let body = new_face_auth(ID, &test_jpeg());
        let first = t.kiosk.post("/v1/face-auth", Some(&body), Some("face-1"));
        let again = t.kiosk.post("/v1/face-auth", Some(&body), Some("face-1"));
        assert_eq!((first.status, again.status), (201, 201));
        assert!(again.replayed && !first.replayed);
        assert_eq!(first.body, again.body);
        let queue: Vec<FaceAuth> = parsed(t.staff.get("/v1/face-auth"), 200);
        assert_eq!(queue.len(), 1);
    });
}

/// Neither answers nor the replayed (saved) answers carry the full number or the photo.
#[test]
fn answers_never_carry_the_full_id_number_or_the_photo() {
    TestServer::on_each_database(|t| {
        let body = new_face_auth(ID, &test_jpeg());
        let photo = body["photo_jpeg"].as_str().unwrap().to_owned();
        let submitted = t.kiosk.post("/v1/face-auth", Some(&body), Some("key"));
        let id = submitted.body["id"].as_str().unwrap().to_owned();
        let approved = t.staff.post(&format!("/v1/face-auth/{id}/approve"), None, Some("key"));
        // A repeated key replays the answer the server saved.
        let replayed = t.kiosk.post("/v1/face-auth", Some(&body), Some("key"));
        assert!(replayed.replayed);
        let answers = [
            submitted.body,
            replayed.body,
            t.kiosk.get(&format!("/v1/face-auth/{id}")).body,
            t.staff.get("/v1/face-auth?status=approved").body,
            approved.body,
        ];
        for answer in answers {
            let text = answer.to_string();
            assert!(text.contains("110***********002X"), "{text}");
            assert!(!text.contains(ID) && !text.contains(&ID[3..14]), "{text}");
            assert!(!text.contains(&photo), "{text}");
        }
    });
}
