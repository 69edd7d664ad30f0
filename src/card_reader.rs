//! The ID card reader (GA 467 module on a serial port), polled on a thread of its own: each
//! card put on it reaches the core as [`Event::Card`]; a reader that stops answering shows in
//! the staff notice until it answers again. What the card holds goes to the core and nowhere
//! else: never to a log.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use id_card::{CardReader, CardText, CardWatch, ModuleError, ReaderError, SerialReader, ValidUntil};
use kiosk_core::{CardNews, CivilDate, Event, IdCard};

/// Between polls: a card laid on the reader is read within about half a second.
const POLL_EVERY: Duration = Duration::from_millis(300);
/// Between tries to open a port that is not there (a reader unplugged at start).
const REOPEN_EVERY: Duration = Duration::from_secs(5);

/// Watches the reader on `port` for the kiosk's lifetime; `down` is set while it cannot be
/// used, for the staff notice.
pub fn watch(port: String, baud: u32, events: mpsc::Sender<Event>, down: Arc<AtomicBool>) {
    std::thread::spawn(move || loop {
        match SerialReader::open(&port, baud) {
            Ok(reader) => {
                if poll(reader, &events, &down) == Ended::KioskClosed {
                    return;
                }
            }
            Err(e) => {
                if !down.swap(true, Ordering::Relaxed) {
                    eprintln!("kiosk: ID card reader {port}: {e}");
                }
            }
        }
        std::thread::sleep(REOPEN_EVERY);
    });
}

#[derive(PartialEq)]
enum Ended {
    /// Unplugged: the port is opened again.
    PortLost,
    KioskClosed,
}

/// Polls until the port itself fails or the kiosk closes.
fn poll(reader: impl CardReader, events: &mpsc::Sender<Event>, down: &AtomicBool) -> Ended {
    let mut watch = CardWatch::new(reader);
    down.store(false, Ordering::Relaxed);
    loop {
        let news = match watch.poll() {
            Some(id_card::CardNews::Placed(text)) => Some(CardNews::Read { card: id_card(&text), today: today() }),
            Some(id_card::CardNews::Trouble(e)) if card_at_fault(&e) => Some(CardNews::Unreadable),
            Some(id_card::CardNews::Trouble(ReaderError::Port(e))) => {
                eprintln!("kiosk: ID card reader: {e}");
                down.store(true, Ordering::Relaxed);
                return Ended::PortLost;
            }
            Some(id_card::CardNews::Trouble(e)) => {
                eprintln!("kiosk: ID card reader: {e}");
                down.store(true, Ordering::Relaxed);
                None
            }
            Some(id_card::CardNews::Recovered) => {
                down.store(false, Ordering::Relaxed);
                None
            }
            None => None,
        };
        if news.is_some_and(|news| events.send(Event::Card(news)).is_err()) {
            return Ended::KioskClosed;
        }
        std::thread::sleep(POLL_EVERY);
    }
}

/// Whether the error is the card's (moved away too soon, damaged, not an ID card): the
/// resident is asked to put it again; the reader itself is fine.
fn card_at_fault(error: &ReaderError) -> bool {
    use ModuleError::*;
    match error {
        ReaderError::Text(_) => true,
        ReaderError::Module(e) => matches!(
            e,
            SelectFailed
                | ReadFailed
                | NoContent
                | UnknownCardType
                | CardRejectedModule
                | ModuleRejectedCard
                | VerificationFailed
        ),
        _ => false,
    }
}

/// What the core needs of the card: its name, number and validity.
fn id_card(text: &CardText) -> IdCard {
    IdCard {
        name: text.name.clone(),
        id_number: text.id_number.clone(),
        valid_until: match text.valid_until {
            ValidUntil::Date(date) => Some(CivilDate { year: date.year, month: date.month, day: date.day }),
            ValidUntil::LongTerm => None,
        },
    }
}

fn today() -> CivilDate {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    CivilDate::in_china(now.as_secs() as i64)
}
