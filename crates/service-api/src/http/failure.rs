//! The one place a [`Failure`] becomes an answer: its HTTP status and its [`ApiError`] body,
//! a stable code and a message in both languages.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use contract::model::{ApiError, Bilingual};

use crate::error::{Error, Failure};

impl Failure {
    fn answer(&self) -> (StatusCode, &'static str, Bilingual) {
        use Failure::*;
        use StatusCode as S;
        let say = |zh: &str, en: &str| Bilingual::new(zh, en);
        match self {
            Unauthorized => (S::UNAUTHORIZED, "unauthorized", say("缺少或无效的访问令牌", "Missing or unknown bearer token")),
            Forbidden(access) => {
                let (zh, en) = access.who();
                (S::FORBIDDEN, "forbidden", Bilingual::new(format!("此操作仅限{zh}"), format!("Only {en} may do this")))
            }
            NotFound(en) => (S::NOT_FOUND, "not_found", say("未找到", en)),
            UnknownService(code) => (
                S::NOT_FOUND,
                "unknown_service",
                Bilingual::new(format!("没有此事项：{code}"), format!("No such service: {code}")),
            ),
            InvalidRequest(en) => (S::BAD_REQUEST, "invalid_request", say("请求格式不正确", en)),
            MethodNotAllowed => {
                (S::METHOD_NOT_ALLOWED, "invalid_request", say("不支持此请求方法", "Method not allowed on this route"))
            }
            BodyTooSlow(seconds) => (
                S::REQUEST_TIMEOUT,
                "request_timeout",
                Bilingual::new(
                    format!("请求内容未在{seconds}秒内传完"),
                    format!("The request body did not arrive within {seconds} seconds"),
                ),
            ),
            IdempotencyKeyReused => (
                S::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                say(
                    "此幂等键已用于另一个请求",
                    "This Idempotency-Key was already used for another request: send a new key with a new request",
                ),
            ),
            NoWaitingTicket(window) => (
                S::NOT_FOUND,
                "no_waiting_ticket",
                Bilingual::new(format!("{window}号窗口暂无等候的号"), format!("Nobody is waiting for window {window}")),
            ),
            WindowClosed(window) => (
                S::CONFLICT,
                "window_closed",
                Bilingual::new(format!("{window}号窗口已关闭"), format!("Window {window} is closed")),
            ),
            TicketCannotMove { number, status, action } => (
                S::CONFLICT,
                "invalid_transition",
                Bilingual::new(
                    format!("{number}号当前状态为 {status}，不能执行此操作"),
                    format!("Ticket {number} is {status}; it cannot be {action}"),
                ),
            ),
            CallCannotMove { status, action } => (
                S::CONFLICT,
                "invalid_transition",
                Bilingual::new(
                    format!("此呼叫当前状态为 {status}，不能执行此操作"),
                    format!("This call is {status}; it cannot be {action}"),
                ),
            ),
            FaceAuthCannotMove { status, action } => (
                S::CONFLICT,
                "invalid_transition",
                Bilingual::new(
                    format!("此认证当前状态为 {status}，不能执行此操作"),
                    format!("This authentication is {status}; it cannot be {action}"),
                ),
            ),
            InterpreterBusy => (
                S::CONFLICT,
                "interpreter_busy",
                say("您还有未结束的呼叫，请先结束它", "You still have a call; end it first"),
            ),
            InterpreterOffDuty => {
                (S::CONFLICT, "interpreter_off_duty", say("请先上岗，再接听呼叫", "Go on duty before accepting calls"))
            }
            FastTrackNeedsReceipt => (
                S::FORBIDDEN,
                "fast_track_needs_receipt",
                say(
                    "快速通道号只能凭预审回执取号，或由工作人员发放。",
                    "A fast-track ticket comes only with a redeemed pre-review receipt, or from staff.",
                ),
            ),
            ReceiptInvalid => (
                S::BAD_REQUEST,
                "receipt_invalid",
                say(
                    "无法识别此回执，可能已损坏或被修改。请到前台咨询工作人员。",
                    "This receipt cannot be read: it may be damaged or altered. Staff at the front desk can help.",
                ),
            ),
            ReceiptNumberInvalid => (
                S::BAD_REQUEST,
                "receipt_invalid",
                say(
                    "回执编号有误，请核对回执上的12位编号后重新输入。",
                    "This receipt number is not valid. Please check the 12 digits on your receipt and type them again.",
                ),
            ),
            ReceiptExpired => (
                S::GONE,
                "receipt_expired",
                say(
                    "此回执已过有效期。请重新在线预审，或到前台咨询工作人员。",
                    "This receipt has expired. Please apply for pre-review online again, or ask staff at the front desk.",
                ),
            ),
            ReceiptNotFound => (
                S::NOT_FOUND,
                "receipt_not_found",
                say(
                    "本中心没有此回执的记录。请核对编号，或到前台咨询工作人员。",
                    "This center has no record of this receipt. Please check the number, or ask staff at the front desk.",
                ),
            ),
            ReceiptAlreadyRedeemed(when) => (
                S::CONFLICT,
                "receipt_already_redeemed",
                Bilingual::new(
                    format!("此回执已于 {when} 取过号，每张回执只能取号一次。如有疑问，请到前台咨询工作人员。"),
                    format!("This receipt was already used for a ticket on {when} (Beijing time); each receipt gives one ticket. Staff at the front desk can help."),
                ),
            ),
            ReceiptServiceWithdrawn(code) => (
                S::NOT_FOUND,
                "unknown_service",
                Bilingual::new(
                    format!("此回执的办理事项（{code}）本中心已不再受理。请到前台咨询工作人员。"),
                    format!("The service of this receipt ({code}) is no longer offered here. Staff at the front desk can help."),
                ),
            ),
            ConsentRequired => (
                S::BAD_REQUEST,
                "consent_required",
                say(
                    "需要您同意拍摄并保存照片用于资格认证审核，才能继续。",
                    "You need to agree to the photo being taken and kept for the review before going on.",
                ),
            ),
            InvalidIdNumber(problem) => {
                let (zh, en) = problem.advice();
                (S::BAD_REQUEST, "invalid_id_number", say(zh, en))
            }
            InvalidPhoto(zh, en) => (
                S::BAD_REQUEST,
                "invalid_photo",
                Bilingual::new(
                    format!("照片无法使用：{zh}。请重新拍摄。"),
                    format!("The photo cannot be used: {en}. Please take it again."),
                ),
            ),
            TooManyAttempts(max) => (
                S::BAD_REQUEST,
                "too_many_attempts",
                Bilingual::new(
                    format!("已尝试{max}次仍未完成，请到服务窗口请工作人员帮您办理。"),
                    format!("You have tried {max} times. Please ask staff at a service window to help you."),
                ),
            ),
            LivenessFailed => (
                S::BAD_REQUEST,
                "liveness_failed",
                say(
                    "未能确认是本人在场，请按提示向左、向右转头后重试。",
                    "We could not confirm you are present. Please turn your head left and right as shown, and try again.",
                ),
            ),
            NoRateableVisit { number: Some(number), waiting: true } => (
                S::NOT_FOUND,
                "no_rateable_visit",
                Bilingual::new(
                    format!("{number}号还没有办理完毕，办理完毕后即可评价。"),
                    format!("Ticket {number} has not been served yet; you can rate it once the window has finished."),
                ),
            ),
            NoRateableVisit { number: Some(number), waiting: false } => (
                S::NOT_FOUND,
                "no_rateable_visit",
                Bilingual::new(
                    format!("今天没有办理完毕的{number}号。只能评价今天办理的业务，请核对号码。"),
                    format!("No ticket {number} was served today. Only today's visits can be rated; please check the number."),
                ),
            ),
            NoRateableVisit { number: None, .. } => (
                S::NOT_FOUND,
                "no_rateable_visit",
                say(
                    "没有找到这张号票今天办理完毕的记录。只能评价今天办理的业务，请核对号票。",
                    "No visit served today was found for this ticket. Only today's visits can be rated; please check the ticket.",
                ),
            ),
            NotServed(number) => (
                S::CONFLICT,
                "not_served",
                Bilingual::new(
                    format!("{number}号还没有办理完毕，办理完毕后即可评价。"),
                    format!("Ticket {number} has not been served yet; you can rate it once the window has finished."),
                ),
            ),
            AlreadyRated(number) => (
                S::CONFLICT,
                "already_rated",
                Bilingual::new(
                    format!("{number}号已经评价过了，感谢您的评价！每次办事评价一次。"),
                    format!("Ticket {number} has been rated already. Thank you! Each visit is rated once."),
                ),
            ),
            FollowUpNotNeeded => (
                S::CONFLICT,
                "follow_up_not_needed",
                say("只有“不满意”和“非常不满意”的评价需要回访处理", "Only dissatisfied and very dissatisfied ratings are followed up"),
            ),
            AlreadyFollowedUp(when) => (
                S::CONFLICT,
                "already_followed_up",
                Bilingual::new(
                    format!("此评价已于 {when} 回访处理"),
                    format!("This rating was already followed up on {when} (Beijing time)"),
                ),
            ),
            ApplicationCannotMove { status, to } => (
                S::CONFLICT,
                "invalid_transition",
                Bilingual::new(
                    format!("此办件当前状态为 {status}，不能改为 {to}"),
                    format!("This application is {status}; it cannot become {to}"),
                ),
            ),
            TooManyLookups => (
                S::TOO_MANY_REQUESTS,
                "too_many_attempts",
                say(
                    "查询未找到的次数过多，请稍后再试，或到服务窗口请工作人员帮您查询。",
                    "Too many lookups found nothing. Please try again later, or ask staff at a service window to look it up for you.",
                ),
            ),
            Internal => (
                S::INTERNAL_SERVER_ERROR,
                "internal",
                say("服务器内部错误，请稍后重试", "Internal server error; please try again"),
            ),
        }
    }
}

