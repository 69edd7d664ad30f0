//! Configuration: a TOML file (for the engineer who deploys the kiosk) overridden by
//! command-line flags. A bad value is reported with the file, the key and the reason.

use std::fmt;
use std::path::{Path, PathBuf};

use clap::Parser;
use contract::CaCertificates;
use ed25519_dalek::VerifyingKey;

use kiosk_core::layout::{CameraPlace, JackPlace, KeypadPlace};
use kiosk_core::profile::Language;
use kiosk_core::speech::VoiceSettings;

use crate::admin::PinHash;
use crate::legibility::Panel;
use crate::ui::Keymap;

#[derive(Parser, Debug, Default)]
#[command(name = "kiosk", version, about = "Accessible self-service kiosk of a community service center")]
pub struct Flags {
    /// TOML configuration file [default: $XDG_CONFIG_HOME/kiosk/kiosk.toml, then /etc/kiosk/kiosk.toml, if present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// URL of the center's service API; without it the kiosk runs the reference server itself
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// PEM file of the CA certificates an https:// API's certificate must chain to (the
    /// center's own CA) [default: the public web's CAs]
    #[arg(long, value_name = "FILE")]
    pub api_ca_certificate: Option<PathBuf>,
    /// This kiosk's id, as the service API knows it
    #[arg(long, value_name = "ID")]
    pub kiosk_id: Option<String>,
    /// This kiosk's bearer token for the service API
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Language a new session starts in: zh or en
    #[arg(long, value_name = "zh|en")]
    pub language: Option<String>,
    /// Fill the screen (the default)
    #[arg(long, conflicts_with = "windowed")]
    pub fullscreen: bool,
    /// Run in a window, for trying the kiosk on a desktop
    #[arg(long)]
    pub windowed: bool,
    /// Where the embedded service API keeps its database
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Seconds without a touch before the kiosk warns, then clears the session
    #[arg(long, value_name = "SECONDS")]
    pub idle_timeout: Option<u32>,
    /// The recorded voice pack (the repository's `voices/` by default)
    #[arg(long, value_name = "DIR")]
    pub voices_dir: Option<PathBuf>,
    /// Play an image, or a folder of images, as the camera (demo mode, tests)
    #[arg(long, value_name = "PATH")]
    pub camera_file: Option<PathBuf>,
    /// Which camera to use: 0 for /dev/video0 (the default), 1 for /dev/video1...
    #[arg(long, value_name = "INDEX")]
    pub camera_device: Option<u32>,
    /// The service API's public key for receipts, 64 hex digits (the embedded API's own is used
    /// when no API URL is set)
    #[arg(long, value_name = "HEX")]
    pub receipt_public_key: Option<String>,
    /// The name a sign-language interpreter sees for this kiosk [default: 自助服务机 <kiosk id>]
    #[arg(long, value_name = "NAME")]
    pub kiosk_name: Option<String>,
    /// The command that opens an interpreter's video room, split at spaces; `{url}` is the
    /// room, `{profile}` an empty folder for the call [default: Chromium in app mode]
    #[arg(long, value_name = "COMMAND")]
    pub video_command: Option<String>,
    /// Run as the service evaluator (好差评) of this window, facing its residents: rate each
    /// visit the clerk finishes there
    #[arg(long, value_name = "WINDOW")]
    pub evaluator_window: Option<i64>,
    /// The ID card reader's serial port (e.g. /dev/ttyUSB0) [default: none]
    #[arg(long, value_name = "PORT")]
    pub card_reader: Option<String>,
    /// The ticket printer: HOST:PORT (network, port 9100), /dev/usb/lpN (USB) or /dev/ttyN
    /// (serial) [default: none]
    #[arg(long, value_name = "PRINTER")]
    pub printer: Option<String>,
    /// Read a staff PIN (6 digits) from standard input, print the `admin_pin_hash` line to put
    /// in kiosk.toml, and exit
    #[arg(long)]
    pub hash_admin_pin: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// `None`: start the embedded reference server.
    pub api_url: Option<String>,
    /// The only CAs an https:// `api_url` is trusted on; `None`: the public web's.
    pub api_ca_certificates: Option<CaCertificates>,
    pub kiosk_id: String,
    pub token: Option<String>,
    pub language: Language,
    pub fullscreen: bool,
    pub data_dir: PathBuf,
    pub idle_timeout_secs: u32,
    pub voices_dir: PathBuf,
    /// The kiosk's only audio output is private (a handset or headphones): personal data
    /// may always be spoken. Otherwise only while headphones are reported plugged in.
    pub private_audio: bool,
    /// The sound card whose speaker goes off while headphones are in (`amixer -c`).
    pub sound_card: u32,
    /// The volume level each resident starts with, 1 (quietest) to 9 (the recordings as
    /// they are), 3 dB apart: set at installation for about 65 dBA at the resident's head.
    pub volume: u8,
    /// The resident's keypad (`keypad_file`, a mapping from `keypads/`; the EZ Access
    /// layout without one).
    pub keypad: Keymap,
    /// The screen, for the check that its smallest text is legible (src/legibility.rs).
    pub panel: Panel,
    /// Images played as the camera, instead of the camera device.
    pub camera_file: Option<PathBuf>,
    pub camera_device: u32,
    /// Where the camera is, said on the face screen so a resident who cannot see it knows
    /// where to face: above-centre (the default), above-left, above-right, below-centre.
    pub camera_place: CameraPlace,
    /// The key scanned receipts are checked with; for a remote API (the embedded API gives
    /// its own).
    pub receipt_public_key: Option<VerifyingKey>,
    /// `None`: named after its id.
    pub kiosk_name: Option<String>,
    /// Opens an interpreter's video room (see [`crate::video::CommandLauncher`]).
    pub video_command: Vec<String>,
    /// The window this kiosk is the service evaluator of; `None`: a kiosk in the hall.
    pub evaluator_window: Option<i64>,
    /// The ID card reader's serial port and speed; `None`: no reader, ID numbers are typed.
    pub card_reader: Option<SerialPort>,
    /// The ticket printer; `None`: tickets show on screen only.
    pub printer: Option<PrinterConfig>,
    /// Printed at the top of each ticket.
    pub center_name: String,
    /// The staff PIN's hash; `None`: the admin menu cannot be opened.
    pub admin_pin_hash: Option<PinHash>,
    /// The admin menu offers the way out to a maintenance shell.
    pub maintenance_shell: bool,
}

