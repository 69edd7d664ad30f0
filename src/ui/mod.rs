//! The thin adapter between the core and Slint: UI callbacks become core events ([`keys`]),
//! the core's view becomes the window's globals ([`render`]), speech shows as captions and a
//! flash ([`captions`]), the camera screens show the camera ([`preview`]), and the service
//! API calls run on worker threads ([`crate::effects`]) whose answers come back to the UI
//! thread as events.

mod captions;
mod keys;
pub use keys::Keymap;
mod preview;
mod render;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use kiosk_core::profile::Language;
use kiosk_core::view::View;
use kiosk_core::{AdminSetup, CameraUse, Effect, EntryKey, Event, Kiosk, Quit};
use slint::ComponentHandle;
use tokio::sync::oneshot;

use crate::admin::PinHash;
use crate::camera::face::{face_target_y, FacePhoto};
use crate::camera::{FrameSource, OpenError};
use crate::desk::Region;
use crate::effects::{EffectRunner, ServiceApi};
use crate::fleet::{device_states, DeviceReport, DeviceTrouble, Fitted};
use crate::outbox::Outbox;
use crate::printer::{PrintQueue, TicketPrinter};
use crate::speech::Voice;
use crate::video::{Closed, VideoLauncher, VideoWindow};
use captions::Captioner;
use preview::CameraPreview;

slint::include_modules!();

/// The font every page is drawn in (`default-font-family` in ui/app.slint).
pub const FONT_FAMILY: &str = "Noto Sans CJK SC";

/// Opens the scan screen's camera: the configured device or images (see [`crate::camera::open`]),
/// on the scanner's camera thread.
pub type CameraOpener = Arc<dyn Fn() -> Result<Box<dyn FrameSource>, OpenError> + Send + Sync>;

/// How often the camera's preview looks for a new frame (and takes in scanned codes).
const PREVIEW_EVERY: Duration = Duration::from_millis(33);
/// How often the kiosk listens for the end of what is said, while something waits its turn.
const QUIET_EVERY: Duration = Duration::from_millis(50);

/// What the kiosk speaks, sees and calls through, behind their traits.
pub struct Devices {
    pub voice: Box<dyn Voice>,
    pub camera: CameraOpener,
    pub video: Box<dyn VideoLauncher>,
    /// The resident's keypad: which key does what.
    pub keypad: keys::Keymap,
    /// The ticket printer, if the kiosk has one.
    pub printer: Option<Box<dyn TicketPrinter>>,
    /// The ID card reader, if the kiosk has one: set while it cannot be used
    /// ([`crate::card_reader::watch`]).
    pub card_reader_down: Option<Arc<AtomicBool>>,
}

/// The kiosk's window with the core behind it.
pub struct KioskUi {
    pub window: AppWindow,
    controller: Rc<Controller>,
}

struct Controller {
    kiosk: RefCell<Kiosk>,
    window: slint::Weak<AppWindow>,
    effects: EffectRunner,
    voice: Box<dyn Voice>,
    video: Box<dyn VideoLauncher>,
    /// The interpreter call's video window, while it is open.
    video_window: RefCell<Option<Box<dyn VideoWindow>>>,
    captioner: Rc<Captioner>,
    /// Events from other threads (the headphone jack, the scanner, the outbox), taken in at
    /// each tick and, while the camera is on, at each preview frame.
    outside: (mpsc::Sender<Event>, mpsc::Receiver<Event>),
    camera: CameraPreview,
    preview_clock: slint::Timer,
    /// The pension face picture, in memory only, from when it is taken until the core says
    /// it may go (submitted, refused, or the resident left).
    face_photo: FacePhoto,
    /// The view on screen, so unchanged lists keep their scroll position.
    shown: RefCell<Option<View>>,
    idle_clock: slint::Timer,
    /// The camera or the video that failed, for the staff notice.
    trouble: Cell<DeviceTrouble>,
    printer: Option<PrintQueue>,
    card_reader_down: Option<Arc<AtomicBool>>,
    /// Each device's state, as the staff notice shows it, for the heartbeat.
    device_report: DeviceReport,
    /// What waits to be said once the kiosk is quiet ([`Effect::SpeakAfter`]).
    waiting_to_speak: RefCell<Option<kiosk_core::speech::Utterance>>,
    quiet_clock: slint::Timer,
    /// The staff PIN's hash, once the admin menu is enabled.
    admin_pin: RefCell<Option<PinHash>>,
    /// How the admin menu asked the program to end.
    quit: std::cell::Cell<Option<Quit>>,
}

