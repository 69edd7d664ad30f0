//! The HTTP API: the route table, authentication, idempotent POSTs and the handlers; how a
//! [`Failure`] is answered is in [`failure`].

mod failure;

use std::sync::Arc;

use axum::body::{Body, HttpBody};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::handler::Handler;
use axum::http::header::{AUTHORIZATION, CONNECTION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{self, MethodRouter};
use axum::{Extension, Json, Router};
use ed25519_dalek::SigningKey;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::access::{Access, Caller};
use crate::calls::{CallAction, CallSettings};
use crate::console::{self, notice_changes, Changes};
use crate::error::{checked_text, Failure};
use crate::evaluations::{FollowUpState, VisitOf};
use crate::face_auth::{Review, MAX_REJECT_REASON_CHARS};
use crate::queue::Transition;
use crate::server::{BodyReadTimeout, BODY_READ_TIMEOUT};
use crate::store::{hash_token, Db, KeyedRequest};
use contract::limits::MAX_PHOTO_BYTES;
use contract::model::{
    AdvanceApplication, Application, ApplicationLookup, ApplicationStatus, Catalog, Evaluation, EvaluationSummary,
    FaceAuth, FaceAuthStatus, Health, Heartbeat, Interpreter, InterpreterCall, InterpreterCallStatus, IssuedReceipt,
    KioskHealth, NewApplication, NewEvaluation, NewFaceAuth, NewFollowUp, NewReceipt, NewStaffCall, NewTicket,
    RateableVisit, RedeemReceipt, RedeemedReceipt, RejectFaceAuth, Service, StaffCall, StaffCallStatus, Ticket, Window,
    WindowRateableVisit,
};

/// The OpenAPI 3.1 contract, served verbatim at `/openapi.json`.
pub const OPENAPI: &str = include_str!("../openapi.json");

struct Endpoint {
    method: &'static str,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
}

impl Endpoint {
    fn get<H: Handler<T, AppState>, T: 'static>(path: &'static str, access: Access, handler: H) -> Self {
        Endpoint { method: "GET", path, access, handler: routing::get(handler) }
    }

    fn post<H: Handler<T, AppState>, T: 'static>(path: &'static str, access: Access, handler: H) -> Self {
        Endpoint { method: "POST", path, access, handler: routing::post(handler) }
    }

    /// Raises axum's 2 MB default for a body that carries a photo.
    fn body_limit(mut self, bytes: usize) -> Self {
        self.handler = self.handler.layer(DefaultBodyLimit::max(bytes));
        self
    }
}

