//! The `service-api` command: serve, token add, account add, staff, interpreter, rating, application and
//! kiosk actions over HTTP, and receipts.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};

use common::{sql_on, Client};
use contract::receipt::Receipt;
use ed25519_dalek::VerifyingKey;
use serde_json::json;

fn service_api(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_service-api")).args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Stops the server even when an assertion fails.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `service-api serve` on a free port with these extra arguments; returns the server and its
/// base URL, read from the line it prints once it listens.
fn serve(db: &str, args: &[&str]) -> (KillOnDrop, String) {
    let mut server = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_service-api"))
            .args(["serve", "--db", db, "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let api = line.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(api.starts_with("http://127.0.0.1:") || api.starts_with("https://127.0.0.1:"), "{line}");
    (server, api)
}

#[test]
fn serve_add_tokens_and_work_a_window() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let db = db.to_str().unwrap();
    let staff_token = stdout(&service_api(&["token", "add", "--db", db, "--role", "staff", "--name", "desk-6"]));
    let staff_token = staff_token.trim();
    assert_eq!(staff_token.len(), 48, "a generated token: {staff_token}");
    let kiosk = ["token", "add", "--db", db, "--role", "kiosk", "--name", "k1", "--token", "kiosk-secret"];
    assert_eq!(stdout(&service_api(&kiosk)).trim(), "kiosk-secret");

    let (_server, api) = serve(db, &[]);

    let number = Client::new(&api, Some("kiosk-secret")).issue("legal-aid", "elderly")["number"].clone();
    let staff = |args: &[&str]| service_api(&[&["staff", "--api", &api, "--token", staff_token], args].concat());
    assert!(stdout(&staff(&["windows"])).contains("6号窗口 (Window 6)  open"));
    let called = stdout(&staff(&["call", "6"]));
    assert!(called.starts_with(number.as_str().unwrap()) && called.contains("called"), "{called}");
    let id = called.trim().rsplit(' ').next().unwrap();
    assert!(stdout(&staff(&["start", id])).contains("serving"));
    assert!(stdout(&staff(&["finish", id])).contains("done"));
    assert!(stdout(&staff(&["close", "6"])).contains("closed"));
    let refused = staff(&["call", "6"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("window_closed"));
}

#[test]
fn serve_https_and_work_a_window_trusting_the_centers_ca() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let db = db.to_str().unwrap();
    let certificates = common::TestCertificates::make();
    let (ca, other_ca) = (common::arg(&certificates.ca), common::arg(&certificates.other_ca));
    let tls = [
        "--tls-cert",
        common::arg(&certificates.server_certificate),
        "--tls-key",
        common::arg(&certificates.server_key),
    ];
    let staff_token = token_add(db, "staff", "desk-6");
    let (_server, api) = serve(db, &tls);
    assert!(api.starts_with("https://"), "{api}");
    let staff = |trust: &[&str], args: &[&str]| {
        service_api(&[&["staff", "--api", &api, "--token", &staff_token], trust, args].concat())
    };

    assert!(stdout(&staff(&["--ca-certificate", ca], &["windows"])).contains("6号窗口 (Window 6)  open"));
    assert!(stdout(&staff(&["--ca-certificate", ca], &["close", "6"])).contains("closed"));
    for trust in [&[][..], &["--ca-certificate", other_ca]] {
        let refused = staff(trust, &["windows"]);
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains("invalid peer certificate"), "{trust:?}");
    }
    let not_pem = dir.path().join("not-a-ca.pem");
    std::fs::write(&not_pem, "a certificate, honestly").unwrap();
    let not_a_certificate = dir.path().join("not-a-certificate.pem");
    std::fs::write(&not_a_certificate, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").unwrap();
    for file in [common::arg(&not_pem), common::arg(&not_a_certificate), "/no/such/center-ca.pem"] {
        let refused = staff(&["--ca-certificate", file], &["windows"]);
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains(file), "{file}");
    }
}

#[test]
fn serve_needs_both_tls_files_and_names_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let db = db.to_str().unwrap();
    let certificates = common::TestCertificates::make();
    let (certificate, key) = (common::arg(&certificates.server_certificate), common::arg(&certificates.server_key));
    let alone = service_api(&["serve", "--db", db, "--tls-cert", certificate]);
    assert!(!alone.status.success());
    assert!(String::from_utf8_lossy(&alone.stderr).contains("--tls-key"));
    // The key given as the certificate, and the certificate as the key.
    let swapped = service_api(&["serve", "--db", db, "--tls-cert", key, "--tls-key", certificate]);
    assert!(!swapped.status.success());
    assert!(String::from_utf8_lossy(&swapped.stderr).contains(key), "{}", String::from_utf8_lossy(&swapped.stderr));
}

