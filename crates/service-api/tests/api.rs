//! The reference server end to end, over HTTP on a temporary SQLite file.

mod common;

use std::collections::HashSet;

use common::{Client, TestServer, KIOSK_TOKEN};
use contract::model::{Catalog, Step, Ticket, Window};
use serde_json::{json, Value};
use service_api::{EmbeddedServer, Role};

/// Served by windows 1 and 2; typical 15 minutes.
const SOCIAL: &str = "social-insurance-enrolment";
/// Served by window 6 only.
const LEGAL: &str = "legal-aid";

fn ticket(client: &Client, id: &str) -> Ticket {
    let r = client.get(&format!("/v1/tickets/{id}"));
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_value(r.body).unwrap()
}

fn id_of(ticket: &Value) -> String {
    ticket["id"].as_str().unwrap().to_owned()
}

#[test]
fn health_catalog_and_services() {
    TestServer::on_each_database(|t| {
        let health = t.client(None).get("/v1/health");
        assert_eq!((health.status, health.body["status"].as_str()), (200, Some("ok")));

        let r = t.kiosk.get("/v1/catalog");
        assert_eq!(r.status, 200);
        let catalog: Catalog = serde_json::from_value(r.body).unwrap();
        assert!((4..=6).contains(&catalog.categories.len()));
        assert!(catalog.services.len() >= 12);
        let prefixes: HashSet<_> = catalog.services.iter().map(|s| &s.ticket_prefix).collect();
        assert_eq!(prefixes.len(), catalog.services.len(), "ticket prefixes are distinct");
        for s in &catalog.services {
            assert!(catalog.categories.iter().any(|c| c.code == s.category), "{}: unknown category", s.code);
            assert!(!s.name.zh.is_empty() && !s.name.en.is_empty() && !s.materials.is_empty());
            assert!(s.materials.iter().any(|m| m.required));
            // The flow pattern the kiosk relies on: [info] priority [phone] confirm ticket.
            let ids: Vec<&str> = s.flow.iter().map(Step::id).collect();
            let core: Vec<&str> = ids.iter().copied().filter(|id| *id != "materials" && *id != "phone").collect();
            assert_eq!(core, ["priority", "confirm", "ticket"], "{}", s.code);
            let Some(Step::Choice { options, title, .. }) = s.flow.iter().find(|step| step.id() == "priority") else {
                panic!("{}: no priority choice", s.code)
            };
            assert_eq!(title.zh, "请问您是否需要优先办理？");
            assert_eq!(options.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(), ["normal", "elderly", "disabled"]);
            if let Some(phone) = s.flow.iter().find(|step| step.id() == "phone") {
                assert!(matches!(phone, Step::Entry { masked: false, optional: true, .. }), "{}", s.code);
            }
            let r = t.kiosk.get(&format!("/v1/services/{}", s.code));
            assert_eq!(r.status, 200);
            assert_eq!(&serde_json::from_value::<contract::model::Service>(r.body).unwrap(), s);
        }

        let r = t.kiosk.get("/v1/services/no-such-service");
        assert_eq!((r.status, r.code()), (404, "unknown_service"));

        // Every service is served by at least one window, and all are open on a fresh database.
        let windows: Vec<Window> = serde_json::from_value(t.staff.get("/v1/windows").body).unwrap();
        assert!(windows.iter().all(|w| w.open && w.current_ticket.is_none()));
        assert_eq!(windows[2].name.zh, "3号窗口");
        for s in &catalog.services {
            assert!(windows.iter().any(|w| w.services.contains(&s.code)), "{} has no window", s.code);
        }
    });
}

#[test]
fn auth_failures() {
    TestServer::on_each_database(|t| {
        for client in [t.client(None), t.client(Some("wrong-token"))] {
            for r in [client.get("/v1/catalog"), client.get("/v1/windows"), client.post("/v1/tickets", None, None)] {
                assert_eq!((r.status, r.code()), (401, "unauthorized"));
                assert!(!r.body["message"]["zh"].as_str().unwrap().is_empty());
            }
        }
        // Kiosk tokens cannot use staff routes; staff tokens can use kiosk routes.
        assert_eq!(t.kiosk.get("/v1/windows").code(), "forbidden");
        let r = t.kiosk.post("/v1/windows/1/call-next", None, None);
        assert_eq!((r.status, r.code()), (403, "forbidden"));
        assert_eq!(t.staff.get("/v1/catalog").status, 200);
        assert_eq!(t.staff.issue(SOCIAL, "normal")["status"], "issued");
    });
}

