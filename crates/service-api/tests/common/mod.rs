//! A real server on a temporary SQLite file (and on PostgreSQL when the tests are given one),
//! and a small HTTP client for the tests.
#![allow(dead_code)] // each test binary uses its own share of these helpers

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use contract::model::IssuedReceipt;
use ed25519_dalek::SigningKey;
use serde_json::{json, Value};
use service_api::{
    add_account, add_token, database_url, load_receipt_key, open_database, receipt_key_beside, router, CallSettings,
    EmbeddedServer, Limits, NewAccount, Role, Tls, DEFAULT_PHOTO_RETENTION_DAYS,
};

pub const KIOSK_TOKEN: &str = "kiosk-token-for-tests";
pub const STAFF_TOKEN: &str = "staff-token-for-tests";
pub const PREREVIEW_TOKEN: &str = "prereview-token-for-tests";
pub const INTERPRETER_TOKEN: &str = "interpreter-token-for-tests";

/// The PostgreSQL server to run the tests on too (`scripts/with-postgres` sets it): a URL
/// whose user may create databases.
pub const POSTGRES_VARIABLE: &str = "SERVICE_API_TEST_POSTGRES";

pub struct TestServer {
    pub server: EmbeddedServer,
    pub kiosk: Client,
    pub staff: Client,
    pub prereview: Client,
    /// The interpreter `王丽` (off duty until it says otherwise).
    pub interpreter: Client,
    db_url: String,
    receipt_key_file: PathBuf,
    /// On PostgreSQL, the server's URL and this test's database on it, dropped at the end.
    postgres: Option<(String, String)>,
    // Declared last so the server stops before the directory goes.
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// An embedded server on a new SQLite file with the kiosk token, plus staff, prereview and
    /// interpreter tokens added through the library.
    pub fn start() -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let db_url = database_url(&dir.path().join("center.db").to_string_lossy());
        TestServer::start_on(dir, db_url, None)
    }

    /// Runs `test` on a server over SQLite and, when [`POSTGRES_VARIABLE`] names a PostgreSQL
    /// server, again on a new database of its own there.
    pub fn on_each_database(test: impl Fn(&TestServer)) {
        eprintln!("on SQLite");
        test(&TestServer::start());
        if let Ok(postgres) = std::env::var(POSTGRES_VARIABLE) {
            eprintln!("on PostgreSQL");
            test(&TestServer::start_on_postgres(&postgres));
        }
    }

    /// A server on a new database of the PostgreSQL server at `url`.
    fn start_on_postgres(url: &str) -> TestServer {
        let name = format!("test_{}", service_api::generate_token());
        block_on(async {
            let admin = any_pool(url).await;
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.unwrap();
        });
        let (server, _) = url.rsplit_once('/').expect("a URL ending in /database");
        let db_url = format!("{server}/{name}");
        TestServer::start_on(tempfile::tempdir().unwrap(), db_url, Some((url.to_owned(), name)))
    }

    fn start_on(dir: tempfile::TempDir, db_url: String, postgres: Option<(String, String)>) -> TestServer {
        let receipt_key_file = receipt_key_beside(&dir.path().join("center.db"));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let server =
            EmbeddedServer::start_with_database(listener, &db_url, &receipt_key_file, "kiosk-1", KIOSK_TOKEN).unwrap();
        let test = TestServer {
            kiosk: Client::new(&server.base_url, Some(KIOSK_TOKEN)),
            staff: Client::new(&server.base_url, Some(STAFF_TOKEN)),
            prereview: Client::new(&server.base_url, Some(PREREVIEW_TOKEN)),
            interpreter: Client::new(&server.base_url, Some(INTERPRETER_TOKEN)),
            server,
            db_url,
            receipt_key_file,
            postgres,
            _dir: dir,
        };
        test.add_token(Role::Staff, "staff-1", STAFF_TOKEN);
        test.add_token(Role::Prereview, "prereview-1", PREREVIEW_TOKEN);
        test.add_token(Role::Interpreter, "王丽", INTERPRETER_TOKEN);
        test
    }

    /// Adds a token through a second connection pool on the same database.
    pub fn add_token(&self, role: Role, name: &str, token: &str) {
        block_on(async {
            let db = open_database(&self.db_url).await.unwrap();
            add_token(&db, role, name, token).await.unwrap();
        });
    }

    /// Adds a staff account of the console, as `service-api account add` does.
    pub fn add_account(&self, new: &NewAccount) {
        block_on(async {
            let db = open_database(&self.db_url).await.unwrap();
            add_account(&db, new).await.unwrap();
        });
    }

    /// Runs plain SQL on the server's database, e.g. to withdraw a service.
    pub fn sql(&self, statements: &[&str]) {
        sql_on(&self.db_url, statements);
    }

    /// The one number a query answers, e.g. `SELECT COUNT(*) FROM evaluations`.
    pub fn count(&self, query: &str) -> i64 {
        block_on(async { sqlx::query_scalar(query).fetch_one(&any_pool(&self.db_url).await).await.unwrap() })
    }

    /// A visit to rate: a ticket of `service` issued at the kiosk, called to `window` (which
    /// serves it, nobody else waiting), served and finished. Answers the ticket's id.
    pub fn served_ticket(&self, service: &str, window: i64) -> String {
        let id = self.kiosk.issue(service, "normal")["id"].as_str().unwrap().to_owned();
        let called = self.staff.post(&format!("/v1/windows/{window}/call-next"), None, None);
        assert_eq!((called.status, called.body["id"].as_str()), (200, Some(id.as_str())), "{}", called.body);
        for action in ["start", "finish"] {
            let moved = self.staff.post(&format!("/v1/tickets/{id}/{action}"), None, None);
            assert_eq!(moved.status, 200, "{}", moved.body);
        }
        id
    }

    /// The key the server signs receipts with, read from its file.
    pub fn receipt_key(&self) -> SigningKey {
        load_receipt_key(&self.receipt_key_file).unwrap()
    }

    pub fn client(&self, token: Option<&str>) -> Client {
        Client::new(&self.server.base_url, token)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some((url, name)) = &self.postgres {
            // FORCE: the server's connections are still open.
            block_on(async {
                let admin = any_pool(url).await;
                sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&admin).await.unwrap();
            });
        }
    }
}

