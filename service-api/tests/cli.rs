//! The `service-api` command: serve, token add, staff actions over HTTP, and receipts.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

use common::Client;
use ed25519_dalek::VerifyingKey;
use serde_json::json;
use service_api::receipt::Receipt;

fn service_api(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_service-api"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
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

#[test]
fn serve_add_tokens_and_work_a_window() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let db = db.to_str().unwrap();
    let staff_token = stdout(&service_api(&[
        "token", "add", "--db", db, "--role", "staff", "--name", "desk-6",
    ]));
    let staff_token = staff_token.trim();
    assert_eq!(staff_token.len(), 48, "a generated token: {staff_token}");
    let kiosk = [
        "token",
        "add",
        "--db",
        db,
        "--role",
        "kiosk",
        "--name",
        "k1",
        "--token",
        "kiosk-secret",
    ];
    assert_eq!(stdout(&service_api(&kiosk)).trim(), "kiosk-secret");

    let mut server = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_service-api"))
            .args(["serve", "--db", db, "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let api = line.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(api.starts_with("http://127.0.0.1:"), "{line}");

    let number =
        Client::new(&api, Some("kiosk-secret")).issue("legal-aid", "elderly")["number"].clone();
    let staff = |args: &[&str]| {
        service_api(&[&["staff", "--api", &api, "--token", staff_token], args].concat())
    };
    assert!(stdout(&staff(&["windows"])).contains("6号窗口 (Window 6)  open"));
    let called = stdout(&staff(&["call", "6"]));
    assert!(
        called.starts_with(number.as_str().unwrap()) && called.contains("called"),
        "{called}"
    );
    let id = called.trim().rsplit(' ').next().unwrap();
    assert!(stdout(&staff(&["start", id])).contains("serving"));
    assert!(stdout(&staff(&["finish", id])).contains("done"));
    assert!(stdout(&staff(&["close", "6"])).contains("closed"));
    let refused = staff(&["call", "6"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("window_closed"));
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
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as u32;
    let receipt =
        Receipt::verify(&token, &VerifyingKey::from_bytes(&public).unwrap(), now).unwrap();
    assert_eq!(
        (receipt.number(), receipt.missing_materials),
        (number, vec![0, 2])
    );
    let key_file = dir.path().join(service_api::RECEIPT_KEY_FILE);
    let same = stdout(&service_api(&[
        "receipt",
        "public-key",
        "--receipt-key",
        key_file.to_str().unwrap(),
    ]));
    assert_eq!(hex::decode(same.trim()).unwrap(), public);

    // `serve` signs and verifies with the same key: the receipt redeems there.
    stdout(&service_api(&[
        "token",
        "add",
        "--db",
        db,
        "--role",
        "kiosk",
        "--name",
        "k1",
        "--token",
        "kiosk-secret",
    ]));
    let mut server = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_service-api"))
            .args(["serve", "--db", db, "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let api = line.trim().rsplit(' ').next().unwrap().to_owned();
    let kiosk = Client::new(&api, Some("kiosk-secret"));
    let r = kiosk.post("/v1/receipts/redeem", Some(&json!({"token": token})), None);
    assert_eq!(
        (r.status, r.body["ticket"]["priority"].as_str()),
        (200, Some("fast_track")),
        "{}",
        r.body
    );
}

#[test]
fn receipt_commands_name_a_bad_key_file_and_refuse_a_bad_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("center.db");
    let db = db.to_str().unwrap();
    let bad_key = dir.path().join("bad.key");
    std::fs::write(&bad_key, "0123").unwrap();
    for args in [
        &[
            "receipt",
            "public-key",
            "--receipt-key",
            bad_key.to_str().unwrap(),
        ][..],
        &[
            "serve",
            "--db",
            db,
            "--receipt-key",
            bad_key.to_str().unwrap(),
        ],
    ] {
        let failed = service_api(args);
        assert!(!failed.status.success());
        assert!(
            String::from_utf8_lossy(&failed.stderr).contains("bad.key"),
            "{args:?}"
        );
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
