//! Speech output: the core's [`Utterance`](kiosk_core::speech::Utterance)s become a
//! sequence of [`Segment`]s (voice-pack clips, live text-to-speech, earcons) played by one
//! speaker, each new utterance interrupting the one before.

use std::path::PathBuf;

use kiosk_core::profile::Language;
use kiosk_core::speech::{Earcon, Utterance};

pub mod earcon;
pub mod numbers;
pub mod output;
pub mod speaker;
pub mod voice_pack;

pub use speaker::{Speaker, SpeechProblem};

/// One piece of audio of an utterance, in the order it is played.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A recorded clip of the voice pack (an Ogg Vorbis file).
    Clip(PathBuf),
    /// Text read by live text-to-speech in the utterance's language.
    Speak {
        text: String,
        language: Language,
    },
    Earcon(Earcon),
}

/// Where the kiosk's speech goes: the speaker, or a recorder in tests.
pub trait Voice {
    /// Says the utterance, interrupting whatever is being said.
    fn say(&self, utterance: &Utterance);
    fn stop(&self);
    fn pause(&self);
    fn resume(&self);
    /// Whether something is being said (or waits, paused, to go on).
    fn is_speaking(&self) -> bool;
    /// What keeps speech from working fully now, for a notice to staff.
    fn problems(&self) -> Vec<SpeechProblem>;
}

impl Voice for Speaker {
    fn say(&self, utterance: &Utterance) {
        Speaker::say(self, utterance)
    }
    fn stop(&self) {
        Speaker::stop(self)
    }
    fn is_speaking(&self) -> bool {
        Speaker::is_speaking(self)
    }
    fn pause(&self) {
        Speaker::pause(self)
    }
    fn resume(&self) {
        Speaker::resume(self)
    }
    fn problems(&self) -> Vec<SpeechProblem> {
        Speaker::problems(self)
    }
}
