//! The HTTP API: the route table, authentication, idempotent POSTs and the handlers; how a
//! [`Failure`] is answered is in [`failure`].

mod failure;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::access::{Access, Caller};
use crate::calls::{CallAction, CallSettings};
use crate::error::Failure;
use crate::face_auth::Review;
use crate::queue::Transition;
use crate::store::{hash_token, Db, SavedAnswer};
use contract::limits::MAX_PHOTO_BYTES;
use contract::model::{
    Catalog, FaceAuth, FaceAuthStatus, Health, Interpreter, InterpreterCall, InterpreterCallStatus, IssuedReceipt,
    NewFaceAuth, NewReceipt, NewStaffCall, NewTicket, RedeemReceipt, RedeemedReceipt, RejectFaceAuth, Service,
    StaffCall, StaffCallStatus, Ticket, Window,
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
    ]
}

/// Every route of the API as (method, path), paths in OpenAPI's `{param}` form.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    endpoints().iter().map(|e| (e.method, e.path)).collect()
}

/// The API over a database, signing receipts with `receipt_key` and answering interpreter
/// calls as `calls` says: `axum::serve(listener, router(db, key, CallSettings::default()))`.
pub fn router(db: Db, receipt_key: SigningKey, calls: CallSettings) -> Router {
    let state =
        AppState { db, receipt_key: Arc::new(receipt_key), calls: Arc::new(calls), key_locks: KeyLocks::default() };
    let mut router = Router::new();
    for e in endpoints() {
        let mut handler = e.handler;
        // Layers run outside in: authentication first, then the idempotency check.
        if e.method == "POST" {
            handler = handler.layer(from_fn_with_state(state.clone(), idempotency));
        }
        if e.access != Access::Public {
            handler = handler.layer(from_fn_with_state((state.clone(), e.access), authenticate));
        }
        router = router.route(e.path, handler);
    }
    router
        .fallback(|| async { Failure::NotFound("No such route".into()) })
        .method_not_allowed_fallback(|| async { Failure::MethodNotAllowed })
        .layer(from_fn_with_state(LARGEST_BODY, read_body_first))
        .with_state(state)
}

/// The largest body any route takes: a face photo's, see [`endpoints`].
const LARGEST_BODY: usize = 2 * MAX_PHOTO_BYTES;

/// Reads the whole request body before anything answers. An answer given without it (a
/// refused token, a replayed Idempotency-Key, an unknown route) makes hyper drop the
/// connection under the client: its next request on that connection fails, and a large
/// body still being sent breaks the pipe before the answer is read.
async fn read_body_first(State(limit): State<usize>, req: Request, next: Next) -> Result<Response, Response> {
    let too_large = || {
        let message = format!("The request body is larger than {} MB", limit >> 20);
        // The rest of the body stays unread, so this connection cannot be used again.
        let mut answer = Failure::InvalidRequest(message).into_response();
        answer.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
        answer
    };
    let (parts, body) = req.into_parts();
    // A declared Content-Length over the limit is refused before waiting for the body.
    if body.size_hint().lower() > limit as u64 {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| too_large())?;
    Ok(next.run(Request::from_parts(parts, Body::from(bytes))).await)
}

#[derive(Clone)]
struct AppState {
    db: Db,
    receipt_key: Arc<SigningKey>,
    calls: Arc<CallSettings>,
    key_locks: KeyLocks,
}

