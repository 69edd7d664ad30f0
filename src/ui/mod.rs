//! The thin adapter between the core and Slint: UI callbacks become core events, the core's
//! view becomes window properties, and the core's effects run on worker threads whose
//! results come back to the UI thread as events.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::{mpsc, Arc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use contract::model::NewFaceAuth;
use slint::{ComponentHandle, ModelRc, VecModel};

use contract::ApiClient;
use crate::camera::{FrameSource, OpenError};
use kiosk_core::profile::Language;
use kiosk_core::view::{self, View};
use kiosk_core::voice::NavKey;
use kiosk_core::speech::{Earcon, Sound, Utterance};
use kiosk_core::{prompts, BarAction, CameraUse, Effect, EntryKey, Event, Kiosk};
use crate::face_camera::{FacePhoto, FaceWatch};
use crate::scanner::{ScanEvent, Scanner};
use crate::speech::{SpeechProblem, Voice};
use crate::video::{Closed, VideoLauncher, VideoWindow};

slint::include_modules!();

/// Opens the scan screen's camera: the configured device or images (see [`crate::camera::open`]),
/// on the scanner's camera thread.
pub type CameraOpener = Arc<dyn Fn() -> Result<Box<dyn FrameSource>, OpenError> + Send + Sync>;

/// How often the camera's preview looks for a new frame (and takes in scanned codes).
const PREVIEW_EVERY: Duration = Duration::from_millis(33);
/// How long the window's border flashes with an alert or error sound, its visual counterpart.
const FLASH_FOR: Duration = Duration::from_millis(1500);

/// What the kiosk speaks, sees and calls through, behind their traits.
pub struct Devices {
    pub voice: Box<dyn Voice>,
    pub camera: CameraOpener,
    pub video: Box<dyn VideoLauncher>,
}

/// The kiosk's window with the core behind it.
pub struct KioskUi {
    pub window: AppWindow,
    controller: Rc<Controller>,
}

struct Controller {
    kiosk: RefCell<Kiosk>,
    window: slint::Weak<AppWindow>,
    api: Arc<ApiClient>,
    voice: Box<dyn Voice>,
    video: Box<dyn VideoLauncher>,
    /// The interpreter call's video window, while it is open.
    video_window: RefCell<Option<Box<dyn VideoWindow>>>,
    flash_clock: slint::Timer,
    /// The captions of the utterance being said, after the one shown.
    captions: RefCell<VecDeque<String>>,
    caption_clock: slint::Timer,
    /// Events from other threads (the headphone jack, the scanner), taken in at each tick
    /// and, while the camera is on, at each preview frame.
    outside: (mpsc::Sender<Event>, mpsc::Receiver<Event>),
    open_camera: CameraOpener,
    /// The camera (and the QR decoder or the face guidance), while a screen shows its picture.
    scanner: RefCell<Option<Scanner>>,
    /// The pension face picture, in memory only, from when it is taken until the core says
    /// it may go (submitted, refused, or the resident left).
    face_photo: FacePhoto,
    preview_clock: slint::Timer,
    /// The sequence number of the frame on screen.
    previewed: Cell<u64>,
    /// The view on screen, so unchanged lists keep their scroll position.
    shown: RefCell<Option<View>>,
    idle_clock: slint::Timer,
}

