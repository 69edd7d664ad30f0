//! Serving the API over TCP, as plain HTTP or as HTTPS with the center's certificate
//! ([`Tls`]), with [`Limits`] a slow or hostile client cannot outlast: the TLS handshake and
//! then each request's head must come within the header timeout (also on an idle kept-alive
//! connection), a body within the body timeout (see `http::read_body`), and only so many
//! connections are served at once, handshakes included; beyond them new ones wait in the
//! listen backlog.

use std::future::Future;
use std::path::Path;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::{Extension, Router};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

use crate::error::{Context, Error};

/// Connections served at once: kiosks and staff desks of a city, with room to spare.
pub const MAX_CONNECTIONS: usize = 256;

/// Time for the TLS handshake, then for each request's head (request line and headers); an
/// idle kept-alive connection is closed after it too. A kiosk sends a head in one packet.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Time for a request's whole body, the largest a 4 MB face photo.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// What the server grants a client. [`Limits::default`] is the product's
/// ([`MAX_CONNECTIONS`], [`HEADER_READ_TIMEOUT`], [`BODY_READ_TIMEOUT`]); tests shorten them.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: MAX_CONNECTIONS,
            header_read_timeout: HEADER_READ_TIMEOUT,
            body_read_timeout: BODY_READ_TIMEOUT,
        }
    }
}

/// The body timeout of the server a request came to, for `http::read_body`.
#[derive(Clone, Copy)]
pub(crate) struct BodyReadTimeout(pub Duration);

/// Marks the requests of a server that answers HTTPS (the staff console's cookies are then
/// `Secure`).
#[derive(Clone, Copy)]
pub(crate) struct ServedOverTls;

/// The server's certificate and private key, to answer HTTPS.
#[derive(Clone)]
pub struct Tls(TlsAcceptor);

impl Tls {
    /// Reads PEM files: `certificates` holds the server's certificate, then any intermediate
    /// ones up to the center's CA; `key` its private key (PKCS#8, PKCS#1 or SEC1).
    pub fn from_pem_files(certificates: &Path, key: &Path) -> Result<Tls, Error> {
        let read = |file: &Path| std::fs::read(file).context(format!("cannot read {}", file.display()));
        let chain = CertificateDer::pem_slice_iter(&read(certificates)?)
            .collect::<Result<Vec<_>, _>>()
            .context(format!("{} is not PEM", certificates.display()))?;
        if chain.is_empty() {
            return Err(Error::new(format!("{} holds no PEM certificate", certificates.display())));
        }
        let key_der = PrivateKeyDer::from_pem_slice(&read(key)?)
            .context(format!("{} holds no PEM private key", key.display()))?;
        // ring, the provider ureq's rustls already uses: one provider in the build.
        let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .context("cannot set up TLS")?
            .with_no_client_auth()
            .with_single_cert(chain, key_der)
            .context(format!("{} and {} do not make a TLS identity", certificates.display(), key.display()))?;
        Ok(Tls(TlsAcceptor::from(Arc::new(config))))
    }
}

/// Serves `app` on `listener`, over TLS when `tls` is given, within `limits`, until
/// `shutdown` completes; then lets the requests in progress finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<Tls>,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let mut app = app.layer(Extension(BodyReadTimeout(limits.body_read_timeout)));
    if tls.is_some() {
        app = app.layer(Extension(ServedOverTls));
    }
    let connections = Arc::new(Semaphore::new(limits.max_connections));
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
        let (app, tls, watcher) = (app.clone(), tls.clone(), graceful.watcher());
        tokio::spawn(async move {
            match tls {
                None => serve_connection(stream, app, limits, watcher).await,
                Some(Tls(acceptor)) => {
                    // A client that never finishes its handshake holds its connection only as
                    // long as one that never finishes its head.
                    let handshake = tokio::time::timeout(limits.header_read_timeout, acceptor.accept(stream)).await;
                    if let Ok(Ok(stream)) = handshake {
                        serve_connection(stream, app, limits, watcher).await;
                    }
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Serves HTTP/1.1 on one connection until it closes.
async fn serve_connection(
    stream: impl AsyncRead + AsyncWrite + Unpin + Send + 'static,
    app: Router,
    limits: Limits,
    watcher: Watcher,
) {
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(app));
    // A client that went away or sent a broken request: nothing to answer.
    let _ = watcher.watch(connection).await;
}
