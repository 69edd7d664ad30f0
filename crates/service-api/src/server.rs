//! Serving the API over TCP with limits a slow or hostile client cannot outlast: a request's
//! head must come within [`HEADER_READ_TIMEOUT`] (also on an idle kept-alive connection), its
//! body within [`BODY_READ_TIMEOUT`] (see `http::read_body`), and at most
//! [`MAX_CONNECTIONS`] connections are served at once; beyond them new ones wait in the
//! listen backlog.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Connections served at once: kiosks and staff desks of a city, with room to spare.
pub const MAX_CONNECTIONS: usize = 256;

/// Time for a request's head (request line and headers) to arrive; an idle kept-alive
/// connection is closed after it too. A kiosk sends a head in one packet.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Time for a request's whole body, the largest a 4 MB face photo.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves `app` on `listener` until `shutdown` completes, then lets the requests in progress
/// finish.
pub async fn serve(listener: TcpListener, app: Router, shutdown: impl Future<Output = ()>) {
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let graceful = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, say: wait rather than spin, as axum::serve does.
                    eprintln!("service-api: cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Answers are small and written whole: send them at once.
        let _ = stream.set_nodelay(true);
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that went away or sent a broken request: nothing to answer.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
