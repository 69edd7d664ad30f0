//! The recorded voice pack in `voices/`: its manifest, and how an utterance becomes clips.
//!
//! Every clip has a key. A prompt whose spoken text has no placeholder has one clip, keyed by
//! its id. A prompt with placeholders is cut at each `{n}` into fixed pieces; piece `i`
//! (counting every piece, empty ones too, so the keys stay stable) is keyed `<id>#<i>`, and
//! pieces with nothing to say (empty, spaces, punctuation) have no clip. Numbers and codes use
//! the clips of [`numbers`](super::numbers). [`needed_clips`] lists them all, for the kiosk,
//! the render tool and the tests alike.
//!
//! The manifest records the text each clip says and its SHA-256: a clip is used only while
//! that hash matches the catalog's current spoken text, so an edited prompt is read by live
//! text-to-speech until its clip is rendered again.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use kiosk_core::profile::Language;
use kiosk_core::prompts;
use kiosk_core::speech::{Part, Phrase, Sound, Utterance};

use super::numbers;
use super::Segment;

/// The manifest's file name inside the pack directory.
pub const MANIFEST: &str = "manifest.toml";

/// A clip the catalog needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clip {
    pub key: String,
    pub language: Language,
    /// What the clip says.
    pub text: String,
}

impl Clip {
    /// The clip's file, relative to the pack directory: `zh/home.title.ogg`.
    pub fn file(&self) -> String {
        format!("{}/{}.ogg", language_code(self.language), self.key)
    }
}

/// Every clip of the pack, in both languages: each prompt's pieces, digits, units, letters.
pub fn needed_clips() -> Vec<Clip> {
    let mut ids: Vec<&str> = prompts::ids().collect();
    ids.sort_unstable();
    let mut clips = Vec::new();
    for language in [Language::Zh, Language::En] {
        for id in &ids {
            for piece in pieces(id, language) {
                if let Some(key) = piece.key {
                    clips.push(Clip { key, language, text: piece.text });
                }
            }
        }
        for (key, text) in numbers::vocabulary(language) {
            clips.push(Clip { key, language, text });
        }
    }
    clips
}

/// A fixed piece of a prompt's spoken text, and the placeholder that follows it.
struct Piece {
    /// None for a piece with nothing to say.
    key: Option<String>,
    /// The piece without surrounding spaces.
    text: String,
    placeholder: Option<usize>,
}

/// Prompt `id`'s spoken text in `language`, cut at its placeholders.
fn pieces(id: &str, language: Language) -> Vec<Piece> {
    let spoken = prompts::spoken(id, language);
    let mut cuts: Vec<(String, Option<usize>)> = Vec::new();
    let mut rest = spoken.as_str();
    while let Some((before, n, after)) = next_placeholder(rest) {
        cuts.push((before.to_string(), Some(n)));
        rest = after;
    }
    cuts.push((rest.to_string(), None));
    let whole = cuts.len() == 1;
    cuts.into_iter()
        .enumerate()
        .map(|(i, (text, placeholder))| {
            let text = text.trim().to_string();
            let speakable = text.chars().any(char::is_alphanumeric);
            let key = speakable.then(|| if whole { id.to_string() } else { format!("{id}#{i}") });
            Piece { key, text, placeholder }
        })
        .collect()
}

/// The text before the first `{n}` of `s`, n, and the text after it.
fn next_placeholder(s: &str) -> Option<(&str, usize, &str)> {
    let mut from = 0;
    while let Some(open) = s[from..].find('{').map(|i| from + i) {
        let close = s[open..].find('}').map(|i| open + i)?;
        if let Ok(n) = s[open + 1..close].parse() {
            return Some((&s[..open], n, &s[close + 1..]));
        }
        from = open + 1;
    }
    None
}

/// `zh` or `en`, as in the manifest and the pack's folders.
pub fn language_code(language: Language) -> &'static str {
    match language {
        Language::Zh => "zh",
        Language::En => "en",
    }
}

/// The hex SHA-256 of `text` (UTF-8), as the manifest records it.
pub fn text_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The manifest, `voices/manifest.toml`.
#[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct Manifest {
    #[serde(default)]
    pub clip: Vec<ManifestEntry>,
}

#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub struct ManifestEntry {
    pub key: String,
    /// `zh` or `en`.
    pub lang: String,
    /// The exact text the clip says.
    pub text: String,
    /// [`text_hash`] of the text when the clip was made.
    pub sha256: String,
    /// Relative to the pack directory.
    pub file: String,
    /// `espeak-ng` or `recorded`.
    pub source: String,
}

