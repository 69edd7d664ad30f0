//! Frames of the module's serial protocol.
//!
//! Both directions: preamble `AA AA AA 96 69`, a big-endian length (the bytes after it,
//! checksum included), the payload, and a checksum (XOR of the length bytes and the payload).
//! A command's payload is CMD, PARA and data; a response's is SW1, SW2, SW3 and data.

use std::fmt;
use std::io::{self, Read};

use crate::text::TEXT_LEN;

/// Starts every frame.
pub const PREAMBLE: [u8; 5] = [0xAA, 0xAA, 0xAA, 0x96, 0x69];

/// The largest length accepted. The largest real frame, basic information with fingerprints,
/// is about 2.3 KB; a larger length is noise that happened to follow a preamble.
pub const MAX_LEN: u16 = 4096;

/// The smallest length: a command's CMD, PARA and checksum.
const MIN_LEN: u16 = 3;

/// The photo's length in a real response. It is WLT-compressed and never decoded here.
const PHOTO_LEN: usize = 1024;

/// The commands this crate sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Command {
    /// Reset the module (复位SAM), `10 FF`.
    ResetSam,
    /// Module status check (SAM状态检测), `11 FF`: answers 0x90 when the module works.
    SamStatus,
    /// Read the module's ID (读SAM编号), `12 FF`.
    ReadSamId,
    /// Find a card (寻卡), `20 01`: 0x9F when one is in the field, 0x80 when not.
    FindCard,
    /// Select the card found (选卡), `20 02`.
    SelectCard,
    /// Read the basic information (读基本信息), `30 01`: text and photo.
    ReadBasicInfo,
}

impl Command {
    const ALL: [Command; 6] = [
        Command::ResetSam,
        Command::SamStatus,
        Command::ReadSamId,
        Command::FindCard,
        Command::SelectCard,
        Command::ReadBasicInfo,
    ];

    /// CMD and PARA.
    pub const fn code(self) -> [u8; 2] {
        match self {
            Command::ResetSam => [0x10, 0xFF],
            Command::SamStatus => [0x11, 0xFF],
            Command::ReadSamId => [0x12, 0xFF],
            Command::FindCard => [0x20, 0x01],
            Command::SelectCard => [0x20, 0x02],
            Command::ReadBasicInfo => [0x30, 0x01],
        }
    }

    /// The command with this CMD and PARA, if it is one of these.
    pub fn from_code(code: [u8; 2]) -> Option<Command> {
        Command::ALL.into_iter().find(|command| command.code() == code)
    }
}

/// XOR of the bytes.
pub fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |sum, byte| sum ^ byte)
}

/// A whole frame around a payload.
fn encode(payload: &[u8]) -> Vec<u8> {
    let len = u16::try_from(payload.len() + 1).expect("payload longer than a frame can say");
    let mut frame = Vec::with_capacity(PREAMBLE.len() + 2 + payload.len() + 1);
    frame.extend_from_slice(&PREAMBLE);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    frame.push(checksum(&frame[PREAMBLE.len()..]));
    frame
}

/// The frame of a command (none of these carries data).
pub fn encode_command(command: Command) -> Vec<u8> {
    encode(&command.code())
}

/// The frame of a response with status SW3 (SW1 and SW2 zero) and data, as the module sends it.
pub fn encode_response(status: u8, data: &[u8]) -> Vec<u8> {
    let mut payload = vec![0, 0, status];
    payload.extend_from_slice(data);
    encode(&payload)
}

/// The data of a successful "read basic information" response: the text block and a photo
/// of zeros.
pub fn encode_basic_info(text: &[u8; TEXT_LEN]) -> Vec<u8> {
    let mut data = Vec::with_capacity(4 + TEXT_LEN + PHOTO_LEN);
    data.extend_from_slice(&(TEXT_LEN as u16).to_be_bytes());
    data.extend_from_slice(&(PHOTO_LEN as u16).to_be_bytes());
    data.extend_from_slice(text);
    data.resize(4 + TEXT_LEN + PHOTO_LEN, 0);
    data
}

/// The text block of a "read basic information" response's data, or `None` when the data
/// does not have that shape. The photo is left where it is, for the caller to drop.
pub(crate) fn basic_info_text(data: &[u8]) -> Option<[u8; TEXT_LEN]> {
    let text_len = usize::from(u16::from_be_bytes([*data.first()?, *data.get(1)?]));
    let photo_len = usize::from(u16::from_be_bytes([*data.get(2)?, *data.get(3)?]));
    if text_len != TEXT_LEN || data.len() != 4 + text_len + photo_len {
        return None;
    }
    data[4..4 + TEXT_LEN].try_into().ok()
}

/// A frame could not be read.
#[derive(Debug)]
pub enum FrameError {
    /// Reading failed, or timed out (`ErrorKind::TimedOut`).
    Io(io::Error),
    /// The checksum did not match: the frame was damaged on the way.
    Checksum,
    /// The length field was below 3 (below 4 for a response) or above [`MAX_LEN`].
    Length(u16),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            FrameError::Io(error) => write!(f, "reading a frame failed: {error}"),
            FrameError::Checksum => f.write_str("a frame's checksum was wrong"),
            FrameError::Length(len) => write!(f, "a frame's length ({len}) was impossible"),
        }
    }
}

impl std::error::Error for FrameError {}

impl From<io::Error> for FrameError {
    fn from(error: io::Error) -> FrameError {
        FrameError::Io(error)
    }
}

