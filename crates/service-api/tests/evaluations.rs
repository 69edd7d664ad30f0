//! Ratings of served visits (好差评) end to end: the visit found by its number, by its
//! ticket's id (scanned from the printed ticket) or at its window, one rating per ticket, low ratings with their reasons and follow-up, and the
//! summary per day, window and service. Times are moved by changing the stored ones.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::{parsed, refused, refused_saying, Client, Reply, TestServer};
use contract::model::{Evaluation, EvaluationSummary, LevelCounts, RateableVisit, WindowRateableVisit};
use serde_json::{json, Value};
use service_api::Role;

/// Served by window 6 only.
const LEGAL: &str = "legal-aid";
/// Served by window 3 (with household registration).
const RESIDENCE: &str = "residence-permit";

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// Today in China time, `YYYY-MM-DD`.
fn today() -> String {
    service_api::china_time(now_ms() / 1000)[..10].to_owned()
}

fn rating(ticket_id: &str, level: &str, reasons: &[&str]) -> Value {
    json!({"ticket_id": ticket_id, "level": level, "reasons": reasons, "channel": "kiosk"})
}

fn rate(client: &Client, body: &Value, key: Option<&str>) -> Reply {
    client.post("/v1/evaluations", Some(body), key)
}

fn rated(client: &Client, body: &Value) -> Evaluation {
    parsed(rate(client, body, None), 201)
}

fn window_visit(client: &Client, window: i64) -> Option<RateableVisit> {
    parsed::<WindowRateableVisit>(client.get(&format!("/v1/windows/{window}/rateable-visit")), 200).visit
}

fn summary(t: &TestServer, from: &str, to: &str) -> Vec<EvaluationSummary> {
    parsed(t.staff.get(&format!("/v1/evaluations/summary?from={from}&to={to}")), 200)
}

fn listed(t: &TestServer, follow_up: &str, id: &str) -> bool {
    let list: Vec<Evaluation> = parsed(t.staff.get(&format!("/v1/evaluations?follow_up={follow_up}")), 200);
    list.iter().any(|e| e.id == id)
}

fn ticket_number(t: &TestServer, id: &str) -> String {
    t.kiosk.get(&format!("/v1/tickets/{id}")).body["number"].as_str().unwrap().to_owned()
}

#[test]
fn a_served_ticket_is_rated_once_and_a_second_rating_is_told_kindly() {
    TestServer::on_each_database(|t| {
        let ticket = t.served_ticket(LEGAL, 6);
        let number = ticket_number(t, &ticket);
        let evaluation = rated(&t.kiosk, &rating(&ticket, "very_satisfied", &[]));
        assert_eq!(
            (evaluation.ticket_id.as_str(), evaluation.ticket_number.as_str()),
            (ticket.as_str(), number.as_str())
        );
        assert_eq!((evaluation.service_code.as_str(), evaluation.window_number), (LEGAL, 6));
        assert_eq!(evaluation.kiosk_id, "kiosk-1");
        assert_eq!((evaluation.follow_up_due, &evaluation.follow_up), (None, &None));

        let visit: RateableVisit = parsed(t.kiosk.get(&format!("/v1/rateable-visits/{number}")), 200);
        assert!(visit.rated);
        // Another kiosk, another key: the ticket has its rating.
        t.add_token(Role::Kiosk, "kiosk-2", "kiosk-2-token");
        let again = rate(&t.client(Some("kiosk-2-token")), &rating(&ticket, "dissatisfied", &["other"]), Some("k2"));
        refused_saying(&again, 409, "already_rated", "Thank you");
        assert!(again.body["message"]["zh"].as_str().unwrap().contains(&number), "{}", again.body);
        assert_eq!(t.count(&format!("SELECT COUNT(*) FROM evaluations WHERE ticket_id = '{ticket}'")), 1);
    });
}

#[test]
fn a_retry_with_the_same_key_gets_the_first_rating_back() {
    TestServer::on_each_database(|t| {
        let ticket = t.served_ticket(LEGAL, 6);
        let body = rating(&ticket, "satisfied", &[]);
        let first = rate(&t.kiosk, &body, Some("rating-1"));
        let retry = rate(&t.kiosk, &body, Some("rating-1"));
        assert_eq!(first.status, 201, "{}", first.body);
        assert_eq!((retry.status, &retry.body), (201, &first.body));
        assert!(!first.replayed && retry.replayed);
        assert_eq!(t.count(&format!("SELECT COUNT(*) FROM evaluations WHERE ticket_id = '{ticket}'")), 1);
    });
}

