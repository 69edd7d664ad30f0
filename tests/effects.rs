//! The effect runner over a fake service API: which calls each of the core's API effects
//! makes, and the event its answer comes back as, with no server and no window; and the
//! outbox, which keeps the durable ones on disk until the API has them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use contract::model::{
    ApiError, Application, ApplicationLookup, Bilingual, Catalog, Evaluation, EvaluationChannel, FaceAuth,
    InterpreterCall, Liveness, LowRatingReason, Movement, NewEvaluation, NewFaceAuth, NewTicket, Priority,
    RateableVisit, RedeemReceipt, RedeemedReceipt, Satisfaction, StaffCall, StaffCallReason, Ticket,
};
use contract::ApiFailure;
use kiosk::camera::face::FacePhoto;
use kiosk::effects::{EffectRunner, ServiceApi};
use kiosk::outbox::{Outbox, Request, RETRY_EVERY, STAFF_CALL_EXPIRES_SECS};
use kiosk_core::{Effect, Event, TicketRef};

/// Records each call as one line, and answers as a server would (or not at all).
#[derive(Clone, Default)]
struct FakeApi {
    calls: Arc<Mutex<Vec<String>>>,
    /// Whether staff calls get through (the network is up).
    staff_calls_reach: Arc<AtomicBool>,
}

