//! The staff's admin menu, behind a gesture residents will not make by accident and a PIN:
//! each device checked (the camera's picture, speech and sound, the printer and the ID card
//! reader where fitted), the service API's state with this kiosk's id and version, a restart,
//! and the way out to a maintenance shell where the configuration allows it.
//!
//! The gesture: on the home screen, hold the blank top-left corner of the page (just under the
//! bar) for three seconds, then the blank top-right one, within ten seconds of the first. Two long
//! holds at the two ends of a strip where nothing is drawn to touch: a resident's taps, or a
//! hand resting on the screen, do not make both, and nothing shows, sounds or takes a focus
//! stop. The top corners are blank on every page (the title is not a control), where the
//! bottom ones are often under buttons. The page times the holds; this module the rest.
//!
//! The adapter checks the PIN against the configured hash, off the UI thread (a password hash
//! is slow on purpose). The wrong ones are counted here, across sessions, so the idle wipe does
//! not reset them: after [`MAX_WRONG_PINS`] in a row the PIN page is refused for
//! [`LOCKOUT_SECS`]. The admin screens are screens of the session: they leave by themselves
//! after the idle timeout and the session wipe clears what they hold.

use std::fmt;

use contract::model::{DeviceState, DeviceStatus};

use super::entry::{self, Entry};
use super::id_card::{CardNews, CivilDate, IdCard};
use super::narration::News;
use super::speech::{Phrase, Sound};
use super::view::{Item, Line, Page, Texts, View};
use super::{action, ApiFailure, Effect, Kiosk, PrintJob, Screen as KioskScreen};

/// Wrong PINs in a row before the PIN page is refused.
pub const MAX_WRONG_PINS: u32 = 5;
/// How long the PIN page is refused after too many wrong PINs: ten minutes.
pub const LOCKOUT_SECS: u32 = 600;
/// The second corner's hold must end within this many seconds of the first's.
pub const GESTURE_SECS: u32 = 10;

pub const CAMERA: &str = "camera";
pub const SPEECH: &str = "speech";
pub const PRINTER: &str = "printer";
pub const CARD_READER: &str = "card-reader";
pub const API: &str = "api";
pub const RESTART: &str = "restart";
pub const MAINTENANCE: &str = "maintenance";
/// Play the speech test again, or ask the API again.
pub const AGAIN: &str = "again";
pub const TEST_PRINT: &str = "test-print";
/// The test page's id in [`PrintJob::ticket_id`]: no ticket has it.
pub const TEST_PRINT_ID: &str = "admin-test-page";

/// A blank corner of the page that the gesture holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corner {
    TopLeft,
    TopRight,
}

/// What the admin menu tells of this kiosk, and what it may offer (the configuration says).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminSetup {
    pub kiosk_id: String,
    pub version: String,
    /// The menu offers the way out to a maintenance shell.
    pub maintenance_shell: bool,
}

/// A PIN typed on the PIN page, on its way to be checked. Its `Debug` shows none of it.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminPin(String);

impl AdminPin {
    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AdminPin {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("AdminPin(..)")
    }
}

/// How the kiosk program ends, asked from the admin menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quit {
    /// Stop cleanly; the session supervisor starts the kiosk again.
    Restart,
    /// Stop for a maintenance shell, which the session opens.
    Maintenance,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Screen {
    Pin,
    /// Too many wrong PINs: refused for a while.
    Locked,
    Menu,
    Camera,
    Speech,
    Printer,
    CardReader,
    Api,
}

/// The admin menu's guard: the setup, the gesture in progress and the wrong PINs. It lives in
/// the [`Kiosk`], not the session, so a wipe resets none of it.
pub(crate) struct Guard {
    setup: AdminSetup,
    /// Seconds since the first corner was held, until the second is.
    first_corner_secs: Option<u32>,
    wrong_pins: u32,
    locked_secs: u32,
}