/// A device on a serial port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SerialPort {
    pub path: String,
    pub baud: u32,
}

/// Where the ticket printer is, and its paper.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrinterConfig {
    pub place: PrinterPlace,
    /// 58 or 80.
    pub paper_mm: u32,
}

/// How the ticket printer is connected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrinterPlace {
    /// `host:port` of a network printer (ESC/POS printers listen on 9100).
    Network(String),
    /// A USB printer-class device, `/dev/usb/lp0`.
    Usb(PathBuf),
    Serial(SerialPort),
}

/// A configuration value that cannot be used.
#[derive(Debug, PartialEq)]
pub struct ConfigError {
    /// The file, or "command line".
    pub origin: String,
    pub key: String,
    pub reason: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.origin, self.key, self.reason)
    }
}

impl std::error::Error for ConfigError {}

/// How many volume levels the kiosk has.
const LEVELS: i64 = VoiceSettings::LOUDEST as i64 + 1;

/// The shortest idle timeout allowed: a resident needs time to read a page.
const MIN_IDLE_TIMEOUT: u32 = 20;

impl Config {
    /// Reads the file named by the flags (or the default one, if present), then applies flags.
    pub fn load(flags: &Flags) -> Result<Config, ConfigError> {
        let file = match &flags.config {
            Some(path) => Some(path.clone()),
            None => default_config_files().into_iter().find(|p| p.exists()),
        };
        let mut config = Config::defaults();
        if let Some(file) = file {
            config.apply_file(&file)?;
        }
        config.apply_flags(flags)?;
        Ok(config)
    }

    fn defaults() -> Config {
        let data_dir = directories::ProjectDirs::from("cn", "community-service-center", "kiosk")
            .map(|d| d.data_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from("kiosk-data"));
        Config {
            api_url: None,
            api_ca_certificates: None,
            kiosk_id: "kiosk-1".into(),
            token: None,
            language: Language::Zh,
            fullscreen: true,
            data_dir,
            idle_timeout_secs: 60,
            voices_dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/voices")),
            private_audio: false,
            sound_card: 0,
            volume: VoiceSettings::DEFAULT_VOLUME as u8 + 1,
            panel: Panel::DEFAULT,
            keypad: Keymap::default(),
            camera_file: None,
            camera_device: 0,
            camera_place: CameraPlace::default(),
            receipt_public_key: None,
            kiosk_name: None,
            video_command: crate::video::default_command(),
            evaluator_window: None,
            card_reader: None,
            printer: None,
            center_name: "便民服务中心".into(),
            admin_pin_hash: None,
            maintenance_shell: false,
        }
    }

    /// The name a sign-language interpreter sees for this kiosk.
    pub fn display_name(&self) -> String {
        self.kiosk_name.clone().unwrap_or_else(|| format!("自助服务机 {}", self.kiosk_id))
    }