#[test]
fn a_low_rating_without_reasons_is_refused_and_one_with_them_keeps_the_call_back_number_for_staff() {
    TestServer::on_each_database(|t| {
        let ticket = t.served_ticket(LEGAL, 6);
        let with = |level: &str, reasons: &[&str], phone: Option<&str>| {
            let mut body = rating(&ticket, level, reasons);
            if let Some(phone) = phone {
                body["callback_phone"] = json!(phone);
            }
            body
        };
        let refusals = [
            (with("dissatisfied", &[], None), "at least one reason"),
            (with("very_dissatisfied", &["attitude", "attitude"], None), "twice"),
            (with("basically_satisfied", &["long_wait"], None), "only for a low rating"),
            (with("satisfied", &[], Some("13800138000")), "only for a low rating"),
            (with("dissatisfied", &["long_wait"], Some("1380013800")), "11-digit"),
            (with("dissatisfied", &["long_wait"], Some("23800138000")), "11-digit"),
        ];
        for (body, words) in refusals {
            refused_saying(&rate(&t.kiosk, &body, None), 400, "invalid_request", words);
        }
        refused(
            &rate(&t.kiosk, &json!({"ticket_id": ticket, "level": "so-so", "channel": "kiosk"}), None),
            400,
            "invalid_request",
        );
        assert_eq!(t.count("SELECT COUNT(*) FROM evaluations WHERE kiosk_id = 'kiosk-1'"), 0);

        let low = rated(&t.kiosk, &with("very_dissatisfied", &["long_wait", "unclear_materials"], Some("13800138000")));
        assert_eq!(low.callback_phone_masked.as_deref(), Some("138****8000"));
        assert_eq!(low.callback_phone, None, "a kiosk never gets the number back");
        assert!(low.follow_up_due.is_some());
        let for_staff: Evaluation = parsed(t.staff.get(&format!("/v1/evaluations/{}", low.id)), 200);
        assert_eq!(for_staff.callback_phone.as_deref(), Some("13800138000"));
        assert_eq!(for_staff.reasons, low.reasons);
    });
}

#[test]
fn only_a_served_ticket_is_rated_and_only_todays_are_found_by_number() {
    TestServer::on_each_database(|t| {
        let waiting = t.kiosk.issue(LEGAL, "normal");
        let (id, number) = (waiting["id"].as_str().unwrap(), waiting["number"].as_str().unwrap());
        refused_saying(
            &t.kiosk.get(&format!("/v1/rateable-visits/{number}")),
            404,
            "no_rateable_visit",
            "not been served",
        );
        refused_saying(&rate(&t.kiosk, &rating(id, "satisfied", &[]), None), 409, "not_served", number);
        refused(&rate(&t.kiosk, &rating("no-such-ticket", "satisfied", &[]), None), 404, "not_found");
        refused_saying(&t.kiosk.get("/v1/rateable-visits/Z999"), 404, "no_rateable_visit", "today");

        // Served: found by its number, typed in either case.
        assert_eq!(t.staff.post("/v1/windows/6/call-next", None, None).status, 200);
        for action in ["start", "finish"] {
            assert_eq!(t.staff.post(&format!("/v1/tickets/{id}/{action}"), None, None).status, 200);
        }
        let visit: RateableVisit = parsed(t.kiosk.get(&format!("/v1/rateable-visits/{}", number.to_lowercase())), 200);
        assert_eq!((visit.ticket_id.as_str(), visit.ticket_number.as_str(), visit.window_number), (id, number, 6));
        assert_eq!(
            (visit.window.zh.as_str(), visit.service_name.zh.as_str(), visit.rated),
            ("6号窗口", "法律援助", false)
        );

        // Yesterday's ticket with the same number is not today's.
        t.sql(&[&format!("UPDATE tickets SET day = day - 1 WHERE id = '{id}'")]);
        refused_saying(&t.kiosk.get(&format!("/v1/rateable-visits/{number}")), 404, "no_rateable_visit", "today");
        // Its rating, sent late by an outbox, still counts.
        assert_eq!(rate(&t.kiosk, &rating(id, "satisfied", &[]), None).status, 201);
    });
}

