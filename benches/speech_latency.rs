//! Speech latency: the time from asking the speaker to play until the first non-silent sample
//! comes out of the sound card, for a voice-pack clip (target ≤ 50 ms) and for live
//! text-to-speech (target ≤ 150 ms), side by side: median and worst of `RUNS` runs each.
//!
//! How the first sample is seen: the sound card is a PulseAudio null sink, which plays in
//! real time, and its monitor is recorded live (`parec`, 5 ms fragments) while the speaker
//! plays through ALSA as it does in the kiosk (see `tests/audio_rig`). Each recorded chunk's
//! arrival time bounds when its samples played, so sample `n` played at
//! `start + n / rate`, `start` taken from the chunk that arrived with the least delay. The
//! figure includes everything a resident waits for: the speaker's thread, decoding or the
//! speech daemon's synthesis, and the device buffer; it errs late by at most the capture's
//! own delivery delay. What is said is what a screen change says: the voice pack's clip of
//! the home screen's title (`home.title`), and a service name from the catalog, which only
//! live speech can read (espeak-ng through speech-dispatcher).
//!
//! Run: `cargo bench --profile dev --bench speech_latency` (the project's one profile: the
//! bench profile would build every dependency again); needs the packages of
//! scripts/install-system-packages and starts its own PulseAudio and speech-dispatcher.
//! Measured on the 2-core build machine: clip 16.6 ms median, 25.2 ms worst; live speech
//! 40.5 ms median, 47.0 ms worst.

#[path = "../tests/audio_rig/mod.rs"]
mod audio_rig;

use std::time::{Duration, Instant};

use audio_rig::{Part, Rig};
use kiosk::speech::voice_pack::VoicePack;
use kiosk::speech::Speaker;
use kiosk_core::profile::Language;
use kiosk_core::speech::{Phrase, Sound, Utterance, VoiceSettings};

const RUNS: usize = 20;
const LOUD: i16 = 300;

fn main() {
    let rig = Rig::start(Part::Present, Part::Present);
    let voices = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("voices");
    let pack = VoicePack::load(&voices).expect("the voice pack");
    let speaker = Speaker::open(move || Some(pack));
    let say = |phrase: Phrase| Utterance {
        language: Language::Zh,
        settings: VoiceSettings::default(),
        private: false,
        sounds: vec![Sound::Say(phrase)],
    };
    let clip = || say(Phrase::prompt("home.title"));
    let speech = || say(Phrase::text("居住证办理"));

    // one unmeasured run each: the first sentence also chooses the voice
    latency(&rig, &speaker, clip());
    latency(&rig, &speaker, speech());
    let mut clips = Vec::new();
    let mut speeches = Vec::new();
    for _ in 0..RUNS {
        clips.push(latency(&rig, &speaker, clip()));
        speeches.push(latency(&rig, &speaker, speech()));
    }
    println!("say() to first sound, {RUNS} runs each      median    worst   target");
    println!("voice-pack clip (Ogg Vorbis)           {}   50 ms", figures(&mut clips));
    println!("live TTS (speech-dispatcher, espeak-ng) {}  150 ms", figures(&mut speeches));
}

fn latency(rig: &Rig, speaker: &Speaker, utterance: Utterance) -> Duration {
    let capture = rig.capture();
    let from = capture.len();
    let asked = Instant::now();
    speaker.say(&utterance);
    let first = capture.wait_for_sound(from, LOUD, Duration::from_secs(5)).expect("no sound within 5 s");
    let latency = capture.time_of(first).saturating_duration_since(asked);
    while speaker.is_speaking() {
        std::thread::sleep(Duration::from_millis(5));
    }
    // let the tail of the sound through before the next run listens for its start
    std::thread::sleep(Duration::from_millis(300));
    latency
}

fn figures(runs: &mut [Duration]) -> String {
    runs.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!("{:6.1} ms {:6.1} ms", ms(runs[runs.len() / 2]), ms(runs[runs.len() - 1]))
}
