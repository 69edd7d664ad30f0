//! The server a kiosk runs in-process when no API URL is configured.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;

use ed25519_dalek::VerifyingKey;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::access::Role;
use crate::calls::CallSettings;
use crate::error::{Context, Error};
use crate::face_auth::DEFAULT_PHOTO_RETENTION_DAYS;
use crate::receipt_key::{load_receipt_key, receipt_key_beside};
use crate::server::Limits;
use crate::store::{add_token, database_url, open_database, Db};

/// A reference server on 127.0.0.1 with its own thread and tokio runtime, over a SQLite file,
/// signing receipts with the key in [`crate::RECEIPT_KEY_FILE`] next to it (created if
/// missing); or over any database ([`EmbeddedServer::start_with_database`], for tests on
/// PostgreSQL). Interpreter calls take [`CallSettings::default`]: any hour, rooms on
/// meet.jit.si; face photos are kept [`DEFAULT_PHOTO_RETENTION_DAYS`] undecided. Dropping it
/// shuts the server down and joins the thread.
pub struct EmbeddedServer {
    /// e.g. `http://127.0.0.1:41234`, without a trailing slash.
    pub base_url: String,
    receipt_public_key: VerifyingKey,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl EmbeddedServer {
    /// Opens (creating if needed) the SQLite file, registers the kiosk's token, binds a free
    /// port on 127.0.0.1 and returns once the server accepts connections.
    pub fn start(db_file: &Path, kiosk_id: &str, kiosk_token: &str) -> Result<EmbeddedServer, Error> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").context("cannot bind 127.0.0.1")?;
        Self::start_on(listener, db_file, kiosk_id, kiosk_token)
    }

    /// [`EmbeddedServer::start`] on a listener the caller bound: clients may connect as soon
    /// as it is bound (their requests wait in its backlog while the database opens), so a
    /// kiosk can build its window while its server starts.
    pub fn start_on(
        listener: std::net::TcpListener,
        db_file: &Path,
        kiosk_id: &str,
        kiosk_token: &str,
    ) -> Result<EmbeddedServer, Error> {
        if let Some(dir) = db_file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).context(format!("cannot create {}", dir.display()))?;
        }
        let url = database_url(&db_file.to_string_lossy());
        Self::start_with_database(listener, &url, &receipt_key_beside(db_file), kiosk_id, kiosk_token)
    }

    /// [`EmbeddedServer::start_on`] on any database URL (`postgres://...` too), signing
    /// receipts with the key in `receipt_key_file` (created if missing).
    pub fn start_with_database(
        listener: std::net::TcpListener,
        url: &str,
        receipt_key_file: &Path,
        kiosk_id: &str,
        kiosk_token: &str,
    ) -> Result<EmbeddedServer, Error> {
        let receipt_key = load_receipt_key(receipt_key_file)?;
        let receipt_public_key = receipt_key.verifying_key();
        let url = url.to_owned();
        let (kiosk_id, kiosk_token) = (kiosk_id.to_owned(), kiosk_token.to_owned());
        let (ready_tx, ready_rx) = mpsc::channel::<Result<SocketAddr, Error>>();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("service-api".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build();
                let runtime = match runtime.context("cannot start the server's runtime") {
                    Ok(runtime) => runtime,
                    Err(e) => return drop(ready_tx.send(Err(e))),
                };
                runtime.block_on(async move {
                    let (db, listener, addr) = match prepare(listener, &url, &kiosk_id, &kiosk_token).await {
                        Ok(ready) => ready,
                        Err(e) => return drop(ready_tx.send(Err(e))),
                    };
                    // The listener is bound, so connections are already accepted (queued).
                    let _ = ready_tx.send(Ok(addr));
                    let shutdown = async { drop(stopped.await) };
                    let app = crate::router(db, receipt_key, CallSettings::default(), DEFAULT_PHOTO_RETENTION_DAYS);
                    // Plain HTTP: only this machine reaches 127.0.0.1.
                    crate::serve(listener, app, None, Limits::default(), shutdown).await;
                });
            })
            .context("cannot start the server thread")?;
        let ready = ready_rx.recv().unwrap_or_else(|_| Err(Error::new("the embedded server thread ended early")));
        match ready {
            Ok(addr) => Ok(EmbeddedServer {
                base_url: format!("http://{addr}"),
                receipt_public_key,
                stop: Some(stop),
                thread: Some(thread),
            }),
            Err(e) => {
                let _ = thread.join();
                Err(e)
            }
        }
    }

    /// The key that verifies this server's receipts, for checking a scanned code offline.
    pub fn receipt_public_key(&self) -> VerifyingKey {
        self.receipt_public_key
    }
}

async fn prepare(
    listener: std::net::TcpListener,
    url: &str,
    kiosk_id: &str,
    kiosk_token: &str,
) -> Result<(Db, TcpListener, SocketAddr), Error> {
    let db = open_database(url).await?;
    add_token(&db, Role::Kiosk, kiosk_id, kiosk_token).await?;
    listener.set_nonblocking(true).context("cannot set up the listener")?;
    let listener = TcpListener::from_std(listener).context("cannot set up the listener")?;
    let addr = listener.local_addr().context("cannot read the bound address")?;
    Ok((db, listener, addr))
}

impl Drop for EmbeddedServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
