//! The window desk: a window clerk opens or closes their window, calls the next ticket, calls
//! it again, starts, finishes or marks a no-show, through the queue's own rules
//! ([`Db::call_next`], [`Db::transition`]), and sees the ticket at the window: its service,
//! priority and, for a redeemed receipt, the materials still missing. The desk follows the
//! queue live: its panel is rendered again at every change and sent as a server-sent event,
//! which htmx swaps in.

use std::convert::Infallible;
use std::time::Duration;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::Extension;
use contract::model::{Bilingual, Priority, TicketStatus, Window};
use futures_util::Stream;
use tokio::time::Instant;

use super::sessions::Session;
use super::{render, Answer, Chrome, ConsoleState};
use crate::error::Failure;
use crate::prereview::TicketReceipt;
use crate::queue::Transition;
use crate::store::Db;

pub(crate) const PATH: &str = "/console/desk";

/// How long one event stream lasts; the browser then opens the next, which is checked
/// against the session again. A stopping server waits at most this for its streams.
const STREAM_LIFETIME: Duration = Duration::from_secs(30);

/// What the clerk's window shows now.
struct Desk {
    /// None: the account has no window.
    window: Option<Window>,
    /// The ticket called to the window or being served there.
    ticket: Option<TicketAtWindow>,
    csrf: String,
}

/// The ticket at the window, as the desk shows it.
struct TicketAtWindow {
    number: String,
    service: Bilingual,
    priority: (&'static str, &'static str),
    status: (&'static str, &'static str),
    /// Called and not come yet (else being served).
    called: bool,
    /// The pre-review receipt a fast-track ticket was redeemed for.
    receipt: Option<TicketReceipt>,
}

impl Desk {
    async fn of(db: &Db, session: &Session) -> Result<Desk, Failure> {
        let csrf = session.csrf.clone();
        let Some(number) = session.account.window_number else {
            return Ok(Desk { window: None, ticket: None, csrf });
        };
        let window = db.window(number).await?;
        let ticket = match &window.current_ticket {
            Some(id) => {
                let t = db.ticket(id).await?;
                // Only a redeemed receipt (or staff) gives fast track.
                let receipt = match t.priority {
                    Priority::FastTrack => db.receipt_of_ticket(id).await?,
                    _ => None,
                };
                Some(TicketAtWindow {
                    receipt,
                    called: t.status == TicketStatus::Called,
                    status: status_name(t.status),
                    priority: priority_name(t.priority),
                    service: t.service_name,
                    number: t.number,
                })
            }
            None => None,
        };
        Ok(Desk { window: Some(window), ticket, csrf })
    }
}

/// A button of the desk: the action it posts, its words, and whether it is the main one.
struct Action {
    name: &'static str,
    zh: &'static str,
    en: &'static str,
    main: bool,
}

const fn action(name: &'static str, zh: &'static str, en: &'static str, main: bool) -> Action {
    Action { name, zh, en, main }
}

impl Desk {
    /// What the clerk can do now, the likeliest first: the queue's rules allow these.
    fn actions(&self) -> Vec<Action> {
        match (&self.window, &self.ticket) {
            (None, _) => vec![],
            (Some(_), Some(ticket)) if ticket.called => vec![
                action("start", "开始办理", "Start", true),
                action("call-again", "再次呼叫", "Call again", false),
                action("no-show", "未到", "No-show", false),
            ],
            (Some(_), Some(_)) => vec![action("finish", "办结", "Finish", true)],
            (Some(window), None) if window.open => vec![
                action("call-next", "呼叫下一位", "Call next", true),
                action("close", "关闭窗口", "Close window", false),
            ],
            (Some(_), None) => vec![action("open", "开放窗口", "Open window", true)],
        }
    }
}

/// A priority's name (zh, en).
fn priority_name(priority: Priority) -> (&'static str, &'static str) {
    match priority {
        Priority::Normal => ("普通", "Normal"),
        Priority::Elderly => ("老年人优先", "Priority: elderly"),
        Priority::Disabled => ("残疾人优先", "Priority: disability"),
        Priority::FastTrack => ("预审快速通道", "Fast track (pre-reviewed)"),
    }
}

/// What the ticket at the window is waiting for (zh, en).
fn status_name(status: TicketStatus) -> (&'static str, &'static str) {
    match status {
        TicketStatus::Called => ("已呼叫，等候到窗口", "Called, on the way to the window"),
        TicketStatus::Serving => ("办理中", "Being served"),
        TicketStatus::Issued => ("等候中", "Waiting"),
        TicketStatus::Done => ("已办结", "Done"),
        TicketStatus::NoShow => ("未到", "Did not come"),
    }
}

#[derive(Template)]
#[template(path = "console/desk.html")]
struct DeskPage {
    chrome: Chrome,
    desk: Desk,
    /// What the last action did (zh, en), and whether it was refused.
    outcome: Option<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "console/desk_panel.html")]
struct DeskPanel {
    desk: Desk,
}

#[derive(Template)]
#[template(path = "console/desk_outcome.html")]
struct DeskOutcome {
    outcome: Option<(String, String, bool)>,
}

pub(crate) async fn page(State(state): State<ConsoleState>, Extension(session): Extension<Session>) -> Answer {
    let desk = Desk::of(&state.db, &session).await?;
    render(DeskPage { chrome: Chrome::of(&session, PATH), desk, outcome: None })
}

