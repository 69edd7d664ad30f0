//! What the UI tests share: the headless platform, waiting on the event loop, and PNGs.
#![allow(dead_code)] // each test binary uses its own share of these helpers

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery, TestingBackend, TestingBackendOptions};
use slint::ComponentHandle;

use contract::model::{
    AdvanceApplication, ApplicationStatus, Bilingual, IssuedReceipt, NewApplication, NewReceipt, NewTicket, Priority,
};
use contract::ApiClient;
use kiosk::camera::{FileCamera, FrameSource, OpenError};
use kiosk::config::{PrinterConfig, PrinterPlace};
use kiosk::outbox::Outbox;
use kiosk::printer::EscPosPrinter;
use kiosk::speech::{SpeechProblem, Voice};
use kiosk::ui::{AppWindow, CameraOpener, Devices, KioskUi, KioskView};
use kiosk::video::CommandLauncher;
use kiosk_core::profile::Language;
use kiosk_core::speech::{Sound, Utterance};
use kiosk_core::{IdlePolicy, Kiosk};
use service_api::EmbeddedServer;

/// Slint's testing backend with the software renderer (for snapshots) and a real event loop
/// (for API answers from worker threads). Once per process.
pub fn init_headless_platform() {
    slint::platform::set_platform(Box::new(TestingBackend::new(TestingBackendOptions {
        mock_time: false,
        threading: true,
        renderer_name: Some("software".into()),
    })))
    .unwrap();
}

/// The embedded service API on a temporary SQLite file; dropping it stops the server, then
/// removes the file.
pub struct TestApi {
    pub server: EmbeddedServer,
    pub dir: tempfile::TempDir,
}

impl TestApi {
    pub fn db_file(&self) -> PathBuf {
        self.dir.path().join("api.sqlite")
    }

    /// Adds a token for a staff member, an interpreter or another kiosk.
    pub fn add_token(&self, role: service_api::Role, name: &str, token: &str) {
        self.with_db(|db| async move { service_api::add_token(&db, role, name, token).await.unwrap() });
    }

    fn with_db<F: std::future::Future<Output = T>, T>(&self, work: impl FnOnce(service_api::Db) -> F) -> T {
        let url = service_api::database_url(&self.db_file().to_string_lossy());
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async { work(service_api::open_database(&url).await.unwrap()).await })
    }

    /// A POST to the API as the holder of `token`; the answer's JSON.
    pub fn post(&self, token: &str, path: &str) -> serde_json::Value {
        self.post_json(token, path, serde_json::json!({}))
    }

    /// [`TestApi::post`] with this body.
    pub fn post_json(&self, token: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
        let mut response = ureq::post(format!("{}{path}", self.server.base_url))
            .header("Authorization", &format!("Bearer {token}"))
            .send_json(body)
            .unwrap();
        response.body_mut().read_json().unwrap()
    }

    pub fn get(&self, token: &str, path: &str) -> serde_json::Value {
        get_json(&self.server.base_url, token, path)
    }

    /// A receipt for a residence permit with its first material missing, issued into the
    /// database as the pre-review system's endpoint does.
    pub fn issue_receipt(&self) -> IssuedReceipt {
        let key = service_api::load_receipt_key(&service_api::receipt_key_beside(&self.db_file())).unwrap();
        let new = NewReceipt {
            service_code: "residence-permit".into(),
            applicant: "张*明".into(),
            missing_materials: vec![0],
            valid_days: 30,
        };
        self.with_db(|db| async move { service_api::issue_receipt(&db, &key, &new, "ui-test").await.unwrap() })
    }
}

impl TestApi {
    /// A residence permit ticket (E001, E002...) taken by the kiosk and served at window 3 by
    /// the holder of `staff_token`, after the tickets waiting before it; its number.
    pub fn serve_a_ticket(&self, staff_token: &str) -> String {
        let kiosk = ApiClient::new(&self.server.base_url, "secret");
        let key = uuid::Uuid::new_v4().to_string();
        let request =
            NewTicket { service_code: "residence-permit".into(), priority: Priority::Normal, contact_phone: None };
        let ticket = kiosk.issue_ticket(&request, &key).unwrap();
        self.serve(staff_token, &ticket.id);
        ticket.number
    }

    /// Serves the ticket with this id at window 3 (a residence permit's), after the tickets
    /// waiting before it, as the holder of `staff_token`.
    pub fn serve(&self, staff_token: &str, ticket_id: &str) {
        let staff = ApiClient::new(&self.server.base_url, staff_token);
        let key = uuid::Uuid::new_v4().to_string();
        for turn in 0.. {
            let called = staff.call_next(3, &format!("{key}-call-{turn}")).unwrap();
            staff.move_ticket(&called.id, "start", &format!("{key}-start-{turn}")).unwrap();
            staff.move_ticket(&called.id, "finish", &format!("{key}-finish-{turn}")).unwrap();
            if called.id == ticket_id {
                break;
            }
        }
    }

