//! The voice pack in `voices/` is complete and current for the prompt catalog, and its clips
//! are speech that starts at once. When this fails after a catalog edit, run
//! `scripts/render-voices` (voices/README.md).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use kiosk::speech::voice_pack::{language_code, needed_clips, text_hash, Manifest, VoicePack};
use kiosk_core::profile::Language;
use kiosk_core::QUIET_START_SECS;
use rodio::Source;

fn voices() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("voices")
}

#[test]
fn every_clip_the_catalog_needs_is_in_the_pack_and_current() {
    let pack = VoicePack::load(&voices()).unwrap_or_else(|e| panic!("{e}"));
    let missing: Vec<String> = needed_clips()
        .into_iter()
        .filter(|clip| pack.clip(clip.language, &clip.key).is_none())
        .map(|clip| format!("{} {} {:?}", language_code(clip.language), clip.key, clip.text))
        .collect();
    assert!(
        missing.is_empty(),
        "{} clips are missing or stale (run scripts/render-voices):\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn the_manifest_matches_the_files() {
    let manifest = Manifest::read(&voices()).unwrap_or_else(|e| panic!("{e}"));
    let mut listed = HashSet::new();
    for entry in &manifest.clip {
        assert_eq!(entry.file, format!("{}/{}.ogg", entry.lang, entry.key), "{entry:?}");
        assert!(voices().join(&entry.file).is_file(), "{} is listed but missing", entry.file);
        assert_eq!(entry.sha256, text_hash(&entry.text), "{}: the hash is not that of its text", entry.file);
        assert!(["espeak-ng", "recorded"].contains(&entry.source.as_str()), "{entry:?}");
        listed.insert(entry.file.clone());
    }
    for lang in ["zh", "en"] {
        for file in std::fs::read_dir(voices().join(lang)).unwrap() {
            let file = format!("{lang}/{}", file.unwrap().file_name().to_string_lossy());
            assert!(listed.contains(&file), "{file} is not in the manifest");
        }
    }
}

/// A decoded clip: mono samples and their rate.
fn decode(file: &Path) -> (Vec<f32>, u32) {
    let decoder = rodio::Decoder::try_from(std::fs::File::open(file).unwrap()).unwrap();
    assert_eq!(decoder.channels().get(), 1, "{}: not mono", file.display());
    let rate = decoder.sample_rate().get();
    (decoder.collect(), rate)
}

fn rms(samples: &[f32]) -> f32 {
    (samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32).sqrt()
}

#[test]
fn clips_are_speech_that_starts_at_once() {
    let pack = VoicePack::load(&voices()).unwrap_or_else(|e| panic!("{e}"));
    for clip in needed_clips() {
        let Some(file) = pack.clip(clip.language, &clip.key) else { continue }; // the test above
        let (samples, rate) = decode(file);
        let name = format!("{} {}", language_code(clip.language), clip.key);
        let seconds = samples.len() as f32 / rate as f32;
        assert!((0.1..15.0).contains(&seconds), "{name}: {seconds} s");
        assert!(rms(&samples) > 0.05, "{name}: too quiet, RMS {}", rms(&samples));
        // The speaker's target is 50 ms from a screen change to the first sound.
        let onset = samples.iter().position(|s| s.abs() > 0.01).unwrap() as f32 / rate as f32;
        assert!(onset < 0.01, "{name}: silent for {onset} s at the start");
        let tail = samples.len() - samples.iter().rposition(|s| s.abs() > 0.01).unwrap();
        assert!((tail as f32 / rate as f32) < 0.05, "{name}: silent for {tail} samples at the end");
        // Mandarin is about 3 to 6 syllables a second; a clip far off that is misread.
        if clip.language == Language::Zh {
            let syllables = clip.text.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count();
            if syllables >= 2 {
                let per_syllable = seconds / syllables as f32;
                assert!((0.12..0.45).contains(&per_syllable), "{name}: {per_syllable} s a syllable in {:?}", clip.text);
            }
        }
    }
}

/// The seconds of `prompt`'s clip in `language`.
fn clip_seconds(pack: &VoicePack, language: Language, prompt: &str) -> f32 {
    let file = pack.clip(language, prompt).unwrap_or_else(|| panic!("no clip for {prompt}"));
    let (samples, rate) = decode(file);
    samples.len() as f32 / rate as f32
}

/// Face guidance is heard whole: a hint that still holds is said again every
/// `HintPacer::REPEAT`, so its sentence must end before that; and the camera screen's own
/// words end before its first hint may be said.
#[test]
fn face_guidance_is_heard_whole() {
    let pack = VoicePack::load(&voices()).unwrap_or_else(|e| panic!("{e}"));
    let catalog = include_str!("../prompts/catalog.toml");
    let hints: Vec<&str> =
        catalog.lines().filter_map(|line| line.strip_prefix("id = \"face.hint.")?.strip_suffix('"')).collect();
    assert_eq!(hints.len(), 12, "{hints:?}");
    let repeat = face_guide::HintPacer::REPEAT.as_secs_f32();
    for language in [Language::Zh, Language::En] {
        for hint in &hints {
            let seconds = clip_seconds(&pack, language, &format!("face.hint.{hint}"));
            assert!(seconds < repeat - 0.2, "{} face.hint.{hint}: {seconds} s", language_code(language));
        }
        // The prompt says where the camera is first ({0}), then its own words (piece #1).
        let screen = ["face.title", "face.camera.above-centre", "face.prompt#1"]
            .iter()
            .map(|clip| clip_seconds(&pack, language, clip))
            .sum::<f32>();
        assert!(
            screen < QUIET_START_SECS as f32 - 0.3,
            "{}: the screen's words take {screen} s",
            language_code(language)
        );
    }
}
