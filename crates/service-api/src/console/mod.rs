//! The staff console: web pages for the center's staff, served by the API under `/console`
//! on the same listener. Staff sign in with an account ([`accounts`]); each role sees its own
//! pages ([`PAGES`]); every POST carries the session's CSRF token; live pages follow the
//! database's changes ([`live`]) through server-sent events. Pages are askama templates
//! (`templates/console/`), bilingual, Chinese first; htmx is the only script.

mod accounts;
mod admin;
mod assets;
mod desk;
mod live;
mod sessions;
mod sign_in;

use askama::Template;
use axum::body::Body;
use std::convert::Infallible;

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::LOCATION;
use axum::http::request::Parts;
use axum::http::{HeaderName, Method, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{self, MethodRouter};
use axum::{Form, Router};
use serde::Deserialize;

pub use accounts::{add_account, NewAccount, StaffRole};
pub(crate) use live::{notice_changes, Changes};

use crate::error::Failure;
use crate::server::ServedOverTls;
use crate::store::Db;
use sessions::{cookie, same_token, Session, SESSION_COOKIE};

#[derive(Clone)]
struct ConsoleState {
    db: Db,
    changes: Changes,
}

/// Who may open a console route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anyone,
    /// Any signed-in staff member.
    Staff,
    Role(StaffRole),
}

/// A page of the console, as the navigation lists it for its role.
pub(crate) struct Page {
    pub path: &'static str,
    pub role: StaffRole,
    pub zh: &'static str,
    pub en: &'static str,
}

/// The console's pages, each for one role.
const PAGES: &[Page] = &[
    Page { path: desk::PATH, role: StaffRole::WindowClerk, zh: "窗口叫号", en: "Window desk" },
    Page { path: admin::PATH, role: StaffRole::Admin, zh: "账号管理", en: "Accounts" },
];

/// The pages of a role, in the navigation's order.
fn pages_of(role: StaffRole) -> impl Iterator<Item = &'static Page> {
    PAGES.iter().filter(move |page| page.role == role)
}

/// Where a role lands after signing in: its first page, or the console's home when it has
/// none yet.
fn landing(role: StaffRole) -> &'static str {
    pages_of(role).next().map_or(HOME, |page| page.path)
}

const HOME: &str = "/console";

/// The console's routes, over the API's database; `changes` tells live pages when to update.
pub(crate) fn router(db: Db, changes: Changes) -> Router {
    use Who::*;
    let routes: Vec<(&str, Who, MethodRouter<ConsoleState>)> = vec![
        (HOME, Staff, routing::get(home)),
        (sign_in::PATH, Anyone, routing::get(sign_in::page).post(sign_in::submit)),
        ("/console/sign-out", Staff, routing::post(sign_in::sign_out)),
        ("/console/assets/{file}", Anyone, routing::get(assets::asset)),
        (desk::PATH, Role(StaffRole::WindowClerk), routing::get(desk::page)),
        ("/console/desk/events", Role(StaffRole::WindowClerk), routing::get(desk::events)),
        ("/console/desk/{action}", Role(StaffRole::WindowClerk), routing::post(desk::act)),
        (admin::PATH, Role(StaffRole::Admin), routing::get(admin::page)),
        ("/console/admin/accounts", Role(StaffRole::Admin), routing::post(admin::add_account)),
        ("/console/admin/kiosk-tokens", Role(StaffRole::Admin), routing::post(admin::add_kiosk_token)),
    ];
    let state = ConsoleState { db, changes };
    let mut router = Router::new();
    for (path, who, handler) in routes {
        let handler = match who {
            Anyone => handler,
            _ => handler.layer(from_fn_with_state((state.clone(), who), signed_in)),
        };
        router = router.route(path, handler);
    }
    router.with_state(state)
}

/// Lets a request through to a route for `who` only with a live session of the right role,
/// and a POST only with the session's CSRF token (every form's hidden `csrf` field). The
/// handler finds the [`Session`] in the request's extensions.
async fn signed_in(State((state, who)): State<(ConsoleState, Who)>, req: Request, next: Next) -> Response {
    let session = match cookie(req.headers(), SESSION_COOKIE) {
        Some(id) => match state.db.session(id).await {
            Ok(session) => session,
            Err(failure) => return Trouble(failure).into_response(),
        },
        None => None,
    };
    let Some(session) = session else {
        return to_sign_in(&req);
    };
    if let Who::Role(role) = who {
        if session.account.role != role {
            return Trouble::page(StatusCode::FORBIDDEN, forbidden(role, &session));
        }
    }
    let mut req = req;
    if req.method() == Method::POST {
        let (sent, checked) = match csrf_token(req).await {
            Ok(read) => read,
            Err(answer) => return answer,
        };
        if !sent.is_some_and(|sent| same_token(&sent, &session.csrf)) {
            return Trouble::page(StatusCode::FORBIDDEN, expired_form());
        }
        req = checked;
    }
    req.extensions_mut().insert(session);
    next.run(req).await
}

