//! The fleet's health end to end: kiosks' heartbeats kept one per kiosk (the last wins),
//! quiet kiosks flagged, bad heartbeats refused with what is wrong, and who may send and
//! read them. Times are moved by changing the stored ones (the server reads the system clock).

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::{parsed, refused, refused_saying, Client, TestServer};
use contract::model::{DeviceState, DeviceStatus, Heartbeat, KioskHealth};
use serde_json::{json, Value};
use service_api::Role;

const OTHER_KIOSK_TOKEN: &str = "kiosk-0-token-for-tests";

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

fn heartbeat(uptime_secs: i64, printer: DeviceStatus, detail: &str) -> Heartbeat {
    Heartbeat {
        version: "0.4.0 (3f2a9c1)".into(),
        uptime_secs,
        restarts: 1,
        devices: vec![
            DeviceState { device: "card_reader".into(), status: DeviceStatus::Ok, detail: String::new() },
            DeviceState { device: "printer".into(), status: printer, detail: detail.into() },
        ],
        outbox_backlog: 3,
    }
}

fn send(client: &Client, heartbeat: &Heartbeat, key: Option<&str>) -> common::Reply {
    client.post("/v1/kiosks/heartbeat", Some(&serde_json::to_value(heartbeat).unwrap()), key)
}

fn sent(client: &Client, heartbeat: &Heartbeat) -> KioskHealth {
    parsed(send(client, heartbeat, None), 200)
}

fn kiosks(t: &TestServer) -> Vec<KioskHealth> {
    parsed(t.staff.get("/v1/kiosks"), 200)
}

#[test]
fn a_heartbeat_is_kept_with_the_servers_time_and_replaced_by_the_next() {
    TestServer::on_each_database(|t| {
        assert_eq!(kiosks(t), []);
        let before = now_ms();
        let first = sent(&t.kiosk, &heartbeat(60, DeviceStatus::Ok, ""));
        assert_eq!((first.kiosk.as_str(), first.quiet), ("kiosk-1", false));
        assert_eq!(first.heartbeat, heartbeat(60, DeviceStatus::Ok, ""));
        assert!((before..=now_ms()).contains(&first.last_seen), "last_seen {} is the server's now", first.last_seen);
        assert_eq!(kiosks(t), std::slice::from_ref(&first));

        let second = sent(&t.kiosk, &heartbeat(120, DeviceStatus::Fault, "out of paper"));
        assert!(second.last_seen >= first.last_seen);
        assert_eq!(second.heartbeat.devices[1].detail, "out of paper");
        assert_eq!(
            kiosks(t),
            std::slice::from_ref(&second),
            "one row per kiosk: the last heartbeat replaced the first"
        );
        assert_eq!(t.count("SELECT COUNT(*) FROM kiosk_heartbeats"), 1);

        // Another kiosk is listed beside it, by name.
        t.add_token(Role::Kiosk, "kiosk-0", OTHER_KIOSK_TOKEN);
        let other = sent(&t.client(Some(OTHER_KIOSK_TOKEN)), &heartbeat(5, DeviceStatus::Missing, "not connected"));
        assert_eq!(kiosks(t), [other, second]);
    });
}

#[test]
fn a_kiosk_without_a_heartbeat_for_over_three_minutes_is_quiet_until_the_next() {
    TestServer::on_each_database(|t| {
        t.add_token(Role::Kiosk, "kiosk-0", OTHER_KIOSK_TOKEN);
        sent(&t.kiosk, &heartbeat(60, DeviceStatus::Ok, ""));
        sent(&t.client(Some(OTHER_KIOSK_TOKEN)), &heartbeat(60, DeviceStatus::Ok, ""));
        // kiosk-1 last heard from 3 minutes and 1 second ago, kiosk-0 two and a half minutes ago.
        t.sql(&[
            "UPDATE kiosk_heartbeats SET last_seen = last_seen - 181000 WHERE kiosk = 'kiosk-1'",
            "UPDATE kiosk_heartbeats SET last_seen = last_seen - 150000 WHERE kiosk = 'kiosk-0'",
        ]);
        let quiet: Vec<(String, bool)> = kiosks(t).into_iter().map(|k| (k.kiosk, k.quiet)).collect();
        assert_eq!(quiet, [("kiosk-0".to_owned(), false), ("kiosk-1".to_owned(), true)]);

        let back = sent(&t.kiosk, &heartbeat(5, DeviceStatus::Ok, ""));
        assert!(!back.quiet);
        assert!(kiosks(t).iter().all(|k| !k.quiet));
    });
}

