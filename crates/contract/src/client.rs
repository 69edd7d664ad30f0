//! Client of the center's service API (embedded or remote: always over HTTP): the kiosk's
//! side, and the staff's and interpreters' side for the server's command line.

use std::path::Path;
use std::time::Duration;

use rustls_pki_types::CertificateDer;
use serde::de::DeserializeOwned;
use ureq::http::Response;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::Body;

use crate::limits::MAX_PHOTO_BYTES;
use crate::model::{
    AdvanceApplication, ApiError, Application, ApplicationLookup, Catalog, Evaluation, EvaluationSummary, FaceAuth,
    Heartbeat, Interpreter, InterpreterCall, KioskHealth, NewApplication, NewEvaluation, NewFaceAuth, NewFollowUp,
    NewStaffCall, NewTicket, RateableVisit, RedeemReceipt, RedeemedReceipt, RejectFaceAuth, StaffCall, StaffCallReason,
    Ticket, Window, WindowRateableVisit,
};

use crate::ApiFailure;

/// The certificates an HTTPS API's certificate must chain to, instead of the public web's:
/// the center's own CA. Read and checked when the configuration is, so a wrong file stops a
/// client at start-up rather than failing every request.
#[derive(Clone, Debug)]
pub struct CaCertificates(Vec<Certificate<'static>>);

impl PartialEq for CaCertificates {
    fn eq(&self, other: &CaCertificates) -> bool {
        self.0.iter().map(Certificate::der).eq(other.0.iter().map(Certificate::der))
    }
}

impl CaCertificates {
    /// Reads a PEM file of one or more CA certificates; the error names the file.
    pub fn read(file: &Path) -> Result<CaCertificates, String> {
        let pem = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        CaCertificates::from_pem(&pem).map_err(|why| format!("{}: {why}", file.display()))
    }

    /// The certificates of a PEM text (other items, such as keys, are skipped).
    pub fn from_pem(pem: &[u8]) -> Result<CaCertificates, String> {
        let mut certificates = Vec::new();
        for item in ureq::tls::parse_pem(pem) {
            match item.map_err(|e| format!("not PEM: {e}"))? {
                PemItem::Certificate(certificate) => certificates.push(certificate),
                _ => continue,
            }
        }
        if certificates.is_empty() {
            return Err("no PEM certificate (-----BEGIN CERTIFICATE-----) in it".into());
        }
        for (n, certificate) in certificates.iter().enumerate() {
            // rustls would skip a certificate it cannot use and trust nothing in its place.
            webpki::anchor_from_trusted_cert(&CertificateDer::from(certificate.der()))
                .map_err(|e| format!("certificate {} is not a usable X.509 certificate: {e}", n + 1))?;
        }
        Ok(CaCertificates(certificates))
    }
}

/// Cheap to clone: the clones share one connection pool.
#[derive(Clone)]
pub struct ApiClient {
    agent: ureq::Agent,
    base_url: String,
    authorization: String,
}

impl ApiClient {
    /// A client of a plain HTTP API, or of an HTTPS one whose certificate a public CA signed.
    pub fn new(base_url: &str, token: &str) -> ApiClient {
        ApiClient::with_tls(base_url, token, TlsConfig::default())
    }

    /// A client that trusts an HTTPS API only if its certificate chains to one of `roots`.
    pub fn trusting(base_url: &str, token: &str, roots: &CaCertificates) -> ApiClient {
        let tls = TlsConfig::builder().root_certs(RootCerts::new_with_certs(&roots.0)).build();
        ApiClient::with_tls(base_url, token, tls)
    }

    fn with_tls(base_url: &str, token: &str, tls: TlsConfig) -> ApiClient {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            // The server closes a connection idle for 10 s; never reuse one that old, so a
            // request never meets a connection closed under it.
            .max_idle_age(Duration::from_secs(5))
            .http_status_as_error(false)
            .tls_config(tls)
            .build()
            .into();
        ApiClient {
            agent,
            base_url: base_url.trim_end_matches('/').to_string(),
            authorization: format!("Bearer {token}"),
        }
    }

    pub fn catalog(&self) -> Result<Catalog, ApiFailure> {
        self.get("/v1/catalog")
    }

    pub fn issue_ticket(&self, request: &NewTicket, idempotency_key: &str) -> Result<Ticket, ApiFailure> {
        self.post("/v1/tickets", request, idempotency_key)
    }

    pub fn redeem_receipt(
        &self,
        request: &RedeemReceipt,
        idempotency_key: &str,
    ) -> Result<RedeemedReceipt, ApiFailure> {
        self.post("/v1/receipts/redeem", request, idempotency_key)
    }

    /// Asks for a sign-language interpreter; the key makes a retried request the same call.
    pub fn request_interpreter(&self, idempotency_key: &str) -> Result<InterpreterCall, ApiFailure> {
        self.post_empty("/v1/interpreter-calls", idempotency_key)
    }

    pub fn interpreter_call(&self, id: &str) -> Result<InterpreterCall, ApiFailure> {
        self.get(&format!("/v1/interpreter-calls/{id}"))
    }

    /// Moves the call on: `started` (the video window is open), `end` or `cancel`.
    pub fn move_interpreter_call(&self, id: &str, action: &str) -> Result<InterpreterCall, ApiFailure> {
        let key = format!("{id}-{action}");
        self.post_empty(&format!("/v1/interpreter-calls/{id}/{action}"), &key)
    }

    pub fn call_staff(&self, reason: StaffCallReason, idempotency_key: &str) -> Result<StaffCall, ApiFailure> {
        self.post("/v1/staff-calls", &NewStaffCall { reason }, idempotency_key)
    }

    pub fn staff_call(&self, id: &str) -> Result<StaffCall, ApiFailure> {
        self.get(&format!("/v1/staff-calls/{id}"))
    }

    /// Submits a pension face authentication for review.
    pub fn submit_face_auth(&self, request: &NewFaceAuth, idempotency_key: &str) -> Result<FaceAuth, ApiFailure> {
        self.post("/v1/face-auth", request, idempotency_key)
    }

    /// Today's served visit with that ticket number (`A012`), to rate.
    pub fn rateable_visit(&self, ticket_number: &str) -> Result<RateableVisit, ApiFailure> {
        self.get(&format!("/v1/rateable-visits/{ticket_number}"))
    }

    /// The served visit of the ticket with this id (scanned from the printed ticket), to rate.
    pub fn rateable_visit_of_ticket(&self, ticket_id: &str) -> Result<RateableVisit, ApiFailure> {
        self.get(&format!("/v1/tickets/{ticket_id}/rateable-visit"))
    }

    /// Tells the API how this kiosk is (every minute).
    pub fn heartbeat(&self, heartbeat: &Heartbeat, idempotency_key: &str) -> Result<KioskHealth, ApiFailure> {
        self.post("/v1/kiosks/heartbeat", heartbeat, idempotency_key)
    }

    /// Every kiosk that has sent a heartbeat, with the quiet ones flagged (staff).
    pub fn kiosks(&self) -> Result<Vec<KioskHealth>, ApiFailure> {
        self.get("/v1/kiosks")
    }

    /// The visit just finished at the window, for its evaluator, if there is one to rate.
    pub fn window_rateable_visit(&self, window: i64) -> Result<Option<RateableVisit>, ApiFailure> {
        self.get::<WindowRateableVisit>(&format!("/v1/windows/{window}/rateable-visit")).map(|w| w.visit)
    }

    pub fn evaluate(&self, request: &NewEvaluation, idempotency_key: &str) -> Result<Evaluation, ApiFailure> {
        self.post("/v1/evaluations", request, idempotency_key)
    }

    /// The applications a receipt or an applicant's ID and phone numbers find; the API counts
    /// the lookups that find nothing and refuses after too many.
    pub fn look_up_applications(
        &self,
        request: &ApplicationLookup,
        idempotency_key: &str,
    ) -> Result<Vec<Application>, ApiFailure> {
        self.post("/v1/applications/lookup", request, idempotency_key)
    }

    // Staff: windows, tickets, staff calls and face authentication reviews.

    pub fn windows(&self) -> Result<Vec<Window>, ApiFailure> {
        self.get("/v1/windows")
    }

    pub fn set_window_open(&self, number: i64, open: bool, idempotency_key: &str) -> Result<Window, ApiFailure> {
        let action = if open { "open" } else { "close" };
        self.post_empty(&format!("/v1/windows/{number}/{action}"), idempotency_key)
    }

    /// Calls the next waiting ticket to the window.
    pub fn call_next(&self, window: i64, idempotency_key: &str) -> Result<Ticket, ApiFailure> {
        self.post_empty(&format!("/v1/windows/{window}/call-next"), idempotency_key)
    }

    /// Moves a called ticket on: `start`, `finish` or `no-show`.
    pub fn move_ticket(&self, id: &str, action: &str, idempotency_key: &str) -> Result<Ticket, ApiFailure> {
        self.post_empty(&format!("/v1/tickets/{id}/{action}"), idempotency_key)
    }

    /// The staff calls nobody has answered yet, oldest first.
    pub fn open_staff_calls(&self) -> Result<Vec<StaffCall>, ApiFailure> {
        self.get("/v1/staff-calls?status=sent")
    }

    /// A staff member is on the way.
    pub fn acknowledge_staff_call(&self, id: &str, idempotency_key: &str) -> Result<StaffCall, ApiFailure> {
        self.post_empty(&format!("/v1/staff-calls/{id}/acknowledge"), idempotency_key)
    }

    /// The face authentications waiting for review, oldest first.
    pub fn pending_face_auths(&self) -> Result<Vec<FaceAuth>, ApiFailure> {
        self.get("/v1/face-auth?status=pending_review")
    }

    /// The JPEG a face authentication was submitted with.
    pub fn face_auth_photo(&self, id: &str) -> Result<Vec<u8>, ApiFailure> {
        // A photo is at most MAX_PHOTO_BYTES; leave room.
        read_with(self.call_get(&format!("/v1/face-auth/{id}/photo")), |body| {
            body.with_config().limit(4 * MAX_PHOTO_BYTES as u64).read_to_vec()
        })
    }

    pub fn approve_face_auth(&self, id: &str, idempotency_key: &str) -> Result<FaceAuth, ApiFailure> {
        self.post_empty(&format!("/v1/face-auth/{id}/approve"), idempotency_key)
    }

    /// `reason` is shown to the resident.
    pub fn reject_face_auth(&self, id: &str, reason: &str, idempotency_key: &str) -> Result<FaceAuth, ApiFailure> {
        let reject = RejectFaceAuth { reason: reason.into() };
        self.post(&format!("/v1/face-auth/{id}/reject"), &reject, idempotency_key)
    }

    /// Low ratings with no follow-up yet, oldest first.
    pub fn open_low_ratings(&self) -> Result<Vec<Evaluation>, ApiFailure> {
        self.get("/v1/evaluations?follow_up=open")
    }

    pub fn follow_up(
        &self,
        id: &str,
        follow_up: &NewFollowUp,
        idempotency_key: &str,
    ) -> Result<Evaluation, ApiFailure> {
        self.post(&format!("/v1/evaluations/{id}/follow-up"), follow_up, idempotency_key)
    }

    /// Ratings per day, window and service, `from` to `to` inclusive (`YYYY-MM-DD`).
    pub fn evaluation_summary(&self, from: &str, to: &str) -> Result<Vec<EvaluationSummary>, ApiFailure> {
        self.get(&format!("/v1/evaluations/summary?from={from}&to={to}"))
    }

    pub fn register_application(
        &self,
        request: &NewApplication,
        idempotency_key: &str,
    ) -> Result<Application, ApiFailure> {
        self.post("/v1/applications", request, idempotency_key)
    }

    pub fn applications(&self) -> Result<Vec<Application>, ApiFailure> {
        self.get("/v1/applications")
    }

    pub fn advance_application(
        &self,
        id: &str,
        request: &AdvanceApplication,
        idempotency_key: &str,
    ) -> Result<Application, ApiFailure> {
        self.post(&format!("/v1/applications/{id}/advance"), request, idempotency_key)
    }

    // Sign-language interpreters.

    pub fn set_on_duty(&self, on_duty: bool, idempotency_key: &str) -> Result<Interpreter, ApiFailure> {
        let duty = if on_duty { "on-duty" } else { "off-duty" };
        self.post_empty(&format!("/v1/interpreters/me/{duty}"), idempotency_key)
    }

    /// The queued calls, the next one first.
    pub fn queued_interpreter_calls(&self) -> Result<Vec<InterpreterCall>, ApiFailure> {
        self.get("/v1/interpreter-calls?status=queued")
    }

    /// Takes a queued call; the answer carries its join URL.
    pub fn accept_interpreter_call(&self, id: &str, idempotency_key: &str) -> Result<InterpreterCall, ApiFailure> {
        self.post_empty(&format!("/v1/interpreter-calls/{id}/accept"), idempotency_key)
    }

    fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiFailure> {
        read_with(self.call_get(path), |body| body.read_json())
    }

    fn call_get(&self, path: &str) -> Result<Response<Body>, ureq::Error> {
        self.agent.get(format!("{}{path}", self.base_url)).header("Authorization", &self.authorization).call()
    }

    fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl serde::Serialize,
        idempotency_key: &str,
    ) -> Result<T, ApiFailure> {
        let response = self
            .agent
            .post(format!("{}{path}", self.base_url))
            .header("Authorization", &self.authorization)
            .header("Idempotency-Key", idempotency_key)
            .send_json(body);
        read_with(response, |body| body.read_json())
    }

    /// A POST to a route that takes no body.
    fn post_empty<T: DeserializeOwned>(&self, path: &str, idempotency_key: &str) -> Result<T, ApiFailure> {
        self.post(path, &serde_json::json!({}), idempotency_key)
    }
}

/// A success body as `read_body` reads it, the API's own error, or "unreachable" for anything
/// that is neither.
fn read_with<T>(
    response: Result<Response<Body>, ureq::Error>,
    read_body: impl FnOnce(&mut Body) -> Result<T, ureq::Error>,
) -> Result<T, ApiFailure> {
    let mut response = response.map_err(|e| ApiFailure::Unreachable(e.to_string()))?;
    let status = response.status();
    let body = response.body_mut();
    if status.is_success() {
        return read_body(body).map_err(|e| ApiFailure::Unreachable(format!("bad answer: {e}")));
    }
    match body.read_json::<ApiError>() {
        // A server error is the server's trouble, not the resident's: offer a retry.
        Ok(error) if status.is_client_error() => Err(ApiFailure::Refused(error)),
        Ok(error) => Err(ApiFailure::Unreachable(format!("{status}: {}", error.code))),
        Err(_) => Err(ApiFailure::Unreachable(format!("HTTP {status}"))),
    }
}
