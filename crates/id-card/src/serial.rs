//! The module over a serial port (or a USB-serial adapter, or a pseudo-terminal).

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use serialport::{ClearBuffer, SerialPort};

use crate::frame::{self, Command, FrameError, Response};
use crate::{CardReader, CardText, ModuleError, ReaderError};

/// How long a command may take to be answered in full: a module that stops answering is
/// noticed at the next poll's find-card, about a second later.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(1);

/// How long reading the basic information may take: the module authenticates the card and
/// reads it over radio (well under a second on the usual modules), then sends 1295 bytes
/// (115 ms at 115200 baud, 1.4 s at 9600). A slow module must not pass for a silent one.
const READ_TIMEOUT: Duration = Duration::from_secs(3);

/// A reader's module on a serial port.
pub struct SerialReader {
    port: Box<dyn SerialPort>,
}

impl SerialReader {
    /// Opens the port at `path` (e.g. `/dev/ttyUSB0`) at `baud` bits per second, 8N1;
    /// modules start at 115200.
    pub fn open(path: &str, baud: u32) -> Result<SerialReader, ReaderError> {
        let port = serialport::new(path, baud)
            .timeout(RESPONSE_TIMEOUT)
            .open()
            .map_err(|error| ReaderError::Port(format!("{path}: {error}")))?;
        Ok(SerialReader { port })
    }

    /// Asks the module for its status: `Ok` when it is there and working.
    pub fn check_status(&mut self) -> Result<(), ReaderError> {
        self.expect(Command::SamStatus, 0x90).map(drop)
    }

    /// Sends a command and reads its answer.
    fn transact(&mut self, command: Command) -> Result<Response, ReaderError> {
        let port_error = |error: io::Error| ReaderError::Port(error.to_string());
        // A late answer to an earlier command must not pass for this one's.
        self.port.clear(ClearBuffer::Input).map_err(|error| port_error(error.into()))?;
        self.port.write_all(&frame::encode_command(command)).map_err(port_error)?;
        let timeout = if command == Command::ReadBasicInfo { READ_TIMEOUT } else { RESPONSE_TIMEOUT };
        let mut input = Deadline { port: self.port.as_mut(), until: Instant::now() + timeout };
        frame::read_response(&mut input).map_err(|error| match error {
            FrameError::Io(error) if error.kind() == io::ErrorKind::TimedOut => ReaderError::NotResponding,
            FrameError::Io(error) => port_error(error),
            FrameError::Checksum => ReaderError::BadChecksum,
            FrameError::Length(len) => ReaderError::BadLength(len),
        })
    }

    /// Sends a command and returns the answer's data if its status is `success`.
    fn expect(&mut self, command: Command, success: u8) -> Result<Vec<u8>, ReaderError> {
        let response = self.transact(command)?;
        if response.status == success {
            Ok(response.data)
        } else {
            Err(ReaderError::Module(ModuleError::from_status(response.status)))
        }
    }
}

impl CardReader for SerialReader {
    fn read_card(&mut self) -> Result<Option<CardText>, ReaderError> {
        let found = self.transact(Command::FindCard)?;
        match found.status {
            0x9F => {}
            0x80 => return Ok(None),
            status => return Err(ReaderError::Module(ModuleError::from_status(status))),
        }
        self.expect(Command::SelectCard, 0x90)?;
        // The data holds the photo too: it is dropped with `data` at the end of this call,
        // undecoded.
        let data = self.expect(Command::ReadBasicInfo, 0x90)?;
        let text = frame::basic_info_text(&data).ok_or(ReaderError::Malformed("not a basic information answer"))?;
        CardText::parse(&text).map(Some).map_err(ReaderError::Text)
    }
}

/// The port, read with one deadline for a whole answer: a trickle of noise cannot hold a
/// poll for longer than that.
struct Deadline<'a> {
    port: &'a mut dyn SerialPort,
    until: Instant,
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.port.set_timeout(left)?;
        self.port.read(buf)
    }
}
