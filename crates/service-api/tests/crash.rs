//! The real server, killed with SIGKILL at random moments while kiosks take tickets and redeem
//! receipts, retrying each unanswered request with its Idempotency-Key: every key gets exactly
//! one ticket, no receipt is lost to a retry, no ticket is left without an answer, and no
//! number is skipped or given twice.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::Rng;
use serde_json::{json, Value};

const KIOSK_TOKEN: &str = "kiosk-token-for-the-crash-test";
const PREREVIEW_TOKEN: &str = "prereview-token-for-the-crash-test";
const KIOSKS: usize = 24;
const RECEIPTS_EACH: usize = 8;
const KILLS: usize = 6;

/// `service-api serve` on `listen`, once it accepts connections.
fn start_server(db: &str, listen: &str) -> Child {
    let mut server = Command::new(env!("CARGO_BIN_EXE_service-api"))
        .args(["serve", "--db", db, "--listen", listen])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.contains(listen), "{line}");
    server
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into()
}

/// Until `stop`, takes tickets and redeems its receipts (by number), each request with its own
/// key and retried with it until answered; returns each key's ticket id.
fn kiosk(
    base: &str,
    name: usize,
    receipts: &[String],
    stop: &AtomicBool,
    requests: &AtomicUsize,
) -> Vec<(String, String)> {
    let agent = agent();
    let mut receipts = receipts.iter();
    let mut answered = Vec::new();
    for n in 0.. {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let key = format!("kiosk-{name}-request-{n}");
        let receipt = if n % 2 == 1 { receipts.next() } else { None };
        let (path, body, success) = match receipt {
            Some(number) => ("/v1/receipts/redeem", json!({"number": number}), 200),
            None => ("/v1/tickets", json!({"service_code": "legal-aid", "priority": "normal"}), 201),
        };
        loop {
            requests.fetch_add(1, Ordering::Relaxed);
            let reply = agent
                .post(format!("{base}{path}"))
                .header("Authorization", format!("Bearer {KIOSK_TOKEN}"))
                .header("Idempotency-Key", &key)
                .send_json(&body);
            match reply {
                Ok(mut reply) if reply.status() == success => {
                    let answer: Value = reply.body_mut().read_json().unwrap();
                    answered.push((key, ticket_id(&answer)));
                    break;
                }
                Ok(mut reply) => {
                    let status = reply.status();
                    assert!(status.is_server_error(), "{key}: {status} {}", reply.body_mut().read_to_string().unwrap());
                }
                // The server is down or was killed mid-request: try again, as a kiosk does.
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
    answered
}

/// The ticket of an answer: a ticket, or a redeemed receipt's.
fn ticket_id(answer: &Value) -> String {
    let ticket = if answer["ticket"].is_object() { &answer["ticket"] } else { answer };
    ticket["id"].as_str().unwrap().to_owned()
}

/// Receipts for the kiosks to redeem, issued before the kills start.
fn issue_receipts(base: &str) -> Vec<Vec<String>> {
    let agent = agent();
    let issue = || {
        let mut reply = agent
            .post(format!("{base}/v1/receipts"))
            .header("Authorization", format!("Bearer {PREREVIEW_TOKEN}"))
            .send_json(json!({"service_code": "legal-aid", "applicant": "张*明", "valid_days": 1}))
            .unwrap();
        let receipt: Value = reply.body_mut().read_json().unwrap();
        receipt["number"].as_str().unwrap().to_owned()
    };
    (0..KIOSKS).map(|_| (0..RECEIPTS_EACH).map(|_| issue()).collect()).collect()
}

#[test]
fn killing_the_server_never_loses_or_doubles_a_ticket() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let db = db.to_str().unwrap();
    for (role, token) in [("kiosk", KIOSK_TOKEN), ("prereview", PREREVIEW_TOKEN)] {
        let added = Command::new(env!("CARGO_BIN_EXE_service-api"))
            .args(["token", "add", "--db", db, "--role", role, "--name", role, "--token", token])
            .output()
            .unwrap();
        assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    }
    let listen = {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        free.local_addr().unwrap().to_string()
    };
    let base = format!("http://{listen}");

    let started = Instant::now();
    let stop = AtomicBool::new(false);
    let requests = AtomicUsize::new(0);
    let server = Mutex::new(start_server(db, &listen));
    let receipts = issue_receipts(&base);
    let answered: Vec<(String, String)> = std::thread::scope(|s| {
        let (base, stop, requests) = (&base, &stop, &requests);
        let kiosks: Vec<_> = receipts
            .iter()
            .enumerate()
            .map(|(name, receipts)| s.spawn(move || kiosk(base, name, receipts, stop, requests)))
            .collect();
        let mut rng = rand::rng();
        for _ in 0..KILLS {
            std::thread::sleep(Duration::from_millis(rng.random_range(100..400)));
            let mut server = server.lock().unwrap();
            server.kill().unwrap();
            server.wait().unwrap();
            *server = start_server(db, &listen);
        }
        // The last start answers the retries of the last kill.
        std::thread::sleep(Duration::from_millis(300));
        stop.store(true, Ordering::Relaxed);
        kiosks.into_iter().flat_map(|k| k.join().unwrap()).collect()
    });
    let mut server = server.into_inner().unwrap();
    server.kill().unwrap();
    server.wait().unwrap();

    let (tickets, answers, unredeemed) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{db}")).await.unwrap();
        let tickets: Vec<(String, i64, i64)> =
            sqlx::query_as("SELECT id, day, seq FROM tickets").fetch_all(&pool).await.unwrap();
        let answers: Vec<(String, String)> =
            sqlx::query_as("SELECT idempotency_key, body FROM idempotency_keys").fetch_all(&pool).await.unwrap();
        // Not the demo's own receipt, seeded with the catalog.
        let unredeemed: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM receipts WHERE redeemed_at IS NULL AND issued_by <> 'demo'")
                .fetch_one(&pool)
                .await
                .unwrap();
        (tickets, answers, unredeemed)
    });
    let answered_ids: HashSet<&str> = answered.iter().map(|(_, id)| id.as_str()).collect();
    let saved: HashMap<&str, String> =
        answers.iter().map(|(key, body)| (key.as_str(), ticket_id(&serde_json::from_str(body).unwrap()))).collect();
    let saved_ids: HashSet<&str> = saved.values().map(String::as_str).collect();
    let orphans = tickets.iter().filter(|(id, _, _)| !saved_ids.contains(id.as_str())).count();
    let duplicates = tickets.len().saturating_sub(answered.len());
    let mut numbers: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (_, day, seq) in &tickets {
        numbers.entry(*day).or_default().push(*seq);
    }
    let (mut skipped, mut doubled) = (0, 0);
    for seqs in numbers.values() {
        let distinct: HashSet<i64> = seqs.iter().copied().collect();
        doubled += seqs.len() - distinct.len();
        skipped += seqs.iter().max().map_or(0, |&last| last as usize - distinct.len());
    }
    println!(
        "crash test: {} requests, {KILLS} kills, {} keys answered ({} receipts redeemed), {} tickets, {duplicates} duplicates, \
         {orphans} orphans, {skipped} numbers skipped, {doubled} doubled, {:.1} s",
        requests.load(Ordering::Relaxed),
        answered.len(),
        KIOSKS * RECEIPTS_EACH - unredeemed as usize,
        tickets.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(answered.len() > 2 * KIOSKS, "too few tickets were taken to mean anything");
    assert!(unredeemed < (KIOSKS * RECEIPTS_EACH) as i64, "no receipt was redeemed");
    assert_eq!(answered_ids.len(), answered.len(), "two keys were answered with one ticket");
    for (key, id) in &answered {
        assert_eq!(saved.get(key.as_str()), Some(id), "{key}: its answer is not the saved one");
    }
    assert_eq!((duplicates, orphans, skipped, doubled), (0, 0, 0, 0));
    assert_eq!(tickets.len(), answered.len());
}