    fn apply_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let origin = path.display().to_string();
        let error = |key: &str, reason: String| ConfigError { origin: origin.clone(), key: key.into(), reason };
        let text = std::fs::read_to_string(path).map_err(|e| error("(file)", format!("cannot read: {e}")))?;
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| error("(syntax)", e.message().to_string() + &line_of(&text, e.span())))?;
        // Speeds apply to the port named, whichever key the file gives first.
        let (mut reader_baud, mut printer_baud) = (None, None);
        for (key, value) in &table {
            let as_str = || {
                value
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| error(key, format!("expected a string, found {}", value.type_str())))
            };
            match key.as_str() {
                "api_url" => self.api_url = Some(parse_url(&as_str()?).map_err(|r| error(key, r))?),
                "api_ca_certificate" => {
                    let file = PathBuf::from(as_str()?);
                    self.api_ca_certificates = Some(CaCertificates::read(&file).map_err(|r| error(key, r))?);
                }
                "kiosk_id" => self.kiosk_id = parse_kiosk_id(&as_str()?).map_err(|r| error(key, r))?,
                "token" => self.token = Some(as_str()?),
                "language" => self.language = parse_language(&as_str()?).map_err(|r| error(key, r))?,
                "fullscreen" => {
                    self.fullscreen = value
                        .as_bool()
                        .ok_or_else(|| error(key, format!("expected true or false, found {}", value.type_str())))?
                }
                "data_dir" => self.data_dir = PathBuf::from(as_str()?),
                "voices_dir" => self.voices_dir = PathBuf::from(as_str()?),
                "private_audio" => {
                    self.private_audio = value
                        .as_bool()
                        .ok_or_else(|| error(key, format!("expected true or false, found {}", value.type_str())))?
                }
                "volume" => {
                    let level = value.as_integer().filter(|level| (1..=LEVELS).contains(level));
                    let reason = || format!("expected a level from 1 (quietest) to {LEVELS} (loudest), found {value}");
                    self.volume = level.ok_or_else(|| error(key, reason()))? as u8;
                }
                "keypad_file" => {
                    let path = as_str()?;
                    let text = std::fs::read_to_string(&path).map_err(|e| error(key, format!("cannot read {path}: {e}")))?;
                    self.keypad = Keymap::parse(&text).map_err(|r| error(key, format!("{path}: {r}")))?;
                }
                "panel_inches" => {
                    let inches = value.as_float().or(value.as_integer().map(|i| i as f64)).filter(|i| (7.0..=100.0).contains(i));
                    let reason = || format!("expected the screen's diagonal in inches (7 to 100), found {value}");
                    self.panel.diagonal_inches = inches.ok_or_else(|| error(key, reason()))? as f32;
                }
                "panel_pixels" => {
                    let pixels: Option<Vec<u32>> = value
                        .as_array()
                        .and_then(|a| a.iter().map(|n| n.as_integer().and_then(|n| u32::try_from(n).ok())).collect());
                    let Some([width_px, height_px]) = pixels.as_deref().and_then(|p| <[u32; 2]>::try_from(p).ok()) else {
                        return Err(error(key, format!("expected [width, height] in pixels, found {value}")));
                    };
                    self.panel.width_px = width_px;
                    self.panel.height_px = height_px;
                }
                "camera_file" => self.camera_file = Some(parse_camera_file(&as_str()?).map_err(|r| error(key, r))?),
                "sound_card" => {
                    let index = value
                        .as_integer()
                        .and_then(|i| u32::try_from(i).ok())
                        .ok_or_else(|| error(key, format!("expected a card number (0, 1, ...), found {value}")))?;
                    self.sound_card = index;
                }
                "camera_device" => {
                    let index = value
                        .as_integer()
                        .and_then(|i| u32::try_from(i).ok())
                        .ok_or_else(|| error(key, format!("expected a device number (0, 1, ...), found {value}")))?;
                    self.camera_device = index;
                }
                "camera_place" => self.camera_place = CameraPlace::parse(&as_str()?).map_err(|r| error(key, r))?,
                // For the braille bezel label (braille-guides --kiosk-config), checked here too.
                "keypad_place" => drop(KeypadPlace::parse(&as_str()?).map_err(|r| error(key, r))?),
                "jack_place" => drop(JackPlace::parse(&as_str()?).map_err(|r| error(key, r))?),
                "receipt_public_key" => {
                    self.receipt_public_key = Some(parse_public_key(&as_str()?).map_err(|r| error(key, r))?)
                }
                "kiosk_name" => self.kiosk_name = Some(as_str()?),
                "video_command" => {
                    let words = value.as_array().and_then(|a| a.iter().map(|w| w.as_str().map(String::from)).collect());
                    self.video_command = parse_video_command(words)
                        .map_err(|r| error(key, r))?;
                }
                "evaluator_window" => {
                    let window = value.as_integer().unwrap_or(0);
                    self.evaluator_window = Some(parse_window(window).map_err(|r| error(key, r))?);
                }
                "card_reader" => {
                    let path = parse_serial_path(&as_str()?).map_err(|r| error(key, r))?;
                    self.card_reader = Some(SerialPort { path, baud: CARD_READER_BAUD });
                }
                "card_reader_baud" => reader_baud = Some(parse_baud(value).map_err(|r| error(key, r))?),
                "printer_baud" => printer_baud = Some(parse_baud(value).map_err(|r| error(key, r))?),
                "printer" => {
                    let place = parse_printer(&as_str()?, PRINTER_BAUD).map_err(|r| error(key, r))?;
                    self.printer = Some(PrinterConfig { place, ..self.printer.take().unwrap_or_default() });
                }
                "paper_width_mm" => {
                    let width = value.as_integer().filter(|w| [58, 80].contains(w));
                    let reason = || format!("expected 58 or 80 (millimetres), found {value}");
                    let paper_mm = width.ok_or_else(|| error(key, reason()))? as u32;
                    self.printer = Some(PrinterConfig { paper_mm, ..self.printer.take().unwrap_or_default() });
                }
                "center_name" => self.center_name = as_str()?,
                "admin_pin_hash" => self.admin_pin_hash = Some(PinHash::parse(&as_str()?).map_err(|r| error(key, r))?),
                "maintenance_shell" => {
                    self.maintenance_shell = value
                        .as_bool()
                        .ok_or_else(|| error(key, format!("expected true or false, found {}", value.type_str())))?
                }
                "idle_timeout_secs" => {
                    let secs = value
                        .as_integer()
                        .ok_or_else(|| error(key, format!("expected a number of seconds, found {}", value.type_str())))?;
                    self.idle_timeout_secs = parse_idle_timeout(secs).map_err(|r| error(key, r))?;
                }
                _ => {
                    return Err(error(
                        key,
                        "unknown key (known: api_url, api_ca_certificate, kiosk_id, token, language, fullscreen, data_dir, idle_timeout_secs, voices_dir, private_audio, sound_card, volume, keypad_file, panel_inches, panel_pixels, camera_file, camera_device, camera_place, keypad_place, jack_place, receipt_public_key, kiosk_name, video_command, evaluator_window, card_reader, card_reader_baud, printer, printer_baud, paper_width_mm, center_name, admin_pin_hash, maintenance_shell)"
                            .into(),
                    ))
                }
            }
        }
        if let Some(baud) = reader_baud {
            let port =
                self.card_reader.as_mut().ok_or_else(|| error("card_reader_baud", "no card_reader is named".into()))?;
            port.baud = baud;
        }
        if let Some(baud) = printer_baud {
            match self.printer.as_mut().map(|p| &mut p.place) {
                Some(PrinterPlace::Serial(port)) => port.baud = baud,
                _ => return Err(error("printer_baud", "only for a printer on a serial port (/dev/tty...)".into())),
            }
        }
        Ok(())
    }

    fn apply_flags(&mut self, flags: &Flags) -> Result<(), ConfigError> {
        let error = |key: &str, reason: String| ConfigError { origin: "command line".into(), key: key.into(), reason };
        if let Some(url) = &flags.api_url {
            self.api_url = Some(parse_url(url).map_err(|r| error("--api-url", r))?);
        }
        if let Some(file) = &flags.api_ca_certificate {
            self.api_ca_certificates = Some(CaCertificates::read(file).map_err(|r| error("--api-ca-certificate", r))?);
        }
        if let Some(id) = &flags.kiosk_id {
            self.kiosk_id = parse_kiosk_id(id).map_err(|r| error("--kiosk-id", r))?;
        }
        if let Some(token) = &flags.token {
            self.token = Some(token.clone());
        }
        if let Some(language) = &flags.language {
            self.language = parse_language(language).map_err(|r| error("--language", r))?;
        }
        if flags.fullscreen || flags.windowed {
            self.fullscreen = flags.fullscreen;
        }
        if let Some(dir) = &flags.data_dir {
            self.data_dir = dir.clone();
        }
        if let Some(dir) = &flags.voices_dir {
            self.voices_dir = dir.clone();
        }
        if let Some(path) = &flags.camera_file {
            self.camera_file = Some(parse_camera_file(&path.to_string_lossy()).map_err(|r| error("--camera-file", r))?);
        }
        if let Some(index) = flags.camera_device {
            self.camera_device = index;
        }
        if let Some(key) = &flags.receipt_public_key {
            self.receipt_public_key = Some(parse_public_key(key).map_err(|r| error("--receipt-public-key", r))?);
        }
        if let Some(name) = &flags.kiosk_name {
            self.kiosk_name = Some(name.clone());
        }
        if let Some(command) = &flags.video_command {
            let words = command.split_whitespace().map(String::from).collect();
            self.video_command = parse_video_command(Some(words)).map_err(|r| error("--video-command", r))?;
        }
        if let Some(window) = flags.evaluator_window {
            self.evaluator_window = Some(parse_window(window).map_err(|r| error("--evaluator-window", r))?);
        }
        if let Some(path) = &flags.card_reader {
            let path = parse_serial_path(path).map_err(|r| error("--card-reader", r))?;
            self.card_reader = Some(SerialPort { path, baud: CARD_READER_BAUD });
        }
        if let Some(printer) = &flags.printer {
            let place = parse_printer(printer, PRINTER_BAUD).map_err(|r| error("--printer", r))?;
            self.printer = Some(PrinterConfig { place, ..self.printer.take().unwrap_or_default() });
        }
        // Paper without a printer: the width was set, the printer itself forgotten.
        if self.printer.as_ref().is_some_and(|p| p.place == PrinterPlace::default()) {
            return Err(error("printer", "paper_width_mm is set but no printer is named".into()));
        }
        if let Some(secs) = flags.idle_timeout {
            self.idle_timeout_secs = parse_idle_timeout(secs.into()).map_err(|r| error("--idle-timeout", r))?;
        }
        if self.api_url.is_some() && self.token.is_none() {
            return Err(error("token", "a remote service API (api_url) needs this kiosk's token".into()));
        }
        // Certificates that would be used nowhere: the API would be reached without TLS.
        let https = self.api_url.as_ref().is_some_and(|url| url.starts_with("https://"));
        if self.api_ca_certificates.is_some() && !https {
            return Err(error("api_ca_certificate", "only for an https:// api_url".into()));
        }
        Ok(())
    }
}

