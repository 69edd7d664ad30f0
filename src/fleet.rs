//! Fleet health: every minute the kiosk tells the service API how it is (its version, how
//! long it has run, how often it restarted after a crash, each device's state, what its
//! outbox still holds), so the center sees a kiosk in trouble, or one gone quiet, without
//! walking the hall. The devices' state is the staff notice's, kept by the UI thread.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use contract::model::{DeviceState, DeviceStatus, Heartbeat};
use contract::ApiClient;
use kiosk_core::PrintProblem;

use crate::speech::SpeechProblem;

/// Between heartbeats; the API flags a kiosk quiet after three minutes without one.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(60);

/// A device that failed the last time the kiosk used it, until it works again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeviceTrouble {
    pub camera: bool,
    pub video: bool,
    pub card_reader: bool,
    pub printer: Option<PrintProblem>,
}

/// Which optional devices this kiosk has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fitted {
    pub card_reader: bool,
    pub printer: bool,
}

/// Each device's state, for the heartbeat: the speech problems and the devices' trouble as
/// the staff notice shows them; the card reader and printer only where fitted.
pub fn device_states(problems: &[SpeechProblem], trouble: DeviceTrouble, fitted: Fitted) -> Vec<DeviceState> {
    let state = |device: &str, status, detail: String| DeviceState { device: device.into(), status, detail };
    // A device's speech problem, the worst first (missing, then at fault).
    let speech = |device: &str| {
        let mut found: Vec<&SpeechProblem> = problems.iter().filter(|p| speech_device(p).0 == device).collect();
        found.sort_by_key(|p| speech_device(p).1 != DeviceStatus::Missing);
        match found.first() {
            Some(p) => state(device, speech_device(p).1, p.to_string()),
            None => state(device, DeviceStatus::Ok, String::new()),
        }
    };
    let failed = |device: &str, failed: bool, what: &str| match failed {
        true => state(device, DeviceStatus::Missing, what.into()),
        false => state(device, DeviceStatus::Ok, String::new()),
    };
    let mut states = vec![
        speech("audio"),
        speech("speech"),
        speech("voice_pack"),
        failed("camera", trouble.camera, "cannot be opened, or stopped giving pictures"),
        failed("video", trouble.video, "the video window could not be opened"),
    ];
    if fitted.card_reader {
        states.push(failed("card_reader", trouble.card_reader, "not answering on its serial port"));
    }
    if fitted.printer {
        states.push(match trouble.printer {
            None => state("printer", DeviceStatus::Ok, String::new()),
            Some(PrintProblem::PaperOut) => state("printer", DeviceStatus::Fault, "out of paper".into()),
            Some(PrintProblem::CoverOpen) => state("printer", DeviceStatus::Fault, "cover open".into()),
            Some(PrintProblem::Offline) => state("printer", DeviceStatus::Missing, "offline or not connected".into()),
        });
    }
    states
}

/// Which device a speech problem is about, and how bad.
fn speech_device(problem: &SpeechProblem) -> (&'static str, DeviceStatus) {
    match problem {
        SpeechProblem::NoAudioDevice(_) => ("audio", DeviceStatus::Missing),
        SpeechProblem::NoSpeechDaemon(_) => ("speech", DeviceStatus::Missing),
        SpeechProblem::NoVoice(_) => ("speech", DeviceStatus::Fault),
        SpeechProblem::BadClip(_) => ("voice_pack", DeviceStatus::Fault),
        SpeechProblem::NoVoicePack => ("voice_pack", DeviceStatus::Missing),
    }
}

/// The devices' state, written by the UI thread at each tick and read by the heartbeat's.
pub type DeviceReport = Arc<Mutex<Vec<DeviceState>>>;

/// Sends a heartbeat now and then `every` ([`HEARTBEAT_EVERY`]), for the kiosk's lifetime, on
/// a thread of its own. An API that does not answer misses a beat; nothing is kept for later.
pub fn start(
    api: ApiClient,
    kiosk_id: String,
    devices: DeviceReport,
    backlog: Arc<AtomicUsize>,
    restarts: i64,
    every: Duration,
) {
    let started = Instant::now();
    // Each beat its own key: the API keeps a key's first answer for a day.
    let run = uuid::Uuid::new_v4().simple();
    std::thread::Builder::new()
        .name("heartbeat".into())
        .spawn(move || {
            for beat in 0_u64.. {
                let heartbeat = Heartbeat {
                    version: env!("CARGO_PKG_VERSION").to_string(),
                    uptime_secs: started.elapsed().as_secs() as i64,
                    restarts,
                    devices: devices.lock().unwrap_or_else(|e| e.into_inner()).clone(),
                    outbox_backlog: backlog.load(Ordering::Relaxed) as i64,
                };
                let key = format!("{kiosk_id}-heartbeat-{run}-{beat}");
                if let Err(e) = api.heartbeat(&heartbeat, &key) {
                    eprintln!("kiosk: heartbeat: {e}");
                }
                std::thread::sleep(every);
            }
        })
        .expect("start the heartbeat's thread");
}

/// How many times the kiosk restarted after a crash or a hang: a run that ends without
/// [`Running::ended`] leaves its marker in `data_dir`, and the next start counts it.
pub struct Running {
    marker: PathBuf,
    pub restarts: i64,
}

impl Running {
    pub fn begin(data_dir: &Path) -> Running {
        let (marker, count) = (data_dir.join("running"), data_dir.join("restarts"));
        let mut restarts = std::fs::read_to_string(&count).ok().and_then(|n| n.trim().parse().ok()).unwrap_or(0);
        if marker.exists() {
            restarts += 1;
            if let Err(e) = std::fs::write(&count, format!("{restarts}\n")) {
                eprintln!("kiosk: {}: {e}", count.display());
            }
        }
        if let Err(e) = std::fs::create_dir_all(data_dir).and_then(|()| std::fs::write(&marker, "")) {
            eprintln!("kiosk: {}: {e}", marker.display());
        }
        Running { marker, restarts }
    }

    /// The file whose presence at the next start says this run did not end normally.
    pub fn marker(&self) -> &Path {
        &self.marker
    }

    /// The kiosk closes normally, or is asked to stop: not a restart.
    pub fn ended(&self) {
        let _ = std::fs::remove_file(&self.marker);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_device_says_how_it_is_and_only_fitted_ones_are_listed() {
        let problems = [SpeechProblem::NoSpeechDaemon("no socket".into()), SpeechProblem::BadClip("x.ogg".into())];
        let trouble = DeviceTrouble { camera: true, printer: Some(PrintProblem::PaperOut), ..DeviceTrouble::default() };
        let states = device_states(&problems, trouble, Fitted { card_reader: false, printer: true });
        let status: Vec<(&str, DeviceStatus)> = states.iter().map(|s| (s.device.as_str(), s.status)).collect();
        use DeviceStatus::*;
        assert_eq!(
            status,
            [
                ("audio", Ok),
                ("speech", Missing),
                ("voice_pack", Fault),
                ("camera", Missing),
                ("video", Ok),
                ("printer", Fault)
            ]
        );
        assert!(states[1].detail.contains("no socket"), "{:?}", states[1]);
        assert_eq!(states[5].detail, "out of paper");
    }

    #[test]
    fn a_run_that_did_not_end_is_counted_as_a_restart_at_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let first = Running::begin(dir.path());
        assert_eq!(first.restarts, 0);
        drop(first); // killed: its marker stays
        let second = Running::begin(dir.path());
        assert_eq!(second.restarts, 1);
        second.ended();
        assert_eq!(Running::begin(dir.path()).restarts, 1, "a clean end is no restart");
    }
}