impl FakeApi {
    fn log(&self, call: String) {
        self.calls.lock().unwrap().push(call);
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

fn unreachable() -> ApiFailure {
    ApiFailure::Unreachable("the fake has no such answer".into())
}

fn interpreter_call(id: &str, status: &str) -> InterpreterCall {
    let call = serde_json::json!({ "id": id, "kiosk_id": "kiosk-test", "status": status, "created_at": 0 });
    serde_json::from_value(call).unwrap()
}

impl ServiceApi for FakeApi {
    fn catalog(&self) -> Result<Catalog, ApiFailure> {
        self.log("catalog".into());
        Ok(Catalog { categories: vec![], services: vec![] })
    }
    fn issue_ticket(&self, request: &NewTicket, idempotency_key: &str) -> Result<Ticket, ApiFailure> {
        self.log(format!("issue_ticket {} {idempotency_key}", request.service_code));
        let ticket = serde_json::json!({
            "id": "t1", "number": "A001", "service_code": request.service_code,
            "service_name": { "zh": "居住证", "en": "Residence permit" }, "priority": "normal",
            "status": "issued", "people_ahead": 0, "estimated_wait_minutes": 0,
            "window": { "zh": "3号窗口", "en": "Window 3" }, "issued_at": 0,
        });
        Ok(serde_json::from_value(ticket).unwrap())
    }
    fn redeem_receipt(&self, _: &RedeemReceipt, idempotency_key: &str) -> Result<RedeemedReceipt, ApiFailure> {
        self.log(format!("redeem_receipt {idempotency_key}"));
        Err(unreachable())
    }
    fn request_interpreter(&self, idempotency_key: &str) -> Result<InterpreterCall, ApiFailure> {
        self.log(format!("request_interpreter {idempotency_key}"));
        Ok(interpreter_call("c1", "queued"))
    }
    fn interpreter_call(&self, id: &str) -> Result<InterpreterCall, ApiFailure> {
        self.log(format!("interpreter_call {id}"));
        Ok(interpreter_call(id, "queued"))
    }
    /// The call was taken by an interpreter: it can be ended, not cancelled.
    fn move_interpreter_call(&self, id: &str, action: &str) -> Result<InterpreterCall, ApiFailure> {
        self.log(format!("move_interpreter_call {id} {action}"));
        match action {
            "cancel" => Err(ApiFailure::Refused(ApiError {
                code: "invalid_transition".into(),
                message: Bilingual { zh: "通话已接通".into(), en: "The call was answered".into() },
            })),
            "end" => Ok(interpreter_call(id, "ended")),
            _ => Ok(interpreter_call(id, "in_call")),
        }
    }
    fn call_staff(&self, reason: StaffCallReason, idempotency_key: &str) -> Result<StaffCall, ApiFailure> {
        self.log(format!("call_staff {reason:?} {idempotency_key}"));
        if !self.staff_calls_reach.load(Ordering::SeqCst) {
            return Err(unreachable());
        }
        let call = serde_json::json!({
            "id": "s1", "kiosk_id": "kiosk-test", "reason": reason, "status": "sent", "created_at": 0,
        });
        Ok(serde_json::from_value(call).unwrap())
    }
    fn staff_call(&self, id: &str) -> Result<StaffCall, ApiFailure> {
        self.log(format!("staff_call {id}"));
        Err(unreachable())
    }
    fn submit_face_auth(&self, request: &NewFaceAuth, idempotency_key: &str) -> Result<FaceAuth, ApiFailure> {
        let NewFaceAuth { id_number, consent, attempt, photo_jpeg, .. } = request;
        self.log(format!(
            "submit_face_auth {id_number} consent={consent} attempt={attempt} {photo_jpeg} {idempotency_key}"
        ));
        Err(unreachable())
    }
    fn rateable_visit(&self, ticket_number: &str) -> Result<RateableVisit, ApiFailure> {
        self.log(format!("rateable_visit {ticket_number}"));
        Err(unreachable())
    }
    fn rateable_visit_of_ticket(&self, ticket_id: &str) -> Result<RateableVisit, ApiFailure> {
        self.log(format!("rateable_visit_of_ticket {ticket_id}"));
        Err(unreachable())
    }
    fn window_rateable_visit(&self, window: i64) -> Result<Option<RateableVisit>, ApiFailure> {
        self.log(format!("window_rateable_visit {window}"));
        Ok(None)
    }
    fn look_up_applications(
        &self,
        request: &ApplicationLookup,
        idempotency_key: &str,
    ) -> Result<Vec<Application>, ApiFailure> {
        let number = request.receipt_number.as_deref().unwrap_or("-");
        self.log(format!("look_up_applications {number} {idempotency_key}"));
        Ok(vec![])
    }
    /// Ratings get through when staff calls do (the network is up).
    fn evaluate(&self, request: &NewEvaluation, idempotency_key: &str) -> Result<Evaluation, ApiFailure> {
        self.log(format!("evaluate {} {} {idempotency_key}", request.ticket_id, request.level));
        if !self.staff_calls_reach.load(Ordering::SeqCst) {
            return Err(unreachable());
        }
        let evaluation = serde_json::json!({
            "id": "e1", "ticket_id": request.ticket_id, "ticket_number": "A001", "service_code": "x",
            "window_number": 3, "level": request.level, "reasons": request.reasons, "channel": request.channel,
            "kiosk_id": "kiosk-test", "created_at": 0,
        });
        Ok(serde_json::from_value(evaluation).unwrap())
    }
}

/// A runner over `api` holding `photo`, its outbox in `dir`, and where durable answers go.
fn runner(api: &FakeApi, photo: FacePhoto, dir: &std::path::Path) -> (EffectRunner, mpsc::Receiver<Event>) {
    let (answers, answered) = mpsc::channel();
    (EffectRunner::new(api.clone(), photo, Outbox::open_in(dir).unwrap(), answers), answered)
}

/// Runs `effect` with a runner over `api` holding `photo`, and waits for its (first) event.
fn answer(api: &FakeApi, photo: FacePhoto, effect: Effect) -> Event {
    let dir = tempfile::tempdir().unwrap();
    let (runner, answered) = runner(api, photo, dir.path());
    if effect.is_durable() {
        runner.keep(effect);
        return next(&answered);
    }
    runner.start(effect).blocking_recv().expect("an answer")
}

fn next(answered: &mpsc::Receiver<Event>) -> Event {
    answered.recv_timeout(RETRY_EVERY * 2).expect("an answer from the outbox")
}

fn staff_call(key: &str) -> Effect {
    Effect::SendStaffCall { reason: StaffCallReason::Wheelchair, idempotency_key: key.into() }
}

#[test]
fn a_staff_call_is_on_disk_before_its_first_try_and_sent_with_its_key_until_the_api_takes_it() {
    let api = FakeApi::default();
    let dir = tempfile::tempdir().unwrap();
    let (runner, answered) = runner(&api, FacePhoto::default(), dir.path());
    runner.keep(staff_call("k7"));
    let event = next(&answered);
    assert_eq!(event, Event::StaffCallAnswered { idempotency_key: "k7".into(), result: Err(unreachable()) });
    // Read through a second connection, as the next kiosk start would.
    let on_disk = Outbox::open_in(dir.path()).unwrap();
    let kept = Request::StaffCall { reason: StaffCallReason::Wheelchair, idempotency_key: "k7".into() };
    assert_eq!(on_disk.waiting().unwrap(), [kept]);

    api.staff_calls_reach.store(true, Ordering::SeqCst);
    let Event::StaffCallAnswered { idempotency_key, result: Ok(_) } = next(&answered) else { panic!() };
    assert_eq!(idempotency_key, "k7");
    assert_eq!(api.calls(), ["call_staff Wheelchair k7", "call_staff Wheelchair k7"], "one key, every try");
    assert!(on_disk.waiting().unwrap().is_empty(), "gone once the API has it");
    assert!(answered.recv_timeout(RETRY_EVERY + Duration::from_secs(1)).is_err(), "and not sent again");
}

#[test]
fn what_a_killed_kiosk_kept_is_sent_at_its_next_start_with_the_original_key() {
    let dir = tempfile::tempdir().unwrap();
    // The kiosk wrote the call, and was switched off before it could send it.
    let kept = Request::StaffCall { reason: StaffCallReason::Vision, idempotency_key: "before-1".into() };
    Outbox::open_in(dir.path()).unwrap().keep(&kept).unwrap();
    let hang_up = Request::HangUp { call_id: "c9".into() };
    Outbox::open_in(dir.path()).unwrap().keep(&hang_up).unwrap();

    let api = FakeApi { staff_calls_reach: Arc::new(AtomicBool::new(true)), ..FakeApi::default() };
    let (_runner, answered) = runner(&api, FacePhoto::default(), dir.path());
    assert!(matches!(next(&answered), Event::StaffCallAnswered { result: Ok(_), .. }));
    assert_eq!(next(&answered), Event::CallHungUp(Ok(interpreter_call("c9", "ended"))));
    assert_eq!(
        api.calls(),
        ["call_staff Vision before-1", "move_interpreter_call c9 cancel", "move_interpreter_call c9 end"]
    );
}

#[test]
fn a_staff_call_undelivered_for_30_minutes_is_dropped_but_a_hang_up_never_is() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open_in(dir.path()).unwrap();
    let call = Request::StaffCall { reason: StaffCallReason::NeedHelp, idempotency_key: "old".into() };
    let hang_up = Request::HangUp { call_id: "c1".into() };
    outbox.keep(&call).unwrap();
    outbox.keep(&hang_up).unwrap();
    outbox.keep(&call).unwrap();
    assert_eq!(outbox.waiting().unwrap(), [call.clone(), hang_up.clone()], "kept once however often");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!(outbox.drop_expired(now + STAFF_CALL_EXPIRES_SECS - 60).unwrap().is_empty());
    assert_eq!(outbox.drop_expired(now + STAFF_CALL_EXPIRES_SECS + 60).unwrap(), [call]);
    assert_eq!(outbox.waiting().unwrap(), [hang_up]);
}

#[test]
fn a_data_folder_that_cannot_be_written_is_refused_with_its_name() {
    let error = Outbox::open_in(std::path::Path::new("/proc/kiosk-outbox")).err().expect("refused");
    assert!(error.to_string().contains("/proc/kiosk-outbox"), "{error}");
    let _in_memory = Outbox::in_memory();
}

#[test]
fn a_ticket_request_comes_back_as_the_ticket_issued() {
    let api = FakeApi::default();
    let request =
        NewTicket { service_code: "residence-permit".into(), priority: Priority::Normal, contact_phone: None };
    let event = answer(&api, FacePhoto::default(), Effect::IssueTicket { request, idempotency_key: "k1".into() });
    let Event::TicketIssued(Ok(ticket)) = event else { panic!("{event:?}") };
    assert_eq!(ticket.number, "A001");
    assert_eq!(api.calls(), ["issue_ticket residence-permit k1"]);
}

#[test]
fn the_catalog_and_interpreter_polls_come_back_as_their_events() {
    let api = FakeApi::default();
    let event = answer(&api, FacePhoto::default(), Effect::LoadCatalog);
    assert!(matches!(event, Event::CatalogLoaded(Ok(_))), "{event:?}");
    let event = answer(&api, FacePhoto::default(), Effect::PollInterpreterCall { id: "c1".into() });
    assert_eq!(event, Event::InterpreterCallUpdated(Ok(interpreter_call("c1", "queued"))));
    assert_eq!(api.calls(), ["catalog", "interpreter_call c1"]);
}

#[test]
fn hanging_up_ends_a_call_an_interpreter_took_meanwhile() {
    let api = FakeApi::default();
    let event = answer(&api, FacePhoto::default(), Effect::HangUp { id: "c1".into() });
    assert_eq!(event, Event::CallHungUp(Ok(interpreter_call("c1", "ended"))));
    assert_eq!(api.calls(), ["move_interpreter_call c1 cancel", "move_interpreter_call c1 end"]);
}

#[test]
fn a_staff_call_answer_carries_its_idempotency_key_even_when_it_fails() {
    let api = FakeApi::default();
    let sent = answer(
        &api,
        FacePhoto::default(),
        Effect::SendStaffCall { reason: StaffCallReason::NeedHelp, idempotency_key: "k2".into() },
    );
    assert_eq!(sent, Event::StaffCallAnswered { idempotency_key: "k2".into(), result: Err(unreachable()) });
    let polled =
        answer(&api, FacePhoto::default(), Effect::PollStaffCall { id: "s1".into(), idempotency_key: "k2".into() });
    assert_eq!(polled, Event::StaffCallAnswered { idempotency_key: "k2".into(), result: Err(unreachable()) });
    assert_eq!(api.calls(), ["call_staff NeedHelp k2", "staff_call s1"]);
}

#[test]
fn a_face_submission_sends_the_held_photo_with_consent() {
    let api = FakeApi::default();
    let photo: FacePhoto = Arc::new(Mutex::new(Some(vec![0xff, 0xd8, 0xff, 0xd9])));
    let liveness =
        Liveness { passed: true, movement: Movement::Turn, turned_left: true, turned_right: true, duration_ms: 2400 };
    let effect = Effect::SubmitFaceAuth {
        id_number: "11010519491231002X".into(),
        attempt: 2,
        liveness,
        idempotency_key: "k3".into(),
    };
    let event = answer(&api, photo.clone(), effect);
    assert_eq!(event, Event::FaceAuthSubmitted(Err(unreachable())));
    assert_eq!(api.calls(), ["submit_face_auth 11010519491231002X consent=true attempt=2 /9j/2Q== k3"]);
    assert!(photo.lock().unwrap().is_some(), "kept for a retry until the core says it may go");
}

#[test]
fn a_rating_is_kept_on_disk_until_the_api_has_it_and_the_rating_and_progress_lookups_come_back_as_their_events() {
    let api = FakeApi::default();
    let dir = tempfile::tempdir().unwrap();
    let (runner, answered) = runner(&api, FacePhoto::default(), dir.path());
    let request = NewEvaluation {
        ticket_id: "t7".into(),
        level: Satisfaction::Dissatisfied,
        reasons: vec![LowRatingReason::LongWait],
        callback_phone: Some("13800138000".into()),
        channel: EvaluationChannel::Kiosk,
    };
    runner.keep(Effect::SendEvaluation { request: request.clone(), idempotency_key: "k5".into() });
    assert_eq!(next(&answered), Event::EvaluationSent(Err(unreachable())));
    let on_disk = Outbox::open_in(dir.path()).unwrap();
    let kept = Request::Evaluation { request, idempotency_key: "k5".into() };
    assert_eq!(on_disk.waiting().unwrap(), [kept]);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!(on_disk.drop_expired(now + 365 * 86_400).unwrap().is_empty(), "a rating never expires");

    api.staff_calls_reach.store(true, Ordering::SeqCst);
    assert!(matches!(next(&answered), Event::EvaluationSent(Ok(_))));
    assert!(on_disk.waiting().unwrap().is_empty(), "gone, call-back number and all, once the API has it");

    let found = answer(&api, FacePhoto::default(), Effect::FindRateableVisit(TicketRef::Number("A012".into())));
    assert_eq!(found, Event::RateableVisitFound(Err(unreachable())));
    let found = answer(&api, FacePhoto::default(), Effect::FindRateableVisit(TicketRef::Id("3fa9c01b77d2e845".into())));
    assert_eq!(found, Event::RateableVisitFound(Err(unreachable())));
    let polled = answer(&api, FacePhoto::default(), Effect::PollWindowVisit { window: 3 });
    assert_eq!(polled, Event::WindowVisitAnswered(Ok(None)));
    let request = ApplicationLookup { receipt_number: Some("123456789012".into()), ..Default::default() };
    let found =
        answer(&api, FacePhoto::default(), Effect::LookUpApplications { request, idempotency_key: "k6".into() });
    assert_eq!(found, Event::ApplicationsFound(Ok(vec![])));
    assert_eq!(
        api.calls(),
        [
            "evaluate t7 dissatisfied k5",
            "evaluate t7 dissatisfied k5",
            "rateable_visit A012",
            "rateable_visit_of_ticket 3fa9c01b77d2e845",
            "window_rateable_visit 3",
            "look_up_applications 123456789012 k6",
        ]
    );
}