impl KioskUi {
    pub fn new(kiosk: Kiosk, api: ApiClient, devices: Devices) -> Result<KioskUi, slint::PlatformError> {
        let window = AppWindow::new()?;
        let controller = Rc::new(Controller {
            kiosk: RefCell::new(kiosk),
            window: window.as_weak(),
            api: Arc::new(api),
            voice: devices.voice,
            video: devices.video,
            video_window: RefCell::new(None),
            flash_clock: slint::Timer::default(),
            captions: RefCell::new(VecDeque::new()),
            caption_clock: slint::Timer::default(),
            outside: mpsc::channel(),
            open_camera: devices.camera,
            scanner: RefCell::new(None),
            face_photo: FacePhoto::default(),
            preview_clock: slint::Timer::default(),
            previewed: Cell::new(0),
            shown: RefCell::new(None),
            idle_clock: slint::Timer::default(),
        });

        let c = controller.clone();
        window.on_activate(move |id| c.dispatch(Event::Activate(id.into())));
        let c = controller.clone();
        window.on_bar(move |name| match name.as_str() {
            "help-held" => c.dispatch(Event::HelpHeld),
            name => {
                if let Some(action) = BarAction::parse(name) {
                    c.dispatch(Event::Bar(action));
                }
            }
        });
        let c = controller.clone();
        window.on_nav_key(move |text| match keypad_key(&text) {
            Some(key) => {
                c.dispatch(Event::Nav(key));
                true
            }
            None => false,
        });
        let c = controller.clone();
        window.on_key(move |name| {
            if let Some(key) = EntryKey::parse(&name) {
                c.dispatch(Event::Key(key));
            }
        });
        let c = controller.clone();
        window.on_more_time(move || c.dispatch(Event::MoreTime));
        let c = controller.clone();
        window.on_touched(move || c.dispatch(Event::Touched));

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

    /// What the screen shows now.
    pub fn view(&self) -> View {
        self.controller.kiosk.borrow().view()
    }
}

impl Controller {
    fn dispatch(self: &Rc<Self>, event: Event) {
        let effects = self.kiosk.borrow_mut().handle(event);
        self.render();
        self.run_all(effects);
    }

    fn run_all(self: &Rc<Self>, effects: Vec<Effect>) {
        for effect in effects {
            self.run(effect);
        }
    }