/// `service_api::serve` itself, over TLS when given and within `limits`, on a new SQLite
/// database with the kiosk and staff tokens; on a runtime of its own, which stops it when
/// dropped.
pub struct LimitedServer {
    pub address: SocketAddr,
    _runtime: tokio::runtime::Runtime,
    // Declared last so the server stops before the directory goes.
    _dir: tempfile::TempDir,
}

impl LimitedServer {
    pub fn start(tls: Option<Tls>, limits: Limits) -> LimitedServer {
        let dir = tempfile::tempdir().unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let (app, listener) = runtime.block_on(async {
            let db = open_database(&database_url(&dir.path().join("center.db").to_string_lossy())).await.unwrap();
            add_token(&db, Role::Kiosk, "kiosk-1", KIOSK_TOKEN).await.unwrap();
            add_token(&db, Role::Staff, "staff-1", STAFF_TOKEN).await.unwrap();
            let key = load_receipt_key(&dir.path().join("receipt.key")).unwrap();
            let app = router(db, key, CallSettings::default(), DEFAULT_PHOTO_RETENTION_DAYS);
            (app, tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap())
        });
        let address = listener.local_addr().unwrap();
        runtime.spawn(service_api::serve(listener, app, tls, limits, std::future::pending()));
        LimitedServer { address, _runtime: runtime, _dir: dir }
    }
}

/// A CA made for the test and the server certificate it signed (for 127.0.0.1 and
/// localhost), as PEM files, with another CA that signed nothing of this server's.
pub struct TestCertificates {
    pub ca: PathBuf,
    pub server_certificate: PathBuf,
    pub server_key: PathBuf,
    pub other_ca: PathBuf,
    _dir: tempfile::TempDir,
}