/// A request answered without its body being read (refused, or replayed for its
/// Idempotency-Key) must not leave the client holding a connection the server drops:
/// the client's next request on it would fail with "peer disconnected".
#[test]
fn an_unread_body_does_not_break_the_next_request() {
    TestServer::on_each_database(|t| {
        let padding = "x".repeat(1 << 20);
        for _ in 0..10 {
            let r = t.kiosk.post("/v1/windows/1/call-next", Some(&json!({ "padding": padding })), None);
            assert_eq!(r.status, 403);
            assert_eq!(t.kiosk.get("/v1/catalog").status, 200);
        }
        let ticket = json!({"service_code": SOCIAL, "priority": "normal", "padding": padding});
        assert_eq!(t.kiosk.post("/v1/tickets", Some(&ticket), Some("k")).status, 201);
        for _ in 0..10 {
            assert!(t.kiosk.post("/v1/tickets", Some(&ticket), Some("k")).replayed);
            assert_eq!(t.kiosk.get("/v1/catalog").status, 200);
        }
    });
}

/// A body over the largest any route takes is refused without being read, and the
/// answer says the connection closes.
#[test]
fn a_body_too_large_for_any_route_is_refused_at_once() {
    use std::io::{Read, Write};
    TestServer::on_each_database(|t| {
        let address = t.server.base_url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        write!(
            stream,
            "POST /v1/face-auth HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {KIOSK_TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{{\"id_number\": \""
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
        assert!(answer.contains("connection: close"), "{answer}");
        assert!(answer.contains("larger than 4 MB"), "{answer}");
    });
}

/// The head of an answer on a raw connection: up to its blank line.
fn answer_head(stream: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    let mut head = Vec::new();
    let mut byte = [0];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "closed before the answer: {head:?}");
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap()
}

/// A refused token is answered before its body is read: an unauthenticated client cannot
/// make the server hold megabytes, or wait for them.
#[test]
fn a_refused_token_is_answered_before_its_body_is_read() {
    use std::io::Write;
    TestServer::on_each_database(|t| {
        let address = t.server.base_url.trim_start_matches("http://");
        for token in ["wrong-token", common::PREREVIEW_TOKEN] {
            let mut stream = std::net::TcpStream::connect(address).unwrap();
            stream.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
            write!(
                stream,
                "POST /v1/tickets HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: 3000000\r\n\r\n{{\"service_code\": \""
            )
            .unwrap();
            let head = answer_head(&mut stream);
            assert!(head.starts_with("HTTP/1.1 401") || head.starts_with("HTTP/1.1 403"), "{head}");
            assert!(head.contains("connection: close"), "{head}");
        }
        // A client that sends the whole body anyway still reads the answer.
        let r = t.client(Some("wrong-token")).post("/v1/tickets", Some(&json!({"padding": "x".repeat(3 << 20)})), None);
        assert_eq!((r.status, r.code()), (401, "unauthorized"));
    });
}

/// A head that never ends holds its connection only until the limit.
#[test]
fn a_half_sent_head_is_dropped_within_the_limit() {
    use std::io::{Read, Write};
    // Connections are the same whatever the database: SQLite alone.
    let t = TestServer::start();
    let address = t.server.base_url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let limit = service_api::HEADER_READ_TIMEOUT;
    stream.set_read_timeout(Some(limit * 3)).unwrap();
    let started = std::time::Instant::now();
    write!(stream, "POST /v1/tickets HTTP/1.1\r\nHost: {address}\r\nAuthoriz").unwrap();
    let mut rest = Vec::new();
    let closed = stream.read_to_end(&mut rest);
    let held = started.elapsed();
    assert!(closed.is_ok() || closed.as_ref().unwrap_err().kind() == std::io::ErrorKind::ConnectionReset, "{closed:?}");
    assert!(held >= limit && held < limit + std::time::Duration::from_secs(3), "held {held:?}");
}

