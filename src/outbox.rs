//! The kiosk's outbox: the requests whose loss would lose what a resident did or leave
//! someone waiting for nobody ([`Effect::is_durable`]: staff calls, interpreter hang-ups,
//! service ratings).
//!
//! Each is written to a SQLite file in the kiosk's data folder, and synced, before its first
//! try; the [`Courier`] then sends it, with its own idempotency key, until the API answers
//! (a success or a refusal: either way the API has heard it), across network outages, kiosk
//! restarts and power loss. Every try's answer goes back to the core as the effect's event,
//! so the screen can say "kept, will be sent".
//!
//! What expires: a staff call not delivered within [`STAFF_CALL_EXPIRES_SECS`] is dropped
//! (and logged), since a staff member would walk to a kiosk whose resident is long gone.
//! Hang-ups never expire: ending a call twice is harmless, and an interpreter must not wait
//! for nobody. Ratings never expire either: the center must hear every one. Nothing personal
//! is kept but a low rating's call-back number, which is the point of that rating and is
//! deleted with the row once the API has it; a staff call is its reason, a hang-up a call id.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use contract::model::{NewEvaluation, StaffCallReason};
use contract::ApiFailure;
use kiosk_core::{Effect, Event};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use crate::effects::ServiceApi;

/// A staff call older than this is dropped undelivered: 30 minutes.
pub const STAFF_CALL_EXPIRES_SECS: i64 = 30 * 60;
/// Time between tries while the API does not answer.
pub const RETRY_EVERY: Duration = Duration::from_secs(5);

/// New requests written between two rounds of sending, at most.
const KEEP_AT_ONCE: usize = 64;

/// One kept request, as the API is asked for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    StaffCall {
        reason: StaffCallReason,
        idempotency_key: String,
    },
    /// The video closed: `end` the call.
    EndCall {
        call_id: String,
    },
    /// The resident left: cancel the call, or end it if an interpreter took it.
    HangUp {
        call_id: String,
    },
    Evaluation {
        request: NewEvaluation,
        idempotency_key: String,
    },
}

impl Request {
    /// The durable effect as a request to keep; `None` for any other effect.
    pub fn from_effect(effect: Effect) -> Option<Request> {
        match effect {
            Effect::SendStaffCall { reason, idempotency_key } => Some(Request::StaffCall { reason, idempotency_key }),
            Effect::EndInterpreterCall { id } => Some(Request::EndCall { call_id: id }),
            Effect::HangUp { id } => Some(Request::HangUp { call_id: id }),
            Effect::SendEvaluation { request, idempotency_key } => {
                Some(Request::Evaluation { request, idempotency_key })
            }
            _ => None,
        }
    }

    /// One row per action: a staff call by its idempotency key, a hang-up by its call.
    pub fn key(&self) -> String {
        match self {
            Request::StaffCall { idempotency_key, .. } => format!("staff-call:{idempotency_key}"),
            Request::EndCall { call_id } | Request::HangUp { call_id } => format!("hang-up:{call_id}"),
            Request::Evaluation { idempotency_key, .. } => format!("evaluation:{idempotency_key}"),
        }
    }

    /// Tries it once: the core's event for the answer, and whether the API heard it.
    fn send(&self, api: &dyn ServiceApi) -> (Event, bool) {
        let heard = |failure: Option<&ApiFailure>| !matches!(failure, Some(ApiFailure::Unreachable(_)));
        match self {
            Request::StaffCall { reason, idempotency_key } => {
                let result = api.call_staff(*reason, idempotency_key);
                let heard = heard(result.as_ref().err());
                (Event::StaffCallAnswered { idempotency_key: idempotency_key.clone(), result }, heard)
            }
            Request::EndCall { call_id } => {
                let result = api.move_interpreter_call(call_id, "end");
                let heard = heard(result.as_ref().err());
                (Event::CallHungUp(result), heard)
            }
            Request::HangUp { call_id } => {
                let result = api.hang_up(call_id);
                let heard = heard(result.as_ref().err());
                (Event::CallHungUp(result), heard)
            }
            Request::Evaluation { request, idempotency_key } => {
                let result = api.evaluate(request, idempotency_key);
                let heard = heard(result.as_ref().err());
                (Event::EvaluationSent(result), heard)
            }
        }
    }
}

/// The file of kept requests.
pub struct Outbox {
    db: Connection,
}

#[derive(Debug)]
pub struct OutboxError(pub String);

impl std::fmt::Display for OutboxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "outbox: {}", self.0)
    }
}

impl From<rusqlite::Error> for OutboxError {
    fn from(e: rusqlite::Error) -> OutboxError {
        OutboxError(e.to_string())
    }
}

impl Outbox {
    /// The outbox in `data_dir` (`outbox.sqlite`), created if missing.
    pub fn open_in(data_dir: &Path) -> Result<Outbox, OutboxError> {
        std::fs::create_dir_all(data_dir).map_err(|e| OutboxError(format!("{}: {e}", data_dir.display())))?;
        Outbox::open(&data_dir.join("outbox.sqlite"))
    }

