//! The headphone jack, where the hardware reports it: Linux input devices with the
//! `SW_HEADPHONE_INSERT` switch (most PC sound chips expose one as "… Headphone" in
//! `/sys/class/input`). Plugging headphones in starts voice navigation in private listening.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

const EV_SW: u16 = 0x05;
const SW_HEADPHONE_INSERT: u16 = 0x02;
/// `struct input_event` on 64-bit Linux: a 16-byte timeval, type, code, value.
const EVENT_SIZE: usize = 24;

/// The event devices (`/dev/input/eventN`) whose switches include the headphone jack, from
/// the capability bitmasks under `sys_input` (`/sys/class/input`).
pub fn jacks(sys_input: &Path, dev_input: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(sys_input) else { return Vec::new() };
    let mut jacks: Vec<PathBuf> = entries
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().starts_with("event"))
        .filter(|entry| {
            let switches = std::fs::read_to_string(entry.path().join("device/capabilities/sw"));
            switches.is_ok_and(|mask| has_bit(&mask, SW_HEADPHONE_INSERT))
        })
        .map(|entry| dev_input.join(entry.file_name()))
        .collect();
    jacks.sort();
    jacks
}

/// Whether bit `bit` is set in a sysfs capability mask: hexadecimal words, most significant
/// first, separated by spaces.
fn has_bit(mask: &str, bit: u16) -> bool {
    let words: Vec<&str> = mask.split_whitespace().collect();
    let word = words.len().checked_sub(1 + bit as usize / 64).and_then(|i| words.get(i));
    word.and_then(|w| u64::from_str_radix(w, 16).ok()).is_some_and(|w| w & (1 << (bit % 64)) != 0)
}

/// Reads the jack's events until the device goes away, calling `plugged` with each change.
pub fn watch(device: &Path, mut plugged: impl FnMut(bool)) -> std::io::Result<()> {
    let mut file = File::open(device)?;
    let mut event = [0u8; EVENT_SIZE];
    loop {
        match file.read_exact(&mut event) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        }
        let kind = u16::from_ne_bytes([event[16], event[17]]);
        let code = u16::from_ne_bytes([event[18], event[19]]);
        let value = i32::from_ne_bytes([event[20], event[21], event[22], event[23]]);
        if kind == EV_SW && code == SW_HEADPHONE_INSERT {
            plugged(value != 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: u16, code: u16, value: i32) -> Vec<u8> {
        let mut bytes = vec![0u8; 16];
        bytes.extend(kind.to_ne_bytes());
        bytes.extend(code.to_ne_bytes());
        bytes.extend(value.to_ne_bytes());
        bytes
    }

    #[test]
    fn finds_the_devices_that_report_a_headphone_jack() {
        let sys = tempfile::tempdir().unwrap();
        for (name, switches) in [("event3", "0"), ("event5", "14"), ("event9", "1 0"), ("mouse0", "4")] {
            let caps = sys.path().join(name).join("device/capabilities");
            std::fs::create_dir_all(&caps).unwrap();
            std::fs::write(caps.join("sw"), format!("{switches}\n")).unwrap();
        }
        // 0x14 has bits 2 (headphone) and 4 (microphone); "1 0" is bit 64 only.
        assert_eq!(jacks(sys.path(), Path::new("/dev/input")), [PathBuf::from("/dev/input/event5")]);
        assert!(jacks(Path::new("/nonexistent"), Path::new("/dev/input")).is_empty());
    }

    #[test]
    fn reports_plugging_and_unplugging() {
        let dir = tempfile::tempdir().unwrap();
        let device = dir.path().join("event5");
        let sync = event(0, 0, 0);
        let microphone = event(EV_SW, 0x04, 1);
        let stream = [
            event(EV_SW, SW_HEADPHONE_INSERT, 1),
            sync.clone(),
            microphone,
            event(EV_SW, SW_HEADPHONE_INSERT, 0),
            sync,
        ];
        std::fs::write(&device, stream.concat()).unwrap();
        let mut seen = Vec::new();
        watch(&device, |plugged| seen.push(plugged)).unwrap();
        assert_eq!(seen, [true, false]);
    }
}