impl TestCertificates {
    pub fn make() -> TestCertificates {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, pem: String| {
            let file = dir.path().join(name);
            std::fs::write(&file, pem).unwrap();
            file
        };
        let new_ca = |name: &str| {
            let mut params = CertificateParams::new(Vec::new()).unwrap();
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params.distinguished_name.push(DnType::CommonName, name);
            let key = KeyPair::generate().unwrap();
            let certificate = params.self_signed(&key).unwrap();
            (certificate.pem(), Issuer::new(params, key))
        };
        let (ca_pem, ca) = new_ca("便民服务中心 test CA");
        let server_key = KeyPair::generate().unwrap();
        let mut server = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
        server.distinguished_name.push(DnType::CommonName, "service-api test server");
        let server_certificate = server.signed_by(&server_key, &ca).unwrap();
        TestCertificates {
            ca: write("center-ca.pem", ca_pem),
            server_certificate: write("server.pem", server_certificate.pem()),
            server_key: write("server.key", server_key.serialize_pem()),
            other_ca: write("other-ca.pem", new_ca("another CA").0),
            _dir: dir,
        }
    }

    pub fn server_tls(&self) -> Tls {
        Tls::from_pem_files(&self.server_certificate, &self.server_key).unwrap()
    }
}

/// Runs plain SQL on the database at a sqlx URL, e.g. that of a `service-api serve`.
pub fn sql_on(db_url: &str, statements: &[&str]) {
    block_on(async {
        let pool = any_pool(db_url).await;
        for statement in statements {
            sqlx::query(statement).execute(&pool).await.unwrap();
        }
    });
}

/// A path as a command-line argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

async fn any_pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url).await.unwrap()
}

const HTTP_METHODS: [&str; 8] = ["get", "put", "post", "delete", "patch", "options", "head", "trace"];

/// The OpenAPI document (`openapi.json`), as the server serves it.
pub struct Doc(pub Value);

impl Doc {
    pub fn load() -> Doc {
        Doc(serde_json::from_str(service_api::OPENAPI).expect("openapi.json is JSON"))
    }

    /// Follows `$ref`s (local ones only, as this document uses).
    pub fn resolve<'a>(&'a self, mut value: &'a Value) -> &'a Value {
        while let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            let pointer = reference.strip_prefix('#').expect("local $ref");
            value = self.0.pointer(pointer).unwrap_or_else(|| panic!("dangling $ref {reference}"));
        }
        value
    }

    /// Every operation as (method in capitals, path template, operation).
    pub fn operations(&self) -> Vec<(String, String, &Value)> {
        let mut ops = Vec::new();
        for (path, item) in self.0["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if HTTP_METHODS.contains(&method.as_str()) {
                    ops.push((method.to_uppercase(), path.clone(), op));
                }
            }
        }
        ops
    }

    pub fn operation(&self, method: &str, path: &str) -> &Value {
        let op = &self.0["paths"][path][method.to_lowercase()];
        assert!(op.is_object(), "{method} {path} is not in openapi.json");
        op
    }

    pub fn is_public(&self, op: &Value) -> bool {
        op.get("security").is_some_and(|s| s.as_array().is_some_and(Vec::is_empty))
    }
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub replayed: bool,
}

impl Reply {
    /// The `code` of an error body.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_else(|| panic!("not an ApiError: {}", self.body))
    }
}

/// The body of a reply with `status`, as `T`.
pub fn parsed<T: serde::de::DeserializeOwned>(reply: Reply, status: u16) -> T {
    assert_eq!(reply.status, status, "{}", reply.body);
    serde_json::from_value(reply.body).unwrap()
}

/// Asserts the error code and that both messages are there for the resident.
pub fn refused(reply: &Reply, status: u16, code: &str) {
    assert_eq!((reply.status, reply.code()), (status, code), "{}", reply.body);
    assert!(!reply.body["message"]["zh"].as_str().unwrap().is_empty());
    assert!(!reply.body["message"]["en"].as_str().unwrap().is_empty());
}

/// [`refused`], with an English message that says `words`.
pub fn refused_saying(reply: &Reply, status: u16, code: &str, words: &str) {
    refused(reply, status, code);
    let message = reply.body["message"]["en"].as_str().unwrap();
    assert!(message.contains(words), "{message:?} does not say {words:?}");
}

#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    base: String,
    /// The Authorization header's value, if any.
    authorization: Option<String>,
}

impl Client {
    pub fn new(base: &str, token: Option<&str>) -> Client {
        Client::with_authorization(base, token.map(|token| format!("Bearer {token}")).as_deref())
    }

