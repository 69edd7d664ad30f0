//! The limits of `service_api::serve` that hold a connection: the connection cap and the
//! body timeout, shortened through `Limits` so the tests take a second, not half a minute.
//! (The header timeout: `api.rs`, `a_half_sent_head_is_dropped_within_the_limit`.)

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{LimitedServer, KIOSK_TOKEN};
use service_api::Limits;

fn health_request(server: &LimitedServer) -> TcpStream {
    let mut stream = TcpStream::connect(server.address).unwrap();
    write!(stream, "GET /v1/health HTTP/1.1\r\nHost: {}\r\n\r\n", server.address).unwrap();
    stream
}

#[test]
fn a_connection_beyond_the_cap_is_served_only_once_another_closes() {
    // Idle connections are not closed for the header timeout during the test.
    let limits = Limits { max_connections: 4, header_read_timeout: Duration::from_secs(60), ..Limits::default() };
    let server = LimitedServer::start(None, limits);
    let mut idle: Vec<TcpStream> =
        (0..limits.max_connections).map(|_| TcpStream::connect(server.address).unwrap()).collect();

    let mut waiting = health_request(&server);
    waiting.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    let mut answer = [0; 12];
    let unserved = waiting.read(&mut answer);
    assert!(matches!(&unserved, Err(e) if e.kind() == ErrorKind::WouldBlock), "{unserved:?}");

    drop(idle.pop());
    waiting.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    waiting.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"HTTP/1.1 200");
}

#[test]
fn a_body_dribbled_slower_than_the_body_timeout_gets_its_connection_closed_without_success() {
    let limits = Limits { body_read_timeout: Duration::from_secs(1), ..Limits::default() };
    let server = LimitedServer::start(None, limits);
    let ticket = br#"{"service_code": "legal-aid", "priority": "normal"}"#;
    let api = format!("Authorization: Bearer {KIOSK_TOKEN}\r\nContent-Type: application/json");
    // The staff console's forms too.
    let sign_in = b"login=li.ming&password=window-3-pass&csrf=0123456789abcdef0123456789abcdef";
    let console = "Content-Type: application/x-www-form-urlencoded".to_owned();
    for (path, headers, body) in [("/v1/tickets", api, &ticket[..]), ("/console/sign-in", console, &sign_in[..])] {
        let mut stream = TcpStream::connect(server.address).unwrap();
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {}\r\n{headers}\r\nContent-Length: {}\r\n\r\n",
            server.address,
            body.len()
        )
        .unwrap();
        let started = Instant::now();
        // A byte every 100 ms: the whole body would take 5 s or more.
        let mut dribble = stream.try_clone().unwrap();
        let body = body.to_vec();
        let dribbling = std::thread::spawn(move || {
            for byte in body {
                if dribble.write_all(&[byte]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });

        stream.set_read_timeout(Some(Duration::from_secs(4))).unwrap();
        let mut answer = Vec::new();
        let closed = stream.read_to_end(&mut answer);
        let held = started.elapsed();
        // Closed while the client still sends, the connection may end in a reset.
        assert!(closed.is_ok() || closed.as_ref().unwrap_err().kind() == ErrorKind::ConnectionReset, "{closed:?}");
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{path}: {answer}");
        assert!(held >= limits.body_read_timeout && held < limits.body_read_timeout * 3, "{path}: held {held:?}");
        drop(stream);
        dribbling.join().unwrap();
    }
}
