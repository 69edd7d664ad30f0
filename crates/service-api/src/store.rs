//! The database: opening and migrating it, the demo seed, tokens, the catalog and saved
//! idempotent answers. Every statement is plain SQL that runs on SQLite and PostgreSQL alike.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, AnyPool};

use crate::access::Role;
use crate::error::{Context, Error, Failure};
use contract::model::{Bilingual, Catalog, Category, Service, Window};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

/// A handle on the service database; cheap to clone (it is a connection pool).
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) pool: AnyPool,
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
    let db = Db { pool };
    db.seed().await.context("cannot seed the database")?;
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

/// The day number (days since 1970-01-01) in China time (UTC+8), which numbers restart on.
pub(crate) fn china_day(unix_ms: i64) -> i64 {
    (unix_ms + 8 * 3_600_000).div_euclid(86_400_000)
}

/// `YYYY-MM-DD HH:MM` in China time, for messages to residents.
pub fn china_time(unix_secs: i64) -> String {
    let day = china_day(unix_secs * 1000);
    let minute_of_day = (unix_secs + 8 * 3600).rem_euclid(86_400) / 60;
    // Civil date from a day number: Howard Hinnant's days_from_civil, inverted.
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day_of_month = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day_of_month:02} {:02}:{:02}", minute_of_day / 60, minute_of_day % 60)
}

/// A saved answer to a POST with an Idempotency-Key.
pub(crate) struct SavedAnswer {
    pub path: String,
    pub status: u16,
    pub body: String,
}

impl Db {
    /// Seeds the demo catalog and windows, each only into empty tables.
    async fn seed(&self) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let services: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM services").fetch_one(&mut *tx).await?;
        if services == 0 {
            let catalog: Catalog = serde_json::from_str(include_str!("../seed/catalog.json"))
                .expect("seed/catalog.json matches model::Catalog");
            seed_catalog(&mut tx, &catalog).await?;
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
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(|(role, name)| Some((Role::parse(&role)?, name))))
    }

    pub(crate) async fn ping(&self) -> Result<(), Failure> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub(crate) async fn catalog(&self) -> Result<Catalog, Failure> {
        let categories: Vec<(String, String, String)> =
            sqlx::query_as("SELECT code, name_zh, name_en FROM categories ORDER BY position")
                .fetch_all(&self.pool)
                .await?;
        let bodies: Vec<String> =
            sqlx::query_scalar("SELECT body FROM services ORDER BY position").fetch_all(&self.pool).await?;
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
            .fetch_optional(&self.pool)
            .await?;
        Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
    }

    pub(crate) async fn saved_answer(&self, token_hash: &str, key: &str) -> Result<Option<SavedAnswer>, Failure> {
        let row: Option<(String, i64, String)> = sqlx::query_as(
            "SELECT path, status, body FROM idempotency_keys WHERE token_hash = $1 AND idempotency_key = $2",
        )
        .bind(token_hash)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(path, status, body)| SavedAnswer { path, status: status as u16, body }))
    }

    pub(crate) async fn save_answer(
        &self,
        token_hash: &str,
        key: &str,
        method: &str,
        answer: &SavedAnswer,
    ) -> Result<(), Failure> {
        sqlx::query(
            "INSERT INTO idempotency_keys (token_hash, idempotency_key, method, path, status, body, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(token_hash)
        .bind(key)
        .bind(method)
        .bind(&answer.path)
        .bind(answer.status as i64)
        .bind(&answer.body)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
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

    #[test]
    fn china_time_is_beijing_wall_clock() {
        assert_eq!(china_time(0), "1970-01-01 08:00");
        // 2024-02-29 16:30 UTC: a leap day, already 00:30 on 1 March in Beijing.
        assert_eq!(china_time(1_709_224_200), "2024-03-01 00:30");
        assert_eq!(china_time(1_800_000_000), "2027-01-15 16:00");
    }

    #[test]
    fn china_day_turns_at_midnight_beijing_time() {
        // 2024-01-01 15:59:59.999 UTC is 23:59:59.999 in Beijing; a millisecond later, the next day.
        let before = 1_704_124_799_999;
        assert_eq!(china_day(before) + 1, china_day(before + 1));
    }
}
