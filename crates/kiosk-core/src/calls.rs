//! Help from a person: a remote sign-language interpreter by video (远程手语视频), and a staff
//! member called to the kiosk (一键呼叫).
//!
//! An interpreter call belongs to the session: leaving its screens (home, the idle reset)
//! hangs it up and closes the video window, so a call never outlives the resident who made
//! it. A staff call is shown while its screen is; the request itself, like a hang-up, is
//! [`Effect::is_durable`]: the adapter's outbox keeps it on disk and sends it until the API
//! answers, even after the session is wiped or the kiosk restarts, and reports every try, so
//! the screen says "kept, will be sent" while the API is out of reach.

use contract::model::{
    Bilingual, CallEndReason, InterpreterCall, InterpreterCallStatus as CallStatus, StaffCall, StaffCallReason,
    StaffCallStatus,
};

use super::narration::News;
use super::speech::Phrase;
use super::view::{Line, Page, Texts, View};
use super::{action, ApiFailure, CameraUse, Effect, Kiosk, Screen as Shown};

/// Seconds between asking the service API how a call is going.
const POLL_EVERY_SECS: u32 = 2;
/// Seconds between tries to reach an API that did not answer.
const RETRY_EVERY_SECS: u32 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Screen {
    /// The sign-language interpreter call: waiting, in the video call, or why none came.
    Interpreter,
    /// Choose why staff should come.
    StaffReasons,
    /// The staff call's status, until a staff member is on the way.
    StaffCall,
}

/// The written help shown when no interpreter can come: what a deaf resident can do instead.
const WRITTEN_HELP: [&str; 3] = ["interpreter.help.staff", "interpreter.help.write", "interpreter.help.hours"];

/// A request to the service API, tried again with the same idempotency key (so it is never
/// made twice) until the API takes it, then polled: what both kinds of call share.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Asked<T> {
    idempotency_key: String,
    /// The API's latest description of what was asked for; `None` until it took the request.
    answer: Option<T>,
    /// The API did not answer the last request: shown, and tried again.
    connection_lost: bool,
    /// The API refused the request; its message says why.
    refused: Option<Bilingual>,
    /// A request or a poll is under way: no second one until it is answered.
    asking: bool,
    secs_since_asked: u32,
}

impl<T> Asked<T> {
    /// A request just sent.
    fn new(idempotency_key: String) -> Asked<T> {
        Asked {
            idempotency_key,
            answer: None,
            connection_lost: false,
            refused: None,
            asking: true,
            secs_since_asked: 0,
        }
    }

    /// Takes in the API's answer to the request or a poll; returns the new description, if
    /// the API gave one, for the caller to keep.
    fn take(&mut self, result: Result<T, ApiFailure>) -> Option<T> {
        self.asking = false;
        self.secs_since_asked = 0;
        match result {
            Ok(answer) => {
                self.connection_lost = false;
                Some(answer)
            }
            Err(ApiFailure::Unreachable(_)) => {
                self.connection_lost = true;
                None
            }
            Err(ApiFailure::Refused(error)) => {
                if self.answer.is_none() {
                    self.refused = Some(error.message);
                }
                None
            }
        }
    }

    /// Counts `secs`; whether the next try or poll is due, `every` seconds after the last
    /// answer (then it counts as under way).
    fn due(&mut self, secs: u32, every: u32) -> bool {
        if self.asking || self.refused.is_some() {
            return false;
        }
        self.secs_since_asked += secs;
        self.asking = self.secs_since_asked >= every;
        self.asking
    }
}

/// The session's interpreter call, from the request to its end.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct InterpreterProgress {
    call: Asked<InterpreterCall>,
    video: Video,
}

/// The video window of an assigned call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Video {
    NotOpened,
    Open,
    /// The resident (or the platform) closed it, or the call ended.
    Closed,
    /// The launcher could not open it.
    Failed,
}

/// A staff call, from the press to a staff member's acknowledgement.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct StaffCallProgress {
    reason: StaffCallReason,
    call: Asked<StaffCall>,
}

impl Kiosk {
    // --- the interpreter ---