#[test]
fn a_scanned_ticket_finds_its_served_visit_as_its_number_does_with_the_same_rated_flag() {
    TestServer::on_each_database(|t| {
        let ticket = t.served_ticket(LEGAL, 6);
        let number = ticket_number(t, &ticket);
        let by_id = t.kiosk.get(&format!("/v1/tickets/{ticket}/rateable-visit"));
        let by_number = t.kiosk.get(&format!("/v1/rateable-visits/{number}"));
        assert_eq!((by_id.status, &by_id.body), (200, &by_number.body));
        let visit: RateableVisit = parsed(by_id, 200);
        assert_eq!((visit.ticket_id.as_str(), visit.ticket_number.as_str()), (ticket.as_str(), number.as_str()));
        assert_eq!((visit.window_number, visit.window.zh.as_str(), visit.rated), (6, "6号窗口", false));

        rated(&t.kiosk, &rating(&ticket, "satisfied", &[]));
        // Any kiosk: the ticket was taken at one and is scanned at another.
        t.add_token(Role::Kiosk, "kiosk-2", "kiosk-2-token");
        let other_kiosk = t.client(Some("kiosk-2-token"));
        let visit: RateableVisit = parsed(other_kiosk.get(&format!("/v1/tickets/{ticket}/rateable-visit")), 200);
        assert!(visit.rated);
    });
}

#[test]
fn a_scanned_ticket_not_served_yet_not_today_s_or_unknown_is_refused_as_a_number_is() {
    TestServer::on_each_database(|t| {
        let waiting = t.kiosk.issue(LEGAL, "normal");
        let (id, number) = (waiting["id"].as_str().unwrap(), waiting["number"].as_str().unwrap());
        let scanned = |id: &str| t.kiosk.get(&format!("/v1/tickets/{id}/rateable-visit"));
        let typed = t.kiosk.get(&format!("/v1/rateable-visits/{number}"));
        let not_served = scanned(id);
        // The ticket exists: a conflict, with the words a typed number gets.
        refused_saying(&not_served, 409, "not_served", "not been served");
        assert_eq!(not_served.body["message"], typed.body["message"], "the same words");

        // Called and being served is not served yet either.
        assert_eq!(t.staff.post("/v1/windows/6/call-next", None, None).status, 200);
        assert_eq!(t.staff.post(&format!("/v1/tickets/{id}/start"), None, None).status, 200);
        refused_saying(&scanned(id), 409, "not_served", "not been served");

        let unknown = scanned("0000000000000000");
        refused_saying(&unknown, 404, "no_rateable_visit", "today");
        assert!(unknown.body["message"]["zh"].as_str().unwrap().contains("只能评价今天办理的业务"), "{}", unknown.body);

        assert_eq!(t.staff.post(&format!("/v1/tickets/{id}/finish"), None, None).status, 200);
        assert_eq!(scanned(id).status, 200);
        t.sql(&[&format!("UPDATE tickets SET day = day - 1 WHERE id = '{id}'")]);
        let yesterday = scanned(id);
        refused_saying(&yesterday, 404, "no_rateable_visit", "today");
        assert!(yesterday.body["message"]["en"].as_str().unwrap().contains(number), "{}", yesterday.body);
    });
}

