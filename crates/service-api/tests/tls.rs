//! HTTPS: the server answering with the center's certificate (`serve --tls-cert --tls-key`),
//! and clients that trust the center's CA and no other (`contract::CaCertificates`).

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{LimitedServer, TestCertificates, KIOSK_TOKEN};
use contract::model::{NewTicket, Priority, TicketStatus};
use contract::{ApiClient, ApiFailure, CaCertificates};
use service_api::Limits;

fn https_server(certificates: &TestCertificates, limits: Limits) -> (LimitedServer, String) {
    let server = LimitedServer::start(Some(certificates.server_tls()), limits);
    let url = format!("https://{}", server.address);
    (server, url)
}

#[test]
fn a_kiosk_that_trusts_the_centers_ca_gets_the_catalog_and_a_ticket_over_https() {
    let certificates = TestCertificates::make();
    let (_server, url) = https_server(&certificates, Limits::default());
    let kiosk = ApiClient::trusting(&url, KIOSK_TOKEN, &CaCertificates::read(&certificates.ca).unwrap());
    let catalog = kiosk.catalog().unwrap();
    let service = &catalog.services[0];
    let new = NewTicket { service_code: service.code.clone(), priority: Priority::Normal, contact_phone: None };
    let ticket = kiosk.issue_ticket(&new, "tls-ticket-1").unwrap();
    assert_eq!((ticket.service_code.as_str(), ticket.status), (service.code.as_str(), TicketStatus::Issued));
}

#[test]
fn a_client_without_the_centers_ca_or_with_another_ca_is_refused_for_the_certificate() {
    let certificates = TestCertificates::make();
    let (_server, url) = https_server(&certificates, Limits::default());
    let public_roots = ApiClient::new(&url, KIOSK_TOKEN);
    let other_ca = ApiClient::trusting(&url, KIOSK_TOKEN, &CaCertificates::read(&certificates.other_ca).unwrap());
    for (client, which) in [(public_roots, "public roots"), (other_ca, "another CA")] {
        match client.catalog() {
            Err(ApiFailure::Unreachable(why)) => assert!(why.contains("certificate"), "{which}: {why}"),
            other => panic!("{which}: {other:?}"),
        }
    }
}

#[test]
fn plain_http_to_the_https_port_gets_no_answer() {
    let certificates = TestCertificates::make();
    let (server, _) = https_server(&certificates, Limits::default());
    let mut stream = TcpStream::connect(server.address).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    // The server may close as soon as it sees the first bytes are no TLS record: a write cut
    // off by the closed connection is no answer too.
    let request = format!("GET /v1/health HTTP/1.1\r\nHost: {}\r\n\r\n", server.address);
    if let Err(e) = stream.write_all(request.as_bytes()) {
        assert!(matches!(e.kind(), std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset), "{e}");
    }
    let mut answer = Vec::new();
    let read = stream.read_to_end(&mut answer);
    assert!(read.is_ok() || read.as_ref().unwrap_err().kind() == std::io::ErrorKind::ConnectionReset, "{read:?}");
    // At most a TLS alert (content type 21), two bytes of it.
    assert!(answer.is_empty() || (answer[0] == 21 && answer.len() <= 7), "{:?}", String::from_utf8_lossy(&answer));
}

/// A client that opens a connection and never finishes its handshake holds it only for the
/// header timeout, and while it does it counts against the connection cap.
#[test]
fn an_unfinished_handshake_holds_its_connection_only_for_the_header_timeout() {
    let certificates = TestCertificates::make();
    let limits = Limits { max_connections: 1, header_read_timeout: Duration::from_secs(1), ..Limits::default() };
    let (server, url) = https_server(&certificates, limits);
    let mut stalled = TcpStream::connect(server.address).unwrap();
    stalled.set_read_timeout(Some(limits.header_read_timeout * 5)).unwrap();
    let started = Instant::now();
    // The start of a ClientHello: a handshake record that never comes whole.
    stalled.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01]).unwrap();
    std::thread::sleep(Duration::from_millis(200));

    let kiosk = ApiClient::trusting(&url, KIOSK_TOKEN, &CaCertificates::read(&certificates.ca).unwrap());
    let served = std::thread::spawn(move || kiosk.catalog().map(|_| Instant::now()));
    let closed = stalled.read_to_end(&mut Vec::new());
    let held = started.elapsed();
    assert!(closed.is_ok() || closed.as_ref().unwrap_err().kind() == std::io::ErrorKind::ConnectionReset, "{closed:?}");
    let limit = limits.header_read_timeout;
    assert!(held >= limit && held < limit + Duration::from_secs(2), "held {held:?}");
    // The kiosk waited for the only connection, then was served.
    let served_at = served.join().unwrap().unwrap().duration_since(started);
    assert!(served_at >= limit, "served after {served_at:?}");
}
