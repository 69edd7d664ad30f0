//! A sound card and a speech daemon for tests and the latency bench, private to one rig.
//!
//! The sound card is a PulseAudio null sink: it keeps real time, unlike ALSA's `file`-over-
//! `null` plugin, which plays as fast as it is fed (and rodio feeds its always-open stream
//! with silence, so that file would grow at CPU speed). The kiosk plays through ALSA, whose
//! default pcm this rig points at the pulse plugin; speech-dispatcher (started per rig, own
//! socket and runtime dir) plays through the same ALSA default. The sink's monitor is
//! recorded live with `parec`, and each chunk's arrival time is kept, so a captured sample
//! can be placed on the wall clock (see [`Capture::time_of`]).
//!
//! ALSA, PulseAudio and speech-dispatcher clients read their addresses from the environment,
//! which is the process's: one rig at a time ([`Rig::start`] holds a lock).

#![allow(dead_code)] // each test binary uses part of the rig

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The capture's format: mono signed 16-bit.
pub const RATE: u32 = 44_100;

static ONE_RIG: Mutex<()> = Mutex::new(());

pub struct Rig {
    pub dir: tempfile::TempDir,
    pulse: Option<Child>,
    speechd: Option<Child>,
    pub capture: Option<Capture>,
    _one_at_a_time: MutexGuard<'static, ()>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Present,
    Missing,
}