#[test]
fn a_window_offers_its_visit_once_the_clerk_finishes_until_it_is_rated_or_ten_minutes_pass() {
    TestServer::on_each_database(|t| {
        // The evaluator facing the resident at window 6 is a kiosk of its own.
        t.add_token(Role::Kiosk, "window-6", "window-6-token");
        let evaluator = t.client(Some("window-6-token"));
        assert_eq!(window_visit(&evaluator, 6), None);
        refused(&evaluator.get("/v1/windows/99/rateable-visit"), 404, "not_found");

        let id = t.kiosk.issue(LEGAL, "normal")["id"].as_str().unwrap().to_owned();
        assert_eq!(t.staff.post("/v1/windows/6/call-next", None, None).status, 200);
        assert_eq!(t.staff.post(&format!("/v1/tickets/{id}/start"), None, None).status, 200);
        assert_eq!(window_visit(&evaluator, 6), None, "still being served");
        assert_eq!(t.staff.post(&format!("/v1/tickets/{id}/finish"), None, None).status, 200);
        let visit = window_visit(&evaluator, 6).expect("the visit just finished");
        assert_eq!((visit.ticket_id.as_str(), visit.window_number, visit.rated), (id.as_str(), 6, false));
        assert_eq!(window_visit(&evaluator, 3), None, "another window's");

        let mut body = rating(&id, "very_satisfied", &[]);
        body["channel"] = json!("window");
        let evaluation = rated(&evaluator, &body);
        assert_eq!((evaluation.kiosk_id.as_str(), evaluation.channel.as_str()), ("window-6", "window"));
        assert_eq!(window_visit(&evaluator, 6), None, "rated");

        let next = t.served_ticket(LEGAL, 6);
        assert_eq!(window_visit(&evaluator, 6).map(|v| v.ticket_id), Some(next.clone()));
        let earlier = |minutes: i64| format!("UPDATE tickets SET finished_at = finished_at - {minutes} * 60000");
        t.sql(&[&earlier(9)]);
        assert!(window_visit(&evaluator, 6).is_some(), "9 minutes later");
        t.sql(&[&earlier(2)]);
        assert_eq!(window_visit(&evaluator, 6), None, "11 minutes later");
    });
}

#[test]
fn a_low_rating_is_followed_up_once_and_is_overdue_until_then() {
    TestServer::on_each_database(|t| {
        let low = rated(&t.kiosk, &rating(&t.served_ticket(LEGAL, 6), "dissatisfied", &["attitude"]));
        let high = rated(&t.kiosk, &rating(&t.served_ticket(LEGAL, 6), "satisfied", &[]));
        assert!(listed(t, "open", &low.id) && !listed(t, "overdue", &low.id) && !listed(t, "done", &low.id));
        assert!(!listed(t, "open", &high.id));
        let line = |t: &TestServer| summary(t, &today(), &today()).into_iter().find(|l| l.window_number == 6).unwrap();
        assert_eq!(line(t).follow_ups_overdue, 0);

        // 15 working days: three weeks from a weekday, less from a weekend, to a weekday.
        let due = low.follow_up_due.unwrap();
        let days = (due - low.created_at) / 86_400_000;
        assert_eq!((due - low.created_at) % 86_400_000, 0);
        assert!((19..=21).contains(&days), "{days} days");
        let weekday = ((due + 8 * 3_600_000).div_euclid(86_400_000) + 3).rem_euclid(7);
        assert!(weekday < 5, "due on day {weekday} of the week");

        t.sql(&[&format!("UPDATE evaluations SET follow_up_due = {} WHERE id = '{}'", now_ms() - 1000, low.id)]);
        assert!(listed(t, "open", &low.id) && listed(t, "overdue", &low.id));
        assert_eq!(line(t).follow_ups_overdue, 1);

        let path = format!("/v1/evaluations/{}/follow-up", low.id);
        let longest = "查".repeat(500);
        refused_saying(
            &t.staff.post(&path, Some(&json!({"finding": " ", "action": "致歉"})), None),
            400,
            "invalid_request",
            "finding",
        );
        let too_long = json!({"finding": "态度生硬", "action": format!("{longest}查")});
        refused_saying(&t.staff.post(&path, Some(&too_long), None), 400, "invalid_request", "action");
        let follow_up = json!({"finding": " 窗口人员解释不耐心 ", "action": longest});
        let done: Evaluation = parsed(t.staff.post(&path, Some(&follow_up), None), 200);
        let recorded = done.follow_up.unwrap();
        assert_eq!((recorded.by.as_str(), recorded.finding.as_str()), ("staff-1", "窗口人员解释不耐心"));
        assert!(listed(t, "done", &low.id) && !listed(t, "open", &low.id) && !listed(t, "overdue", &low.id));
        assert_eq!(line(t).follow_ups_overdue, 0);

        refused_saying(&t.staff.post(&path, Some(&follow_up), None), 409, "already_followed_up", "already");
        let high_path = format!("/v1/evaluations/{}/follow-up", high.id);
        refused(&t.staff.post(&high_path, Some(&follow_up), None), 409, "follow_up_not_needed");
        refused(&t.staff.post("/v1/evaluations/nope/follow-up", Some(&follow_up), None), 404, "not_found");
        refused(&t.staff.get("/v1/evaluations?follow_up=late"), 400, "invalid_request");
        refused(&t.kiosk.get("/v1/evaluations"), 403, "forbidden");
    });
}

