//! The database: opening and migrating it, the demo seed, tokens, the catalog and saved
//! idempotent answers. Every statement is plain SQL that runs on SQLite and PostgreSQL alike.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::any::AnyPoolOptions;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard};

use crate::access::Role;
use crate::applications::seed_demo_applications;
use crate::error::{Context, Error, Failure};
use crate::evaluations::seed_demo_ratings;
use contract::model::{Bilingual, Catalog, Category, Service, Window};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// How long a saved answer to an Idempotency-Key is kept: a retry within it gets the first
/// answer, a key used again after it is a new request. Expired answers are deleted when the
/// database is opened and when their key comes again.
pub(crate) const ANSWER_HOURS: i64 = 24;

/// A handle on the service database; cheap to clone (it is a connection pool). A request's
/// handle ([`Db::begin_request`]) runs every statement in that request's one transaction.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    /// How a request's transaction begins. SQLite takes the write lock at once: a transaction
    /// that read first and then wanted to write would otherwise fail at once with "database is
    /// locked" when another request wrote meanwhile, instead of waiting its turn.
    begin: &'static str,
    request: Option<Arc<Mutex<Option<Transaction<'static, Any>>>>>,
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db").field("pool", &self.pool).field("request", &self.request.is_some()).finish()
    }
}

/// The connection a statement runs on: one from the pool, or the request's transaction.
pub(crate) enum Conn<'a> {
    Pooled(PoolConnection<Any>),
    Request(MappedMutexGuard<'a, Transaction<'static, Any>>),
}

impl Deref for Conn<'_> {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            Conn::Pooled(conn) => conn,
            Conn::Request(tx) => tx,
        }
    }
}

impl DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Conn::Pooled(conn) => conn,
            Conn::Request(tx) => tx,
        }
    }
}

/// Turns a `--db` argument into a sqlx URL: URLs pass through, anything else is taken as the
/// path of a SQLite file, created if missing.
pub fn database_url(db: &str) -> String {
    match sqlite_file(db) {
        Some(_) => format!("sqlite://{db}?mode=rwc"),
        None => db.to_owned(),
    }
}

/// The SQLite file a `--db` argument names, unless it is a URL.
pub fn sqlite_file(db: &str) -> Option<&Path> {
    let is_url = db.contains("://") || db.starts_with("sqlite:");
    (!is_url).then(|| Path::new(db))
}

/// Opens (creating if needed) the database at a sqlx URL (`sqlite://path?mode=rwc` or
/// `postgres://...`), runs migrations, seeds the demo catalog and windows when empty.
pub async fn open_database(url: &str) -> Result<Db, Error> {
    sqlx::any::install_default_drivers();
    // SQLite takes one writer at a time: a few connections, each waiting on a busy database
    // (sqlx's default busy timeout is 5 s), serve concurrent requests without SQLITE_BUSY.
    let max_connections = if url.starts_with("sqlite:") { 4 } else { 16 };
    let pool = AnyPoolOptions::new()
        .max_connections(max_connections)
        .connect(url)
        .await
        .context(format!("cannot open database {}", redacted(url)))?;
    MIGRATOR.run(&pool).await.context("cannot migrate the database")?;
    let begin = if url.starts_with("sqlite:") { "BEGIN IMMEDIATE" } else { "BEGIN" };
    let db = Db { pool, begin, request: None };
    db.seed().await.context("cannot seed the database")?;
    db.forget_expired_answers().await.context("cannot delete expired idempotent answers")?;
    Ok(db)
}

/// Adds (or replaces) a bearer token with a role and a name (e.g. kiosk id).
/// A name has one token per role: adding a new one revokes the old. Only a SHA-256 hash of
/// the token is stored.
pub async fn add_token(db: &Db, role: Role, name: &str, token: &str) -> Result<(), Error> {
    if token.trim().is_empty() {
        return Err(Error::new("a token must not be empty"));
    }
    db.replace_token(role, name, &hash_token(token)).await.context(format!("cannot add the {role} token of {name}"))
}

/// The URL without its password, for messages.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.rsplit_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

pub(crate) fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// `bytes` random bytes as lowercase hex: ticket ids and generated tokens.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// Unix seconds, as receipts count time.
pub(crate) fn now_secs() -> u32 {
    (now_ms() / 1000) as u32
}

/// A POST with an Idempotency-Key, as its saved answer knows it: whose (the token's hash),
/// under which key, what it is, and its hash (of its method, path and body).
pub(crate) struct KeyedRequest {
    pub token_hash: String,
    pub key: String,
    pub method: String,
    pub path: String,
    pub request_hash: String,
}