    /// A client that sends this Authorization header as it is, e.g. a malformed one.
    pub fn with_authorization(base: &str, authorization: Option<&str>) -> Client {
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        Client { agent, base: base.to_owned(), authorization: authorization.map(str::to_owned) }
    }

    pub fn get(&self, path: &str) -> Reply {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if let Some(authorization) = &self.authorization {
            request = request.header("Authorization", authorization);
        }
        reply(request.call().unwrap())
    }

    /// GETs a body that is not JSON (a photo): status, content type, bytes.
    pub fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if let Some(authorization) = &self.authorization {
            request = request.header("Authorization", authorization);
        }
        let mut response = request.call().unwrap();
        let content_type =
            response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let status = response.status().as_u16();
        let bytes = response.body_mut().with_config().limit(10 * 1024 * 1024).read_to_vec().unwrap();
        (status, content_type, bytes)
    }

    /// POSTs `body` as JSON (none: an empty body), with an Idempotency-Key if given.
    pub fn post(&self, path: &str, body: Option<&Value>, key: Option<&str>) -> Reply {
        let mut request = self.agent.post(format!("{}{path}", self.base));
        if let Some(authorization) = &self.authorization {
            request = request.header("Authorization", authorization);
        }
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        reply(match body {
            Some(body) => request.send_json(body).unwrap(),
            None => request.send_empty().unwrap(),
        })
    }

    /// POSTs raw text as `content_type`.
    pub fn post_raw(&self, path: &str, content_type: &str, body: &str) -> Reply {
        let mut request = self.agent.post(format!("{}{path}", self.base)).header("Content-Type", content_type);
        if let Some(authorization) = &self.authorization {
            request = request.header("Authorization", authorization);
        }
        reply(request.send(body).unwrap())
    }

    /// Issues a ticket and checks it was created.
    pub fn issue(&self, service: &str, priority: &str) -> Value {
        let r =
            self.post("/v1/tickets", Some(&serde_json::json!({"service_code": service, "priority": priority})), None);
        assert_eq!(r.status, 201, "{}", r.body);
        r.body
    }

    /// Issues a receipt (with a prereview token) and checks it was created.
    pub fn issue_receipt(&self, service: &str, missing: &[u8], valid_days: u32) -> IssuedReceipt {
        let r = self.post(
            "/v1/receipts",
            Some(&json!({"service_code": service, "applicant": "张*明",
                         "missing_materials": missing, "valid_days": valid_days})),
            None,
        );
        parsed(r, 201)
    }

    /// Redeems a receipt by token or number (`{"token": ...}` or `{"number": ...}`).
    pub fn redeem(&self, body: Value, key: Option<&str>) -> Reply {
        self.post("/v1/receipts/redeem", Some(&body), key)
    }
}

/// A valid ID number (GB 11643) from its first 17 digits: adds the check character.
pub fn id_number(first17: &str) -> String {
    let check = contract::id_number::check_character(first17.as_bytes());
    format!("{first17}{}", check as char)
}

/// The bytes of a "photo": the JPEG start of image and JFIF marker, every byte value (so a
/// round trip is byte-exact for all of them), the end of image. The server checks only the
/// JPEG signature; it does not decode images.
pub fn test_jpeg() -> Vec<u8> {
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00];
    jpeg.extend(0..=255u8);
    jpeg.extend([0xFF, 0xD9]);
    jpeg
}

/// A submission that passes every check, for this ID number and photo.
pub fn new_face_auth(id_number: &str, photo: &[u8]) -> Value {
    use base64::Engine;
    json!({
        "id_number": id_number,
        "consent": true,
        "attempt": 1,
        "liveness": {"passed": true, "turned_left": true, "turned_right": true, "duration_ms": 4200},
        "photo_jpeg": base64::engine::general_purpose::STANDARD.encode(photo),
    })
}

fn block_on<F: std::future::Future>(work: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(work)
}

fn reply(mut response: ureq::http::Response<ureq::Body>) -> Reply {
    let status = response.status().as_u16();
    let replayed = response.headers().get("idempotent-replayed").is_some();
    let text = response.body_mut().read_to_string().unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text:?}"));
    Reply { status, body, replayed }
}
