//! What the kiosk shows and says, kept as prompt ids and values until the last moment: the
//! screen renders a [`Phrase`] as text in the session's language, and speech plays the voice
//! pack's clips for its prompts and numbers and reads only the dynamic text with live TTS.

use super::profile::Language;
use super::prompts;

/// A sentence or label, built from parts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Phrase(pub Vec<Part>);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// A prompt of the catalog; its `{0}`, `{1}` placeholders are filled with `args`.
    Prompt { id: String, args: Vec<Phrase> },
    /// Text that is not in the prompt catalog (a service name from the service API): read by
    /// live text-to-speech.
    Text(String),
    /// A count or a duration, spoken with the voice pack's digit and unit clips.
    Number(u64),
    /// A code such as a ticket number (A012): letters and digits one by one.
    Code(String),
    /// Something about the resident (a phone number they typed): shown, but spoken only in
    /// private listening (EN 301 549 5.1.3.9); on the speaker, `public` is said instead.
    Personal { private: Box<Phrase>, public: Box<Phrase> },
}

impl Phrase {
    pub fn prompt(id: impl Into<String>) -> Phrase {
        Phrase::prompt_with(id, Vec::new())
    }

    pub fn prompt_with(id: impl Into<String>, args: Vec<Phrase>) -> Phrase {
        Phrase(vec![Part::Prompt { id: id.into(), args }])
    }

    pub fn text(text: impl Into<String>) -> Phrase {
        Phrase(vec![Part::Text(text.into())])
    }

    pub fn number(n: u64) -> Phrase {
        Phrase(vec![Part::Number(n)])
    }

    pub fn code(code: impl Into<String>) -> Phrase {
        Phrase(vec![Part::Code(code.into())])
    }

    /// Personal: said only in private listening, and "hidden" on the speaker.
    pub fn personal(self) -> Phrase {
        self.personal_or(Phrase::prompt(HIDDEN_PROMPT))
    }

    /// Personal: said only in private listening, and `public` on the speaker.
    pub fn personal_or(self, public: Phrase) -> Phrase {
        Phrase(vec![Part::Personal { private: Box::new(self), public: Box::new(public) }])
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The phrase as the screen shows it.
    pub fn render(&self, language: Language) -> String {
        self.words(language, Form::Written)
    }

    /// The phrase as speech says it, in words: the spoken form of each prompt, and a
    /// personal part only in private listening.
    pub fn spoken(&self, language: Language, private: bool) -> String {
        self.words(language, Form::Spoken { private })
    }

    fn words(&self, language: Language, form: Form) -> String {
        self.0.iter().map(|part| part.words(language, form)).collect()
    }
}

/// What speech says instead of a personal part when others may hear it.
pub const HIDDEN_PROMPT: &str = "voice.hidden";

#[derive(Clone, Copy)]
enum Form {
    Written,
    Spoken { private: bool },
}

impl Part {
    fn words(&self, language: Language, form: Form) -> String {
        match (self, form) {
            (Part::Prompt { id, args }, _) => {
                let args: Vec<String> = args.iter().map(|a| a.words(language, form)).collect();
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                match form {
                    Form::Written => prompts::format(id, language, &args),
                    Form::Spoken { .. } => prompts::format_spoken(id, language, &args),
                }
            }
            (Part::Text(text) | Part::Code(text), _) => text.clone(),
            (Part::Number(n), _) => n.to_string(),
            (Part::Personal { public, .. }, Form::Spoken { private: false }) => public.words(language, form),
            (Part::Personal { private, .. }, _) => private.words(language, form),
        }
    }
}

/// Short sounds that confirm an action without words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Earcon {
    /// The voice focus moved to another item.
    Focus,
    /// An item was activated.
    Activate,
    /// Something was refused or is wrong.
    Error,
    /// News the resident waited for: an interpreter answered, staff are on the way.
    Alert,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sound {
    Say(Phrase),
    Earcon(Earcon),
}

/// The speech rate in steps from the voice's normal speed (0), in `-RATE_STEPS..=RATE_STEPS`;
/// the volume as a level in `0..=LOUDEST`, 3 dB apart (24 dB in all), the loudest playing the
/// voice pack as recorded and speech-dispatcher at its top. The center sets the default
/// level for its hall ([`crate::Kiosk::set_default_volume`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoiceSettings {
    pub rate: i8,
    pub volume: i8,
}

