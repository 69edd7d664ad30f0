//! The kiosk killed (SIGKILL) at random moments while it writes and sends its outbox, 100
//! times, against a real service API: the outbox opens every time, every staff call the
//! kiosk had written reaches the API, and none reaches it twice.
//!
//! The killed kiosk is this test binary itself, run again as the ignored test
//! `a_kiosk_writing_its_outbox`: it keeps staff calls as fast as it can, printing each key
//! before and after it is on the disk, while its courier sends them.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use contract::model::StaffCallReason;
use contract::ApiClient;
use kiosk::camera::face::FacePhoto;
use kiosk::effects::EffectRunner;
use kiosk::outbox::{Outbox, Request};
use kiosk_core::Effect;
use service_api::EmbeddedServer;

mod headless;
use headless::Random;

const KILLS: usize = 100;
const TOKEN: &str = "kill-test-token";

#[test]
fn a_kiosk_killed_while_writing_its_outbox_loses_nothing_it_wrote_and_sends_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let api_db = dir.path().join("api.sqlite");
    let server = EmbeddedServer::start(&api_db, "kiosk-kill", TOKEN).unwrap();
    let kiosk_dir = dir.path().join("kiosk");
    let mut random = Random::seeded();
    let (mut keeping, mut kept) = (BTreeSet::new(), BTreeSet::new());
    for run in 0..KILLS {
        let mut kiosk = start_kiosk(&kiosk_dir, &server.base_url, &format!("run{run}"), false);
        let lines = lines_of(&mut kiosk);
        assert!(said(&lines, "opened", Duration::from_secs(20)), "run {run}: the outbox did not open");
        std::thread::sleep(Duration::from_millis(random.below(80)));
        kiosk.kill().unwrap(); // SIGKILL
        kiosk.wait().unwrap();
        for line in lines.iter() {
            match line.split_once(' ') {
                Some(("keeping", key)) => keeping.insert(key.to_owned()),
                Some(("kept", key)) => kept.insert(key.to_owned()),
                _ => false,
            };
        }
    }
    // The next start sends what is left.
    let mut kiosk = start_kiosk(&kiosk_dir, &server.base_url, "drain", true);
    let lines = lines_of(&mut kiosk);
    assert!(said(&lines, "opened", Duration::from_secs(20)), "the outbox did not open");
    let drained = said(&lines, "drained", Duration::from_secs(60));
    let left = Outbox::open_in(&kiosk_dir).unwrap().waiting().unwrap().len();
    assert!(drained, "the outbox did not empty: {left} left of {} kept", kept.len());
    kiosk.wait().unwrap();
    drop(server);

    let api = rusqlite::Connection::open(&api_db).unwrap();
    let mut keys = api.prepare("SELECT idempotency_key FROM idempotency_keys WHERE path = '/v1/staff-calls'").unwrap();
    let delivered: BTreeSet<String> = keys.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect();
    let calls: usize = api.query_row("SELECT COUNT(*) FROM staff_calls", [], |row| row.get(0)).unwrap();
    let lost: Vec<_> = kept.difference(&delivered).collect();
    let unknown: Vec<_> = delivered.difference(&keeping).collect();
    let duplicated = calls as i64 - delivered.len() as i64;
    println!(
        "outbox kill test: {KILLS} kills, {} staff calls kept, {} delivered, {} lost, {duplicated} duplicated",
        kept.len(),
        delivered.len(),
        lost.len()
    );
    assert!(kept.len() > KILLS, "the kiosk wrote something before it was killed: {}", kept.len());
    assert!(lost.is_empty(), "written, acknowledged, and never delivered: {lost:?}");
    assert!(unknown.is_empty(), "delivered with a key the kiosk never made: {unknown:?}");
    assert_eq!(duplicated, 0, "one staff call per key");
}

/// The kiosk process: this binary, running the ignored test below.
fn start_kiosk(data_dir: &Path, api: &str, run: &str, drain: bool) -> Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", "a_kiosk_writing_its_outbox", "--ignored", "--nocapture", "--test-threads=1"])
        .env("OUTBOX_KILL_DIR", data_dir)
        .env("OUTBOX_KILL_API", api)
        .env("OUTBOX_KILL_RUN", run)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if drain {
        command.env("OUTBOX_KILL_DRAIN", "1");
    }
    command.spawn().unwrap()
}

/// The child's stdout, line by line, until it ends.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (lines, read) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    read
}

/// Whether the child prints `line` within `time` (after the test harness's own words).
fn said(lines: &mpsc::Receiver<String>, line: &str, time: Duration) -> bool {
    let deadline = Instant::now() + time;
    while let Ok(next) = lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        if next.ends_with(line) {
            return true;
        }
    }
    false
}

#[test]
#[ignore = "the kiosk that the kill test starts and kills"]
fn a_kiosk_writing_its_outbox() {
    let (Some(dir), Ok(api), Ok(run)) =
        (std::env::var_os("OUTBOX_KILL_DIR"), std::env::var("OUTBOX_KILL_API"), std::env::var("OUTBOX_KILL_RUN"))
    else {
        return;
    };
    let dir = Path::new(&dir);
    let outbox = Outbox::open_in(dir).expect("the outbox opens");
    let (answers, _answered) = mpsc::channel();
    let sender = Outbox::open_in(dir).expect("the outbox opens");
    let runner = EffectRunner::new(ApiClient::new(&api, TOKEN), FacePhoto::default(), sender, answers);
    println!("opened");
    if std::env::var_os("OUTBOX_KILL_DRAIN").is_some() {
        let deadline = Instant::now() + Duration::from_secs(50);
        while !outbox.waiting().unwrap().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        if outbox.waiting().unwrap().is_empty() {
            println!("drained");
        }
        return;
    }
    for n in 0.. {
        let idempotency_key = format!("{run}-{n}");
        println!("keeping {idempotency_key}");
        let request =
            Request::StaffCall { reason: StaffCallReason::NeedHelp, idempotency_key: idempotency_key.clone() };
        outbox.keep(&request).unwrap();
        println!("kept {idempotency_key}");
        runner.keep(Effect::SendStaffCall { reason: StaffCallReason::NeedHelp, idempotency_key });
        // Residents press at human speed; the courier sends while this writes.
        std::thread::sleep(Duration::from_millis(2));
    }
}
