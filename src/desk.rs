//! The X display the kiosk shares with the interpreter's video window. While a call is open,
//! the kiosk keeps the video in its region below the kiosk's bar, whatever the video program
//! asks for itself (Jitsi's own full-screen button included), so the bar's 结束通话 stays in
//! sight; and it keeps the keyboard, so the resident's keypad (end call, help) still reaches
//! the kiosk after a touch on the video gave that window the focus.
//!
//! It works on a display without a window manager (the kiosk session) and with one that lets
//! clients place their windows; a compositor that places every window itself (cage) would
//! hide the kiosk, which is why the session does not use one.

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ConfigureWindowAux, ConnectionExt, InputFocus, MapState, StackMode, Window};
use x11rb::rust_connection::RustConnection;
use x11rb::CURRENT_TIME;

/// A rectangle of the screen, in pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Region {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

/// A connection to the X display the kiosk is on.
pub struct Desk {
    conn: RustConnection,
    root: Window,
    net_wm_pid: u32,
    net_client_list: u32,
}

impl Desk {
    /// `None` off X (a Wayland session, the tests' software window).
    pub fn connect() -> Option<Desk> {
        std::env::var_os("DISPLAY")?;
        let (conn, screen) = x11rb::connect(None).ok()?;
        let root = conn.setup().roots.get(screen)?.root;
        let atom = |name: &[u8]| Some(conn.intern_atom(false, name).ok()?.reply().ok()?.atom);
        let (net_wm_pid, net_client_list) = (atom(b"_NET_WM_PID")?, atom(b"_NET_CLIENT_LIST")?);
        Some(Desk { conn, root, net_wm_pid, net_client_list })
    }

    /// Puts the shown windows of the processes in `group` (the video program's process group)
    /// into `region`, above the others; returns how many it found.
    pub fn keep_in(&self, group: u32, region: Region) -> usize {
        let windows: Vec<Window> =
            self.shown_windows().into_iter().filter(|&w| self.pid(w).and_then(process_group) == Some(group)).collect();
        for &window in &windows {
            if self.region_of(window) != Some(region) {
                let place = ConfigureWindowAux::new()
                    .x(region.x)
                    .y(region.y)
                    .width(region.width)
                    .height(region.height)
                    .stack_mode(StackMode::ABOVE);
                let _ = self.conn.configure_window(window, &place);
            }
        }
        let _ = self.conn.flush();
        windows.len()
    }

    /// Gives the keyboard to the kiosk's own window when another window has it.
    pub fn keep_keyboard(&self) {
        let ours = self.shown_windows().into_iter().find(|&w| self.pid(w) == Some(std::process::id()));
        let Some(ours) = ours else { return };
        let focus = self.conn.get_input_focus().ok().and_then(|c| c.reply().ok()).map(|r| r.focus);
        if focus != Some(ours) {
            let _ = self.conn.set_input_focus(InputFocus::PARENT, ours, CURRENT_TIME);
            let _ = self.conn.flush();
        }
    }

    /// The top-level windows on screen: the window manager's list where there is one, the
    /// root's children otherwise.
    fn shown_windows(&self) -> Vec<Window> {
        let listed = self
            .conn
            .get_property(false, self.root, self.net_client_list, AtomEnum::WINDOW, 0, 1024)
            .ok()
            .and_then(|c| c.reply().ok())
            .and_then(|r| r.value32().map(|v| v.collect::<Vec<_>>()))
            .filter(|list| !list.is_empty());
        let windows = match listed {
            Some(list) => list,
            None => self.conn.query_tree(self.root).ok().and_then(|c| c.reply().ok()).map_or(vec![], |t| t.children),
        };
        windows.into_iter().filter(|&w| self.shown(w)).collect()
    }

    fn shown(&self, window: Window) -> bool {
        let attributes = self.conn.get_window_attributes(window).ok().and_then(|c| c.reply().ok());
        attributes.is_some_and(|a| a.map_state == MapState::VIEWABLE && !a.override_redirect)
    }

    /// The process that owns `window`, as it says (`_NET_WM_PID`).
    fn pid(&self, window: Window) -> Option<u32> {
        let reply =
            self.conn.get_property(false, window, self.net_wm_pid, AtomEnum::CARDINAL, 0, 1).ok()?.reply().ok()?;
        let pid = reply.value32()?.next();
        pid
    }

    /// Where `window` is on the screen.
    fn region_of(&self, window: Window) -> Option<Region> {
        let geometry = self.conn.get_geometry(window).ok()?.reply().ok()?;
        let at = self.conn.translate_coordinates(window, self.root, 0, 0).ok()?.reply().ok()?;
        let (width, height) = (geometry.width.into(), geometry.height.into());
        Some(Region { x: at.dst_x.into(), y: at.dst_y.into(), width, height })
    }
}

/// The process group of `pid` (field 5 of /proc/PID/stat).
fn process_group(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    stat.rsplit_once(')')?.1.split_whitespace().nth(2)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_group_is_read_from_proc() {
        let ours = unsafe { libc::getpgrp() } as u32;
        assert_eq!(process_group(std::process::id()), Some(ours));
        assert_eq!(process_group(u32::MAX), None);
    }
}
