//! The accessible self-service kiosk of a community service center.
//!
//! The pure core (flows, session, accessibility profile) is the `kiosk-core` crate, and the
//! service API's types and HTTP client the `contract` crate; this crate is the app on top:
//! - [`admin`]: the staff PIN's hash, and the exit code that asks for a maintenance shell;
//! - [`card_reader`]: the ID card reader on its serial port;
//! - [`camera`]: webcams and image files behind one frame source, the newest-frame pipeline
//!   for the camera screens, and the work on the frames (QR codes, face guidance);
//! - [`config`]: the TOML file and command-line flags;
//! - [`effects`]: the core's service API calls, carried out on worker threads;
//! - [`fleet`]: the heartbeat that tells the service API how the kiosk and its devices are;
//! - [`headphones`]: the headphone jack, which starts voice navigation;
//! - [`outbox`]: staff calls and hang-ups kept on disk until the API has them;
//! - [`printer`]: the ticket printer, on a thread of its own;
//! - [`supervisor`]: readiness, the watchdog and stop requests of the session's supervisor;
//! - [`speech`]: the voice pack, live text-to-speech and earcons behind one speaker;
//! - [`ui`]: the thin adapter between the core and the Slint UI;
//! - [`video`]: the sign-language interpreter's video window.

pub mod admin;
pub mod camera;
pub mod card_reader;
pub mod config;
pub mod desk;
pub mod effects;
pub mod fleet;
pub mod headphones;
pub mod legibility;
pub mod outbox;
pub mod printer;
pub mod speech;
pub mod supervisor;
pub mod ui;
pub mod video;

pub use admin::MAINTENANCE_EXIT;