#[test]
fn adding_a_token_again_replaces_the_old_one() {
    TestServer::on_each_database(|t| {
        t.add_token(Role::Kiosk, "kiosk-1", "new-kiosk-token");
        assert_eq!(t.kiosk.get("/v1/catalog").code(), "unauthorized");
        assert_eq!(t.client(Some("new-kiosk-token")).get("/v1/catalog").status, 200);
    });
}

#[test]
fn ticket_lifecycle_and_windows() {
    TestServer::on_each_database(|t| {
        let issued = t.kiosk.issue(SOCIAL, "normal");
        assert_eq!(issued["number"].as_str().unwrap().len(), 4);
        assert!(issued["number"].as_str().unwrap().starts_with('A'));
        assert_eq!(issued["service_name"]["zh"], "社保参保登记");
        assert_eq!(issued["window"]["zh"], "1号窗口");
        let id = id_of(&issued);

        // Starting or finishing a ticket nobody called is not allowed.
        for action in ["start", "finish", "no-show"] {
            let r = t.staff.post(&format!("/v1/tickets/{id}/{action}"), None, None);
            assert_eq!((r.status, r.code()), (409, "invalid_transition"), "{action}");
        }

        let r = t.staff.post("/v1/windows/2/call-next", None, None);
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!((r.body["id"].as_str(), r.body["status"].as_str()), (Some(id.as_str()), Some("called")));
        assert_eq!(r.body["window"]["en"], "Window 2");
        let windows: Vec<Window> = serde_json::from_value(t.staff.get("/v1/windows").body).unwrap();
        assert_eq!(windows[1].current_ticket.as_deref(), Some(id.as_str()));

        let r = t.staff.post(&format!("/v1/tickets/{id}/start"), None, None);
        assert_eq!(r.body["status"], "serving");
        let r = t.staff.post(&format!("/v1/tickets/{id}/finish"), None, None);
        assert_eq!(r.body["status"], "done");
        assert_eq!(ticket(&t.kiosk, &id).status, contract::model::TicketStatus::Done);
        assert_eq!(t.staff.post(&format!("/v1/tickets/{id}/finish"), None, None).code(), "invalid_transition");
        let windows: Vec<Window> = serde_json::from_value(t.staff.get("/v1/windows").body).unwrap();
        assert_eq!(windows[1].current_ticket, None);

        // A called resident who does not come.
        let absent = id_of(&t.kiosk.issue(SOCIAL, "normal"));
        assert_eq!(t.staff.post("/v1/windows/1/call-next", None, None).body["id"], absent.as_str());
        assert_eq!(t.staff.post(&format!("/v1/tickets/{absent}/no-show"), None, None).body["status"], "no_show");
        assert_eq!(t.staff.post(&format!("/v1/tickets/{absent}/start"), None, None).code(), "invalid_transition");

        let r = t.staff.post("/v1/windows/1/call-next", None, None);
        assert_eq!((r.status, r.code()), (404, "no_waiting_ticket"));
        let r = t.staff.post("/v1/windows/1/close", None, None);
        assert_eq!((r.status, r.body["open"].as_bool()), (200, Some(false)));
        let r = t.staff.post("/v1/windows/1/call-next", None, None);
        assert_eq!((r.status, r.code()), (409, "window_closed"));
        assert_eq!(t.staff.post("/v1/windows/1/open", None, None).body["open"], true);

        for path in ["/v1/windows/99/open", "/v1/windows/99/call-next", "/v1/tickets/nope/start"] {
            let r = t.staff.post(path, None, None);
            assert_eq!((r.status, r.code()), (404, "not_found"), "{path}");
        }
        let r = t.kiosk.get("/v1/tickets/nope");
        assert_eq!((r.status, r.code()), (404, "not_found"));
        let r = t.staff.post("/v1/windows/first/open", None, None);
        assert_eq!((r.status, r.code()), (400, "invalid_request"));
    });
}

