//! The kiosk's pure core: the session, the flow engine and the accessibility profile.
//!
//! Input arrives as [`Event`]s; [`Kiosk::handle`] updates the state and returns [`Effect`]s
//! for the adapters to carry out (call the service API); their results come back as events.
//! [`Kiosk::view`] says what the screen shows. No UI, network or clock type lives here, so a
//! test can drive a whole visit with no window and no server.

pub mod entry;
pub mod profile;
mod prompt_file;
pub mod prompts;
pub mod speech;
pub mod view;

#[cfg(test)]
mod tests;

use service_api::model::{
    ApiError, Bilingual, Catalog, MaterialForm, NewTicket, Priority, Service, Step, Ticket,
    WindowType,
};

use profile::{Language, Profile};
use view::{EntryView, Item, Line, LineStyle, Page, TicketView, View};

/// Something the resident (or the world) did.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// An item of the current view was activated (tapped, or confirmed from the keypad).
    Activate(String),
    /// A button of the global bar.
    Bar(BarAction),
    /// A key of the on-screen entry keypad.
    Key(EntryKey),
    /// Any other touch (paging a long list): the resident is still there.
    Touched,
    /// The idle warning's "I need more time".
    MoreTime,
    /// Seconds passed.
    Tick(u32),
    CatalogLoaded(Result<Catalog, ApiFailure>),
    TicketIssued(Result<Ticket, ApiFailure>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarAction {
    Home,
    Back,
    Help,
    SignLanguage,
    CallStaff,
    TextSize,
    Contrast,
    Language,
    Voice,
}

impl BarAction {
    pub fn parse(name: &str) -> Option<BarAction> {
        Some(match name {
            "home" => BarAction::Home,
            "back" => BarAction::Back,
            "help" => BarAction::Help,
            "sign-language" => BarAction::SignLanguage,
            "call-staff" => BarAction::CallStaff,
            "text-size" => BarAction::TextSize,
            "contrast" => BarAction::Contrast,
            "language" => BarAction::Language,
            "voice" => BarAction::Voice,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKey {
    Char(char),
    Delete,
    Clear,
}

impl EntryKey {
    pub fn parse(name: &str) -> Option<EntryKey> {
        match name {
            "delete" => Some(EntryKey::Delete),
            "clear" => Some(EntryKey::Clear),
            _ => {
                let mut chars = name.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if c.is_ascii_digit() || c == 'X' => Some(EntryKey::Char(c)),
                    _ => None,
                }
            }
        }
    }
}

/// Why a call to the service API failed.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiFailure {
    /// No answer: network down, server stopped, timeout. Worth retrying.
    Unreachable(String),
    /// The API answered with an error; its message says why.
    Refused(ApiError),
}

/// Work for the adapters.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    LoadCatalog,
    /// The key stays the same when the resident retries, so a ticket is never issued twice.
    IssueTicket { request: NewTicket, idempotency_key: String },
}

/// How long a resident may stay idle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdlePolicy {
    /// Seconds without any touch before the warning shows.
    pub timeout_secs: u32,
    /// Seconds the warning counts down before the session is wiped (at least 20, WCAG 2.2.1).
    pub warning_secs: u32,
}

impl Default for IdlePolicy {
    fn default() -> Self {
        IdlePolicy { timeout_secs: 60, warning_secs: 30 }
    }
}

/// Step ids whose answers go into the ticket request (see the catalog's flows).
const PRIORITY_STEP: &str = "priority";
const PHONE_STEP: &str = "phone";

/// Ids of the home screen's tiles.
pub mod home {
    pub const TAKE_NUMBER: &str = "take-number";
    pub const SCAN_RECEIPT: &str = "scan-receipt";
    pub const GUIDES: &str = "guides";
    pub const PENSION: &str = "pension";
    pub const CALL_STAFF: &str = "call-staff";
    pub const TILES: [&str; 5] = [TAKE_NUMBER, SCAN_RECEIPT, GUIDES, PENSION, CALL_STAFF];
}

/// Ids of the fixed buttons some pages carry besides their data items.
pub mod action {
    pub const NEXT: &str = "next";
    pub const YES: &str = "yes";
    pub const NO: &str = "no";
    pub const ENTRY_DONE: &str = "entry-done";
    pub const ENTRY_SKIP: &str = "entry-skip";
    pub const CONFIRM: &str = "confirm";
    pub const FINISH: &str = "finish";
    pub const RETRY: &str = "retry";
    pub const HOME: &str = "home";
    pub const TAKE_NUMBER: &str = "take-number";
    pub const CLOSE: &str = "close";
}

#[derive(Clone, Debug, PartialEq)]
enum Screen {
    Home,
    /// Choose the service to take a number for.
    Services,
    GuideCategories,
    GuideServices { category: String },
    Guide { service: String },
    /// Step `index` of a service's flow.
    Step { service: String, index: usize },
    Ticket(Ticket),
    Help,
    /// A capability this kiosk does not offer yet: sends the resident to the front desk.
    NotYet,
    /// Waiting for the service API.
    Busy,
    /// The API could not be reached; `Retry` repeats the pending request.
    Unavailable,
    /// The API refused the request; its message says why.
    Refused(Bilingual),
}

/// One resident's visit. [`Kiosk`] replaces it wholesale for the next resident.
#[derive(Debug)]
struct Session {
    profile: Profile,
    screen: Screen,
    history: Vec<Screen>,
    /// Answers of the flow in progress: (step id, answer).
    answers: Vec<(String, String)>,
    /// What is typed on the current entry step.
    typed: String,
    /// Prompt id of a problem to fix on the current page.
    error: Option<&'static str>,
    /// Where the resident was going when the catalog had to be fetched first.
    after_catalog: Option<Screen>,
    /// The request to repeat from the "unavailable" page.
    pending: Option<Effect>,
    idle_secs: u32,
}

impl Session {
    fn new(language: Language, screen: Screen) -> Session {
        Session {
            profile: Profile::new(language),
            screen,
            history: Vec::new(),
            answers: Vec::new(),
            typed: String::new(),
            error: None,
            after_catalog: None,
            pending: None,
            idle_secs: 0,
        }
    }

    fn answer(&self, step_id: &str) -> Option<&str> {
        self.answers.iter().find(|(id, _)| id == step_id).map(|(_, a)| a.as_str())
    }

    fn set_answer(&mut self, step_id: &str, answer: String) {
        self.answers.retain(|(id, _)| id != step_id);
        self.answers.push((step_id.to_string(), answer));
    }
}

pub struct Kiosk {
    catalog: Option<Catalog>,
    default_language: Language,
    idle: IdlePolicy,
    /// Makes idempotency keys unique across kiosk restarts; set by the adapter.
    key_prefix: String,
    requests: u64,
    session: Session,
}

impl Kiosk {
    /// A kiosk on its home screen, which needs no catalog; call [`Kiosk::start`] and carry
    /// out its effects.
    pub fn new(default_language: Language, idle: IdlePolicy, key_prefix: impl Into<String>) -> Kiosk {
        Kiosk {
            catalog: None,
            default_language,
            idle,
            key_prefix: key_prefix.into(),
            requests: 0,
            session: Session::new(default_language, Screen::Home),
        }
    }

    /// Loads the catalog in the background while the home screen shows.
    pub fn start(&mut self) -> Vec<Effect> {
        vec![Effect::LoadCatalog]
    }

    pub fn profile(&self) -> Profile {
        self.session.profile
    }

    pub fn handle(&mut self, event: Event) -> Vec<Effect> {
        if !matches!(event, Event::Tick(_) | Event::CatalogLoaded(_) | Event::TicketIssued(_)) {
            self.session.idle_secs = 0;
        }
        match event {
            Event::Activate(id) => self.activate(&id),
            Event::Bar(action) => self.bar(action),
            Event::Key(key) => {
                self.key(key);
                vec![]
            }
            Event::Touched | Event::MoreTime => vec![],
            Event::Tick(secs) => self.tick(secs),
            Event::CatalogLoaded(result) => {
                self.catalog_loaded(result);
                vec![]
            }
            Event::TicketIssued(result) => {
                self.ticket_issued(result);
                vec![]
            }
        }
    }

    // --- events ---

    fn activate(&mut self, id: &str) -> Vec<Effect> {
        let screen = self.session.screen.clone();
        match screen {
            Screen::Home => match id {
                home::TAKE_NUMBER => return self.open(Screen::Services),
                home::GUIDES => return self.open(Screen::GuideCategories),
                home::SCAN_RECEIPT | home::PENSION | home::CALL_STAFF => self.go(Screen::NotYet),
                _ => {}
            },
            Screen::Services => {
                if self.service(id).is_some() {
                    self.start_flow(id);
                }
            }
            Screen::GuideCategories => {
                let known = self.catalog().categories.iter().any(|c| c.code == id);
                if known {
                    self.go(Screen::GuideServices { category: id.to_string() });
                }
            }
            Screen::GuideServices { .. } => {
                if self.service(id).is_some() {
                    self.go(Screen::Guide { service: id.to_string() });
                }
            }
            Screen::Guide { service } if id == action::TAKE_NUMBER => self.start_flow(&service),
            Screen::Step { service, index } => return self.activate_step(&service, index, id),
            Screen::Ticket(_) | Screen::NotYet | Screen::Refused(_) if id == action::FINISH || id == action::HOME => {
                self.go_home()
            }
            Screen::Help if id == action::CLOSE => self.back(),
            Screen::Unavailable if id == action::RETRY => {
                if let Some(effect) = self.session.pending.clone() {
                    self.session.screen = Screen::Busy;
                    return vec![effect];
                }
            }
            _ => {}
        }
        vec![]
    }

    fn activate_step(&mut self, service: &str, index: usize, id: &str) -> Vec<Effect> {
        let Some(step) = self.service(service).and_then(|s| s.flow.get(index)).cloned() else {
            return vec![];
        };
        match &step {
            Step::Info { .. } if id == action::NEXT => {}
            Step::Choice { options, .. } if options.iter().any(|o| o.id == id) => {
                self.session.set_answer(step.id(), id.to_string());
            }
            Step::YesNo { .. } if id == action::YES || id == action::NO => {
                self.session.set_answer(step.id(), id.to_string());
            }
            Step::Entry { entry, .. } if id == action::ENTRY_DONE => {
                if let Err(problem) = entry::validate(*entry, &self.session.typed) {
                    self.session.error = Some(problem);
                    return vec![];
                }
                let typed = std::mem::take(&mut self.session.typed);
                self.session.set_answer(step.id(), typed);
            }
            Step::Entry { optional: true, .. } if id == action::ENTRY_SKIP => {
                self.session.typed.clear();
                self.session.answers.retain(|(a, _)| a != step.id());
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
                let priority = self
                    .session
                    .answer(PRIORITY_STEP)
                    .and_then(Priority::parse)
                    .unwrap_or(Priority::Normal);
                // The phone step's number goes with the ticket, for the SMS when it is called.
                let contact_phone = self.session.answer(PHONE_STEP).map(str::to_string);
                let request = NewTicket { service_code: service.to_string(), priority, contact_phone };
                self.requests += 1;
                let idempotency_key = format!("{}-{}", self.key_prefix, self.requests);
                self.request(Effect::IssueTicket { request, idempotency_key })
            }
            Some(step) => {
                self.session.typed = match &step {
                    Step::Entry { .. } => self.session.answer(step.id()).unwrap_or("").to_string(),
                    _ => String::new(),
                };
                self.go(Screen::Step { service: service.to_string(), index });
                vec![]
            }
        }
    }

    fn start_flow(&mut self, service: &str) {
        self.session.answers.clear();
        self.enter_step(service, 0);
    }

    fn bar(&mut self, action: BarAction) -> Vec<Effect> {
        let profile = &mut self.session.profile;
        match action {
            BarAction::Home => self.go_home(),
            BarAction::Back => self.back(),
            BarAction::Help => {
                if self.session.screen != Screen::Help {
                    self.go(Screen::Help)
                }
            }
            BarAction::SignLanguage | BarAction::CallStaff => self.go(Screen::NotYet),
            BarAction::TextSize => profile.text_size = profile.text_size.next(),
            BarAction::Contrast => profile.high_contrast = !profile.high_contrast,
            BarAction::Language => profile.language = profile.language.other(),
            BarAction::Voice => profile.voice = !profile.voice,
        }
        vec![]
    }

    fn key(&mut self, key: EntryKey) {
        let Screen::Step { service, index } = &self.session.screen else { return };
        let Some(Step::Entry { entry, .. }) = self.service(service).and_then(|s| s.flow.get(*index)) else {
            return;
        };
        let entry = *entry;
        let typed = &mut self.session.typed;
        match key {
            EntryKey::Char(c) if entry::accepts(entry, typed.len(), c) => typed.push(c),
            EntryKey::Char(_) => {}
            EntryKey::Delete => {
                typed.pop();
            }
            EntryKey::Clear => typed.clear(),
        }
        self.session.error = None;
    }

    fn tick(&mut self, secs: u32) -> Vec<Effect> {
        if self.session_is_pristine() {
            return vec![];
        }
        self.session.idle_secs += secs;
        if self.session.idle_secs >= self.idle.timeout_secs + self.idle.warning_secs {
            self.reset()
        } else {
            vec![]
        }
    }

    /// Nothing of a resident is left: home, default profile, nothing entered.
    fn session_is_pristine(&self) -> bool {
        let s = &self.session;
        s.screen == Screen::Home
            && s.history.is_empty()
            && s.answers.is_empty()
            && s.profile == Profile::new(self.default_language)
    }

    /// Wipes the session for the next resident and refreshes the catalog, so a service the
    /// center added shows up without a restart.
    pub fn reset(&mut self) -> Vec<Effect> {
        self.session = Session::new(self.default_language, Screen::Home);
        vec![Effect::LoadCatalog]
    }

    /// Goes to a screen built from the catalog, fetching the catalog first if it is not here
    /// yet (the service API was down at start, or is slow).
    fn open(&mut self, screen: Screen) -> Vec<Effect> {
        if self.catalog.is_some() {
            self.go(screen);
            return vec![];
        }
        self.session.after_catalog = Some(screen);
        self.request(Effect::LoadCatalog)
    }

    fn catalog_loaded(&mut self, result: Result<Catalog, ApiFailure>) {
        let waiting = self.session.pending == Some(Effect::LoadCatalog);
        match result {
            Ok(catalog) => {
                self.catalog = Some(catalog);
                if waiting {
                    self.session.pending = None;
                    self.session.screen = Screen::Home;
                    if let Some(screen) = self.session.after_catalog.take() {
                        self.go(screen);
                    }
                }
            }
            // A background refresh that failed keeps the catalog already loaded.
            Err(_) if !waiting => {}
            Err(failure) => self.failed(failure),
        }
    }

    fn ticket_issued(&mut self, result: Result<Ticket, ApiFailure>) {
        if !matches!(self.session.pending, Some(Effect::IssueTicket { .. })) {
            return; // the resident left (idle reset) while the request was under way
        }
        match result {
            Ok(ticket) => {
                self.session.pending = None;
                self.session.history.clear();
                self.session.answers.clear();
                self.session.screen = Screen::Ticket(ticket);
            }
            Err(failure) => self.failed(failure),
        }
    }

    fn failed(&mut self, failure: ApiFailure) {
        self.session.screen = match failure {
            ApiFailure::Unreachable(_) => Screen::Unavailable,
            ApiFailure::Refused(error) => {
                self.session.pending = None;
                Screen::Refused(error.message)
            }
        };
    }

    // --- navigation ---

    fn request(&mut self, effect: Effect) -> Vec<Effect> {
        self.session.pending = Some(effect.clone());
        self.session.screen = Screen::Busy;
        vec![effect]
    }

    fn go(&mut self, screen: Screen) {
        let previous = std::mem::replace(&mut self.session.screen, screen);
        if !matches!(previous, Screen::Busy | Screen::Unavailable | Screen::Refused(_)) {
            self.session.history.push(previous);
        }
        self.session.error = None;
    }

    fn back(&mut self) {
        if self.session.pending.is_some() {
            return; // a request is under way or waits for a retry: stay with it
        }
        if let Some(previous) = self.session.history.pop() {
            if let Screen::Step { service, index } = &previous {
                let step = self.service(service).and_then(|s| s.flow.get(*index));
                if let Some(step @ Step::Entry { .. }) = step {
                    self.session.typed = self.session.answer(step.id()).unwrap_or("").to_string();
                }
            }
            self.session.screen = previous;
            self.session.error = None;
        }
    }

    fn go_home(&mut self) {
        self.session.screen = Screen::Home;
        self.session.history.clear();
        self.session.answers.clear();
        self.session.typed.clear();
        self.session.error = None;
        self.session.pending = None;
        self.session.after_catalog = None;
    }

    // --- catalog look-ups ---

    fn catalog(&self) -> &Catalog {
        static EMPTY: Catalog = Catalog { categories: Vec::new(), services: Vec::new() };
        self.catalog.as_ref().unwrap_or(&EMPTY)
    }

    fn service(&self, code: &str) -> Option<&Service> {
        self.catalog().services.iter().find(|s| s.code == code)
    }

    // --- the view ---

    pub fn view(&self) -> View {
        let lang = self.session.profile.language;
        let t = |id: &str| prompts::text(id, lang);
        let button = |id: &str, prompt: &str| Item { id: id.into(), label: t(prompt), detail: String::new() };
        let mut view = View {
            page: Page::Message,
            title: String::new(),
            prompt: String::new(),
            items: Vec::new(),
            lines: Vec::new(),
            entry: None,
            ticket: None,
            error: self.session.error.map(t).unwrap_or_default(),
            can_go_back: !self.session.history.is_empty() && self.session.pending.is_none(),
            idle_warning: self
                .session
                .idle_secs
                .checked_sub(self.idle.timeout_secs)
                .map(|over| self.idle.warning_secs - over),
            profile: self.session.profile,
        };
        match &self.session.screen {
            Screen::Home => {
                view.page = Page::Home;
                view.title = t("home.title");
                view.prompt = t("home.prompt");
                view.items = home::TILES
                    .iter()
                    .map(|id| Item {
                        id: id.to_string(),
                        label: t(&format!("home.{id}")),
                        detail: t(&format!("home.{id}.detail")),
                    })
                    .collect();
            }
            Screen::Services => {
                view.page = Page::List;
                view.title = t("services.title");
                view.prompt = t("services.prompt");
                view.items = self.service_items(|_| true, lang);
            }
            Screen::GuideCategories => {
                view.page = Page::List;
                view.title = t("guides.title");
                view.prompt = t("guides.prompt");
                view.items = self
                    .catalog()
                    .categories
                    .iter()
                    .map(|c| Item { id: c.code.clone(), label: pick(&c.name, lang), detail: String::new() })
                    .collect();
            }
            Screen::GuideServices { category } => {
                view.page = Page::List;
                view.title = self
                    .catalog()
                    .categories
                    .iter()
                    .find(|c| &c.code == category)
                    .map(|c| pick(&c.name, lang))
                    .unwrap_or_default();
                view.prompt = t("guide-services.prompt");
                view.items = self.service_items(|s| &s.category == category, lang);
            }
            Screen::Guide { service } => {
                if let Some(service) = self.service(service) {
                    view.page = Page::Guide;
                    view.title = pick(&service.name, lang);
                    view.prompt = t("guide.prompt");
                    view.lines = guide_lines(service, lang);
                    view.items = vec![button(action::TAKE_NUMBER, "guide.take-number")];
                }
            }
            Screen::Step { service, index } => {
                if let Some(service) = self.service(service) {
                    self.step_view(service, *index, &mut view);
                }
            }
            Screen::Ticket(ticket) => {
                view.page = Page::Ticket;
                view.title = t("ticket.title");
                view.prompt = t("ticket.prompt");
                let people = ticket.people_ahead.to_string();
                let minutes = ticket.estimated_wait_minutes.to_string();
                view.ticket = Some(TicketView {
                    number: ticket.number.clone(),
                    service: pick(&ticket.service_name, lang),
                    window: prompts::format("ticket.window", lang, &[&pick(&ticket.window, lang)]),
                    people_ahead: prompts::format("ticket.people-ahead", lang, &[&people]),
                    wait: prompts::format("ticket.wait", lang, &[&minutes]),
                });
                view.items = vec![button(action::FINISH, "ticket.finish")];
            }
            Screen::Help => {
                view.title = t("help.title");
                view.prompt = t("help.prompt");
                view.lines = ["help.tap", "help.text", "help.staff", "help.privacy"]
                    .iter()
                    .map(|id| Line { style: LineStyle::Body, text: t(id), value: String::new() })
                    .collect();
                view.items = vec![button(action::CLOSE, "help.close")];
            }
            Screen::NotYet => {
                view.title = t("later.title");
                view.prompt = t("later.prompt");
                view.items = vec![button(action::HOME, "later.home")];
            }
            Screen::Busy => {
                view.page = Page::Busy;
                view.title = t("busy.title");
                view.prompt = t("busy.prompt");
            }
            Screen::Unavailable => {
                view.title = t("unavailable.title");
                view.prompt = t("unavailable.prompt");
                view.items = vec![button(action::RETRY, "unavailable.retry")];
            }
            Screen::Refused(message) => {
                view.title = t("refused.title");
                view.prompt = pick(message, lang);
                view.items = vec![button(action::HOME, "later.home")];
            }
        }
        view
    }

    fn service_items(&self, keep: impl Fn(&Service) -> bool, lang: Language) -> Vec<Item> {
        self.catalog()
            .services
            .iter()
            .filter(|s| keep(s))
            .map(|s| Item {
                id: s.code.clone(),
                label: pick(&s.name, lang),
                detail: pick(&s.department, lang),
            })
            .collect()
    }

    fn step_view(&self, service: &Service, index: usize, view: &mut View) {
        let lang = self.session.profile.language;
        let t = |id: &str| prompts::text(id, lang);
        let button = |id: &str, prompt: &str| Item { id: id.into(), label: t(prompt), detail: String::new() };
        let Some(step) = service.flow.get(index) else { return };
        view.title = pick(step.title(), lang);
        match step {
            Step::Info { body, .. } => {
                view.page = Page::Info;
                view.prompt = pick(&service.name, lang);
                view.lines = body_lines(&pick(body, lang));
                view.items = vec![button(action::NEXT, "step.next")];
            }
            Step::Choice { options, .. } => {
                view.page = Page::List;
                view.prompt = t("step.choose");
                view.items = options
                    .iter()
                    .map(|o| Item { id: o.id.clone(), label: pick(&o.label, lang), detail: String::new() })
                    .collect();
            }
            Step::YesNo { .. } => {
                view.page = Page::YesNo;
                view.prompt = t("step.choose");
                view.items = vec![button(action::YES, "step.yes"), button(action::NO, "step.no")];
            }
            Step::Entry { entry, masked, optional, .. } => {
                view.page = Page::Entry;
                view.prompt = t(match entry {
                    service_api::model::EntryKind::IdNumber => "entry.prompt.id-number",
                    service_api::model::EntryKind::Phone => "entry.prompt.phone",
                });
                let typed = &self.session.typed;
                view.entry = Some(EntryView {
                    shown: if *masked { "*".repeat(typed.len()) } else { typed.clone() },
                    expected_len: entry::expected_len(*entry),
                    allows_x: *entry == service_api::model::EntryKind::IdNumber,
                    optional: *optional,
                });
                view.items = vec![button(action::ENTRY_DONE, "entry.done")];
                if *optional {
                    view.items.push(button(action::ENTRY_SKIP, "entry.skip"));
                }
            }
            Step::Confirm { .. } => {
                view.page = Page::Confirm;
                view.prompt = t("confirm.prompt");
                view.lines = self.summary(service, lang);
                view.items = vec![button(action::CONFIRM, "confirm.button")];
            }
            Step::Ticket { .. } => {}
        }
    }

    /// The confirm page's rows: the service, then each question with its answer.
    fn summary(&self, service: &Service, lang: Language) -> Vec<Line> {
        let field = |text: String, value: String| Line { style: LineStyle::Field, text, value };
        let mut lines = vec![field(prompts::text("confirm.service", lang), pick(&service.name, lang))];
        for step in &service.flow {
            let answer = self.session.answer(step.id());
            let value = match step {
                Step::Choice { options, .. } => answer
                    .and_then(|a| options.iter().find(|o| o.id == a))
                    .map(|o| pick(&o.label, lang)),
                Step::YesNo { .. } => answer.map(|a| prompts::text(&format!("step.{a}"), lang)),
                Step::Entry { masked, .. } => answer.map(|a| if *masked { mask(a) } else { a.to_string() }),
                _ => continue,
            };
            let value = value.unwrap_or_else(|| prompts::text("confirm.not-given", lang));
            lines.push(field(pick(step.summary_label(), lang), value));
        }
        lines
    }
}

fn pick(text: &Bilingual, lang: Language) -> String {
    match lang {
        Language::Zh => text.zh.clone(),
        Language::En => text.en.clone(),
    }
}

/// Hides all but the last four characters of a masked answer on the summary.
fn mask(value: &str) -> String {
    let keep = value.len().saturating_sub(4);
    format!("{}{}", "*".repeat(keep), &value[keep..])
}

fn body_lines(text: &str) -> Vec<Line> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Line { style: LineStyle::Body, text: l.trim().to_string(), value: String::new() })
        .collect()
}

