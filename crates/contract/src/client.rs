//! Client of the center's service API (embedded or remote: always over HTTP).

use std::time::Duration;

use crate::model::{
    ApiError, Catalog, FaceAuth, InterpreterCall, NewFaceAuth, NewStaffCall, NewTicket, RedeemReceipt, RedeemedReceipt,
    StaffCall, StaffCallReason, Ticket,
};

use crate::ApiFailure;

pub struct ApiClient {
    agent: ureq::Agent,
    base_url: String,
    authorization: String,
}

impl ApiClient {
    pub fn new(base_url: &str, token: &str) -> ApiClient {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
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

    pub fn redeem_receipt(&self, request: &RedeemReceipt, idempotency_key: &str) -> Result<RedeemedReceipt, ApiFailure> {
        self.post("/v1/receipts/redeem", request, idempotency_key)
    }

    /// Asks for a sign-language interpreter; the key makes a retried request the same call.
    pub fn request_interpreter(&self, idempotency_key: &str) -> Result<InterpreterCall, ApiFailure> {
        self.post("/v1/interpreter-calls", &serde_json::json!({}), idempotency_key)
    }

    pub fn interpreter_call(&self, id: &str) -> Result<InterpreterCall, ApiFailure> {
        self.get(&format!("/v1/interpreter-calls/{id}"))
    }

    /// Moves the call on: `started` (the video window is open), `end` or `cancel`.
    pub fn move_interpreter_call(&self, id: &str, action: &str) -> Result<InterpreterCall, ApiFailure> {
        let key = format!("{id}-{action}");
        self.post(&format!("/v1/interpreter-calls/{id}/{action}"), &serde_json::json!({}), &key)
    }

    /// Cancels the call if it is still queued, or ends it if an interpreter took it (perhaps
    /// just now, while the resident was leaving).
    pub fn hang_up(&self, id: &str) -> Result<InterpreterCall, ApiFailure> {
        match self.move_interpreter_call(id, "cancel") {
            Err(ApiFailure::Refused(e)) if e.code == "invalid_transition" => self.move_interpreter_call(id, "end"),
            answer => answer,
        }
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

    fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, ApiFailure> {
        let response = self
            .agent
            .get(format!("{}{path}", self.base_url))
            .header("Authorization", &self.authorization)
            .call();
        read(response)
    }

    fn post<T: serde::de::DeserializeOwned>(
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
        read(response)
    }
}

/// A success body, the API's own error, or "unreachable" for anything that is neither.
fn read<T: serde::de::DeserializeOwned>(
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<T, ApiFailure> {
    let mut response = response.map_err(|e| ApiFailure::Unreachable(e.to_string()))?;
    let status = response.status();
    let body = response.body_mut();
    if status.is_success() {
        return body.read_json().map_err(|e| ApiFailure::Unreachable(format!("bad answer: {e}")));
    }
    match body.read_json::<ApiError>() {
        // A server error is the server's trouble, not the resident's: offer a retry.
        Ok(error) if status.is_client_error() => Err(ApiFailure::Refused(error)),
        Ok(error) => Err(ApiFailure::Unreachable(format!("{status}: {}", error.code))),
        Err(_) => Err(ApiFailure::Unreachable(format!("HTTP {status}"))),
    }
}