#[test]
fn the_summary_counts_each_level_and_its_rates_per_day_window_and_service() {
    TestServer::on_each_database(|t| {
        for (level, reasons) in [
            ("very_satisfied", &[][..]),
            ("satisfied", &[]),
            ("basically_satisfied", &[]),
            ("very_dissatisfied", &["other"]),
        ] {
            rated(&t.kiosk, &rating(&t.served_ticket(LEGAL, 6), level, reasons));
        }
        rated(&t.kiosk, &rating(&t.served_ticket(RESIDENCE, 3), "satisfied", &[]));

        let lines = summary(t, &today(), &today());
        assert_eq!(lines.len(), 2, "{lines:?}");
        let (window_3, window_6) = (&lines[0], &lines[1]);
        assert_eq!(
            (window_3.day.as_str(), window_3.window_number, window_3.service_code.as_str()),
            (today().as_str(), 3, RESIDENCE)
        );
        assert_eq!((window_3.total, window_3.satisfaction_rate, window_3.low_rate), (1, 1.0, 0.0));
        assert_eq!((window_6.service_code.as_str(), window_6.total), (LEGAL, 4));
        let counts = LevelCounts {
            very_satisfied: 1,
            satisfied: 1,
            basically_satisfied: 1,
            dissatisfied: 0,
            very_dissatisfied: 1,
        };
        assert_eq!(window_6.counts, counts);
        assert_eq!((window_6.satisfaction_rate, window_6.low_rate, window_6.follow_ups_overdue), (0.75, 0.25, 0));

        // A year is the longest range; the dates must be real and in order.
        assert!(summary(t, "2025-01-01", "2026-01-01").is_empty());
        for (from, to, words) in [
            ("2025-01-01", "2026-01-02", "at most 366 days"),
            ("2026-02-01", "2026-01-31", "before"),
            ("2026-02-30", "2026-03-01", "YYYY-MM-DD"),
            ("20260101", "2026-03-01", "YYYY-MM-DD"),
        ] {
            let reply = t.staff.get(&format!("/v1/evaluations/summary?from={from}&to={to}"));
            refused_saying(&reply, 400, "invalid_request", words);
        }
        refused(&t.staff.get("/v1/evaluations/summary?from=2026-01-01"), 400, "invalid_request");
    });
}

#[test]
fn the_demo_has_past_ratings_for_the_summary_and_an_overdue_follow_up() {
    TestServer::on_each_database(|t| {
        let month_ago = service_api::china_time(now_ms() / 1000 - 40 * 86_400)[..10].to_owned();
        let lines = summary(t, &month_ago, &today());
        assert!(lines.len() >= 5, "{lines:?}");
        assert!(lines.iter().all(|l| l.day < today()), "the demo has no ratings today");
        assert_eq!(lines.iter().map(|l| l.follow_ups_overdue).sum::<i64>(), 1);
        let followed_up: Vec<Evaluation> = parsed(t.staff.get("/v1/evaluations?follow_up=done"), 200);
        assert_eq!(followed_up.len(), 1);
        assert!(followed_up[0].follow_up.as_ref().unwrap().action.contains("致歉"));
    });
}

#[test]
fn many_kiosks_rating_one_ticket_at_once_make_exactly_one_rating() {
    TestServer::on_each_database(|t| {
        let ticket = t.served_ticket(LEGAL, 6);
        let kiosks: Vec<Client> = (0..10)
            .map(|i| {
                let token = format!("kiosk-token-{i}");
                t.add_token(Role::Kiosk, &format!("hall-{i}"), &token);
                t.client(Some(&token))
            })
            .collect();
        let replies: Vec<Reply> = std::thread::scope(|s| {
            let handles: Vec<_> = kiosks
                .iter()
                .map(|kiosk| {
                    s.spawn(|| rate(kiosk, &rating(&ticket, "very_satisfied", &[]), Some("same-key-other-token")))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(replies.iter().filter(|r| r.status == 201).count(), 1);
        for reply in replies.iter().filter(|r| r.status != 201) {
            refused(reply, 409, "already_rated");
        }
        assert_eq!(t.count(&format!("SELECT COUNT(*) FROM evaluations WHERE ticket_id = '{ticket}'")), 1);
    });
}