/// What the admin screens hold for this session.
#[derive(Debug, Default)]
pub(crate) struct AdminVisit {
    /// A PIN is being checked.
    checking_pin: bool,
    /// The devices' states, as the heartbeat reports them.
    devices: Vec<DeviceState>,
    /// The API's answer: milliseconds, or why not; `None` while asking.
    api: Option<Result<u32, ApiFailure>>,
    /// The card on the reader, and the day it was read.
    card: Option<(IdCard, CivilDate)>,
    /// The speech test is due: said instead of the screen's announcement.
    speech_test: bool,
}

impl Kiosk {
    /// Enables the admin menu (a staff PIN is configured); without it the gesture does nothing.
    pub fn set_admin(&mut self, setup: AdminSetup) {
        self.admin = Some(Guard { setup, first_corner_secs: None, wrong_pins: 0, locked_secs: 0 });
    }

    /// A blank corner held down: the second corner of the gesture opens the PIN page, or says
    /// for how long it is refused.
    pub(super) fn corner_held(&mut self, corner: Corner) -> Vec<Effect> {
        let Some(guard) = self.admin.as_mut().filter(|_| self.session.screen == KioskScreen::Home) else {
            return vec![];
        };
        let first_held = guard.first_corner_secs.take().is_some();
        match corner {
            Corner::TopLeft => guard.first_corner_secs = Some(0),
            Corner::TopRight if first_held => {
                let locked = guard.locked_secs > 0;
                self.session.typed.clear();
                self.session.admin = Some(AdminVisit::default());
                self.go(if locked { Screen::Locked } else { Screen::Pin });
            }
            Corner::TopRight => {}
        }
        vec![]
    }

    /// The gesture's time limit and the lockout, which run in every session.
    pub(super) fn admin_tick(&mut self, secs: u32) {
        let Some(guard) = self.admin.as_mut() else { return };
        guard.locked_secs = guard.locked_secs.saturating_sub(secs);
        guard.first_corner_secs = guard.first_corner_secs.map(|s| s + secs).filter(|s| *s <= GESTURE_SECS);
    }

    pub(super) fn activate_admin(&mut self, screen: Screen, id: &str) -> Vec<Effect> {
        let maintenance = self.admin.as_ref().is_some_and(|g| g.setup.maintenance_shell);
        let Some(visit) = self.session.admin.as_mut() else { return vec![] };
        match (screen, id) {
            (Screen::Pin, action::ENTRY_DONE) if !visit.checking_pin => {
                if let Err(problem) = entry::validate(Entry::AdminPin, &self.session.typed) {
                    self.session.error = Some(problem);
                    return vec![];
                }
                visit.checking_pin = true;
                // Cleared, so that the next wrong PIN is told again.
                self.session.error = None;
                return vec![Effect::CheckAdminPin(AdminPin(std::mem::take(&mut self.session.typed)))];
            }
            (Screen::Locked, action::HOME) => {
                self.go_home();
            }
            (Screen::Menu, CAMERA) => return self.open_check(Screen::Camera),
            (Screen::Menu, SPEECH) => {
                visit.speech_test = true;
                return self.open_check(Screen::Speech);
            }
            (Screen::Speech, AGAIN) => visit.speech_test = true,
            (Screen::Menu, PRINTER) if self.printer => return self.open_check(Screen::Printer),
            (Screen::Printer, TEST_PRINT) => return self.print_test_page(),
            (Screen::Menu, CARD_READER) if self.card_reader => {
                visit.card = None;
                return self.open_check(Screen::CardReader);
            }
            (Screen::Menu, API) => {
                self.go(Screen::Api);
                return self.check_api();
            }
            (Screen::Api, AGAIN) => return self.check_api(),
            (Screen::Menu, RESTART) => return vec![Effect::Quit(Quit::Restart)],
            (Screen::Menu, MAINTENANCE) if maintenance => return vec![Effect::Quit(Quit::Maintenance)],
            (Screen::Menu, action::CLOSE) => return self.end_visit(),
            (_, action::CLOSE) => self.back(),
            _ => {}
        }
        vec![]
    }

