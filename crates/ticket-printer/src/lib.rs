//! Queue tickets on ESC/POS thermal printers, 58 mm (384 dots) and 80 mm (576 dots) at 203 dpi.
//!
//! # Why the whole ticket is one image
//!
//! The ticket is drawn here, with a CJK font from the system, and sent as a raster bit image
//! (`GS v 0`), not as text in the printer's own character mode. Text mode would print Chinese
//! only on printers with a GB18030 font ROM, in whatever size and shape that ROM has, and
//! English in another; the number could not be made large enough. As an image, Chinese and
//! English print alike on any ESC/POS printer, at sizes chosen for residents with weak eyes,
//! with the QR code on the same image. The cost is bytes (about 40 KB for an 80 mm ticket),
//! sent in bands of at most 255 rows so that printers with small buffers keep up.
//!
//! # Use
//!
//! ```no_run
//! use ticket_printer::{Connection, Paper, Printer, TicketLayout};
//!
//! let mut printer = Printer::connect(&Connection::Tcp("192.168.1.50:9100".into()), Paper::Mm80)?;
//! let ticket = TicketLayout {
//!     center_name: "幸福街道便民服务中心".into(),
//!     number: "A012".into(),
//!     lines: vec!["业务：社保卡补办".into(), "前面还有 3 人".into()],
//!     issued_at: "2026-12-05 14:03".into(),
//!     qr_payload: "https://example.org/q/A012".into(),
//!     footer: None,
//! };
//! printer.print(&ticket)?;
//! # Ok::<(), ticket_printer::PrintFault>(())
//! ```
//!
//! Every read and write has a timeout ([`STATUS_TIMEOUT`], [`WRITE_TIMEOUT`]): printing never
//! hangs the caller, it fails with a [`PrintFault`].

mod escpos;
mod font;
mod printer;
mod render;
mod transport;

pub use escpos::{escpos, BAND_ROWS};
pub use font::{find_noto_cjk, FontError, FontFace, TicketFont};
pub use printer::{PrintFault, Printer, PrinterState};
pub use render::{render, Paper, RenderError, TicketLayout};
pub use transport::{open, Connection, Transport, CONNECT_TIMEOUT, STATUS_TIMEOUT, WRITE_TIMEOUT};
