//! A connected printer: status checks around each ticket.

use std::fmt;
use std::io::{Read, Write};
use std::sync::{Arc, OnceLock};

use crate::escpos::{escpos, interpret, is_status_byte, status_query, STATUS_KINDS};
use crate::render::{render, Paper, TicketLayout};
use crate::transport::{io_fault, open, Connection, Transport};
use crate::TicketFont;

/// Why a ticket was not (or not wholly) printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintFault {
    /// No printer at the address or path, or the connection was lost.
    NotConnected,
    /// The roll is empty.
    PaperOut,
    /// The cover is open.
    CoverOpen,
    /// The printer is offline for another reason (an error, or the feed button held).
    Offline,
    /// The printer did not answer a status query, or stopped taking data, in time.
    NotResponding,
    /// Anything else, described.
    Failed(String),
}

impl fmt::Display for PrintFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrintFault::NotConnected => {
                f.write_str("printer not connected (nothing at its address, or the link dropped)")
            }
            PrintFault::PaperOut => f.write_str("printer is out of paper"),
            PrintFault::CoverOpen => f.write_str("printer cover is open"),
            PrintFault::Offline => f.write_str("printer is offline"),
            PrintFault::NotResponding => f.write_str("printer did not respond in time"),
            PrintFault::Failed(reason) => write!(f, "printing failed: {reason}"),
        }
    }
}

impl std::error::Error for PrintFault {}

/// A printer able to print, as far as it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrinterState {
    /// Ready, paper adequate.
    Ready,
    /// Ready, but the roll is nearly used up: a warning for staff, not a fault.
    PaperNearEnd,
    /// Nothing can tell (a regular file as the device); jobs are sent anyway.
    StatusUnknown,
}

/// A connected ESC/POS printer.
pub struct Printer {
    transport: Box<dyn Transport>,
    paper: Paper,
    font: Option<Arc<TicketFont>>,
}

impl fmt::Debug for Printer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Printer").field("paper", &self.paper).finish_non_exhaustive()
    }
}

impl Printer {
    /// Connects, without asking anything yet. Tickets are drawn with Noto Sans CJK unless
    /// [`with_font`](Self::with_font) gives another font.
    pub fn connect(connection: &Connection, paper: Paper) -> Result<Printer, PrintFault> {
        Ok(Printer::from_transport(open(connection)?, paper))
    }

    /// A printer on a channel opened elsewhere.
    pub fn from_transport(transport: Box<dyn Transport>, paper: Paper) -> Printer {
        Printer { transport, paper, font: None }
    }

    /// Draws tickets with `font`.
    pub fn with_font(self, font: Arc<TicketFont>) -> Printer {
        Printer { font: Some(font), ..self }
    }

    /// The paper this printer was connected with.
    pub fn paper(&self) -> Paper {
        self.paper
    }

    /// Asks the printer's real-time status (`DLE EOT 1`, `2`, `4`). A fault is an `Err`; a
    /// printer that does not answer within a second is [`PrintFault::NotResponding`].
    pub fn check(&mut self) -> Result<PrinterState, PrintFault> {
        if !self.transport.answers_status() {
            return Ok(PrinterState::StatusUnknown);
        }
        let mut replies = [0u8; 3];
        for (reply, n) in replies.iter_mut().zip(STATUS_KINDS) {
            self.transport.write_all(&status_query(n)).map_err(|e| io_fault(&e))?;
            self.transport.flush().map_err(|e| io_fault(&e))?;
            let mut byte = [0u8];
            self.transport.read_exact(&mut byte).map_err(|e| io_fault(&e))?;
            if !is_status_byte(byte[0]) {
                return Err(PrintFault::Failed(format!("unexpected reply {:#04x} to DLE EOT {n}", byte[0])));
            }
            *reply = byte[0];
        }
        interpret(replies[0], replies[1], replies[2])
    }

    /// Prints the ticket: checks the status, sends the whole ticket as one raster image and a
    /// cut, then checks again, as the paper may have run out during the ticket.
    ///
    /// A fault found before printing means nothing was sent. The state after printing is
    /// returned, so that staff can be told when the paper is near its end. The second check
    /// sees what the printer knows once it has taken the last byte; a roll that ends in the
    /// last centimetres may go unnoticed until the next ticket.
    pub fn print(&mut self, layout: &TicketLayout) -> Result<PrinterState, PrintFault> {
        let font = match &self.font {
            Some(font) => Arc::clone(font),
            None => default_font()?,
        };
        let image = render(layout, self.paper, &font).map_err(|e| PrintFault::Failed(e.to_string()))?;
        let job = escpos(&image);
        self.check()?;
        self.transport.write_all(&job).map_err(|e| io_fault(&e))?;
        self.transport.flush().map_err(|e| io_fault(&e))?;
        // Raster data may hold the bytes of a status query, which some printers answer even
        // inside an image: such stray replies must not be taken for the answers below.
        if self.transport.answers_status() {
            self.transport.discard_input().map_err(|e| io_fault(&e))?;
        }
        self.check()
    }
}

/// Noto Sans CJK, loaded once for the whole process (the two files are about 40 MB).
fn default_font() -> Result<Arc<TicketFont>, PrintFault> {
    static FONT: OnceLock<Result<Arc<TicketFont>, String>> = OnceLock::new();
    FONT.get_or_init(|| TicketFont::noto_cjk().map(Arc::new).map_err(|e| e.to_string()))
        .clone()
        .map_err(PrintFault::Failed)
}
