//! The recorded voice pack in `voices/`: its manifest, and how an utterance becomes clips.

use crate::core::speech::Utterance;

use super::Segment;

pub struct VoicePack {}

impl VoicePack {
    /// The utterance as segments in playing order: clips where the pack has them, live
    /// text-to-speech for the rest.
    pub fn segments(&self, utterance: &Utterance) -> Vec<Segment> {
        let _ = utterance;
        todo!("voice pack: in progress")
    }
}
