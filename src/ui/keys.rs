//! The resident's keys and buttons, as the core's events.

use std::collections::HashMap;

use slint::platform::Key;

use kiosk_core::voice::NavKey;
use kiosk_core::Event;

use super::{BarAction, Corner};

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

/// A blank corner of the page held down (the admin menu's gesture).
pub fn corner_event(corner: Corner) -> Event {
    Event::CornerHeld(match corner {
        Corner::TopLeft => kiosk_core::Corner::TopLeft,
        Corner::TopRight => kiosk_core::Corner::TopRight,
    })
}

/// Which key of the resident's keypad does what: key names (`F1`, `Up`, `Return`, `+`,
/// `5`, ...) to the kiosk's keys (`help`, `up`, `enter`, `volume-up`, `5`, ...; see
/// [`NavKey::parse`]). The center picks its keypad's file in the configuration
/// (`keypad_file`; `keypads/` holds those of common keypads); without one, [`Keymap::default`].
#[derive(Clone, Debug, PartialEq)]
pub struct Keymap(HashMap<String, NavKey>);

/// Slint's codes of the non-character keys a keypad may send, by the names mapping files use.
const NAMED_KEYS: [(&str, Key); 20] = [
    ("Up", Key::UpArrow),
    ("Down", Key::DownArrow),
    ("Left", Key::LeftArrow),
    ("Right", Key::RightArrow),
    ("Tab", Key::Tab),
    ("Backtab", Key::Backtab),
    ("Return", Key::Return),
    ("Escape", Key::Escape),
    ("Backspace", Key::Backspace),
    ("F1", Key::F1),
    ("F2", Key::F2),
    ("F3", Key::F3),
    ("F4", Key::F4),
    ("F5", Key::F5),
    ("F6", Key::F6),
    ("F7", Key::F7),
    ("F8", Key::F8),
    ("F9", Key::F9),
    ("F10", Key::F10),
    ("F11", Key::F11),
];

impl Default for Keymap {
    /// An EZ Access keypad, or a USB keyboard standing in for it: arrows step, Enter (the
    /// green diamond) activates, Escape goes back, F1-F8 help, where-am-I, repeat, pause,
    /// rate and volume, F9 the sign-language interpreter, F10 staff, F11 (or `*`) reads back
    /// the entry; digits and X type into an entry.
    fn default() -> Self {
        let mut keys = vec![
            ("Up", "up"),
            ("Backtab", "up"),
            ("Down", "down"),
            ("Tab", "down"),
            ("Return", "enter"),
            (" ", "enter"),
            ("Escape", "back"),
            ("F1", "help"),
            ("F2", "where-am-i"),
            ("F3", "repeat"),
            ("F4", "pause"),
            ("F5", "rate-down"),
            ("F6", "rate-up"),
            ("F7", "volume-down"),
            ("-", "volume-down"),
            ("F8", "volume-up"),
            ("+", "volume-up"),
            ("F9", "sign-language"),
            ("F10", "call-staff"),
            ("F11", "read-back"),
            ("*", "read-back"),
            ("Backspace", "delete"),
            ("x", "X"),
            ("X", "X"),
        ];
        let digits: Vec<String> = (0..10).map(|d| d.to_string()).collect();
        keys.extend(digits.iter().map(|d| (d.as_str(), d.as_str())));
        Keymap(
            keys.into_iter().map(|(key, does)| (key.to_string(), NavKey::parse(does).expect("a kiosk key"))).collect(),
        )
    }
}

impl Keymap {
    /// A keypad's mapping file: a `[keys]` table of key names to kiosk keys.
    pub fn parse(text: &str) -> Result<Keymap, String> {
        let file: toml::Table = text.parse().map_err(|e: toml::de::Error| e.message().to_string())?;
        let keys = file.get("keys").and_then(|k| k.as_table()).ok_or("no [keys] table")?;
        let mut map = HashMap::new();
        for (key, does) in keys {
            let known = key.chars().count() == 1 || NAMED_KEYS.iter().any(|(name, _)| name == key);
            if !known {
                return Err(format!("{key:?} is not a key name (a character, or one of {})", names()));
            }
            let does =
                does.as_str().and_then(NavKey::parse).ok_or_else(|| format!("{key} = {does}: not a kiosk key"))?;
            map.insert(key.clone(), does);
        }
        Ok(Keymap(map))
    }

    /// The kiosk key that Slint's key text `text` is on this keypad.
    pub fn nav_key(&self, text: &str) -> Option<NavKey> {
        let mut chars = text.chars();
        let (Some(c), None) = (chars.next(), chars.next()) else { return None };
        let named = NAMED_KEYS.iter().find(|(_, key)| char::from(*key) == c).map(|(name, _)| *name);
        self.0.get(named.unwrap_or(text)).copied()
    }
}

fn names() -> String {
    NAMED_KEYS.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_keypad_and_the_shipped_mapping_files() {
        let keys = Keymap::default();
        assert_eq!(keys.nav_key(&char::from(Key::F1).to_string()), Some(NavKey::Help));
        assert_eq!(keys.nav_key("7"), Some(NavKey::Type(kiosk_core::EntryKey::Char('7'))));
        assert_eq!(keys.nav_key("q"), None);
        for file in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/keypads")).unwrap() {
            let path = file.unwrap().path();
            let keys = Keymap::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
            assert_eq!(keys.nav_key("5"), Some(NavKey::Type(kiosk_core::EntryKey::Char('5'))), "{path:?}");
            assert!(keys.0.values().any(|k| *k == NavKey::Help), "{path:?} has no help key");
        }
        let numeric = Keymap::parse(include_str!("../../keypads/numeric-17.toml")).unwrap();
        assert_eq!(numeric.nav_key("+"), Some(NavKey::Down));
        assert_eq!(numeric.nav_key(&char::from(Key::Return).to_string()), Some(NavKey::Enter));
        assert!(Keymap::parse("[keys]\nF13 = \"help\"").unwrap_err().contains("not a key name"));
        assert!(Keymap::parse("[keys]\nF1 = \"fly\"").unwrap_err().contains("not a kiosk key"));
    }
}
