//! The `service-api` command: serve, token add, and staff actions over HTTP.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

use common::Client;

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