#[test]
fn priority_tickets_are_called_first() {
    TestServer::on_each_database(|t| {
        let order = ["normal", "normal", "elderly", "disabled", "fast_track", "elderly"];
        // Only staff (or a redeemed receipt) give fast track.
        let tickets: Vec<Value> =
            order.iter().map(|&p| if p == "fast_track" { &t.staff } else { &t.kiosk }.issue(LEGAL, p)).collect();
        // The last normal ticket waits behind everyone; the fast-track one behind nobody.
        assert_eq!(ticket(&t.kiosk, &id_of(&tickets[1])).people_ahead, 5);
        // Staff took the fast-track ticket: a kiosk does not see it.
        assert_eq!(ticket(&t.staff, &id_of(&tickets[4])).people_ahead, 0);
        assert_eq!(ticket(&t.kiosk, &id_of(&tickets[5])).people_ahead, 3);
        let called: Vec<String> =
            (0..6).map(|_| id_of(&t.staff.post("/v1/windows/6/call-next", None, None).body)).collect();
        let expected: Vec<String> = [4, 3, 2, 5, 0, 1].iter().map(|&i| id_of(&tickets[i])).collect();
        assert_eq!(called, expected);
    });
}

#[test]
fn a_kiosk_cannot_give_itself_a_fast_track_ticket() {
    TestServer::on_each_database(|t| {
        let fast = json!({"service_code": LEGAL, "priority": "fast_track"});
        let r = t.kiosk.post("/v1/tickets", Some(&fast), Some("fast"));
        common::refused_saying(&r, 403, "fast_track_needs_receipt", "receipt");
        assert_eq!(t.staff.post("/v1/windows/6/call-next", None, None).code(), "no_waiting_ticket");
        // Staff may give it, e.g. to a resident whose receipt will not scan.
        assert_eq!(t.staff.issue(LEGAL, "fast_track")["priority"], "fast_track");
    });
}

#[test]
fn estimated_wait_moves_with_windows_and_service() {
    TestServer::on_each_database(|t| {
        let first = id_of(&t.kiosk.issue(SOCIAL, "normal"));
        let _second = t.kiosk.issue(SOCIAL, "normal");
        let third = id_of(&t.kiosk.issue(SOCIAL, "normal"));
        let wait = |id: &str| {
            let ticket = ticket(&t.kiosk, id);
            (ticket.people_ahead, ticket.estimated_wait_minutes, ticket.window.zh)
        };
        // 3 people x 15 typical minutes over windows 1 and 2.
        assert_eq!(wait(&third), (2, 23, "1号窗口".into()));
        t.staff.post("/v1/windows/1/close", None, None);
        assert_eq!(wait(&third), (2, 45, "2号窗口".into()));
        // With every window closed there is still an estimate (as if one were open).
        t.staff.post("/v1/windows/2/close", None, None);
        assert_eq!(wait(&third), (2, 45, "1号窗口".into()));
        t.staff.post("/v1/windows/1/open", None, None);

        assert_eq!(id_of(&t.staff.post("/v1/windows/1/call-next", None, None).body), first);
        assert_eq!(wait(&third), (1, 30, "1号窗口".into()));
        assert_eq!((ticket(&t.kiosk, &first).people_ahead, ticket(&t.kiosk, &first).estimated_wait_minutes), (0, 0));
        // A real service of a few milliseconds replaces the typical 15 minutes.
        t.staff.post(&format!("/v1/tickets/{first}/start"), None, None);
        assert_eq!(wait(&third).1, 30);
        t.staff.post(&format!("/v1/tickets/{first}/finish"), None, None);
        let (ahead, minutes, _) = wait(&third);
        assert_eq!(ahead, 1);
        assert!(minutes <= 1, "{minutes}");
    });
}

