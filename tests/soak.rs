//! A soak: many whole visits through the real core, effect runner, outbox and HTTP client
//! against the real service API (embedded, on SQLite), each taking a ticket, calling staff,
//! and asking for an interpreter and leaving. Prints the resident set size after a warm-up
//! and at the end, the panics, and the API database's size; the kiosk must grow by at most
//! 5 MB and never panic.
//!
//! `KIOSK_SOAK_VISITS=10000 cargo test --test soak -- --nocapture` for the long soak; the test
//! command runs a short one.

mod headless;

use std::panic::{catch_unwind, AssertUnwindSafe};

use headless::HeadlessKiosk;
use kiosk_core::action;
use service_api::EmbeddedServer;

const SHORT_SOAK: usize = 300;
/// Visits before the first measure: caches, pools and the allocator settle.
const WARM_UP: usize = 50;
const MAX_GROWTH_KB: u64 = 5 * 1024;

#[test]
fn thousands_of_visits_leave_the_kiosk_no_bigger_and_never_panic() {
    let visits = std::env::var("KIOSK_SOAK_VISITS").ok().and_then(|v| v.parse().ok()).unwrap_or(SHORT_SOAK);
    let dir = tempfile::tempdir().unwrap();
    let api_db = dir.path().join("api.sqlite");
    let server = EmbeddedServer::start(&api_db, "kiosk-soak", "soak-token").unwrap();
    let mut kiosk = HeadlessKiosk::start(&server.base_url, "soak-token", &dir.path().join("kiosk"), "soak");
    let (mut panics, mut start_kb) = (0, rss_kb());
    for visit in 0..visits.max(WARM_UP + 1) {
        if visit == WARM_UP {
            start_kb = rss_kb();
        }
        let whole_visit = catch_unwind(AssertUnwindSafe(|| {
            kiosk.start_ticket();
            assert!(kiosk.step_to_ticket(), "a ticket with the API up");
            kiosk.press(action::FINISH);
            kiosk.call_staff();
            kiosk.call_interpreter_and_leave();
            // What is said is kept by this driver, not by the kiosk: forget it.
            kiosk.said.clear();
        }));
        panics += usize::from(whole_visit.is_err());
    }
    let end_kb = rss_kb();
    let db_kb = std::fs::metadata(&api_db).map_or(0, |m| m.len() / 1024);
    let wal_kb = std::fs::metadata(dir.path().join("api.sqlite-wal")).map_or(0, |m| m.len() / 1024);
    println!(
        "soak: {visits} visits, RSS {start_kb} kB after {WARM_UP} -> {end_kb} kB at the end ({:+} kB), \
         {panics} panics, API database {db_kb} kB (+{wal_kb} kB WAL)",
        end_kb as i64 - start_kb as i64
    );
    assert_eq!(panics, 0);
    assert!(end_kb <= start_kb + MAX_GROWTH_KB, "grew from {start_kb} kB to {end_kb} kB");
}

/// This process's resident set size, in kB.
fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}
