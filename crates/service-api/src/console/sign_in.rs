//! Signing in and out. The sign-in form has its own CSRF token (there is no session yet): a
//! short-lived cookie that the form must echo, which another site's page can neither read
//! nor make the browser send.

use askama::Template;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::{Extension, Form};
use serde::Deserialize;

use super::accounts::{SignIn, FAILURE_WINDOW_MS, MAX_FAILURES};
use super::sessions::{console_cookie, cookie, same_token, session_cookie, Session, SESSION_COOKIE};
use super::{go_to, landing, render, Answer, Chrome, ConsoleState, Https};
use crate::store::{now_ms, random_hex};

pub(crate) const PATH: &str = "/console/sign-in";

/// The sign-in form's token cookie.
const FORM_COOKIE: &str = "console_sign_in";

/// Time to fill in the sign-in form.
const FORM_SECS: i64 = 3600;

#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignInPage {
    chrome: Chrome,
    csrf: String,
    login: String,
    /// Why the last try failed (zh, en).
    problem: Option<(String, String)>,
}

#[derive(Deserialize)]
pub(crate) struct Credentials {
    login: String,
    password: String,
    csrf: String,
}

/// The form, with a new token in its cookie; a signed-in staff member goes to their page.
pub(crate) async fn page(State(state): State<ConsoleState>, Https(https): Https, headers: HeaderMap) -> Answer {
    if let Some(id) = cookie(&headers, SESSION_COOKIE) {
        if let Some(session) = state.db.session(id).await? {
            return Ok(go_to(landing(session.account.role)));
        }
    }
    form(https, String::new(), None, StatusCode::OK)
}

fn form(https: bool, login: String, problem: Option<(String, String)>, status: StatusCode) -> Answer {
    let csrf = random_hex(32);
    let cookie = console_cookie(FORM_COOKIE, &csrf, FORM_SECS, https);
    let page = render(SignInPage { chrome: Chrome::signed_out(), csrf, login, problem })?;
    Ok((status, [(SET_COOKIE, cookie)], page).into_response())
}

pub(crate) async fn submit(
    State(state): State<ConsoleState>,
    Https(https): Https,
    headers: HeaderMap,
    Form(credentials): Form<Credentials>,
) -> Answer {
    let login = credentials.login.trim().to_owned();
    let say = |zh: String, en: String| Some((zh, en));
    if !cookie(&headers, FORM_COOKIE).is_some_and(|token| same_token(&credentials.csrf, token)) {
        let problem = say("页面已过期，请再输入一次。".into(), "The page had expired: please sign in again.".into());
        return form(https, login, problem, StatusCode::FORBIDDEN);
    }
    match state.db.sign_in(&login, &credentials.password).await? {
        SignIn::SignedIn(account) => {
            let id = state.db.start_session(&account.login).await?;
            let mut answer = go_to(landing(account.role));
            let headers = answer.headers_mut();
            headers.append(SET_COOKIE, session_cookie(&id, https));
            headers.append(SET_COOKIE, console_cookie(FORM_COOKIE, "", 0, https));
            Ok(answer)
        }
        SignIn::WrongPassword => {
            let minutes = FAILURE_WINDOW_MS / 60_000;
            let problem = say(
                format!("登录名或密码不正确。连续错误{MAX_FAILURES}次后，需等待{minutes}分钟。"),
                format!("Wrong login or password. After {MAX_FAILURES} wrong tries, sign-in waits {minutes} minutes."),
            );
            form(https, login, problem, StatusCode::UNAUTHORIZED)
        }
        SignIn::Locked { until } => {
            let minutes = ((until - now_ms()).max(0) + 59_999) / 60_000;
            let problem = say(
                format!("密码错误次数过多，此账号暂停登录。请{minutes}分钟后再试，或请管理员帮助。"),
                format!(
                    "Too many wrong passwords: this login is paused. Try again in {minutes} minutes, or ask an administrator."
                ),
            );
            form(https, login, problem, StatusCode::TOO_MANY_REQUESTS)
        }
    }
}

pub(crate) async fn sign_out(
    State(state): State<ConsoleState>,
    Https(https): Https,
    Extension(session): Extension<Session>,
) -> Answer {
    state.db.end_session(&session.id_hash).await?;
    let mut answer = go_to(PATH);
    answer.headers_mut().insert(SET_COOKIE, console_cookie(SESSION_COOKIE, "", 0, https));
    Ok(answer)
}
