//! The two pieces of hardware speech goes through, each behind a small trait so the
//! [`Speaker`](super::speaker::Speaker) can be driven without them: the sound device that plays
//! clips and earcons (rodio), and live text-to-speech (speech-dispatcher).

use std::fs::File;
use std::num::NonZero;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rodio::buffer::SamplesBuffer;
use rodio::cpal::BufferSize;
use rodio::{Decoder, DeviceSinkBuilder, MixerDeviceSink, Player, Source};
use speech_dispatcher::{Connection, Mode, Priority};

use super::speaker::SpeechProblem;
use kiosk_core::profile::Language;
use kiosk_core::speech::VoiceSettings;

/// Something for the sound device to play.
#[derive(Clone, Debug, PartialEq)]
pub enum Sound {
    /// An audio file (a voice-pack clip), played at `speed` times its recorded speed.
    File { path: PathBuf, speed: f32 },
    /// Mono samples made in code (earcons).
    Samples { rate: u32, samples: Vec<f32> },
}

/// The sound device.
pub trait ClipOutput {
    /// Replaces whatever is playing with `sounds`, back to back, at `gain` (a linear factor).
    /// A sound that cannot be read is skipped and reported; the others still play.
    fn play(&mut self, sounds: Vec<Sound>, gain: f32) -> Result<(), SpeechProblem>;
    fn pause(&mut self);
    fn resume(&mut self);
    fn stop(&mut self);
    /// Whether sounds of the last `play` are still playing (or paused).
    fn is_playing(&self) -> bool;
}

/// Live text-to-speech.
pub trait LiveVoice {
    /// Starts reading `text` in `language`, replacing nothing: the caller stops first.
    fn speak(&mut self, text: &str, language: Language, settings: VoiceSettings) -> Result<(), SpeechProblem>;
    fn stop(&mut self);
    /// Whether the text of the last `speak` is still being read; an error when the speech
    /// engine stopped answering.
    fn is_speaking(&mut self) -> Result<bool, SpeechProblem>;
}

/// Frames per period of the device buffer (cpal keeps two periods): about 12 ms at 44.1 kHz,
/// so a clip starts well within 50 ms. rodio's default aims at 50 ms periods, 100 ms in all.
const PERIOD_FRAMES: u32 = 512;

/// The default sound device through rodio.
pub struct RodioOutput {
    // Playback ends when the sink is dropped: it lives as long as the player.
    sink: MixerDeviceSink,
    player: Player,
}

impl RodioOutput {
    pub fn open() -> Result<RodioOutput, SpeechProblem> {
        let mut sink = DeviceSinkBuilder::from_default_device()
            .and_then(|builder| builder.with_buffer_size(BufferSize::Fixed(PERIOD_FRAMES)).open_stream())
            .or_else(|_| DeviceSinkBuilder::open_default_sink())
            .map_err(|e| SpeechProblem::NoAudioDevice(e.to_string()))?;
        sink.log_on_drop(false);
        let player = Player::connect_new(sink.mixer());
        Ok(RodioOutput { sink, player })
    }
}

impl ClipOutput for RodioOutput {
    fn play(&mut self, sounds: Vec<Sound>, gain: f32) -> Result<(), SpeechProblem> {
        self.stop();
        self.player.set_volume(gain);
        let mut unreadable = Ok(());
        for sound in sounds {
            match sound {
                Sound::File { path, speed } => match File::open(&path).map(Decoder::try_from) {
                    Ok(Ok(decoder)) => self.player.append(decoder.speed(speed)),
                    _ => unreadable = Err(SpeechProblem::BadClip(path)),
                },
                Sound::Samples { rate, samples } => {
                    let rate = NonZero::new(rate).expect("sample rate is not zero");
                    self.player.append(SamplesBuffer::new(NonZero::<u16>::MIN, rate, samples));
                }
            }
        }
        unreadable
    }

    fn pause(&mut self) {
        self.player.pause();
    }

    fn resume(&mut self) {
        self.player.play();
    }

    fn stop(&mut self) {
        // A fresh player rather than `Player::clear`, which waits for the audio thread: a
        // dropped player goes silent within rodio's 5 ms control period and never blocks.
        self.player = Player::connect_new(self.sink.mixer());
    }

    fn is_playing(&self) -> bool {
        !self.player.empty()
    }
}

/// How long to wait between attempts to reach a speech daemon that is not there.
const RECONNECT_AFTER: Duration = Duration::from_secs(5);

/// How often to check, while a sentence is read, that the daemon is still there.
const PROBE_EVERY: Duration = Duration::from_millis(200);

