//! A whole visit by a resident who cannot see the screen (issue 3, voice navigation): the real
//! window on Slint's testing backend, driven by keypad keys alone (arrows, Enter, digits), the
//! real voice pack and speaker playing on the audio rig's sound card, a real speech-dispatcher
//! for the catalog's text, and the embedded service API. What the kiosk asks to say is
//! recorded on its way to the speaker (`Recorder`), and each utterance is checked on the
//! captured audio: sound, for as long as its clips and speech last.
//!
//! The resident takes a number for a service whose flow has a masked ID-number entry, hears
//! the ticket in full, then switches to English with the bar's language button and hears the
//! ticket begin again in English. The visit goes as a resident who knows the kiosk goes: the
//! services page, each typed character's echo and the ticket are heard to their end; for the
//! rest (the welcome, the other pages, each Up and Down while looking for an item) the next
//! key comes once 0.3 s of it has been heard, and cuts it short, as on the kiosk. Every
//! utterance heard to its end, the visit would take over three minutes (the welcome and home
//! page alone 22 s, the ticket 21 s, each item 2 to 7 s).
//!
//! The testing backend's event loop can start once per process, so this file holds one test.

mod audio_rig;
mod common;

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use slint::platform::{Key, WindowEvent};
use slint::{ComponentHandle, Model, SharedString};

use audio_rig::{seconds, windows, Part, Rig, RATE, WINDOW};
use common::init_headless_platform;
use contract::model::{Bilingual, Catalog, EntryKind, Step};
use contract::ApiClient;
use kiosk::outbox::Outbox;
use kiosk::speech::voice_pack::VoicePack;
use kiosk::speech::{earcon, Segment, Speaker, SpeechProblem, Voice};
use kiosk::ui::{AppWindow, KioskUi, KioskView, PageKind, VoiceFocus};
use kiosk_core::profile::Language;
use kiosk_core::speech::Utterance;
use kiosk_core::{IdlePolicy, Kiosk};
use service_api::EmbeddedServer;

/// A sample louder than this is sound (of 32767; the rig's silence is exact zeros).
const LOUD: i16 = 300;

/// The service of the visit; its flow gets a masked ID-number entry (the seed has none).
const SERVICE: &str = "pension-eligibility-certification";
const SERVICE_NAME: &str = "养老金资格认证";
/// A valid resident ID number (its check digit is X).
const ID_NUMBER: &str = "11010519491231002X";

/// How long after the speaker goes idle its last sound may still be on its way to the card.
const SETTLE: Duration = Duration::from_millis(200);
/// How long an utterance cut short may still be heard after the next one was asked for (the
/// speaker's own test holds it under 100 ms).
const CUT_TAIL: Duration = Duration::from_millis(150);
/// How much of an item a skimming resident hears before pressing on, in seconds.
const SKIM: Pace = Pace::Hear(0.3);

fn voices() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("voices")
}

// --- what the kiosk asked to say ---

struct Said {
    at: Instant,
    /// The key whose event asked for it; `None` for the kiosk's own (an API answer).
    key: Option<String>,
    utterance: Utterance,
    /// What the voice pack makes of it: the speaker's own segments.
    segments: Vec<Segment>,
    /// The next utterance came while this one was still playing.
    cut_short: bool,
    /// Seconds of it the resident waited for before going on; `None`: until it ended.
    waited_for: Option<f64>,
}

#[derive(Default)]
struct Log {
    said: Vec<Said>,
    /// The key being handled now.
    key: Option<String>,
    stops: usize,
}

/// The speaker, shared by the recorder and the test, which closes it before the sound card
/// goes away: a shown Slint window keeps its component alive, and with it the kiosk's
/// callbacks and this recorder (a stream left open on a vanished card floods stderr).
#[derive(Clone)]
struct SharedSpeaker(Rc<RefCell<Option<Speaker>>>);

impl SharedSpeaker {
    fn with<T: Default>(&self, f: impl FnOnce(&Speaker) -> T) -> T {
        self.0.borrow().as_ref().map(f).unwrap_or_default()
    }
    fn is_speaking(&self) -> bool {
        self.with(Speaker::is_speaking)
    }
}