impl KioskUi {
    /// The kiosk, asking `api`, keeping durable requests in `outbox`.
    pub fn new(
        kiosk: Kiosk,
        api: impl ServiceApi + 'static,
        outbox: Outbox,
        devices: Devices,
    ) -> Result<KioskUi, slint::PlatformError> {
        let window = AppWindow::new()?;
        let face_photo = FacePhoto::default();
        let outside = mpsc::channel();
        let printer = devices.printer.map(|printer| PrintQueue::start(printer, outside.0.clone()));
        let controller = Rc::new(Controller {
            kiosk: RefCell::new(kiosk),
            window: window.as_weak(),
            effects: EffectRunner::new(api, face_photo.clone(), outbox, outside.0.clone()),
            voice: devices.voice,
            video: devices.video,
            video_window: RefCell::new(None),
            captioner: Rc::new(Captioner::new(window.as_weak())),
            outside,
            camera: CameraPreview::new(devices.camera),
            preview_clock: slint::Timer::default(),
            face_photo,
            shown: RefCell::new(None),
            idle_clock: slint::Timer::default(),
            trouble: Cell::default(),
            printer,
            card_reader_down: devices.card_reader_down,
            device_report: DeviceReport::default(),
            waiting_to_speak: RefCell::new(None),
            quiet_clock: slint::Timer::default(),
            admin_pin: RefCell::new(None),
            quit: Default::default(),
        });

        let view = window.global::<KioskView>();
        let c = controller.clone();
        view.on_activate(move |id| c.dispatch(Event::Activate(id.into())));
        let c = controller.clone();
        view.on_bar(move |action| c.dispatch(keys::bar_event(action)));
        let c = controller.clone();
        let keypad = devices.keypad;
        view.on_nav_key(move |text| match keypad.nav_key(&text) {
            Some(key) => {
                c.dispatch(Event::Nav(key));
                true
            }
            None => false,
        });
        let c = controller.clone();
        view.on_key(move |name| {
            if let Some(key) = EntryKey::parse(&name) {
                c.dispatch(Event::Key(key));
            }
        });
        let c = controller.clone();
        view.on_more_time(move || c.dispatch(Event::MoreTime));
        let c = controller.clone();
        view.on_touched(move || c.dispatch(Event::Touched));
        let c = controller.clone();
        view.on_corner_held(move |corner| c.dispatch(keys::corner_event(corner)));

        let c = Rc::downgrade(&controller);
        controller.idle_clock.start(slint::TimerMode::Repeated, Duration::from_secs(1), move || {
            if let Some(c) = c.upgrade() {
                c.take_outside_events();
                c.watch_video_window();
                c.dispatch(Event::Tick(1));
                c.show_staff_notice();
            }
        });
        controller.render();
        controller.show_staff_notice();
        Ok(KioskUi { window, controller })
    }

    /// Loads the catalog; the home screen shows once it is there.
    pub fn start(&self) {
        let effects = self.controller.kiosk.borrow_mut().start();
        self.controller.render();
        self.controller.run_all(effects);
    }

    /// Where other threads send events; they are handled within a second.
    pub fn events(&self) -> mpsc::Sender<Event> {
        self.controller.outside.0.clone()
    }

    /// Each device's state, kept up to date every second (for [`crate::fleet::start`]).
    pub fn device_report(&self) -> DeviceReport {
        self.controller.device_report.clone()
    }

    /// How many durable requests wait in the outbox.
    pub fn outbox_backlog(&self) -> Arc<AtomicUsize> {
        self.controller.effects.outbox_backlog()
    }

    /// Enables the staff's admin menu, opened with `pin`.
    pub fn set_admin(&self, setup: AdminSetup, pin: PinHash) {
        self.controller.kiosk.borrow_mut().set_admin(setup);
        *self.controller.admin_pin.borrow_mut() = Some(pin);
    }

    /// How the admin menu asked the program to end, once the event loop has ended for it.
    pub fn quit_asked(&self) -> Option<Quit> {
        self.controller.quit.get()
    }