impl Rig {
    /// A rig with a sound card and a speech daemon, each present or missing.
    pub fn start(card: Part, daemon: Part) -> Rig {
        let guard = ONE_RIG.lock().unwrap_or_else(|e| e.into_inner());
        let dir = tempfile::tempdir().expect("temp dir");
        let path = |name: &str| dir.path().join(name);
        for sub in ["home", "run", "speechd/modules", "log"] {
            std::fs::create_dir_all(path(sub)).unwrap();
        }
        let pulse_socket = path("run/pulse.sock");
        std::fs::write(path("asound.conf"), "pcm.!default { type pulse }\nctl.!default { type pulse }\n").unwrap();
        std::fs::write(path("client.conf"), "autospawn = no\n").unwrap();
        // the environment of this process (the kiosk side) and of the daemons
        let env = [
            ("HOME", path("home")),
            ("XDG_RUNTIME_DIR", path("run")),
            ("ALSA_CONFIG_PATH", path("asound.conf")),
            ("PULSE_CLIENTCONFIG", path("client.conf")),
            ("PULSE_SERVER", PathBuf::from(format!("unix:{}", pulse_socket.display()))),
            ("SPEECHD_ADDRESS", PathBuf::from(format!("unix_socket:{}", path("run/speechd.sock").display()))),
        ];
        for (key, value) in &env {
            std::env::set_var(key, value);
        }

        let mut rig = Rig { pulse: None, speechd: None, capture: None, _one_at_a_time: guard, dir };
        if card == Part::Present {
            let pulse = Command::new("pulseaudio")
                .args(["-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "--disable-shm=yes"])
                .args(["-L", "module-null-sink sink_name=card rate=44100 channels=2"])
                .arg("-L")
                .arg(format!("module-native-protocol-unix auth-anonymous=1 socket={}", pulse_socket.display()))
                .envs(env.iter().cloned())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(rig.dir.path().join("log/pulse.log")).unwrap())
                .spawn()
                .expect("pulseaudio (scripts/install-system-packages)");
            rig.pulse = Some(pulse);
            wait_for(&pulse_socket, "pulseaudio");
            let capture = Capture::start();
            // a fresh null sink takes a moment (about 2 s) before its monitor delivers
            capture.wait_for_data(Duration::from_secs(10));
            rig.capture = Some(capture);
        }
        if daemon == Part::Present {
            rig.start_speechd();
        }
        rig
    }

    pub fn capture(&self) -> &Capture {
        self.capture.as_ref().expect("the rig has a sound card")
    }

    /// Starts the rig's speech daemon (again, after [`Rig::kill_speechd`]), on the rig's own
    /// socket, playing through the rig's sound card.
    pub fn start_speechd(&mut self) {
        std::fs::write(
            self.dir.path().join("speechd/speechd.conf"),
            format!(
                "LogLevel 3\nLogDir \"{}\"\nAudioOutputMethod \"alsa\"\n\
                 AddModule \"espeak-ng\" \"sd_espeak-ng\" \"espeak-ng.conf\"\nDefaultModule espeak-ng\n",
                self.dir.path().join("log").display()
            ),
        )
        .unwrap();
        std::fs::write(self.dir.path().join("speechd/modules/espeak-ng.conf"), "").unwrap();
        let socket = self.dir.path().join("run/speechd.sock");
        // a killed daemon leaves its socket behind
        let _ = std::fs::remove_file(&socket);
        let speechd = Command::new("speech-dispatcher")
            .args(["-s", "-t", "0", "-P"])
            .arg(self.dir.path().join("run/speechd.pid"))
            .arg("-C")
            .arg(self.dir.path().join("speechd"))
            .arg("-S")
            .arg(&socket)
            // the rig's environment, set on this process in `start`
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("speech-dispatcher (scripts/install-system-packages)");
        self.speechd = Some(speechd);
        wait_for(&socket, "speech-dispatcher");
    }

    /// Kills the speech daemon, as a crash would.
    pub fn kill_speechd(&mut self) {
        if let Some(mut child) = self.speechd.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// An Ogg Vorbis clip (the voice pack's format) of a sine tone at `amplitude` (of 1).
    pub fn tone_clip(&self, name: &str, frequency: f32, ms: u32, amplitude: f32) -> PathBuf {
        let path = self.dir.path().join(name).with_extension("ogg");
        let status = Command::new("sox")
            .args(["-n", "-r", "22050", "-c", "1"])
            .arg(&path)
            .args(["synth", &format!("{}", ms as f32 / 1000.0), "sine", &frequency.to_string()])
            .args(["vol", &amplitude.to_string()])
            .status()
            .expect("sox");
        assert!(status.success(), "sox made no clip");
        path
    }
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.capture = None;
        self.kill_speechd();
        if let Some(mut pulse) = self.pulse.take() {
            let _ = pulse.kill();
            let _ = pulse.wait();
        }
    }
}

fn wait_for(socket: &Path, what: &str) {
    let until = Instant::now() + Duration::from_secs(10);
    while !socket.exists() {
        assert!(Instant::now() < until, "{what} did not open {}", socket.display());
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The sound card's output, recorded as it plays.
pub struct Capture {
    parec: Child,
    recorded: Arc<Mutex<Recorded>>,
}

#[derive(Default)]
struct Recorded {
    samples: Vec<i16>,
    /// When sample 0 played, at the latest: a chunk that arrives at time `a` with `n` samples
    /// recorded in all played no later than `a`, so sample 0 no later than `a - n / RATE`; the
    /// smallest such bound comes from the chunk that arrived with the least delay.
    start: Option<Instant>,
}

impl Capture {
    fn start() -> Capture {
        let mut parec = Command::new("parec")
            .args(["-d", "card.monitor", "--raw", "--format=s16le", "--channels=1", "--latency-msec=5"])
            .arg(format!("--rate={RATE}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("parec (pulseaudio-utils)");
        let mut stdout = parec.stdout.take().unwrap();
        let recorded = Arc::new(Mutex::new(Recorded::default()));
        let sink = recorded.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            let mut odd: Option<u8> = None;
            while let Ok(n @ 1..) = stdout.read(&mut buffer) {
                let arrived = Instant::now();
                let mut bytes: Vec<u8> = odd.take().into_iter().chain(buffer[..n].iter().copied()).collect();
                if bytes.len() % 2 == 1 {
                    odd = bytes.pop();
                }
                let mut recorded = sink.lock().unwrap();
                recorded.samples.extend(bytes.chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])));
                let bound = arrived - Duration::from_secs_f64(recorded.samples.len() as f64 / RATE as f64);
                recorded.start = Some(recorded.start.map_or(bound, |s| s.min(bound)));
            }
        });
        Capture { parec, recorded }
    }

