//! The listening pretend printer.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use crate::decode::{next_command, Command};

/// What the printer reports to `DLE EOT 1`, `2` and `4`, or silence.
#[derive(Debug, Clone, Copy)]
enum Condition {
    Ok,
    PaperNearEnd,
    PaperOut,
    CoverOpen,
    Offline,
    Silent,
}

impl Condition {
    /// The status byte answering `DLE EOT n`, per the Epson ESC/POS reference: every byte has
    /// bits 1 and 4 set (0x12); `None` when the printer keeps quiet.
    fn reply(self, n: u8) -> Option<u8> {
        const FIXED: u8 = 0x12;
        const OFFLINE: u8 = 0x08; // n = 1, bit 3
        const COVER_OPEN: u8 = 0x04; // n = 2, bit 2
        const PAPER_END_STOP: u8 = 0x20; // n = 2, bit 5
        const NEAR_END: u8 = 0x0C; // n = 4, bits 2 and 3
        const PAPER_END: u8 = 0x60; // n = 4, bits 5 and 6
        let bits = match (self, n) {
            (Condition::Silent, _) => return None,
            (Condition::PaperOut | Condition::CoverOpen | Condition::Offline, 1) => OFFLINE,
            (Condition::PaperOut, 2) => PAPER_END_STOP,
            (Condition::PaperOut, 4) => NEAR_END | PAPER_END,
            (Condition::CoverOpen, 2) => COVER_OPEN,
            (Condition::PaperNearEnd, 4) => NEAR_END,
            _ => 0,
        };
        Some(FIXED | bits)
    }
}

#[derive(Debug)]
struct State {
    condition: Condition,
    capture: Vec<u8>,
    connections_seen: usize,
    connections_open: usize,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    /// Signalled when a connection closes.
    closed: Condvar,
    stop: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A test thread that panicked while holding the lock leaves the state usable.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// An ESC/POS printer on 127.0.0.1 that captures what it is sent and answers status queries.
///
/// It starts ready ([`ok`](Self::ok)) and stops listening when dropped.
#[derive(Debug)]
pub struct VirtualPrinter {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl VirtualPrinter {
    /// Listens on a free port of 127.0.0.1, serving each connection on a thread of its own.
    pub fn start() -> io::Result<VirtualPrinter> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                condition: Condition::Ok,
                capture: Vec::new(),
                connections_seen: 0,
                connections_open: 0,
            }),
            closed: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let accepting = Arc::clone(&shared);
        thread::spawn(move || {
            for stream in listener.incoming() {
                if accepting.stop.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                {
                    let mut state = accepting.lock();
                    state.connections_seen += 1;
                    state.connections_open += 1;
                }
                let serving = Arc::clone(&accepting);
                thread::spawn(move || serve(stream, &serving));
            }
        });
        Ok(VirtualPrinter { addr, shared })
    }

    /// The address to connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Ready, paper adequate.
    pub fn ok(&self) {
        self.set(Condition::Ok);
    }

    /// Ready, but the roll's near-end sensor sees little paper left.
    pub fn paper_near_end(&self) {
        self.set(Condition::PaperNearEnd);
    }

    /// Offline because the roll is empty.
    pub fn paper_out(&self) {
        self.set(Condition::PaperOut);
    }

    /// Offline because the cover is open.
    pub fn cover_open(&self) {
        self.set(Condition::CoverOpen);
    }

    /// Offline with no cause reported (as when the feed button is held).
    pub fn offline(&self) {
        self.set(Condition::Offline);
    }

    /// Never answers a status query again (until another state is set); still captures.
    pub fn go_silent(&self) {
        self.set(Condition::Silent);
    }

    fn set(&self, condition: Condition) {
        self.shared.lock().condition = condition;
    }

    /// Every byte received so far, on all connections, in arrival order.
    pub fn captured(&self) -> Vec<u8> {
        self.shared.lock().capture.clone()
    }

    /// Waits until at least one client has connected and every client has closed its
    /// connection (or `timeout` has passed), then returns what was captured: with the
    /// connection closed, every byte sent has arrived.
    pub fn captured_after_disconnect(&self, timeout: Duration) -> Vec<u8> {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.lock();
        while state.connections_seen == 0 || state.connections_open > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            // A connection accepted after the wait began is noticed within 50 ms.
            let (next, _) = self
                .shared
                .closed
                .wait_timeout(state, left.min(Duration::from_millis(50)))
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            state = next;
        }
        state.capture.clone()
    }

    /// Writes the bytes captured so far to `path`, as a printer dump to decode later.
    pub fn save_capture(&self, path: &Path) -> io::Result<()> {
        std::fs::write(path, self.captured())
    }
}

