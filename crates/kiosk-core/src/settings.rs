//! The resident's own settings from the bar: text size, contrast, language, voice navigation
//! and captions. They belong to the session's profile and go with it.

use super::profile::Profile;
use super::BarAction;

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
