//! Simulated kiosks for the load bench (`main.rs`) and its smoke test (`tests/load.rs`): each
//! with its own kiosk token and pre-review receipts, over real HTTP to a `service-api serve`
//! process, issuing tickets at a set pace with a kiosk's other requests around them.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use contract::model::{
    Catalog, DeviceState, DeviceStatus, Heartbeat, NewReceipt, NewTicket, Priority, RedeemReceipt, RedeemedReceipt,
    Ticket,
};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use rand::seq::IndexedRandom;
use serde::de::DeserializeOwned;
use serde::Serialize;
use service_api::{add_token, china_day, generate_token, issue_receipt, load_receipt_key, open_database, Role};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::{interval, sleep_until, timeout_at, MissedTickBehavior};

/// A catalog read every this many tickets: a kiosk reloads it now and then, not per resident.
const CATALOG_EVERY: u64 = 4;

/// A receipt redeemed every this many tickets: the residents who come with a pre-review.
const REDEEM_EVERY: u64 = 10;

/// A kiosk polls each ticket it issued this often while the resident watches it...
const POLL_EVERY: Duration = Duration::from_secs(3);

/// ...this many times.
const POLLS: u32 = 2;

/// Between a kiosk's heartbeats: a real kiosk sends one a minute; the bench squeezes an hour
/// of a center's traffic into seconds, heartbeats too.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(1);

/// What one run does.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub kiosks: usize,
    /// Tickets each kiosk issues a second (POST /v1/tickets; redemptions come on top).
    pub tickets_per_second: f64,
    pub run_for: Duration,
}

/// The requests a kiosk sends, as the figures name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Catalog,
    Issue,
    Poll,
    Redeem,
    Heartbeat,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Catalog, Kind::Issue, Kind::Poll, Kind::Redeem, Kind::Heartbeat];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Catalog => "catalog read",
            Kind::Issue => "ticket issue",
            Kind::Poll => "ticket poll",
            Kind::Redeem => "receipt redeem",
            Kind::Heartbeat => "heartbeat",
        }
    }
}

/// One kind's figures.
#[derive(Clone, Debug, Default)]
pub struct KindFigures {
    pub count: usize,
    pub per_second: f64,
    pub p50: Duration,
    pub p90: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub errors: u64,
}