#[test]
fn a_bad_heartbeat_is_refused_saying_what_is_wrong_and_nothing_is_kept() {
    TestServer::on_each_database(|t| {
        let good = serde_json::to_value(heartbeat(60, DeviceStatus::Fault, "out of paper")).unwrap();
        let device = |name: &str| json!({"device": name, "status": "ok"});
        let cases: Vec<(&str, Value, &str)> = vec![
            ("version", json!(""), "version must be 1 to 64 characters"),
            ("version", json!(" "), "version must be 1 to 64 characters, not only spaces"),
            ("version", json!("9".repeat(65)), "version must be 1 to 64 characters, not 65"),
            ("version", json!("0.4\u{1b}[31m"), "version must not contain control characters"),
            ("uptime_secs", json!(-1), "uptime_secs must be 0 or more, not -1"),
            ("restarts", json!(-1), "restarts must be 0 or more, not -1"),
            ("outbox_backlog", json!(-5), "outbox_backlog must be 0 or more, not -5"),
            ("devices", json!((0..17).map(|i| device(&format!("d{i}"))).collect::<Vec<_>>()), "at most 16"),
            ("devices", json!([device("printer"), device("printer")]), "device printer is listed twice"),
            ("devices", json!([device("Card-Reader")]), "devices[0].device must be a lowercase identifier"),
            ("devices", json!([device("")]), "devices[0].device must be a lowercase identifier"),
            (
                "devices",
                json!([{"device": "printer", "status": "fault", "detail": "x".repeat(201)}]),
                "devices[0].detail must be at most 200 characters, not 201",
            ),
            // The contract's own refusals: an unknown status, a missing field.
            ("devices", json!([{"device": "printer", "status": "broken"}]), "unknown variant `broken`"),
            ("uptime_secs", Value::Null, "uptime_secs"),
        ];
        for (field, value, words) in cases {
            let mut body = good.clone();
            body[field] = value;
            let reply = t.kiosk.post("/v1/kiosks/heartbeat", Some(&body), None);
            refused_saying(&reply, 400, "invalid_request", words);
        }
        assert_eq!(kiosks(t), [], "no refused heartbeat was kept");
    });
}

#[test]
fn a_heartbeat_sent_again_with_its_key_answers_the_first_and_the_next_needs_a_new_key() {
    TestServer::on_each_database(|t| {
        let beat = heartbeat(60, DeviceStatus::Ok, "");
        let first = send(&t.kiosk, &beat, Some("beat-1"));
        let again = send(&t.kiosk, &beat, Some("beat-1"));
        assert_eq!((first.status, again.status), (200, 200), "{}", again.body);
        assert!(!first.replayed && again.replayed);
        assert_eq!(first.body, again.body);
        let reused = send(&t.kiosk, &heartbeat(120, DeviceStatus::Ok, ""), Some("beat-1"));
        refused(&reused, 422, "idempotency_key_reused");
        assert_eq!(parsed::<KioskHealth>(send(&t.kiosk, &beat, Some("beat-2")), 200).heartbeat.uptime_secs, 60);
    });
}

#[test]
fn a_heartbeat_forgets_its_kiosks_expired_idempotent_answers() {
    TestServer::on_each_database(|t| {
        let ticket = json!({"service_code": "legal-aid", "priority": "normal"});
        assert_eq!(t.kiosk.post("/v1/tickets", Some(&ticket), Some("old")).status, 201);
        assert_eq!(t.staff.post("/v1/windows/6/close", None, Some("staff-old")).status, 200);
        // Both saved a day and an hour ago.
        t.sql(&["UPDATE idempotency_keys SET created_at = created_at - 90000000"]);
        sent(&t.kiosk, &heartbeat(60, DeviceStatus::Ok, ""));
        assert_eq!(t.count("SELECT COUNT(*) FROM idempotency_keys WHERE idempotency_key = 'old'"), 0);
        // Only the kiosk's own: staff's is deleted when its key comes again or at a restart.
        assert_eq!(t.count("SELECT COUNT(*) FROM idempotency_keys WHERE idempotency_key = 'staff-old'"), 1);
    });
}

#[test]
fn only_a_kiosk_sends_a_heartbeat_and_only_staff_read_the_fleet() {
    TestServer::on_each_database(|t| {
        let beat = heartbeat(60, DeviceStatus::Ok, "");
        refused_saying(&send(&t.staff, &beat, None), 403, "forbidden", "Only kiosks may do this");
        refused(&send(&t.interpreter, &beat, None), 403, "forbidden");
        refused(&t.kiosk.get("/v1/kiosks"), 403, "forbidden");
        assert_eq!(kiosks(t), [], "staff are no kiosk");
    });
}