async fn authenticate(
    State((state, access)): State<(AppState, Access)>,
    mut req: Request,
    next: Next,
) -> Result<Response, Failure> {
    let token = bearer_token(req.headers()).ok_or(Failure::Unauthorized)?;
    let token_hash = hash_token(token);
    let (role, name) = state.db.token(&token_hash).await?.ok_or(Failure::Unauthorized)?;
    if !access.allows(role) {
        return Err(Failure::Forbidden(access));
    }
    req.extensions_mut().insert(Caller { role, name, token_hash });
    Ok(next.run(req).await)
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// One async lock per (token, Idempotency-Key), so concurrent duplicates wait for the first
/// answer instead of doing the work twice.
#[derive(Clone, Default)]
struct KeyLocks(Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>);

impl KeyLocks {
    async fn with_lock<T>(&self, key: String, work: impl std::future::Future<Output = T>) -> T {
        let lock = self.0.lock().unwrap().entry(key.clone()).or_default().clone();
        let result = {
            let _held = lock.lock().await;
            work.await
        };
        let mut locks = self.0.lock().unwrap();
        // Only the map and this call hold it: nobody else waits, forget it.
        if Arc::strong_count(&lock) == 2 {
            locks.remove(&key);
        }
        result
    }
}

/// Replays the first answer to a repeated Idempotency-Key of the same token.
async fn idempotency(State(state): State<AppState>, req: Request, next: Next) -> Result<Response, Failure> {
    let Some(key) = req.headers().get("idempotency-key") else {
        return Ok(next.run(req).await);
    };
    let key = key
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .ok_or_else(|| Failure::InvalidRequest("Idempotency-Key must be 1 to 255 visible ASCII characters".into()))?
        .to_owned();
    let token_hash = req.extensions().get::<Caller>().map(|c| c.token_hash.clone()).unwrap_or_default();
    let lock_key = format!("{token_hash} {key}");
    state.key_locks.with_lock(lock_key, answer_once(state.db, token_hash, key, req, next)).await
}

async fn answer_once(db: Db, token_hash: String, key: String, req: Request, next: Next) -> Result<Response, Failure> {
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    if let Some(saved) = db.saved_answer(&token_hash, &key).await? {
        if saved.path != path {
            return Err(Failure::InvalidRequest("This Idempotency-Key was already used for another request".into()));
        }
        let status = StatusCode::from_u16(saved.status).map_err(Failure::internal)?;
        return Ok((status, [(CONTENT_TYPE, "application/json")], [("idempotent-replayed", "true")], saved.body)
            .into_response());
    }
    let response = next.run(req).await;
    // A server error is not an answer: a retry should try again.
    if response.status().is_server_error() {
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.map_err(Failure::internal)?;
    let answer =
        SavedAnswer { path, status: parts.status.as_u16(), body: String::from_utf8_lossy(&bytes).into_owned() };
    db.save_answer(&token_hash, &key, &method, &answer).await?;
    Ok(Response::from_parts(parts, Body::from(bytes)))
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

type ApiResult<T> = Result<Json<T>, Failure>;

async fn openapi() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], OPENAPI)
}

async fn health(State(state): State<AppState>) -> ApiResult<Health> {
    state.db.ping().await?;
    Ok(Json(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() }))
}

async fn catalog(State(state): State<AppState>) -> ApiResult<Catalog> {
    Ok(Json(state.db.catalog().await?))
}

async fn service(State(state): State<AppState>, ApiPath(code): ApiPath<String>) -> ApiResult<Service> {
    Ok(Json(state.db.service(&code).await?))
}

async fn issue_ticket(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(new): ApiJson<NewTicket>,
) -> Result<(StatusCode, Json<Ticket>), Failure> {
    Ok((StatusCode::CREATED, Json(state.db.issue_ticket(&new, &caller.issued_by()).await?)))
}