    /// A residence permit application of the resident with these ID and phone numbers,
    /// registered and moved by the holder of `staff_token` to waiting at window 3 for a copy
    /// of the household register.
    pub fn application_waiting_for_materials(&self, staff_token: &str, id_number: &str, phone: &str) {
        let staff = ApiClient::new(&self.server.base_url, staff_token);
        let key = uuid::Uuid::new_v4().to_string();
        let new = NewApplication {
            service_code: "residence-permit".into(),
            id_number: id_number.into(),
            applicant: "张*明".into(),
            phone: phone.into(),
            receipt_number: None,
        };
        let application = staff.register_application(&new, &format!("{key}-register")).unwrap();
        let review = AdvanceApplication {
            status: ApplicationStatus::UnderReview,
            note: None,
            missing_materials: vec![],
            collection: None,
            window_number: None,
        };
        staff.advance_application(&application.id, &review, &format!("{key}-review")).unwrap();
        let needs = AdvanceApplication {
            status: ApplicationStatus::NeedsMaterials,
            missing_materials: vec![Bilingual::new("户口簿复印件", "Copy of the household register")],
            window_number: Some(3),
            ..review
        };
        staff.advance_application(&application.id, &needs, &format!("{key}-needs")).unwrap();
    }
}

/// A GET to the API at `base_url` as the holder of `token`; the answer's JSON. (For closures
/// that outlive a borrow of [`TestApi`].)
pub fn get_json(base_url: &str, token: &str, path: &str) -> serde_json::Value {
    let mut response =
        ureq::get(format!("{base_url}{path}")).header("Authorization", &format!("Bearer {token}")).call().unwrap();
    response.body_mut().read_json().unwrap()
}

/// A Chinese kiosk window (not shown yet) on its own embedded service API.
pub fn start_kiosk(idle: IdlePolicy) -> (TestApi, KioskUi) {
    let (api, ui, _) = start_speaking_kiosk(idle);
    (api, ui)
}

/// [`start_kiosk`], with what the kiosk says recorded instead of played.
pub fn start_speaking_kiosk(idle: IdlePolicy) -> (TestApi, KioskUi, Said) {
    start_kiosk_with_camera(idle, |_| no_camera())
}

/// [`start_speaking_kiosk`] with a camera, given the test's folder for its images. The kiosk
/// checks receipts with its API's key.
pub fn start_kiosk_with_camera(idle: IdlePolicy, camera: impl Fn(&Path) -> CameraOpener) -> (TestApi, KioskUi, Said) {
    start_kiosk_with(idle, camera, |_| vec!["false".into(), "{url}".into()])
}

/// [`start_kiosk_with_camera`] with a video command (see [`CommandLauncher`]), given the
/// test's folder.
pub fn start_kiosk_with(
    idle: IdlePolicy,
    camera: impl Fn(&Path) -> CameraOpener,
    video_command: impl Fn(&Path) -> Vec<String>,
) -> (TestApi, KioskUi, Said) {
    let dir = tempfile::tempdir().unwrap();
    let server = EmbeddedServer::start(&dir.path().join("api.sqlite"), "kiosk-test", "secret").unwrap();
    let api = ApiClient::new(&server.base_url, "secret");
    let said = Said::default();
    let mut kiosk = Kiosk::new(Language::Zh, idle, "ui-test");
    kiosk.set_receipt_key(Some(server.receipt_public_key()));
    let video = CommandLauncher::new(video_command(dir.path()), "大厅测试机", dir.path());
    let devices = Devices {
        voice: Box::new(said.clone()),
        camera: camera(dir.path()),
        video: Box::new(video),
        keypad: Default::default(),
        printer: None,
        card_reader_down: None,
    };
    let ui = KioskUi::new(kiosk, api, Outbox::open_in(dir.path()).unwrap(), devices).unwrap();
    (TestApi { server, dir }, ui, said)
}