/// Closes the speaker when dropped: declared after the rig, it goes first.
struct CloseSpeaker(SharedSpeaker);

impl Drop for CloseSpeaker {
    fn drop(&mut self) {
        self.0 .0.borrow_mut().take();
    }
}

/// A voice that records each utterance and passes it on to the real speaker.
struct Recorder {
    speaker: SharedSpeaker,
    pack: VoicePack,
    log: Rc<RefCell<Log>>,
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
    fn problems(&self) -> Vec<SpeechProblem> {
        self.speaker.with(Speaker::problems)
    }
}

fn clip(language: &str, key: &str) -> Segment {
    Segment::Clip(voices().join(language).join(format!("{key}.ogg")))
}

// --- the audio ---

/// Seconds of sound in `samples`, counted in 10 ms windows.
fn loud_seconds(samples: &[i16]) -> f64 {
    windows(samples).iter().filter(|w| w.peak > LOUD).count() as f64 * WINDOW as f64 / RATE as f64
}

/// From the first loud window to the end of the last, in seconds.
fn span_seconds(samples: &[i16]) -> f64 {
    let loud: Vec<usize> = windows(samples).iter().filter(|w| w.peak > LOUD).map(|w| w.start).collect();
    match (loud.first(), loud.last()) {
        (Some(first), Some(last)) => seconds(last + WINDOW - first),
        _ => 0.0,
    }
}

/// How long a segment plays, where that is known: clips and earcons.
struct Lengths(HashMap<PathBuf, f64>);

impl Lengths {
    fn of(&mut self, segment: &Segment) -> Option<f64> {
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
    fn total(&mut self, segments: &[Segment]) -> (f64, usize) {
        let known: Vec<Option<f64>> = segments.iter().map(|s| self.of(s)).collect();
        (known.iter().flatten().sum(), known.iter().filter(|k| k.is_none()).count())
    }
}

/// What was heard while an utterance was the kiosk's latest.
struct Heard {
    loud: f64,
    span: f64,
}

// --- the resident ---

#[derive(Clone, Copy, PartialEq)]
enum Pace {
    /// Waits until the kiosk has said everything and waits for nothing.
    Listen,
    /// Goes on once this many seconds of the utterance have been heard (or it ended).
    Hear(f64),
}

struct Visit<'a> {
    rig: &'a Rig,
    window: &'a AppWindow,
    speaker: SharedSpeaker,
    log: Rc<RefCell<Log>>,
}

