//! The console's scripts and style, built into the binary and served from memory: the console
//! works on a LAN with no internet. htmx 4.0.1 and its SSE extension come from the npm
//! package `htmx.org` (0BSD, `console-assets/htmx/LICENSE`).

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// (file name, content type, content)
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("htmx.min.js", "text/javascript", include_bytes!("../../console-assets/htmx/htmx.min.js")),
    ("hx-sse.min.js", "text/javascript", include_bytes!("../../console-assets/htmx/hx-sse.min.js")),
    ("htmx-LICENSE.txt", "text/plain; charset=utf-8", include_bytes!("../../console-assets/htmx/LICENSE")),
    ("console.css", "text/css", include_bytes!("../../console-assets/console.css")),
    ("console.js", "text/javascript", include_bytes!("../../console-assets/console.js")),
];

pub(crate) async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        // An hour: a new version of the server may bring new files under the same names.
        Some((_, kind, bytes)) => ([(CONTENT_TYPE, *kind), (CACHE_CONTROL, "max-age=3600")], *bytes).into_response(),
        None => (StatusCode::NOT_FOUND, "No such file").into_response(),
    }
}