/// speech-dispatcher, through the binding the `tts` crate wraps: `tts` can only pick a
/// language by voice, and each `set_voice` lists all of speechd's voices (13,000 with
/// espeak-ng, 1.4 s here), where speechd sets a language per message at once. Connects
/// lazily, and again after the daemon went away.
pub struct SpeechDispatcherVoice {
    connection: Option<Connection>,
    /// The language, rate and volume last set on the connection.
    applied: Option<(Language, VoiceSettings)>,
    /// Id of the last message sent, and the highest id the daemon reported ended or cancelled
    /// (message ids only grow).
    sent: u64,
    finished: Arc<AtomicU64>,
    /// When to give up waiting for the end of the message: the daemon may hang mid-sentence.
    deadline: Instant,
    /// When the daemon was last asked whether it is still there (it may die mid-sentence:
    /// then no end ever comes, and any request fails at once).
    last_probe: Instant,
    last_attempt: Option<Instant>,
}

impl SpeechDispatcherVoice {
    /// Tries to connect at once, so that a missing daemon is known before the first sentence.
    pub fn new() -> (SpeechDispatcherVoice, Result<(), SpeechProblem>) {
        let mut voice = SpeechDispatcherVoice {
            connection: None,
            applied: None,
            sent: 0,
            finished: Arc::new(AtomicU64::new(0)),
            deadline: Instant::now(),
            last_probe: Instant::now(),
            last_attempt: None,
        };
        let connected = voice.connect();
        (voice, connected)
    }

    fn connect(&mut self) -> Result<(), SpeechProblem> {
        self.last_attempt = Some(Instant::now());
        let connection = Connection::open("kiosk", "speech", "kiosk", Mode::Threaded)
            .map_err(|e| SpeechProblem::NoSpeechDaemon(e.to_string()))?;
        for on_done in [Connection::on_end, Connection::on_cancel] {
            let finished = self.finished.clone();
            on_done(
                &connection,
                Some(Box::new(move |id, _client| {
                    finished.fetch_max(id as u64, Ordering::SeqCst);
                })),
            );
        }
        self.applied = None;
        self.connection = Some(connection);
        Ok(())
    }

    fn lost(&mut self, why: &str) -> SpeechProblem {
        self.connection = None;
        SpeechProblem::NoSpeechDaemon(why.into())
    }
}

impl LiveVoice for SpeechDispatcherVoice {
    fn speak(&mut self, text: &str, language: Language, settings: VoiceSettings) -> Result<(), SpeechProblem> {
        if self.connection.is_none() {
            if self.last_attempt.is_some_and(|t| t.elapsed() < RECONNECT_AFTER) {
                return Err(SpeechProblem::NoSpeechDaemon("not running".into()));
            }
            self.connect()?;
        }
        let connection = self.connection.as_ref().expect("connected above");
        if self.applied != Some((language, settings)) {
            let code = match language {
                Language::Zh => "zh",
                Language::En => "en",
            };
            let set = connection
                .set_language(code)
                .and_then(|_| connection.set_voice_rate(speechd_rate(settings.rate)))
                .and_then(|_| connection.set_volume(speechd_volume(settings)));
            if set.is_err() {
                return Err(self.lost("does not answer"));
            }
            self.applied = Some((language, settings));
        }
        match connection.say(Priority::Important, text) {
            Some(id) => {
                self.sent = id;
                self.deadline = Instant::now() + longest_reading(text, settings.rate);
                Ok(())
            }
            None => Err(self.lost("refused the text")),
        }
    }

    fn stop(&mut self) {
        if let Some(connection) = &self.connection {
            if connection.cancel().is_err() {
                self.connection = None;
            }
        }
    }

    fn is_speaking(&mut self) -> Result<bool, SpeechProblem> {
        let Some(connection) = &self.connection else { return Ok(false) };
        if self.finished.load(Ordering::SeqCst) >= self.sent {
            return Ok(false);
        }
        if Instant::now() > self.deadline {
            return Err(self.lost("stopped answering"));
        }
        if self.last_probe.elapsed() > PROBE_EVERY {
            self.last_probe = Instant::now();
            // setting the volume it has: a request with no effect, answered in microseconds
            let volume = self.applied.map_or(0, |(_, settings)| speechd_volume(settings));
            if connection.set_volume(volume).is_err() {
                return Err(self.lost("stopped answering"));
            }
        }
        Ok(true)
    }
}

/// speechd rates run from -100 to 100, 0 being the voice's normal speed.
fn speechd_rate(step: i8) -> i32 {
    25 * step as i32
}

/// speechd volumes run from -100 to 100 (its default, the loudest), and espeak-ng's amplitude
/// follows `volume + 100`: 3 dB a level like the clips, the loudest level at speechd's top.
fn speechd_volume(settings: VoiceSettings) -> i32 {
    let amplitude = 200.0 * 10f32.powf(settings.volume_db() / 20.0);
    amplitude.round() as i32 - 100
}

/// A generous bound on how long reading `text` can take (Chinese at the slowest rate is about
/// half a second a character), after which the daemon is taken for dead.
fn longest_reading(text: &str, rate: i8) -> Duration {
    let per_char = Duration::from_millis(if rate < 0 { 800 } else { 500 });
    Duration::from_secs(3) + per_char * text.chars().count() as u32
}