#[test]
fn issue_a_receipt_with_its_qr_code_and_redeem_it_at_a_served_kiosk() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let db = db.to_str().unwrap();
    let png = dir.path().join("receipt.png");
    let issued = stdout(&service_api(&[
        "receipt",
        "issue",
        "--db",
        db,
        "--service",
        "residence-permit",
        "--applicant",
        "张*明",
        "--missing",
        "0,2",
        "--valid-days",
        "30",
        "--png",
        png.to_str().unwrap(),
    ]));
    let field = |name: &str| {
        issued
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in {issued}"))
            .to_owned()
    };
    let (number, token) = (field("number"), field("token"));

    // The PNG scans back to the token: 8 pixels a module, a quiet zone of 4 modules.
    let image = image::open(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image.clone());
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    let (meta, scanned) = grids[0].decode().unwrap();
    assert_eq!(scanned, token);
    assert_eq!(meta.ecc_level, 0, "error correction M (format bits 00)");
    let modules = 17 + 4 * meta.version.0 as u32;
    assert_eq!(image.dimensions(), ((modules + 8) * 8, (modules + 8) * 8));

    // The printed public key (hex) verifies it; the key file sits next to the database.
    let public = stdout(&service_api(&["receipt", "public-key", "--db", db]));
    let public: [u8; 32] = hex::decode(public.trim()).unwrap().try_into().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as u32;
    let receipt = Receipt::verify(&token, &VerifyingKey::from_bytes(&public).unwrap(), now).unwrap();
    assert_eq!((receipt.number(), receipt.missing_materials), (number, vec![0, 2]));
    let key_file = dir.path().join(service_api::RECEIPT_KEY_FILE);
    let same = stdout(&service_api(&["receipt", "public-key", "--receipt-key", key_file.to_str().unwrap()]));
    assert_eq!(hex::decode(same.trim()).unwrap(), public);

    // `serve` signs and verifies with the same key: the receipt redeems there.
    let kiosk_token = token_add(db, "kiosk", "k1");
    let (_server, api) = serve(db, &[]);
    let kiosk = Client::new(&api, Some(&kiosk_token));
    let r = kiosk.post("/v1/receipts/redeem", Some(&json!({"token": token})), None);
    assert_eq!((r.status, r.body["ticket"]["priority"].as_str()), (200, Some("fast_track")), "{}", r.body);
}

#[test]
fn receipt_commands_name_a_bad_key_file_and_refuse_a_bad_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let db = db.to_str().unwrap();
    let bad_key = dir.path().join("bad.key");
    std::fs::write(&bad_key, "0123").unwrap();
    for args in [
        &["receipt", "public-key", "--receipt-key", bad_key.to_str().unwrap()][..],
        &["serve", "--db", db, "--receipt-key", bad_key.to_str().unwrap()],
    ] {
        let failed = service_api(args);
        assert!(!failed.status.success());
        assert!(String::from_utf8_lossy(&failed.stderr).contains("bad.key"), "{args:?}");
    }
    let failed = service_api(&["receipt", "public-key", "--db", "postgres://db/center"]);
    assert!(String::from_utf8_lossy(&failed.stderr).contains("--receipt-key"));
    let failed = service_api(&[
        "receipt",
        "issue",
        "--db",
        db,
        "--service",
        "residence-permit",
        "--applicant",
        "张*明",
        "--missing",
        "9",
        "--valid-days",
        "30",
    ]);
    assert!(!failed.status.success());
    assert!(String::from_utf8_lossy(&failed.stderr).contains("invalid_request"));
}