#[test]
fn idempotency_key_returns_the_first_answer() {
    TestServer::on_each_database(|t| {
        let body = json!({"service_code": LEGAL, "priority": "normal"});
        let first = t.kiosk.post("/v1/tickets", Some(&body), Some("key-1"));
        let again = t.kiosk.post("/v1/tickets", Some(&body), Some("key-1"));
        assert_eq!((first.status, again.status), (201, 201));
        assert_eq!(first.body, again.body);
        assert!(!first.replayed && again.replayed);
        // Keys belong to one token: the same key from staff is a new request...
        let r = t.staff.post("/v1/tickets", Some(&body), Some("key-1"));
        assert_eq!(r.status, 201);
        assert_ne!(r.body["id"], first.body["id"]);
        // ...and reusing it for another request (route or body) is refused rather than answered
        // with the first request's answer.
        let r = t.staff.post("/v1/windows/6/open", None, Some("key-1"));
        assert_eq!((r.status, r.code()), (422, "idempotency_key_reused"));
        let elderly = json!({"service_code": LEGAL, "priority": "elderly"});
        let r = t.kiosk.post("/v1/tickets", Some(&elderly), Some("key-1"));
        assert_eq!((r.status, r.code()), (422, "idempotency_key_reused"));

        // A different key: another ticket. Three in the queue now; calling with a repeated key calls once.
        let other = t.kiosk.post("/v1/tickets", Some(&body), Some("key-2"));
        assert_ne!(other.body["number"], first.body["number"]);
        let call = t.staff.post("/v1/windows/6/call-next", None, Some("call-1"));
        let call_again = t.staff.post("/v1/windows/6/call-next", None, Some("call-1"));
        assert_eq!(call.body, call_again.body);
        assert_eq!(call.body["id"], first.body["id"]);
        let rest: Vec<u16> = (0..3).map(|_| t.staff.post("/v1/windows/6/call-next", None, None).status).collect();
        assert_eq!(rest, [200, 200, 404]);

        // Error answers are kept too.
        let closed_once = t.staff.post("/v1/windows/6/close", None, None);
        assert_eq!(closed_once.status, 200);
        let denied = t.staff.post("/v1/windows/6/call-next", None, Some("call-2"));
        t.staff.post("/v1/windows/6/open", None, None);
        let replayed = t.staff.post("/v1/windows/6/call-next", None, Some("call-2"));
        assert_eq!((replayed.status, replayed.code()), (denied.status, "window_closed"));
    });
}

#[test]
fn a_saved_answer_expires_after_a_day() {
    TestServer::on_each_database(|t| {
        let body = json!({"service_code": LEGAL, "priority": "normal"});
        let first = t.kiosk.post("/v1/tickets", Some(&body), Some("old-key"));
        let hours_ago = |hours: i64| {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
            format!("UPDATE idempotency_keys SET created_at = {}", now - hours * 3_600_000)
        };
        t.sql(&[&hours_ago(23)]);
        assert!(t.kiosk.post("/v1/tickets", Some(&body), Some("old-key")).replayed);
        t.sql(&[&hours_ago(25)]);
        let again = t.kiosk.post("/v1/tickets", Some(&body), Some("old-key"));
        assert_eq!((again.status, again.replayed), (201, false));
        assert_ne!(again.body["id"], first.body["id"]);
    });
}

/// A huge field quoted back in an error would be stored as huge an answer.
#[test]
fn an_error_quotes_only_the_start_and_end_of_what_was_sent() {
    TestServer::on_each_database(|t| {
        let huge = "x".repeat(1_900_000);
        let requests = [
            json!({"service_code": huge, "priority": "normal"}),
            json!({"service_code": LEGAL, "priority": huge}),
            json!({"service_code": LEGAL, "priority": "normal", "contact_phone": huge}),
        ];
        for (n, body) in requests.iter().enumerate() {
            let r = t.kiosk.post("/v1/tickets", Some(body), Some(&format!("huge-{n}")));
            assert!(r.status == 400 || r.status == 404, "{}", r.status);
            let message = &r.body["message"];
            for text in [&message["zh"], &message["en"]] {
                assert!(text.as_str().unwrap().chars().count() <= 300, "{}...", &text.as_str().unwrap()[..400]);
            }
        }
    });
}