impl Manifest {
    /// Reads `dir/manifest.toml`.
    pub fn read(dir: &Path) -> Result<Manifest, VoicePackError> {
        if !dir.is_dir() {
            return Err(VoicePackError::new(dir, "the voice pack directory does not exist"));
        }
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| VoicePackError::new(&path, e))?;
        toml::from_str(&text).map_err(|e| VoicePackError::new(&path, e))
    }
}

/// Why the voice pack could not be loaded: the file and the problem.
#[derive(Debug)]
pub struct VoicePackError {
    pub path: PathBuf,
    pub problem: String,
}

impl VoicePackError {
    fn new(path: &Path, problem: impl fmt::Display) -> VoicePackError {
        VoicePackError { path: path.to_path_buf(), problem: problem.to_string() }
    }
}

impl fmt::Display for VoicePackError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "voice pack: {}: {}", self.path.display(), self.problem)
    }
}

impl std::error::Error for VoicePackError {}

pub struct VoicePack {
    /// The clips whose text still matches the catalog, by language and key.
    fresh: HashMap<(Language, String), PathBuf>,
}

impl VoicePack {
    /// Loads the pack in `dir`. A missing directory or manifest, an invalid entry or a clip
    /// file that is not there is an error; a stale clip (its prompt was edited since) is not:
    /// it is left out and its text read by live text-to-speech.
    pub fn load(dir: &Path) -> Result<VoicePack, VoicePackError> {
        let manifest_path = dir.join(MANIFEST);
        let mut hashes = HashMap::new();
        for entry in Manifest::read(dir)?.clip {
            let language = Language::parse(&entry.lang).ok_or_else(|| {
                VoicePackError::new(&manifest_path, format!("clip {:?}: unknown lang {:?}", entry.key, entry.lang))
            })?;
            let file = dir.join(&entry.file);
            if !file.is_file() {
                return Err(VoicePackError::new(&file, format!("clip {:?} ({}) is missing", entry.key, entry.lang)));
            }
            hashes.insert((language, entry.key), (entry.sha256, file));
        }
        let fresh = needed_clips()
            .into_iter()
            .filter_map(|clip| {
                let (hash, file) = hashes.remove(&(clip.language, clip.key.clone()))?;
                (hash == text_hash(&clip.text)).then_some(((clip.language, clip.key), file))
            })
            .collect();
        Ok(VoicePack { fresh })
    }

    /// The file of clip `key`, if the pack has it and it is fresh.
    pub fn clip(&self, language: Language, key: &str) -> Option<&Path> {
        self.fresh.get(&(language, key.to_string())).map(PathBuf::as_path)
    }

    /// The utterance as segments in playing order: clips where the pack has them, live
    /// text-to-speech for the rest.
    pub fn segments(&self, utterance: &Utterance) -> Vec<Segment> {
        let mut segments = Vec::new();
        for sound in &utterance.sounds {
            match sound {
                Sound::Earcon(earcon) => segments.push(Segment::Earcon(*earcon)),
                Sound::Say(phrase) => self.phrase(phrase, utterance, &mut segments),
            }
        }
        segments
    }

    fn phrase(&self, phrase: &Phrase, utterance: &Utterance, segments: &mut Vec<Segment>) {
        for part in &phrase.0 {
            self.part(part, utterance, segments);
        }
    }

    fn part(&self, part: &Part, utterance: &Utterance, segments: &mut Vec<Segment>) {
        let language = utterance.language;
        match part {
            Part::Prompt { id, args } => {
                for piece in pieces(id, language) {
                    if let Some(key) = &piece.key {
                        match self.clip(language, key) {
                            Some(file) => segments.push(Segment::Clip(file.to_path_buf())),
                            None => speak(segments, &piece.text, language),
                        }
                    }
                    if let Some(arg) = piece.placeholder.and_then(|n| args.get(n)) {
                        self.phrase(arg, utterance, segments);
                    }
                }
            }
            Part::Text(text) => speak(segments, text, language),
            Part::Number(n) => {
                let written = n.to_string();
                self.keys(&numbers::number_keys(language, *n), &written, language, segments)
            }
            Part::Code(code) => {
                // Spaced, so that text-to-speech says it character by character too.
                let written: Vec<String> = code.chars().map(String::from).collect();
                self.keys(&numbers::code_keys(language, code), &written.join(" "), language, segments)
            }
            Part::Personal { private, .. } if utterance.private => self.phrase(private, utterance, segments),
            Part::Personal { public, .. } => self.phrase(public, utterance, segments),
        }
    }