/// The one list of routes: the router is built from it and the contract test compares it
/// with `openapi.json`.
fn endpoints() -> Vec<Endpoint> {
    use Access::*;
    vec![
        Endpoint::get("/openapi.json", Public, openapi),
        Endpoint::get("/v1/health", Public, health),
        Endpoint::get("/v1/catalog", Kiosk, catalog),
        Endpoint::get("/v1/services/{code}", Kiosk, service),
        Endpoint::post("/v1/tickets", Kiosk, issue_ticket),
        Endpoint::get("/v1/tickets/{id}", Kiosk, ticket),
        Endpoint::post("/v1/tickets/{id}/start", Staff, start_ticket),
        Endpoint::post("/v1/tickets/{id}/finish", Staff, finish_ticket),
        Endpoint::post("/v1/tickets/{id}/no-show", Staff, no_show),
        Endpoint::get("/v1/windows", Staff, windows),
        Endpoint::post("/v1/windows/{number}/open", Staff, open_window),
        Endpoint::post("/v1/windows/{number}/close", Staff, close_window),
        Endpoint::post("/v1/windows/{number}/call-next", Staff, call_next),
        Endpoint::post("/v1/receipts", Prereview, issue_receipt),
        Endpoint::post("/v1/receipts/redeem", Kiosk, redeem_receipt),
        Endpoint::post("/v1/interpreter-calls", Kiosk, request_interpreter),
        Endpoint::get("/v1/interpreter-calls", Interpreter, interpreter_calls),
        Endpoint::get("/v1/interpreter-calls/{id}", Call, interpreter_call),
        Endpoint::post("/v1/interpreter-calls/{id}/cancel", Kiosk, cancel_interpreter_call),
        Endpoint::post("/v1/interpreter-calls/{id}/started", Kiosk, start_interpreter_call),
        Endpoint::post("/v1/interpreter-calls/{id}/accept", Interpreter, accept_interpreter_call),
        Endpoint::post("/v1/interpreter-calls/{id}/end", Call, end_interpreter_call),
        Endpoint::post("/v1/interpreters/me/on-duty", Interpreter, go_on_duty),
        Endpoint::post("/v1/interpreters/me/off-duty", Interpreter, go_off_duty),
        Endpoint::post("/v1/staff-calls", Kiosk, request_staff),
        Endpoint::get("/v1/staff-calls", Staff, open_staff_calls),
        Endpoint::get("/v1/staff-calls/{id}", Kiosk, staff_call),
        Endpoint::post("/v1/staff-calls/{id}/acknowledge", Staff, acknowledge_staff_call),
        // A 2 MB photo is about 2.7 MB of base64; the photo's own limit gives the answer.
        Endpoint::post("/v1/face-auth", Kiosk, submit_face_auth).body_limit(LARGEST_BODY),
        Endpoint::get("/v1/face-auth", Staff, face_auths),
        Endpoint::get("/v1/face-auth/{id}", Kiosk, face_auth),
        Endpoint::get("/v1/face-auth/{id}/photo", Staff, face_auth_photo),
        Endpoint::post("/v1/face-auth/{id}/approve", Staff, approve_face_auth),
        Endpoint::post("/v1/face-auth/{id}/reject", Staff, reject_face_auth),
        Endpoint::get("/v1/rateable-visits/{number}", Kiosk, rateable_visit),
        Endpoint::get("/v1/tickets/{id}/rateable-visit", Kiosk, ticket_rateable_visit),
        Endpoint::get("/v1/windows/{number}/rateable-visit", Kiosk, window_rateable_visit),
        Endpoint::post("/v1/evaluations", Kiosk, evaluate),
        Endpoint::get("/v1/evaluations", Staff, evaluations),
        Endpoint::get("/v1/evaluations/summary", Staff, evaluation_summary),
        Endpoint::get("/v1/evaluations/{id}", Staff, evaluation),
        Endpoint::post("/v1/evaluations/{id}/follow-up", Staff, follow_up),
        Endpoint::post("/v1/applications", Staff, register_application),
        Endpoint::get("/v1/applications", Staff, applications),
        Endpoint::post("/v1/applications/{id}/advance", Staff, advance_application),
        Endpoint::post("/v1/applications/lookup", Kiosk, look_up_applications),
        Endpoint::post("/v1/kiosks/heartbeat", KioskOnly, heartbeat),
        Endpoint::get("/v1/kiosks", Staff, kiosks),
    ]
}

/// Every route of the API as (method, path), paths in OpenAPI's `{param}` form.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    endpoints().iter().map(|e| (e.method, e.path)).collect()
}

/// The API over a database, signing receipts with `receipt_key`, answering interpreter calls
/// as `calls` says and keeping the photo of an undecided face authentication
/// `photo_retention_days`: `service_api::serve(listener, router(db, key,
/// CallSettings::default(), DEFAULT_PHOTO_RETENTION_DAYS), None, Limits::default(), shutdown)`.
pub fn router(db: Db, receipt_key: SigningKey, calls: CallSettings, photo_retention_days: u32) -> Router {
    let state = AppState { db, receipt_key: Arc::new(receipt_key), calls: Arc::new(calls), photo_retention_days };
    let mut router = Router::new();
    for e in endpoints() {
        let mut handler = e.handler;
        // Layers run outside in: authentication first (before the body is read), then the
        // body, then the idempotency check, which hashes it.
        if e.method == "POST" {
            handler = handler.layer(from_fn_with_state(state.clone(), idempotency));
        }
        handler = handler.layer(from_fn_with_state(LARGEST_BODY, read_body));
        if e.access != Access::Public {
            handler = handler.layer(from_fn_with_state((state.clone(), e.access), authenticate));
        }
        router = router.route(e.path, handler);
    }
    // The staff console shares the listener and its body timeout; its live pages hear of every
    // change, the API's too.
    let changes = Changes::default();
    let console = console::router(state.db.clone(), changes.clone()).layer(from_fn_with_state(LARGEST_BODY, read_body));
    router
        .fallback(|req: Request| async { answer_unread(Failure::NotFound("No such route".into()), req) })
        .method_not_allowed_fallback(|req: Request| async { answer_unread(Failure::MethodNotAllowed, req) })
        .with_state(state)
        .merge(console)
        .layer(from_fn_with_state(changes, notice_changes))
}

