use std::path::Path;
use std::process::ExitCode;
use std::sync::{mpsc, Arc};
use std::time::Duration;

use clap::Parser;

use contract::ApiClient;
use kiosk::camera::{self, CameraChoice};
use kiosk::card_reader;
use kiosk::config::{Config, Flags};
use kiosk::fleet::{self, Running};
use kiosk::headphones::{self, AlsaMixer, Mixer};
use kiosk::legibility::{self, Panel};
use kiosk::outbox::Outbox;
use kiosk::printer::{EscPosPrinter, TicketPrinter};
use kiosk::speech::voice_pack::VoicePack;
use kiosk::speech::Speaker;
use kiosk::supervisor;
use kiosk::ui::{Devices, KioskUi, Theme, FONT_FAMILY};
use kiosk::video::CommandLauncher;
use kiosk_core::{AdminSetup, Event, IdlePolicy, Kiosk, Quit};
use service_api::EmbeddedServer;
use slint::ComponentHandle;

/// The longest a maintenance terminal may keep the kiosk away before the watchdog brings it back.
const MAINTENANCE_AT_MOST: Duration = Duration::from_secs(8 * 60 * 60);

fn main() -> ExitCode {
    let flags = Flags::parse();
    if flags.hash_admin_pin {
        return kiosk::admin::print_hash_line();
    }
    let config = match Config::load(&flags) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("kiosk: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    skip_compose_table(&config.data_dir);
    match run(&config) {
        Ok(None | Some(Quit::Restart)) => ExitCode::SUCCESS,
        Ok(Some(Quit::Maintenance)) => {
            supervisor::hold_watchdog_for(MAINTENANCE_AT_MOST);
            ExitCode::from(kiosk::MAINTENANCE_EXIT)
        }
        Err(e) => {
            eprintln!("kiosk: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The kiosk has its own keypad, so it needs no compose sequences (dead keys). Without this,
/// Xlib's input method and xkbcommon each parse the locale's Compose table (some 5,700 lines)
/// before the window shows. Called before any thread starts, as it sets the environment.
fn skip_compose_table(data_dir: &Path) {
    if std::env::var_os("XCOMPOSEFILE").is_some() {
        return;
    }
    let file = data_dir.join("XCompose");
    // Not empty: xkbcommon cannot map an empty file.
    let written =
        || std::fs::create_dir_all(data_dir).and_then(|()| std::fs::write(&file, "# No compose sequences.\n"));
    if file.exists() || written().is_ok() {
        std::env::set_var("XCOMPOSEFILE", &file);
    }
}

/// The sound device and speech service; what is missing shows as a notice to staff.
fn speaker(config: &Config) -> Speaker {
    let voices_dir = config.voices_dir.clone();
    Speaker::open(move || VoicePack::load(&voices_dir).map_err(|e| eprintln!("kiosk: voice pack: {e}")).ok())
}

/// Plugging headphones in (where the sound chip reports its jack) starts voice navigation,
/// in private listening once the speaker is switched off; unplugging them turns it on again.
fn watch_headphones(events: mpsc::Sender<Event>, sound_card: u32) {
    for jack in headphones::jacks(Path::new("/sys/class/input"), Path::new("/dev/input")) {
        let events = events.clone();
        std::thread::spawn(move || {
            let mixer = AlsaMixer::new(sound_card);
            let changed = |plugged| {
                let routed = mixer.route(plugged).map_err(|e| eprintln!("kiosk: sound card {sound_card}: {e}"));
                let private = plugged && routed.is_ok();
                drop(events.send(Event::Headphones { plugged, private }))
            };
            let watched = headphones::watch(&jack, changed);
            if let Err(e) = watched {
                eprintln!("kiosk: headphone jack {}: {e}", jack.display());
            }
        });
    }
}

/// Warns in the log when the configured panel makes the smallest text too small to read; off
/// the UI thread (it asks fontconfig for the font file).
fn check_legibility(panel: Panel, smallest_px: f32) {
    std::thread::spawn(move || {
        if let Some(warning) = legibility::warning(&panel, smallest_px, FONT_FAMILY) {
            eprintln!("kiosk: {warning}");
        }
    });
}

/// Runs the kiosk until its window closes, it is asked to stop, or the admin menu asks it to
/// quit (how, returned).
fn run(config: &Config) -> Result<Option<Quit>, Box<dyn std::error::Error>> {
    // A run that ends without closing its window or a stop request (a crash, a hang killed)
    // counts as a restart.
    let running = Running::begin(&config.data_dir);
    // Without a configured API the kiosk serves the reference API itself, on loopback, and
    // talks to it over HTTP exactly as to a remote one. The server opens its database on its
    // own thread while the window is built; requests wait in the bound port's backlog.
    let (embedded, api, receipt_key) = match (&config.api_url, &config.token) {
        (Some(url), Some(token)) => {
            let api = match &config.api_ca_certificates {
                Some(roots) => ApiClient::trusting(url, token, roots),
                None => ApiClient::new(url, token),
            };
            (None, api, config.receipt_public_key)
        }
        _ => {
            let token = config.token.clone().unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
            let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
            let api = ApiClient::new(&format!("http://{}", listener.local_addr()?), &token);
            let db = config.data_dir.join("service-api.sqlite");
            // Read (or made) here, before the server starts, so scanning can check receipts
            // with the key the embedded server signs them with.
            std::fs::create_dir_all(&config.data_dir)?;
            let receipt_key = service_api::load_receipt_key(&service_api::receipt_key_beside(&db))?.verifying_key();
            let kiosk_id = config.kiosk_id.clone();
            let server = std::thread::spawn(move || {
                EmbeddedServer::start_on(listener, &db, &kiosk_id, &token)
                    .map_err(|e| eprintln!("kiosk: cannot start the embedded service API on {}: {e}", db.display()))
                    .ok()
            });
            (Some(server), api, Some(receipt_key))
        }
    };

    let idle = IdlePolicy { timeout_secs: config.idle_timeout_secs, ..IdlePolicy::default() };
    let key_prefix = format!("{}-{}", config.kiosk_id, uuid::Uuid::new_v4().simple());
    let mut kiosk = Kiosk::new(config.language, idle, key_prefix);
    kiosk.set_private_output(config.private_audio);
    kiosk.set_default_volume(config.volume as i8 - 1);
    kiosk.set_camera_place(config.camera_place);
    kiosk.set_evaluator_window(config.evaluator_window);
    if receipt_key.is_none() {
        eprintln!("kiosk: no receipt_public_key configured: scanned receipts cannot be checked, typed receipt numbers still work");
    }
    kiosk.set_receipt_key(receipt_key);
    kiosk.set_card_reader(config.card_reader.is_some());
    kiosk.set_printer(config.printer.is_some());
    let camera = match &config.camera_file {
        Some(path) => CameraChoice::Files(path.clone()),
        None => CameraChoice::Device(config.camera_device),
    };
    let devices = Devices {
        voice: Box::new(speaker(config)),
        camera: Arc::new(move || camera::open(&camera)),
        video: Box::new(CommandLauncher::new(config.video_command.clone(), config.display_name(), &config.data_dir)),
        keypad: config.keypad.clone(),
        printer: config
            .printer
            .as_ref()
            .map(|printer| Box::new(EscPosPrinter::new(printer, &config.center_name)) as Box<dyn TicketPrinter>),
        card_reader_down: config.card_reader.as_ref().map(|_| Default::default()),
    };
    let card_reader_down = devices.card_reader_down.clone();
    let outbox = Outbox::open_in(&config.data_dir).unwrap_or_else(|e| {
        eprintln!("kiosk: {e}: staff calls and hang-ups are kept in memory only");
        Outbox::in_memory()
    });
    let heartbeat_api = api.clone();
    let ui = KioskUi::new(kiosk, api, outbox, devices)?;
    ui.window.window().set_fullscreen(config.fullscreen);
    match &config.admin_pin_hash {
        Some(pin) => {
            let version = env!("CARGO_PKG_VERSION").into();
            let maintenance_shell = config.maintenance_shell;
            ui.set_admin(AdminSetup { kiosk_id: config.kiosk_id.clone(), version, maintenance_shell }, pin.clone());
        }
        None => eprintln!("kiosk: no admin_pin_hash configured: the staff's admin menu cannot be opened"),
    }
    ui.start();
    watch_headphones(ui.events(), config.sound_card);
    if let (Some(port), Some(down)) = (&config.card_reader, card_reader_down) {
        card_reader::watch(port.path.clone(), port.baud, ui.events(), down);
    }
    let (devices, backlog) = (ui.device_report(), ui.outbox_backlog());
    fleet::start(heartbeat_api, config.kiosk_id.clone(), devices, backlog, running.restarts, fleet::HEARTBEAT_EVERY);
    check_legibility(config.panel, ui.window.global::<Theme>().get_smallest_text());
    let _watchdog = supervisor::report_from_event_loop();
    supervisor::quit_on_stop_request(running.marker());
    let ran = ui.window.run();
    if ran.is_ok() {
        running.ended();
    }
    ran?;
    if let Some(server) = embedded {
        drop(server.join()); // stops the server
    }
    Ok(ui.quit_asked())
}
