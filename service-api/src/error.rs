//! The library's error ([`Error`]) and the HTTP error answer ([`ApiFailure`]).

use std::fmt;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::id_number::IdNumberProblem;
use crate::model::{ApiError, Bilingual};

type Source = Box<dyn std::error::Error + Send + Sync>;

/// Why opening the database, registering a token or starting a server failed.
#[derive(Debug)]
pub struct Error {
    context: String,
    source: Option<Source>,
}

impl Error {
    pub(crate) fn new(context: impl Into<String>) -> Self {
        Error {
            context: context.into(),
            source: None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(source) => write!(f, "{}: {source}", self.context),
            None => f.write_str(&self.context),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|s| s as _)
    }
}

/// Adds what was being done to any error: `pool.connect(url).await.context("opening ...")?`.
pub(crate) trait Context<T> {
    fn context(self, context: impl Into<String>) -> Result<T, Error>;
}

impl<T, E: Into<Source>> Context<T> for Result<T, E> {
    fn context(self, context: impl Into<String>) -> Result<T, Error> {
        self.map_err(|e| Error {
            context: context.into(),
            source: Some(e.into()),
        })
    }
}

/// A failed request: an HTTP status and the JSON [`ApiError`] body with a stable code.
#[derive(Debug)]
pub(crate) struct ApiFailure {
    status: StatusCode,
    body: ApiError,
}

impl ApiFailure {
    fn new(status: StatusCode, code: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        ApiFailure {
            status,
            body: ApiError {
                code: code.into(),
                message: Bilingual::new(zh, en),
            },
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "缺少或无效的访问令牌",
            "Missing or unknown bearer token",
        )
    }

