//! The kiosk without a window: the real core and the real effect runner (the API client and
//! the outbox), driven by scripted visits, for the kill and soak tests. Speech is recorded,
//! camera and video effects are let go, as a kiosk without those devices would.
#![allow(dead_code)] // each test binary uses its own share of these helpers

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use contract::ApiClient;
use kiosk::camera::face::FacePhoto;
use kiosk::effects::EffectRunner;
use kiosk::outbox::Outbox;
use kiosk_core::speech::{Phrase, Utterance};
use kiosk_core::view::Page;
use kiosk_core::{action, home, Effect, Event, IdlePolicy, Kiosk};
use tokio::sync::oneshot;

pub struct HeadlessKiosk {
    pub kiosk: Kiosk,
    runner: EffectRunner,
    /// Answers of the outbox's tries.
    outbox_answers: mpsc::Receiver<Event>,
    in_flight: Vec<oneshot::Receiver<Event>>,
    /// Everything said, with when it was said.
    pub said: Vec<(Instant, Utterance)>,
    /// The picture a pension face submission sends, as the camera would hold it.
    pub face_photo: FacePhoto,
}

impl HeadlessKiosk {
    /// A kiosk asking the API at `api_url` with `token`, its outbox in `data_dir`, its
    /// catalog loaded (or its failure shown).
    pub fn start(api_url: &str, token: &str, data_dir: &Path, key_prefix: &str) -> HeadlessKiosk {
        let (answers, outbox_answers) = mpsc::channel();
        let outbox = Outbox::open_in(data_dir).expect("the outbox opens");
        let face_photo = FacePhoto::default();
        let runner = EffectRunner::new(ApiClient::new(api_url, token), face_photo.clone(), outbox, answers);
        let mut kiosk = Kiosk::new(kiosk_core::profile::Language::Zh, IdlePolicy::default(), key_prefix);
        let effects = kiosk.start();
        let mut headless =
            HeadlessKiosk { kiosk, runner, outbox_answers, in_flight: Vec::new(), said: Vec::new(), face_photo };
        headless.carry_out(effects);
        headless.settle();
        headless
    }

    pub fn handle(&mut self, event: Event) {
        let effects = self.kiosk.handle(event);
        self.carry_out(effects);
    }

    pub fn activate(&mut self, id: &str) {
        self.handle(Event::Activate(id.into()));
    }

    /// Touches the item (see [`HeadlessKiosk::touch`]).
    pub fn press(&mut self, id: &str) {
        self.touch(Event::Activate(id.into()));
    }

    /// A touch, given again in voice mode when the first one only said what was touched
    /// (touch and confirm); then waits for the answers.
    pub fn touch(&mut self, event: Event) {
        let said_before = self.said.len();
        self.handle(event.clone());
        let focus_only = |(_, u): &(Instant, Utterance)| u.transcript().first().is_some_and(|w| w == "<Focus>");
        if self.said[said_before..].iter().any(focus_only) {
            self.handle(event);
        }
        self.settle();
    }

