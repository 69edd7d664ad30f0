//! The resident's keys and buttons, as the core's events.

use kiosk_core::voice::NavKey;
use kiosk_core::{EntryKey, Event};

use super::BarAction;

/// A button of the global bar (or the caption strip's), or help held down.
pub fn bar_event(action: BarAction) -> Event {
    use kiosk_core::BarAction as Bar;
    Event::Bar(match action {
        BarAction::Home => Bar::Home,
        BarAction::Back => Bar::Back,
        BarAction::Help => Bar::Help,
        BarAction::HelpHeld => return Event::HelpHeld,
        BarAction::SignLanguage => Bar::SignLanguage,
        BarAction::CallStaff => Bar::CallStaff,
        BarAction::TextSize => Bar::TextSize,
        BarAction::Contrast => Bar::Contrast,
        BarAction::Language => Bar::Language,
        BarAction::Voice => Bar::Voice,
        BarAction::Captions => Bar::Captions,
    })
}

/// The keys of an EZ-Access keypad, or of a USB keyboard standing in for it: arrows step,
/// Enter activates, Escape goes back, F1-F8 help, where-am-I, repeat, pause, rate and
/// volume, F9 the sign-language interpreter, F10 staff, F11 (or `*`) reads back the entry;
/// digits and X type into an entry.
pub fn nav_key(text: &str) -> Option<NavKey> {
    use slint::platform::Key;
    let mut chars = text.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else { return None };
    let key = |k: Key| char::from(k);
    Some(match c {
        c if c == key(Key::UpArrow) || c == key(Key::Backtab) => NavKey::Up,
        c if c == key(Key::DownArrow) || c == key(Key::Tab) => NavKey::Down,
        c if c == key(Key::Return) || c == ' ' => NavKey::Enter,
        c if c == key(Key::Escape) => NavKey::Back,
        c if c == key(Key::F1) => NavKey::Help,
        c if c == key(Key::F2) => NavKey::WhereAmI,
        c if c == key(Key::F3) => NavKey::Repeat,
        c if c == key(Key::F4) => NavKey::Pause,
        c if c == key(Key::F5) => NavKey::RateDown,
        c if c == key(Key::F6) => NavKey::RateUp,
        c if c == key(Key::F7) || c == '-' => NavKey::VolumeDown,
        c if c == key(Key::F8) || c == '+' => NavKey::VolumeUp,
        c if c == key(Key::F9) => NavKey::SignLanguage,
        c if c == key(Key::F10) => NavKey::CallStaff,
        c if c == key(Key::F11) || c == '*' => NavKey::ReadBack,
        c if c == key(Key::Backspace) => NavKey::Type(EntryKey::Delete),
        'x' | 'X' => NavKey::Type(EntryKey::Char('X')),
        c if c.is_ascii_digit() => NavKey::Type(EntryKey::Char(c)),
        _ => return None,
    })
}