/// Adds a token of `role` named `name` through the CLI; returns the token.
/// `service-api account add` with these arguments and `password` on standard input.
fn account_add(args: &[&str], password: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_service-api"))
        .args(["account", "add"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(command.stdin.take().unwrap(), "{password}").unwrap();
    command.wait_with_output().unwrap()
}

#[test]
fn add_the_first_admin_with_the_password_on_standard_input_and_open_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let db = db.to_str().unwrap();
    let admin = ["--db", db, "--role", "admin", "--login", "admin", "--name", "张管理"];
    assert!(stdout(&account_add(&admin, "admin-pass-2026")).starts_with("added admin"));
    let refused = |args: &[&str], password: &str| {
        let output = account_add(args, password);
        assert!(!output.status.success());
        String::from_utf8(output.stderr).unwrap()
    };
    assert!(refused(&admin, "another-password").contains("The login admin is taken"));
    let clerk = ["--db", db, "--role", "window_clerk", "--login", "li", "--name", "李明", "--window", "99"];
    assert!(refused(&clerk, "window-pass").contains("There is no window 99"));
    assert!(refused(&clerk[..8], "short").contains("at least 8 characters"));
    assert!(stdout(&account_add(&clerk[..8], "window-pass")).starts_with("added li"));

    let (_server, api) = serve(db, &[]);
    let (status, content_type, page) = Client::new(&api, None).get_bytes("/console/sign-in");
    assert_eq!((status, content_type.as_str()), (200, "text/html; charset=utf-8"));
    assert!(String::from_utf8(page).unwrap().contains("工作人员登录"));
}

fn token_add(db: &str, role: &str, name: &str) -> String {
    stdout(&service_api(&["token", "add", "--db", db, "--role", role, "--name", name])).trim().to_owned()
}

#[test]
fn interpreters_and_staff_answer_calls_from_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let db = db.to_str().unwrap();
    let interpreter_token = token_add(db, "interpreter", "王丽");
    let staff_token = token_add(db, "staff", "desk-1");
    let kiosk = token_add(db, "kiosk", "k1");
    let (_server, api) = serve(db, &["--video-base-url", "https://video.example.org/rooms/"]);
    let kiosk = Client::new(&api, Some(&kiosk));
    let as_role = |command: &str, token: &str, args: &[&str]| {
        service_api(&[&[command, "--api", &api, "--token", token], args].concat())
    };
    let interpreter = |args: &[&str]| as_role("interpreter", &interpreter_token, args);
    let staff = |args: &[&str]| as_role("staff", &staff_token, args);

    let on = stdout(&interpreter(&["on-duty"]));
    assert!(on.starts_with("王丽  on duty"), "{on}");
    let call = kiosk.post("/v1/interpreter-calls", None, None);
    assert_eq!(call.body["status"], "queued", "{}", call.body);
    let id = call.body["id"].as_str().unwrap();
    let queue = stdout(&interpreter(&["queue"]));
    assert!(queue.starts_with(id) && queue.contains("kiosk k1  queued  position 1  about 1 min"), "{queue}");
    let accepted = stdout(&interpreter(&["accept", id]));
    assert!(accepted.contains("assigned  join https://video.example.org/rooms/csc-"), "{accepted}");
    let busy = interpreter(&["off-duty"]);
    assert!(!busy.status.success());
    assert!(String::from_utf8_lossy(&busy.stderr).contains("interpreter_busy"));
    // `stay` reads the call until it ends, here by the kiosk's hang-up.
    std::thread::scope(|scope| {
        let staying = scope.spawn(|| stdout(&interpreter(&["stay", id])));
        std::thread::sleep(std::time::Duration::from_millis(500));
        kiosk.post(&format!("/v1/interpreter-calls/{id}/end"), None, None);
        let lines: Vec<String> = staying.join().unwrap().lines().map(str::to_owned).collect();
        assert!(lines.len() == 2 && lines[0].contains("assigned") && lines[1].contains("ended"), "{lines:?}");
    });
    assert!(stdout(&interpreter(&["end", id])).contains("ended"));
    let off = stdout(&interpreter(&["off-duty"]));
    assert!(off.contains("off duty") && off.contains("current call: -"), "{off}");

    let sent = kiosk.post("/v1/staff-calls", Some(&json!({"reason": "wheelchair"})), None);
    let id = sent.body["id"].as_str().unwrap();
    let calls = stdout(&staff(&["calls"]));
    assert_eq!(calls.trim(), format!("{id}  kiosk k1  wheelchair  sent"));
    let acknowledged = stdout(&staff(&["ack", id]));
    assert!(acknowledged.contains("acknowledged  on the way: desk-1"), "{acknowledged}");
    assert_eq!(stdout(&staff(&["calls"])), "");
}