    /// Does what the effects ask, as the window's adapter does.
    fn carry_out(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Speak(utterance) => self.said.push((Instant::now(), utterance)),
                Effect::StopSpeech
                | Effect::PauseSpeech
                | Effect::ResumeSpeech
                | Effect::OpenCamera(_)
                | Effect::CloseCamera
                | Effect::OpenVideoCall { .. }
                | Effect::CloseVideoCall
                | Effect::DiscardFacePhoto => {}
                durable if durable.is_durable() => self.runner.keep(durable),
                api_call => self.in_flight.push(self.runner.start(api_call)),
            }
        }
    }

    /// Waits for every answer under way (and whatever they ask next), and takes in the
    /// outbox's answers so far.
    pub fn settle(&mut self) {
        while !self.in_flight.is_empty() {
            for answered in std::mem::take(&mut self.in_flight) {
                if let Ok(event) = answered.blocking_recv() {
                    self.handle(event);
                }
            }
        }
        while let Ok(event) = self.outbox_answers.try_recv() {
            self.handle(event);
        }
    }

    /// `secs` seconds pass, a second at a time.
    pub fn tick(&mut self, secs: u32) {
        for _ in 0..secs {
            self.handle(Event::Tick(1));
            self.settle();
        }
    }

    /// From home, toward a ticket for the first service (see [`HeadlessKiosk::step_to_ticket`]).
    pub fn start_ticket(&mut self) {
        self.go_home();
        self.press(home::TAKE_NUMBER);
    }

    /// Answers every question the simplest way until the ticket shows (`true`), or the API
    /// does not answer (`false`: the "unavailable" page, with its retry, shows).
    pub fn step_to_ticket(&mut self) -> bool {
        for _ in 0..12 {
            let view = self.kiosk.view();
            let ids: Vec<String> = view.items.iter().map(|i| i.id.clone()).collect();
            let has = |id: &str| ids.iter().any(|i| i == id);
            if view.page == Page::Ticket {
                return true;
            }
            if self.unavailable() {
                return false;
            }
            let next = match view.page {
                Page::YesNo => action::NO.to_owned(),
                Page::Entry if has(action::ENTRY_SKIP) => action::ENTRY_SKIP.to_owned(),
                Page::Confirm => action::CONFIRM.to_owned(),
                _ if has(action::NEXT) => action::NEXT.to_owned(),
                _ => ids.first().cloned().unwrap_or_else(|| panic!("nothing to press: {view:?}")),
            };
            self.press(&next);
        }
        panic!("no ticket after 12 steps: {:?}", self.kiosk.view());
    }

    /// Whether the "service unavailable" page shows.
    pub fn unavailable(&self) -> bool {
        self.kiosk.view().title.phrase == Phrase::prompt("unavailable.title")
    }

    /// Retries what failed (the retry button of the error), as a resident would.
    pub fn retry(&mut self) {
        self.press(action::RETRY);
    }

    pub fn go_home(&mut self) {
        self.touch(Event::Bar(kiosk_core::BarAction::Home));
    }

    /// Presses the staff-call tile and the first reason.
    pub fn call_staff(&mut self) {
        self.go_home();
        self.press(home::CALL_STAFF);
        let first = self.kiosk.view().items[0].id.clone();
        self.press(&first);
    }

    /// Asks for an interpreter, then leaves (home): the call is hung up.
    pub fn call_interpreter_and_leave(&mut self) {
        self.touch(Event::Bar(kiosk_core::BarAction::SignLanguage));
        self.go_home();
    }

    /// The outbox's answers, waited for up to `time`, until `done` says so.
    pub fn wait_for_outbox(&mut self, time: Duration, mut done: impl FnMut(&Kiosk) -> bool) -> bool {
        let deadline = Instant::now() + time;
        while !done(&self.kiosk) {
            let Ok(event) = self.outbox_answers.recv_timeout(deadline.saturating_duration_since(Instant::now())) else {
                return false;
            };
            self.handle(event);
            self.settle();
        }
        true
    }
}

/// Moments that differ from run to run, for kills (xorshift, seeded by the clock).
pub struct Random(u64);

impl Random {
    pub fn seeded() -> Random {
        Random(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The `service-api` binary the workspace build puts beside the test binaries' folder.
pub fn service_api() -> PathBuf {
    let deps = std::env::current_exe().unwrap().parent().unwrap().to_path_buf();
    deps.parent().unwrap().join("service-api")
}

/// `service-api serve` on `db` at `listen`; its stdout and stderr appended to `log`, if given.
pub fn serve(db: &Path, listen: &str, log: Option<&Path>) -> Child {
    let output = || match log {
        Some(log) => Stdio::from(std::fs::File::options().create(true).append(true).open(log).unwrap()),
        None => Stdio::null(),
    };
    Command::new(service_api())
        .args(["serve", "--db"])
        .arg(db)
        .args(["--listen", listen])
        .stdout(output())
        .stderr(output())
        .spawn()
        .unwrap()
}

pub fn wait_for_health(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while ureq::get(format!("{url}/v1/health")).call().is_err() {
        assert!(Instant::now() < deadline, "the API did not come up");
        std::thread::sleep(Duration::from_millis(50));
    }
}
