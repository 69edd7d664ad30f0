//! Staff accounts: who signs in to the console, with which [`StaffRole`], and the password
//! check with its limit on wrong guesses.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use contract::string_enum;
use rand::RngCore;

use crate::error::{Error, Failure};
use crate::store::{now_ms, Db};

string_enum! {
    /// What a staff member does in the center, which decides the console pages they see.
    #[derive(clap::ValueEnum)]
    pub enum StaffRole {
        #[value(name = "window_clerk")]
        WindowClerk = "window_clerk",
        Interpreter = "interpreter",
        Reviewer = "reviewer",
        Supervisor = "supervisor",
        Admin = "admin",
    }
}

impl StaffRole {
    /// The role's name (zh, en), as pages show it.
    pub(crate) fn name(self) -> (&'static str, &'static str) {
        match self {
            StaffRole::WindowClerk => ("窗口工作人员", "Window clerk"),
            StaffRole::Interpreter => ("手语翻译员", "Sign-language interpreter"),
            StaffRole::Reviewer => ("认证审核员", "Face-auth reviewer"),
            StaffRole::Supervisor => ("值班主任", "Supervisor"),
            StaffRole::Admin => ("系统管理员", "Administrator"),
        }
    }
}

/// The fewest characters of a password: with the sign-in limit, enough against guessing.
pub(crate) const MIN_PASSWORD_CHARS: usize = 8;

/// Wrong passwords for one login within [`FAILURE_WINDOW_MS`] before sign-in is refused.
pub(crate) const MAX_FAILURES: i64 = 5;

/// The window of the sign-in limit: 15 minutes.
pub(crate) const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;

/// A staff account as the console uses it (never its password hash).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct Account {
    pub login: String,
    pub display_name: String,
    #[sqlx(try_from = "String")]
    pub role: StaffRole,
    pub window_number: Option<i64>,
}

impl TryFrom<String> for StaffRole {
    type Error = String;

    fn try_from(role: String) -> Result<Self, String> {
        role.parse()
    }
}

/// A new staff account, as the admin page or `service-api account add` gives it.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub login: String,
    pub display_name: String,
    pub role: StaffRole,
    /// A window clerk's window; for no other role.
    pub window_number: Option<i64>,
    pub password: String,
}

impl NewAccount {
    /// What is wrong with it (zh, en), if anything.
    pub(crate) fn problem(&self) -> Option<(String, String)> {
        let say = |zh: &str, en: &str| Some((zh.to_owned(), en.to_owned()));
        let login_chars = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
        if self.login.is_empty() || self.login.len() > 64 || !self.login.chars().all(login_chars) {
            return say("登录名须为1到64个英文字母、数字或 . _ -", "A login is 1 to 64 letters, digits or . _ -");
        }
        if self.display_name.trim().is_empty() || self.display_name.chars().count() > 64 {
            return say("姓名须为1到64个字", "A display name is 1 to 64 characters");
        }
        if self.password.chars().count() < MIN_PASSWORD_CHARS {
            return Some((
                format!("密码至少{MIN_PASSWORD_CHARS}个字符"),
                format!("A password has at least {MIN_PASSWORD_CHARS} characters"),
            ));
        }
        if self.window_number.is_some() && self.role != StaffRole::WindowClerk {
            return say("只有窗口工作人员有窗口号", "Only a window clerk has a window number");
        }
        None
    }
}

/// How a sign-in went.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SignIn {
    SignedIn(Account),
    WrongPassword,
    /// Too many wrong passwords lately: refused, whatever the password, until this time
    /// (unix milliseconds).
    Locked {
        until: i64,
    },
}

/// The Argon2id hash of a password, with a fresh random salt, as a PHC string.
fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2's defaults hash any password")
        .to_string()
}

fn password_matches(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// Argon2 costs tens of milliseconds of CPU on purpose: off the async workers.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, Failure> {
    tokio::task::spawn_blocking(work).await.map_err(Failure::internal)
}

/// Why an account cannot be added (zh, en).
pub(crate) type Refusal = (String, String);

/// Adds a staff account, for the first admin from the command line (`service-api account add`).
pub async fn add_account(db: &Db, new: &NewAccount) -> Result<(), Error> {
    db.add_account(new).await?.map_err(|(_, en)| Error::new(en))
}