/// A service guide as lines: department, materials, conditions, time limit, fee, type.
fn guide_lines(service: &Service, lang: Language) -> Vec<Line> {
    let t = |id: &str| prompts::text(id, lang);
    let heading = |text: String| Line { style: LineStyle::Heading, text, value: String::new() };
    let body = |text: String| Line { style: LineStyle::Body, text, value: String::new() };
    let field = |label: &str, value: String| Line { style: LineStyle::Field, text: t(label), value };

    let mut lines = vec![field("guide.department", pick(&service.department, lang))];
    lines.push(heading(t("guide.materials")));
    for (n, material) in service.materials.iter().enumerate() {
        let form = t(match material.form {
            MaterialForm::Original => "material.original",
            MaterialForm::Copy => "material.copy",
            MaterialForm::OriginalAndCopy => "material.original-and-copy",
        });
        let need = t(if material.required { "material.required" } else { "material.optional" });
        let copies = prompts::format("material.copies", lang, &[&material.copies.to_string()]);
        let name = pick(&material.name, lang);
        let number = (n + 1).to_string();
        lines.push(body(prompts::format("material.line", lang, &[&number, &name, &form, &copies, &need])));
    }
    if !service.conditions.is_empty() {
        lines.push(heading(t("guide.conditions")));
        lines.extend(service.conditions.iter().map(|c| body(pick(c, lang))));
    }
    lines.push(field("guide.time-limit", pick(&service.time_limit, lang)));
    lines.push(field("guide.fee", pick(&service.fee, lang)));
    let kind = match service.window_type {
        WindowType::Immediate => "guide.immediate",
        WindowType::Promised => "guide.promised",
    };
    lines.push(field("guide.window-type", t(kind)));
    lines
}