    /// Speaks, or calls the API off the UI thread and feeds the answer back as an event.
    fn run(self: &Rc<Self>, effect: Effect) {
        match &effect {
            Effect::Speak(utterance) => {
                self.show_visually(utterance);
                return self.voice.say(utterance);
            }
            Effect::StopSpeech => return self.voice.stop(),
            Effect::PauseSpeech => return self.voice.pause(),
            Effect::ResumeSpeech => return self.voice.resume(),
            Effect::OpenCamera(camera_use) => return self.open_camera(*camera_use),
            Effect::CloseCamera => return self.close_camera(),
            Effect::OpenVideoCall { join_url, language } => return self.open_video_window(join_url, *language),
            Effect::CloseVideoCall => return drop(self.video_window.borrow_mut().take()),
            Effect::DiscardFacePhoto => return drop(self.face_photo.lock().map(|mut photo| photo.take())),
            _ => {}
        }
        let face_photo = self.face_photo.clone();
        let api = self.api.clone();
        let (answer, answered) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let event = match effect {
                Effect::LoadCatalog => Event::CatalogLoaded(api.catalog()),
                Effect::IssueTicket { request, idempotency_key } => {
                    Event::TicketIssued(api.issue_ticket(&request, &idempotency_key))
                }
                Effect::RedeemReceipt { request, idempotency_key } => {
                    Event::ReceiptRedeemed(api.redeem_receipt(&request, &idempotency_key))
                }
                Effect::RequestInterpreter { idempotency_key } => {
                    Event::InterpreterCallUpdated(api.request_interpreter(&idempotency_key))
                }
                Effect::PollInterpreterCall { id } => Event::InterpreterCallUpdated(api.interpreter_call(&id)),
                Effect::ReportVideoStarted { id } => {
                    Event::InterpreterCallUpdated(api.move_interpreter_call(&id, "started"))
                }
                Effect::EndInterpreterCall { id } => Event::InterpreterCallUpdated(api.move_interpreter_call(&id, "end")),
                Effect::HangUp { id } => Event::InterpreterCallUpdated(api.hang_up(&id)),
                Effect::SendStaffCall { reason, idempotency_key } => {
                    Event::StaffCallAnswered { result: api.call_staff(reason, &idempotency_key), idempotency_key }
                }
                Effect::PollStaffCall { id, idempotency_key } => {
                    Event::StaffCallAnswered { result: api.staff_call(&id), idempotency_key }
                }
                Effect::SubmitFaceAuth { id_number, attempt, liveness, idempotency_key } => {
                    let photo = face_photo.lock().map(|photo| photo.clone()).ok().flatten();
                    let request = NewFaceAuth {
                        id_number,
                        // The core asks for a submission only after the resident's consent.
                        consent: true,
                        attempt,
                        liveness,
                        photo_jpeg: base64::engine::general_purpose::STANDARD.encode(photo.unwrap_or_default()),
                    };
                    Event::FaceAuthSubmitted(api.submit_face_auth(&request, &idempotency_key))
                }
                _ => unreachable!("handled on the UI thread above"),
            };
            let _ = answer.send(event);
        });
        let this = self.clone();
        let spawned = slint::spawn_local(async move {
            if let Ok(event) = answered.await {
                this.dispatch(event);
            }
        });
        spawned.expect("the UI event loop runs");
    }

    fn take_outside_events(self: &Rc<Self>) {
        while let Ok(event) = self.outside.1.try_recv() {
            self.dispatch(event);
        }
    }

    /// Starts the camera (and the QR decoder, to read codes), and the preview that shows the
    /// camera's frames.
    fn open_camera(self: &Rc<Self>, camera_use: CameraUse) {
        let events = self.outside.0.clone();
        let open = self.open_camera.clone();
        let on_event = move |event| {
            let event = match event {
                ScanEvent::Read(payload) => Event::CodeRead { payload, now: unix_seconds() },
                ScanEvent::Face(news) => Event::Face(news),
                ScanEvent::Failed(problem) => Event::CameraFailed(problem),
            };
            let _ = events.send(event);
        };
        let scanner = match camera_use {
            CameraUse::ReadCodes => Scanner::open(move || open(), crate::scan::decoder(), on_event),
            CameraUse::SelfView => Scanner::preview(move || open(), on_event),
            CameraUse::Face => {
                Scanner::with_work(move || open(), Box::new(FaceWatch::new(self.face_photo.clone())), on_event)
            }
        };
        *self.scanner.borrow_mut() = Some(scanner);
        self.previewed.set(0);
        let c = Rc::downgrade(self);
        self.preview_clock.start(slint::TimerMode::Repeated, PREVIEW_EVERY, move || {
            if let Some(c) = c.upgrade() {
                c.show_newest_frame();
                c.take_outside_events();
            }
        });
    }

    /// Releases the camera (waiting for its threads) and blanks the preview.
    fn close_camera(&self) {
        self.preview_clock.stop();
        drop(self.scanner.borrow_mut().take());
        if let Some(window) = self.window.upgrade() {
            window.set_camera_preview(slint::Image::default());
        }
    }

    /// Opens the interpreter's video room; a launcher that fails is reported like a window that
    /// failed, at the next tick.
    fn open_video_window(&self, join_url: &str, language: Language) {
        match self.video.open(join_url, language) {
            Ok(window) => *self.video_window.borrow_mut() = Some(window),
            Err(e) => {
                eprintln!("kiosk: cannot open the video call: {e}");
                let _ = self.outside.0.send(Event::VideoCallFailed);
            }
        }
    }

    /// Tells the core when the video window has closed.
    fn watch_video_window(self: &Rc<Self>) {
        let closed = self.video_window.borrow_mut().as_mut().and_then(|w| w.closed());
        if let Some(closed) = closed {
            self.video_window.borrow_mut().take();
            self.dispatch(match closed {
                Closed::Normally => Event::VideoCallClosed,
                Closed::Failed => Event::VideoCallFailed,
            });
        }
    }

    /// The visual counterparts of speech: the caption strip shows the words, and the
    /// window's border flashes with the error and alert sounds.
    fn show_visually(self: &Rc<Self>, utterance: &Utterance) {
        let Some(window) = self.window.upgrade() else { return };
        *self.captions.borrow_mut() = utterance.captions().into();
        self.next_caption(utterance.language);
        let flash = utterance.sounds.iter().find_map(|sound| match sound {
            Sound::Earcon(Earcon::Error) => Some(Flash::Error),
            Sound::Earcon(Earcon::Alert) => Some(Flash::Alert),
            _ => None,
        });
        if let Some(flash) = flash {
            window.set_flash(flash);
            let weak = self.window.clone();
            self.flash_clock.start(slint::TimerMode::SingleShot, FLASH_FOR, move || {
                if let Some(window) = weak.upgrade() {
                    window.set_flash(Flash::None);
                }
            });
        }
    }

    /// Shows the next caption, and the one after it once this one has had the time it takes
    /// to say; the last stays until something else is said or the screen changes.
    fn next_caption(self: &Rc<Self>, language: Language) {
        let Some(window) = self.window.upgrade() else { return };
        let Some(caption) = self.captions.borrow_mut().pop_front() else { return };
        if !self.captions.borrow().is_empty() {
            let c = Rc::downgrade(self);
            let shown_for = caption_time(&caption, language);
            self.caption_clock.start(slint::TimerMode::SingleShot, shown_for, move || {
                if let Some(c) = c.upgrade() {
                    c.next_caption(language);
                }
            });
        }
        window.set_caption(caption.into());
    }

    fn clear_captions(&self, window: &AppWindow) {
        self.caption_clock.stop();
        self.captions.borrow_mut().clear();
        window.set_caption("".into());
    }

    /// The camera's newest frame, mirrored so that moving the phone feels like a mirror.
    fn show_newest_frame(&self) {
        let frame = self.scanner.borrow().as_ref().and_then(Scanner::latest_frame);
        let (Some((number, image)), Some(window)) = (frame, self.window.upgrade()) else { return };
        if number == self.previewed.replace(number) {
            return;
        }
        let mirrored = image::imageops::flip_horizontal(image.as_ref());
        let pixels = slint::SharedPixelBuffer::<slint::Rgb8Pixel>::clone_from_slice(
            mirrored.as_raw(),
            mirrored.width(),
            mirrored.height(),
        );
        window.set_camera_preview(slint::Image::from_rgb8(pixels));
    }

    /// What keeps speech from working, for the center's staff, in the kiosk's language.
    fn show_staff_notice(&self) {
        let Some(window) = self.window.upgrade() else { return };
        let language = self.kiosk.borrow().profile().language;
        let notices: Vec<String> = self
            .voice
            .problems()
            .iter()
            .map(|problem| {
                let id = match problem {
                    SpeechProblem::NoAudioDevice(_) => "notice.no-audio",
                    SpeechProblem::NoSpeechDaemon(_) => "notice.no-speech-service",
                    SpeechProblem::NoVoice(_) => "notice.no-voice",
                    SpeechProblem::BadClip(_) => "notice.bad-clip",
                    SpeechProblem::NoVoicePack => "notice.no-voice-pack",
                };
                prompts::text(id, language)
            })
            .collect();
        let notice = notices.join("\n");
        if window.get_staff_notice() != notice.as_str() {
            window.set_staff_notice(notice.into());
        }
    }

    fn render(&self) {
        let Some(window) = self.window.upgrade() else { return };
        let view = self.kiosk.borrow().view();
        let shown = self.shown.replace(Some(view.clone()));
        if shown.as_ref() == Some(&view) {
            return; // most timer ticks change nothing
        }
        let profile = view.profile;
        let focus_item = view.voice_focus.strip_prefix("item:");
        let focus_index = focus_item.and_then(|id| view.items.iter().position(|i| i.id == id));

        if shown.as_ref().map(|v| v.profile.language) != Some(profile.language) {
            // The source strings are Chinese; "" selects them.
            let locale = match profile.language {
                Language::Zh => "",
                Language::En => profile.language.locale(),
            };
            if let Err(e) = slint::select_bundled_translation(locale) {
                eprintln!("kiosk: no translation for {locale}: {e}");
            }
        }

        if shown.as_ref().is_none_or(|v| v.page != view.page || v.title != view.title) {
            self.clear_captions(&window); // the next screen's words, if it says any, follow
        }
        window.set_captions_on(profile.captions);
        window.set_page(page_kind(view.page));
        window.set_page_title(view.title.shown.into());
        window.set_prompt(view.prompt.shown.into());
        window.set_error(view.error.shown.into());
        if shown.as_ref().map(|v| &v.items) != Some(&view.items) {
            window.set_items(model(view.items.into_iter().map(|i| ItemData {
                id: i.id.into(),
                label: i.label.shown.into(),
                detail: i.detail.shown.into(),
            })));
        }
        if shown.as_ref().map(|v| &v.lines) != Some(&view.lines) {
            window.set_lines(model(view.lines.into_iter().map(|l| LineData {
                style: match l.style {
                    view::LineStyle::Heading => LineStyle::Heading,
                    view::LineStyle::Body => LineStyle::Body,
                    view::LineStyle::Field => LineStyle::Field,
                    view::LineStyle::Instruction => LineStyle::Instruction,
                },
                text: l.text.shown.into(),
                value: l.value.shown.into(),
            })));
        }
        if let Some(entry) = view.entry {
            window.set_entry(EntryData {
                shown: entry.shown.into(),
                expected_len: entry.expected_len as i32,
                allows_x: entry.allows_x,
                optional: entry.optional,
            });
        }
        if let Some(ticket) = view.ticket {
            window.set_ticket(TicketData {
                number: ticket.number.shown.into(),
                service: ticket.service.shown.into(),
                window: ticket.window.shown.into(),
                people_ahead: ticket.people_ahead.shown.into(),
                wait: ticket.wait.shown.into(),
            });
        }
        window.set_can_go_back(view.can_go_back);
        window.set_idle_seconds_left(view.idle_warning.map_or(-1, |s| s as i32));
        window.set_text_size_level(profile.text_size.level());
        window.set_text_size_name(prompts::text(profile.text_size.prompt_id(), profile.language).into());
        window.set_high_contrast(profile.high_contrast);
        window.set_voice_on(profile.voice);
        window.set_voice_focus_item(focus_index.map_or(-1, |i| i as i32));
        window.set_voice_focus(view.voice_focus.into());
    }
}