    /// The adapter's answer to [`Effect::CheckAdminPin`]: the menu, or the wrong PIN told and
    /// counted.
    pub(super) fn admin_pin_checked(&mut self, right: bool) -> Vec<Effect> {
        let on_pin_page = self.session.screen == KioskScreen::Admin(Screen::Pin);
        let (Some(guard), Some(visit)) = (self.admin.as_mut(), self.session.admin.as_mut()) else { return vec![] };
        if !on_pin_page || !std::mem::take(&mut visit.checking_pin) {
            return vec![]; // the staff member left meanwhile
        }
        if right {
            guard.wrong_pins = 0;
            self.answered(Screen::Menu);
            return vec![Effect::ReportDevices];
        }
        guard.wrong_pins += 1;
        if guard.wrong_pins >= MAX_WRONG_PINS {
            guard.wrong_pins = 0;
            guard.locked_secs = LOCKOUT_SECS;
            self.session.screen = Screen::Locked.into();
        } else {
            self.session.error = Some("admin.pin.wrong");
        }
        vec![]
    }

    pub(super) fn devices_reported(&mut self, devices: Vec<DeviceState>) -> Vec<Effect> {
        if let Some(visit) = self.session.admin.as_mut() {
            visit.devices = devices;
        }
        vec![]
    }

    pub(super) fn api_checked(&mut self, result: Result<u32, ApiFailure>) -> Vec<Effect> {
        if let Some(visit) = self.session.admin.as_mut() {
            visit.api = Some(result);
        }
        vec![]
    }

    /// A card on the reader while its check shows: shown, masked. `None` on any other screen.
    pub(super) fn admin_card_news(&mut self, news: &CardNews) -> Option<Vec<Effect>> {
        if self.session.screen != KioskScreen::Admin(Screen::CardReader) {
            return None;
        }
        let visit = self.session.admin.as_mut()?;
        match news {
            CardNews::Read { card, today } => {
                visit.card = Some((card.clone(), *today));
                self.session.error = None;
            }
            CardNews::Unreadable => self.session.error = Some("card.error.unreadable"),
        }
        Some(vec![])
    }

    /// The camera check's camera failed.
    pub(super) fn admin_camera_failed(&mut self) {
        self.session.error = Some("admin.camera.failed");
    }

    /// The speech test, once, when due: a recorded clip of the voice pack, then a sentence by
    /// live text-to-speech.
    pub(super) fn take_speech_test(&mut self) -> Option<Vec<Sound>> {
        let visit = self.session.admin.as_mut().filter(|visit| visit.speech_test)?;
        visit.speech_test = false;
        let live = super::prompts::text("admin.speech.live", self.session.profile.language);
        Some(vec![Sound::Say(Phrase::prompt("admin.speech.recorded")), Sound::Say(Phrase::text(live))])
    }

    /// A device's check, with the devices' states as they are now.
    fn open_check(&mut self, screen: Screen) -> Vec<Effect> {
        self.go(screen);
        vec![Effect::ReportDevices]
    }

    fn check_api(&mut self) -> Vec<Effect> {
        if let Some(visit) = self.session.admin.as_mut() {
            visit.api = None;
        }
        vec![Effect::CheckApi]
    }

    fn print_test_page(&mut self) -> Vec<Effect> {
        let (Some(guard), true) = (self.admin.as_ref(), self.printer) else { return vec![] };
        let t = Texts(self.session.profile.language);
        let setup = &guard.setup;
        let job = PrintJob {
            ticket_id: TEST_PRINT_ID.into(),
            number: t.prompt("admin.printer.test-number").shown,
            lines: vec![
                t.prompt("admin.printer.test-line").shown,
                format!("{} {}", t.prompt("admin.kiosk-id").shown, setup.kiosk_id),
                format!("{} {}", t.prompt("admin.version").shown, setup.version),
            ],
            issued_at: String::new(),
            // The code is printed as on a ticket, so it is tested too.
            qr_payload: contract::ticket_code::encode(TEST_PRINT_ID),
        };
        self.print_job(job)
    }