    /// The sign-language button or key: to the call in progress, or a new call. Captions come
    /// on, for a resident who may not hear the kiosk. While the video is open, it ends the call:
    /// the one control that stays in sight beside the video (see [`Kiosk::video_open`]).
    pub(super) fn sign_language(&mut self) -> Vec<Effect> {
        if self.video_open() {
            return self.end_interpreter_call();
        }
        self.session.profile.captions = true;
        if self.session.screen == Screen::Interpreter.into() {
            return vec![];
        }
        self.go(Screen::Interpreter);
        if self.session.interpreter.is_some() {
            return vec![];
        }
        let idempotency_key = self.next_idempotency_key();
        let call = Asked::new(idempotency_key.clone());
        self.session.interpreter = Some(InterpreterProgress { call, video: Video::NotOpened });
        vec![Effect::RequestInterpreter { idempotency_key }]
    }

    /// Whether the session has a call that is waiting or under way, as far as the kiosk can
    /// tell: with the API unreachable, the resident may have gone, and the idle reset may come.
    pub(super) fn waiting_for_interpreter(&self) -> bool {
        let waiting = |call: &Asked<InterpreterCall>| {
            call.refused.is_none() && !call.connection_lost && call.answer.as_ref().is_none_or(|c| live(c.status))
        };
        self.session.interpreter.as_ref().is_some_and(|p| waiting(&p.call))
    }

    /// An answer about the interpreter call: to the request, a poll, or a report.
    pub(super) fn interpreter_answered(&mut self, result: Result<InterpreterCall, ApiFailure>) -> Vec<Effect> {
        let Some(progress) = self.session.interpreter.as_mut() else {
            // The resident left while the request was under way: hang that call up too.
            return match result {
                Ok(call) if live(call.status) => vec![Effect::HangUp { id: call.id }],
                _ => vec![],
            };
        };
        let Some(call) = progress.call.take(result) else { return vec![] };
        // Answers can cross (a poll and a report): never go back to an earlier status.
        if progress.call.answer.as_ref().is_some_and(|known| rank(call.status) < rank(known.status)) {
            return vec![];
        }
        let mut effects = Vec::new();
        match (call.status, progress.video) {
            (CallStatus::Assigned, Video::NotOpened) => match &call.join_url {
                Some(url) => {
                    progress.video = Video::Open;
                    effects
                        .push(Effect::OpenVideoCall { join_url: url.clone(), language: self.session.profile.language });
                    effects.push(Effect::ReportVideoStarted { id: call.id.clone() });
                }
                None => progress.video = Video::Failed,
            },
            (status, Video::Open) if !live(status) => {
                progress.video = Video::Closed;
                effects.push(Effect::CloseVideoCall);
            }
            _ => {}
        }
        progress.call.answer = Some(call);
        effects
    }

    /// The API ended or hung up a call: news only if it is the session's call, since the
    /// outbox also answers for calls of earlier sessions. A failed try is the outbox's to
    /// repeat.
    pub(super) fn hung_up(&mut self, result: Result<InterpreterCall, ApiFailure>) -> Vec<Effect> {
        let known = self.session.interpreter.as_ref().and_then(|p| p.call.answer.as_ref());
        match result {
            Ok(call) if known.is_some_and(|known| known.id == call.id) => self.interpreter_answered(Ok(call)),
            _ => vec![],
        }
    }

    /// The video window closed (the resident closed it, or the video platform ended the call),
    /// or could not open: the call is over, and the kiosk's screen is back.
    pub(super) fn video_closed(&mut self, failed: bool) -> Vec<Effect> {
        let Some(progress) = self.session.interpreter.as_mut() else { return vec![] };
        if progress.video != Video::Open {
            return vec![];
        }
        progress.video = if failed { Video::Failed } else { Video::Closed };
        match progress.call.answer.as_ref().filter(|c| live(c.status)) {
            Some(call) => vec![Effect::EndInterpreterCall { id: call.id.clone() }],
            None => vec![],
        }
    }

    pub(super) fn activate_calls(&mut self, screen: Screen, id: &str) -> Vec<Effect> {
        match screen {
            Screen::Interpreter => return self.activate_interpreter(id),
            Screen::StaffReasons => {
                if let Some(reason) = StaffCallReason::parse(id) {
                    return self.call_staff(reason);
                }
            }
            Screen::StaffCall if id == action::HOME => self.go_home(),
            Screen::StaffCall => {}
        }
        vec![]
    }