/// A desk action. htmx gets only the outcome's message: the panel follows through the event
/// stream, as every desk watching the queue does. Without script, the whole page.
pub(crate) async fn act(
    State(state): State<ConsoleState>,
    Extension(session): Extension<Session>,
    Path(action): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let Some(number) = session.account.window_number else {
        return Err(Failure::NotFound("Your account has no window".into()).into());
    };
    let outcome = match act_on_window(&state.db, number, &action).await {
        Ok((zh, en)) => (zh, en, false),
        // The queue's refusals (nobody waiting, window closed, ticket already moved) are
        // read on the desk; a server error is a page of its own.
        Err(failure) => match failure.explained() {
            (status, message) if status.is_client_error() => (message.zh, message.en, true),
            _ => return Err(failure.into()),
        },
    };
    if headers.contains_key("hx-request") {
        return render(DeskOutcome { outcome: Some(outcome) });
    }
    let desk = Desk::of(&state.db, &session).await?;
    render(DeskPage { chrome: Chrome::of(&session, PATH), desk, outcome: Some(outcome) })
}

/// Does `action` at window `number`; says what was done (zh, en).
async fn act_on_window(db: &Db, number: i64, action: &str) -> Result<(String, String), Failure> {
    let transition = match action {
        "open" | "close" => {
            let open = action == "open";
            db.set_window_open(number, open).await?;
            return Ok(if open {
                (format!("{number}号窗口已开放"), format!("Window {number} is open"))
            } else {
                (format!("{number}号窗口已关闭"), format!("Window {number} is closed"))
            });
        }
        "call-next" => {
            let ticket = db.call_next(number).await?;
            let n = &ticket.number;
            return Ok((format!("已呼叫 {n} 号"), format!("{n} called")));
        }
        "call-again" => Transition::Recall,
        "start" => Transition::Start,
        "finish" => Transition::Finish,
        "no-show" => Transition::NoShow,
        _ => return Err(Failure::NotFound(format!("No desk action {action}"))),
    };
    let window = db.window(number).await?;
    // Only by a race: the desk shows these actions with a ticket at the window.
    let id = window.current_ticket.ok_or_else(|| Failure::NotFound(format!("No ticket is at window {number}")))?;
    let ticket = db.transition(&id, transition).await?;
    let n = &ticket.number;
    Ok(match transition {
        Transition::Recall => (format!("已再次呼叫 {n} 号"), format!("{n} called again")),
        Transition::Start => (format!("{n} 号开始办理"), format!("Serving {n}")),
        Transition::Finish => (format!("{n} 号已办结"), format!("{n} finished")),
        Transition::NoShow => (format!("{n} 号未到"), format!("{n} marked as not come")),
    })
}

/// The desk's panel as server-sent events: now, then after every change that alters it.
pub(crate) async fn events(
    State(state): State<ConsoleState>,
    Extension(session): Extension<Session>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let deadline = Instant::now() + STREAM_LIFETIME;
    let changes = state.changes.subscribe();
    let start = (state.db, session, changes, String::new(), true);
    let stream = futures_util::stream::unfold(start, move |(db, session, mut changes, last, first)| async move {
        let mut wait = !first;
        loop {
            if wait && !matches!(tokio::time::timeout_at(deadline, changes.changed()).await, Ok(Ok(()))) {
                return None;
            }
            wait = true;
            let desk = match Desk::of(&db, &session).await {
                Ok(desk) => desk,
                Err(failure) => {
                    eprintln!("service-api: console: the desk's live panel failed: {failure:?}");
                    return None;
                }
            };
            let Ok(html) = (DeskPanel { desk }).render() else { return None };
            if html != last {
                // An event's data is lines: a carriage return would end one early.
                let event = Event::default().data(html.replace('\r', ""));
                return Some((Ok(event), (db, session, changes, html, false)));
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desk(open: bool, ticket: Option<TicketStatus>) -> Desk {
        let window = Window {
            number: 3,
            name: Bilingual::new("3号窗口", "Window 3"),
            services: vec![],
            open,
            current_ticket: ticket.map(|_| "t1".into()),
        };
        let ticket = ticket.map(|status| TicketAtWindow {
            number: "A001".into(),
            service: Bilingual::new("居住证办理", "Residence permit"),
            priority: priority_name(Priority::Normal),
            status: status_name(status),
            called: status == TicketStatus::Called,
            receipt: None,
        });
        Desk { window: Some(window), ticket, csrf: String::new() }
    }

    fn offered(desk: &Desk) -> Vec<&'static str> {
        desk.actions().iter().map(|a| a.name).collect()
    }

    #[test]
    fn the_desk_offers_what_the_queue_allows_now_the_likeliest_first() {
        assert_eq!(offered(&desk(false, None)), ["open"]);
        assert_eq!(offered(&desk(true, None)), ["call-next", "close"]);
        assert_eq!(offered(&desk(true, Some(TicketStatus::Called))), ["start", "call-again", "no-show"]);
        assert_eq!(offered(&desk(true, Some(TicketStatus::Serving))), ["finish"]);
        assert!(offered(&Desk { window: None, ticket: None, csrf: String::new() }).is_empty());
        assert!(desk(true, None).actions()[0].main);
    }
}
