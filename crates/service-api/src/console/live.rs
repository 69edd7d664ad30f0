//! "Something changed": every POST the server answered without an error (an API call of a
//! kiosk or staff member, a console form) bumps one counter, and live pages render again
//! when it moves. A page draws from the database, so one signal for every change is enough.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use tokio::sync::watch;

/// The counter of changes, shared by the API's routes and the console's live pages.
#[derive(Clone)]
pub(crate) struct Changes(Arc<watch::Sender<u64>>);

impl Default for Changes {
    fn default() -> Self {
        Changes(Arc::new(watch::Sender::new(0)))
    }
}

impl Changes {
    fn bump(&self) {
        self.0.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that wakes at the next change.
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}

/// Middleware over the whole server: a POST answered below 400 changed something. Its
/// transaction is committed by then, so a page rendered now shows the change.
pub(crate) async fn notice_changes(State(changes): State<Changes>, req: Request, next: Next) -> Response {
    let post = req.method() == Method::POST;
    let response = next.run(req).await;
    if post && response.status().as_u16() < 400 {
        changes.bump();
    }
    response
}
