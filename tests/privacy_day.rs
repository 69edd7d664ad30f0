//! Privacy, tested over a scripted day: every flow of the kiosk, in Chinese and in English,
//! through the real core, the real HTTP client and outbox, against the real `service-api
//! serve` process, with the API killed and restarted once mid-day. Then every line the kiosk
//! and the API wrote (stdout and stderr) and every byte of the kiosk's data folder (the
//! outbox) is searched for the day's ID numbers, phone numbers and receipt tokens: none may
//! be there. Names never reach the kiosk (receipts carry them masked, 张*明).
//!
//! The kiosk side runs in a child process (this test binary again, running the ignored test
//! `the_day_at_the_kiosk`), so that its output can be captured whole.

mod headless;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use contract::model::{NewApplication, Satisfaction};
use contract::ApiClient;
use headless::{serve, service_api, wait_for_health, HeadlessKiosk};
use kiosk_core::view::Page;
use kiosk_core::{action, home, BarAction, EntryKey, Event, FaceNews, TurnEvidence, QUIET_START_SECS};
use serde::{Deserialize, Serialize};

/// What the parent gives the child: where the API is, and the day's personal data.
#[derive(Serialize, Deserialize)]
struct Day {
    url: String,
    kiosk_token: String,
    staff_token: String,
    receipt_key_hex: String,
    /// Handshake files for the outage, and the kiosk's data folder.
    dir: PathBuf,
    /// Per language: an ID number and its phone (an application is registered with both).
    residents: [(String, String); 2],
    /// Per language: a receipt to redeem by number (zh) or by its scanned token (en).
    redeem: [(String, String); 2],
    /// The receipt an application came from, found by its number.
    progress_receipt: String,
}

const CHILD: &str = "KIOSK_PRIVACY_DAY";

#[test]
fn a_day_of_every_flow_in_both_languages_leaves_no_id_phone_or_receipt_token_in_logs_or_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("api.sqlite");
    let cli = |args: &[&str]| {
        let out = Command::new(service_api()).args(args).arg("--db").arg(&db).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let token = |role: &str, name: &str| cli(&["token", "add", "--role", role, "--name", name]).trim().to_owned();
    let (kiosk_token, staff_token) = (token("kiosk", "privacy-kiosk"), token("staff", "李明"));
    let receipt = || {
        let printed =
            cli(&["receipt", "issue", "--service", "residence-permit", "--applicant", "张*明", "--valid-days", "30"]);
        let field = |name: &str| printed.lines().find_map(|l| l.strip_prefix(name)).unwrap().trim().to_owned();
        (field("number:"), field("token:"))
    };
    let redeem = [receipt(), receipt()];
    let progress = receipt();
    let receipt_key_hex = cli(&["receipt", "public-key"]).trim().to_owned();

    let listen =
        format!("127.0.0.1:{}", std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port());
    let url = format!("http://{listen}");
    let api_log = dir.path().join("api.log");
    let mut server = serve(&db, &listen, Some(&api_log));
    wait_for_health(&url);

    let residents = [
        // Not the demo seed's residents, whose applications would be found too.
        ("320102197503151236".to_owned(), "13655556666".to_owned()),
        ("440106198202020555".to_owned(), "13512341234".to_owned()),
    ];
    let staff = ApiClient::new(&url, &staff_token);
    for (i, (id_number, phone)) in residents.iter().enumerate() {
        let new = NewApplication {
            service_code: "residence-permit".into(),
            id_number: id_number.clone(),
            applicant: "张*明".into(),
            phone: phone.clone(),
            receipt_number: (i == 0).then(|| progress.0.clone()),
        };
        staff.register_application(&new, &format!("application-{i}")).unwrap();
    }

    let day = Day {
        url: url.clone(),
        kiosk_token,
        staff_token,
        receipt_key_hex,
        dir: dir.path().to_owned(),
        residents: residents.clone(),
        redeem: redeem.clone(),
        progress_receipt: progress.0.clone(),
    };
    let kiosk_log = dir.path().join("kiosk.log");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "the_day_at_the_kiosk", "--ignored", "--nocapture", "--test-threads", "1"])
        .env(CHILD, serde_json::to_string(&day).unwrap())
        .stdout(std::fs::File::create(&kiosk_log).unwrap())
        .stderr(Stdio::from(std::fs::File::options().append(true).open(&kiosk_log).unwrap()))
        .spawn()
        .unwrap();
    // The outage the kiosk asks for: killed when it says, back when it says.
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut killed = false;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the day took over 10 minutes");
        if !killed && dir.path().join("kill-now").exists() {
            server.kill().unwrap(); // SIGKILL
            server.wait().unwrap();
            killed = true;
            std::fs::write(dir.path().join("killed"), "").unwrap();
        }
        if killed && dir.path().join("restart").exists() && !dir.path().join("restarted").exists() {
            server = serve(&db, &listen, Some(&api_log));
            wait_for_health(&url);
            std::fs::write(dir.path().join("restarted"), "").unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    server.kill().unwrap();
    server.wait().unwrap();
    let kiosk_output = std::fs::read_to_string(&kiosk_log).unwrap();
    assert!(status.success(), "the day at the kiosk failed:\n{kiosk_output}");
    assert!(kiosk_output.contains("the day is over"), "{kiosk_output}");
    assert!(killed, "the outage happened");

    let mut secrets: Vec<String> = residents.iter().flat_map(|(id, phone)| [id.clone(), phone.clone()]).collect();
    secrets.extend(redeem.iter().chain([&progress]).map(|(_, token)| token.clone()));
    let mut scanned =
        vec![("kiosk output", kiosk_output.into_bytes()), ("API output", std::fs::read(&api_log).unwrap())];
    for file in std::fs::read_dir(dir.path().join("kiosk")).unwrap() {
        let path = file.unwrap().path();
        scanned.push(("kiosk data folder", std::fs::read(&path).unwrap()));
    }
    let mut found = Vec::new();
    for (what, bytes) in &scanned {
        for secret in &secrets {
            if bytes.windows(secret.len()).any(|w| w == secret.as_bytes()) {
                found.push(format!("{secret} in the {what}"));
            }
        }
    }
    let lines: usize = scanned.iter().take(2).map(|(_, bytes)| bytes.split(|b| *b == b'\n').count()).sum();
    let disk: usize = scanned.iter().skip(2).map(|(_, bytes)| bytes.len()).sum();
    println!(
        "privacy day: {} secrets searched in {lines} log lines and {disk} bytes of the kiosk's data folder: {} found",
        secrets.len(),
        found.len()
    );
    assert!(found.is_empty(), "personal data left behind: {found:#?}");
}