/// The largest body any route takes: a face photo's, see [`endpoints`].
const LARGEST_BODY: usize = 2 * MAX_PHOTO_BYTES;

/// The time a request's body has: the server's (`crate::serve` gives it to each request), or
/// the product's [`BODY_READ_TIMEOUT`] for a router served by other means.
fn body_read_timeout(req: &Request) -> std::time::Duration {
    req.extensions().get::<BodyReadTimeout>().map_or(BODY_READ_TIMEOUT, |timeout| timeout.0)
}

/// Reads the whole body, at most `limit` bytes within [`body_read_timeout`], for the handler
/// and the idempotency check. A body declared larger is refused before any of it is read.
async fn read_body(State(limit): State<usize>, req: Request, next: Next) -> Response {
    let too_large = || Failure::InvalidRequest(format!("The request body is larger than {} MB", limit >> 20));
    let timeout = body_read_timeout(&req);
    let (parts, body) = req.into_parts();
    if body.size_hint().lower() > limit as u64 {
        return closing(too_large().into_response());
    }
    // Whatever stays unread of a body that failed cannot be read past: the connection closes.
    match tokio::time::timeout(timeout, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Ok(Err(_)) => closing(too_large().into_response()),
        Err(_) => closing(Failure::BodyTooSlow(timeout.as_secs()).into_response()),
    }
}

/// Says that the connection closes after this answer: hyper drops a connection whose
/// request body was not read to its end, and a client that sent its next request on it would
/// see it fail.
fn closing(mut answer: Response) -> Response {
    answer.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
    answer
}

/// Answers a request at once, before its body is read (a refused token, an unknown route),
/// on a closing connection. The body is then read and thrown away, at most [`LARGEST_BODY`]
/// within [`body_read_timeout`], so that a client still sending it is not cut off (a reset
/// loses the answer) and nothing of it is kept in memory.
fn answer_unread(failure: Failure, req: Request) -> Response {
    let timeout = body_read_timeout(&req);
    let mut body = req.into_body();
    tokio::spawn(async move {
        let mut left = LARGEST_BODY;
        let discard = async {
            while let Some(Ok(frame)) = body.frame().await {
                let read = frame.data_ref().map_or(0, |data| data.len());
                match left.checked_sub(read) {
                    Some(rest) => left = rest,
                    None => return,
                }
            }
        };
        let _ = tokio::time::timeout(timeout, discard).await;
    });
    closing(failure.into_response())
}

#[derive(Clone)]
struct AppState {
    db: Db,
    receipt_key: Arc<SigningKey>,
    calls: Arc<CallSettings>,
    photo_retention_days: u32,
}

async fn authenticate(State((state, access)): State<(AppState, Access)>, mut req: Request, next: Next) -> Response {
    let caller = match caller(&state, access, req.headers()).await {
        Ok(caller) => caller,
        Err(refused) => return answer_unread(refused, req),
    };
    req.extensions_mut().insert(caller);
    next.run(req).await
}

