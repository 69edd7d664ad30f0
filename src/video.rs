//! The interpreter's video call, through an existing video engine rather than one of our own:
//! a launcher opens the call's room in a window of its own (by default a Jitsi Meet room in a
//! Chromium app window) in the region of the screen below the kiosk's bar, keeps it there (see
//! [`crate::desk`]), and watches for that window to close.

use std::io;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use kiosk_core::profile::Language;

use crate::desk::{Desk, Region};

/// Opens video rooms. A center can put its own platform behind it (SIP through baresip, say).
pub trait VideoLauncher {
    /// Opens the room at `join_url` with the interface in `language`, in `region` of the screen.
    fn open(&self, join_url: &str, language: Language, region: Region) -> io::Result<Box<dyn VideoWindow>>;
}

/// An open video window; dropping it closes the window.
pub trait VideoWindow {
    /// `None` while the window is open.
    fn closed(&mut self) -> Option<Closed>;
    /// Puts the window back in its region, and the keyboard back on the kiosk, if either
    /// moved; called every few hundred milliseconds while the window is open.
    fn keep_in_place(&mut self);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closed {
    /// Closed normally: the resident closed it, or the platform ended the call.
    Normally,
    /// The video program failed.
    Failed,
}

/// The default command: the room in a Chromium app window over the screen below the kiosk's
/// bar, camera and microphone allowed without asking, in a fresh profile (so no other Chromium
/// window takes the call over, and nothing of one call is left for the next).
pub fn default_command() -> Vec<String> {
    let mut command: Vec<String> = [
        "chromium",
        "--app={url}",
        "--user-data-dir={profile}",
        "--auto-accept-camera-and-microphone-capture",
        "--window-position={x},{y}",
        "--window-size={width},{height}",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-session-crashed-bubble",
        "--noerrdialogs",
    ]
    .map(String::from)
    .into();
    // Chromium refuses to start as root without this (a demo machine; kiosks run as a user).
    if unsafe { libc::geteuid() } == 0 {
        command.push("--no-sandbox".into());
    }
    command
}

/// The one launcher: runs a configured command in which `{url}` is the room's address (with
/// Jitsi's settings added for a web address), `{profile}` an empty folder for the call,
/// removed afterwards, and `{x}`, `{y}`, `{width}`, `{height}` the window's region in pixels.
pub struct CommandLauncher {
    command: Vec<String>,
    /// The name the interpreter sees for this kiosk.
    display_name: String,
    /// Where the calls' profile folders go.
    scratch: PathBuf,
}

impl CommandLauncher {
    pub fn new(command: Vec<String>, display_name: impl Into<String>, scratch: impl Into<PathBuf>) -> CommandLauncher {
        CommandLauncher { command, display_name: display_name.into(), scratch: scratch.into() }
    }
}

impl VideoLauncher for CommandLauncher {
    fn open(&self, join_url: &str, language: Language, region: Region) -> io::Result<Box<dyn VideoWindow>> {
        let url = room_url(join_url, &self.display_name, language);
        let profile = self.scratch.join(format!("video-call-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&profile)?;
        let fill = |arg: &String| {
            arg.replace("{url}", &url)
                .replace("{profile}", &profile.to_string_lossy())
                .replace("{x}", &region.x.to_string())
                .replace("{y}", &region.y.to_string())
                .replace("{width}", &region.width.to_string())
                .replace("{height}", &region.height.to_string())
        };
        let Some((program, args)) = self.command.split_first() else {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "the video command is empty"));
        };
        let mut command = Command::new(fill(program));
        // Its own process group, so closing the window also ends the helpers it started; and
        // ended with the kiosk, should the kiosk stop without closing it (a crash).
        command.args(args.iter().map(fill)).process_group(0);
        unsafe {
            command.pre_exec(|| match libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) {
                0 => Ok(()),
                _ => Err(io::Error::last_os_error()),
            });
        }
        let spawned = command.spawn();
        match spawned {
            Ok(child) => {
                let group = child.id();
                Ok(Box::new(LaunchedWindow { child: Some(child), profile, group, region, desk: Desk::connect() }))
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&profile);
                Err(io::Error::new(e.kind(), format!("cannot run {program}: {e}")))
            }
        }
    }
}

struct LaunchedWindow {
    /// `None` once it has been reaped.
    child: Option<Child>,
    profile: PathBuf,
    /// The program's process group: its windows may belong to any process of it.
    group: u32,
    region: Region,
    /// `None` off X: the window stays where the program put it.
    desk: Option<Desk>,
}

impl VideoWindow for LaunchedWindow {
    fn closed(&mut self) -> Option<Closed> {
        let status = self.child.as_mut()?.try_wait();
        let closed = match status {
            Ok(None) => return None,
            Ok(Some(status)) if status.success() => Closed::Normally,
            Ok(Some(status)) => {
                eprintln!("kiosk: the video window ended with {status}");
                Closed::Failed
            }
            Err(e) => {
                eprintln!("kiosk: cannot watch the video window: {e}");
                Closed::Failed
            }
        };
        self.child = None;
        Some(closed)
    }

