//! The load bench's kiosks (benches/load) for a few seconds, a few of them on SQLite: the bench
//! still runs, and its requests still all succeed with no number given twice.

// The bench prints figures this test does not read.
#[allow(dead_code)]
#[path = "../benches/load/kiosks.rs"]
mod kiosks;

use std::time::Duration;

use kiosks::{Kind, Plan};

#[test]
fn a_short_load_run_has_no_errors_and_no_duplicate_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let db = service_api::database_url(&dir.path().join("center.db").to_string_lossy());
    // Long enough for the first polls, 3 s after a ticket.
    let figures = kiosks::run(&db, Plan { kiosks: 3, tickets_per_second: 10.0, run_for: Duration::from_secs(4) });
    assert_eq!((figures.errors, figures.duplicates), (0, 0), "{:?}", figures.first_errors);
    for kind in Kind::ALL {
        assert!(figures.kinds[&kind].count > 0, "no {} in {figures:?}", kind.name());
    }
}