#[test]
fn concurrent_duplicates_issue_one_ticket() {
    TestServer::on_each_database(|t| {
        let body = json!({"service_code": LEGAL, "priority": "elderly"});
        let replies: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> =
                (0..8).map(|_| s.spawn(|| t.kiosk.post("/v1/tickets", Some(&body), Some("same-key")))).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(replies.iter().all(|r| r.status == 201 && r.body["id"] == replies[0].body["id"]));
        assert_eq!(t.staff.post("/v1/windows/6/call-next", None, None).status, 200);
        assert_eq!(t.staff.post("/v1/windows/6/call-next", None, None).code(), "no_waiting_ticket");
    });
}

#[test]
fn concurrent_issue_gives_distinct_numbers_in_arrival_order() {
    TestServer::on_each_database(|t| {
        let mut tickets: Vec<Ticket> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..50)
                .map(|i| {
                    let kiosk = &t.kiosk;
                    s.spawn(move || {
                        let ticket = kiosk.issue(if i % 2 == 0 { SOCIAL } else { LEGAL }, "normal");
                        serde_json::from_value::<Ticket>(ticket).unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let distinct: HashSet<_> = tickets.iter().map(|t| &t.number).collect();
        assert_eq!(distinct.len(), 50);
        assert_eq!(tickets.iter().filter(|t| t.number.starts_with('A')).count(), 25);
        // First come (issue time, then number) is number order within a service, races or not.
        tickets.sort_by_key(|t| (t.service_code.clone(), t.issued_at, t.number.clone()));
        for pair in tickets.windows(2).filter(|p| p[0].service_code == p[1].service_code) {
            assert!(pair[0].number < pair[1].number, "{} issued before {}", pair[1].number, pair[0].number);
        }
    });
}

#[test]
fn malformed_requests_get_json_errors() {
    TestServer::on_each_database(|t| {
        let cases = [
            ("application/json", "{\"service_code\": "),
            ("application/json", r#"{"service_code": "legal-aid", "priority": "vip"}"#),
            ("application/json", r#"{"priority": "normal"}"#),
            ("application/json", r#"{"service_code": "legal-aid", "priority": "normal", "contact_phone": "12345"}"#),
            ("text/plain", r#"{"service_code": "legal-aid", "priority": "normal"}"#),
        ];
        for (content_type, body) in cases {
            let r = t.kiosk.post_raw("/v1/tickets", content_type, body);
            assert_eq!((r.status, r.code()), (400, "invalid_request"), "{body}");
            assert!(!r.body["message"]["en"].as_str().unwrap().is_empty());
        }
        let r = t.kiosk.post("/v1/tickets", Some(&json!({"service_code": "nope", "priority": "normal"})), None);
        assert_eq!((r.status, r.code()), (404, "unknown_service"));
        let r = t.kiosk.get("/v1/no-such-route");
        assert_eq!((r.status, r.code()), (404, "not_found"));
        let r = t.kiosk.get("/v1/tickets");
        assert_eq!((r.status, r.code()), (405, "invalid_request"));
    });
}

#[test]
fn embedded_server_keeps_data_and_stops_on_drop() {
    let dir = tempfile::tempdir().unwrap();
    let db_file = dir.path().join("nested/center.db");
    let server = EmbeddedServer::start(&db_file, "kiosk-9", "token-9").unwrap();
    let kiosk = Client::new(&server.base_url, Some("token-9"));
    let issued = kiosk.issue(LEGAL, "normal");
    let base_url = server.base_url.clone();
    drop(server);
    assert!(ureq::get(format!("{base_url}/v1/health")).call().is_err(), "still serving after drop");

    let server = EmbeddedServer::start(&db_file, "kiosk-9", "token-9").unwrap();
    let kiosk = Client::new(&server.base_url, Some("token-9"));
    assert_eq!(ticket(&kiosk, &id_of(&issued)).number, issued["number"].as_str().unwrap());
    let catalog: Catalog = serde_json::from_value(kiosk.get("/v1/catalog").body).unwrap();
    assert_eq!(catalog.services.len(), 12, "seeded once");
}