fn default_config_files() -> Vec<PathBuf> {
    let user = directories::ProjectDirs::from("cn", "community-service-center", "kiosk")
        .map(|d| d.config_dir().join("kiosk.toml"));
    user.into_iter().chain([PathBuf::from("/etc/kiosk/kiosk.toml")]).collect()
}

fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    span.map(|s| format!(" (line {})", text[..s.start].matches('\n').count() + 1)).unwrap_or_default()
}

fn parse_url(url: &str) -> Result<String, String> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(url.trim_end_matches('/').to_string())
    } else {
        Err(format!("\"{url}\" is not an http:// or https:// URL"))
    }
}

fn parse_kiosk_id(id: &str) -> Result<String, String> {
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        Ok(id.to_string())
    } else {
        Err(format!("\"{id}\" must be letters, digits, - or _"))
    }
}

fn parse_language(code: &str) -> Result<Language, String> {
    Language::parse(code).ok_or_else(|| format!("\"{code}\" is not a kiosk language (zh or en)"))
}

fn parse_camera_file(path: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(path);
    if path.exists() {
        Ok(path)
    } else {
        Err(format!("{} does not exist", path.display()))
    }
}

fn parse_public_key(hex: &str) -> Result<VerifyingKey, String> {
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| hex.get(i..i + 2).and_then(|pair| u8::from_str_radix(pair, 16).ok()))
        .collect();
    let bytes: [u8; 32] = bytes
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| format!("expected 64 hex digits, as `service-api receipt-key` prints, found \"{hex}\""))?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| "not a valid Ed25519 public key".into())
}