    pub fn open(path: &Path) -> Result<Outbox, OutboxError> {
        let db = Connection::open(path)?;
        // WAL with a full sync at each commit: a request written is on the disk, whatever
        // kills the kiosk next, and a write cut short is rolled back at the next open.
        db.pragma_update_and_check(None, "journal_mode", "wal", |_| Ok(()))?;
        db.pragma_update(None, "synchronous", "full")?;
        // A delivered row is overwritten, not just unlinked: a call-back number must not
        // linger in a free page of the file.
        db.pragma_update(None, "secure_delete", "on")?;
        db.busy_timeout(Duration::from_secs(5))?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS outbox (
                 key TEXT PRIMARY KEY,
                 request TEXT NOT NULL,
                 kept_at INTEGER NOT NULL
             )",
        )?;
        Ok(Outbox { db })
    }

    /// An outbox that lasts as long as the kiosk runs: for a data folder that cannot be
    /// written, so that the kiosk still works.
    pub fn in_memory() -> Outbox {
        Outbox::open(Path::new(":memory:")).expect("an in-memory SQLite database")
    }

    /// Writes the request, once however often it is kept; returns when it is on the disk.
    pub fn keep(&self, request: &Request) -> Result<(), OutboxError> {
        let json = serde_json::to_string(request).map_err(|e| OutboxError(e.to_string()))?;
        self.db.execute(
            "INSERT INTO outbox (key, request, kept_at) VALUES (?1, ?2, ?3) ON CONFLICT (key) DO NOTHING",
            params![request.key(), json, now_secs()],
        )?;
        Ok(())
    }

    /// The requests still to send, oldest first.
    pub fn waiting(&self) -> Result<Vec<Request>, OutboxError> {
        let mut rows = self.db.prepare("SELECT request FROM outbox ORDER BY kept_at, rowid")?;
        let jsons = rows.query_map([], |row| row.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
        // A row this version cannot read (written by a newer kiosk) is left for that kiosk.
        Ok(jsons.iter().filter_map(|json| serde_json::from_str(json).ok()).collect())
    }

    /// The API heard it: gone from the outbox.
    pub fn sent(&self, request: &Request) -> Result<(), OutboxError> {
        self.db.execute("DELETE FROM outbox WHERE key = ?1", params![request.key()])?;
        // The write-ahead log still holds the row as it was written: empty it.
        self.db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Drops the staff calls kept longer than [`STAFF_CALL_EXPIRES_SECS`] at `now` (unix
    /// seconds); returns them.
    pub fn drop_expired(&self, now: i64) -> Result<Vec<Request>, OutboxError> {
        let expired: Vec<Request> = {
            let mut rows =
                self.db.prepare("SELECT request FROM outbox WHERE key LIKE 'staff-call:%' AND kept_at < ?1")?;
            let jsons = rows
                .query_map(params![now - STAFF_CALL_EXPIRES_SECS], |row| row.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            jsons.iter().filter_map(|json| serde_json::from_str(json).ok()).collect()
        };
        for request in &expired {
            self.sent(request)?;
        }
        Ok(expired)
    }
}

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Sends the outbox's requests on a thread of its own: each new one is written first, then
/// everything waiting is tried in order; after a try the API did not answer, again every
/// [`RETRY_EVERY`].
pub struct Courier {
    new_requests: mpsc::Sender<Request>,
    /// How many requests wait to be sent, after the last try.
    backlog: Arc<AtomicUsize>,
}

impl Courier {
    /// Starts sending what `outbox` holds (requests from before a restart first); answers go
    /// to `answers` as the core's events.
    pub fn start(outbox: Outbox, api: Arc<dyn ServiceApi>, answers: mpsc::Sender<Event>) -> Courier {
        let (new_requests, requests) = mpsc::channel();
        let backlog = Arc::new(AtomicUsize::new(0));
        let counted = backlog.clone();
        std::thread::Builder::new()
            .name("outbox".into())
            .spawn(move || deliver(outbox, api.as_ref(), requests, answers, &counted))
            .expect("start the outbox's thread");
        Courier { new_requests, backlog }
    }

    /// How many requests wait to be sent, after the last try (for the heartbeat).
    pub fn backlog(&self) -> Arc<AtomicUsize> {
        self.backlog.clone()
    }

    /// Keeps the durable effect and sends it.
    pub fn keep(&self, effect: Effect) {
        if let Some(request) = Request::from_effect(effect) {
            let _ = self.new_requests.send(request);
        }
    }
}

fn deliver(
    outbox: Outbox,
    api: &dyn ServiceApi,
    requests: mpsc::Receiver<Request>,
    answers: mpsc::Sender<Event>,
    backlog: &AtomicUsize,
) {
    // Requests the disk refused (full, read-only): still sent, from memory.
    let mut unwritten: Vec<Request> = Vec::new();
    let mut wait = Duration::ZERO;
    loop {
        let first = match requests.recv_timeout(wait) {
            Ok(request) => Some(request),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            // The kiosk is closing; what is kept is sent after the next start.
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        // What came meanwhile, but not without end: a flood of new requests must not keep
        // the waiting ones from being sent.
        for request in first.into_iter().chain(requests.try_iter().take(KEEP_AT_ONCE)) {
            if let Err(e) = outbox.keep(&request) {
                eprintln!("kiosk: {e}; sending {} from memory only", request.key());
                unwritten.push(request);
            }
        }
        match outbox.drop_expired(now_secs()) {
            Ok(expired) => expired
                .iter()
                .for_each(|r| eprintln!("kiosk: outbox: dropped {} undelivered after 30 minutes", r.key())),
            Err(e) => eprintln!("kiosk: {e}"),
        }
        let waiting = outbox.waiting().unwrap_or_else(|e| {
            eprintln!("kiosk: {e}");
            Vec::new()
        });
        let mut unheard = 0;
        for request in waiting {
            let (answer, heard) = request.send(api);
            if heard {
                if let Err(e) = outbox.sent(&request) {
                    eprintln!("kiosk: {e}");
                }
            }
            let _ = answers.send(answer);
            unheard += usize::from(!heard);
        }
        unwritten.retain(|request| {
            let (answer, heard) = request.send(api);
            let _ = answers.send(answer);
            !heard
        });
        backlog.store(unheard + unwritten.len(), Ordering::Relaxed);
        let all_heard = unheard == 0 && unwritten.is_empty();
        wait = if all_heard { Duration::from_secs(3600) } else { RETRY_EVERY };
    }
}
