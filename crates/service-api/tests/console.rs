//! The staff console over HTTP, as a browser without script uses it (forms, cookies,
//! redirects), on SQLite and PostgreSQL: signing in, the sign-in limit, roles, CSRF, the
//! window desk working the queue, and `Secure` cookies over HTTPS. tests/console_browser.py
//! drives the same in Chromium.

mod common;

use std::collections::BTreeMap;

use common::{LimitedServer, TestCertificates, TestServer};
use service_api::{Limits, NewAccount, StaffRole};
use ureq::tls::{PemItem, RootCerts, TlsConfig};

const CLERK_PASSWORD: &str = "window-3-pass";
const ADMIN_PASSWORD: &str = "admin-pass-2026";

/// A browser without script: keeps the console's cookies, follows no redirect.
struct Browser {
    agent: ureq::Agent,
    base: String,
    cookies: BTreeMap<String, String>,
}

/// Status, the redirect's target if any, and the page.
struct Page {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Page {
    /// The CSRF token of the page's (first) form.
    fn csrf(&self) -> String {
        let start = self.body.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + 19;
        self.body[start..start + 64].to_owned()
    }
}

impl Browser {
    fn new(test: &TestServer) -> Browser {
        let agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
        Browser { agent, base: test.server.base_url.clone(), cookies: BTreeMap::new() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("; ")
    }

    fn page(&mut self, response: ureq::http::Response<ureq::Body>) -> Page {
        let mut response = response;
        for set in response.headers().get_all("set-cookie") {
            let (pair, attributes) = set.to_str().unwrap().split_once(';').unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
        Page { status: response.status().as_u16(), location, body: response.body_mut().read_to_string().unwrap() }
    }

    fn get(&mut self, path: &str) -> Page {
        let response =
            self.agent.get(format!("{}{path}", self.base)).header("Cookie", self.cookie_header()).call().unwrap();
        self.page(response)
    }

    fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body: Vec<String> = form.iter().map(|(name, value)| format!("{name}={}", encoded(value))).collect();
        let response = self
            .agent
            .post(format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .content_type("application/x-www-form-urlencoded")
            .send(body.join("&"))
            .unwrap();
        self.page(response)
    }

    fn sign_in(&mut self, login: &str, password: &str) -> Page {
        let csrf = self.get("/console/sign-in").csrf();
        self.post("/console/sign-in", &[("login", login), ("password", password), ("csrf", &csrf)])
    }
}

/// A form value, percent-encoded.
fn encoded(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A browser signed in as `login`.
fn signed_in(test: &TestServer, login: &str, password: &str) -> Browser {
    let mut browser = Browser::new(test);
    browser.sign_in(login, password);
    browser
}

fn add_staff(test: &TestServer) {
    let account = |login: &str, role, window_number, password: &str| NewAccount {
        login: login.into(),
        display_name: login.into(),
        role,
        window_number,
        password: password.into(),
    };
    test.add_account(&account("li.ming", StaffRole::WindowClerk, Some(3), CLERK_PASSWORD));
    test.add_account(&account("admin", StaffRole::Admin, None, ADMIN_PASSWORD));
}

#[test]
fn a_clerk_calls_the_next_ticket_to_their_window_and_moves_it_on() {
    TestServer::on_each_database(|test| {
        add_staff(test);
        let mut clerk = Browser::new(test);
        let signed_in = clerk.sign_in("li.ming", CLERK_PASSWORD);
        assert_eq!((signed_in.status, signed_in.location.as_deref()), (303, Some("/console/desk")));
        let desk = clerk.get("/console/desk");
        assert_eq!(desk.status, 200);
        assert!(desk.body.contains("呼叫下一位"), "{}", desk.body);

        let ticket = test.kiosk.issue("residence-permit", "elderly");
        let id = ticket["id"].as_str().unwrap();
        let csrf = desk.csrf();
        let called = clerk.post("/console/desk/call-next", &[("csrf", &csrf)]);
        assert_eq!(called.status, 200);
        assert!(called.body.contains(ticket["number"].as_str().unwrap()), "{}", called.body);
        let read = test.kiosk.get(&format!("/v1/tickets/{id}"));
        assert_eq!((read.body["status"].as_str(), read.body["window_number"].as_i64()), (Some("called"), Some(3)));

        for (action, status) in [("call-again", "called"), ("start", "serving"), ("finish", "done")] {
            assert_eq!(clerk.post(&format!("/console/desk/{action}"), &[("csrf", &csrf)]).status, 200);
            assert_eq!(test.kiosk.get(&format!("/v1/tickets/{id}")).body["status"].as_str(), Some(status), "{action}");
        }
        // Nobody waits now: the queue's refusal is read on the desk.
        let nobody = clerk.post("/console/desk/call-next", &[("csrf", &csrf)]);
        assert!(nobody.body.contains("Nobody is waiting for window 3"), "{}", nobody.body);
    });
}

#[test]
fn each_role_opens_only_its_own_pages_and_a_stranger_none() {
    let test = TestServer::start();
    add_staff(&test);
    let mut stranger = Browser::new(&test);
    for path in ["/console", "/console/desk", "/console/admin"] {
        assert_eq!(stranger.get(path).location.as_deref(), Some("/console/sign-in"), "{path}");
    }
    let mut clerk = signed_in(&test, "li.ming", CLERK_PASSWORD);
    let refused = clerk.get("/console/admin");
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("仅限系统管理员"), "{}", refused.body);
    let mut admin = Browser::new(&test);
    assert_eq!(admin.sign_in("admin", ADMIN_PASSWORD).location.as_deref(), Some("/console/admin"));
    assert_eq!(admin.get("/console/desk").status, 403);
    assert_eq!(admin.get("/console/admin").status, 200);
}

#[test]
fn a_post_without_the_sessions_csrf_token_changes_nothing() {
    let test = TestServer::start();
    add_staff(&test);
    let mut clerk = signed_in(&test, "li.ming", CLERK_PASSWORD);
    test.kiosk.issue("residence-permit", "normal");
    for form in [&[][..], &[("csrf", "0".repeat(64).as_str())][..]] {
        assert_eq!(clerk.post("/console/desk/call-next", form).status, 403);
    }
    assert_eq!(test.count("SELECT COUNT(*) FROM tickets WHERE status = 'called'"), 0);
    // Nor does a sign-in form sent without its own cookie's token.
    let mut other = Browser::new(&test);
    let forged = other.post("/console/sign-in", &[("login", "li.ming"), ("password", CLERK_PASSWORD), ("csrf", "x")]);
    assert_eq!((forged.status, other.cookies.contains_key("console_session")), (403, false));
}

#[test]
fn five_wrong_passwords_pause_that_login_even_for_the_right_one() {
    TestServer::on_each_database(|test| {
        add_staff(test);
        let mut guesser = Browser::new(test);
        for _ in 0..5 {
            let wrong = guesser.sign_in("li.ming", "a wrong guess");
            assert_eq!(wrong.status, 401);
            assert!(wrong.body.contains("Wrong login or password"), "{}", wrong.body);
        }
        let paused = guesser.sign_in("li.ming", CLERK_PASSWORD);
        assert_eq!(paused.status, 429);
        assert!(paused.body.contains("Try again in 15 minutes"), "{}", paused.body);
        assert!(!guesser.cookies.contains_key("console_session"));
        // Another login is not paused.
        assert_eq!(Browser::new(test).sign_in("admin", ADMIN_PASSWORD).status, 303);
    });
}

#[test]
fn signing_out_ends_the_session_for_good() {
    let test = TestServer::start();
    add_staff(&test);
    let mut clerk = signed_in(&test, "li.ming", CLERK_PASSWORD);
    let session = clerk.cookies["console_session"].clone();
    let csrf = clerk.get("/console/desk").csrf();
    assert_eq!(clerk.post("/console/sign-out", &[("csrf", &csrf)]).location.as_deref(), Some("/console/sign-in"));
    assert!(!clerk.cookies.contains_key("console_session"));
    // The old cookie, sent again, opens nothing.
    clerk.cookies.insert("console_session".into(), session);
    assert_eq!(clerk.get("/console/desk").location.as_deref(), Some("/console/sign-in"));
}

#[test]
fn the_admin_adds_accounts_but_not_for_a_missing_window_nor_a_taken_login() {
    let test = TestServer::start();
    add_staff(&test);
    let mut admin = signed_in(&test, "admin", ADMIN_PASSWORD);
    let csrf = admin.get("/console/admin").csrf();
    let add = |admin: &mut Browser, login: &str, window: &str| {
        let form = [
            ("csrf", csrf.as_str()),
            ("login", login),
            ("display_name", "王芳"),
            ("role", "window_clerk"),
            ("window_number", window),
            ("password", "a-first-password"),
        ];
        admin.post("/console/admin/accounts", &form).body
    };
    assert!(add(&mut admin, "wang.fang", "5").contains("Account wang.fang added"));
    assert!(add(&mut admin, "zhao.lei", "99").contains("There is no window 99"));
    assert!(add(&mut admin, "li.ming", "").contains("The login li.ming is taken"));
    assert_eq!(test.count("SELECT COUNT(*) FROM staff_accounts"), 3);
    assert_eq!(Browser::new(&test).sign_in("wang.fang", "a-first-password").location.as_deref(), Some("/console/desk"));
}

#[test]
fn over_https_the_consoles_cookies_are_secure() {
    let certificates = TestCertificates::make();
    let server = LimitedServer::start(Some(certificates.server_tls()), Limits::default());
    let pem = std::fs::read(&certificates.ca).unwrap();
    let roots: Vec<_> = ureq::tls::parse_pem(&pem)
        .filter_map(|item| match item.unwrap() {
            PemItem::Certificate(certificate) => Some(certificate),
            _ => None,
        })
        .collect();
    let tls = TlsConfig::builder().root_certs(RootCerts::new_with_certs(&roots)).build();
    let agent: ureq::Agent = ureq::Agent::config_builder().tls_config(tls).build().into();
    let page = agent.get(format!("https://{}/console/sign-in", server.address)).call().unwrap();
    let cookie = page.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.starts_with("console_sign_in=") && cookie.ends_with("; Secure"), "{cookie}");
}

#[test]
fn a_redeemed_receipts_ticket_shows_the_materials_still_missing_at_the_desk() {
    TestServer::on_each_database(|test| {
        add_staff(test);
        let material = test.kiosk.get("/v1/services/residence-permit").body["materials"][1]["name"]["zh"].clone();
        let receipt = test.prereview.issue_receipt("residence-permit", &[1], 30);
        let redeemed = test.kiosk.redeem(serde_json::json!({"number": receipt.number}), Some("redeem-1"));
        assert_eq!(redeemed.status, 200, "{}", redeemed.body);
        let mut clerk = signed_in(test, "li.ming", CLERK_PASSWORD);
        let csrf = clerk.get("/console/desk").csrf();
        let desk = clerk.post("/console/desk/call-next", &[("csrf", &csrf)]).body;
        assert!(desk.contains("预审快速通道") && desk.contains(&receipt.number), "{desk}");
        assert!(desk.contains(material.as_str().unwrap()), "{material} in {desk}");
    });
}