/// The longest message an answer carries, in characters. A message may quote what was sent
/// (a service code, a JSON parser's complaint); a 2 MB field must not come back, nor be saved
/// as a 2 MB answer to its Idempotency-Key.
const MAX_MESSAGE_CHARS: usize = 240;

/// The message, or its start and end around an ellipsis when it is too long: the end of a
/// parser's complaint says where the problem is.
fn capped(message: String) -> String {
    let chars = message.chars().count();
    if chars <= MAX_MESSAGE_CHARS {
        return message;
    }
    let head = MAX_MESSAGE_CHARS * 2 / 3;
    let tail = MAX_MESSAGE_CHARS - head - 1;
    let start: String = message.chars().take(head).collect();
    let end: String = message.chars().skip(chars - tail).collect();
    format!("{start}…{end}")
}

impl Failure {
    /// Its HTTP status and message, for answers in another form (the staff console's pages).
    pub(crate) fn explained(&self) -> (StatusCode, Bilingual) {
        let (status, _, message) = self.answer();
        (status, message)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let (status, code, message) = self.answer();
        let message = Bilingual { zh: capped(message.zh), en: capped(message.en) };
        (status, Json(ApiError { code: code.into(), message })).into_response()
    }
}

/// The library's callers (the CLI) get the code and both messages, as a client would.
impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        let (_, code, message) = failure.answer();
        Error::new(format!("{code}: {} / {}", message.zh, message.en))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_message_keeps_its_start_and_end() {
        assert_eq!(capped("short".into()), "short");
        let long = format!("unknown variant `{}`, expected one of `normal`", "x".repeat(10_000));
        let shortened = capped(long);
        assert_eq!(shortened.chars().count(), MAX_MESSAGE_CHARS);
        assert!(shortened.starts_with("unknown variant `xxx") && shortened.ends_with("expected one of `normal`"));
        assert!(shortened.contains('…'));
    }
}
