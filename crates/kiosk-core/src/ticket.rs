//! Taking a queue number: choosing the service, then its guided flow as the catalog gives it
//! (information, choice, yes/no, entry, confirm), then the ticket from the service API.

use contract::model::{NewTicket, Priority, Service, Step, Ticket};

use super::entry;
use super::speech::Phrase;
use super::view::{Item, Line, Page, Text, Texts, TicketView, View};
use super::{action, ApiFailure, Effect, Kiosk};

/// Step ids whose answers go into the ticket request (see the catalog's flows).
const PRIORITY_STEP: &str = "priority";
const PHONE_STEP: &str = "phone";

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Screen {
    /// Choose the service to take a number for.
    Services,
    /// Step `index` of a service's flow.
    Step {
        service: String,
        index: usize,
    },
    Ticket(Ticket),
}

/// The answers of the flow in progress: (step id, answer).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Answers(Vec<(String, String)>);

impl Answers {
    fn get(&self, step_id: &str) -> Option<&str> {
        self.0.iter().find(|(id, _)| id == step_id).map(|(_, a)| a.as_str())
    }

    fn set(&mut self, step_id: &str, answer: String) {
        self.remove(step_id);
        self.0.push((step_id.to_string(), answer));
    }

    fn remove(&mut self, step_id: &str) {
        self.0.retain(|(id, _)| id != step_id);
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Kiosk {
    pub(super) fn activate_ticket(&mut self, screen: Screen, id: &str) -> Vec<Effect> {
        match screen {
            Screen::Services if self.service(id).is_some() => return self.start_flow(id),
            Screen::Step { service, index } => return self.activate_step(&service, index, id),
            _ => {}
        }
        vec![]
    }

    pub(super) fn start_flow(&mut self, service: &str) -> Vec<Effect> {
        self.session.answers.clear();
        self.enter_step(service, 0)
    }

    fn activate_step(&mut self, service: &str, index: usize, id: &str) -> Vec<Effect> {
        let Some(step) = self.service(service).and_then(|s| s.flow.get(index)).cloned() else {
            return vec![];
        };
        let answers = &mut self.session.answers;
        match &step {
            Step::Info { .. } if id == action::NEXT => {}
            Step::Choice { options, .. } if options.iter().any(|o| o.id == id) => {
                answers.set(step.id(), id.to_string())
            }
            Step::YesNo { .. } if id == action::YES || id == action::NO => answers.set(step.id(), id.to_string()),
            Step::Entry { entry, .. } if id == action::ENTRY_DONE => {
                if let Err(problem) = entry::validate((*entry).into(), &self.session.typed) {
                    self.session.error = Some(problem);
                    return vec![];
                }
                answers.set(step.id(), std::mem::take(&mut self.session.typed));
            }
            Step::Entry { optional: true, .. } if id == action::ENTRY_SKIP => {
                self.session.typed.clear();
                answers.remove(step.id());
            }
            Step::Confirm { .. } if id == action::CONFIRM => {}
            _ => return vec![],
        }
        self.enter_step(service, index + 1)
    }

    /// Shows step `index` of the service's flow; a ticket step asks the API for the ticket.
    fn enter_step(&mut self, service: &str, index: usize) -> Vec<Effect> {
        let step = self.service(service).and_then(|s| s.flow.get(index)).cloned();
        match step {
            None => {
                self.go_home();
                vec![]
            }
            Some(Step::Ticket { .. }) => {
                let answers = &self.session.answers;
                let priority = answers.get(PRIORITY_STEP).and_then(Priority::parse).unwrap_or(Priority::Normal);
                // The phone step's number goes with the ticket, for the SMS when it is called.
                let contact_phone = answers.get(PHONE_STEP).map(str::to_string);
                let request = NewTicket { service_code: service.to_string(), priority, contact_phone };
                let idempotency_key = self.next_idempotency_key();
                self.request(Effect::IssueTicket { request, idempotency_key })
            }
            Some(step) => {
                self.session.typed = match &step {
                    Step::Entry { .. } => self.session.answers.get(step.id()).unwrap_or("").to_string(),
                    _ => String::new(),
                };
                self.go(Screen::Step { service: service.to_string(), index });
                vec![]
            }
        }
    }

    /// Back on an entry step: what was typed there comes back.
    pub(super) fn restore_typed(&mut self, service: &str, index: usize) {
        if let Some(step @ Step::Entry { .. }) = self.service(service).and_then(|s| s.flow.get(index)) {
            self.session.typed = self.session.answers.get(step.id()).unwrap_or("").to_string();
        }
    }

    pub(super) fn ticket_issued(&mut self, result: Result<Ticket, ApiFailure>) -> Vec<Effect> {
        if !self.awaits(|e| matches!(e, Effect::IssueTicket { .. })) {
            return vec![]; // the resident left (idle reset) while the request was under way
        }
        match result {
            Ok(ticket) => {
                self.session.answers.clear();
                let print = self.print(&ticket);
                self.answered(Screen::Ticket(ticket));
                return print;
            }
            Err(failure) => self.failed(failure),
        }
        vec![]
    }

    pub(super) fn ticket_entry_kind(&self, screen: &Screen) -> Option<entry::Entry> {
        let Screen::Step { service, index } = screen else { return None };
        match self.service(service)?.flow.get(*index)? {
            Step::Entry { entry, .. } => Some((*entry).into()),
            _ => None,
        }
    }

    pub(super) fn ticket_view(&self, screen: &Screen, t: Texts, view: &mut View) {
        match screen {
            Screen::Services => {
                view.page = Page::List;
                view.title = t.prompt("services.title");
                view.prompt = t.prompt("services.prompt");
                view.items = self.service_items(|_| true, "services.service.help", t);
            }
            Screen::Step { service, index } => {
                if let Some(service) = self.service(service) {
                    self.step_view(service, *index, t, view);
                }
            }
            Screen::Ticket(ticket) => {
                view.page = Page::Ticket;
                view.title = t.prompt("ticket.title");
                view.prompt = t.prompt("ticket.prompt");
                view.ticket = Some(ticket_card(ticket, t));
                view.lines.extend(self.print_line(t));
                view.items = vec![t.button(action::FINISH, "ticket.finish")];
            }
        }
    }

    /// The catalog's services that `keep` keeps, as items whose help is the prompt `help`.
    pub(super) fn service_items(&self, keep: impl Fn(&Service) -> bool, help: &str, t: Texts) -> Vec<Item> {
        let services = self.catalog().services.iter().filter(|s| keep(s));
        services.map(|s| t.data_item(&s.code, &s.name, Some(&s.department), help)).collect()
    }

    fn step_view(&self, service: &Service, index: usize, t: Texts, view: &mut View) {
        let Some(step) = service.flow.get(index) else { return };
        view.title = t.said(step.title());
        match step {
            Step::Info { body, .. } => {
                view.page = Page::Info;
                view.prompt = t.said(&service.name);
                view.lines = body_lines(&t.pick(body), t);
                view.items = vec![t.button(action::NEXT, "step.next")];
            }
            Step::Choice { options, .. } => {
                view.page = Page::List;
                view.prompt = t.prompt("step.choose");
                view.items = options.iter().map(|o| t.data_item(&o.id, &o.label, None, "step.option.help")).collect();
            }
            Step::YesNo { .. } => {
                view.page = Page::YesNo;
                view.prompt = t.prompt("step.choose");
                view.items = vec![t.button(action::YES, "step.yes"), t.button(action::NO, "step.no")];
            }
            Step::Entry { entry, masked, optional, .. } => {
                view.page = Page::Entry;
                view.prompt = t.prompt(self.entry_prompt((*entry).into()));
                view.entry = Some(entry::view((*entry).into(), &self.session.typed, *masked, *optional));
                view.items = vec![t.button(action::ENTRY_DONE, "entry.done")];
                if *optional {
                    view.items.push(t.button(action::ENTRY_SKIP, "entry.skip"));
                }
            }
            Step::Confirm { .. } => {
                view.page = Page::Confirm;
                view.prompt = t.prompt("confirm.prompt");
                view.lines = self.summary(service, t);
                view.items = vec![t.button(action::CONFIRM, "confirm.button")];
            }
            Step::Ticket { .. } => {}
        }
    }

    /// The confirm page's rows: the service, then each question with its answer.
    fn summary(&self, service: &Service, t: Texts) -> Vec<Line> {
        let mut lines = vec![Line::field(t.prompt("confirm.service"), t.said(&service.name))];
        for step in &service.flow {
            let answer = self.session.answers.get(step.id());
            let value = match step {
                Step::Choice { options, .. } => {
                    answer.and_then(|a| options.iter().find(|o| o.id == a)).map(|o| t.said(&o.label))
                }
                Step::YesNo { .. } => answer.map(|a| t.prompt(&format!("step.{a}"))),
                Step::Entry { masked, .. } => answer.map(|a| typed_answer(a, *masked, t)),
                _ => continue,
            };
            lines.push(Line::field(
                t.said(step.summary_label()),
                value.unwrap_or_else(|| t.prompt("confirm.not-given")),
            ));
        }
        lines
    }
}

/// A queue ticket as shown very large (a redeemed receipt's fast-track ticket too).
pub(super) fn ticket_card(ticket: &Ticket, t: Texts) -> TicketView {
    let count = |n: i64| Phrase::number(n.max(0) as u64);
    TicketView {
        number: t.phrase(Phrase::code(&ticket.number)),
        service: t.said(&ticket.service_name),
        window: window_text(ticket, t),
        people_ahead: t.prompt_with("ticket.people-ahead", vec![count(ticket.people_ahead)]),
        wait: t.prompt_with("ticket.wait", vec![count(ticket.estimated_wait_minutes)]),
    }
}

/// The ticket's window as shown (its name from the API) and as said: from number clips where
/// the API gives the number, the way queue announcers say it.
fn window_text(ticket: &Ticket, t: Texts) -> Text {
    let name = t.prompt_with("ticket.window", vec![Phrase::text(t.pick(&ticket.window))]);
    match ticket.window_number {
        Some(number) => {
            let said = Phrase::prompt_with("ticket.window-number", vec![Phrase::number(number.max(0) as u64)]);
            Text { shown: name.shown, phrase: Phrase::prompt_with("ticket.window", vec![said]) }
        }
        None => name,
    }
}

/// What the resident typed, as the summary shows it: a masked answer hides all but its last
/// four characters, and speech reads only those, and only in private listening.
fn typed_answer(value: &str, masked: bool, t: Texts) -> Text {
    if !masked {
        return t.phrase(Phrase::code(value).personal());
    }
    let keep = value.len().saturating_sub(4);
    let tail = &value[keep..];
    Text {
        shown: format!("{}{tail}", "*".repeat(keep)),
        phrase: Phrase::prompt_with("voice.ends-with", vec![Phrase::code(tail)]).personal(),
    }
}

fn body_lines(text: &str, t: Texts) -> Vec<Line> {
    let lines = text.lines().filter(|l| !l.trim().is_empty());
    lines.map(|l| Line::body(t.phrase(Phrase::text(l.trim())))).collect()
}
