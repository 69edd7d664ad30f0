//! Reads resident ID cards (居民身份证) through the verification module (the "SAM", GA 467)
//! inside ID card readers that offer a serial or USB-serial interface.
//!
//! [`SerialReader`] speaks the module's protocol ([`frame`]); [`CardWatch`] turns its polls
//! into news for the kiosk: a card placed, trouble with the reader, the reader back.
//!
//! Card data stays in memory: nothing here logs it, and [`CardText`]'s `Debug` hides it. The
//! photo is never decoded nor kept.

pub mod frame;
mod serial;
mod text;
mod watch;

use std::fmt;

pub use serial::SerialReader;
pub use text::{CardText, Date, Sex, TextError, ValidUntil, TEXT_LEN};
pub use watch::{CardNews, CardWatch};

/// A card reader, polled by [`CardWatch`].
pub trait CardReader: Send {
    /// One poll: find a card, select it, read its text. `Ok(None)` when no card is on the
    /// reader (or the module does not find it this time).
    fn read_card(&mut self) -> Result<Option<CardText>, ReaderError>;
}

/// Reading a card failed. The `Display` texts are English and for logs; they never carry
/// card data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReaderError {
    /// The serial port could not be opened or used; the system's message.
    Port(String),
    /// The reader did not answer within the time allowed.
    NotResponding,
    /// A response arrived damaged: its checksum was wrong.
    BadChecksum,
    /// A response's length field was impossible.
    BadLength(u16),
    /// A response did not have the shape its command calls for.
    Malformed(&'static str),
    /// The module answered with a failure status.
    Module(ModuleError),
    /// The card's text block could not be read.
    Text(TextError),
}

impl fmt::Display for ReaderError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            ReaderError::Port(message) => write!(f, "the ID card reader's serial port failed: {message}"),
            ReaderError::NotResponding => f.write_str("the ID card reader is not responding"),
            ReaderError::BadChecksum => f.write_str("a response from the ID card reader had a wrong checksum"),
            ReaderError::BadLength(len) => {
                write!(f, "a response from the ID card reader had an impossible length ({len})")
            }
            ReaderError::Malformed(what) => write!(f, "a response from the ID card reader was malformed: {what}"),
            ReaderError::Module(error) => write!(f, "the ID card reader reported: {error}"),
            ReaderError::Text(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for ReaderError {}

/// A failure status (SW3) from the module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModuleError {
    /// 0x10: the module received a command with a wrong checksum.
    CommandChecksum,
    /// 0x11: the module received a command with a wrong length.
    CommandLength,
    /// 0x21: the module did not accept the command (unknown, or wrong values).
    UnknownCommand,
    /// 0x23: the operation is beyond the terminal's rights.
    Unauthorised,
    /// 0x24: an error the module could not identify.
    Unrecognised,
    /// 0x31: the card did not authenticate the module.
    CardRejectedModule,
    /// 0x32: the module could not authenticate the card.
    ModuleRejectedCard,
    /// 0x33: the card's information failed verification (signature).
    VerificationFailed,
    /// 0x40: the card is not of a recognised type.
    UnknownCardType,
    /// 0x41: reading the card failed, e.g. it was moved away during the read.
    ReadFailed,
    /// 0x47: getting a random number from the card failed.
    RandomNumberFailed,
    /// 0x60: the module's self-test failed; it accepts no command.
    SelfTestFailed,
    /// 0x66: the module is not authorised for use.
    NotAuthorised,
    /// 0x80: no card was found (an error only when not answering a find).
    NoCard,
    /// 0x81: selecting the card failed.
    SelectFailed,
    /// 0x91: the card holds no content for this item.
    NoContent,
    /// Any other status, including a success status that does not answer the command sent.
    Other(u8),
}

impl ModuleError {
    const KNOWN: [(u8, ModuleError); 16] = [
        (0x10, ModuleError::CommandChecksum),
        (0x11, ModuleError::CommandLength),
        (0x21, ModuleError::UnknownCommand),
        (0x23, ModuleError::Unauthorised),
        (0x24, ModuleError::Unrecognised),
        (0x31, ModuleError::CardRejectedModule),
        (0x32, ModuleError::ModuleRejectedCard),
        (0x33, ModuleError::VerificationFailed),
        (0x40, ModuleError::UnknownCardType),
        (0x41, ModuleError::ReadFailed),
        (0x47, ModuleError::RandomNumberFailed),
        (0x60, ModuleError::SelfTestFailed),
        (0x66, ModuleError::NotAuthorised),
        (0x80, ModuleError::NoCard),
        (0x81, ModuleError::SelectFailed),
        (0x91, ModuleError::NoContent),
    ];

    /// The error for a status SW3.
    pub fn from_status(status: u8) -> ModuleError {
        ModuleError::KNOWN.iter().find(|(code, _)| *code == status).map_or(ModuleError::Other(status), |(_, e)| *e)
    }

    /// The status SW3 of this error.
    pub fn status(self) -> u8 {
        match self {
            ModuleError::Other(status) => status,
            known => ModuleError::KNOWN.iter().find(|(_, e)| *e == known).map_or(0, |(code, _)| *code),
        }
    }
}

impl fmt::Display for ModuleError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let text = match self {
            ModuleError::CommandChecksum => "the module received a command with a wrong checksum",
            ModuleError::CommandLength => "the module received a command with a wrong length",
            ModuleError::UnknownCommand => "the module did not accept the command",
            ModuleError::Unauthorised => "the operation is not authorised",
            ModuleError::Unrecognised => "the module met an error it could not identify",
            ModuleError::CardRejectedModule => "the card did not authenticate the module",
            ModuleError::ModuleRejectedCard => "the module could not authenticate the card",
            ModuleError::VerificationFailed => "the card's information failed verification",
            ModuleError::UnknownCardType => "the card is not a recognised ID card",
            ModuleError::ReadFailed => "reading the card failed",
            ModuleError::RandomNumberFailed => "getting a random number from the card failed",
            ModuleError::SelfTestFailed => "the module's self-test failed",
            ModuleError::NotAuthorised => "the module is not authorised for use",
            ModuleError::NoCard => "no card was found",
            ModuleError::SelectFailed => "selecting the card failed",
            ModuleError::NoContent => "the card holds no content for this item",
            ModuleError::Other(status) => return write!(f, "unexpected status {status:#04X}"),
        };
        write!(f, "{text} ({:#04X})", self.status())
    }
}

impl std::error::Error for ModuleError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_module_error_maps_back_to_its_status() {
        for status in 0..=u8::MAX {
            assert_eq!(ModuleError::from_status(status).status(), status);
        }
        assert_eq!(ModuleError::from_status(0x41), ModuleError::ReadFailed);
        assert_eq!(ModuleError::from_status(0x90), ModuleError::Other(0x90));
    }

    #[test]
    fn errors_display_in_english_with_the_status() {
        assert_eq!(ModuleError::SelectFailed.to_string(), "selecting the card failed (0x81)");
        assert_eq!(ModuleError::Other(0x9F).to_string(), "unexpected status 0x9F");
        assert_eq!(
            ReaderError::Module(ModuleError::ReadFailed).to_string(),
            "the ID card reader reported: reading the card failed (0x41)"
        );
        assert_eq!(ReaderError::NotResponding.to_string(), "the ID card reader is not responding");
    }
}
