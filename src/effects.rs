//! The core's calls to the service API: each runs on a worker thread, so the screen never
//! waits for the network, and its answer comes back over a channel as the core's event.
//!
//! The API sits behind [`ServiceApi`], which the HTTP client implements; tests put a fake in
//! its place, so the calls can be checked without a server or a window.

use std::sync::{mpsc, Arc};

use base64::Engine;
use contract::model::{
    Application, ApplicationLookup, Catalog, Evaluation, FaceAuth, InterpreterCall, NewEvaluation, NewFaceAuth,
    NewTicket, RateableVisit, RedeemReceipt, RedeemedReceipt, StaffCall, StaffCallReason, Ticket,
};
use contract::{ApiClient, ApiFailure};
use kiosk_core::{Effect, Event, TicketRef};
use tokio::sync::oneshot;

use crate::camera::face::FacePhoto;
use crate::outbox::{Courier, Outbox};

/// The service API, as the kiosk uses it.
pub trait ServiceApi: Send + Sync {
    fn catalog(&self) -> Result<Catalog, ApiFailure>;
    fn issue_ticket(&self, request: &NewTicket, idempotency_key: &str) -> Result<Ticket, ApiFailure>;
    fn redeem_receipt(&self, request: &RedeemReceipt, idempotency_key: &str) -> Result<RedeemedReceipt, ApiFailure>;
    /// Asks for a sign-language interpreter; the key makes a retried request the same call.
    fn request_interpreter(&self, idempotency_key: &str) -> Result<InterpreterCall, ApiFailure>;
    fn interpreter_call(&self, id: &str) -> Result<InterpreterCall, ApiFailure>;
    /// Moves the call on: `started` (the video window is open), `end` or `cancel`.
    fn move_interpreter_call(&self, id: &str, action: &str) -> Result<InterpreterCall, ApiFailure>;
    fn call_staff(&self, reason: StaffCallReason, idempotency_key: &str) -> Result<StaffCall, ApiFailure>;
    fn staff_call(&self, id: &str) -> Result<StaffCall, ApiFailure>;
    /// Submits a pension face authentication for review.
    fn submit_face_auth(&self, request: &NewFaceAuth, idempotency_key: &str) -> Result<FaceAuth, ApiFailure>;
    fn rateable_visit(&self, ticket_number: &str) -> Result<RateableVisit, ApiFailure>;
    fn rateable_visit_of_ticket(&self, ticket_id: &str) -> Result<RateableVisit, ApiFailure>;
    fn window_rateable_visit(&self, window: i64) -> Result<Option<RateableVisit>, ApiFailure>;
    fn evaluate(&self, request: &NewEvaluation, idempotency_key: &str) -> Result<Evaluation, ApiFailure>;
    fn look_up_applications(
        &self,
        request: &ApplicationLookup,
        idempotency_key: &str,
    ) -> Result<Vec<Application>, ApiFailure>;

    /// Cancels the call if it is still queued, or ends it if an interpreter took it (perhaps
    /// just now, while the resident was leaving).
    fn hang_up(&self, id: &str) -> Result<InterpreterCall, ApiFailure> {
        match self.move_interpreter_call(id, "cancel") {
            Err(ApiFailure::Refused(e)) if e.code == "invalid_transition" => self.move_interpreter_call(id, "end"),
            answer => answer,
        }
    }
}

impl ServiceApi for ApiClient {
    fn catalog(&self) -> Result<Catalog, ApiFailure> {
        ApiClient::catalog(self)
    }
    fn issue_ticket(&self, request: &NewTicket, idempotency_key: &str) -> Result<Ticket, ApiFailure> {
        ApiClient::issue_ticket(self, request, idempotency_key)
    }
    fn redeem_receipt(&self, request: &RedeemReceipt, idempotency_key: &str) -> Result<RedeemedReceipt, ApiFailure> {
        ApiClient::redeem_receipt(self, request, idempotency_key)
    }
    fn request_interpreter(&self, idempotency_key: &str) -> Result<InterpreterCall, ApiFailure> {
        ApiClient::request_interpreter(self, idempotency_key)
    }
    fn interpreter_call(&self, id: &str) -> Result<InterpreterCall, ApiFailure> {
        ApiClient::interpreter_call(self, id)
    }
    fn move_interpreter_call(&self, id: &str, action: &str) -> Result<InterpreterCall, ApiFailure> {
        ApiClient::move_interpreter_call(self, id, action)
    }
    fn call_staff(&self, reason: StaffCallReason, idempotency_key: &str) -> Result<StaffCall, ApiFailure> {
        ApiClient::call_staff(self, reason, idempotency_key)
    }
    fn staff_call(&self, id: &str) -> Result<StaffCall, ApiFailure> {
        ApiClient::staff_call(self, id)
    }
    fn submit_face_auth(&self, request: &NewFaceAuth, idempotency_key: &str) -> Result<FaceAuth, ApiFailure> {
        ApiClient::submit_face_auth(self, request, idempotency_key)
    }
    fn rateable_visit(&self, ticket_number: &str) -> Result<RateableVisit, ApiFailure> {
        ApiClient::rateable_visit(self, ticket_number)
    }
    fn rateable_visit_of_ticket(&self, ticket_id: &str) -> Result<RateableVisit, ApiFailure> {
        ApiClient::rateable_visit_of_ticket(self, ticket_id)
    }
    fn window_rateable_visit(&self, window: i64) -> Result<Option<RateableVisit>, ApiFailure> {
        ApiClient::window_rateable_visit(self, window)
    }
    fn evaluate(&self, request: &NewEvaluation, idempotency_key: &str) -> Result<Evaluation, ApiFailure> {
        ApiClient::evaluate(self, request, idempotency_key)
    }
    fn look_up_applications(
        &self,
        request: &ApplicationLookup,
        idempotency_key: &str,
    ) -> Result<Vec<Application>, ApiFailure> {
        ApiClient::look_up_applications(self, request, idempotency_key)
    }
}