/// The CSRF token a POST's form sent, and the request to pass on with its body read.
async fn csrf_token(req: Request) -> Result<(Option<String>, Request), Response> {
    #[derive(Deserialize)]
    struct Csrf {
        csrf: Option<String>,
    }
    let (parts, body) = req.into_parts();
    // Console forms are short.
    let body =
        axum::body::to_bytes(body, 64 * 1024).await.map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
    let form = Request::from_parts(parts.clone(), Body::from(body.clone()));
    let sent = Form::<Csrf>::from_request(form, &()).await.ok().and_then(|Form(form)| form.csrf);
    Ok((sent, Request::from_parts(parts, Body::from(body))))
}

/// A redirect that a browser follows with a GET.
fn go_to(path: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, path)]).into_response()
}

/// Sends a request without a live session to the sign-in page. A request of htmx's (a desk's
/// button, a live page's stream) is answered `HX-Redirect`, which loads the whole page: fetch
/// would follow a redirect itself and swap the sign-in form into the button's target.
fn to_sign_in(req: &Request) -> Response {
    if req.headers().contains_key("hx-request") {
        let redirect = (HeaderName::from_static("hx-redirect"), sign_in::PATH);
        return (StatusCode::UNAUTHORIZED, [redirect]).into_response();
    }
    go_to(sign_in::PATH)
}

/// Whether the server answers HTTPS, which the cookies' `Secure` follows.
struct Https(bool);

impl<S: Send + Sync> FromRequestParts<S> for Https {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Https(parts.extensions.get::<ServedOverTls>().is_some()))
    }
}

/// The page's frame: the signed-in staff member, their pages and the sign-out form.
pub(crate) struct Chrome {
    pub staff: Option<StaffHeader>,
    /// The path of the page shown, marked in the navigation.
    pub current: &'static str,
}

pub(crate) struct StaffHeader {
    pub name: String,
    pub role: (&'static str, &'static str),
    pub csrf: String,
    pub pages: Vec<&'static Page>,
}

impl Chrome {
    fn of(session: &Session, current: &'static str) -> Chrome {
        let account = &session.account;
        let staff = StaffHeader {
            name: account.display_name.clone(),
            role: account.role.name(),
            csrf: session.csrf.clone(),
            pages: pages_of(account.role).collect(),
        };
        Chrome { staff: Some(staff), current }
    }

    fn signed_out() -> Chrome {
        Chrome { staff: None, current: "" }
    }
}

/// Why a console request failed, answered as a page.
pub(crate) struct Trouble(Failure);

impl From<Failure> for Trouble {
    fn from(failure: Failure) -> Self {
        Trouble(failure)
    }
}

#[derive(Template)]
#[template(path = "console/problem.html")]
struct ProblemPage {
    chrome: Chrome,
    /// The page's heading (zh, en).
    title: (&'static str, &'static str),
    zh: String,
    en: String,
    back: Option<&'static str>,
}

impl Trouble {
    fn page(status: StatusCode, page: impl Template) -> Response {
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => Trouble(Failure::internal(e)).into_response(),
        }
    }
}

impl IntoResponse for Trouble {
    fn into_response(self) -> Response {
        let (status, message) = self.0.explained();
        if status.is_server_error() {
            eprintln!("service-api: console: {:?}", self.0);
        }
        let title = if status.is_server_error() {
            ("出错了", "Something went wrong")
        } else {
            ("无法完成", "Cannot be done")
        };
        let page =
            ProblemPage { chrome: Chrome::signed_out(), title, zh: message.zh, en: message.en, back: Some(HOME) };
        // Not Trouble::page: a page that cannot render must not try again.
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => status.into_response(),
        }
    }
}

/// A console handler's answer.
type Answer = Result<Response, Trouble>;

/// A page rendered, or the failure to render it.
fn render(page: impl Template) -> Answer {
    Ok(Html(page.render().map_err(Failure::internal)?).into_response())
}

fn forbidden(role: StaffRole, session: &Session) -> ProblemPage {
    let (zh, en) = role.name();
    let (mine_zh, mine_en) = session.account.role.name();
    ProblemPage {
        chrome: Chrome::of(session, ""),
        title: ("不是您的页面", "Not a page of your role"),
        zh: format!("此页面仅限{zh}使用。您以{mine_zh}身份登录。"),
        en: format!("This page is for the role {en} only. You are signed in as {mine_en}."),
        back: Some(landing(session.account.role)),
    }
}

fn expired_form() -> ProblemPage {
    ProblemPage {
        chrome: Chrome::signed_out(),
        title: ("表单已过期", "The form has expired"),
        zh: "表单已过期，请返回后重新打开页面再试。".into(),
        en: "This form has expired: go back, reload the page and try again.".into(),
        back: Some(HOME),
    }
}

#[derive(Template)]
#[template(path = "console/home.html")]
struct HomePage {
    chrome: Chrome,
}

/// The console's home: the signed-in staff member's pages.
async fn home(axum::Extension(session): axum::Extension<Session>) -> Answer {
    render(HomePage { chrome: Chrome::of(&session, HOME) })
}