    fn keep_in_place(&mut self) {
        if let Some(desk) = &self.desk {
            desk.keep_in(self.group, self.region);
            desk.keep_keyboard();
        }
    }
}

impl Drop for LaunchedWindow {
    /// Closes the window: asks its process group to stop, then makes it, off the UI thread.
    fn drop(&mut self) {
        let child = self.child.take();
        let profile = std::mem::take(&mut self.profile);
        std::thread::spawn(move || {
            if let Some(mut child) = child {
                let _ = stop(&mut child);
            }
            let _ = std::fs::remove_dir_all(profile);
        });
    }
}

/// SIGTERM to the child's process group, and SIGKILL if it is still there after 3 s.
fn stop(child: &mut Child) -> io::Result<ExitStatus> {
    let group = -(child.id() as i32);
    unsafe { libc::kill(group, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    unsafe { libc::kill(group, libc::SIGKILL) };
    child.wait()
}

/// The room's address as the window opens it. A Jitsi Meet room (any web address) gets its
/// settings in the address's hash: no pre-join page, the kiosk's name, the resident's language,
/// camera and microphone on. Values are JSON, percent-encoded. Other addresses (`sip:`) are
/// left as they are.
pub fn room_url(join_url: &str, display_name: &str, language: Language) -> String {
    if !(join_url.starts_with("https://") || join_url.starts_with("http://")) {
        return join_url.to_string();
    }
    let json = |s: &str| serde_json::to_string(s).expect("a string is JSON");
    let language = match language {
        Language::Zh => "zhCN",
        Language::En => "en",
    };
    let settings = [
        ("config.prejoinConfig.enabled", "false".to_string()),
        ("config.prejoinPageEnabled", "false".to_string()),
        ("config.startWithAudioMuted", "false".to_string()),
        ("config.startWithVideoMuted", "false".to_string()),
        ("config.disableDeepLinking", "true".to_string()),
        // No hang-up or full-screen button in the video: the kiosk's bar ends the call (and
        // closes the window), so no page of Jitsi's is left behind on the screen.
        ("config.toolbarButtons", r#"["microphone","camera","tileview"]"#.to_string()),
        ("config.defaultLanguage", json(language)),
        ("userInfo.displayName", json(display_name)),
    ];
    let hash: Vec<String> = settings.iter().map(|(key, value)| format!("{key}={}", percent_encode(value))).collect();
    let base = join_url.split('#').next().unwrap_or(join_url);
    format!("{base}#{}", hash.join("&"))
}

/// Percent-encodes all but the unreserved characters (RFC 3986), as JavaScript's
/// `encodeURIComponent` does, which Jitsi's `decodeURIComponent` undoes.
fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::Path;

    const REGION: Region = Region { x: 0, y: 120, width: 1920, height: 900 };

    /// A stand-in for the video program: records its arguments, one per line, then runs
    /// `then` (a shell command).
    fn stub(dir: &Path, then: &str) -> Vec<String> {
        let script = dir.join("video-stub");
        let args = dir.join("args");
        std::fs::write(&script, format!("#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n{then}\n", args.display())).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let args =
            ["--app={url}", "--user-data-dir={profile}", "--window-position={x},{y}", "--window-size={width},{height}"];
        [script.to_string_lossy().into()].into_iter().chain(args.map(String::from)).collect()
    }

    /// Polls `check` until it gives a value, for up to 5 s.
    fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(value) = check() {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The arguments the stub recorded, once it has.
    fn recorded(dir: &Path) -> Vec<String> {
        let file = dir.join("args");
        eventually("the stub's arguments", || std::fs::read_to_string(&file).ok()).lines().map(String::from).collect()
    }

    /// The `count` process ids the stub wrote to `file`, once it has.
    fn pids_in(file: &Path, count: usize) -> Vec<i32> {
        eventually("the stub's process ids", || {
            let pids: Vec<i32> =
                std::fs::read_to_string(file).ok()?.split_whitespace().filter_map(|p| p.parse().ok()).collect();
            (pids.len() == count).then_some(pids)
        })
    }

    /// Waits until none of `pids` runs any more (gone, or a zombie).
    fn ended(pids: &[i32]) {
        let running = |pid: &i32| Path::new(&format!("/proc/{pid}")).exists() && !zombie(*pid);
        eventually(&format!("{pids:?} to end"), || (!pids.iter().any(running)).then_some(()));
    }

    fn zombie(pid: i32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| stat.contains(") Z "))
    }

    #[test]
    fn a_jitsi_room_gets_its_settings_in_the_hash_escaped() {
        let url = room_url("https://meet.example.cn/csc-0123abcd", "大厅 2号 \"自助机\" & co", Language::Zh);
        let (base, hash) = url.split_once('#').unwrap();
        assert_eq!(base, "https://meet.example.cn/csc-0123abcd");
        let settings: Vec<&str> = hash.split('&').collect();
        assert!(settings.contains(&"config.prejoinConfig.enabled=false"), "{hash}");
        assert!(settings.contains(&"config.defaultLanguage=%22zhCN%22"), "{hash}");
        let toolbar = settings.iter().find_map(|s| s.strip_prefix("config.toolbarButtons=")).unwrap();
        let buttons: Vec<String> = serde_json::from_slice(&percent_decode(toolbar)).unwrap();
        assert!(!buttons.iter().any(|b| b == "hangup" || b == "fullscreen"), "the kiosk's bar ends calls: {buttons:?}");
        let name = settings.iter().find_map(|s| s.strip_prefix("userInfo.displayName=")).unwrap();
        assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b"%-_.~".contains(&b)), "{name}");
        // Decoded, it is the name as a JSON string.
        let decoded: String = serde_json::from_slice(&percent_decode(name)).unwrap();
        assert_eq!(decoded, "大厅 2号 \"自助机\" & co");
        assert!(room_url("https://meet.jit.si/csc-1", "k", Language::En).contains("config.defaultLanguage=%22en%22"));
    }

    fn percent_decode(s: &str) -> Vec<u8> {
        let (bytes, mut out, mut i) = (s.as_bytes(), Vec::new(), 0);
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        out
    }

    #[test]
    fn other_platforms_get_the_address_as_it_is() {
        assert_eq!(
            room_url("sip:interpreters@sip.example.cn", "kiosk", Language::Zh),
            "sip:interpreters@sip.example.cn"
        );
    }

    #[test]
    fn the_command_gets_the_room_and_a_fresh_profile_and_its_exit_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let launcher = CommandLauncher::new(stub(dir.path(), "exit 0"), "大厅一号机", dir.path());
        let mut window = launcher.open("https://meet.example.cn/csc-42", Language::Zh, REGION).unwrap();
        let args = recorded(dir.path());
        assert_eq!(
            args[0],
            format!("--app={}", room_url("https://meet.example.cn/csc-42", "大厅一号机", Language::Zh))
        );
        let profile = args[1].strip_prefix("--user-data-dir=").unwrap();
        assert!(Path::new(profile).starts_with(dir.path()));
        assert_eq!(args[2..], ["--window-position=0,120", "--window-size=1920,900"], "below the kiosk's bar");
        assert_eq!(eventually("the window to close", || window.closed()), Closed::Normally);
        drop(window);
        eventually("the call's profile to be removed", || (!Path::new(profile).exists()).then_some(()));
    }

    #[test]
    fn a_failing_program_is_reported_as_failed() {
        let dir = tempfile::tempdir().unwrap();
        let launcher = CommandLauncher::new(stub(dir.path(), "exit 3"), "k", dir.path());
        let mut window = launcher.open("https://meet.example.cn/csc-1", Language::En, REGION).unwrap();
        assert_eq!(eventually("the window to close", || window.closed()), Closed::Failed);
        let missing = CommandLauncher::new(vec!["/nonexistent/video-program".into()], "k", dir.path());
        assert!(missing.open("https://meet.example.cn/csc-1", Language::En, REGION).is_err());
    }

    #[test]
    fn dropping_the_window_ends_the_program_and_what_it_started() {
        let dir = tempfile::tempdir().unwrap();
        let pids = dir.path().join("pids");
        // The stub starts a helper, as a browser does, and both wait.
        let then = format!("sleep 60 & echo $$ $! > '{}'\nwait", pids.display());
        let launcher = CommandLauncher::new(stub(dir.path(), &then), "k", dir.path());
        let mut window = launcher.open("https://meet.example.cn/csc-1", Language::Zh, REGION).unwrap();
        let pids = pids_in(&pids, 2);
        assert_eq!(window.closed(), None, "still open");
        drop(window);
        ended(&pids);
    }

    #[test]
    fn the_program_ends_with_the_kiosk_even_if_the_window_is_never_closed() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let then = format!("echo $$ > '{}'\nexec sleep 60", pid_file.display());
        let launcher = CommandLauncher::new(stub(dir.path(), &then), "k", dir.path());
        // The thread that opens it stands for the kiosk: it stops without closing the window.
        let kiosk = std::thread::spawn(move || {
            let window = launcher.open("https://meet.example.cn/csc-1", Language::Zh, REGION).unwrap();
            let pids = pids_in(&pid_file, 1);
            std::mem::forget(window);
            (pids, dir)
        });
        let (pids, _dir) = kiosk.join().unwrap();
        ended(&pids); // the video program does not outlive the kiosk
    }
}