/// Carries out the core's service API effects.
pub struct EffectRunner {
    api: Arc<dyn ServiceApi>,
    /// The pension face picture that a face submission sends (see [`FacePhoto`]).
    face_photo: FacePhoto,
    courier: Courier,
}

impl EffectRunner {
    /// Durable effects go through `outbox`, and every try's answer to `answers`.
    pub fn new(
        api: impl ServiceApi + 'static,
        face_photo: FacePhoto,
        outbox: Outbox,
        answers: mpsc::Sender<Event>,
    ) -> EffectRunner {
        let api: Arc<dyn ServiceApi> = Arc::new(api);
        EffectRunner { courier: Courier::start(outbox, api.clone(), answers), api, face_photo }
    }

    /// Hands a durable effect ([`Effect::is_durable`]) to the outbox, which sends it until the
    /// API answers; each try's answer arrives on the channel given to [`EffectRunner::new`].
    pub fn keep(&self, effect: Effect) {
        self.courier.keep(effect);
    }

    /// How many durable requests wait to be sent (see [`Courier::backlog`]).
    pub fn outbox_backlog(&self) -> Arc<std::sync::atomic::AtomicUsize> {
        self.courier.backlog()
    }

    /// Makes the call that `effect` asks for on a worker thread; its answer arrives as the
    /// core's event.
    ///
    /// Panics on an effect that calls no API (speech, camera, video: the UI carries those out)
    /// and on a durable one (see [`EffectRunner::keep`]).
    pub fn start(&self, effect: Effect) -> oneshot::Receiver<Event> {
        let (api, face_photo) = (self.api.clone(), self.face_photo.clone());
        let (answer, answered) = oneshot::channel();
        std::thread::spawn(move || {
            let _ = answer.send(call(api.as_ref(), &face_photo, effect));
        });
        answered
    }
}

fn call(api: &dyn ServiceApi, face_photo: &FacePhoto, effect: Effect) -> Event {
    match effect {
        Effect::LoadCatalog => Event::CatalogLoaded(api.catalog()),
        Effect::IssueTicket { request, idempotency_key } => {
            Event::TicketIssued(api.issue_ticket(&request, &idempotency_key))
        }
        Effect::RedeemReceipt { request, idempotency_key } => {
            Event::ReceiptRedeemed(api.redeem_receipt(&request, &idempotency_key))
        }
        Effect::RequestInterpreter { idempotency_key } => {
            Event::InterpreterCallUpdated(api.request_interpreter(&idempotency_key))
        }
        Effect::PollInterpreterCall { id } => Event::InterpreterCallUpdated(api.interpreter_call(&id)),
        Effect::ReportVideoStarted { id } => Event::InterpreterCallUpdated(api.move_interpreter_call(&id, "started")),
        Effect::PollStaffCall { id, idempotency_key } => {
            Event::StaffCallAnswered { result: api.staff_call(&id), idempotency_key }
        }
        Effect::SubmitFaceAuth { id_number, attempt, liveness, idempotency_key } => {
            let photo = face_photo.lock().map(|photo| photo.clone()).ok().flatten();
            let request = NewFaceAuth {
                id_number,
                // The core asks for a submission only after the resident's consent.
                consent: true,
                attempt,
                liveness,
                photo_jpeg: base64::engine::general_purpose::STANDARD.encode(photo.unwrap_or_default()),
            };
            Event::FaceAuthSubmitted(api.submit_face_auth(&request, &idempotency_key))
        }
        Effect::FindRateableVisit(TicketRef::Number(number)) => Event::RateableVisitFound(api.rateable_visit(&number)),
        Effect::FindRateableVisit(TicketRef::Id(id)) => Event::RateableVisitFound(api.rateable_visit_of_ticket(&id)),
        Effect::PollWindowVisit { window } => Event::WindowVisitAnswered(api.window_rateable_visit(window)),
        Effect::LookUpApplications { request, idempotency_key } => {
            Event::ApplicationsFound(api.look_up_applications(&request, &idempotency_key))
        }
        // The admin menu's check: anything the kiosk needs would do; the catalog is the first.
        Effect::CheckApi => {
            let asked = std::time::Instant::now();
            Event::ApiChecked(api.catalog().map(|_| asked.elapsed().as_millis().try_into().unwrap_or(u32::MAX)))
        }
        other => panic!("not a service API call to make once: {other:?}"),
    }
}