    pub fn samples(&self) -> Vec<i16> {
        self.recorded.lock().unwrap().samples.clone()
    }

    /// The samples recorded from `from` on (cheaper than [`Capture::samples`] in a poll).
    pub fn samples_since(&self, from: usize) -> Vec<i16> {
        let recorded = self.recorded.lock().unwrap();
        recorded.samples.get(from..).unwrap_or_default().to_vec()
    }

    /// The index of the sample that played at `time` (by [`Capture::time_of`]'s clock).
    pub fn index_at(&self, time: Instant) -> usize {
        let start = self.time_of(0);
        (time.saturating_duration_since(start).as_secs_f64() * RATE as f64) as usize
    }

    pub fn len(&self) -> usize {
        self.recorded.lock().unwrap().samples.len()
    }

    /// When sample `n` played (at the latest: a chunk that arrived late only makes other
    /// chunks' bounds the tighter ones).
    pub fn time_of(&self, n: usize) -> Instant {
        let start = self.recorded.lock().unwrap().start.expect("something was recorded");
        start + Duration::from_secs_f64(n as f64 / RATE as f64)
    }

    fn wait_for_data(&self, timeout: Duration) {
        let until = Instant::now() + timeout;
        while self.len() == 0 {
            assert!(Instant::now() < until, "the sound card's monitor delivers nothing");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits until a sample from `from` on is louder than `threshold`; returns its index.
    pub fn wait_for_sound(&self, from: usize, threshold: i16, timeout: Duration) -> Option<usize> {
        let until = Instant::now() + timeout;
        loop {
            if let Some(i) = self.recorded.lock().unwrap().samples.iter().skip(from).position(|s| s.abs() > threshold) {
                return Some(from + i);
            }
            if Instant::now() > until {
                return None;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        let _ = self.parec.kill();
        let _ = self.parec.wait();
    }
}

/// Loudness and pitch of one 10 ms window of the capture.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub start: usize,
    pub peak: i16,
    /// Estimated from zero crossings: close for a pure tone, scattered for speech.
    pub frequency: f32,
}

pub const WINDOW: usize = RATE as usize / 100;

pub fn windows(samples: &[i16]) -> Vec<Window> {
    samples
        .chunks_exact(WINDOW)
        .enumerate()
        .map(|(i, w)| Window {
            start: i * WINDOW,
            peak: w.iter().map(|s| s.saturating_abs()).max().unwrap_or(0),
            frequency: frequency(w),
        })
        .collect()
}

/// Half-periods between the first and the last zero crossing, placed between samples.
fn frequency(window: &[i16]) -> f32 {
    let crossings: Vec<f32> = window
        .windows(2)
        .enumerate()
        .filter(|(_, p)| (p[0] < 0) != (p[1] < 0))
        .map(|(i, p)| i as f32 + p[0] as f32 / (p[0] as f32 - p[1] as f32))
        .collect();
    match (crossings.first(), crossings.last()) {
        (Some(first), Some(last)) if last > first => {
            (crossings.len() - 1) as f32 / 2.0 / ((last - first) / RATE as f32)
        }
        _ => 0.0,
    }
}

/// Loud stretches as (first sample, end sample), joining stretches less than `gap` apart.
pub fn sounds(samples: &[i16], threshold: i16, gap: Duration) -> Vec<(usize, usize)> {
    let gap = (gap.as_secs_f64() * RATE as f64) as usize;
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        if s.abs() > threshold {
            match spans.last_mut() {
                Some(last) if i - last.1 <= gap => last.1 = i + 1,
                _ => spans.push((i, i + 1)),
            }
        }
    }
    spans
}

pub fn seconds(samples: usize) -> f64 {
    samples as f64 / RATE as f64
}
