//! The ticket printer (ESC/POS, see the `ticket-printer` crate), on a thread of its own: the
//! screen never waits for the paper. Each ticket's outcome reaches the core as
//! [`Event::TicketPrinted`]; between tickets the printer's status is read now and then, so a
//! roll that ran out shows in the staff notice before the next resident finds out.

use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use kiosk_core::{Event, PrintJob, PrintProblem};
use ticket_printer::{Connection, Paper, PrintFault, Printer, TicketLayout};

use crate::config::{PrinterConfig, PrinterPlace};

/// How often an idle printer is asked how it is.
const CHECK_EVERY: Duration = Duration::from_secs(30);

/// Prints a ticket, or says why it could not.
pub trait TicketPrinter: Send {
    fn print(&mut self, job: &PrintJob) -> Result<(), PrintProblem>;
    /// Whether it could print now.
    fn check(&mut self) -> Result<(), PrintProblem>;
}

/// An ESC/POS printer, connected afresh for each ticket and check: a network printer drops
/// idle connections, and a USB one may have been unplugged and plugged back in.
pub struct EscPosPrinter {
    connection: Connection,
    paper: Paper,
    center_name: String,
}

impl EscPosPrinter {
    pub fn new(config: &PrinterConfig, center_name: &str) -> EscPosPrinter {
        let connection = match &config.place {
            PrinterPlace::Network(address) => Connection::Tcp(address.clone()),
            PrinterPlace::Usb(path) => Connection::Device(path.clone()),
            PrinterPlace::Serial(port) => Connection::Serial { path: port.path.clone().into(), baud: port.baud },
        };
        let paper = if config.paper_mm == 58 { Paper::Mm58 } else { Paper::Mm80 };
        EscPosPrinter { connection, paper, center_name: center_name.to_string() }
    }

    fn connect(&self) -> Result<Printer, PrintProblem> {
        Printer::connect(&self.connection, self.paper).map_err(|fault| problem(&fault))
    }
}

impl TicketPrinter for EscPosPrinter {
    /// The font (Noto Sans CJK) is loaded at the first ticket, on the printer's thread, not
    /// while the kiosk starts.
    fn print(&mut self, job: &PrintJob) -> Result<(), PrintProblem> {
        let layout = TicketLayout {
            center_name: self.center_name.clone(),
            number: job.number.clone(),
            lines: job.lines.clone(),
            issued_at: job.issued_at.clone(),
            qr_payload: job.qr_payload.clone(),
            footer: None,
        };
        self.connect()?.print(&layout).map(drop).map_err(|fault| problem(&fault))
    }

    fn check(&mut self) -> Result<(), PrintProblem> {
        self.connect()?.check().map(drop).map_err(|fault| problem(&fault))
    }
}

/// What the resident is told of a fault: the three things they could see for themselves.
fn problem(fault: &PrintFault) -> PrintProblem {
    eprintln!("kiosk: ticket printer: {fault}");
    match fault {
        PrintFault::PaperOut => PrintProblem::PaperOut,
        PrintFault::CoverOpen => PrintProblem::CoverOpen,
        PrintFault::NotConnected | PrintFault::Offline | PrintFault::NotResponding | PrintFault::Failed(_) => {
            PrintProblem::Offline
        }
    }
}

/// The printer's last known fault, for the staff notice; `None` while it prints.
pub type PrinterHealth = Arc<Mutex<Option<PrintProblem>>>;

/// Takes print jobs and prints them one after another on its own thread.
#[derive(Clone)]
pub struct PrintQueue {
    jobs: mpsc::Sender<PrintJob>,
    pub health: PrinterHealth,
}

impl PrintQueue {
    /// Starts the printer's thread; its answers go to `events`.
    pub fn start(mut printer: Box<dyn TicketPrinter>, events: mpsc::Sender<Event>) -> PrintQueue {
        let (jobs, waiting) = mpsc::channel::<PrintJob>();
        let health = PrinterHealth::default();
        let noted = health.clone();
        let note = move |result: Result<(), PrintProblem>| {
            *noted.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = result.err();
            result
        };
        std::thread::spawn(move || {
            let _ = note(printer.check());
            loop {
                match waiting.recv_timeout(CHECK_EVERY) {
                    Ok(job) => {
                        let result = note(printer.print(&job));
                        if events.send(Event::TicketPrinted { ticket_id: job.ticket_id, result }).is_err() {
                            return;
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => drop(note(printer.check())),
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            }
        });
        PrintQueue { jobs, health }
    }

    pub fn print(&self, job: PrintJob) {
        let _ = self.jobs.send(job);
    }
}