/// The kiosk's side of the day, run by the test above in a child process.
#[test]
#[ignore = "the kiosk's side of the privacy day, run by its parent test"]
fn the_day_at_the_kiosk() {
    let day: Day = serde_json::from_str(&std::env::var(CHILD).expect("run by the privacy day test")).unwrap();
    let mut kiosk = HeadlessKiosk::start(&day.url, &day.kiosk_token, &day.dir.join("kiosk"), "privacy");
    let key = <[u8; 32]>::try_from(hex_bytes(&day.receipt_key_hex)).unwrap();
    kiosk.kiosk.set_receipt_key(Some(ed25519_dalek::VerifyingKey::from_bytes(&key).unwrap()));
    let staff = ApiClient::new(&day.url, &day.staff_token);

    for (language, english) in [false, true].into_iter().enumerate() {
        let (id_number, phone) = &day.residents[language];
        let set_language = |kiosk: &mut HeadlessKiosk| {
            let is_english = kiosk.kiosk.view().profile.language == kiosk_core::profile::Language::En;
            if is_english != english {
                kiosk.touch(Event::Bar(BarAction::Language));
            }
        };
        // A ticket with the phone number for the SMS.
        kiosk.go_home();
        set_language(&mut kiosk);
        kiosk.press(home::TAKE_NUMBER);
        kiosk.press("residence-permit");
        for _ in 0..8 {
            let view = kiosk.kiosk.view();
            match view.page {
                Page::Ticket => break,
                Page::Info => kiosk.press(action::NEXT),
                Page::List => kiosk.press(&view.items[0].id.clone()),
                Page::Entry => {
                    type_keys(&mut kiosk, phone);
                    kiosk.press(action::ENTRY_DONE);
                }
                Page::Confirm => kiosk.press(action::CONFIRM),
                other => panic!("{other:?}: {view:?}"),
            }
        }
        assert_eq!(kiosk.kiosk.view().page, Page::Ticket);

        // A receipt redeemed: typed in Chinese, scanned in English.
        kiosk.go_home();
        set_language(&mut kiosk);
        kiosk.press(home::SCAN_RECEIPT);
        let (number, token) = &day.redeem[language];
        if english {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as u32;
            kiosk.handle(Event::CodeRead { payload: token.clone(), now });
            kiosk.settle();
        } else {
            kiosk.press(action::ENTER_NUMBER);
            type_keys(&mut kiosk, number);
            kiosk.press(action::ENTRY_DONE);
        }
        assert_eq!(kiosk.kiosk.view().page, Page::Ticket, "redeemed: {:?}", kiosk.kiosk.view());

        // Progress, by ID and phone numbers, and by the receipt's number.
        find_by_id_and_phone(&mut kiosk, id_number, phone);
        assert_eq!(kiosk.kiosk.view().page, Page::Info, "found: {:?}", kiosk.kiosk.view());
        kiosk.go_home();
        kiosk.press(home::PROGRESS);
        kiosk.press("by-receipt-number");
        type_keys(&mut kiosk, &day.progress_receipt);
        kiosk.press(action::ENTRY_DONE);
        assert_eq!(kiosk.kiosk.view().page, Page::Info, "found: {:?}", kiosk.kiosk.view());

        // A low rating of a visit the clerk at window 3 has just finished, with a call-back.
        let served = staff.call_next(3, &format!("call-{language}")).unwrap();
        staff.move_ticket(&served.id, "start", &format!("start-{language}")).unwrap();
        staff.move_ticket(&served.id, "finish", &format!("finish-{language}")).unwrap();
        kiosk.go_home();
        kiosk.press(home::RATE_SERVICE);
        let (letter, digits) = served.number.split_at(1);
        kiosk.press(letter);
        type_keys(&mut kiosk, digits);
        kiosk.press(action::ENTRY_DONE);
        kiosk.press(Satisfaction::VeryDissatisfied.as_str());
        kiosk.press("long_wait");
        kiosk.press(action::NEXT);
        type_keys(&mut kiosk, phone);
        kiosk.press(action::ENTRY_DONE);
        let low_ratings = language + 1;
        let deadline = Instant::now() + Duration::from_secs(30);
        while staff.open_low_ratings().unwrap().len() < low_ratings {
            assert!(Instant::now() < deadline, "the rating never reached the API");
            kiosk.tick(1);
        }

        // The pension face authentication, submitted with a picture.
        kiosk.go_home();
        set_language(&mut kiosk);
        kiosk.press(home::PENSION);
        kiosk.press(action::AGREE);
        type_keys(&mut kiosk, id_number);
        kiosk.press(action::ENTRY_DONE);
        kiosk.press(action::STANDING);
        kiosk.press(action::TURN);
        kiosk.tick(QUIET_START_SECS);
        *kiosk.face_photo.lock().unwrap() = Some(small_jpeg());
        let evidence = TurnEvidence { movement: contract::model::Movement::Turn, duration_ms: 3100 };
        kiosk.handle(Event::Face(FaceNews::Captured(evidence)));
        kiosk.settle();
        assert!(kiosk.kiosk.view().items.iter().any(|i| i.id == action::FINISH), "{:?}", kiosk.kiosk.view());

        // Help from people.
        kiosk.call_staff();
        kiosk.call_interpreter_and_leave();
    }

    // The API goes down while a resident looks up an application, and comes back.
    std::fs::write(day.dir.join("kill-now"), "").unwrap();
    wait_for_file(&day.dir.join("killed"));
    let (id_number, phone) = &day.residents[0];
    find_by_id_and_phone(&mut kiosk, id_number, phone);
    assert!(kiosk.unavailable(), "{:?}", kiosk.kiosk.view());
    std::fs::write(day.dir.join("restart"), "").unwrap();
    wait_for_file(&day.dir.join("restarted"));
    kiosk.retry();
    assert_eq!(kiosk.kiosk.view().page, Page::Info, "found after the outage: {:?}", kiosk.kiosk.view());
    kiosk.go_home();
    println!("the day is over");
}

fn find_by_id_and_phone(kiosk: &mut HeadlessKiosk, id_number: &str, phone: &str) {
    kiosk.go_home();
    kiosk.press(home::PROGRESS);
    kiosk.press("by-id-number");
    type_keys(kiosk, id_number);
    kiosk.press(action::ENTRY_DONE);
    type_keys(kiosk, phone);
    kiosk.press(action::ENTRY_DONE);
}

fn type_keys(kiosk: &mut HeadlessKiosk, keys: &str) {
    for c in keys.chars() {
        kiosk.handle(Event::Key(EntryKey::Char(c)));
    }
}

/// A grey 64x64 JPEG: a picture the API takes as a face photo.
fn small_jpeg() -> Vec<u8> {
    let mut jpeg = Vec::new();
    let picture = image::GrayImage::from_pixel(64, 64, image::Luma([128]));
    picture.write_to(&mut std::io::Cursor::new(&mut jpeg), image::ImageFormat::Jpeg).unwrap();
    jpeg
}

fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

fn wait_for_file(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !path.exists() {
        assert!(Instant::now() < deadline, "{} never came", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}
