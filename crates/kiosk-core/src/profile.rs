//! The resident's accessibility profile: chosen per session, reset for the next resident.

use super::speech::VoiceSettings;

/// The two languages of the kiosk. Chinese is the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Language {
    #[default]
    Zh,
    En,
}

impl Language {
    /// The locale of the bundled translation for this language.
    pub fn locale(self) -> &'static str {
        match self {
            Language::Zh => "zh_CN",
            Language::En => "en_US",
        }
    }

    pub fn parse(code: &str) -> Option<Language> {
        match code {
            "zh" | "zh-CN" | "zh_CN" => Some(Language::Zh),
            "en" | "en-US" | "en_US" => Some(Language::En),
            _ => None,
        }
    }

    pub fn other(self) -> Language {
        match self {
            Language::Zh => Language::En,
            Language::En => Language::Zh,
        }
    }
}

/// Three text sizes; the largest is at least twice the standard one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TextSize {
    #[default]
    Standard,
    Large,
    Largest,
}

impl TextSize {
    pub fn next(self) -> TextSize {
        match self {
            TextSize::Standard => TextSize::Large,
            TextSize::Large => TextSize::Largest,
            TextSize::Largest => TextSize::Standard,
        }
    }

    /// The prompt id of the size's name, shown on the bar's text-size button.
    pub fn prompt_id(self) -> &'static str {
        match self {
            TextSize::Standard => "text-size.standard",
            TextSize::Large => "text-size.large",
            TextSize::Largest => "text-size.largest",
        }
    }

    /// 0, 1, 2: the index the theme uses.
    pub fn level(self) -> i32 {
        self as i32
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Profile {
    pub language: Language,
    pub text_size: TextSize,
    pub high_contrast: bool,
    pub voice: bool,
    /// Everything spoken is also shown in a caption strip; on by itself on the sign-language
    /// path.
    pub captions: bool,
    /// Speech rate and volume, back to the defaults for each resident (EN 301 549 5.1.3.13).
    pub voice_settings: VoiceSettings,
}

impl Profile {
    pub fn new(language: Language) -> Profile {
        Profile {
            language,
            text_size: TextSize::Standard,
            high_contrast: false,
            voice: false,
            captions: false,
            voice_settings: VoiceSettings::default(),
        }
    }
}