#[test]
fn serve_answers_interpreter_calls_outside_the_hours_as_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let db = db.to_str().unwrap();
    let kiosk = token_add(db, "kiosk", "k1");
    let interpreter = token_add(db, "interpreter", "王丽");
    // An hour that starts an hour from now (Beijing time): now is outside it.
    let now_minutes = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() / 60;
    let hh_mm = |minutes: u64| {
        let minute_of_day = (minutes + 8 * 60) % (24 * 60);
        format!("{:02}:{:02}", minute_of_day / 60, minute_of_day % 60)
    };
    let hours = format!("{}-{}", hh_mm(now_minutes + 60), hh_mm(now_minutes + 120));
    let (_server, api) = serve(db, &["--interpreter-hours", &hours]);
    Client::new(&api, Some(&interpreter)).post("/v1/interpreters/me/on-duty", None, None);
    let call = Client::new(&api, Some(&kiosk)).post("/v1/interpreter-calls", None, None);
    assert_eq!(
        (call.status, &call.body["status"], &call.body["unavailable_reason"]),
        (201, &json!("unavailable"), &json!("outside_hours")),
        "{}",
        call.body
    );
    let message = &call.body["unavailable_message"];
    assert!(message["zh"].as_str().unwrap().contains(&hours), "{message}");
    assert!(message["en"].as_str().unwrap().contains(&hours), "{message}");
    assert!(message["en"].as_str().unwrap().contains("staff"), "{message}");

    let refused = service_api(&["serve", "--db", db, "--interpreter-hours", "8-17"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("HH:MM-HH:MM"));
}

#[test]
fn staff_review_face_authentications_from_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let db = db.to_str().unwrap();
    let staff_token = token_add(db, "staff", "desk-2");
    let kiosk = token_add(db, "kiosk", "k1");
    let (_server, api) = serve(db, &[]);
    let kiosk = Client::new(&api, Some(&kiosk));
    let staff = |args: &[&str]| service_api(&[&["staff", "--api", &api, "--token", &staff_token], args].concat());
    let jpeg = common::test_jpeg();
    let submit = || {
        let new = common::new_face_auth("11010519491231002X", &jpeg);
        let reply = kiosk.post("/v1/face-auth", Some(&new), None);
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body["id"].as_str().unwrap().to_owned()
    };
    let (first, second) = (submit(), submit());

    let reviews = stdout(&staff(&["face-reviews"]));
    let lines: Vec<&str> = reviews.lines().collect();
    assert_eq!(lines.len(), 2, "{reviews}");
    assert!(lines[0].starts_with(&format!("{first}  110***********002X  attempt 1  liveness passed")), "{reviews}");
    assert!(lines[0].contains("pending_review") && lines[1].starts_with(&second), "{reviews}");
    assert!(!reviews.contains("11010519491231002X"), "{reviews}");

    let out = dir.path().join("face.jpg");
    stdout(&staff(&["face-photo", &first, "--out", out.to_str().unwrap()]));
    assert_eq!(std::fs::read(&out).unwrap(), jpeg);
    let missing = staff(&["face-photo", "nope", "--out", out.to_str().unwrap()]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not_found"));

    let approved = stdout(&staff(&["face-approve", &first]));
    assert!(approved.contains("approved  by desk-2"), "{approved}");
    let rejected = stdout(&staff(&["face-reject", &second, "--reason", "照片模糊"]));
    assert!(rejected.contains("rejected  by desk-2  reason: 照片模糊"), "{rejected}");
    let again = staff(&["face-approve", &second]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("invalid_transition"));
    assert_eq!(stdout(&staff(&["face-reviews"])), "");
}