/// What a run measured.
#[derive(Debug)]
pub struct Figures {
    pub elapsed: Duration,
    pub kinds: BTreeMap<Kind, KindFigures>,
    /// Tickets issued a second (POST /v1/tickets answered 201).
    pub tickets_per_second: f64,
    /// Ticket numbers answered twice for one day, over issues and redemptions.
    pub duplicates: usize,
    pub errors: u64,
    /// The first error of each kind, to say what went wrong.
    pub first_errors: Vec<String>,
    /// CPU seconds over the run: of the server process, of the bench itself (the kiosks), of
    /// PostgreSQL's processes, and of whatever else ran on the machine.
    pub cpu: Cpu,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Cpu {
    pub server: f64,
    pub bench: f64,
    pub postgres: f64,
    pub others: f64,
}

/// Runs `plan` against a server on the database at `db_url` (a sqlx URL, fresh): makes the
/// kiosks' tokens and receipts through the library, starts `service-api serve` on it and lets
/// the kiosks go.
pub fn run(db_url: &str, plan: Plan) -> Figures {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let key_file = dir.path().join("receipt.key");
    let receipts_each =
        (plan.run_for.as_secs_f64() * plan.tickets_per_second / REDEEM_EVERY as f64).ceil() as usize + 1;
    let kiosks = runtime.block_on(enrol(db_url, &key_file, plan.kiosks, receipts_each));
    let server = Server::start(db_url, &key_file);
    let before = CpuClock::read(server.child.id());
    let started = Instant::now();
    let until = started + plan.run_for;
    let every = Duration::from_secs_f64(1.0 / plan.tickets_per_second);
    let log = runtime.block_on(async {
        let runs: Vec<_> =
            kiosks.into_iter().map(|kiosk| tokio::spawn(kiosk.run(server.address, every, until))).collect();
        let mut log = Log::default();
        for run in runs {
            log.merge(run.await.expect("a kiosk does not panic"));
        }
        log
    });
    let elapsed = started.elapsed();
    let cpu = CpuClock::read(server.child.id()).since(&before);
    log.figures(elapsed, cpu)
}

/// A kiosk of the bench: its token and the receipts its residents bring.
struct Kiosk {
    name: String,
    token: String,
    receipts: Vec<String>,
}

/// Makes each kiosk's token and receipts straight in the database, as `service-api token add`
/// and `receipt issue` do.
async fn enrol(db_url: &str, key_file: &std::path::Path, kiosks: usize, receipts_each: usize) -> Vec<Kiosk> {
    let db = open_database(db_url).await.expect("the bench's database opens");
    let key = load_receipt_key(key_file).expect("a receipt key");
    let catalog: Catalog =
        serde_json::from_str(include_str!("../../seed/catalog.json")).expect("the seed catalog parses");
    let mut enrolled = Vec::new();
    for n in 1..=kiosks {
        let (name, token) = (format!("bench-kiosk-{n:02}"), generate_token());
        add_token(&db, Role::Kiosk, &name, &token).await.expect("a kiosk token");
        let mut receipts = Vec::new();
        for i in 0..receipts_each {
            let new = NewReceipt {
                service_code: catalog.services[(n + i) % catalog.services.len()].code.clone(),
                applicant: "张*明".into(),
                missing_materials: vec![0],
                valid_days: 1,
            };
            receipts.push(issue_receipt(&db, &key, &new, "cli:bench").await.expect("a receipt").token);
        }
        enrolled.push(Kiosk { name, token, receipts });
    }
    enrolled
}

impl Kiosk {
    /// The kiosk's three threads of requests, as the real kiosk has them: residents taking
    /// tickets (and the catalog, and redeeming receipts), the screen polling their tickets,
    /// and the heartbeat; each on a connection of its own, until `until`.
    async fn run(self, server: SocketAddr, every: Duration, until: Instant) -> Log {
        let (issued, to_poll) = mpsc::unbounded_channel();
        let poller = tokio::spawn(poll_tickets(Connection::open(server, &self.token).await, to_poll, until));
        let heartbeats =
            tokio::spawn(send_heartbeats(Connection::open(server, &self.token).await, self.name.clone(), until));
        let residents = Connection::open(server, &self.token).await;
        let mut log = serve_residents(residents, &self.name, self.receipts, every, until, issued).await;
        log.merge(poller.await.expect("the poller does not panic"));
        log.merge(heartbeats.await.expect("the heartbeat does not panic"));
        log
    }
}

/// Issues a ticket every `every` (catching up if the server fell behind), reading the catalog
/// and redeeming a receipt among them; sends each ticket's id to the poller.
async fn serve_residents(
    mut connection: Connection,
    name: &str,
    receipts: Vec<String>,
    every: Duration,
    until: Instant,
    issued: mpsc::UnboundedSender<(Instant, String)>,
) -> Log {
    let mut log = Log::default();
    let Some(catalog) = connection.get::<Catalog>(&mut log, Kind::Catalog, "/v1/catalog").await else {
        return log;
    };
    let codes: Vec<String> = catalog.services.into_iter().map(|s| s.code).collect();
    let mut receipts = receipts.into_iter();
    let mut pace = interval(every);
    pace.set_missed_tick_behavior(MissedTickBehavior::Burst);
    for n in 1.. {
        pace.tick().await;
        if Instant::now() >= until {
            break;
        }
        if n % CATALOG_EVERY == 0 {
            connection.get::<Catalog>(&mut log, Kind::Catalog, "/v1/catalog").await;
        }
        let new = NewTicket {
            service_code: codes.choose(&mut rand::rng()).expect("a catalog with services").clone(),
            priority: if n % 5 == 0 { Priority::Elderly } else { Priority::Normal },
            contact_phone: None,
        };
        let key = format!("{name}-ticket-{n}");
        if let Some(ticket) = connection.post::<Ticket>(&mut log, Kind::Issue, "/v1/tickets", &key, &new).await {
            log.numbers.push((china_day(ticket.issued_at), ticket.number));
            // The poller outlives the residents' loop: it cannot have gone.
            let _ = issued.send((Instant::now(), ticket.id));
        }
        if n % REDEEM_EVERY == 0 {
            if let Some(token) = receipts.next() {
                let request = RedeemReceipt { token: Some(token), number: None };
                let key = format!("{name}-redeem-{n}");
                let path = "/v1/receipts/redeem";
                if let Some(redeemed) =
                    connection.post::<RedeemedReceipt>(&mut log, Kind::Redeem, path, &key, &request).await
                {
                    log.numbers.push((china_day(redeemed.ticket.issued_at), redeemed.ticket.number));
                }
            }
        }
    }
    log
}

/// Polls each issued ticket (its id and when it was issued) [`POLLS`] times, [`POLL_EVERY`]
/// apart, until `until`.
async fn poll_tickets(
    mut connection: Connection,
    mut issued: mpsc::UnboundedReceiver<(Instant, String)>,
    until: Instant,
) -> Log {
    let mut log = Log::default();
    // Every ticket waits the same time between polls: first in, first due.
    let mut watched: VecDeque<(Instant, String, u32)> = VecDeque::new();
    loop {
        while let Ok((at, id)) = issued.try_recv() {
            watched.push_back((at + POLL_EVERY, id, POLLS));
        }
        let Some((due, ..)) = watched.front() else {
            match timeout_at(until.into(), issued.recv()).await {
                Ok(Some((at, id))) => watched.push_back((at + POLL_EVERY, id, POLLS)),
                _ => break,
            }
            continue;
        };
        // A poller behind its schedule stops at `until` too, its backlog unpolled.
        if *due >= until || Instant::now() >= until {
            break;
        }
        sleep_until((*due).into()).await;
        let (due, id, left) = watched.pop_front().expect("a ticket is due");
        connection.get::<Ticket>(&mut log, Kind::Poll, &format!("/v1/tickets/{id}")).await;
        if left > 1 {
            watched.push_back((due + POLL_EVERY, id, left - 1));
        }
    }
    log
}

/// Sends a heartbeat every [`HEARTBEAT_EVERY`] until `until`.
async fn send_heartbeats(mut connection: Connection, name: String, until: Instant) -> Log {
    let mut log = Log::default();
    let started = Instant::now();
    let mut pace = interval(HEARTBEAT_EVERY);
    for beat in 1.. {
        pace.tick().await;
        if Instant::now() >= until {
            break;
        }
        let heartbeat = Heartbeat {
            version: "0.1.0-bench".into(),
            uptime_secs: started.elapsed().as_secs() as i64,
            restarts: 0,
            devices: ["printer", "camera", "speech"]
                .map(|device| DeviceState { device: device.into(), status: DeviceStatus::Ok, detail: String::new() })
                .into(),
            outbox_backlog: 0,
        };
        let key = format!("{name}-heartbeat-{beat}");
        connection.post::<serde_json::Value>(&mut log, Kind::Heartbeat, "/v1/kiosks/heartbeat", &key, &heartbeat).await;
    }
    log
}

/// One kept-alive HTTP/1.1 connection, as a kiosk's thread holds one.
struct Connection {
    sender: Option<SendRequest<Full<Bytes>>>,
    authorization: String,
}

impl Connection {
    /// A connection that failed to open fails each request it is given, which counts them.
    async fn open(server: SocketAddr, token: &str) -> Connection {
        let sender = async {
            let stream = TcpStream::connect(server).await.ok()?;
            stream.set_nodelay(true).ok()?;
            let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.ok()?;
            tokio::spawn(connection);
            Some(sender)
        };
        Connection { sender: sender.await, authorization: format!("Bearer {token}") }
    }