/// A window number as the service API numbers windows: 1 and up.
/// GA 467 modules answer at 115200 baud unless set otherwise.
const CARD_READER_BAUD: u32 = 115_200;
/// Serial ticket printers are commonly set to 9600 baud at the factory.
const PRINTER_BAUD: u32 = 9_600;

impl Default for PrinterConfig {
    fn default() -> PrinterConfig {
        PrinterConfig { place: PrinterPlace::default(), paper_mm: 80 }
    }
}

impl Default for PrinterPlace {
    fn default() -> PrinterPlace {
        PrinterPlace::Network(String::new())
    }
}

fn parse_baud(value: &toml::Value) -> Result<u32, String> {
    const SPEEDS: [i64; 6] = [9_600, 19_200, 38_400, 57_600, 115_200, 230_400];
    let speed = value.as_integer().filter(|speed| SPEEDS.contains(speed));
    speed.map(|s| s as u32).ok_or_else(|| format!("expected a serial speed ({SPEEDS:?}), found {value}"))
}

fn parse_serial_path(path: &str) -> Result<String, String> {
    if !path.starts_with("/dev/") {
        return Err(format!("expected a serial port such as /dev/ttyUSB0, found {path:?}"));
    }
    Ok(path.to_string())
}

/// `host:port` (a network printer), `/dev/usb/lpN` (USB) or `/dev/tty...` (serial).
fn parse_printer(text: &str, baud: u32) -> Result<PrinterPlace, String> {
    if text.starts_with("/dev/usb/lp") {
        return Ok(PrinterPlace::Usb(PathBuf::from(text)));
    }
    if text.starts_with("/dev/tty") {
        return Ok(PrinterPlace::Serial(SerialPort { path: text.to_string(), baud }));
    }
    match text.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0) => {
            Ok(PrinterPlace::Network(text.to_string()))
        }
        _ => Err(format!("expected HOST:PORT (e.g. 192.168.1.50:9100), /dev/usb/lp0 or /dev/ttyS0, found {text:?}")),
    }
}

fn parse_window(number: i64) -> Result<i64, String> {
    if number < 1 {
        return Err("expected a window number (1, 2, ...)".into());
    }
    Ok(number)
}

fn parse_video_command(words: Option<Vec<String>>) -> Result<Vec<String>, String> {
    match words {
        Some(words) if words.iter().any(|w| w.contains("{url}")) => Ok(words),
        Some(_) => Err("the command needs {url} somewhere, where the room's address goes".into()),
        None => Err("expected a list of strings, e.g. [\"chromium\", \"--app={url}\"]".into()),
    }
}