async fn ticket(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> ApiResult<Ticket> {
    Ok(Json(state.db.ticket(&id).await?))
}

async fn start_ticket(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> ApiResult<Ticket> {
    Ok(Json(state.db.transition(&id, Transition::Start).await?))
}

async fn finish_ticket(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> ApiResult<Ticket> {
    Ok(Json(state.db.transition(&id, Transition::Finish).await?))
}

async fn no_show(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> ApiResult<Ticket> {
    Ok(Json(state.db.transition(&id, Transition::NoShow).await?))
}

async fn windows(State(state): State<AppState>) -> ApiResult<Vec<Window>> {
    Ok(Json(state.db.windows().await?))
}

async fn open_window(State(state): State<AppState>, ApiPath(number): ApiPath<i64>) -> ApiResult<Window> {
    Ok(Json(state.db.set_window_open(number, true).await?))
}

async fn close_window(State(state): State<AppState>, ApiPath(number): ApiPath<i64>) -> ApiResult<Window> {
    Ok(Json(state.db.set_window_open(number, false).await?))
}

async fn call_next(State(state): State<AppState>, ApiPath(number): ApiPath<i64>) -> ApiResult<Ticket> {
    Ok(Json(state.db.call_next(number).await?))
}

async fn issue_receipt(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(new): ApiJson<NewReceipt>,
) -> Result<(StatusCode, Json<IssuedReceipt>), Failure> {
    let issued = state.db.issue_receipt(&new, &state.receipt_key, &caller.issued_by()).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

async fn redeem_receipt(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(request): ApiJson<RedeemReceipt>,
) -> ApiResult<RedeemedReceipt> {
    let key = state.receipt_key.verifying_key();
    Ok(Json(state.db.redeem_receipt(&request, &key, &caller.issued_by()).await?))
}

async fn request_interpreter(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<(StatusCode, Json<InterpreterCall>), Failure> {
    let call = state.db.request_interpreter(&caller, &state.calls).await?;
    Ok((StatusCode::CREATED, Json(call)))
}

async fn interpreter_calls(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(filter): ApiQuery<StatusFilter<InterpreterCallStatus>>,
) -> ApiResult<Vec<InterpreterCall>> {
    let status = filter.status.unwrap_or(InterpreterCallStatus::Queued);
    Ok(Json(state.db.interpreter_calls(status, &caller, &state.calls).await?))
}

async fn interpreter_call(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<InterpreterCall> {
    Ok(Json(state.db.interpreter_call(&id, &caller, &state.calls).await?))
}

async fn move_interpreter_call(
    state: AppState,
    caller: Caller,
    id: String,
    action: CallAction,
) -> ApiResult<InterpreterCall> {
    Ok(Json(state.db.move_interpreter_call(&id, action, &caller, &state.calls).await?))
}

async fn cancel_interpreter_call(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<InterpreterCall> {
    move_interpreter_call(state, caller, id, CallAction::Cancel).await
}

async fn start_interpreter_call(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<InterpreterCall> {
    move_interpreter_call(state, caller, id, CallAction::Start).await
}

async fn end_interpreter_call(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<InterpreterCall> {
    move_interpreter_call(state, caller, id, CallAction::End).await
}

async fn accept_interpreter_call(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<InterpreterCall> {
    Ok(Json(state.db.accept_interpreter_call(&id, &caller, &state.calls).await?))
}

async fn go_on_duty(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Interpreter> {
    Ok(Json(state.db.set_on_duty(&caller.name, true).await?))
}

async fn go_off_duty(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Interpreter> {
    Ok(Json(state.db.set_on_duty(&caller.name, false).await?))
}

async fn request_staff(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(new): ApiJson<NewStaffCall>,
) -> Result<(StatusCode, Json<StaffCall>), Failure> {
    let call = state.db.request_staff(&new, &caller).await?;
    Ok((StatusCode::CREATED, Json(call)))
}

async fn open_staff_calls(
    State(state): State<AppState>,
    ApiQuery(filter): ApiQuery<StatusFilter<StaffCallStatus>>,
) -> ApiResult<Vec<StaffCall>> {
    let status = filter.status.unwrap_or(StaffCallStatus::Sent);
    Ok(Json(state.db.open_staff_calls(status).await?))
}

async fn staff_call(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StaffCall> {
    Ok(Json(state.db.staff_call(&id, &caller).await?))
}

async fn acknowledge_staff_call(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StaffCall> {
    Ok(Json(state.db.acknowledge_staff_call(&id, &caller).await?))
}

async fn submit_face_auth(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(new): ApiJson<NewFaceAuth>,
) -> Result<(StatusCode, Json<FaceAuth>), Failure> {
    let submitted = state.db.submit_face_auth(&new, &caller).await?;
    Ok((StatusCode::CREATED, Json(submitted)))
}

async fn face_auths(
    State(state): State<AppState>,
    ApiQuery(filter): ApiQuery<StatusFilter<FaceAuthStatus>>,
) -> ApiResult<Vec<FaceAuth>> {
    let status = filter.status.unwrap_or(FaceAuthStatus::PendingReview);
    Ok(Json(state.db.face_auths(status).await?))
}

async fn face_auth(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<FaceAuth> {
    Ok(Json(state.db.face_auth(&id, &caller).await?))
}

async fn face_auth_photo(State(state): State<AppState>, ApiPath(id): ApiPath<String>) -> Result<Response, Failure> {
    let photo = state.db.face_auth_photo(&id).await?;
    Ok(([(CONTENT_TYPE, "image/jpeg")], photo).into_response())
}

async fn approve_face_auth(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<FaceAuth> {
    Ok(Json(state.db.review_face_auth(&id, Review::Approve, None, &caller).await?))
}

async fn reject_face_auth(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<String>,
    ApiJson(reject): ApiJson<RejectFaceAuth>,
) -> ApiResult<FaceAuth> {
    let reason = reject.reason.trim();
    if reason.is_empty() {
        return Err(Failure::InvalidRequest("reason must say why, for the resident".into()));
    }
    Ok(Json(state.db.review_face_auth(&id, Review::Reject, Some(reason), &caller).await?))
}
