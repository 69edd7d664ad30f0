//! The card side of the ID card module's serial protocol, on a pseudo-terminal, for tests.
//!
//! [`Simulator::start`] opens a pseudo-terminal pair and answers the module's commands on a
//! thread; open [`Simulator::path`] with `id_card::SerialReader::open`. The controls place
//! and remove a card and make the module misbehave.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use id_card::frame::{self, Command, FrameError};
use id_card::{CardText, Date, Sex, ValidUntil, TEXT_LEN};
use serialport::{SerialPort, TTYPort};

/// How often the answering thread looks at the stop flag while no command comes.
const READ_TIMEOUT: Duration = Duration::from_millis(50);

/// Bytes sent before the answer after [`Simulator::garbage_next`]: line noise with pieces of
/// a preamble in it.
const GARBAGE: [u8; 9] = [0x00, 0xAA, 0xAA, 0x96, 0x13, 0xAA, 0xAA, 0xAA, 0x96];

/// A simulated reader module with a card that can be placed and removed.
pub struct Simulator {
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    path: String,
    thread: Option<JoinHandle<()>>,
}

/// What the controls set and the answering thread reads.
#[derive(Default)]
struct State {
    /// The text block of the card on the reader.
    card: Option<[u8; TEXT_LEN]>,
    /// The card was just read and the next find-card misses it, as real modules do.
    halted: bool,
    /// A read leaves the card findable; by default it halts it.
    no_halt_after_read: bool,
    corrupt_next: bool,
    garbage_next: bool,
    silent: bool,
    overrides: HashMap<Command, u8>,
}

impl Simulator {
    /// Opens a pseudo-terminal pair and starts answering on its master side.
    pub fn start() -> io::Result<Simulator> {
        let (mut master, slave) = TTYPort::pair()?;
        master.set_timeout(READ_TIMEOUT)?;
        let path = slave.name().ok_or_else(|| io::Error::other("the pseudo-terminal has no path"))?;
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new().name("id-card-simulator".to_string()).spawn({
            let (state, stop) = (state.clone(), stop.clone());
            // The slave end stays open with the thread: were it closed before the reader opens
            // the path, the master would read only errors.
            move || answer(master, slave, &state, &stop)
        })?;
        Ok(Simulator { state, stop, path, thread: Some(thread) })
    }

    /// The path of the pseudo-terminal to open as the reader's serial port.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Places a card on the reader (replacing any card there).
    ///
    /// # Panics
    /// If a field of the card is too long for the text block, or its nation is unknown.
    pub fn place(&self, card: CardText) {
        let text = card.encode().unwrap_or_else(|error| panic!("cannot place the card: {error}"));
        let mut state = self.state();
        state.card = Some(text);
        state.halted = false;
    }

    /// Takes the card off the reader.
    pub fn remove(&self) {
        self.state().card = None;
    }

    /// Whether a find-card right after a read misses the card still lying there (the
    /// default, as many modules do) or finds it.
    pub fn set_halt_after_read(&self, halts: bool) {
        self.state().no_halt_after_read = !halts;
    }

    /// The next answer goes out with a wrong checksum.
    pub fn corrupt_next(&self) {
        self.state().corrupt_next = true;
    }

    /// Noise bytes go out before the next answer.
    pub fn garbage_next(&self) {
        self.state().garbage_next = true;
    }

    /// Stops answering (commands are read and ignored) until [`Simulator::wake`].
    pub fn go_silent(&self) {
        self.state().silent = true;
    }

    /// Answers again after [`Simulator::go_silent`].
    pub fn wake(&self) {
        self.state().silent = false;
    }

    /// Answers `command` with this status SW3 and no data from now on; `None` answers it
    /// normally again.
    pub fn set_status(&self, command: Command, status: Option<u8>) {
        let mut state = self.state();
        match status {
            Some(status) => state.overrides.insert(command, status),
            None => state.overrides.remove(&command),
        };
    }

    /// Stops answering and closes the pseudo-terminal (as dropping does).
    pub fn stop(self) {}

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere in a test must not hide its own message behind a poisoned lock.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The answering thread: reads commands from the master side until stopped.
fn answer(mut master: TTYPort, _slave: TTYPort, state: &Mutex<State>, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        let (status, data) = match frame::read_frame(&mut master) {
            Ok(payload) => {
                let mut state = state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                match [payload.first(), payload.get(1)] {
                    [Some(&cmd), Some(&para)] => respond(&mut state, [cmd, para]),
                    _ => (0x11, Vec::new()),
                }
            }
            Err(FrameError::Io(error)) if error.kind() == io::ErrorKind::TimedOut => continue,
            Err(FrameError::Io(_)) => {
                // The reader side is not open (yet): wait for it rather than spin.
                std::thread::sleep(READ_TIMEOUT);
                continue;
            }
            Err(FrameError::Checksum) => (0x10, Vec::new()),
            Err(FrameError::Length(_)) => (0x11, Vec::new()),
        };
        let mut state = state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.silent {
            continue;
        }
        let mut bytes = Vec::new();
        if std::mem::take(&mut state.garbage_next) {
            bytes.extend_from_slice(&GARBAGE);
        }
        let mut response = frame::encode_response(status, &data);
        if std::mem::take(&mut state.corrupt_next) {
            if let Some(checksum) = response.last_mut() {
                *checksum ^= 0xFF;
            }
        }
        bytes.extend(response);
        drop(state);
        // A reader that went away is its test's business, not this thread's.
        let _ = master.write_all(&bytes);
    }
}