    fn activate_interpreter(&mut self, id: &str) -> Vec<Effect> {
        match id {
            action::CANCEL => self.back(),
            action::END_CALL => return self.end_interpreter_call(),
            action::CALL_STAFF => return self.call_staff(StaffCallReason::Hearing),
            action::HOME => self.go_home(),
            _ => {}
        }
        vec![]
    }

    /// The resident ends the call: hung up, and the video window closed.
    fn end_interpreter_call(&mut self) -> Vec<Effect> {
        let Some(progress) = self.session.interpreter.as_mut() else { return vec![] };
        let Some(call) = progress.call.answer.as_ref().filter(|c| live(c.status)) else { return vec![] };
        let mut effects = vec![Effect::EndInterpreterCall { id: call.id.clone() }];
        if progress.video == Video::Open {
            progress.video = Video::Closed;
            effects.push(Effect::CloseVideoCall);
        }
        effects
    }

    /// Whether the interpreter's video window is open: it covers the screen below the bar, whose
    /// sign-language button then ends the call.
    pub(super) fn video_open(&self) -> bool {
        self.session.interpreter.as_ref().is_some_and(|p| p.video == Video::Open)
    }

    /// Hangs up the call the resident has left (another screen, or a wiped session); `before`
    /// is the call as it was before the event.
    pub(super) fn hang_up_if_left(&mut self, before: Option<InterpreterProgress>) -> Vec<Effect> {
        let Some(before) = before else { return vec![] };
        // Help, and asking staff to come, are part of the call.
        let kept = matches!(self.session.screen, Shown::Calls(_) | Shown::Help);
        if kept && self.session.interpreter.is_some() {
            return vec![];
        }
        self.session.interpreter = None;
        let mut effects = Vec::new();
        if before.video == Video::Open {
            effects.push(Effect::CloseVideoCall);
        }
        if let Some(call) = before.call.answer.filter(|c| live(c.status)) {
            effects.push(Effect::HangUp { id: call.id });
        }
        effects
    }

    // --- staff ---

    /// The staff-call button: the reasons to choose from.
    pub(super) fn choose_staff_reason(&mut self) {
        if self.session.screen != Screen::StaffReasons.into() {
            self.go(Screen::StaffReasons)
        }
    }

    /// A staff call for `reason`, shown on the staff-call screen.
    pub(super) fn call_staff(&mut self, reason: StaffCallReason) -> Vec<Effect> {
        let idempotency_key = self.next_idempotency_key();
        self.session.staff_call = Some(StaffCallProgress { reason, call: Asked::new(idempotency_key.clone()) });
        self.go(Screen::StaffCall);
        vec![Effect::SendStaffCall { reason, idempotency_key }]
    }

    /// The API's answer to sending a staff call (`key` is its idempotency key: the outbox
    /// reports every try, also of a call from an earlier session, which nobody shows), or to
    /// a poll.
    pub(super) fn staff_call_answered(&mut self, key: &str, result: Result<StaffCall, ApiFailure>) -> Vec<Effect> {
        let shown = self.session.staff_call.as_mut().filter(|p| p.call.idempotency_key == key);
        if let Some(progress) = shown {
            if let Some(call) = progress.call.take(result) {
                progress.call.answer = Some(call);
            }
        }
        vec![]
    }

    // --- time ---

    /// Retries and polls, each when its time has come.
    pub(super) fn calls_tick(&mut self, secs: u32) -> Vec<Effect> {
        let mut effects = Vec::new();
        if let Some(progress) = self.session.interpreter.as_mut() {
            let call = &mut progress.call;
            let wanted = match &call.answer {
                None => Some((
                    RETRY_EVERY_SECS,
                    Effect::RequestInterpreter { idempotency_key: call.idempotency_key.clone() },
                )),
                Some(known) if live(known.status) => {
                    Some((POLL_EVERY_SECS, Effect::PollInterpreterCall { id: known.id.clone() }))
                }
                Some(_) => None,
            };
            effects.extend(wanted.filter(|(every, _)| call.due(secs, *every)).map(|(_, effect)| effect));
        }
        // Until the API takes the staff call, the outbox sends it; then it is polled here.
        if let Some(progress) = self.session.staff_call.as_mut() {
            let call = &mut progress.call;
            if let Some(known) = call.answer.as_ref().filter(|c| c.status == StaffCallStatus::Sent) {
                let poll =
                    Effect::PollStaffCall { id: known.id.clone(), idempotency_key: call.idempotency_key.clone() };
                if call.due(secs, POLL_EVERY_SECS) {
                    effects.push(poll);
                }
            }
        }
        effects
    }