impl Drop for VirtualPrinter {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        // Wakes the accepting thread so it sees the flag and ends.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Reads one connection until it closes, capturing and answering status queries.
fn serve(mut stream: TcpStream, shared: &Shared) {
    // Short reads so a dropped printer's threads end soon.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    // Bytes not yet parsed: a command may arrive split over several reads.
    let mut pending = Vec::new();
    // After a command it does not know, the printer stops looking for queries in this
    // connection (it cannot tell where commands start any more); decode() reports the error.
    let mut lost = false;
    let mut buffer = [0u8; 16 * 1024];
    while !shared.stop.load(Ordering::Relaxed) {
        let count = match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(count) => count,
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => continue,
            Err(_) => break,
        };
        let received = &buffer[..count];
        let condition = {
            let mut state = shared.lock();
            state.capture.extend_from_slice(received);
            state.condition
        };
        if lost {
            continue;
        }
        pending.extend_from_slice(received);
        let mut parsed = 0;
        loop {
            match next_command(&pending[parsed..]) {
                Ok(Some((command, length))) => {
                    if let Command::StatusQuery(n) = command {
                        if let Some(reply) = condition.reply(n) {
                            let _ = stream.write_all(&[reply]);
                        }
                    }
                    parsed += length;
                }
                Ok(None) => break,
                Err(_) => {
                    lost = true;
                    break;
                }
            }
        }
        pending.drain(..parsed);
    }
    shared.lock().connections_open -= 1;
    shared.closed.notify_all();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(stream: &mut TcpStream, n: u8) -> io::Result<u8> {
        stream.write_all(&[0x10, 0x04, n])?;
        let mut reply = [0u8];
        stream.read_exact(&mut reply)?;
        Ok(reply[0])
    }

    #[test]
    fn status_replies_follow_the_state_and_everything_is_captured() {
        let printer = VirtualPrinter::start().unwrap();
        let mut stream = TcpStream::connect(printer.addr()).unwrap();
        stream.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
        assert_eq!(query(&mut stream, 1).unwrap(), 0x12);
        printer.paper_out();
        assert_eq!(query(&mut stream, 4).unwrap(), 0x7E);
        printer.cover_open();
        assert_eq!(query(&mut stream, 2).unwrap(), 0x16);
        printer.go_silent();
        assert!(query(&mut stream, 1).is_err());
        drop(stream);
        let captured = printer.captured_after_disconnect(Duration::from_secs(2));
        assert_eq!(captured, [0x10, 0x04, 1, 0x10, 0x04, 4, 0x10, 0x04, 2, 0x10, 0x04, 1]);
    }

    #[test]
    fn a_query_split_over_two_writes_is_answered() {
        let printer = VirtualPrinter::start().unwrap();
        let mut stream = TcpStream::connect(printer.addr()).unwrap();
        stream.set_nodelay(true).unwrap();
        stream.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
        stream.write_all(&[0x1B, b'@', 0x10]).unwrap();
        thread::sleep(Duration::from_millis(50));
        stream.write_all(&[0x04, 1]).unwrap();
        let mut reply = [0u8];
        stream.read_exact(&mut reply).unwrap();
        assert_eq!(reply, [0x12]);
    }
}
