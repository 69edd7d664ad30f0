//! Hearing a visit: a voice that records what the kiosk asks to say and plays it on the
//! audio rig's sound card through the real speaker and voice pack, a resident who presses
//! keypad keys and listens (or skims), and the check that each utterance was heard for as long
//! as its clips and speech last. Shared by the whole visits by ear.
#![allow(dead_code)] // each test binary uses its own share of these helpers

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

use slint::platform::{Key, WindowEvent};
use slint::{ComponentHandle, SharedString};

use crate::audio_rig::{seconds, windows, Rig, RATE, WINDOW};
use contract::ApiClient;
use kiosk::outbox::Outbox;
use kiosk::speech::voice_pack::VoicePack;
use kiosk::speech::{earcon, Segment, Speaker, SpeechProblem, Voice};
use kiosk::ui::{AppWindow, Devices, KioskUi, KioskView, PageKind, VoiceFocus};
use kiosk_core::speech::Utterance;
use kiosk_core::Kiosk;

/// A sample louder than this is sound (of 32767; the rig's silence is exact zeros).
pub const LOUD: i16 = 300;

/// How long after the speaker goes idle its last sound may still be on its way to the card.
pub const SETTLE: Duration = Duration::from_millis(200);
/// How long an utterance cut short may still be heard after the next one was asked for (the
/// speaker's own test holds it under 100 ms).
pub const CUT_TAIL: Duration = Duration::from_millis(150);
/// How much of an item a skimming resident hears before pressing on, in seconds.
pub const SKIM: Pace = Pace::Hear(0.3);

pub fn voices() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("voices")
}

// --- what the kiosk asked to say ---

pub struct Said {
    pub at: Instant,
    /// The key whose event asked for it; `None` for the kiosk's own (an API answer).
    pub key: Option<String>,
    pub utterance: Utterance,
    /// What the voice pack makes of it: the speaker's own segments.
    pub segments: Vec<Segment>,
    /// The next utterance came while this one was still playing.
    pub cut_short: bool,
    /// Seconds of it the resident waited for before going on; `None`: until it ended.
    pub waited_for: Option<f64>,
}

#[derive(Default)]
pub struct Log {
    pub said: Vec<Said>,
    /// The key being handled now.
    pub key: Option<String>,
    pub stops: usize,
}

/// The speaker, shared by the recorder and the test, which closes it before the sound card
/// goes away: a shown Slint window keeps its component alive, and with it the kiosk's
/// callbacks and this recorder (a stream left open on a vanished card floods stderr).
#[derive(Clone)]
pub struct SharedSpeaker(pub Rc<RefCell<Option<Speaker>>>);

impl SharedSpeaker {
    pub fn with<T: Default>(&self, f: impl FnOnce(&Speaker) -> T) -> T {
        self.0.borrow().as_ref().map(f).unwrap_or_default()
    }
    pub fn is_speaking(&self) -> bool {
        self.with(Speaker::is_speaking)
    }
}

/// Closes the speaker when dropped: declared after the rig, it goes first.
pub struct CloseSpeaker(pub SharedSpeaker);

impl Drop for CloseSpeaker {
    fn drop(&mut self) {
        self.0 .0.borrow_mut().take();
    }
}

/// A voice that records each utterance and passes it on to the real speaker.
pub struct Recorder {
    pub speaker: SharedSpeaker,
    pub pack: VoicePack,
    pub log: Rc<RefCell<Log>>,
}

impl Voice for Recorder {
    fn say(&self, utterance: &Utterance) {
        let mut log = self.log.borrow_mut();
        if let (Some(last), true) = (log.said.last_mut(), self.speaker.is_speaking()) {
            last.cut_short = true;
        }
        let key = log.key.clone();
        let segments = self.pack.segments(utterance);
        log.said.push(Said {
            at: Instant::now(),
            key,
            utterance: utterance.clone(),
            segments,
            cut_short: false,
            waited_for: None,
        });
        drop(log);
        self.speaker.with(|s| s.say(utterance));
    }
    fn stop(&self) {
        self.log.borrow_mut().stops += 1;
        self.speaker.with(Speaker::stop)
    }
    fn pause(&self) {
        self.speaker.with(Speaker::pause)
    }
    fn resume(&self) {
        self.speaker.with(Speaker::resume)
    }
    fn is_speaking(&self) -> bool {
        self.speaker.is_speaking()
    }
    fn problems(&self) -> Vec<SpeechProblem> {
        self.speaker.with(Speaker::problems)
    }
}

