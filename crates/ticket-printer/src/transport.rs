//! The ways to reach a printer, each with timeouts on every read and write.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::PrintFault;

/// How long a printer may take to answer a status query.
pub const STATUS_TIMEOUT: Duration = Duration::from_secs(1);

/// How long a printer may stop taking data before the job is abandoned. Longer than the status
/// timeout: a printer with a small buffer accepts more only as it prints.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// How long to try to reach a network printer.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Where the printer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// A network printer's raw port, e.g. `"192.168.1.50:9100"`.
    Tcp(String),
    /// A serial port, e.g. `/dev/ttyUSB0` at 115200 baud, 8N1 with RTS/CTS flow control: a raster
    /// ticket is tens of kilobytes, more than a printer buffers, so it must be able to pause
    /// the sender.
    Serial {
        /// The port's device file.
        path: PathBuf,
        /// Bits per second, as set on the printer.
        baud: u32,
    },
    /// A USB printer-class device file, e.g. `/dev/usb/lp0`, opened for reading and writing
    /// (most printers answer status queries through it).
    ///
    /// A regular file also works, as a printer that cannot answer: the job is appended to it
    /// unchecked and the state is [`PrinterState::StatusUnknown`](crate::PrinterState). A path
    /// that does not exist is [`PrintFault::NotConnected`] (an unplugged printer's device file
    /// disappears), so the file must be created first.
    Device(PathBuf),
}

/// A byte channel to a printer. Reads time out after [`STATUS_TIMEOUT`] and writes after
/// [`WRITE_TIMEOUT`] with an error of kind `TimedOut` or `WouldBlock`.
pub trait Transport: Read + Write + Send {
    /// Whether anything can answer a status query; false for a regular file.
    fn answers_status(&self) -> bool {
        true
    }

    /// Throws away bytes received and not yet read, such as late answers to earlier queries.
    fn discard_input(&mut self) -> io::Result<()>;
}

/// Opens the connection. Failing to reach the printer is [`PrintFault::NotConnected`].
pub fn open(connection: &Connection) -> Result<Box<dyn Transport>, PrintFault> {
    match connection {
        Connection::Tcp(address) => Ok(Box::new(open_tcp(address)?)),
        Connection::Serial { path, baud } => {
            let port = serialport::new(path.to_string_lossy(), *baud)
                .flow_control(serialport::FlowControl::Hardware)
                .timeout(STATUS_TIMEOUT)
                .open()
                .map_err(|_| PrintFault::NotConnected)?;
            Ok(Box::new(SerialTransport(port)))
        }
        Connection::Device(path) => {
            let Ok(metadata) = std::fs::metadata(path) else { return Err(PrintFault::NotConnected) };
            if metadata.is_file() {
                let file = OpenOptions::new().append(true).open(path).map_err(|e| io_fault(&e))?;
                return Ok(Box::new(FileTransport(file)));
            }
            // Non-blocking, so that poll(2) can bound every read and write.
            let device = OpenOptions::new()
                .read(true)
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(path)
                .map_err(|e| io_fault(&e))?;
            Ok(Box::new(DeviceTransport(device)))
        }
    }
}

/// What an I/O error means for the caller.
pub(crate) fn io_fault(error: &io::Error) -> PrintFault {
    use io::ErrorKind::*;
    match error.kind() {
        TimedOut | WouldBlock => PrintFault::NotResponding,
        NotFound | ConnectionRefused | ConnectionReset | ConnectionAborted | NotConnected | BrokenPipe
        | UnexpectedEof | AddrNotAvailable | HostUnreachable | NetworkUnreachable => PrintFault::NotConnected,
        _ => PrintFault::Failed(error.to_string()),
    }
}

fn open_tcp(address: &str) -> Result<TcpStream, PrintFault> {
    let addresses =
        address.to_socket_addrs().map_err(|e| PrintFault::Failed(format!("bad printer address {address:?}: {e}")))?;
    let mut last_fault = PrintFault::NotConnected;
    for socket_address in addresses {
        match TcpStream::connect_timeout(&socket_address, CONNECT_TIMEOUT) {
            Ok(stream) => {
                let setup = stream
                    .set_read_timeout(Some(STATUS_TIMEOUT))
                    .and_then(|()| stream.set_write_timeout(Some(WRITE_TIMEOUT)))
                    // Status queries are three bytes: send them now, not after 40 ms.
                    .and_then(|()| stream.set_nodelay(true));
                return setup.map(|()| stream).map_err(|e| io_fault(&e));
            }
            Err(e) => {
                // A printer that is switched off or unplugged from the network does not refuse,
                // it just never answers: that too is "not connected".
                last_fault = match io_fault(&e) {
                    PrintFault::NotResponding => PrintFault::NotConnected,
                    fault => fault,
                }
            }
        }
    }
    Err(last_fault)
}

impl Transport for TcpStream {
    fn discard_input(&mut self) -> io::Result<()> {
        self.set_nonblocking(true)?;
        let mut buffer = [0u8; 256];
        let drained = loop {
            match self.read(&mut buffer) {
                Ok(0) => break Ok(()),
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        self.set_nonblocking(false)?;
        drained
    }
}

struct SerialTransport(Box<dyn serialport::SerialPort>);

impl Read for SerialTransport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // The port has one timeout for both directions; each call sets its own.
        self.0.set_timeout(STATUS_TIMEOUT)?;
        self.0.read(buf)
    }
}

impl Write for SerialTransport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.set_timeout(WRITE_TIMEOUT)?;
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.set_timeout(WRITE_TIMEOUT)?;
        self.0.flush()
    }
}

impl Transport for SerialTransport {
    fn discard_input(&mut self) -> io::Result<()> {
        self.0.clear(serialport::ClearBuffer::Input).map_err(io::Error::from)
    }
}

/// A USB printer device file, opened non-blocking.
struct DeviceTransport(File);

impl DeviceTransport {
    /// Waits until the device is ready for `events`, or fails with `TimedOut`.
    fn wait(&self, events: libc::c_short, timeout: Duration) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let mut poll_fd = libc::pollfd { fd: self.0.as_raw_fd(), events, revents: 0 };
            // SAFETY: one valid pollfd, owned by this frame, for the duration of the call.
            let ready = unsafe { libc::poll(&mut poll_fd, 1, left.as_millis().min(i32::MAX as u128) as i32) };
            match ready {
                1.. => return Ok(()),
                0 => return Err(io::ErrorKind::TimedOut.into()),
                _ => {
                    let error = io::Error::last_os_error();
                    if error.kind() != io::ErrorKind::Interrupted {
                        return Err(error);
                    }
                }
            }
        }
    }
}

impl Read for DeviceTransport {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.wait(libc::POLLIN, STATUS_TIMEOUT)?;
        self.0.read(buf)
    }
}

impl Write for DeviceTransport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.wait(libc::POLLOUT, WRITE_TIMEOUT)?;
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Transport for DeviceTransport {
    fn discard_input(&mut self) -> io::Result<()> {
        let mut buffer = [0u8; 256];
        loop {
            match self.0.read(&mut buffer) {
                Ok(0) => return Ok(()),
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }
}

/// A regular file standing in for a printer: writes only.
struct FileTransport(File);

impl Read for FileTransport {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::new(io::ErrorKind::Unsupported, "a file cannot answer"))
    }
}

impl Write for FileTransport {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Transport for FileTransport {
    fn answers_status(&self) -> bool {
        false
    }

    fn discard_input(&mut self) -> io::Result<()> {
        Ok(())
    }
}
