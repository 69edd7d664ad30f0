//! Moving between screens, and waiting for the service API: what every feature shares.

use contract::model::{Catalog, Service};

use super::ticket::Screen as TicketScreen;
use super::{ApiFailure, Effect, Kiosk, Screen};

impl Kiosk {
    /// Goes to `screen`, remembering where the resident was (but not a waiting page).
    pub(super) fn go(&mut self, screen: impl Into<Screen>) {
        let previous = std::mem::replace(&mut self.session.screen, screen.into());
        if !matches!(previous, Screen::Busy | Screen::Unavailable | Screen::Refused(_)) {
            self.session.history.push(previous);
        }
        self.session.error = None;
    }

    pub(super) fn back(&mut self) {
        if self.session.pending.is_some() {
            return; // a request is under way or waits for a retry: stay with it
        }
        if let Some(previous) = self.session.history.pop() {
            if let Screen::Ticket(TicketScreen::Step { service, index }) = &previous {
                self.restore_typed(service, *index);
            }
            self.session.screen = previous;
            self.session.error = None;
        }
    }

    pub(super) fn go_home(&mut self) {
        self.session.screen = Screen::Home;
        self.session.history.clear();
        self.session.answers.clear();
        self.session.typed.clear();
        self.session.error = None;
        self.session.pending = None;
        self.session.after_catalog = None;
        self.session.staff_call = None; // a call not yet sent is still sent (the outbox)
        self.session.pension = None;
        self.session.rating = None;
        self.session.applicant_id = None;
        self.session.admin = None;
    }

    /// Asks the API, showing the busy page until it answers.
    pub(super) fn request(&mut self, effect: Effect) -> Vec<Effect> {
        self.session.pending = Some(effect.clone());
        self.session.screen = Screen::Busy;
        vec![effect]
    }

    /// Repeats the request the API did not answer (from the "unavailable" page).
    pub(super) fn retry(&mut self) -> Vec<Effect> {
        let Some(effect) = self.session.pending.clone() else { return vec![] };
        self.session.screen = Screen::Busy;
        vec![effect]
    }

    /// Whether the API's answer is to a request the session still waits for: one that comes
    /// after the resident left (an idle reset) is dropped.
    pub(super) fn awaits(&self, answer_to: fn(&Effect) -> bool) -> bool {
        self.session.pending.as_ref().is_some_and(answer_to)
    }

    /// The request succeeded: the result screen replaces the way back.
    pub(super) fn answered(&mut self, screen: impl Into<Screen>) {
        self.session.pending = None;
        self.session.history.clear();
        self.session.screen = screen.into();
    }

    pub(super) fn failed(&mut self, failure: ApiFailure) {
        self.session.screen = match failure {
            ApiFailure::Unreachable(_) => Screen::Unavailable,
            ApiFailure::Refused(error) => {
                self.session.pending = None;
                Screen::Refused(error.message)
            }
        };
    }

    pub(super) fn next_idempotency_key(&mut self) -> String {
        self.requests += 1;
        format!("{}-{}", self.key_prefix, self.requests)
    }

    /// Goes to a screen built from the catalog, fetching the catalog first if it is not here
    /// yet (the service API was down at start, or is slow).
    pub(super) fn open(&mut self, screen: impl Into<Screen>) -> Vec<Effect> {
        if self.catalog.is_some() {
            self.go(screen);
            return vec![];
        }
        self.session.after_catalog = Some(screen.into());
        self.request(Effect::LoadCatalog)
    }

    pub(super) fn catalog_loaded(&mut self, result: Result<Catalog, ApiFailure>) -> Vec<Effect> {
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
        vec![]
    }

    pub(super) fn catalog(&self) -> &Catalog {
        static EMPTY: Catalog = Catalog { categories: Vec::new(), services: Vec::new() };
        self.catalog.as_ref().unwrap_or(&EMPTY)
    }

    pub(super) fn service(&self, code: &str) -> Option<&Service> {
        self.catalog().services.iter().find(|s| s.code == code)
    }
}