impl VoiceSettings {
    pub const RATE_STEPS: i8 = 3;
    pub const LOUDEST: i8 = 8;
    pub const DEFAULT_VOLUME: i8 = 6;

    /// Faster (+1) or slower (-1) by a step; false, and unchanged, at either end.
    pub fn step_rate(&mut self, by: i8) -> bool {
        step(&mut self.rate, by, -Self::RATE_STEPS..=Self::RATE_STEPS)
    }

    /// Louder (+1) or quieter (-1) by a level; false, and unchanged, at either end.
    pub fn step_volume(&mut self, by: i8) -> bool {
        step(&mut self.volume, by, 0..=Self::LOUDEST)
    }

    /// The volume's attenuation from the loudest level, in dB (0 or less).
    pub fn volume_db(self) -> f32 {
        3.0 * (self.volume - Self::LOUDEST) as f32
    }
}

fn step(setting: &mut i8, by: i8, range: std::ops::RangeInclusive<i8>) -> bool {
    let wanted = *setting + by;
    let within = range.contains(&wanted);
    if within {
        *setting = wanted;
    }
    within
}

impl Default for VoiceSettings {
    fn default() -> Self {
        VoiceSettings { rate: 0, volume: Self::DEFAULT_VOLUME }
    }
}

/// Something to say now, replacing whatever is being said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Utterance {
    pub language: Language,
    pub settings: VoiceSettings,
    /// `Personal` parts are spoken (private listening) or replaced by a neutral prompt.
    pub private: bool,
    pub sounds: Vec<Sound>,
}

impl Utterance {
    /// What it says, as the caption strip shows it (EN 301 549 5.1.5): the words exactly as
    /// spoken, one caption per phrase; the earcons have their own visual counterparts.
    pub fn captions(&self) -> Vec<String> {
        let said = self.sounds.iter().filter_map(|sound| match sound {
            Sound::Say(phrase) => Some(phrase.spoken(self.language, self.private)),
            Sound::Earcon(_) => None,
        });
        said.filter(|words| !words.is_empty()).collect()
    }

    /// What it says as words, for tests and logs: prompt ids with their arguments after
    /// them, texts, numbers and codes; `personal` before what only private listening may
    /// say; `<Earcon>`s.
    pub fn transcript(&self) -> Vec<String> {
        self.words_for(true)
    }

    /// What somebody beside the kiosk hears, as [`Utterance::transcript`] writes it: a
    /// personal part as itself in private listening, its public form on the speaker.
    pub fn heard(&self) -> Vec<String> {
        self.words_for(self.private)
    }

    fn words_for(&self, private: bool) -> Vec<String> {
        fn phrase(p: &Phrase, private: bool, out: &mut Vec<String>) {
            for part in &p.0 {
                match part {
                    Part::Prompt { id, args } => {
                        out.push(id.clone());
                        args.iter().for_each(|a| phrase(a, private, out));
                    }
                    Part::Text(t) | Part::Code(t) => out.push(t.clone()),
                    Part::Number(n) => out.push(n.to_string()),
                    Part::Personal { private: inner, .. } if private => {
                        out.push("personal".into());
                        phrase(inner, private, out);
                    }
                    Part::Personal { public, .. } => phrase(public, private, out),
                }
            }
        }
        let mut out = Vec::new();
        for sound in &self.sounds {
            match sound {
                Sound::Say(p) => phrase(p, private, &mut out),
                Sound::Earcon(e) => out.push(format!("<{e:?}>")),
            }
        }
        out
    }
}