    /// What the screen shows now.
    pub fn view(&self) -> View {
        self.controller.kiosk.borrow().view()
    }
}

impl Controller {
    fn dispatch(self: &Rc<Self>, event: Event) {
        match event {
            Event::CameraFailed(_) => self.trouble.set(DeviceTrouble { camera: true, ..self.trouble.get() }),
            Event::VideoCallFailed => self.trouble.set(DeviceTrouble { video: true, ..self.trouble.get() }),
            _ => {}
        }
        let effects = self.kiosk.borrow_mut().handle(event);
        self.render();
        self.run_all(effects);
    }

    fn run_all(self: &Rc<Self>, effects: Vec<Effect>) {
        for effect in effects {
            self.run(effect);
        }
    }

    /// Speaks, shows or closes what the effect asks for, or calls the API off the UI thread
    /// and feeds the answer back as an event.
    fn run(self: &Rc<Self>, effect: Effect) {
        match effect {
            Effect::Speak(utterance) => {
                self.waiting_to_speak.borrow_mut().take();
                self.captioner.show(&utterance);
                self.voice.say(&utterance);
            }
            Effect::SpeakAfter(utterance) if self.voice.is_speaking() => {
                *self.waiting_to_speak.borrow_mut() = Some(utterance);
                let c = Rc::downgrade(self);
                self.quiet_clock.start(slint::TimerMode::Repeated, QUIET_EVERY, move || {
                    if let Some(c) = c.upgrade() {
                        c.speak_when_quiet();
                    }
                });
            }
            Effect::SpeakAfter(utterance) => self.run(Effect::Speak(utterance)),
            Effect::StopSpeech => {
                self.waiting_to_speak.borrow_mut().take();
                self.voice.stop()
            }
            Effect::PauseSpeech => self.voice.pause(),
            Effect::ResumeSpeech => self.voice.resume(),
            Effect::OpenCamera(camera_use) => {
                if let (CameraUse::Face(attempt), Some(window)) = (camera_use, self.window.upgrade()) {
                    window.global::<KioskView>().set_face_target_y(face_target_y(attempt));
                }
                self.camera.open(camera_use, &self.face_photo, self.outside.0.clone());
                let c = Rc::downgrade(self);
                self.preview_clock.start(slint::TimerMode::Repeated, PREVIEW_EVERY, move || {
                    if let Some(c) = c.upgrade() {
                        c.show_newest_frame();
                        c.take_outside_events();
                    }
                });
            }
            Effect::CloseCamera => {
                self.preview_clock.stop();
                self.camera.close();
                if let Some(window) = self.window.upgrade() {
                    window.global::<KioskView>().set_camera_preview(slint::Image::default());
                }
            }
            Effect::OpenVideoCall { join_url, language } => self.open_video_window(&join_url, language),
            Effect::CloseVideoCall => drop(self.video_window.borrow_mut().take()),
            Effect::DiscardFacePhoto => drop(self.face_photo.lock().map(|mut photo| photo.take())),
            Effect::PrintTicket(job) => {
                if let Some(printer) = &self.printer {
                    printer.print(job);
                }
            }
            Effect::CheckAdminPin(pin) => {
                let hash = self.admin_pin.borrow().clone();
                let (answer, answered) = oneshot::channel();
                std::thread::spawn(move || {
                    let right = hash.is_some_and(|hash| hash.matches(pin.digits()));
                    let _ = answer.send(Event::AdminPinChecked { right });
                });
                self.dispatch_answer(answered);
            }
            Effect::ReportDevices => {
                let devices = self.device_report.lock().unwrap_or_else(|e| e.into_inner()).clone();
                self.dispatch(Event::DevicesReported(devices));
            }
            Effect::Quit(quit) => {
                self.quit.set(Some(quit));
                if let Err(e) = slint::quit_event_loop() {
                    eprintln!("kiosk: cannot stop the event loop: {e}");
                }
            }
            durable if durable.is_durable() => self.effects.keep(durable),
            api_call => self.dispatch_answer(self.effects.start(api_call)),
        }
    }

    /// Handles the API's answer on the UI thread when it comes.
    fn dispatch_answer(self: &Rc<Self>, answered: oneshot::Receiver<Event>) {
        let this = self.clone();
        let spawned = slint::spawn_local(async move {
            if let Ok(event) = answered.await {
                this.dispatch(event);
            }
        });
        spawned.expect("the UI event loop runs");
    }