    /// The clips of `keys`, or `written` read by text-to-speech when one of them is missing
    /// (a value is said by one voice, not half clips and half synthesis).
    fn keys(&self, keys: &[String], written: &str, language: Language, segments: &mut Vec<Segment>) {
        let files: Option<Vec<&Path>> = keys.iter().map(|key| self.clip(language, key)).collect();
        match files {
            Some(files) => segments.extend(files.into_iter().map(|f| Segment::Clip(f.to_path_buf()))),
            None => speak(segments, written, language),
        }
    }
}

/// Adds `text` to be read by text-to-speech, joined to the segment before when that is
/// text-to-speech in the same language (one call, one natural sentence).
fn speak(segments: &mut Vec<Segment>, text: &str, language: Language) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    if let Some(Segment::Speak { text: before, language: l }) = segments.last_mut() {
        if *l == language {
            before.push(' ');
            before.push_str(text);
            return;
        }
    }
    segments.push(Segment::Speak { text: text.to_string(), language });
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_core::speech::{Earcon, VoiceSettings, HIDDEN_PROMPT as HIDDEN};

    /// A pack in a temporary directory with fresh clips for `keys` (both languages), a stale
    /// one for each of `stale`.
    fn pack(keys: &[&str], stale: &[&str]) -> (tempfile::TempDir, VoicePack) {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::default();
        for clip in needed_clips() {
            let fresh = keys.contains(&clip.key.as_str());
            if !fresh && !stale.contains(&clip.key.as_str()) {
                continue;
            }
            let path = dir.path().join(clip.file());
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, b"").unwrap();
            let text = if fresh { clip.text.clone() } else { format!("{} (old)", clip.text) };
            manifest.clip.push(ManifestEntry {
                key: clip.key.clone(),
                lang: language_code(clip.language).to_string(),
                sha256: text_hash(&text),
                text,
                file: clip.file(),
                source: "espeak-ng".to_string(),
            });
        }
        std::fs::write(dir.path().join(MANIFEST), toml::to_string(&manifest).unwrap()).unwrap();
        let pack = VoicePack::load(dir.path()).unwrap();
        (dir, pack)
    }

    fn say(language: Language, private: bool, sounds: Vec<Sound>) -> Utterance {
        Utterance { language, settings: VoiceSettings::default(), private, sounds }
    }

    /// Segments as short strings: `clip zh/key`, `speak text`, `earcon Focus`.
    fn described(dir: &Path, segments: Vec<Segment>) -> Vec<String> {
        segments
            .into_iter()
            .map(|segment| match segment {
                Segment::Clip(file) => {
                    let file = file.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                    format!("clip {}", file.trim_end_matches(".ogg"))
                }
                Segment::Speak { text, .. } => format!("speak {text}"),
                Segment::Earcon(earcon) => format!("earcon {earcon:?}"),
            })
            .collect()
    }

    #[test]
    fn prompts_are_cut_at_their_placeholders() {
        let line = pieces("material.line", Language::Zh);
        let keys: Vec<Option<&str>> = line.iter().map(|p| p.key.as_deref()).collect();
        // "{0}. {1}（{2}，{3}，{4}）": only punctuation between the placeholders.
        assert_eq!(keys, [None; 6]);
        let placeholders: Vec<Option<usize>> = line.iter().map(|p| p.placeholder).collect();
        assert_eq!(placeholders, [Some(0), Some(1), Some(2), Some(3), Some(4), None]);

        let ahead = pieces("ticket.people-ahead", Language::En);
        let keys: Vec<Option<&str>> = ahead.iter().map(|p| p.key.as_deref()).collect();
        assert_eq!(keys, [None, Some("ticket.people-ahead#1")]);
        assert_eq!(ahead[1].text, "people ahead of you");
    }

    #[test]
    fn every_needed_clip_is_listed_once() {
        let clips = needed_clips();
        let mut keys: Vec<(Language, &str)> = clips.iter().map(|c| (c.language, c.key.as_str())).collect();
        keys.sort_unstable_by_key(|(l, k)| (language_code(*l), *k));
        let count = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), count, "duplicate clip keys");
        for key in ["home.title", "ticket.wait#0", "ticket.wait#1", "digit.0", "letter.Z", HIDDEN] {
            assert!(clips.iter().any(|c| c.key == key && c.language == Language::Zh), "{key}");
        }
        assert!(clips.iter().all(|c| c.text.chars().any(char::is_alphanumeric)), "a clip with nothing to say");
    }

    #[test]
    fn a_prompt_with_arguments_mixes_clips_numbers_and_text() {
        let (dir, pack) =
            pack(&["ticket.wait#0", "ticket.wait#1", "digit.2", "unit.ten", "digit.5", "ticket.window#0"], &[]);
        let utterance = say(
            Language::Zh,
            false,
            vec![
                Sound::Earcon(Earcon::Activate),
                Sound::Say(Phrase::prompt_with("ticket.wait", vec![Phrase::number(25)])),
                Sound::Say(Phrase::prompt_with("ticket.window", vec![Phrase::text("3号窗口")])),
            ],
        );
        assert_eq!(
            described(dir.path(), pack.segments(&utterance)),
            [
                "earcon Activate",
                "clip zh/ticket.wait#0",
                "clip zh/digit.2",
                "clip zh/unit.ten",
                "clip zh/digit.5",
                "clip zh/ticket.wait#1",
                "clip zh/ticket.window#0",
                "speak 3号窗口",
            ]
        );
    }

    #[test]
    fn numbers_and_codes_without_all_their_clips_are_read_by_text_to_speech() {
        let (dir, pack) = pack(&["digit.0", "digit.1", "digit.2", "letter.A", "ticket.number"], &[]);
        let utterance = say(
            Language::En,
            false,
            vec![
                Sound::Say(Phrase::prompt("ticket.number")),
                Sound::Say(Phrase::code("A012")),
                Sound::Say(Phrase::number(12)), // "twelve" has no clip
                Sound::Say(Phrase::code("B1")), // "B" has no clip
                Sound::Say(Phrase::text("thank you")),
            ],
        );
        assert_eq!(
            described(dir.path(), pack.segments(&utterance)),
            [
                "clip en/ticket.number",
                "clip en/letter.A",
                "clip en/digit.0",
                "clip en/digit.1",
                "clip en/digit.2",
                "speak 12 B 1 thank you",
            ]
        );
    }

    #[test]
    fn personal_values_are_spoken_only_in_private_listening() {
        let (dir, pack) = pack(&[HIDDEN, "digit.1", "digit.3"], &[]);
        let phone = || {
            let mut said = Phrase::text("号码");
            said.0.extend(Phrase::code("13").personal().0);
            vec![Sound::Say(said)]
        };
        assert_eq!(
            described(dir.path(), pack.segments(&say(Language::Zh, false, phone()))),
            ["speak 号码", "clip zh/voice.hidden"]
        );
        assert_eq!(
            described(dir.path(), pack.segments(&say(Language::Zh, true, phone()))),
            ["speak 号码", "clip zh/digit.1", "clip zh/digit.3"]
        );
    }

    #[test]
    fn a_stale_clip_falls_back_to_text_to_speech() {
        let (dir, pack) = pack(&["home.title"], &["home.prompt", "ticket.people-ahead#1"]);
        assert!(pack.clip(Language::Zh, "home.prompt").is_none());
        let utterance = say(
            Language::Zh,
            false,
            vec![
                Sound::Say(Phrase::prompt("home.title")),
                Sound::Say(Phrase::prompt("home.prompt")),
                Sound::Say(Phrase::prompt_with("ticket.people-ahead", vec![Phrase::number(3)])),
            ],
        );
        // The stale pieces and the number without clips become one text-to-speech segment.
        assert_eq!(
            described(dir.path(), pack.segments(&utterance)),
            ["clip zh/home.title", "speak 请点按下面的大按钮 前面还有 3 人"]
        );
    }

    #[test]
    fn a_missing_pack_or_clip_file_is_an_error_naming_the_file() {
        let error = VoicePack::load(Path::new("/nonexistent/voices")).err().unwrap();
        assert!(error.to_string().contains("/nonexistent/voices"), "{error}");

        let (dir, _) = pack(&["home.title"], &[]);
        std::fs::remove_file(dir.path().join("en/home.title.ogg")).unwrap();
        let error = VoicePack::load(dir.path()).err().unwrap();
        assert!(error.to_string().contains("en/home.title.ogg"), "{error}");
        assert!(error.to_string().contains("missing"), "{error}");
    }
}