#[test]
fn staff_follow_up_ratings_and_read_the_summary_from_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let db = db.to_str().unwrap();
    let staff_token = token_add(db, "staff", "desk-2");
    let kiosk = token_add(db, "kiosk", "k1");
    let (_server, api) = serve(db, &[]);
    let kiosk = Client::new(&api, Some(&kiosk));
    let staff = |args: &[&str]| service_api(&[&["staff", "--api", &api, "--token", &staff_token], args].concat());
    let evaluation =
        |args: &[&str]| service_api(&[&["evaluation", "--api", &api, "--token", &staff_token], args].concat());

    let number = kiosk.issue("legal-aid", "normal")["number"].as_str().unwrap().to_owned();
    let called = stdout(&staff(&["call", "6"]));
    let ticket = called.trim().rsplit(' ').next().unwrap();
    stdout(&staff(&["start", ticket]));
    stdout(&staff(&["finish", ticket]));
    let rating = json!({"ticket_id": ticket, "level": "dissatisfied", "reasons": ["long_wait"],
                        "callback_phone": "13800138000", "channel": "kiosk"});
    let rated = kiosk.post("/v1/evaluations", Some(&rating), None);
    assert_eq!(rated.status, 201, "{}", rated.body);
    let id = rated.body["id"].as_str().unwrap();

    let open = stdout(&evaluation(&["list"]));
    let line = open.lines().find(|line| line.starts_with(id)).unwrap_or_else(|| panic!("{open}"));
    assert!(line.contains(&format!("{number}  window 6  legal-aid  dissatisfied")), "{line}");
    assert!(line.contains("reasons: long_wait  call back 13800138000  follow up by"), "{line}");

    let done =
        stdout(&evaluation(&["follow-up", id, "--finding", "高峰期只开一个窗口", "--action", "已增开窗口并回电"]));
    assert!(done.contains("followed up by desk-2: 高峰期只开一个窗口 / 已增开窗口并回电"), "{done}");
    assert!(!stdout(&evaluation(&["list"])).contains(id));
    let again = evaluation(&["follow-up", id, "--finding", "x", "--action", "y"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already_followed_up"));

    let today = service_api::china_time(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64,
    )[..10]
        .to_owned();
    let summary = stdout(&evaluation(&["summary", "--from", &today, "--to", &today]));
    assert_eq!(
        summary.trim(),
        format!(
            "{today}  window 6  legal-aid  total 1  satisfied 0.0%  low 100.0%  follow-ups overdue 0  \
             (very satisfied 0, satisfied 0, basically satisfied 0, dissatisfied 1, very dissatisfied 0)"
        )
    );
    let refused = evaluation(&["summary", "--from", &today, "--to", "2000-01-01"]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("invalid_request"));
}

#[test]
fn staff_register_and_move_applications_from_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let db = db.to_str().unwrap();
    let staff_token = token_add(db, "staff", "desk-3");
    let (_server, api) = serve(db, &[]);
    let application =
        |args: &[&str]| service_api(&[&["application", "--api", &api, "--token", &staff_token], args].concat());

    let register = |id_number: &str| {
        let args =
            ["--service", "residence-permit", "--id-number", id_number, "--applicant", "何*", "--phone", "13600001111"];
        application(&[&["register"], &args[..]].concat())
    };
    let refused = register("440304198506151230");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("invalid_id_number"));
    let registered = stdout(&register("440304198506151237"));
    assert!(registered.contains("  居住证办理 / Residence permit  何*  accepted  next: "), "{registered}");
    assert!(!registered.contains("440304198506151237") && !registered.contains("13600001111"), "{registered}");
    assert!(registered.contains("  phone 136****1111  id "), "{registered}");
    let number = registered.split(' ').next().unwrap();
    let id = registered.trim().rsplit(' ').next().unwrap();
    assert!(stdout(&application(&["list"])).lines().any(|line| line.starts_with(number)));

    stdout(&application(&["advance", id, "--status", "under_review", "--note", "开始审查|Review started"]));
    let needs = ["--status", "needs_materials", "--material", "近期一寸照片|A recent photo", "--window", "3"];
    let needs = stdout(&application(&[&["advance", id], &needs[..]].concat()));
    assert!(
        needs.contains("needs_materials  next: 请带齐以下材料到3号窗口补正。 / Bring these materials to window 3."),
        "{needs}"
    );
    assert!(needs.contains("\n    missing: 近期一寸照片 / A recent photo"), "{needs}");
    let out_of_order = application(&["advance", id, "--status", "completed", "--collection", "post"]);
    assert!(String::from_utf8_lossy(&out_of_order.stderr).contains("invalid_transition"));
    let unsplit = application(&["advance", id, "--status", "under_review", "--note", "no bar"]);
    assert!(String::from_utf8_lossy(&unsplit.stderr).contains("ZH|EN"));
}