/// A kiosk with an ID card reader on the serial port `card_reader` (a simulator's) and a
/// printer at `printer` (a virtual printer's address), as `kiosk` starts them.
pub fn start_fitted_kiosk(
    idle: IdlePolicy,
    camera: CameraOpener,
    card_reader: &str,
    printer: std::net::SocketAddr,
) -> (TestApi, KioskUi, Said) {
    let dir = tempfile::tempdir().unwrap();
    let server = EmbeddedServer::start(&dir.path().join("api.sqlite"), "kiosk-test", "secret").unwrap();
    let api = ApiClient::new(&server.base_url, "secret");
    let said = Said::default();
    let mut kiosk = Kiosk::new(Language::Zh, idle, "fitted-test");
    kiosk.set_receipt_key(Some(server.receipt_public_key()));
    kiosk.set_card_reader(true);
    kiosk.set_printer(true);
    let printer = PrinterConfig { place: PrinterPlace::Network(printer.to_string()), paper_mm: 80 };
    let card_reader_down = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let devices = Devices {
        printer: Some(Box::new(EscPosPrinter::new(&printer, "幸福街道便民服务中心"))),
        card_reader_down: Some(card_reader_down.clone()),
        ..self::devices(Box::new(said.clone()), camera)
    };
    let ui = KioskUi::new(kiosk, api, Outbox::open_in(dir.path()).unwrap(), devices).unwrap();
    kiosk::card_reader::watch(card_reader.to_string(), 115_200, ui.events(), card_reader_down);
    (TestApi { server, dir }, ui, said)
}

/// The devices of a kiosk that is not asked for video: its video command would fail.
pub fn devices(voice: Box<dyn Voice>, camera: CameraOpener) -> Devices {
    let video = CommandLauncher::new(vec!["false".into(), "{url}".into()], "test", std::env::temp_dir());
    Devices { voice, camera, video: Box::new(video), keypad: Default::default(), printer: None, card_reader_down: None }
}

/// A 640x480 webcam frame of a grey desk with the QR code of `payload` held in it, about 3.5
/// pixels per module (a phone some 25 cm away), saved as `dir/name`.
pub fn frame_with_code(payload: &str, dir: &Path, name: &str) -> PathBuf {
    let code = qrcode::QrCode::new(payload.as_bytes()).unwrap();
    let modules = code.to_colors();
    let width = code.width() as i64;
    let scale = 3.5_f32;
    let mut frame = image::RgbImage::from_pixel(640, 480, image::Rgb([120, 118, 110]));
    let side = ((width + 8) as f32 * scale) as u32;
    let (left, top) = (320 - side / 2, 240 - side / 2);
    for y in 0..side {
        for x in 0..side {
            let module = |v: u32| (v as f32 / scale) as i64 - 4;
            let (mx, my) = (module(x), module(y));
            let inside = (0..width).contains(&mx) && (0..width).contains(&my);
            let dark = inside && modules[(my * width + mx) as usize] == qrcode::Color::Dark;
            let shade = if dark { 30 } else { 225 };
            frame.put_pixel(left + x, top + y, image::Rgb([shade, shade, shade]));
        }
    }
    let path = dir.join(name);
    frame.save(&path).unwrap();
    path
}

/// A grey frame with nothing to read, saved as `dir/blank.png`.
pub fn blank_frame(dir: &Path) -> PathBuf {
    let path = dir.join("blank.png");
    image::GrayImage::from_pixel(640, 480, image::Luma([128])).save(&path).unwrap();
    path
}

/// A camera that plays `frames` in a loop at `fps`.
pub fn files_camera(frames: Vec<PathBuf>, fps: u32) -> CameraOpener {
    Arc::new(move || Ok(Box::new(FileCamera::from_files(&frames)?.with_frame_rate(fps)) as Box<dyn FrameSource>))
}

/// A camera that is not there.
pub fn no_camera() -> CameraOpener {
    Arc::new(|| Err(OpenError("no camera in this test".into())))
}

/// A voice that records what it is asked to say, rendered as the screen would show it.
#[derive(Clone, Default)]
pub struct Said {
    words: Rc<RefCell<Vec<String>>>,
    /// Each utterance's phrases as spoken, for captions.
    spoken: Rc<RefCell<Vec<Vec<String>>>>,
}

impl Said {
    /// Everything said so far, one string per utterance; clears the record.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.words.borrow_mut())
    }

    /// How many utterances were said so far.
    pub fn count(&self) -> usize {
        self.spoken.borrow().len()
    }

    /// The phrases of the last utterance, as spoken.
    pub fn last_spoken(&self) -> Vec<String> {
        self.spoken.borrow().last().cloned().unwrap_or_default()
    }
}

impl Voice for Said {
    fn say(&self, utterance: &Utterance) {
        let words = utterance.sounds.iter().map(|sound| match sound {
            Sound::Say(phrase) => phrase.render(utterance.language),
            Sound::Earcon(earcon) => format!("<{earcon:?}>"),
        });
        self.words.borrow_mut().push(words.collect::<Vec<_>>().join(" "));
        let spoken = utterance.sounds.iter().filter_map(|sound| match sound {
            Sound::Say(phrase) => Some(phrase.spoken(utterance.language, utterance.private)),
            Sound::Earcon(_) => None,
        });
        self.spoken.borrow_mut().push(spoken.collect());
    }
    fn stop(&self) {
        self.words.borrow_mut().push("<stop>".into());
    }
    fn pause(&self) {}
    fn resume(&self) {}
    fn is_speaking(&self) -> bool {
        false
    }
    fn problems(&self) -> Vec<SpeechProblem> {
        Vec::new()
    }
}

