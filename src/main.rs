use std::process::ExitCode;

use clap::Parser;

use kiosk::api::ApiClient;
use kiosk::config::{Config, Flags};
use kiosk::core::{IdlePolicy, Kiosk};
use kiosk::ui::KioskUi;
use slint::ComponentHandle;
use service_api::EmbeddedServer;

fn main() -> ExitCode {
    let config = match Config::load(&Flags::parse()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("kiosk: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kiosk: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(config: &Config) -> Result<(), Box<dyn std::error::Error>> {
    // Without a configured API the kiosk serves the reference API itself, on loopback, and
    // talks to it over HTTP exactly as to a remote one.
    let (embedded, api) = match (&config.api_url, &config.token) {
        (Some(url), Some(token)) => (None, ApiClient::new(url, token)),
        _ => {
            std::fs::create_dir_all(&config.data_dir)
                .map_err(|e| format!("cannot create the data directory {}: {e}", config.data_dir.display()))?;
            let token = config.token.clone().unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
            let db = config.data_dir.join("service-api.sqlite");
            let server = EmbeddedServer::start(&db, &config.kiosk_id, &token)
                .map_err(|e| format!("cannot start the embedded service API on {}: {e}", db.display()))?;
            let api = ApiClient::new(&server.base_url, &token);
            (Some(server), api)
        }
    };

    let idle = IdlePolicy { timeout_secs: config.idle_timeout_secs, ..IdlePolicy::default() };
    let key_prefix = format!("{}-{}", config.kiosk_id, uuid::Uuid::new_v4().simple());
    let ui = KioskUi::new(Kiosk::new(config.language, idle, key_prefix), api)?;
    ui.window.window().set_fullscreen(config.fullscreen);
    ui.start();
    ui.window.run()?;
    drop(embedded);
    Ok(())
}