    /// What a check tells as it comes: the API's answer, a card read, the test page printed.
    pub(super) fn admin_news(&self, screen: &Screen) -> Option<News> {
        let visit = self.session.admin.as_ref()?;
        match screen {
            Screen::Api => visit.api.as_ref().map(|answer| News::Status(api_prompt(answer))),
            Screen::CardReader => visit.card.as_ref().map(|_| News::Status("admin.card.read")),
            Screen::Printer => self.print_news(),
            _ => None,
        }
    }

    /// Whether the screen is the camera check (which shows the camera's picture).
    pub(super) fn checks_camera(&self) -> bool {
        self.session.screen == KioskScreen::Admin(Screen::Camera)
    }

    pub(super) fn admin_view(&self, screen: &Screen, t: Texts, view: &mut View) {
        let (Some(guard), Some(visit)) = (self.admin.as_ref(), self.session.admin.as_ref()) else { return };
        let state = |device: &str| visit.devices.iter().find(|d| d.device == device);
        let state_lines = |devices: &[&str]| -> Vec<Line> {
            let known = devices.iter().filter_map(|device| state(device));
            known
                .map(|d| Line::field(t.prompt(&format!("admin.device.{}", d.device)), status_text(t, d.status)))
                .collect()
        };
        let to_menu = t.button(action::CLOSE, "admin.to-menu");
        view.page = Page::Message;
        match screen {
            Screen::Pin => {
                view.page = Page::Entry;
                view.title = t.prompt("admin.pin.title");
                view.prompt = t.prompt(entry::prompt(Entry::AdminPin));
                view.entry = Some(entry::view(Entry::AdminPin, &self.session.typed, true, false));
                view.items = vec![t.button(action::ENTRY_DONE, "entry.done")];
            }
            Screen::Locked => {
                view.title = t.prompt("admin.locked.title");
                let minutes = guard.locked_secs.div_ceil(60).max(1);
                view.prompt = t.prompt_with("admin.locked.prompt", vec![Phrase::number(minutes.into())]);
                view.items = vec![t.button(action::HOME, "later.home")];
            }
            Screen::Menu => {
                view.page = Page::List;
                view.title = t.prompt("admin.menu.title");
                let (id, version) = (Phrase::code(&guard.setup.kiosk_id), Phrase::code(&guard.setup.version));
                view.prompt = t.prompt_with("admin.menu.prompt", vec![id, version]);
                let worst = |devices: &[&str]| {
                    let found = devices.iter().filter_map(|device| state(device));
                    found.map(|d| d.status).max_by_key(|status| severity(*status))
                };
                let device_item = |id: &str, devices: &[&str]| {
                    let item = t.prompted_item("admin", id);
                    match worst(devices) {
                        Some(status) => Item { detail: status_text(t, status), ..item },
                        None => item,
                    }
                };
                view.items = vec![device_item(CAMERA, &["camera"]), device_item(SPEECH, &SPEECH_DEVICES)];
                if self.printer {
                    view.items.push(device_item(PRINTER, &["printer"]));
                }
                if self.card_reader {
                    view.items.push(device_item(CARD_READER, &["card_reader"]));
                }
                view.items.extend([API, RESTART].map(|id| t.prompted_item("admin", id)));
                if guard.setup.maintenance_shell {
                    view.items.push(t.prompted_item("admin", MAINTENANCE));
                }
                view.items.push(t.prompted_item("admin", action::CLOSE));
            }
            Screen::Camera => {
                view.page = Page::CameraCheck;
                view.title = t.prompt("admin.camera");
                view.prompt = t.prompt("admin.camera.prompt");
                view.lines = state_lines(&["camera"]);
                view.items = vec![to_menu];
            }
            Screen::Speech => {
                view.title = t.prompt("admin.speech");
                view.prompt = t.prompt("admin.speech.prompt");
                view.lines = state_lines(&SPEECH_DEVICES);
                view.items = vec![t.button(AGAIN, "admin.speech.again"), to_menu];
            }
            Screen::Printer => {
                view.title = t.prompt("admin.printer");
                view.prompt = t.prompt("admin.printer.prompt");
                view.lines = state_lines(&["printer"]);
                view.lines.extend(self.print_line(t));
                view.items = vec![t.button(TEST_PRINT, "admin.printer.test"), to_menu];
            }
            Screen::CardReader => {
                view.title = t.prompt("admin.card-reader");
                view.prompt = t.prompt("admin.card.prompt");
                view.lines = state_lines(&["card_reader"]);
                if let Some((card, today)) = &visit.card {
                    view.lines.extend(card_lines(card, *today, t));
                }
                view.items = vec![to_menu];
            }
            Screen::Api => {
                view.title = t.prompt("admin.api");
                view.prompt = t.prompt("admin.api.prompt");
                let answer = match &visit.api {
                    None => t.prompt("admin.api.checking"),
                    Some(answer) => {
                        let ms = answer.as_ref().map(|ms| vec![Phrase::number((*ms).into())]);
                        t.prompt_with(api_prompt(answer), ms.unwrap_or_default())
                    }
                };
                view.lines = vec![
                    Line::field(t.prompt("admin.api.state"), answer),
                    Line::field(t.prompt("admin.kiosk-id"), t.phrase(Phrase::code(&guard.setup.kiosk_id))),
                    Line::field(t.prompt("admin.version"), t.phrase(Phrase::code(&guard.setup.version))),
                ];
                view.items = vec![t.button(AGAIN, "admin.api.again"), to_menu];
            }
        }
    }
}

