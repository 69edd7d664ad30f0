//! The kiosk's side of its session supervisor: systemd in a center (`kiosk.service`), a
//! test supervisor in the tests. Over systemd's notify protocol (`sd_notify(3)`) the kiosk
//! says when its window is up and then feeds the watchdog from the UI's event loop, so a
//! loop that stops turning (a hang) is killed and restarted like a crash. A stop request
//! (SIGTERM, SIGHUP, SIGINT) ends the event loop, and a normal stop is not counted as a
//! restart.

use std::ffi::CString;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use slint::{Timer, TimerMode};

/// The supervisor's notify socket (`NOTIFY_SOCKET`), when the kiosk runs under one.
struct Notifier {
    socket: UnixDatagram,
    address: SocketAddr,
}

impl Notifier {
    fn from_env() -> Option<Notifier> {
        let path = std::env::var("NOTIFY_SOCKET").ok()?;
        // A leading '@' names a socket in the abstract namespace.
        let address = match path.strip_prefix('@') {
            Some(name) => SocketAddr::from_abstract_name(name),
            None => SocketAddr::from_pathname(&path),
        };
        let notifier = address.and_then(|address| Ok(Notifier { socket: UnixDatagram::unbound()?, address }));
        notifier.map_err(|e| eprintln!("kiosk: NOTIFY_SOCKET {path}: {e}")).ok()
    }

    /// Sends one state line, e.g. `READY=1` or `WATCHDOG=1`.
    fn notify(&self, state: &str) {
        if let Err(e) = self.socket.send_to_addr(state.as_bytes(), &self.address) {
            eprintln!("kiosk: cannot notify the supervisor ({state}): {e}");
        }
    }
}

/// How often to feed the watchdog: half its timeout (`WATCHDOG_USEC`), as sd_notify(3)
/// advises; `None` when no watchdog is set, or it watches another process (`WATCHDOG_PID`).
fn watchdog_feed_interval() -> Option<Duration> {
    let for_us = std::env::var("WATCHDOG_PID").map_or(true, |pid| pid.trim() == std::process::id().to_string());
    let micros: u64 = std::env::var("WATCHDOG_USEC").ok()?.trim().parse().ok().filter(|&usec| usec > 0)?;
    for_us.then(|| Duration::from_micros(micros / 2))
}

/// Before the kiosk leaves its place to the maintenance terminal (the admin menu's exit 10):
/// the supervisor's watchdog waits this long, as staff at the terminal feed nothing. It is the
/// unit's own again when the kiosk starts next.
pub fn hold_watchdog_for(maintenance: Duration) {
    if let Some(notifier) = Notifier::from_env() {
        notifier.notify(&format!("WATCHDOG_USEC={}", maintenance.as_micros()));
    }
}

/// Tells the supervisor the kiosk is ready once the event loop turns (the window is up), then
/// feeds its watchdog from that loop. Keep the timer while the loop runs.
pub fn report_from_event_loop() -> Option<Timer> {
    let notifier = Rc::new(Notifier::from_env()?);
    let ready = notifier.clone();
    Timer::single_shot(Duration::ZERO, move || ready.notify("READY=1"));
    let every = watchdog_feed_interval()?;
    let feeding = Timer::default();
    feeding.start(TimerMode::Repeated, every, move || notifier.notify("WATCHDOG=1"));
    Some(feeding)
}

/// Ends the Slint event loop when the kiosk is asked to stop: SIGTERM from the supervisor,
/// SIGHUP from xinit as the session ends, SIGINT from a terminal. `run_marker` is removed in
/// the signal handler itself: systemd signals the whole session at once, and the X server's
/// end can make Xlib exit the kiosk before any thread of it has run again, which would count
/// the stop as a crash.
pub fn quit_on_stop_request(run_marker: &Path) {
    match CString::new(run_marker.as_os_str().as_bytes()) {
        Ok(marker) => {
            for signal in [libc::SIGTERM, libc::SIGHUP, libc::SIGINT] {
                let marker = marker.clone();
                // SAFETY: the handler only calls unlink(2), which is async-signal-safe, on a
                // path made before; it allocates nothing and takes no lock.
                let registered = unsafe {
                    signal_hook_registry::register(signal, move || {
                        libc::unlink(marker.as_ptr());
                    })
                };
                if let Err(e) = registered {
                    eprintln!("kiosk: cannot watch for signal {signal}: {e}");
                }
            }
        }
        Err(e) => eprintln!("kiosk: run marker {}: {e}", run_marker.display()),
    }
    std::thread::spawn(move || {
        let waited = tokio::runtime::Builder::new_current_thread().enable_io().build().and_then(|runtime| {
            runtime.block_on(async {
                use tokio::signal::unix::{signal, SignalKind};
                let mut terminate = signal(SignalKind::terminate())?;
                let (mut hang_up, mut interrupt) = (signal(SignalKind::hangup())?, signal(SignalKind::interrupt())?);
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = hang_up.recv() => {}
                    _ = interrupt.recv() => {}
                }
                Ok(())
            })
        });
        match waited {
            Ok(()) => drop(slint::invoke_from_event_loop(|| drop(slint::quit_event_loop()))),
            Err(e) => eprintln!("kiosk: cannot watch for stop signals: {e}"),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_supervisor_hears_each_state_line_on_its_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).unwrap();
        let notifier =
            Notifier { socket: UnixDatagram::unbound().unwrap(), address: SocketAddr::from_pathname(&path).unwrap() };
        notifier.notify("READY=1");
        notifier.notify("WATCHDOG=1");
        let mut buffer = [0; 64];
        let n = listener.recv(&mut buffer).unwrap();
        assert_eq!(&buffer[..n], b"READY=1");
        let n = listener.recv(&mut buffer).unwrap();
        assert_eq!(&buffer[..n], b"WATCHDOG=1");
    }

    #[test]
    fn a_stop_signal_removes_the_run_marker_before_the_kiosk_runs_on() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("running");
        std::fs::write(&marker, "").unwrap();
        quit_on_stop_request(&marker);
        // raise(3) returns only after the handler has run: nothing else of the kiosk (such
        // as Xlib exiting on a lost X server) can come between the signal and the removal.
        assert_eq!(unsafe { libc::raise(libc::SIGTERM) }, 0);
        assert!(!marker.exists(), "a stop is not counted as a restart");
    }
}