/// Who sends the request, if their token may call a route with `access`.
async fn caller(state: &AppState, access: Access, headers: &HeaderMap) -> Result<Caller, Failure> {
    let token = bearer_token(headers).ok_or(Failure::Unauthorized)?;
    let token_hash = hash_token(token);
    let (role, name) = state.db.token(&token_hash).await?.ok_or(Failure::Unauthorized)?;
    if !access.allows(role) {
        return Err(Failure::Forbidden(access));
    }
    Ok(Caller { role, name, token_hash })
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Runs a POST in one transaction that ends with the answer saved for its Idempotency-Key:
/// the work and its answer are committed together or not at all, so a server that stops
/// between the two (a crash, a kill, a lost database connection) leaves nothing a retry could
/// do twice. A repeated key answers the saved answer if the request is the same one (method,
/// path and body), and is refused if not. An error answer (4xx) undoes the handler's writes
/// but is saved; a server error saves nothing, so a retry tries again.
///
/// The key is checked at the end, when the answer is saved, not claimed before the work: the
/// common request (a first try) then costs no extra statements. A repeat does the work again
/// in its own transaction, finds the first answer saved (PostgreSQL makes its insert wait for
/// a first try still running, SQLite runs one writer at a time), rolls its work back and
/// answers the saved answer.
async fn idempotency(State(state): State<AppState>, req: Request, next: Next) -> Result<Response, Failure> {
    let key = match req.headers().get("idempotency-key") {
        None => None,
        Some(key) => Some(
            key.to_str()
                .ok()
                // to_str() also lets tabs through, which the documented pattern does not.
                .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| (b' '..=b'~').contains(&b)))
                .ok_or_else(|| {
                    Failure::InvalidRequest("Idempotency-Key must be 1 to 255 printable ASCII characters".into())
                })?
                .to_owned(),
        ),
    };
    let token_hash = req.extensions().get::<Caller>().map(|c| c.token_hash.clone()).unwrap_or_default();
    let (parts, body) = req.into_parts();
    // Already in memory: read_body read it.
    let body = axum::body::to_bytes(body, usize::MAX).await.map_err(Failure::internal)?;
    let (method, path) = (parts.method.as_str(), parts.uri.path());
    let request_hash = hex::encode(
        Sha256::new()
            .chain_update(method)
            .chain_update(" ")
            .chain_update(path)
            .chain_update("\n")
            .chain_update(&body)
            .finalize(),
    );

    // On a task of its own, so that a client that goes away (a kiosk switched off) does not
    // cancel the request halfway: its transaction always ends, committed or rolled back.
    // A transaction dropped unfinished would go back to the pool still open.
    let keyed =
        key.map(|key| KeyedRequest { token_hash, key, method: method.to_owned(), path: path.to_owned(), request_hash });
    let request = Request::from_parts(parts, Body::from(body));
    let task = tokio::spawn(async move {
        // Begun here too: BEGIN waits for SQLite's write lock, and a begin cut short would
        // leave its connection in a transaction nobody ends.
        let db = state.db.begin_request().await?;
        let mut request = request;
        request.extensions_mut().insert(db.clone());
        let (parts, body) = next.run(request).await.into_parts();
        let body = match axum::body::to_bytes(body, usize::MAX).await {
            Ok(body) => body,
            Err(e) => {
                db.rollback().await?;
                return Err(Failure::internal(e));
            }
        };
        let status = parts.status;
        let response = Response::from_parts(parts, Body::from(body.clone()));
        // An error answer keeps none of the work; with a key, the answer itself is kept.
        let keeps_work = !status.is_client_error() && !status.is_server_error();
        let Some(keyed) = &keyed else {
            match keeps_work {
                true => db.commit().await?,
                false => db.rollback().await?,
            }
            return Ok(response);
        };
        if status.is_server_error() {
            db.rollback().await?;
            // A repeat whose work failed this time still gets the first answer.
            return Ok(replay(&state.db, keyed).await?.unwrap_or(response));
        }
        let db = match keeps_work {
            true => db,
            false => {
                db.rollback().await?;
                state.db.begin_request().await?
            }
        };
        match db.save_answer(keyed, status.as_u16(), &body).await {
            Ok(true) => {
                db.commit().await?;
                Ok(response)
            }
            Ok(false) => {
                db.rollback().await?;
                Ok(replay(&state.db, keyed).await?.unwrap_or(response))
            }
            Err(failure) => {
                db.rollback().await?;
                Err(failure)
            }
        }
    });
    task.await.map_err(Failure::internal)?
}

/// The answer saved for the request's key, if any: replayed for the same request, refused
/// for another one.
async fn replay(db: &Db, request: &KeyedRequest) -> Result<Option<Response>, Failure> {
    let Some(saved) = db.saved_answer(request).await? else { return Ok(None) };
    if saved.request_hash != request.request_hash {
        return Err(Failure::IdempotencyKeyReused);
    }
    let status = StatusCode::from_u16(saved.status).map_err(Failure::internal)?;
    let replayed = (status, [(CONTENT_TYPE, "application/json")], [("idempotent-replayed", "true")], saved.body);
    Ok(Some(replayed.into_response()))
}