    /// Says what waited its turn, once nothing else is said.
    fn speak_when_quiet(self: &Rc<Self>) {
        if self.voice.is_speaking() {
            return;
        }
        self.quiet_clock.stop();
        let waiting = self.waiting_to_speak.borrow_mut().take();
        if let Some(utterance) = waiting {
            self.run(Effect::Speak(utterance));
        }
    }

    fn take_outside_events(self: &Rc<Self>) {
        while let Ok(event) = self.outside.1.try_recv() {
            self.dispatch(event);
        }
    }

    fn show_newest_frame(&self) {
        let (Some(frame), Some(window)) = (self.camera.newest_frame(), self.window.upgrade()) else { return };
        window.global::<KioskView>().set_camera_preview(frame);
        self.trouble.set(DeviceTrouble { camera: false, ..self.trouble.get() });
    }

    /// Opens the interpreter's video room; a launcher that fails is reported like a window that
    /// failed, at the next tick.
    fn open_video_window(&self, join_url: &str, language: Language) {
        match self.video.open(join_url, language, self.video_region()) {
            Ok(window) => {
                *self.video_window.borrow_mut() = Some(window);
                self.trouble.set(DeviceTrouble { video: false, ..self.trouble.get() });
            }
            Err(e) => {
                eprintln!("kiosk: cannot open the video call: {e}");
                let _ = self.outside.0.send(Event::VideoCallFailed);
            }
        }
    }

    /// The screen below the bar and above the caption strip: the video's, while the bar (with
    /// its 结束通话) and the captions stay in sight.
    fn video_region(&self) -> Region {
        let Some(window) = self.window.upgrade() else { return Region::default() };
        let (scale, at, size) = (window.window().scale_factor(), window.window().position(), window.window().size());
        let captions = window.global::<Captions>();
        let strip = if captions.get_on() { captions.get_strip_height() } else { 0.0 };
        let (bar, strip) =
            ((window.global::<KioskView>().get_bar_height() * scale).ceil() as u32, (strip * scale) as u32);
        Region { x: at.x, y: at.y + bar as i32, width: size.width, height: size.height.saturating_sub(bar + strip) }
    }

    /// Keeps the video window in its place, and tells the core when it has closed.
    fn watch_video_window(self: &Rc<Self>) {
        if let Some(window) = self.video_window.borrow_mut().as_mut() {
            window.keep_in_place();
        }
        let closed = self.video_window.borrow_mut().as_mut().and_then(|w| w.closed());
        if let Some(closed) = closed {
            self.video_window.borrow_mut().take();
            self.dispatch(match closed {
                Closed::Normally => Event::VideoCallClosed,
                Closed::Failed => Event::VideoCallFailed,
            });
        }
    }

    /// What keeps speech or a device from working, for the center's staff, in the kiosk's
    /// language.
    fn show_staff_notice(&self) {
        let Some(window) = self.window.upgrade() else { return };
        let language = self.kiosk.borrow().profile().language;
        let trouble = DeviceTrouble {
            card_reader: self.card_reader_down.as_ref().is_some_and(|down| down.load(Ordering::Relaxed)),
            printer: self.printer.as_ref().and_then(|p| *p.health.lock().unwrap_or_else(|e| e.into_inner())),
            ..self.trouble.get()
        };
        let problems = self.voice.problems();
        let fitted = Fitted { card_reader: self.card_reader_down.is_some(), printer: self.printer.is_some() };
        *self.device_report.lock().unwrap_or_else(|e| e.into_inner()) = device_states(&problems, trouble, fitted);
        render::staff_notice(&window, &problems, trouble, language);
    }

    fn render(&self) {
        let Some(window) = self.window.upgrade() else { return };
        let view = self.kiosk.borrow().view();
        let shown = self.shown.replace(Some(view.clone()));
        if shown.as_ref() == Some(&view) {
            return; // most timer ticks change nothing
        }
        if shown.as_ref().is_none_or(|v| v.page != view.page || v.title != view.title) {
            self.captioner.clear(); // the next screen's words, if it says any, follow
        }
        render::view(&window, view, shown.as_ref());
    }
}