impl Db {
    /// Adds an account, unless it is refused: a [`NewAccount::problem`], a window that does
    /// not exist, a login taken.
    pub(crate) async fn add_account(&self, new: &NewAccount) -> Result<Result<(), Refusal>, Failure> {
        if let Some(problem) = new.problem() {
            return Ok(Err(problem));
        }
        if let Some(number) = new.window_number {
            if let Err(Failure::NotFound(_)) = self.window(number).await {
                return Ok(Err((format!("没有{number}号窗口"), format!("There is no window {number}"))));
            }
        }
        if self.account(&new.login).await?.is_some() {
            let login = &new.login;
            return Ok(Err((format!("登录名 {login} 已被使用"), format!("The login {login} is taken"))));
        }
        let password = new.password.clone();
        let hash = blocking(move || hash_password(&password)).await?;
        sqlx::query(
            "INSERT INTO staff_accounts (login, display_name, role, window_number, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&new.login)
        .bind(new.display_name.trim())
        .bind(new.role.as_str())
        .bind(new.window_number)
        .bind(hash)
        .bind(now_ms())
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(Ok(()))
    }

    pub(crate) async fn account(&self, login: &str) -> Result<Option<Account>, Failure> {
        Ok(sqlx::query_as("SELECT login, display_name, role, window_number FROM staff_accounts WHERE login = $1")
            .bind(login)
            .fetch_optional(&mut *self.conn().await?)
            .await?)
    }

    /// Every account, by role and then login.
    pub(crate) async fn accounts(&self) -> Result<Vec<Account>, Failure> {
        let mut accounts: Vec<Account> =
            sqlx::query_as("SELECT login, display_name, role, window_number FROM staff_accounts ORDER BY login")
                .fetch_all(&mut *self.conn().await?)
                .await?;
        accounts.sort_by_key(|a| a.role as u8);
        Ok(accounts)
    }

    /// Checks a login's password, unless it had [`MAX_FAILURES`] wrong ones within
    /// [`FAILURE_WINDOW_MS`]; a wrong one is counted, an unknown login too (so nobody learns
    /// which logins exist), and a right one forgets the count.
    pub(crate) async fn sign_in(&self, login: &str, password: &str) -> Result<SignIn, Failure> {
        let now = now_ms();
        sqlx::query("DELETE FROM staff_sign_in_failures WHERE failed_at <= $1")
            .bind(now - FAILURE_WINDOW_MS)
            .execute(&mut *self.conn().await?)
            .await?;
        let failures: Vec<i64> = sqlx::query_scalar(
            "SELECT failed_at FROM staff_sign_in_failures WHERE login = $1 ORDER BY failed_at DESC LIMIT $2",
        )
        .bind(login)
        .bind(MAX_FAILURES)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        if failures.len() as i64 >= MAX_FAILURES {
            // The oldest of the last few leaves the window first.
            return Ok(SignIn::Locked { until: failures[failures.len() - 1] + FAILURE_WINDOW_MS });
        }
        let stored: Option<String> = sqlx::query_scalar("SELECT password_hash FROM staff_accounts WHERE login = $1")
            .bind(login)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        let password = password.to_owned();
        // An unknown login costs as much as a known one: the time does not tell them apart.
        let phc = stored.clone().unwrap_or_else(|| hash_password("not a password"));
        let matches = blocking(move || password_matches(&password, &phc)).await?;
        match (stored.is_some() && matches, self.account(login).await?) {
            (true, Some(account)) => {
                sqlx::query("DELETE FROM staff_sign_in_failures WHERE login = $1")
                    .bind(login)
                    .execute(&mut *self.conn().await?)
                    .await?;
                Ok(SignIn::SignedIn(account))
            }
            _ => {
                sqlx::query("INSERT INTO staff_sign_in_failures (login, failed_at) VALUES ($1, $2)")
                    .bind(login)
                    .bind(now)
                    .execute(&mut *self.conn().await?)
                    .await?;
                Ok(SignIn::WrongPassword)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clerk() -> NewAccount {
        NewAccount {
            login: "li.ming".into(),
            display_name: "李明".into(),
            role: StaffRole::WindowClerk,
            window_number: Some(3),
            password: "window-3-pass".into(),
        }
    }

    #[test]
    fn a_password_is_kept_as_an_argon2id_hash_that_only_it_matches() {
        let phc = hash_password("window-3-pass");
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(password_matches("window-3-pass", &phc));
        assert!(!password_matches("window-3-pas", &phc));
        assert!(!password_matches("window-3-pass", "not a phc string"));
        assert_ne!(phc, hash_password("window-3-pass"), "each hash has its own salt");
    }

    #[test]
    fn an_account_needs_a_plain_login_a_name_and_a_long_enough_password() {
        assert_eq!(clerk().problem(), None);
        let with = |change: fn(&mut NewAccount)| {
            let mut account = clerk();
            change(&mut account);
            account.problem().map(|(_, en)| en)
        };
        assert!(with(|a| a.login = "li ming".into()).unwrap().contains("login"));
        assert!(with(|a| a.login = String::new()).unwrap().contains("login"));
        assert!(with(|a| a.display_name = "  ".into()).unwrap().contains("display name"));
        assert!(with(|a| a.password = "short".into()).unwrap().contains("at least 8"));
        assert!(with(|a| a.role = StaffRole::Admin).unwrap().contains("window number"));
    }
}