/// Runs the event loop until `done` holds, so API answers from worker threads arrive.
pub fn wait_until(window: &AppWindow, what: &str, done: impl Fn(&AppWindow) -> bool + 'static) {
    let done = std::rc::Rc::new(done);
    let check = done.clone();
    let deadline = Instant::now() + Duration::from_secs(20);
    let timer = slint::Timer::default();
    let weak = window.as_weak();
    // Quit once: a second quit, from a tick before the loop stops, would end the next loop
    // (a tap's, another wait's) before it has done anything.
    let quit = std::cell::Cell::new(false);
    timer.start(slint::TimerMode::Repeated, Duration::from_millis(10), move || {
        let window = weak.upgrade().unwrap();
        if !quit.get() && (check(&window) || Instant::now() > deadline) {
            quit.set(true);
            slint::quit_event_loop().unwrap();
        }
    });
    slint::run_event_loop().unwrap();
    assert!(
        done(window),
        "timed out waiting for {what}; page {:?} titled {:?}",
        window.global::<KioskView>().get_page(),
        window.global::<KioskView>().get_page_title()
    );
}

/// Every button on the page as drawn has a label that nothing else repeats (a screen reader
/// would read it twice), is a target of at least 60x60 px (elder-friendly spec), and is a stop
/// of voice navigation, so a resident without sight reaches it with the keypad. The paging
/// buttons are the one exception: voice navigation turns a list's pages by itself.
pub fn audit(ui: &KioskUi) {
    let window = &ui.window;
    window.window().take_snapshot().expect("draw the page");
    let page = window.global::<KioskView>().get_page_title();
    let view = ui.view();
    let spoken: Vec<String> = kiosk_core::voice::stops(&view)
        .into_iter()
        .filter(|stop| stop.target.is_some())
        .map(|stop| stop.phrases[0].render(view.profile.language))
        .collect();
    let paging = ["上一页", "下一页", "Previous page", "Next page"];
    let buttons =
        ElementQuery::from_root(window).match_descendants().match_accessible_role(AccessibleRole::Button).find_all();
    assert!(!buttons.is_empty(), "no buttons on {page:?}");
    for button in buttons {
        let label = button.accessible_label().unwrap_or_default();
        let size = button.size();
        assert!(!label.is_empty(), "a button without a label on {page:?}");
        assert!(size.width >= 60.0 && size.height >= 60.0, "{label:?} on {page:?} is {size:?}, under 60x60");
        let not_buttons = ElementHandle::find_by_accessible_label(window, &label)
            .filter(|e| e.accessible_role() != Some(AccessibleRole::Button))
            .count();
        assert_eq!(not_buttons, 0, "{label:?} on {page:?} is also exposed by a non-button");
        // A disabled Back is no stop: voice navigation's Back says there is no way back.
        let disabled_back = !view.can_go_back && ["返回", "Back"].contains(&label.as_str());
        let reachable = spoken.iter().any(|stop| label == *stop) || paging.contains(&label.as_str()) || disabled_back;
        assert!(reachable, "{label:?} on {page:?} is not a stop of voice navigation: {spoken:?}");
    }
}

/// Activates the control labelled `label` as a screen reader would.
pub fn press(window: &AppWindow, label: &str) {
    let found = i_slint_backend_testing::ElementHandle::find_by_accessible_label(window, label).next();
    let element = found.unwrap_or_else(|| {
        panic!("no element labelled {label:?} on page {:?}", window.global::<KioskView>().get_page_title())
    });
    element.invoke_accessible_default_action();
}

/// Saves the window as `NAME.png` in `$KIOSK_SCREENSHOTS`, when that is set (for `docs/`).
pub fn screenshot(window: &AppWindow, name: &str) {
    let Some(dir) = std::env::var_os("KIOSK_SCREENSHOTS") else { return };
    let snapshot = window.window().take_snapshot().expect("snapshot");
    write_png(&snapshot, &Path::new(&dir).join(format!("{name}.png")));
}

/// Writes a window snapshot as an RGBA PNG.
pub fn write_png(snapshot: &slint::SharedPixelBuffer<slint::Rgba8Pixel>, path: &Path) {
    let file = std::fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), snapshot.width(), snapshot.height());
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let bytes: Vec<u8> = snapshot.as_slice().iter().flat_map(|p| [p.r, p.g, p.b, p.a]).collect();
    encoder.write_header().unwrap().write_image_data(&bytes).unwrap();
}