pub fn clip(language: &str, key: &str) -> Segment {
    Segment::Clip(voices().join(language).join(format!("{key}.ogg")))
}

// --- the audio ---

/// Seconds of sound in `samples`, counted in 10 ms windows.
pub fn loud_seconds(samples: &[i16]) -> f64 {
    windows(samples).iter().filter(|w| w.peak > LOUD).count() as f64 * WINDOW as f64 / RATE as f64
}

/// From the first loud window to the end of the last, in seconds.
pub fn span_seconds(samples: &[i16]) -> f64 {
    let loud: Vec<usize> = windows(samples).iter().filter(|w| w.peak > LOUD).map(|w| w.start).collect();
    match (loud.first(), loud.last()) {
        (Some(first), Some(last)) => seconds(last + WINDOW - first),
        _ => 0.0,
    }
}

/// How long a segment plays, where that is known: clips and earcons.
#[derive(Default)]
pub struct Lengths(HashMap<PathBuf, f64>);

impl Lengths {
    pub fn of(&mut self, segment: &Segment) -> Option<f64> {
        match segment {
            Segment::Clip(path) => Some(*self.0.entry(path.clone()).or_insert_with(|| {
                use rodio::Source;
                let decoder = rodio::Decoder::try_from(std::fs::File::open(path).unwrap()).unwrap();
                let per_second = decoder.channels().get() as f64 * decoder.sample_rate().get() as f64;
                decoder.count() as f64 / per_second
            })),
            Segment::Earcon(e) => Some(earcon::samples(*e).len() as f64 / earcon::SAMPLE_RATE as f64),
            Segment::Speak { .. } => None,
        }
    }

    /// The clips' and earcons' seconds, and how many pieces of live speech.
    pub fn total(&mut self, segments: &[Segment]) -> (f64, usize) {
        let known: Vec<Option<f64>> = segments.iter().map(|s| self.of(s)).collect();
        (known.iter().flatten().sum(), known.iter().filter(|k| k.is_none()).count())
    }
}

/// What was heard while an utterance was the kiosk's latest.
pub struct Heard {
    pub loud: f64,
    pub span: f64,
}

// --- the resident ---

#[derive(Clone, Copy, PartialEq)]
pub enum Pace {
    /// Waits until the kiosk has said everything and waits for nothing.
    Listen,
    /// Goes on once this many seconds of the utterance have been heard (or it ended).
    Hear(f64),
}

pub struct Visit<'a> {
    pub rig: &'a Rig,
    pub window: &'a AppWindow,
    pub speaker: SharedSpeaker,
    pub log: Rc<RefCell<Log>>,
}

