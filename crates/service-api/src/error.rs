//! The library's error ([`Error`]) and why a request failed ([`Failure`]).

use std::fmt;

use contract::id_number::IdNumberProblem;
use contract::model::ApplicationStatus;

use crate::access::Access;

type Source = Box<dyn std::error::Error + Send + Sync>;

/// Why opening the database, registering a token or starting a server failed.
#[derive(Debug)]
pub struct Error {
    context: String,
    source: Option<Source>,
}

impl Error {
    pub(crate) fn new(context: impl Into<String>) -> Self {
        Error { context: context.into(), source: None }
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
        self.map_err(|e| Error { context: context.into(), source: Some(e.into()) })
    }
}

/// Why a request failed: refused by a rule, or broken inside the server. The HTTP layer
/// turns each into its status and [`contract::model::ApiError`] body, in one place
/// (`http::failure`); the messages (zh and en) are written there.
#[derive(Debug)]
pub(crate) enum Failure {
    /// No bearer token, or one the server does not know.
    Unauthorized,
    /// The route is for others: who may call it.
    Forbidden(Access),
    /// What is missing, in English: `No ticket 42`.
    NotFound(String),
    /// A service code the catalog does not have.
    UnknownService(String),
    /// What is wrong with the request, in English.
    InvalidRequest(String),
    MethodNotAllowed,
    /// The body did not arrive within this many seconds.
    BodyTooSlow(u64),
    /// An Idempotency-Key sent again with another request (method, path or body).
    IdempotencyKeyReused,
    /// Nobody waits for this window.
    NoWaitingTicket(i64),
    WindowClosed(i64),
    /// The ticket `number` is in `status`, which does not allow `action` (a past participle:
    /// "started").
    TicketCannotMove {
        number: String,
        status: String,
        action: &'static str,
    },
    /// An interpreter or staff call in `status`, which does not allow `action` ("accepted").
    CallCannotMove {
        status: String,
        action: &'static str,
    },
    /// A face authentication already reviewed (e.g. "approved") cannot be reviewed again.
    FaceAuthCannotMove {
        status: String,
        action: &'static str,
    },
    /// The interpreter already has a call: to accept another or go off duty, end it first.
    InterpreterBusy,
    InterpreterOffDuty,
    /// A kiosk asked for a fast-track ticket, which only a redeemed receipt (or staff) gives.
    FastTrackNeedsReceipt,
    /// A scanned receipt that is damaged, altered or not one of this center's.
    ReceiptInvalid,
    /// A typed receipt number whose check digit is wrong: most likely a typo.
    ReceiptNumberInvalid,
    ReceiptExpired,
    ReceiptNotFound,
    /// When, in China time as [`crate::calendar::china_time`] writes it.
    ReceiptAlreadyRedeemed(String),
    /// The receipt's service (its code) was withdrawn from the catalog after the receipt was
    /// issued.
    ReceiptServiceWithdrawn(String),
    /// The resident did not agree to the photo being taken and kept for review.
    ConsentRequired,
    /// Never carries the number itself: only which part to check.
    InvalidIdNumber(IdNumberProblem),
    /// What is wrong with the photo (zh, en), e.g. not a JPEG.
    InvalidPhoto(&'static str, &'static str),
    /// The most attempts a resident has.
    TooManyAttempts(u32),
    LivenessFailed,
    /// No ticket with this number (`A012`) was served today; `waiting`: one was issued today
    /// but is not done (or did not come). No number: the ticket asked for by its id is unknown.
    NoRateableVisit {
        number: Option<String>,
        waiting: bool,
    },
    /// The ticket (its number) was not served: only a done ticket is rated.
    NotServed(String),
    /// The ticket (its number) has its rating already: one per ticket (一事一评).
    AlreadyRated(String),
    /// Only a low rating is followed up.
    FollowUpNotNeeded,
    /// When, in China time.
    AlreadyFollowedUp(String),
    /// An application in `status` cannot move to `to`.
    ApplicationCannotMove {
        status: ApplicationStatus,
        to: ApplicationStatus,
    },
    /// Too many lookups of applications found nothing: from this kiosk, or for this ID number.
    TooManyLookups,
    /// Logged by [`Failure::internal`]; the client only learns that it happened.
    Internal,
}

impl Failure {
    /// The cause goes to the server's log, not to the client.
    pub fn internal(cause: impl fmt::Display) -> Self {
        eprintln!("service-api: internal error: {cause}");
        Failure::Internal
    }
}

/// A text field held to its documented limit: at most `max_chars` characters as sent (as JSON
/// Schema's `maxLength` counts them), and not only spaces. Answers it trimmed.
pub(crate) fn checked_text<'a>(field: &str, text: &'a str, max_chars: usize) -> Result<&'a str, Failure> {
    let chars = text.chars().count();
    if chars > max_chars {
        return Err(Failure::InvalidRequest(format!("{field} must be 1 to {max_chars} characters, not {chars}")));
    }
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Failure::InvalidRequest(format!("{field} must be 1 to {max_chars} characters, not only spaces")));
    }
    Ok(trimmed)
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        Failure::internal(e)
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        Failure::internal(e)
    }
}
