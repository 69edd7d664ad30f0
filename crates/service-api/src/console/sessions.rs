//! Signed-in sessions: a random id in an HttpOnly cookie, stored only as its hash, and the
//! session's CSRF token, which every form sends back.

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};

use super::accounts::Account;
use crate::error::Failure;
use crate::store::{hash_token, now_ms, random_hex, Db};

/// The cookie that holds the session's id.
pub(crate) const SESSION_COOKIE: &str = "console_session";

/// A session lasts a working day, then its staff member signs in again.
const SESSION_MS: i64 = 12 * 3_600_000;

/// A signed-in staff member's session, which the console's middleware gives each handler.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub account: Account,
    pub csrf: String,
    pub id_hash: String,
}

impl Db {
    /// Starts a session for an account; returns the id for its cookie. Expired sessions of
    /// anyone are deleted on the way.
    pub(crate) async fn start_session(&self, login: &str) -> Result<String, Failure> {
        let now = now_ms();
        sqlx::query("DELETE FROM staff_sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *self.conn().await?)
            .await?;
        let id = random_hex(32);
        sqlx::query("INSERT INTO staff_sessions (id_hash, login, csrf_token, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(hash_token(&id))
            .bind(login)
            .bind(random_hex(32))
            .bind(now + SESSION_MS)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(id)
    }

    /// The live session whose cookie holds `id`.
    pub(crate) async fn session(&self, id: &str) -> Result<Option<Session>, Failure> {
        let id_hash = hash_token(id);
        let row: Option<(String, String, String, Option<i64>, String)> = sqlx::query_as(
            "SELECT a.login, a.display_name, a.role, a.window_number, s.csrf_token
             FROM staff_sessions s JOIN staff_accounts a ON a.login = s.login
             WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(&id_hash)
        .bind(now_ms())
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        Ok(row.and_then(|(login, display_name, role, window_number, csrf)| {
            let account = Account { login, display_name, role: role.parse().ok()?, window_number };
            Some(Session { account, csrf, id_hash })
        }))
    }

    pub(crate) async fn end_session(&self, id_hash: &str) -> Result<(), Failure> {
        sqlx::query("DELETE FROM staff_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }
}

/// The value of the cookie `name` that the request sent.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// A console cookie: for the console's pages only, never readable by script nor sent from
/// another site's page, and over HTTPS only when the server answers HTTPS. `max_age` 0
/// deletes it.
pub(crate) fn console_cookie(name: &str, value: &str, max_age_secs: i64, https: bool) -> HeaderValue {
    let secure = if https { "; Secure" } else { "" };
    let cookie = format!("{name}={value}; Max-Age={max_age_secs}; Path=/console; HttpOnly; SameSite=Strict{secure}");
    HeaderValue::from_str(&cookie).expect("cookie values are hex")
}

/// The session cookie for a new session's id.
pub(crate) fn session_cookie(id: &str, https: bool) -> HeaderValue {
    console_cookie(SESSION_COOKIE, id, SESSION_MS / 1000, https)
}

/// Whether a token sent back equals the expected one, in time that does not depend on where
/// they differ.
pub(crate) fn same_token(sent: &str, expected: &str) -> bool {
    sent.len() == expected.len() && sent.bytes().zip(expected.bytes()).fold(0, |diff, (a, b)| diff | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_found_among_the_others_the_browser_sends() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("theme=dark; console_session=abc123 ;other=1"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc123"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn the_session_cookie_is_http_only_strict_and_secure_over_https() {
        let plain = session_cookie("abc", false);
        let plain = plain.to_str().unwrap();
        assert!(plain.starts_with("console_session=abc; "), "{plain}");
        for part in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
            assert!(plain.contains(part), "{plain}");
        }
        assert!(!plain.contains("Secure"), "{plain}");
        assert!(session_cookie("abc", true).to_str().unwrap().ends_with("; Secure"));
    }

    #[test]
    fn only_the_same_token_passes() {
        assert!(same_token("a1b2", "a1b2"));
        assert!(!same_token("a1b3", "a1b2"));
        assert!(!same_token("a1b", "a1b2"));
        assert!(!same_token("", "a1b2"));
    }
}