    async fn get<T: DeserializeOwned>(&mut self, log: &mut Log, kind: Kind, path: &str) -> Option<T> {
        let request = self.request(Method::GET, path).body(Full::default());
        self.send(log, kind, request.expect("a valid request"), StatusCode::OK).await
    }

    async fn post<T: DeserializeOwned>(
        &mut self,
        log: &mut Log,
        kind: Kind,
        path: &str,
        idempotency_key: &str,
        body: &impl Serialize,
    ) -> Option<T> {
        let request = self
            .request(Method::POST, path)
            .header(CONTENT_TYPE, "application/json")
            .header("idempotency-key", idempotency_key)
            .body(Full::new(serde_json::to_vec(body).expect("a request serializes").into()));
        let expected = if kind == Kind::Issue { StatusCode::CREATED } else { StatusCode::OK };
        self.send(log, kind, request.expect("a valid request"), expected).await
    }

    fn request(&self, method: Method, path: &str) -> hyper::http::request::Builder {
        Request::builder().method(method).uri(path).header(HOST, "127.0.0.1").header(AUTHORIZATION, &self.authorization)
    }

    /// Sends the request and logs its time; answers the body if the status is `expected`.
    async fn send<T: DeserializeOwned>(
        &mut self,
        log: &mut Log,
        kind: Kind,
        request: Request<Full<Bytes>>,
        expected: StatusCode,
    ) -> Option<T> {
        let started = Instant::now();
        let answer = match &mut self.sender {
            None => Err("no connection".to_owned()),
            Some(sender) => {
                async {
                    let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
                    let status = response.status();
                    let body = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
                    Ok((status, body))
                }
                .await
            }
        };
        let tally = log.tallies.entry(kind).or_default();
        tally.micros.push(started.elapsed().as_micros() as u32);
        let failure = match answer {
            Ok((status, body)) if status == expected => match serde_json::from_slice(&body) {
                Ok(value) => return Some(value),
                Err(e) => format!("{status} with an unexpected body: {e}"),
            },
            Ok((status, body)) => format!("{status}: {}", String::from_utf8_lossy(&body)),
            Err(e) => e,
        };
        tally.errors += 1;
        tally.first_error.get_or_insert(failure);
        None
    }
}

/// What a kiosk's threads saw.
#[derive(Default)]
struct Log {
    tallies: BTreeMap<Kind, Tally>,
    /// (China day, number) of each ticket issued or redeemed for.
    numbers: Vec<(i64, String)>,
}

#[derive(Default)]
struct Tally {
    micros: Vec<u32>,
    errors: u64,
    first_error: Option<String>,
}

impl Log {
    fn merge(&mut self, other: Log) {
        for (kind, theirs) in other.tallies {
            let ours = self.tallies.entry(kind).or_default();
            ours.micros.extend(theirs.micros);
            ours.errors += theirs.errors;
            ours.first_error = ours.first_error.take().or(theirs.first_error);
        }
        self.numbers.extend(other.numbers);
    }

