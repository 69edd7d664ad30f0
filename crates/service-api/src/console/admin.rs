//! The admin's page: the staff accounts, a form to add one, and a form to enrol a kiosk with
//! a new token (as `service-api token add --role kiosk` does).

use askama::Template;
use axum::extract::State;
use axum::{Extension, Form};
use serde::Deserialize;

use super::accounts::{Account, NewAccount, StaffRole};
use super::sessions::Session;
use super::{render, Answer, Chrome, ConsoleState};
use crate::access::Role;
use crate::error::Failure;
use crate::{add_token, generate_token};

pub(crate) const PATH: &str = "/console/admin";

#[derive(Template)]
#[template(path = "console/admin.html")]
struct AdminPage {
    chrome: Chrome,
    csrf: String,
    accounts: Vec<Account>,
    roles: [StaffRole; 5],
    /// What the last form did or why it failed (zh, en), and whether it failed.
    outcome: Option<Outcome>,
    /// A kiosk token just made: (kiosk, token), shown this once.
    new_token: Option<(String, String)>,
}

struct Outcome {
    zh: String,
    en: String,
    failed: bool,
}

impl Outcome {
    fn done(zh: String, en: String) -> Option<Outcome> {
        Some(Outcome { zh, en, failed: false })
    }

    fn failed(zh: String, en: String) -> Option<Outcome> {
        Some(Outcome { zh, en, failed: true })
    }
}

async fn show(
    state: &ConsoleState,
    session: &Session,
    outcome: Option<Outcome>,
    new_token: Option<(String, String)>,
) -> Answer {
    let accounts = state.db.accounts().await?;
    render(AdminPage {
        chrome: Chrome::of(session, PATH),
        csrf: session.csrf.clone(),
        accounts,
        roles: StaffRole::ALL,
        outcome,
        new_token,
    })
}

pub(crate) async fn page(State(state): State<ConsoleState>, Extension(session): Extension<Session>) -> Answer {
    show(&state, &session, None, None).await
}

#[derive(Deserialize)]
pub(crate) struct AccountForm {
    login: String,
    display_name: String,
    role: StaffRole,
    /// Empty for no window.
    window_number: String,
    password: String,
}

pub(crate) async fn add_account(
    State(state): State<ConsoleState>,
    Extension(session): Extension<Session>,
    Form(form): Form<AccountForm>,
) -> Answer {
    let window_number = match form.window_number.trim() {
        "" => None,
        number => match number.parse::<i64>() {
            Ok(number) => Some(number),
            Err(_) => {
                let outcome = Outcome::failed("窗口号须为数字".into(), "A window number is a number".into());
                return show(&state, &session, outcome, None).await;
            }
        },
    };
    let new = NewAccount {
        login: form.login.trim().to_owned(),
        display_name: form.display_name,
        role: form.role,
        window_number,
        password: form.password,
    };
    let outcome = match state.db.add_account(&new).await? {
        Ok(()) => Outcome::done(format!("已添加账号 {}", new.login), format!("Account {} added", new.login)),
        Err((zh, en)) => Outcome::failed(zh, en),
    };
    show(&state, &session, outcome, None).await
}

#[derive(Deserialize)]
pub(crate) struct KioskForm {
    kiosk: String,
}

pub(crate) async fn add_kiosk_token(
    State(state): State<ConsoleState>,
    Extension(session): Extension<Session>,
    Form(form): Form<KioskForm>,
) -> Answer {
    let kiosk = form.kiosk.trim().to_owned();
    if kiosk.is_empty() || kiosk.chars().count() > 64 {
        let outcome = Outcome::failed("终端编号须为1到64个字符".into(), "A kiosk id is 1 to 64 characters".into());
        return show(&state, &session, outcome, None).await;
    }
    let token = generate_token();
    add_token(&state.db, Role::Kiosk, &kiosk, &token).await.map_err(Failure::internal)?;
    let outcome = Outcome::done(
        format!("已为终端 {kiosk} 生成新令牌（旧令牌随即失效）"),
        format!("Kiosk {kiosk} has a new token (any old one no longer works)"),
    );
    show(&state, &session, outcome, Some((kiosk, token))).await
}