/// How long a caption shows before the next: about as long as saying it takes (Chinese
/// speech some 4-5 characters a second, English some 14), and never under 1.5 s.
fn caption_time(caption: &str, language: Language) -> Duration {
    let per_char = match language {
        Language::Zh => 220,
        Language::En => 70,
    };
    Duration::from_millis((caption.chars().count() as u64 * per_char).max(1500))
}

/// For a receipt's expiry.
fn unix_seconds() -> u32 {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    u32::try_from(now.as_secs()).unwrap_or(u32::MAX)
}

/// The keys of an EZ-Access keypad, or of a USB keyboard standing in for it: arrows step,
/// Enter activates, Escape goes back, F1-F8 help, where-am-I, repeat, pause, rate and
/// volume, F9 the sign-language interpreter, F10 staff; digits and X type into an entry.
fn keypad_key(text: &str) -> Option<NavKey> {
    use slint::platform::Key;
    let mut chars = text.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else { return None };
    let key = |k: Key| char::from(k);
    Some(match c {
        c if c == key(Key::UpArrow) || c == key(Key::Backtab) => NavKey::Up,
        c if c == key(Key::DownArrow) || c == key(Key::Tab) => NavKey::Down,
        c if c == key(Key::Return) || c == ' ' => NavKey::Enter,
        c if c == key(Key::Escape) => NavKey::Back,
        c if c == key(Key::F1) => NavKey::Help,
        c if c == key(Key::F2) => NavKey::WhereAmI,
        c if c == key(Key::F3) => NavKey::Repeat,
        c if c == key(Key::F4) => NavKey::Pause,
        c if c == key(Key::F5) => NavKey::RateDown,
        c if c == key(Key::F6) => NavKey::RateUp,
        c if c == key(Key::F7) || c == '-' => NavKey::VolumeDown,
        c if c == key(Key::F8) || c == '+' => NavKey::VolumeUp,
        c if c == key(Key::F9) => NavKey::SignLanguage,
        c if c == key(Key::F10) => NavKey::CallStaff,
        c if c == key(Key::Backspace) => NavKey::Type(EntryKey::Delete),
        'x' | 'X' => NavKey::Type(EntryKey::Char('X')),
        c if c.is_ascii_digit() => NavKey::Type(EntryKey::Char(c)),
        _ => return None,
    })
}

fn model<T: Clone + 'static>(items: impl Iterator<Item = T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(items.collect::<Vec<_>>()))
}

fn page_kind(page: view::Page) -> PageKind {
    use view::Page;
    match page {
        Page::Home => PageKind::Home,
        Page::List => PageKind::List,
        Page::Info => PageKind::Info,
        Page::YesNo => PageKind::YesNo,
        Page::Entry => PageKind::Entry,
        Page::Confirm => PageKind::Confirm,
        Page::Ticket => PageKind::Ticket,
        Page::Guide => PageKind::Guide,
        Page::Message => PageKind::Message,
        Page::Busy => PageKind::Busy,
        Page::Scan => PageKind::Scan,
        Page::SelfView => PageKind::SelfView,
        Page::Face => PageKind::Face,
    }
}
