//! The resident's own settings from the bar: text size, contrast, language, voice navigation,
//! captions and the volume page. They belong to the session's profile and go with it.

use super::profile::Profile;
use super::speech::{Phrase, Sound, VoiceSettings};
use super::view::{Line, Texts, View};
use super::{action, BarAction, Effect, Kiosk, Screen};

/// Applies a settings button of the bar; the other bar actions change nothing here.
pub(super) fn change(profile: &mut Profile, action: BarAction) {
    match action {
        BarAction::TextSize => profile.text_size = profile.text_size.next(),
        BarAction::Contrast => profile.high_contrast = !profile.high_contrast,
        BarAction::Language => profile.language = profile.language.other(),
        BarAction::Voice => profile.voice = !profile.voice,
        BarAction::Captions => profile.captions = !profile.captions,
        BarAction::Home | BarAction::Back | BarAction::Help | BarAction::SignLanguage | BarAction::CallStaff => {}
    }
}

impl Kiosk {
    /// The volume page, from the help page (the bar's 帮助, on every screen): for a sighted
    /// resident who hears badly, with voice navigation on or off (it does not switch it on).
    pub(super) fn open_volume(&mut self) {
        if self.session.screen != Screen::Volume {
            self.go(Screen::Volume)
        }
    }

    /// Louder or quieter by a level, said at the new level so the resident hears it.
    pub(super) fn activate_volume(&mut self, id: &str) -> Vec<Effect> {
        let change = match id {
            action::LOUDER => 1,
            action::QUIETER => -1,
            action::CLOSE => {
                self.back();
                return vec![];
            }
            _ => return vec![],
        };
        let settings = &mut self.session.profile.voice_settings;
        if !settings.step_volume(change) {
            return self.say_prompt("voice.limit");
        }
        let now = settings.volume;
        self.say(vec![Sound::Say(level(now))])
    }
}

/// "音量：第 6 级，共 9 级".
fn level(volume: i8) -> Phrase {
    let of = |n: i8| Phrase::number(n as u64 + 1);
    Phrase::prompt_with("volume.level", vec![of(volume), of(VoiceSettings::LOUDEST)])
}

pub(super) fn volume_view(t: Texts, view: &mut View) {
    view.title = t.prompt("volume.title");
    view.prompt = t.prompt("volume.prompt");
    view.lines = vec![Line::heading(t.phrase(level(view.profile.voice_settings.volume)))];
    view.items = vec![
        t.button(action::LOUDER, "volume.louder"),
        t.button(action::QUIETER, "volume.quieter"),
        t.button(action::CLOSE, "volume.close"),
    ];
}