    /// `who` may do this (zh, en), e.g. ("工作人员", "staff").
    pub fn forbidden((zh, en): (&str, &str)) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("此操作仅限{zh}"),
            format!("Only {en} may do this"),
        )
    }

    pub fn not_found(en: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "未找到", en)
    }

    pub fn unknown_service(code: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "unknown_service",
            format!("没有此事项：{code}"),
            format!("No such service: {code}"),
        )
    }

    pub fn invalid_request(en: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "请求格式不正确",
            en,
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "不支持此请求方法",
            "Method not allowed on this route",
        )
    }

    pub fn no_waiting_ticket(window: i64) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "no_waiting_ticket",
            format!("{window}号窗口暂无等候的号"),
            format!("Nobody is waiting for window {window}"),
        )
    }

    pub fn window_closed(window: i64) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "window_closed",
            format!("{window}号窗口已关闭"),
            format!("Window {window} is closed"),
        )
    }

    pub fn invalid_transition(number: &str, status: &str, action: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "invalid_transition",
            format!("{number}号当前状态为 {status}，不能执行此操作"),
            format!("Ticket {number} is {status}; it cannot be {action}"),
        )
    }

    /// An interpreter or staff call whose status does not allow `action` (e.g. "accepted").
    pub fn call_invalid_transition(status: &str, action: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "invalid_transition",
            format!("此呼叫当前状态为 {status}，不能执行此操作"),
            format!("This call is {status}; it cannot be {action}"),
        )
    }

    /// The interpreter already has a call: to accept another or go off duty, end it first.
    pub fn interpreter_busy() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "interpreter_busy",
            "您还有未结束的呼叫，请先结束它",
            "You still have a call; end it first",
        )
    }

    pub fn interpreter_off_duty() -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "interpreter_off_duty",
            "请先上岗，再接听呼叫",
            "Go on duty before accepting calls",
        )
    }

    /// A scanned receipt that is damaged, altered or not one of this center's.
    pub fn receipt_invalid() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "receipt_invalid",
            "无法识别此回执，可能已损坏或被修改。请到前台咨询工作人员。",
            "This receipt cannot be read: it may be damaged or altered. Staff at the front desk can help.",
        )
    }

    /// A typed receipt number whose check digit is wrong: most likely a typo.
    pub fn receipt_number_invalid() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "receipt_invalid",
            "回执编号有误，请核对回执上的12位编号后重新输入。",
            "This receipt number is not valid. Please check the 12 digits on your receipt and type them again.",
        )
    }

    pub fn receipt_expired() -> Self {
        Self::new(
            StatusCode::GONE,
            "receipt_expired",
            "此回执已过有效期。请重新在线预审，或到前台咨询工作人员。",
            "This receipt has expired. Please apply for pre-review online again, or ask staff at the front desk.",
        )
    }

    pub fn receipt_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "receipt_not_found",
            "本中心没有此回执的记录。请核对编号，或到前台咨询工作人员。",
            "This center has no record of this receipt. Please check the number, or ask staff at the front desk.",
        )
    }

    /// `when` in China time, as [`crate::store::china_time`] writes it.
    pub fn receipt_already_redeemed(when: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "receipt_already_redeemed",
            format!("此回执已于 {when} 取过号，每张回执只能取号一次。如有疑问，请到前台咨询工作人员。"),
            format!("This receipt was already used for a ticket on {when} (Beijing time); each receipt gives one ticket. Staff at the front desk can help."),
        )
    }

    /// The receipt's service was withdrawn from the catalog after the receipt was issued.
    pub fn receipt_service_withdrawn(code: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "unknown_service",
            format!("此回执的办理事项（{code}）本中心已不再受理。请到前台咨询工作人员。"),
            format!("The service of this receipt ({code}) is no longer offered here. Staff at the front desk can help."),
        )
    }

    /// The resident did not agree to the photo being taken and kept for review.
    pub fn consent_required() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "consent_required",
            "需要您同意拍摄并保存照片用于资格认证审核，才能继续。",
            "You need to agree to the photo being taken and kept for the review before going on.",
        )
    }

    /// Never echoes the number itself: only which part to check.
    pub fn invalid_id_number(problem: IdNumberProblem) -> Self {
        let (zh, en) = problem.advice();
        Self::new(StatusCode::BAD_REQUEST, "invalid_id_number", zh, en)
    }

    /// `en` says what is wrong with the photo, e.g. not a JPEG.
    pub fn invalid_photo(zh: &str, en: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_photo",
            format!("照片无法使用：{zh}。请重新拍摄。"),
            format!("The photo cannot be used: {en}. Please take it again."),
        )
    }

    pub fn too_many_attempts(max: u32) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "too_many_attempts",
            format!("已尝试{max}次仍未完成，请到服务窗口请工作人员帮您办理。"),
            format!(
                "You have tried {max} times. Please ask staff at a service window to help you."
            ),
        )
    }

    pub fn liveness_failed() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "liveness_failed",
            "未能确认是本人在场，请按提示向左、向右转头后重试。",
            "We could not confirm you are present. Please turn your head left and right as shown, and try again.",
        )
    }

    /// A face authentication already reviewed (e.g. "approved") cannot be reviewed again.
    pub fn face_auth_invalid_transition(status: &str, action: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "invalid_transition",
            format!("此认证当前状态为 {status}，不能执行此操作"),
            format!("This authentication is {status}; it cannot be {action}"),
        )
    }

    /// The cause goes to the server's log, not to the client.
    pub fn internal(cause: impl fmt::Display) -> Self {
        eprintln!("service-api: internal error: {cause}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器内部错误，请稍后重试",
            "Internal server error; please try again",
        )
    }
}

impl From<sqlx::Error> for ApiFailure {
    fn from(e: sqlx::Error) -> Self {
        ApiFailure::internal(e)
    }
}

impl From<serde_json::Error> for ApiFailure {
    fn from(e: serde_json::Error) -> Self {
        ApiFailure::internal(e)
    }
}

/// The library's callers (the CLI) get the code and both messages.
impl From<ApiFailure> for Error {
    fn from(failure: ApiFailure) -> Self {
        let ApiError { code, message } = failure.body;
        Error::new(format!("{code}: {} / {}", message.zh, message.en))
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
