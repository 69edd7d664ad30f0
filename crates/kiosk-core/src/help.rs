//! The help page: how the kiosk works, how to reach a person or an interpreter, privacy, the
//! volume page and the captions switch.

use super::settings;
use super::view::{Line, Texts, View};
use super::{action, BarAction, Effect, Kiosk, Screen};

impl Kiosk {
    pub(super) fn open_help(&mut self) {
        if self.session.screen != Screen::Help {
            self.go(Screen::Help)
        }
    }

    pub(super) fn activate_help(&mut self, id: &str) -> Vec<Effect> {
        match id {
            action::CLOSE => self.back(),
            action::CAPTIONS => settings::change(&mut self.session.profile, BarAction::Captions),
            action::VOLUME => self.open_volume(),
            _ => {}
        }
        vec![]
    }
}

pub(super) fn view(t: Texts, view: &mut View) {
    view.title = t.prompt("help.title");
    view.prompt = t.prompt("help.prompt");
    let paragraphs = ["help.tap", "help.text", "help.staff", "help.sign-language", "help.privacy"];
    view.lines = paragraphs.iter().map(|id| Line::body(t.prompt(id))).collect();
    let captions = if view.profile.captions { "help.captions-off" } else { "help.captions-on" };
    view.items = vec![
        t.button(action::CLOSE, "help.close"),
        t.button(action::CAPTIONS, captions),
        t.button(action::VOLUME, "help.volume"),
    ];
}