    // --- the views ---

    /// The call's state on its screen, so that a change is announced.
    pub(super) fn calls_news(&self, screen: &Screen) -> Option<News> {
        match screen {
            Screen::Interpreter => Some(News::Status(self.interpreter_state().prompt_id())),
            Screen::StaffCall => Some(News::Status(self.staff_call_state())),
            Screen::StaffReasons => None,
        }
    }

    /// A self-view while waiting for an interpreter, so the resident sees they are in frame.
    pub(super) fn calls_camera_use(&self, screen: &Screen) -> Option<CameraUse> {
        (*screen == Screen::Interpreter && self.interpreter_page() == Page::SelfView).then_some(CameraUse::SelfView)
    }

    /// The call can go on without a camera, but the interpreter may not see the resident sign.
    pub(super) fn calls_camera_failed(&mut self) {
        if self.session.screen == Screen::Interpreter.into() {
            self.session.error = Some("interpreter.no-camera");
        }
    }

    /// The interpreter screen's page: the self-view while waiting, a message otherwise.
    fn interpreter_page(&self) -> Page {
        match self.interpreter_state() {
            InterpreterState::Requesting | InterpreterState::Queued => Page::SelfView,
            _ => Page::Message,
        }
    }

    fn interpreter_state(&self) -> InterpreterState {
        let Some(progress) = &self.session.interpreter else { return InterpreterState::Ended };
        if progress.call.refused.is_some() {
            return InterpreterState::Refused;
        }
        let Some(call) = &progress.call.answer else { return InterpreterState::Requesting };
        match (call.status, progress.video) {
            (_, Video::Failed) => InterpreterState::VideoFailed,
            (CallStatus::Queued, _) => InterpreterState::Queued,
            (CallStatus::Assigned | CallStatus::InCall, _) => InterpreterState::InCall,
            (CallStatus::Unavailable, _) => InterpreterState::Unavailable,
            (CallStatus::Ended, _) if call.ended_reason == Some(CallEndReason::InterpreterGone) => {
                InterpreterState::InterpreterGone
            }
            (CallStatus::Ended | CallStatus::Cancelled, _) => InterpreterState::Ended,
        }
    }

