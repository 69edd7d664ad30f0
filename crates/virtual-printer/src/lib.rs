//! A pretend ESC/POS thermal printer for tests, and a decoder of what it received.
//!
//! [`VirtualPrinter`] listens on 127.0.0.1 (a free port), keeps every byte sent to it and
//! answers the real-time status queries `DLE EOT 1/2/4` as a printer in the state you set
//! would ([`VirtualPrinter::paper_out`], [`VirtualPrinter::go_silent`], …).
//!
//! [`decode`] turns a captured stream back into the image that would have been printed, and
//! tells whether the paper was cut. It knows only the commands a raster ticket uses
//! (`ESC @`, `GS v 0`, `ESC d`, `GS V`, `DLE EOT`): anything else is an error, so a test
//! notices when a printer would have printed garbage.

mod decode;
mod server;

pub use decode::{decode, Cut, CutKind, DecodeError, Decoded};
pub use server::VirtualPrinter;
