//! The accessible self-service kiosk of a community service center.
//!
//! - [`core`]: the pure flow engine, session and accessibility profile;
//! - [`api`]: the HTTP client of the center's service API;
//! - [`camera`]: webcams and image files behind one frame source;
//! - [`config`]: the TOML file and command-line flags;
//! - [`face_camera`]: face guidance and the picture, on the pension face screen's frames;
//! - [`headphones`]: the headphone jack, which starts voice navigation;
//! - [`scan`]: reading QR codes from camera frames;
//! - [`scanner`]: the camera screens' live preview and the work on their frames (QR codes,
//!   faces), on worker threads;
//! - [`speech`]: the voice pack, live text-to-speech and earcons behind one speaker;
//! - [`ui`]: the thin adapter between the core and the Slint UI.

pub mod api;
pub mod camera;
pub mod config;
pub mod core;
pub mod face_camera;
pub mod headphones;
pub mod scan;
pub mod scanner;
pub mod speech;
pub mod ui;
pub mod video;
