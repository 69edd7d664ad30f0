//! The headphone jack, where the hardware reports it: Linux input devices with the
//! `SW_HEADPHONE_INSERT` switch (most PC sound chips expose one as "… Headphone" in
//! `/sys/class/input`). Plugging headphones in starts voice navigation, and the kiosk itself
//! switches the speaker off ([`Mixer`]): listening is private only when that worked.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Sends the sound card's output to the headphones alone, or back to the speaker.
pub trait Mixer: Send {
    /// `Ok` once the speaker is checked off (headphones) or on again.
    fn route(&self, to_headphones: bool) -> Result<(), String>;
}

/// The sound card's own switches, through `amixer` (alsa-utils): HD-Audio codecs name them
/// "Speaker" and "Headphone". Whatever the system's auto-mute does, the kiosk switches the
/// speaker off itself and reads it back, so it never counts on a default it cannot see.
pub struct AlsaMixer {
    /// The card's index, as `amixer -c` takes it.
    pub card: u32,
    pub program: PathBuf,
}

impl AlsaMixer {
    pub fn new(card: u32) -> AlsaMixer {
        AlsaMixer { card, program: PathBuf::from("amixer") }
    }

    fn amixer(&self, args: &[&str]) -> Result<String, String> {
        let output = Command::new(&self.program)
            .args(["-c", &self.card.to_string()])
            .args(args)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.program.display()))?;
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        match output.status.success() {
            true => Ok(text),
            false => Err(format!("amixer {}: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim())),
        }
    }
}

impl Mixer for AlsaMixer {
    fn route(&self, to_headphones: bool) -> Result<(), String> {
        // The headphone switch may be missing (a jack wired to the master only): no matter.
        let _ = self.amixer(&["-q", "sset", "Headphone", "unmute"]);
        self.amixer(&["-q", "sset", "Speaker", if to_headphones { "mute" } else { "unmute" }])?;
        let state = self.amixer(&["sget", "Speaker"])?;
        // Every channel's switch, "[on]" or "[off]", must have followed.
        let (wanted, other) = if to_headphones { ("[off]", "[on]") } else { ("[on]", "[off]") };
        match state.contains(wanted) && !state.contains(other) {
            true => Ok(()),
            false => Err(format!("the speaker did not switch {}: {}", &wanted[1..wanted.len() - 1], state.trim())),
        }
    }
}

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
    use std::os::unix::fs::PermissionsExt;

    /// An `amixer` stand-in for a card whose speaker switch is `speaker` ("on", "off", or
    /// "stuck" at on whatever is asked), recording its calls to `calls`.
    fn amixer(dir: &Path, speaker: &str) -> AlsaMixer {
        let (script, state, calls) = (dir.join("amixer"), dir.join("state"), dir.join("calls"));
        std::fs::write(&state, speaker).unwrap();
        let body = format!(
            "#!/bin/sh\necho \"$@\" >> '{calls}'\nstate=$(cat '{state}')\n\
             case \"$*\" in\n\
             *'sset Speaker mute'*) [ \"$state\" = stuck ] || echo off > '{state}' ;;\n\
             *'sset Speaker unmute'*) [ \"$state\" = stuck ] || echo on > '{state}' ;;\n\
             *'sget Speaker'*) s=$(cat '{state}'); [ \"$s\" = stuck ] && s=on; \
             printf \"Simple mixer control 'Speaker',0\\n  Front Left: Playback [$s]\\n  Front Right: Playback [$s]\\n\" ;;\n\
             esac\n",
            calls = calls.display(),
            state = state.display()
        );
        std::fs::write(&script, body).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        AlsaMixer { card: 1, program: script }
    }

    #[test]
    fn the_speaker_goes_off_for_headphones_and_on_again_and_is_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let mixer = amixer(dir.path(), "on");
        assert_eq!(mixer.route(true), Ok(()));
        assert_eq!(std::fs::read_to_string(dir.path().join("state")).unwrap().trim(), "off");
        assert_eq!(mixer.route(false), Ok(()));
        let calls = std::fs::read_to_string(dir.path().join("calls")).unwrap();
        assert!(calls.lines().all(|call| call.starts_with("-c 1 ")), "{calls}");
        assert!(calls.contains("sset Speaker mute") && calls.contains("sget Speaker"), "{calls}");
    }

    #[test]
    fn a_speaker_that_stays_on_or_a_missing_mixer_is_not_private() {
        let dir = tempfile::tempdir().unwrap();
        assert!(amixer(dir.path(), "stuck").route(true).unwrap_err().contains("did not switch off"));
        let missing = AlsaMixer { card: 0, program: dir.path().join("no-amixer") };
        assert!(missing.route(true).unwrap_err().contains("cannot run"));
    }

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