impl Visit<'_> {
    /// Presses a key of the keypad and waits at `pace`; returns the index of what it said.
    pub fn press(&self, key: impl Into<SharedString>, pace: Pace) -> usize {
        let index = self.press_silently(key);
        let said = self.log.borrow().said.len() - index;
        assert_eq!(
            said,
            1,
            "a key on {:?} at {:?} said {said} things",
            self.window.global::<KioskView>().get_page_title(),
            self.window.global::<VoiceFocus>().get_focus_id()
        );
        match pace {
            Pace::Listen => self.listen(),
            Pace::Hear(seconds) => {
                self.log.borrow_mut().said[index].waited_for = Some(seconds);
                self.hear(index, seconds)
            }
        }
        index
    }

    /// Presses a key that says nothing (完成: the visit ends, voice navigation with it); the
    /// index the next utterance will have.
    pub fn press_silently(&self, key: impl Into<SharedString>) -> usize {
        let text: SharedString = key.into();
        let name = key_name(&text);
        let index = self.log.borrow().said.len();
        self.log.borrow_mut().key = Some(name.clone());
        self.window.window().dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
        self.window.window().dispatch_event(WindowEvent::KeyReleased { text });
        self.log.borrow_mut().key = None;
        index
    }

    /// Presses `key` until the voice focus is on `focus`, skimming what each press says.
    pub fn move_to(&self, key: Key, focus: &str) {
        for _ in 0..30 {
            self.press(key, SKIM);
            if self.window.global::<VoiceFocus>().get_focus_id() == focus {
                return;
            }
        }
        panic!("{focus} is not reached with {key:?} on {:?}", self.window.global::<KioskView>().get_page_title());
    }

    pub fn listen(&self) {
        let busy = || self.speaker.is_speaking() || self.window.global::<KioskView>().get_page() == PageKind::Busy;
        self.run_until("the kiosk to finish speaking", Duration::from_secs(40), || !busy());
        self.settle();
    }

    pub fn hear(&self, index: usize, seconds: f64) {
        let from = self.start_of(index);
        let capture = self.rig.capture();
        let heard = || loud_seconds(&capture.samples_since(capture.index_at(from))) >= seconds;
        self.run_until("the utterance to be heard", Duration::from_secs(15), || heard() || !self.speaker.is_speaking());
        if !self.speaker.is_speaking() {
            self.settle();
        }
    }

    /// From when the sound of utterance `index` is its own: later than a cut-short
    /// utterance's tail.
    pub fn start_of(&self, index: usize) -> Instant {
        let log = self.log.borrow();
        let cut = index > 0 && log.said[index - 1].cut_short;
        log.said[index].at + if cut { CUT_TAIL } else { Duration::ZERO }
    }

    /// Waits until the capture has recorded past the speaker's last sound.
    pub fn settle(&self) {
        let idle = Instant::now();
        let capture = self.rig.capture();
        self.run_until("the capture", Duration::from_secs(5), || capture.time_of(capture.len()) > idle + SETTLE);
    }

    /// Runs the event loop (timers, API answers) until `done`.
    pub fn run_until(&self, what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
        let until = Instant::now() + timeout;
        while !done() {
            assert!(
                Instant::now() < until,
                "timed out waiting for {what} on {:?}",
                self.window.global::<KioskView>().get_page_title()
            );
            slint::Timer::single_shot(Duration::from_millis(10), || slint::quit_event_loop().unwrap());
            slint::run_event_loop().unwrap();
        }
    }

    /// What the capture holds for each utterance, from its start to the next one's.
    pub fn heard(&self) -> Vec<Heard> {
        let capture = self.rig.capture();
        let samples = capture.samples();
        let count = self.log.borrow().said.len();
        (0..count)
            .map(|i| {
                let from = capture.index_at(self.start_of(i)).min(samples.len());
                let to = match self.log.borrow().said.get(i + 1) {
                    Some(next) => capture.index_at(next.at).min(samples.len()),
                    None => samples.len(),
                };
                let samples = &samples[from..to.max(from)];
                Heard { loud: loud_seconds(samples), span: span_seconds(samples) }
            })
            .collect()
    }
}

pub fn key_name(text: &str) -> String {
    let named = [(Key::DownArrow, "Down"), (Key::UpArrow, "Up"), (Key::Return, "Enter")];
    named
        .iter()
        .find(|(key, _)| text.chars().eq([char::from(*key)]))
        .map_or_else(|| text.to_string(), |(_, name)| name.to_string())
}

/// A kiosk window (1920x1080, shown, started) on the API at `api_url`, its speech recorded
/// and played on the rig's card: the window, the speaker (closed when the returned guard
/// goes, before the rig) and the log of what was said.
pub fn kiosk_by_ear(kiosk: Kiosk, api_url: &str) -> (KioskUi, SharedSpeaker, CloseSpeaker, Rc<RefCell<Log>>) {
    fitted_kiosk_by_ear(kiosk, api_url, |devices| devices)
}