/// The devices the speech test tries: the sound card, live speech and the voice pack.
const SPEECH_DEVICES: [&str; 3] = ["audio", "speech", "voice_pack"];

fn api_prompt(answer: &Result<u32, ApiFailure>) -> &'static str {
    match answer {
        Ok(_) => "admin.api.reachable",
        Err(ApiFailure::Unreachable(_)) => "admin.api.unreachable",
        Err(ApiFailure::Refused(_)) => "admin.api.refused",
    }
}

fn severity(status: DeviceStatus) -> u8 {
    match status {
        DeviceStatus::Ok => 0,
        DeviceStatus::Fault => 1,
        DeviceStatus::Missing => 2,
    }
}

fn status_text(t: Texts, status: DeviceStatus) -> super::view::Text {
    t.prompt(match status {
        DeviceStatus::Ok => "admin.status.ok",
        DeviceStatus::Fault => "admin.status.fault",
        DeviceStatus::Missing => "admin.status.missing",
    })
}

/// The card on the reader, masked as a bystander may see it: the name's first character, the
/// number's region and last four, and whether it is still valid.
fn card_lines(card: &IdCard, today: CivilDate, t: Texts) -> Vec<Line> {
    let keep = |text: &str, head: usize, tail: usize| -> String {
        let chars: Vec<char> = text.chars().collect();
        let tail = tail.min(chars.len().saturating_sub(head));
        chars.iter().enumerate().map(|(i, c)| if i < head || i >= chars.len() - tail { *c } else { '*' }).collect()
    };
    let valid = match card.valid_until {
        None => t.prompt("admin.card.for-life"),
        Some(until) if until < today => t.prompt("card.error.expired"),
        Some(CivilDate { year, month, day }) => t.phrase(Phrase::code(format!("{year}-{month:02}-{day:02}"))),
    };
    vec![
        Line::heading(t.prompt("admin.card.read")),
        Line::field(t.prompt("admin.card.name"), t.phrase(Phrase::text(keep(&card.name, 1, 0)))),
        Line::field(t.prompt("admin.card.number"), t.phrase(Phrase::code(keep(&card.id_number, 6, 4)))),
        Line::field(t.prompt("admin.card.valid-until"), valid),
    ]
}