impl Visit<'_> {
    /// Presses a key of the keypad and waits at `pace`; returns the index of what it said.
    fn press(&self, key: impl Into<SharedString>, pace: Pace) -> usize {
        let text: SharedString = key.into();
        let name = key_name(&text);
        let index = self.log.borrow().said.len();
        self.log.borrow_mut().key = Some(name.clone());
        self.window.window().dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
        self.window.window().dispatch_event(WindowEvent::KeyReleased { text });
        self.log.borrow_mut().key = None;
        let said = self.log.borrow().said.len() - index;
        assert_eq!(said, 1, "{name} on {:?} said {said} things", self.window.global::<KioskView>().get_page_title());
        match pace {
            Pace::Listen => self.listen(),
            Pace::Hear(seconds) => {
                self.log.borrow_mut().said[index].waited_for = Some(seconds);
                self.hear(index, seconds)
            }
        }
        index
    }

    /// Presses `key` until the voice focus is on `focus`, skimming what each press says.
    fn move_to(&self, key: Key, focus: &str) {
        for _ in 0..30 {
            self.press(key, SKIM);
            if self.window.global::<VoiceFocus>().get_focus_id() == focus {
                return;
            }
        }
        panic!("{focus} is not reached with {key:?} on {:?}", self.window.global::<KioskView>().get_page_title());
    }

    fn listen(&self) {
        let busy = || self.speaker.is_speaking() || self.window.global::<KioskView>().get_page() == PageKind::Busy;
        self.run_until("the kiosk to finish speaking", Duration::from_secs(40), || !busy());
        self.settle();
    }

    fn hear(&self, index: usize, seconds: f64) {
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
    fn start_of(&self, index: usize) -> Instant {
        let log = self.log.borrow();
        let cut = index > 0 && log.said[index - 1].cut_short;
        log.said[index].at + if cut { CUT_TAIL } else { Duration::ZERO }
    }

    /// Waits until the capture has recorded past the speaker's last sound.
    fn settle(&self) {
        let idle = Instant::now();
        let capture = self.rig.capture();
        self.run_until("the capture", Duration::from_secs(5), || capture.time_of(capture.len()) > idle + SETTLE);
    }

    /// Runs the event loop (timers, API answers) until `done`.
    fn run_until(&self, what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
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
    fn heard(&self) -> Vec<Heard> {
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

fn key_name(text: &str) -> String {
    let named = [(Key::DownArrow, "Down"), (Key::UpArrow, "Up"), (Key::Return, "Enter")];
    named
        .iter()
        .find(|(key, _)| text.chars().eq([char::from(*key)]))
        .map_or_else(|| text.to_string(), |(_, name)| name.to_string())
}

/// The embedded service API on the seed catalog, whose service [`SERVICE`] gets a masked
/// ID-number entry after its priority choice (no seed service has one; this visit's
/// database only).
fn start_api(dir: &Path) -> EmbeddedServer {
    let db = dir.join("api.sqlite");
    let server = EmbeddedServer::start(&db, "kiosk-test", "secret").unwrap();
    let catalog: Catalog = serde_json::from_str(include_str!("../crates/service-api/seed/catalog.json")).unwrap();
    let mut service = catalog.services.into_iter().find(|s| s.code == SERVICE).expect("the seed's service");
    let after_priority = service.flow.iter().position(|s| s.id() == "priority").expect("a priority step") + 1;
    let id_number = Step::Entry {
        id: "id-number".into(),
        title: Bilingual::new("身份证号码", "ID card number"),
        label: None,
        entry: EntryKind::IdNumber,
        masked: true,
        optional: false,
    };
    service.flow.insert(after_priority, id_number);
    // The server reads the catalog from its database on each request.
    let update = "import sqlite3, sys\n\
                  db = sqlite3.connect(sys.argv[1], timeout=10)\n\
                  n = db.execute('UPDATE services SET body = ? WHERE code = ?', (sys.stdin.read(), sys.argv[2])).rowcount\n\
                  db.commit()\n\
                  sys.exit(0 if n == 1 else 1)\n";
    let mut python = Command::new("python3")
        .args(["-c", update])
        .arg(&db)
        .arg(SERVICE)
        .stdin(Stdio::piped())
        .spawn()
        .expect("python3");
    python.stdin.take().unwrap().write_all(serde_json::to_string(&service).unwrap().as_bytes()).unwrap();
    assert!(python.wait().unwrap().success(), "the service's flow was not updated");
    server
}

#[test]
fn a_resident_who_cannot_see_the_screen_takes_a_number_with_the_keypad_and_hears_the_ticket() {
    let started = Instant::now();
    let rig = Rig::start(Part::Present, Part::Present);
    init_headless_platform();
    let dir = tempfile::tempdir().unwrap();
    let server = start_api(dir.path());
    let pack = VoicePack::load(&voices()).unwrap();
    let speaker = SharedSpeaker(Rc::new(RefCell::new(Some(Speaker::open(move || Some(pack))))));
    let _close = CloseSpeaker(speaker.clone());
    let log = Rc::new(RefCell::new(Log::default()));
    let recorder = Recorder { speaker: speaker.clone(), pack: VoicePack::load(&voices()).unwrap(), log: log.clone() };
    let kiosk = Kiosk::new(Language::Zh, IdlePolicy { timeout_secs: 600, warning_secs: 30 }, "voice-visit");
    let devices = common::devices(Box::new(recorder), common::no_camera());
    let ui = KioskUi::new(kiosk, ApiClient::new(&server.base_url, "secret"), Outbox::in_memory(), devices).unwrap();
    let window = &ui.window;
    window.window().set_size(slint::PhysicalSize::new(1920, 1080));
    window.show().unwrap();
    ui.start();
    let visit = Visit { rig: &rig, window, speaker: speaker.clone(), log: log.clone() };
    visit.run_until("the home tiles", Duration::from_secs(20), || {
        window.global::<KioskView>().get_items().row_count() == kiosk_core::home::TILES.len()
    });
    assert!(log.borrow().said.is_empty(), "the kiosk is silent until a key is pressed");

    // The first key starts voice navigation: the welcome and the home screen.
    let welcome = visit.press(Key::DownArrow, SKIM);
    assert!(window.global::<VoiceFocus>().get_voice_on());
    visit.move_to(Key::DownArrow, "item:take-number");
    let services = visit.press(Key::Return, Pace::Listen);
    visit.move_to(Key::DownArrow, &format!("item:{SERVICE}"));
    let materials = visit.press(Key::Return, SKIM);
    visit.move_to(Key::DownArrow, "item:next");
    let priority = visit.press(Key::Return, SKIM);
    visit.move_to(Key::DownArrow, "item:normal");
    let entry = visit.press(Key::Return, SKIM);
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Entry);

    // The ID number on the keypad's digits (and X): each echo is the neutral "星号".
    let echoes: Vec<usize> = ID_NUMBER.chars().map(|c| visit.press(c.to_string(), Pace::Listen)).collect();
    assert_eq!(window.global::<KioskView>().get_entry().shown.as_str(), "*".repeat(18));
    visit.move_to(Key::UpArrow, "item:entry-done");
    let confirm = visit.press(Key::Return, SKIM);
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Confirm, "the ID number was accepted");
    visit.move_to(Key::DownArrow, "item:confirm");
    let busy = visit.press(Key::Return, Pace::Listen);
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Ticket);
    let ticket = busy + 1;
    let shown = window.global::<KioskView>().get_ticket();

    // The language button of the bar, then the ticket again, in English.
    visit.move_to(Key::UpArrow, "bar:language");
    let english = visit.press(Key::Return, Pace::Hear(1.5));
    let visit_took = started.elapsed();

    let log = log.borrow();
    let said = &log.said;
    let transcript: Vec<Vec<String>> = said.iter().map(|s| s.utterance.heard()).collect();
    let report = || {
        said.iter()
            .zip(&transcript)
            .enumerate()
            .map(|(i, (s, w))| format!("{i} {:?}{}: {}", s.key, if s.cut_short { " (cut)" } else { "" }, w.join(" ")))
            .collect::<Vec<_>>()
            .join("\n")
    };
    // The audio: each utterance was heard, for as long as its clips and speech last, or, when
    // the resident went on, for as long as they waited.
    let heard = visit.heard();
    let mut lengths = Lengths(HashMap::new());
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
            transcript[i].join(" ")
        ));
        // the first 150 ms after a cut-short utterance belong to neither
        let lost = if i > 0 && said[i - 1].cut_short { CUT_TAIL.as_secs_f64() } else { 0.0 };
        match s.waited_for {
            // the busy page, which the ticket replaced as soon as the API answered
            None if s.cut_short => assert_eq!(i, busy, "only the busy page is cut short by the kiosk\n{}", report()),
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
    let table = table.join("\n");
    eprintln!("{table}\nthe visit took {visit_took:?}");

    assert_eq!(said.len(), english + 1, "one utterance a key, and the ticket:\n{}", report());
    assert_eq!(log.stops, 0, "nothing in the visit turns speech off");

    // The screens, in the order a resident hears them.
    let starts = |index: usize, head: &[&str]| {
        assert_eq!(transcript[index][..head.len()], *head, "utterance {index}:\n{}", report());
        assert_eq!(transcript[index].iter().filter(|w| *w == "voice.count").count(), usize::from(index != busy));
    };
    starts(welcome, &["voice.welcome", "home.title", "home.prompt", "voice.count"]);
    starts(services, &["<Activate>", "services.title", "services.prompt", "voice.count"]);
    starts(materials, &["<Activate>", "请准备以下材料", SERVICE_NAME, "voice.count"]);
    starts(priority, &["<Activate>", "请问您是否需要优先办理？", "step.choose", "voice.count"]);
    starts(entry, &["<Activate>", "身份证号码", "entry.prompt.id-number", "entry.typed", "0", "18", "voice.count"]);
    starts(confirm, &["<Activate>", "请确认您的取号信息", "confirm.prompt", "voice.count"]);
    starts(busy, &["<Activate>", "busy.title", "busy.prompt"]);
    let announced: Vec<usize> = (0..said.len()).filter(|&i| transcript[i].iter().any(|w| w == "voice.count")).collect();
    assert_eq!(announced, [welcome, services, materials, priority, entry, confirm, ticket, english], "{}", report());
    // Every other key moved the focus and said where it is, or echoed a typed character.
    for (i, words) in transcript.iter().enumerate() {
        if announced.contains(&i) || i == busy || echoes.contains(&i) {
            continue;
        }
        assert_eq!(words[0], "<Focus>", "utterance {i}:\n{}", report());
        assert_eq!(words[words.len() - 3], "voice.position", "utterance {i}:\n{}", report());
    }

    // The ticket in full, number first, as the screen shows it: number, service, window (its
    // number from digit clips), people ahead, wait; then what to do.
    let spoken = &transcript[ticket];
    assert_eq!(said[ticket].key, None, "said when the ticket came from the API");
    assert_eq!(spoken[..4], ["ticket.title", "ticket.number", shown.number.as_str(), SERVICE_NAME]);
    assert!(shown.number.starts_with('C'), "a number of the service's queue: {}", shown.number);
    let (window, ahead, wait) = (&spoken[6], &spoken[8], &spoken[10]);
    assert_eq!(
        [&spoken[4], &spoken[5], &spoken[7], &spoken[9], &spoken[11], &spoken[12]],
        ["ticket.window", "ticket.window-number", "ticket.people-ahead", "ticket.wait", "ticket.prompt", "voice.count"]
    );
    assert!(shown.window.contains(&format!("{window}号窗口")), "{window}");
    assert!(shown.people_ahead.contains(ahead.as_str()) && shown.wait.contains(wait.as_str()), "{spoken:?}");

    // Masked entry: only the neutral clip for each character, never a digit.
    for &i in &echoes {
        assert_eq!(transcript[i], ["voice.star"], "echo {i}");
        assert_eq!(said[i].segments, [clip("zh", "voice.star")], "echo {i} plays the star clip alone");
    }
    // ...and its summary line says that it is hidden, not how it ends.
    let id_line = (confirm..busy).find(|&i| transcript[i].get(1).map(String::as_str) == Some("身份证号码"));
    let id_line = &said[id_line.expect("the ID number's line on the confirm page was heard")];
    assert!(id_line.segments.contains(&clip("zh", "voice.hidden")), "{:?}", id_line.segments);
    assert!(!id_line.segments.contains(&clip("zh", "letter.X")), "{:?}", id_line.segments);

    // English: the same ticket, in English clips and the English voice.
    let english_said = &said[english];
    assert_eq!(english_said.utterance.language, Language::En);
    assert_eq!(
        transcript[english][..5],
        ["<Activate>", "ticket.title", "ticket.number", shown.number.as_str(), "Pension eligibility certification"]
    );
    for segment in &english_said.segments {
        match segment {
            Segment::Clip(path) => assert!(path.starts_with(voices().join("en")), "{}", path.display()),
            Segment::Speak { language, text } => assert_eq!(*language, Language::En, "{text}"),
            Segment::Earcon(_) => {}
        }
    }
    let english_text: Vec<&str> = english_said
        .segments
        .iter()
        .filter_map(|s| match s {
            Segment::Speak { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert!(english_text.iter().any(|t| t.contains("Pension eligibility certification")), "{english_text:?}");

    assert!(wrong.is_empty(), "{}\n{table}", wrong.join("\n"));
    for whole in [services, ticket].iter().chain(&echoes) {
        assert!(said[*whole].waited_for.is_none() && !said[*whole].cut_short, "{whole} was heard to its end\n{table}");
    }
    assert!(heard[english].loud > 1.0, "the English ticket is heard\n{table}");
    let problems = speaker.with(Speaker::problems);
    assert!(problems.is_empty(), "the speaker had everything it needs: {problems:?}");
}