/// [`kiosk_by_ear`] with devices of its own: `fit` adds them.
pub fn fitted_kiosk_by_ear(
    kiosk: Kiosk,
    api_url: &str,
    fit: impl FnOnce(Devices) -> Devices,
) -> (KioskUi, SharedSpeaker, CloseSpeaker, Rc<RefCell<Log>>) {
    let pack = VoicePack::load(&voices()).unwrap();
    let speaker = SharedSpeaker(Rc::new(RefCell::new(Some(Speaker::open(move || Some(pack))))));
    let close = CloseSpeaker(speaker.clone());
    let log = Rc::new(RefCell::new(Log::default()));
    let recorder = Recorder { speaker: speaker.clone(), pack: VoicePack::load(&voices()).unwrap(), log: log.clone() };
    let devices = fit(crate::common::devices(Box::new(recorder), crate::common::no_camera()));
    let ui = KioskUi::new(kiosk, ApiClient::new(api_url, "secret"), Outbox::in_memory(), devices).unwrap();
    ui.window.window().set_size(slint::PhysicalSize::new(1920, 1080));
    ui.window.show().unwrap();
    ui.start();
    (ui, speaker, close, log)
}

/// Each utterance of the visit against what the capture holds: heard to its end for as long
/// as its clips and speech last, or, when the resident went on, for as long as they waited;
/// `echoes` (typed characters of a masked entry) last exactly the star clip; only those in
/// `cut_by_kiosk` (a busy page the answer replaced) may be cut short by the kiosk itself.
/// The table of what was heard, and what is wrong.
pub fn check_hearing(visit: &Visit, echoes: &[usize], cut_by_kiosk: &[usize]) -> (String, Vec<String>) {
    let log = visit.log.borrow();
    let said = &log.said;
    let heard = visit.heard();
    let mut lengths = Lengths::default();
    let star = lengths.of(&clip("zh", "voice.star")).unwrap();
    let mut table = Vec::new();
    let mut wrong = Vec::new();
    for (i, (s, h)) in said.iter().zip(&heard).enumerate() {
        let (clips, speech) = lengths.total(&s.segments);
        let how = match (s.waited_for, s.cut_short) {
            (None, false) => "whole".to_string(),
            (None, true) => "replaced".to_string(),
            (Some(seconds), _) => format!("{seconds} s"),
        };
        table.push(format!(
            "{i:3} {:>5} {how:>8}  clips {clips:5.2} s + {speech} speech: span {:5.2} s, loud {:5.2} s  {}",
            s.key.as_deref().unwrap_or("-"),
            h.span,
            h.loud,
            s.utterance.heard().join(" ")
        ));
        // the first 150 ms after a cut-short utterance belong to neither
        let lost = if i > 0 && said[i - 1].cut_short { CUT_TAIL.as_secs_f64() } else { 0.0 };
        match s.waited_for {
            None if s.cut_short => {
                if !cut_by_kiosk.contains(&i) {
                    wrong.push(format!("{i}: cut short by the kiosk"));
                }
            }
            Some(seconds) => {
                let least = (0.75 * seconds).min(0.6 * clips);
                if h.loud < least {
                    wrong.push(format!("{i}: {:.2} s of sound, the resident waited for {seconds} s", h.loud));
                }
            }
            None => {
                let least = 0.6 * clips + 0.3 * speech as f64 - lost;
                if h.span < least {
                    wrong.push(format!("{i}: {:.2} s of sound, expected at least {least:.2} s", h.span));
                }
                if speech == 0 && h.span > clips * 1.1 + 0.3 {
                    wrong.push(format!("{i}: {:.2} s of sound for {clips:.2} s of clips", h.span));
                }
                let echo = star - lost - 0.1..=star + 0.15;
                if echoes.contains(&i) && !echo.contains(&h.span) {
                    wrong.push(format!("{i}: an echo of {:.2} s, the star clip is {star:.2} s", h.span));
                }
            }
        }
    }
    (table.join("\n"), wrong)
}
