//! The accessible self-service kiosk of a community service center.
//!
//! - [`core`]: the pure flow engine, session and accessibility profile;
//! - [`api`]: the HTTP client of the center's service API;
//! - [`camera`]: webcams and image files behind one frame source;
//! - [`config`]: the TOML file and command-line flags;
//! - [`headphones`]: the headphone jack, which starts voice navigation;
//! - [`scan`]: reading QR codes from camera frames;
//! - [`scanner`]: the scan screen's live preview and QR reading on worker threads;
//! - [`speech`]: the voice pack, live text-to-speech and earcons behind one speaker;
//! - [`ui`]: the thin adapter between the core and the Slint UI.

pub mod api;
pub mod camera;
pub mod config;
pub mod core;
pub mod headphones;
pub mod scan;
pub mod scanner;
pub mod speech;
pub mod ui;
pub mod video;