/// A saved answer to a POST with an Idempotency-Key, and the hash of the request it answered.
pub(crate) struct SavedAnswer {
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

impl Db {
    /// The connection for the next statement: the request's transaction, or one from the pool.
    pub(crate) async fn conn(&self) -> Result<Conn<'_>, sqlx::Error> {
        match &self.request {
            None => Ok(Conn::Pooled(self.pool.acquire().await?)),
            Some(request) => MutexGuard::try_map(request.lock().await, Option::as_mut)
                .map(Conn::Request)
                .map_err(|_| sqlx::Error::Protocol("the request's transaction is already over".into())),
        }
    }

    /// A handle for one request: all its statements run in one new transaction, which ends
    /// with [`Db::commit`] (or is rolled back when the last clone is dropped).
    pub(crate) async fn begin_request(&self) -> Result<Db, sqlx::Error> {
        let transaction = self.pool.begin_with(self.begin).await?;
        Ok(Db { pool: self.pool.clone(), begin: self.begin, request: Some(Arc::new(Mutex::new(Some(transaction)))) })
    }

    /// Commits the request's transaction.
    pub(crate) async fn commit(&self) -> Result<(), sqlx::Error> {
        let transaction = match &self.request {
            Some(request) => request.lock().await.take(),
            None => None,
        };
        transaction.ok_or_else(|| sqlx::Error::Protocol("no request transaction to commit".into()))?.commit().await
    }

    /// Rolls the request's transaction back.
    pub(crate) async fn rollback(&self) -> Result<(), sqlx::Error> {
        let transaction = match &self.request {
            Some(request) => request.lock().await.take(),
            None => None,
        };
        match transaction {
            Some(transaction) => transaction.rollback().await,
            None => Ok(()),
        }
    }