    fn staff_call_state(&self) -> &'static str {
        let Some(call) = self.session.staff_call.as_ref().map(|p| &p.call) else { return "staff-call.sending" };
        match &call.answer {
            _ if call.refused.is_some() => "staff-call.refused",
            Some(known) if known.status == StaffCallStatus::Acknowledged => "staff-call.acknowledged",
            Some(_) => "staff-call.sent",
            None if call.connection_lost => "staff-call.kept",
            None => "staff-call.sending",
        }
    }

    pub(super) fn calls_view(&self, screen: &Screen, t: Texts, view: &mut View) {
        match screen {
            Screen::Interpreter => {
                let state = self.interpreter_state();
                let progress = self.session.interpreter.as_ref();
                let call = progress.and_then(|p| p.call.answer.as_ref());
                view.page = self.interpreter_page();
                view.title = t.prompt("interpreter.title");
                view.prompt = t.prompt(state.prompt_id());
                match state {
                    InterpreterState::Requesting | InterpreterState::Queued => {
                        if let Some(call) = call {
                            let ahead = call.position.unwrap_or(1).max(1) as u64 - 1;
                            let wait = call.expected_wait_minutes.unwrap_or(0).max(0) as u64;
                            view.lines.push(Line::heading(match ahead {
                                0 => t.prompt("interpreter.next"),
                                n => t.prompt_with("interpreter.ahead", vec![Phrase::number(n)]),
                            }));
                            view.lines
                                .push(Line::heading(t.prompt_with("interpreter.wait", vec![Phrase::number(wait)])));
                        }
                        view.items = vec![t.button(action::CANCEL, "interpreter.cancel")];
                    }
                    InterpreterState::InCall => {
                        let name = call.and_then(|c| c.interpreter.clone()).unwrap_or_default();
                        view.lines.push(Line::heading(t.prompt_with("interpreter.with", vec![Phrase::text(name)])));
                        view.items = vec![t.button(action::END_CALL, "interpreter.end")];
                    }
                    InterpreterState::Ended => view.items = vec![t.button(action::HOME, "later.home")],
                    InterpreterState::InterpreterGone => {
                        view.items = vec![
                            t.button(action::CALL_STAFF, "interpreter.call-staff"),
                            t.button(action::HOME, "later.home"),
                        ];
                    }
                    InterpreterState::Unavailable | InterpreterState::Refused | InterpreterState::VideoFailed => {
                        // No interpreter: why (the API's own words), then what to do instead.
                        let why = progress
                            .map(|p| &p.call)
                            .and_then(|c| c.refused.clone().or_else(|| c.answer.as_ref()?.unavailable_message.clone()));
                        if let Some(why) = why {
                            view.lines.push(Line::heading(t.said(&why)));
                        }
                        view.lines.extend(WRITTEN_HELP.iter().map(|id| Line::body(t.prompt(id))));
                        view.items = vec![
                            t.button(action::CALL_STAFF, "interpreter.call-staff"),
                            t.button(action::HOME, "later.home"),
                        ];
                    }
                }
                if progress.is_some_and(|p| p.call.connection_lost) {
                    view.error = t.prompt("calls.connection-lost");
                }
            }
            Screen::StaffReasons => {
                view.page = Page::List;
                view.title = t.prompt("staff-call.title");
                view.prompt = t.prompt("staff-call.choose");
                let reasons = StaffCallReason::ALL.map(StaffCallReason::as_str);
                view.items = reasons.iter().map(|id| t.prompted_item("staff-call", id)).collect();
            }
            Screen::StaffCall => {
                let shown = self.session.staff_call.as_ref();
                view.title = t.prompt("staff-call.title");
                view.prompt = match shown.and_then(|p| p.call.answer.as_ref()).and_then(|c| c.acknowledged_by.clone()) {
                    Some(name) => t.prompt_with("staff-call.coming", vec![Phrase::text(name)]),
                    None => t.prompt(self.staff_call_state()),
                };
                if let Some(progress) = shown {
                    let reason = t.prompt(&format!("staff-call.{}", progress.reason.as_str()));
                    view.lines.push(Line::field(t.prompt("staff-call.reason"), reason));
                    if let Some(refused) = &progress.call.refused {
                        view.lines.push(Line::body(t.said(refused)));
                    }
                }
                view.items = vec![t.button(action::HOME, "later.home")];
            }
        }
    }
}

/// Where the interpreter screen stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InterpreterState {
    /// Asking the API for an interpreter.
    Requesting,
    Queued,
    /// Assigned or in the video call.
    InCall,
    Ended,
    /// The interpreter left the video room and the API ended the call: the resident, who may
    /// be left alone, is offered staff; if they left too, the idle reset wipes the session.
    InterpreterGone,
    /// No interpreter can come: the API's reason, written help, a staff call.
    Unavailable,
    /// The API refused the call.
    Refused,
    /// The video window could not open.
    VideoFailed,
}

impl InterpreterState {
    /// The prompt that says it.
    fn prompt_id(self) -> &'static str {
        match self {
            InterpreterState::Requesting => "interpreter.requesting",
            InterpreterState::Queued => "interpreter.queued",
            InterpreterState::InCall => "interpreter.in-call",
            InterpreterState::Ended => "interpreter.ended",
            InterpreterState::InterpreterGone => "interpreter.gone",
            InterpreterState::Unavailable => "interpreter.unavailable",
            InterpreterState::Refused => "interpreter.refused",
            InterpreterState::VideoFailed => "interpreter.video-failed",
        }
    }
}

/// Whether a call in this status is waiting for an interpreter or under way.
fn live(status: CallStatus) -> bool {
    matches!(status, CallStatus::Queued | CallStatus::Assigned | CallStatus::InCall)
}

/// The order of a call's statuses: it only ever moves forward.
fn rank(status: CallStatus) -> u8 {
    match status {
        CallStatus::Queued => 0,
        CallStatus::Assigned => 1,
        CallStatus::InCall => 2,
        CallStatus::Ended | CallStatus::Cancelled | CallStatus::Unavailable => 3,
    }
}