fn parse_idle_timeout(secs: i64) -> Result<u32, String> {
    match u32::try_from(secs) {
        Ok(s) if s >= MIN_IDLE_TIMEOUT => Ok(s),
        _ => Err(format!("{secs} seconds is too short: at least {MIN_IDLE_TIMEOUT}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_file(contents: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        std::fs::write(&path, contents).unwrap();
        Config::load(&Flags { config: Some(path), ..Flags::default() })
    }

    #[test]
    fn the_packaged_configuration_loads_and_so_does_each_setting_it_leaves_to_fill_in() {
        let packaged = include_str!("../packaging/kiosk/kiosk.toml");
        let config = load_file(packaged).unwrap();
        assert_eq!(config.api_url, None, "a demo kiosk on the embedded API until the center's is set");
        assert_eq!(config.data_dir, PathBuf::from("/var/lib/kiosk"));
        assert_eq!(config.voices_dir, PathBuf::from("/usr/share/kiosk/voices"));
        assert!(config.fullscreen);
        // Every commented-out setting (`#key = value`; a comment has a space after its `#`),
        // filled in, but the two that name files of the installed system (checked when loaded).
        let names_a_file =
            |setting: &str| setting.starts_with("api_ca_certificate") || setting.starts_with("keypad_file");
        let filled: Vec<String> = packaged
            .lines()
            .map(|line| match line.strip_prefix('#') {
                Some(setting) if !setting.starts_with(' ') && setting.contains(" = ") && !names_a_file(setting) => {
                    setting.to_string()
                }
                _ => line.to_string(),
            })
            .collect();
        let key = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
        let pin_line = crate::admin::hash_line("246810\n".as_bytes()).unwrap();
        let filled = filled
            .join("\n")
            .replace("token = \"...\"", "token = \"t\"")
            .replace("receipt_public_key = \"...\"", &format!("receipt_public_key = \"{key}\""))
            .replace("admin_pin_hash = \"...\"", &pin_line);
        let config = load_file(&filled).unwrap();
        assert_eq!(config.api_url.as_deref(), Some("https://service-api.center.lan:8443"));
        assert!(config.printer.is_some() && config.card_reader.is_some());
        assert!(config.admin_pin_hash.is_some());
    }

    /// A center's CA certificate (self-signed, EC P-256).
    const CENTER_CA_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBlTCCATugAwIBAgIUN8g1VaWONNKshRnsRqht8TRE5VMwCgYIKoZIzj0EAwIw
HzEdMBsGA1UEAwwUa2lvc2sgY29uZmlnIHRlc3QgQ0EwIBcNMjYxMjA1MTcwOTQ4
WhgPMjEyNjExMTExNzA5NDhaMB8xHTAbBgNVBAMMFGtpb3NrIGNvbmZpZyB0ZXN0
IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqXgOO3+Aer7Dt/HvKYxI9OyX
/+szsheGD2clT186zi3MlgjpWh+ex3sWANPgeiqKNMEW3vF2KlY+cwPmhvZ4AaNT
MFEwHQYDVR0OBBYEFIRcpUFcm/SPTjObABX7J3fUSnmxMB8GA1UdIwQYMBaAFIRc
pUFcm/SPTjObABX7J3fUSnmxMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID
SAAwRQIgFo2IUaBKz8nD2252tQ5rv4oEE35vhDzmuMmM7yBSj6cCIQDWxX8Xlt1w
k/ZpZGg1X4fND2PUG5RaZK/Uw5RsKsD2SQ==
-----END CERTIFICATE-----
";

    /// Writes `contents` as `name` in `dir`.
    fn file_in(dir: &tempfile::TempDir, name: &str, contents: &str) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    #[test]
    fn a_file_sets_every_key() {
        let keypad = concat!(env!("CARGO_MANIFEST_DIR"), "/keypads/numeric-17.toml");
        let dir = tempfile::tempdir().unwrap();
        let ca = file_in(&dir, "center-ca.pem", CENTER_CA_PEM);
        let ca = ca.display();
        let staff_pin = crate::admin::hash_line("246810".as_bytes()).unwrap();
        let config = load_file(&format!(
            "api_url = \"https://10.0.0.5:8080/\"\napi_ca_certificate = \"{ca}\"\n\
             kiosk_id = \"hall-2\"\ntoken = \"t0k\"\nlanguage = \"en\"\n\
             fullscreen = false\ndata_dir = \"/var/lib/kiosk\"\nidle_timeout_secs = 90\n\
             voices_dir = \"/opt/kiosk/voices\"\nprivate_audio = true\nsound_card = 1\nvolume = 4\npanel_inches = 23.8\npanel_pixels = [1920, 1200]\ncamera_file = \"/\"\ncamera_device = 2\ncamera_place = \"below-centre\"\nkeypad_place = \"right-of-screen\"\njack_place = \"below-keypad\"\n\
             receipt_public_key = \"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a\"\n\
             kiosk_name = \"大厅 2号机\"\nevaluator_window = 3\nvideo_command = [\"baresip\", \"-e\", \"/dial {{url}}\"]\n\
             keypad_file = \"{keypad}\"\n\
             card_reader = \"/dev/ttyUSB0\"\ncard_reader_baud = 9600\nprinter = \"/dev/ttyS1\"\nprinter_baud = 19200\n\
             paper_width_mm = 58\ncenter_name = \"东城区便民服务中心\"\n\
             {staff_pin}\nmaintenance_shell = true\n",
        ))
        .unwrap();
        assert_eq!(config.api_url.as_deref(), Some("https://10.0.0.5:8080"));
        assert_eq!(config.api_ca_certificates, Some(CaCertificates::from_pem(CENTER_CA_PEM.as_bytes()).unwrap()));
        assert_eq!(config.kiosk_id, "hall-2");
        assert_eq!(config.language, Language::En);
        assert!(!config.fullscreen);
        assert_eq!(config.data_dir, PathBuf::from("/var/lib/kiosk"));
        assert_eq!(config.idle_timeout_secs, 90);
        assert_eq!(config.voices_dir, PathBuf::from("/opt/kiosk/voices"));
        assert!(config.private_audio);
        assert_eq!(config.volume, 4);
        assert_eq!(config.sound_card, 1);
        assert_eq!(config.panel, Panel { diagonal_inches: 23.8, width_px: 1920, height_px: 1200 });
        assert_eq!(config.camera_file, Some(PathBuf::from("/")));
        assert_eq!(config.camera_device, 2);
        assert_eq!(config.camera_place, CameraPlace::BelowCentre);
        assert_eq!(config.receipt_public_key.unwrap().to_bytes()[..2], [0xd7, 0x5a]);
        assert_eq!(config.display_name(), "大厅 2号机");
        assert_eq!(config.video_command, ["baresip", "-e", "/dial {url}"]);
        assert_eq!(config.evaluator_window, Some(3));
        assert_eq!(config.keypad, Keymap::parse(&std::fs::read_to_string(keypad).unwrap()).unwrap());
        assert_eq!(config.card_reader, Some(SerialPort { path: "/dev/ttyUSB0".into(), baud: 9600 }));
        let serial = PrinterPlace::Serial(SerialPort { path: "/dev/ttyS1".into(), baud: 19200 });
        assert_eq!(config.printer, Some(PrinterConfig { place: serial, paper_mm: 58 }));
        assert_eq!(config.center_name, "东城区便民服务中心");
        assert!(config.admin_pin_hash.unwrap().matches("246810"));
        assert!(config.maintenance_shell);
    }

    #[test]
    fn without_a_staff_pin_there_is_no_admin_menu_and_no_shell() {
        let config = Config::load(&Flags::default()).unwrap();
        assert_eq!((config.admin_pin_hash, config.maintenance_shell), (None, false));
        let error = load_file("admin_pin_hash = \"246810\"\n").unwrap_err();
        assert_eq!(error.key, "admin_pin_hash");
        assert!(error.reason.contains("kiosk --hash-admin-pin"), "{error}");
        assert_eq!(load_file("maintenance_shell = \"yes\"\n").unwrap_err().key, "maintenance_shell");
    }

    #[test]
    fn printers_are_named_by_address_or_device_and_readers_by_port() {
        let printer = |text: &str| load_file(&format!("printer = \"{text}\"\n")).map(|c| c.printer.unwrap());
        let network = PrinterPlace::Network("192.168.1.50:9100".into());
        assert_eq!(printer("192.168.1.50:9100"), Ok(PrinterConfig { place: network, paper_mm: 80 }));
        assert_eq!(printer("/dev/usb/lp0").unwrap().place, PrinterPlace::Usb("/dev/usb/lp0".into()));
        let serial = PrinterPlace::Serial(SerialPort { path: "/dev/ttyS0".into(), baud: 9600 });
        assert_eq!(printer("/dev/ttyS0").unwrap().place, serial);
        assert_eq!(printer("printer.local").unwrap_err().key, "printer");
        assert_eq!(load_file("paper_width_mm = 76\n").unwrap_err().key, "paper_width_mm");
        assert_eq!(load_file("paper_width_mm = 58\n").unwrap_err().key, "printer", "paper for no printer");
        assert_eq!(load_file("printer = \"10.0.0.9:9100\"\nprinter_baud = 9600\n").unwrap_err().key, "printer_baud");
        assert_eq!(load_file("card_reader = \"COM3\"\n").unwrap_err().key, "card_reader");
        assert_eq!(load_file("card_reader_baud = 115200\n").unwrap_err().key, "card_reader_baud");
        assert_eq!(
            load_file("card_reader = \"/dev/ttyUSB0\"\ncard_reader_baud = 1234\n").unwrap_err().key,
            "card_reader_baud"
        );
        let flags = Flags {
            card_reader: Some("/dev/ttyACM0".into()),
            printer: Some("127.0.0.1:9100".into()),
            ..Flags::default()
        };
        let config = Config::load(&flags).unwrap();
        assert_eq!(config.card_reader, Some(SerialPort { path: "/dev/ttyACM0".into(), baud: 115_200 }));
        assert_eq!(config.printer.unwrap().place, PrinterPlace::Network("127.0.0.1:9100".into()));
    }

    #[test]
    fn bad_values_name_file_key_and_reason() {
        let error = load_file("language = \"fr\"\n").unwrap_err();
        assert!(error.origin.ends_with("kiosk.toml"));
        assert_eq!(error.key, "language");
        assert!(error.reason.contains("fr"), "{error}");

        assert_eq!(load_file("idle_timeout_secs = 5\n").unwrap_err().key, "idle_timeout_secs");
        assert_eq!(load_file("idle_timeout_secs = \"soon\"\n").unwrap_err().key, "idle_timeout_secs");
        assert_eq!(load_file("api_url = \"ftp://x\"\n").unwrap_err().key, "api_url");
        assert_eq!(load_file("colour = 3\n").unwrap_err().key, "colour");
        assert!(load_file("language = \n").unwrap_err().reason.contains("line 1"));
        assert_eq!(load_file("camera_file = \"/no/such/images\"\n").unwrap_err().key, "camera_file");
        assert_eq!(load_file("camera_device = -1\n").unwrap_err().key, "camera_device");
        assert!(load_file("camera_place = \"overhead\"\n").unwrap_err().reason.contains("above-centre"));
        assert_eq!(load_file("jack_place = \"behind\"\n").unwrap_err().key, "jack_place");
        assert!(load_file("volume = 10\n").unwrap_err().reason.contains("1 (quietest) to 9"));
        assert_eq!(load_file("volume = \"loud\"\n").unwrap_err().key, "volume");
        assert_eq!(load_file("sound_card = -1\n").unwrap_err().key, "sound_card");
        assert_eq!(load_file("panel_inches = 2\n").unwrap_err().key, "panel_inches");
        assert_eq!(load_file("panel_pixels = [1920]\n").unwrap_err().key, "panel_pixels");
        assert_eq!(load_file("keypad_file = \"/no/such/keypad.toml\"\n").unwrap_err().key, "keypad_file");
        assert_eq!(load_file("video_command = [\"chromium\"]\n").unwrap_err().key, "video_command");
        assert_eq!(load_file("evaluator_window = \"3\"\n").unwrap_err().key, "evaluator_window");
        assert_eq!(load_file("video_command = \"chromium {url}\"\n").unwrap_err().key, "video_command");
        let error = load_file("receipt_public_key = \"abc\"\n").unwrap_err();
        assert_eq!(error.key, "receipt_public_key");
        assert!(error.reason.contains("64 hex digits"), "{error}");
    }

    #[test]
    fn a_ca_certificate_file_that_is_missing_or_not_pem_is_named_and_only_https_takes_one() {
        let dir = tempfile::tempdir().unwrap();
        let not_pem = file_in(&dir, "center-ca.crt", "MIIBlTCCATugAwIBAgIUN8g1VaWONNKsh");
        let https = "api_url = \"https://10.0.0.5\"\ntoken = \"t\"\n";
        for (file, why) in
            [(Path::new("/no/such/center-ca.pem"), "cannot read"), (not_pem.as_path(), "no PEM certificate")]
        {
            let error = load_file(&format!("{https}api_ca_certificate = \"{}\"\n", file.display())).unwrap_err();
            assert_eq!(error.key, "api_ca_certificate");
            assert!(error.reason.contains(&file.display().to_string()) && error.reason.contains(why), "{error}");
        }

        let ca = file_in(&dir, "center-ca.pem", CENTER_CA_PEM);
        let http = "api_url = \"http://10.0.0.5\"\ntoken = \"t\"\n";
        let error = load_file(&format!("{http}api_ca_certificate = \"{}\"\n", ca.display())).unwrap_err();
        assert_eq!((error.key.as_str(), error.reason.as_str()), ("api_ca_certificate", "only for an https:// api_url"));

        let flags = Flags {
            api_url: Some("https://api.center.example".into()),
            token: Some("t".into()),
            api_ca_certificate: Some(ca),
            ..Flags::default()
        };
        assert!(Config::load(&flags).unwrap().api_ca_certificates.is_some());
        let error = Config::load(&Flags { api_ca_certificate: Some(not_pem), ..flags }).unwrap_err();
        assert_eq!(error.key, "--api-ca-certificate");
        assert!(error.reason.contains("center-ca.crt"), "{error}");
    }

    #[test]
    fn a_remote_api_needs_a_token() {
        let error = load_file("api_url = \"http://10.0.0.5\"\n").unwrap_err();
        assert_eq!(error.key, "token");
    }

    #[test]
    fn flags_override_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        std::fs::write(&path, "language = \"en\"\nfullscreen = true\n").unwrap();
        let flags = Flags { config: Some(path), language: Some("zh".into()), windowed: true, ..Flags::default() };
        let config = Config::load(&flags).unwrap();
        assert_eq!(config.language, Language::Zh);
        assert!(!config.fullscreen);
        let flags = Flags { idle_timeout: Some(3), ..Flags::default() };
        assert_eq!(
            Config::load(&flags).unwrap_err().to_string(),
            "command line: --idle-timeout: 3 seconds is too short: at least 20"
        );
    }
}