    /// Seeds the demo catalog and windows, each only into empty tables; with the catalog, the
    /// demo's applications and ratings.
    async fn seed(&self) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let services: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM services").fetch_one(&mut *tx).await?;
        if services == 0 {
            let catalog: Catalog = serde_json::from_str(include_str!("../seed/catalog.json"))
                .expect("seed/catalog.json matches model::Catalog");
            seed_catalog(&mut tx, &catalog).await?;
            // With the demo catalog only: a center's own database never gets made-up
            // applications or ratings, even when a new version adds their tables.
            seed_demo_applications(&mut tx, now_ms()).await?;
            seed_demo_ratings(&mut tx, now_ms()).await?;
        }
        let windows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM windows").fetch_one(&mut *tx).await?;
        if windows == 0 {
            let windows: Vec<Window> = serde_json::from_str(include_str!("../seed/windows.json"))
                .expect("seed/windows.json matches model::Window");
            seed_windows(&mut tx, &windows).await?;
        }
        tx.commit().await
    }

    async fn replace_token(&self, role: Role, name: &str, token_hash: &str) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM tokens WHERE role = $1 AND name = $2")
            .bind(role.as_str())
            .bind(name)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO tokens (token_hash, role, name, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (token_hash) DO UPDATE SET role = excluded.role, name = excluded.name",
        )
        .bind(token_hash)
        .bind(role.as_str())
        .bind(name)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// The role and name of a token, given its hash.
    pub(crate) async fn token(&self, token_hash: &str) -> Result<Option<(Role, String)>, Failure> {
        let row: Option<(String, String)> = sqlx::query_as("SELECT role, name FROM tokens WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.and_then(|(role, name)| Some((Role::parse(&role)?, name))))
    }

    pub(crate) async fn ping(&self) -> Result<(), Failure> {
        sqlx::query("SELECT 1").execute(&mut *self.conn().await?).await?;
        Ok(())
    }

    pub(crate) async fn catalog(&self) -> Result<Catalog, Failure> {
        let categories: Vec<(String, String, String)> =
            sqlx::query_as("SELECT code, name_zh, name_en FROM categories ORDER BY position")
                .fetch_all(&mut *self.conn().await?)
                .await?;
        let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM services ORDER BY position")
            .fetch_all(&mut *self.conn().await?)
            .await?;
        Ok(Catalog {
            categories: categories
                .into_iter()
                .map(|(code, zh, en)| Category { code, name: Bilingual { zh, en } })
                .collect(),
            services: bodies.iter().map(|b| serde_json::from_str(b)).collect::<Result<_, _>>()?,
        })
    }

    pub(crate) async fn service(&self, code: &str) -> Result<Service, Failure> {
        self.find_service(code).await?.ok_or_else(|| Failure::UnknownService(code.to_owned()))
    }

    /// The service with this code, if the catalog has it.
    pub(crate) async fn find_service(&self, code: &str) -> Result<Option<Service>, Failure> {
        let body: Option<String> = sqlx::query_scalar("SELECT body FROM services WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
    }

    /// Saves the answer to an Idempotency-Key, in the request's transaction, unless the key
    /// already has one that has not expired: then answers false, and the request's work is to
    /// be rolled back. An insert of a key that another transaction is saving waits for it.
    pub(crate) async fn save_answer(&self, request: &KeyedRequest, status: u16, body: &[u8]) -> Result<bool, Failure> {
        let saved = sqlx::query(
            "INSERT INTO idempotency_keys
                 (token_hash, idempotency_key, method, path, request_hash, status, body, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (token_hash, idempotency_key) DO UPDATE SET method = excluded.method, path = excluded.path,
                 request_hash = excluded.request_hash, status = excluded.status, body = excluded.body,
                 created_at = excluded.created_at
             WHERE idempotency_keys.created_at < $9",
        )
        .bind(&request.token_hash)
        .bind(&request.key)
        .bind(&request.method)
        .bind(&request.path)
        .bind(&request.request_hash)
        .bind(i64::from(status))
        .bind(String::from_utf8_lossy(body).into_owned())
        .bind(now_ms())
        .bind(answers_expire_before())
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(saved.rows_affected() == 1)
    }

    /// The answer saved for an Idempotency-Key, if it has one that has not expired.
    pub(crate) async fn saved_answer(&self, request: &KeyedRequest) -> Result<Option<SavedAnswer>, Failure> {
        let saved: Option<(String, i64, String)> = sqlx::query_as(
            "SELECT request_hash, status, body FROM idempotency_keys
             WHERE token_hash = $1 AND idempotency_key = $2 AND created_at >= $3",
        )
        .bind(&request.token_hash)
        .bind(&request.key)
        .bind(answers_expire_before())
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        saved
            .map(|(request_hash, status, body)| {
                Ok(SavedAnswer { request_hash, status: u16::try_from(status).map_err(Failure::internal)?, body })
            })
            .transpose()
    }

    /// Deletes the expired answers of one token, in the request's transaction: for a caller
    /// that sends a POST every minute (a kiosk's heartbeat), so that its saved answers stay
    /// about a day's worth between restarts.
    pub(crate) async fn forget_expired_answers_of(&self, token_hash: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM idempotency_keys WHERE token_hash = $1 AND created_at < $2")
            .bind(token_hash)
            .bind(answers_expire_before())
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }

    async fn forget_expired_answers(&self) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(answers_expire_before())
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }
}

/// Answers saved before this time (unix milliseconds) have expired.
fn answers_expire_before() -> i64 {
    now_ms() - ANSWER_HOURS * 3_600_000
}

// ON CONFLICT DO NOTHING: two servers opening one fresh database at once both seed safely.
async fn seed_catalog(conn: &mut AnyConnection, catalog: &Catalog) -> Result<(), sqlx::Error> {
    for (position, c) in catalog.categories.iter().enumerate() {
        sqlx::query(
            "INSERT INTO categories (code, position, name_zh, name_en) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(&c.code)
        .bind(position as i64)
        .bind(&c.name.zh)
        .bind(&c.name.en)
        .execute(&mut *conn)
        .await?;
    }
    for (position, s) in catalog.services.iter().enumerate() {
        sqlx::query("INSERT INTO services (code, position, body) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(&s.code)
            .bind(position as i64)
            .bind(serde_json::to_string(s).expect("a service serializes"))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn seed_windows(conn: &mut AnyConnection, windows: &[Window]) -> Result<(), sqlx::Error> {
    for w in windows {
        sqlx::query(
            "INSERT INTO windows (number, name_zh, name_en, is_open) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(w.number)
        .bind(&w.name.zh)
        .bind(&w.name.en)
        .bind(w.open as i64)
        .execute(&mut *conn)
        .await?;
        for code in &w.services {
            sqlx::query(
                "INSERT INTO window_services (window_number, service_code) VALUES ($1, $2)
                 ON CONFLICT DO NOTHING",
            )
            .bind(w.number)
            .bind(code)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls() {
        assert_eq!(database_url("data/center.db"), "sqlite://data/center.db?mode=rwc");
        assert_eq!(database_url("postgres://db/center"), "postgres://db/center");
        assert_eq!(redacted("postgres://sa:secret@db:5432/center"), "postgres://sa:***@db:5432/center");
        assert_eq!(redacted("postgres://sa@db/center"), "postgres://sa@db/center");
    }
}