#[test]
fn staff_list_the_kiosks_with_the_quiet_ones_and_the_devices_not_ok_from_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let db = db.to_str().unwrap();
    let staff_token = token_add(db, "staff", "desk-4");
    let hall = token_add(db, "kiosk", "hall-1");
    let lobby = token_add(db, "kiosk", "lobby-2");
    let (_server, api) = serve(db, &[]);
    let kiosk = |args: &[&str]| service_api(&[&["kiosk", "--api", &api, "--token", &staff_token], args].concat());
    assert_eq!(stdout(&kiosk(&["list"])), "", "no kiosk has sent a heartbeat yet");

    let beat = |token: &str, heartbeat: serde_json::Value| {
        let reply = Client::new(&api, Some(token)).post("/v1/kiosks/heartbeat", Some(&heartbeat), None);
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.body["last_seen"].as_i64().unwrap()
    };
    let seen = beat(
        &lobby,
        json!({"version": "0.4.0 (3f2a9c1)", "uptime_secs": 7530, "restarts": 2, "outbox_backlog": 4,
               "devices": [{"device": "camera", "status": "ok"},
                           {"device": "printer", "status": "fault", "detail": "out of paper"},
                           {"device": "card_reader", "status": "missing"}]}),
    );
    beat(
        &hall,
        json!({"version": "0.3.9", "uptime_secs": 42, "restarts": 0, "outbox_backlog": 0,
               "devices": [{"device": "printer", "status": "ok"}]}),
    );
    // The hall's kiosk last heard from ten minutes ago.
    sql_on(
        &service_api::database_url(db),
        &["UPDATE kiosk_heartbeats SET last_seen = last_seen - 600000 WHERE kiosk = 'hall-1'"],
    );

    let listed = stdout(&kiosk(&["list"]));
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert!(lines[0].starts_with("hall-1  QUIET  last seen "), "{listed}");
    assert!(lines[0].ends_with("(Beijing)  version 0.3.9  up 42s  restarts 0  backlog 0"), "{listed}");
    assert_eq!(
        lines[1],
        format!(
            "lobby-2  ok  last seen {} (Beijing)  version 0.4.0 (3f2a9c1)  up 2h 5m  restarts 2  backlog 4  \
             printer fault: out of paper  card_reader missing",
            service_api::china_time(seen / 1000)
        )
    );

    let refused = service_api(&["kiosk", "--api", &api, "--token", &lobby, "list"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("forbidden"));
}