/// The module's answer to a command: status SW3 and data.
fn respond(state: &mut State, code: [u8; 2]) -> (u8, Vec<u8>) {
    let Some(command) = Command::from_code(code) else { return (0x21, Vec::new()) };
    if let Some(&status) = state.overrides.get(&command) {
        return (status, Vec::new());
    }
    match (command, state.card) {
        (Command::ResetSam | Command::SamStatus, _) => (0x90, Vec::new()),
        (Command::ReadSamId, _) => (0x90, vec![0x05, 0x00, 0x01, 0x00, 0x14, 0x5B, 0x33, 0x01, 0, 0, 0, 0, 1, 2, 3, 4]),
        (Command::FindCard, Some(_)) if !std::mem::take(&mut state.halted) => (0x9F, vec![0; 4]),
        (Command::FindCard, _) => (0x80, Vec::new()),
        (Command::SelectCard, Some(_)) => (0x90, vec![0; 8]),
        (Command::SelectCard, None) => (0x81, Vec::new()),
        (Command::ReadBasicInfo, Some(text)) => {
            state.halted = !state.no_halt_after_read;
            (0x90, frame::encode_basic_info(&text))
        }
        (Command::ReadBasicInfo, None) => (0x41, Vec::new()),
    }
}

/// A sample card: a Han woman born 1949-12-31 with a long-term card, ID number
/// `11010519491231002X` (check digit right).
pub fn sample_card() -> CardText {
    CardText {
        name: "王秀英".to_string(),
        sex: Sex::Female,
        nation: "汉".to_string(),
        birth_date: Date { year: 1949, month: 12, day: 31 },
        address: "北京市朝阳区示例路十二号院三号楼四单元五〇六号".to_string(),
        id_number: "11010519491231002X".to_string(),
        issuing_authority: "北京市公安局朝阳分局".to_string(),
        valid_from: Date { year: 2016, month: 3, day: 1 },
        valid_until: ValidUntil::LongTerm,
    }
}

/// A sample card that expired on 2020-03-01: a Hui man born 1985-05-12, with a valid ID
/// number of her own.
pub fn expired_card() -> CardText {
    CardText {
        name: "马志刚".to_string(),
        sex: Sex::Male,
        nation: "回".to_string(),
        birth_date: Date { year: 1985, month: 5, day: 12 },
        address: "宁夏回族自治区银川市兴庆区示例街七号".to_string(),
        id_number: EXPIRED_ID.to_string(),
        issuing_authority: "银川市公安局兴庆区分局".to_string(),
        valid_from: Date { year: 2010, month: 3, day: 1 },
        valid_until: ValidUntil::Date(Date { year: 2020, month: 3, day: 1 }),
    }
}

const EXPIRED_ID: &str = "640104198505120013";

#[cfg(test)]
mod tests {
    use super::*;

    /// The check digit of GB 11643 (ISO 7064 MOD 11-2) for the first 17 digits.
    fn check_digit(first17: &str) -> char {
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = first17.chars().zip(WEIGHTS).map(|(digit, weight)| digit.to_digit(10).unwrap() * weight).sum();
        b"10X98765432"[(sum % 11) as usize] as char
    }

    #[test]
    fn the_sample_id_numbers_have_right_check_digits_and_match_the_birth_dates() {
        for card in [sample_card(), expired_card()] {
            let (first17, last) = card.id_number.split_at(17);
            assert_eq!(check_digit(first17).to_string(), last);
            let birth = format!("{:04}{:02}{:02}", card.birth_date.year, card.birth_date.month, card.birth_date.day);
            assert_eq!(&first17[6..14], birth);
            // The 17th digit is odd for men, even for women.
            let odd = first17.as_bytes()[16] % 2 == 1;
            assert_eq!(odd, card.sex == Sex::Male);
        }
    }

    #[test]
    fn the_sample_cards_fit_the_text_block() {
        for card in [sample_card(), expired_card()] {
            assert_eq!(CardText::parse(&card.encode().unwrap()).unwrap(), card);
        }
    }
}