/// A handler's database: inside a POST, the request's transaction (see [`idempotency`]).
impl FromRequestParts<AppState> for Db {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Db>().cloned().unwrap_or_else(|| state.db.clone()))
    }
}

/// A JSON body whose rejections (bad JSON, unknown priority, wrong content type) answer with
/// an `invalid_request` [`contract::model::ApiError`] instead of axum's plain text.
struct ApiJson<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Failure;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(Failure::InvalidRequest(rejection.body_text())),
        }
    }
}

/// Path parameters, with rejections (e.g. a window number that is not a number) as JSON.
struct ApiPath<T>(T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(Failure::InvalidRequest(rejection.body_text())),
        }
    }
}

/// Query parameters, with rejections (e.g. an unknown status) as JSON.
struct ApiQuery<T>(T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(Failure::InvalidRequest(rejection.body_text())),
        }
    }
}

/// `?status=...` of a list of calls; absent, the default of the list.
#[derive(Deserialize)]
struct StatusFilter<S> {
    status: Option<S>,
}

/// `?follow_up=...` of the list of low ratings; absent, `open`.
#[derive(Deserialize)]
struct FollowUpFilter {
    follow_up: Option<FollowUpState>,
}

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD` of the ratings summary.
#[derive(Deserialize)]
struct DayRange {
    from: String,
    to: String,
}

type ApiResult<T> = Result<Json<T>, Failure>;

async fn openapi() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], OPENAPI)
}

async fn health(db: Db) -> ApiResult<Health> {
    db.ping().await?;
    Ok(Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() }))
}

async fn catalog(db: Db) -> ApiResult<Catalog> {
    Ok(Json(db.catalog().await?))
}

async fn service(db: Db, ApiPath(code): ApiPath<String>) -> ApiResult<Service> {
    Ok(Json(db.service(&code).await?))
}

async fn issue_ticket(
    db: Db,
    Extension(caller): Extension<Caller>,
    ApiJson(new): ApiJson<NewTicket>,
) -> Result<(StatusCode, Json<Ticket>), Failure> {
    Ok((StatusCode::CREATED, Json(db.issue_ticket(&new, &caller).await?)))
}

async fn ticket(db: Db, Extension(caller): Extension<Caller>, ApiPath(id): ApiPath<String>) -> ApiResult<Ticket> {
    Ok(Json(db.visible_ticket(&id, &caller).await?))
}

async fn start_ticket(db: Db, ApiPath(id): ApiPath<String>) -> ApiResult<Ticket> {
    Ok(Json(db.transition(&id, Transition::Start).await?))
}

async fn finish_ticket(db: Db, ApiPath(id): ApiPath<String>) -> ApiResult<Ticket> {
    Ok(Json(db.transition(&id, Transition::Finish).await?))
}

async fn no_show(db: Db, ApiPath(id): ApiPath<String>) -> ApiResult<Ticket> {
    Ok(Json(db.transition(&id, Transition::NoShow).await?))
}

async fn windows(db: Db) -> ApiResult<Vec<Window>> {
    Ok(Json(db.windows().await?))
}

async fn open_window(db: Db, ApiPath(number): ApiPath<i64>) -> ApiResult<Window> {
    Ok(Json(db.set_window_open(number, true).await?))
}

async fn close_window(db: Db, ApiPath(number): ApiPath<i64>) -> ApiResult<Window> {
    Ok(Json(db.set_window_open(number, false).await?))
}

async fn call_next(db: Db, ApiPath(number): ApiPath<i64>) -> ApiResult<Ticket> {
    Ok(Json(db.call_next(number).await?))
}

async fn issue_receipt(
    db: Db,
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(new): ApiJson<NewReceipt>,
) -> Result<(StatusCode, Json<IssuedReceipt>), Failure> {
    let issued = db.issue_receipt(&new, &state.receipt_key, &caller.issued_by()).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

async fn redeem_receipt(
    db: Db,
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(request): ApiJson<RedeemReceipt>,
) -> ApiResult<RedeemedReceipt> {
    let key = state.receipt_key.verifying_key();
    Ok(Json(db.redeem_receipt(&request, &key, &caller.issued_by()).await?))
}

async fn request_interpreter(
    db: Db,
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<(StatusCode, Json<InterpreterCall>), Failure> {
    let call = db.request_interpreter(&caller, &state.calls).await?;
    Ok((StatusCode::CREATED, Json(call)))
}

async fn interpreter_calls(
    db: Db,
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(filter): ApiQuery<StatusFilter<InterpreterCallStatus>>,
) -> ApiResult<Vec<InterpreterCall>> {
    let status = filter.status.unwrap_or(InterpreterCallStatus::Queued);
    Ok(Json(db.interpreter_calls(status, &caller, &state.calls).await?))
}

async fn interpreter_call(
    db: Db,
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<InterpreterCall> {
    Ok(Json(db.interpreter_call(&id, &caller, &state.calls).await?))
}

async fn move_interpreter_call(
    db: Db,
    state: AppState,
    caller: Caller,
    id: String,
    action: CallAction,
) -> ApiResult<InterpreterCall> {
    Ok(Json(db.move_interpreter_call(&id, action, &caller, &state.calls).await?))
}

async fn cancel_interpreter_call(
    db: Db,
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<InterpreterCall> {
    move_interpreter_call(db, state, caller, id, CallAction::Cancel).await
}

async fn start_interpreter_call(
    db: Db,
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<InterpreterCall> {
    move_interpreter_call(db, state, caller, id, CallAction::Start).await
}

async fn end_interpreter_call(
    db: Db,
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<InterpreterCall> {
    move_interpreter_call(db, state, caller, id, CallAction::End).await
}

async fn accept_interpreter_call(
    db: Db,
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<InterpreterCall> {
    Ok(Json(db.accept_interpreter_call(&id, &caller, &state.calls).await?))
}

async fn go_on_duty(db: Db, Extension(caller): Extension<Caller>) -> ApiResult<Interpreter> {
    Ok(Json(db.set_on_duty(&caller.name, true).await?))
}

async fn go_off_duty(db: Db, Extension(caller): Extension<Caller>) -> ApiResult<Interpreter> {
    Ok(Json(db.set_on_duty(&caller.name, false).await?))
}

async fn request_staff(
    db: Db,
    Extension(caller): Extension<Caller>,
    ApiJson(new): ApiJson<NewStaffCall>,
) -> Result<(StatusCode, Json<StaffCall>), Failure> {
    let call = db.request_staff(&new, &caller).await?;
    Ok((StatusCode::CREATED, Json(call)))
}

async fn open_staff_calls(
    db: Db,
    ApiQuery(filter): ApiQuery<StatusFilter<StaffCallStatus>>,
) -> ApiResult<Vec<StaffCall>> {
    let status = filter.status.unwrap_or(StaffCallStatus::Sent);
    Ok(Json(db.open_staff_calls(status).await?))
}

async fn staff_call(
    db: Db,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StaffCall> {
    Ok(Json(db.staff_call(&id, &caller).await?))
}

async fn acknowledge_staff_call(
    db: Db,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StaffCall> {
    Ok(Json(db.acknowledge_staff_call(&id, &caller).await?))
}

async fn submit_face_auth(
    db: Db,
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(new): ApiJson<NewFaceAuth>,
) -> Result<(StatusCode, Json<FaceAuth>), Failure> {
    let submitted = db.submit_face_auth(&new, &caller, state.photo_retention_days).await?;
    Ok((StatusCode::CREATED, Json(submitted)))
}

async fn face_auths(db: Db, ApiQuery(filter): ApiQuery<StatusFilter<FaceAuthStatus>>) -> ApiResult<Vec<FaceAuth>> {
    let status = filter.status.unwrap_or(FaceAuthStatus::PendingReview);
    Ok(Json(db.face_auths(status).await?))
}

async fn face_auth(db: Db, Extension(caller): Extension<Caller>, ApiPath(id): ApiPath<String>) -> ApiResult<FaceAuth> {
    Ok(Json(db.face_auth(&id, &caller).await?))
}

async fn face_auth_photo(
    db: Db,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, Failure> {
    let photo = db.face_auth_photo(&id, state.photo_retention_days).await?;
    Ok(([(CONTENT_TYPE, "image/jpeg")], photo).into_response())
}

async fn approve_face_auth(
    db: Db,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<FaceAuth> {
    Ok(Json(db.review_face_auth(&id, Review::Approve, None, &caller).await?))
}

async fn reject_face_auth(
    db: Db,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
    ApiJson(reject): ApiJson<RejectFaceAuth>,
) -> ApiResult<FaceAuth> {
    // It is shown and spoken to the resident, and kept.
    let reason = checked_text("reason", &reject.reason, MAX_REJECT_REASON_CHARS)?;
    Ok(Json(db.review_face_auth(&id, Review::Reject, Some(reason), &caller).await?))
}

async fn rateable_visit(db: Db, ApiPath(number): ApiPath<String>) -> ApiResult<RateableVisit> {
    Ok(Json(db.rateable_visit(VisitOf::Number(&number)).await?))
}

async fn ticket_rateable_visit(db: Db, ApiPath(id): ApiPath<String>) -> ApiResult<RateableVisit> {
    Ok(Json(db.rateable_visit(VisitOf::Ticket(&id)).await?))
}

async fn window_rateable_visit(db: Db, ApiPath(number): ApiPath<i64>) -> ApiResult<WindowRateableVisit> {
    Ok(Json(WindowRateableVisit { visit: db.window_rateable_visit(number).await? }))
}

async fn evaluate(
    db: Db,
    Extension(caller): Extension<Caller>,
    ApiJson(new): ApiJson<NewEvaluation>,
) -> Result<(StatusCode, Json<Evaluation>), Failure> {
    Ok((StatusCode::CREATED, Json(db.evaluate(&new, &caller).await?)))
}

async fn evaluations(db: Db, ApiQuery(filter): ApiQuery<FollowUpFilter>) -> ApiResult<Vec<Evaluation>> {
    Ok(Json(db.evaluations(filter.follow_up.unwrap_or(FollowUpState::Open)).await?))
}

async fn evaluation_summary(db: Db, ApiQuery(range): ApiQuery<DayRange>) -> ApiResult<Vec<EvaluationSummary>> {
    Ok(Json(db.evaluation_summary(&range.from, &range.to).await?))
}

async fn evaluation(db: Db, ApiPath(id): ApiPath<String>) -> ApiResult<Evaluation> {
    Ok(Json(db.evaluation(&id).await?))
}

async fn follow_up(
    db: Db,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
    ApiJson(follow_up): ApiJson<NewFollowUp>,
) -> ApiResult<Evaluation> {
    Ok(Json(db.follow_up(&id, &follow_up, &caller).await?))
}

async fn register_application(
    db: Db,
    Extension(caller): Extension<Caller>,
    ApiJson(new): ApiJson<NewApplication>,
) -> Result<(StatusCode, Json<Application>), Failure> {
    Ok((StatusCode::CREATED, Json(db.register_application(&new, &caller).await?)))
}

async fn applications(
    db: Db,
    ApiQuery(filter): ApiQuery<StatusFilter<ApplicationStatus>>,
) -> ApiResult<Vec<Application>> {
    Ok(Json(db.applications(filter.status).await?))
}

async fn advance_application(
    db: Db,
    ApiPath(id): ApiPath<String>,
    ApiJson(advance): ApiJson<AdvanceApplication>,
) -> ApiResult<Application> {
    Ok(Json(db.advance_application(&id, &advance).await?))
}

async fn look_up_applications(
    db: Db,
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(lookup): ApiJson<ApplicationLookup>,
) -> ApiResult<Vec<Application>> {
    Ok(Json(db.look_up_applications(&lookup, &state.receipt_key, &caller).await?))
}

async fn heartbeat(
    db: Db,
    Extension(caller): Extension<Caller>,
    ApiJson(heartbeat): ApiJson<Heartbeat>,
) -> ApiResult<KioskHealth> {
    Ok(Json(db.record_heartbeat(&heartbeat, &caller).await?))
}

async fn kiosks(db: Db) -> ApiResult<Vec<KioskHealth>> {
    Ok(Json(db.kiosks().await?))
}
