//! The service API killed (SIGKILL) and restarted at random moments while 100 scripted
//! visits, through the real core, the real HTTP client and the outbox, each take a ticket,
//! call staff, and ask for an interpreter and leave: the kiosk never crashes, shows and says
//! the outage within 2 seconds, loses no action and makes none twice.
//!
//! The API is the real `service-api serve` on a SQLite file, restarted on the same port.

mod headless;

use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use contract::ApiClient;
use headless::{serve, service_api, wait_for_health, HeadlessKiosk, Random};
use kiosk::outbox::Outbox;
use kiosk_core::BarAction;
use kiosk_core::Event;

const SESSIONS: usize = 100;
/// Sessions go on past [`SESSIONS`] until the API has been killed this often.
const MIN_KILLS: usize = 20;
/// The longest a resident may wait to be told that the API does not answer.
const OUTAGE_NOTICE: Duration = Duration::from_secs(2);

#[test]
fn the_api_killed_at_random_moments_loses_and_duplicates_no_ticket_staff_call_or_hang_up() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("api.sqlite");
    let token = |role: &str, name: &str| {
        let mut add = Command::new(service_api());
        let out = add.args(["token", "add", "--db"]).arg(&db).args(["--role", role, "--name", name]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().split_whitespace().last().unwrap().to_owned()
    };
    let (kiosk_token, interpreter_token) = (token("kiosk", "kiosk-kill"), token("interpreter", "王丽"));
    let listen =
        format!("127.0.0.1:{}", std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port());
    let url = format!("http://{listen}");
    let server = Arc::new(Mutex::new(serve(&db, &listen, None)));
    wait_for_health(&url);
    // An interpreter on duty, so that calls queue and leaving must hang them up.
    ApiClient::new(&url, &interpreter_token).set_on_duty(true, "on-duty-1").unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let kills = Arc::new(AtomicUsize::new(0));
    let killer = {
        let (server, stop, kills, db, listen) =
            (server.clone(), stop.clone(), kills.clone(), db.clone(), listen.clone());
        std::thread::spawn(move || {
            let mut random = Random::seeded();
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(50 + random.below(300)));
                let mut running = server.lock().unwrap();
                running.kill().unwrap(); // SIGKILL
                running.wait().unwrap();
                kills.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(random.below(300)));
                *running = serve(&db, &listen, None);
            }
        })
    };

    let kiosk_dir = dir.path().join("kiosk");
    let mut kiosk = HeadlessKiosk::start(&url, &kiosk_token, &kiosk_dir, "kill");
    let (mut outages, mut slowest_notice) = (0, Duration::ZERO);
    let mut sessions = 0;
    while sessions < SESSIONS || kills.load(Ordering::SeqCst) < MIN_KILLS {
        sessions += 1;
        kiosk.go_home();
        if !kiosk.kiosk.view().profile.voice {
            kiosk.handle(Event::Bar(BarAction::Voice));
        }
        // From each request (or retry) to the "unavailable" page, if the API is down.
        let mut asked = Instant::now();
        kiosk.start_ticket();
        while !kiosk.step_to_ticket() {
            outages += 1;
            slowest_notice = slowest_notice.max(asked.elapsed());
            let said = kiosk.said.iter().rev().take_while(|(at, _)| *at >= asked);
            assert!(
                said.flat_map(|(_, u)| u.transcript()).any(|w| w == "unavailable.title"),
                "the outage is said, not only shown"
            );
            std::thread::sleep(Duration::from_millis(50));
            asked = Instant::now();
            kiosk.retry();
        }
        kiosk.call_staff();
        kiosk.call_interpreter_and_leave();
    }
    stop.store(true, Ordering::SeqCst);
    killer.join().unwrap();
    wait_for_health(&url);
    // With the API back: a last call (a kiosk has one call at a time, so this also ends any
    // call whose answer a kill cut off), and the outbox empties.
    kiosk.call_interpreter_and_leave();
    let outbox = Outbox::open_in(&kiosk_dir).unwrap();
    let api = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| -> usize { api.query_row(sql, [], |row| row.get::<_, i64>(0)).unwrap() as usize };
    let live = "SELECT COUNT(*) FROM interpreter_calls WHERE status IN ('queued', 'assigned', 'in_call')";
    let deadline = Instant::now() + Duration::from_secs(30);
    while (!outbox.waiting().unwrap().is_empty() || count(live) > 0) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        kiosk.settle();
    }
    let undelivered = outbox.waiting().unwrap().len();
    server.lock().unwrap().kill().unwrap();

    let tickets = count("SELECT COUNT(*) FROM tickets");
    let numbers = count("SELECT COUNT(DISTINCT number) FROM tickets");
    let staff_calls = count("SELECT COUNT(*) FROM staff_calls");
    let live_calls = count(live);
    let kills = kills.load(Ordering::SeqCst);
    println!(
        "API kill test: {sessions} sessions, {kills} kills, {outages} outages seen (slowest notice {} ms); \
         tickets {sessions} taken, {tickets} issued; staff calls {sessions} sent, {staff_calls} delivered; \
         {live_calls} interpreter calls left open; {undelivered} left in the outbox",
        slowest_notice.as_millis()
    );
    assert!(slowest_notice <= OUTAGE_NOTICE, "outage told after {slowest_notice:?}");
    assert_eq!((tickets, numbers), (sessions, sessions), "one ticket, one number, per visit");
    assert_eq!(staff_calls, sessions, "every staff call delivered once");
    assert_eq!(live_calls, 0, "every call hung up");
    assert_eq!(undelivered, 0);
}