    fn figures(mut self, elapsed: Duration, cpu: Cpu) -> Figures {
        let seconds = elapsed.as_secs_f64();
        let unique: HashSet<&(i64, String)> = self.numbers.iter().collect();
        let duplicates = self.numbers.len() - unique.len();
        let mut first_errors = Vec::new();
        let kinds: BTreeMap<Kind, KindFigures> = Kind::ALL
            .into_iter()
            .map(|kind| {
                let tally = self.tallies.remove(&kind).unwrap_or_default();
                let mut micros = tally.micros;
                micros.sort_unstable();
                let at = |q: f64| {
                    let i = ((micros.len() as f64 * q).ceil() as usize).clamp(1, micros.len().max(1)) - 1;
                    Duration::from_micros(micros.get(i).copied().unwrap_or(0).into())
                };
                if let Some(error) = tally.first_error {
                    first_errors.push(format!("{}: {error}", kind.name()));
                }
                let figures = KindFigures {
                    count: micros.len(),
                    per_second: micros.len() as f64 / seconds,
                    p50: at(0.50),
                    p90: at(0.90),
                    p99: at(0.99),
                    max: at(1.0),
                    errors: tally.errors,
                };
                (kind, figures)
            })
            .collect();
        let issued = kinds[&Kind::Issue].count as u64 - kinds[&Kind::Issue].errors;
        Figures {
            elapsed,
            tickets_per_second: issued as f64 / seconds,
            errors: kinds.values().map(|k| k.errors).sum(),
            kinds,
            duplicates,
            first_errors,
            cpu,
        }
    }
}

/// `service-api serve` on the database, on a free loopback port; killed when dropped.
struct Server {
    child: Child,
    address: SocketAddr,
}

impl Server {
    fn start(db_url: &str, key_file: &std::path::Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_service-api"))
            .args(["serve", "--db", db_url, "--listen", "127.0.0.1:0", "--receipt-key"])
            .arg(key_file)
            .stdout(Stdio::piped())
            .spawn()
            .expect("service-api starts");
        // It says where it listens once it does: "service-api listening on http://ADDRESS".
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("its stdout")).read_line(&mut line).expect("service-api says");
        let address = line
            .trim()
            .rsplit_once("http://")
            .and_then(|(_, address)| address.parse().ok())
            .unwrap_or_else(|| panic!("service-api did not say where it listens: {line:?}"));
        Server { child, address }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU time so far, in clock ticks (1/100 s): the server's, the bench's, PostgreSQL's
/// processes', the machine's.
struct CpuClock {
    server: u64,
    bench: u64,
    postgres: u64,
    machine: u64,
}

impl CpuClock {
    fn read(server: u32) -> CpuClock {
        let read = |file: &str| std::fs::read_to_string(file).unwrap_or_default();
        // After the ")" that ends the process's name: the state is the 3rd field, utime and
        // stime the 14th and 15th.
        let process = |stat: &str| -> (bool, u64) {
            let (name, rest) = stat.rsplit_once(')').unwrap_or_default();
            let ticks = rest.split_whitespace().skip(11).take(2).map(|t| t.parse::<u64>().unwrap_or(0)).sum();
            (name.ends_with("(postgres"), ticks)
        };
        let postgres = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| process(&read(&format!("{}/stat", entry.path().display()))))
            .filter_map(|(is_postgres, ticks)| is_postgres.then_some(ticks))
            .sum();
        // The first line of /proc/stat: cpu user nice system idle iowait irq softirq steal ...
        let ticks: Vec<u64> = read("/proc/stat")
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .map(|ticks| ticks.parse().unwrap_or(0))
            .collect();
        CpuClock {
            server: process(&read(&format!("/proc/{server}/stat"))).1,
            bench: process(&read("/proc/self/stat")).1,
            postgres,
            machine: [0, 1, 2, 5, 6].iter().filter_map(|&i| ticks.get(i)).sum(),
        }
    }

    fn since(&self, before: &CpuClock) -> Cpu {
        let seconds = |ticks: u64| ticks as f64 / 100.0;
        let server = self.server - before.server;
        let bench = self.bench - before.bench;
        // A backend that ended during the run takes its ticks with it: never below 0.
        let postgres = self.postgres.saturating_sub(before.postgres);
        Cpu {
            server: seconds(server),
            bench: seconds(bench),
            postgres: seconds(postgres),
            others: seconds((self.machine - before.machine).saturating_sub(server + bench + postgres)),
        }
    }
}