/// Reads the next frame and returns its payload (the bytes between the length and the
/// checksum). Skips whatever comes before a preamble, so after noise or a bad frame the next
/// call still finds the next good frame. Reads byte by byte up to the length and then exactly
/// the frame: nothing past it is taken from the stream.
pub fn read_frame(input: &mut impl Read) -> Result<Vec<u8>, FrameError> {
    let mut window = [0u8; PREAMBLE.len()];
    while window != PREAMBLE {
        let mut byte = [0u8];
        input.read_exact(&mut byte)?;
        window.rotate_left(1);
        window[PREAMBLE.len() - 1] = byte[0];
    }
    let mut len_bytes = [0u8; 2];
    input.read_exact(&mut len_bytes)?;
    let len = u16::from_be_bytes(len_bytes);
    if !(MIN_LEN..=MAX_LEN).contains(&len) {
        return Err(FrameError::Length(len));
    }
    let mut rest = vec![0u8; usize::from(len)];
    input.read_exact(&mut rest)?;
    let Some(sent) = rest.pop() else { return Err(FrameError::Length(len)) };
    if checksum(&len_bytes) ^ checksum(&rest) != sent {
        return Err(FrameError::Checksum);
    }
    Ok(rest)
}

/// A response from the module.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// SW3, the module's status: 0x90 success, 0x9F card found, anything else a failure.
    pub status: u8,
    /// The data after the status.
    pub data: Vec<u8>,
}

/// Prints the data's length only: a card read's data is a resident's personal data.
impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "Response {{ status: {:#04X}, data: [{} bytes] }}", self.status, self.data.len())
    }
}

/// Reads the next response frame (see [`read_frame`]).
pub fn read_response(input: &mut impl Read) -> Result<Response, FrameError> {
    let mut payload = read_frame(input)?;
    if payload.len() < 3 {
        return Err(FrameError::Length(payload.len() as u16 + 1));
    }
    // SW1 and SW2 relay the card's own APDU status on some failures; SW3 says it all.
    let status = payload[2];
    payload.drain(..3);
    Ok(Response { status, data: payload })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_frames_match_the_published_bytes() {
        assert_eq!(encode_command(Command::FindCard), [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22]);
        assert_eq!(encode_command(Command::SelectCard), [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x02, 0x21]);
        assert_eq!(
            encode_command(Command::ReadBasicInfo),
            [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x30, 0x01, 0x32]
        );
        assert_eq!(encode_command(Command::SamStatus), [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x11, 0xFF, 0xED]);
    }

    #[test]
    fn the_checksum_is_the_xor_from_the_length_to_the_last_data_byte() {
        // A "read failed" answer as modules send it: 00 04 00 00 41, checksum 45.
        assert_eq!(encode_response(0x41, &[]), [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x41, 0x45]);
        assert_eq!(checksum(&[0x00, 0x04, 0x00, 0x00, 0x32]), 0x36);
        assert_eq!(checksum(&[]), 0);
    }

    #[test]
    fn a_response_round_trips() {
        let frame = encode_response(0x90, &[1, 2, 3]);
        let response = read_response(&mut frame.as_slice()).unwrap();
        assert_eq!(response, Response { status: 0x90, data: vec![1, 2, 3] });
        assert_eq!(format!("{response:?}"), "Response { status: 0x90, data: [3 bytes] }");
    }

    #[test]
    fn a_basic_info_response_is_1295_bytes_with_its_text_at_offset_14() {
        let text = [7u8; TEXT_LEN];
        let frame = encode_response(0x90, &encode_basic_info(&text));
        assert_eq!(frame.len(), 1295);
        assert_eq!(&frame[5..14], &[0x05, 0x08, 0x00, 0x00, 0x90, 0x01, 0x00, 0x04, 0x00]);
        let response = read_response(&mut frame.as_slice()).unwrap();
        assert_eq!(basic_info_text(&response.data), Some(text));
        assert_eq!(basic_info_text(&response.data[..1000]), None);
        assert_eq!(basic_info_text(&[0x01]), None);
    }

    #[test]
    fn noise_before_a_frame_is_skipped_even_when_it_looks_like_a_preamble() {
        let mut stream = vec![0x00, 0xAA, 0xAA, 0x96, 0xAA, 0xAA, 0xAA, 0xAA, 0x13];
        stream.extend(encode_response(0x9F, &[0, 0, 0, 0]));
        let response = read_response(&mut stream.as_slice()).unwrap();
        assert_eq!(response.status, 0x9F);
    }

    #[test]
    fn after_a_bad_checksum_or_length_the_next_frame_is_read() {
        let mut corrupt = encode_response(0x90, &[5, 6]);
        *corrupt.last_mut().unwrap() ^= 0xFF;
        let mut stream = corrupt;
        stream.extend_from_slice(&[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF, 0x00]);
        stream.extend_from_slice(&[0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x01, 0x01]);
        stream.extend(encode_response(0x80, &[]));
        let mut input = stream.as_slice();
        assert!(matches!(read_response(&mut input), Err(FrameError::Checksum)));
        assert!(matches!(read_response(&mut input), Err(FrameError::Length(0xFFFF))));
        assert!(matches!(read_response(&mut input), Err(FrameError::Length(1))));
        assert_eq!(read_response(&mut input).unwrap().status, 0x80);
        assert!(
            matches!(read_response(&mut input), Err(FrameError::Io(e)) if e.kind() == io::ErrorKind::UnexpectedEof)
        );
    }

    #[test]
    fn a_response_too_short_for_its_status_is_a_length_error() {
        let frame = encode(&[0x00, 0x00]);
        assert!(matches!(read_response(&mut frame.as_slice()), Err(FrameError::Length(3))));
    }

    #[test]
    fn commands_are_known_by_their_code() {
        for command in Command::ALL {
            assert_eq!(Command::from_code(command.code()), Some(command));
            assert_eq!(read_frame(&mut encode_command(command).as_slice()).unwrap(), command.code());
        }
        assert_eq!(Command::from_code([0x30, 0x10]), None);
    }
}
