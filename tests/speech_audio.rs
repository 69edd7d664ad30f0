//! The speaker on a real (virtual) sound card and a real speech-dispatcher, checked on the
//! audio it plays: see `audio_rig` for how it is captured and timed.

mod audio_rig;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use audio_rig::{seconds, sounds, windows, Part, Rig, Window};
use kiosk::speech::{Segment, Speaker, SpeechProblem};
use kiosk_core::profile::Language;
use kiosk_core::speech::{Earcon, VoiceSettings};

/// A sample louder than this is sound (of 32767; the capture's floor is exact silence).
const LOUD: i16 = 300;

/// The loudest level: the clips as recorded.
fn normal() -> VoiceSettings {
    VoiceSettings { volume: VoiceSettings::LOUDEST, ..VoiceSettings::default() }
}

fn speak(text: &str, language: Language) -> Segment {
    Segment::Speak { text: text.into(), language }
}

fn wait_until_done(speaker: &Speaker) {
    let until = Instant::now() + Duration::from_secs(15);
    while speaker.is_speaking() {
        assert!(Instant::now() < until, "the speaker never finished");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until the speaker is done and the capture has caught up; returns the samples
/// recorded from `from` on.
fn finish(speaker: &Speaker, rig: &Rig, from: usize) -> Vec<i16> {
    wait_until_done(speaker);
    std::thread::sleep(Duration::from_millis(200));
    rig.capture().samples().split_off(from)
}

fn is_tone(window: &Window, frequency: f32) -> bool {
    window.peak > LOUD && (window.frequency - frequency).abs() < frequency * 0.02
}

/// Indices of the windows of a tone: runs of at least three, as speech or a window across two
/// sounds can look like a tone for a window or two.
fn tone(windows: &[Window], frequency: f32) -> Vec<usize> {
    let mut found = Vec::new();
    let mut run = Vec::new();
    for (i, window) in windows.iter().enumerate() {
        if is_tone(window, frequency) {
            run.push(i);
        } else if run.len() >= 3 {
            found.append(&mut run);
        } else {
            run.clear();
        }
    }
    if run.len() >= 3 {
        found.append(&mut run);
    }
    found
}

fn wait_for_problem(speaker: &Speaker, wanted: impl Fn(&SpeechProblem) -> bool) -> Vec<SpeechProblem> {
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let problems = speaker.problems();
        if problems.iter().any(&wanted) || Instant::now() > until {
            return problems;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_clip_plays_whole_at_its_level() {
    let rig = Rig::start(Part::Present, Part::Missing);
    let clip = rig.tone_clip("a.wav", 440.0, 600, 0.3);
    let speaker = Speaker::open(|| None);
    let from = rig.capture().len();
    speaker.play(vec![Segment::Clip(clip)], normal());
    let captured = finish(&speaker, &rig, from);

    let heard = sounds(&captured, LOUD, Duration::from_millis(20));
    assert_eq!(heard.len(), 1, "{heard:?}");
    let length = seconds(heard[0].1 - heard[0].0);
    assert!((length - 0.6).abs() < 0.03, "played {length} s of a 0.6 s clip");
    let peak = captured.iter().map(|s| s.abs()).max().unwrap() as f32 / 32767.0;
    assert!((peak - 0.3).abs() < 0.03, "peak {peak} for a clip at 0.3 and the normal volume");
    assert!(!speaker.problems().iter().any(|p| matches!(p, SpeechProblem::NoAudioDevice(_))));
}

/// From the first loud sample to the last.
fn spoken_length(samples: &[i16]) -> f64 {
    let first = samples.iter().position(|s| s.abs() > LOUD).expect("no speech was heard");
    let last = samples.iter().rposition(|s| s.abs() > LOUD).unwrap();
    seconds(last - first)
}

/// How long espeak-ng itself takes to read `text` with a voice.
fn espeak_length(rig: &Rig, voice: &str, text: &str) -> f64 {
    let wav = rig.dir.path().join(format!("reference-{voice}.wav"));
    let status = Command::new("espeak-ng").args(["-v", voice, "-w"]).arg(&wav).arg(text).status().expect("espeak-ng");
    assert!(status.success());
    let bytes = std::fs::read(&wav).unwrap();
    let samples: Vec<i16> = bytes[44..].chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect();
    // espeak-ng writes 22.05 kHz, half the capture's rate
    spoken_length(&samples) * 2.0
}

#[test]
fn speech_is_read_in_the_segments_language() {
    let rig = Rig::start(Part::Present, Part::Present);
    let speaker = Speaker::open(|| None);
    // Read with an English voice, Chinese characters take much longer than in Mandarin.
    let text = "社会保险";
    let mut lengths = Vec::new();
    for language in [Language::Zh, Language::En] {
        let from = rig.capture().len();
        speaker.play(vec![speak(text, language)], normal());
        lengths.push(spoken_length(&finish(&speaker, &rig, from)));
    }
    let (mandarin, english) = (espeak_length(&rig, "cmn", text), espeak_length(&rig, "en", text));
    assert!((english - mandarin).abs() > 0.5, "the voices must tell apart: {mandarin} s, {english} s");
    for (length, expected) in lengths.iter().zip([mandarin, english]) {
        assert!((length - expected).abs() < 0.25, "read in {length} s, espeak-ng reads it in {expected} s");
    }
    assert_eq!(speaker.problems(), [SpeechProblem::NoVoicePack]);
}

#[test]
fn clips_and_speech_play_in_order() {
    let rig = Rig::start(Part::Present, Part::Present);
    let first = rig.tone_clip("first.wav", 440.0, 400, 0.3);
    let last = rig.tone_clip("last.wav", 880.0, 400, 0.3);
    let speaker = Speaker::open(|| None);
    let from = rig.capture().len();
    speaker.play(vec![Segment::Clip(first), speak("您好", Language::Zh), Segment::Clip(last)], normal());
    let captured = finish(&speaker, &rig, from);

    let windows = windows(&captured);
    let (first, last) = (tone(&windows, 440.0), tone(&windows, 880.0));
    // loud windows that are neither tone nor next to one (a tone's partial first or last)
    let near_a_tone = |i: usize| first.iter().chain(&last).any(|&t| t.abs_diff(i) <= 2);
    let speech: Vec<usize> = (0..windows.len()).filter(|&i| windows[i].peak > LOUD && !near_a_tone(i)).collect();
    assert!(speech.len() > 20, "the speech is heard");
    let order = format!("first clip {first:?}, speech {speech:?}, last clip {last:?}");
    assert!(first.last() < speech.first(), "speech started before the first clip ended: {order}");
    assert!(speech.last() < last.first(), "the last clip started before the speech ended: {order}");
    assert!((36..=40).contains(&first.len()) && (36..=40).contains(&last.len()), "both clips play whole: {order}");
}

#[test]
fn a_new_utterance_interrupts_the_old_one() {
    let rig = Rig::start(Part::Present, Part::Missing);
    let old = rig.tone_clip("old.wav", 440.0, 3000, 0.3);
    let new = rig.tone_clip("new.wav", 880.0, 300, 0.3);
    let speaker = Speaker::open(|| None);
    let from = rig.capture().len();
    speaker.play(vec![Segment::Clip(old)], normal());
    rig.capture().wait_for_sound(from, LOUD, Duration::from_secs(3)).expect("the old clip plays");
    std::thread::sleep(Duration::from_millis(300));
    let said = Instant::now();
    speaker.play(vec![Segment::Clip(new), Segment::Earcon(Earcon::Activate)], normal());
    let captured = finish(&speaker, &rig, from);

    let windows = windows(&captured);
    let (old, new) = (tone(&windows, 440.0), tone(&windows, 880.0));
    let (old_ends, new_starts) = (old[old.len() - 1] + 1, new[0]);
    let at = |window: usize| rig.capture().time_of(from + window * audio_rig::WINDOW).saturating_duration_since(said);
    // time_of errs late, by at most the capture's delivery delay: the bounds hold with it
    assert!(at(old_ends) < Duration::from_millis(100), "the old clip went on {:?}", at(old_ends));
    assert!(at(new_starts) < Duration::from_millis(100), "the new clip started after {:?}", at(new_starts));
    assert!(new.len() >= 27, "the new clip plays whole: {} windows of 30", new.len());
}

/// Peak of each loud stretch.
fn peaks(samples: &[i16]) -> Vec<i16> {
    sounds(samples, LOUD, Duration::from_millis(300))
        .iter()
        .map(|&(a, b)| samples[a..b].iter().map(|s| s.abs()).max().unwrap())
        .collect()
}

#[test]
fn volume_steps_change_the_loudness_of_clips_and_speech() {
    let rig = Rig::start(Part::Present, Part::Present);
    let clip = rig.tone_clip("tone.wav", 440.0, 200, 0.2);
    let speaker = Speaker::open(|| None);
    let mut clip_peaks = Vec::new();
    let mut speech_peaks = Vec::new();
    let loudest = VoiceSettings::LOUDEST;
    for volume in [loudest - 6, loudest - 3, loudest] {
        let settings = VoiceSettings { rate: 0, volume };
        let from = rig.capture().len();
        speaker.play(vec![Segment::Clip(clip.clone())], settings);
        clip_peaks.extend(peaks(&finish(&speaker, &rig, from)));
        let from = rig.capture().len();
        speaker.play(vec![speak("您好", Language::Zh)], settings);
        speech_peaks.extend(peaks(&finish(&speaker, &rig, from)));
    }
    assert_eq!(clip_peaks.len(), 3, "{clip_peaks:?}");
    // 3 dB a level: three levels (9 dB, 2.8 times) from each to the next
    for pair in clip_peaks.windows(2) {
        let ratio = pair[1] as f32 / pair[0] as f32;
        assert!((ratio - 2.82).abs() < 0.2, "clip peaks {clip_peaks:?}");
    }
    assert_eq!(speech_peaks.len(), 3, "{speech_peaks:?}");
    assert!(speech_peaks.windows(2).all(|p| p[1] as f32 > p[0] as f32 * 1.5), "speech peaks {speech_peaks:?}");
}

#[test]
fn a_missing_speech_daemon_is_reported_and_clips_still_play() {
    let rig = Rig::start(Part::Present, Part::Missing);
    let clip = rig.tone_clip("tone.wav", 440.0, 300, 0.3);
    let opened = Instant::now();
    let speaker = Speaker::open(|| None);
    let problems = wait_for_problem(&speaker, |p| matches!(p, SpeechProblem::NoSpeechDaemon(_)));
    assert!(problems.iter().any(|p| matches!(p, SpeechProblem::NoSpeechDaemon(_))), "{problems:?}");
    assert!(opened.elapsed() < Duration::from_secs(1));

    let from = rig.capture().len();
    speaker.play(vec![Segment::Clip(clip.clone()), speak("您好", Language::Zh), Segment::Clip(clip)], normal());
    let captured = finish(&speaker, &rig, from);
    // both clips, and nothing for the speech between them
    let heard = sounds(&captured, LOUD, Duration::from_millis(20));
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert!((seconds(heard[0].1 - heard[0].0) - 0.6).abs() < 0.03);
    assert!(speaker.problems()[0].to_string().starts_with("No voice pack"));
}

#[test]
fn a_missing_sound_card_is_reported_and_nothing_hangs() {
    let _rig = Rig::start(Part::Missing, Part::Present);
    let speaker = Speaker::open(|| None);
    let problems = wait_for_problem(&speaker, |p| matches!(p, SpeechProblem::NoAudioDevice(_)));
    assert!(problems.iter().any(|p| matches!(p, SpeechProblem::NoAudioDevice(_))), "{problems:?}");
    let clip = PathBuf::from("/nonexistent/clip.ogg");
    speaker.play(vec![Segment::Clip(clip), Segment::Earcon(Earcon::Error), speak("好", Language::Zh)], normal());
    let start = Instant::now();
    wait_until_done(&speaker);
    // speech-dispatcher has no sound card either: how it fails is its own business
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
}

#[test]
fn a_daemon_dying_mid_sentence_neither_hangs_nor_stops_the_clips_and_is_used_again_once_back() {
    let mut rig = Rig::start(Part::Present, Part::Present);
    let clip = rig.tone_clip("tone.wav", 440.0, 300, 0.3);
    let speaker = Speaker::open(|| None);
    let from = rig.capture().len();
    let sentence = "这是一个很长的句子，在读到一半的时候语音服务会停止工作。";
    speaker.play(vec![speak(sentence, Language::Zh), Segment::Clip(clip)], normal());
    rig.capture().wait_for_sound(from, LOUD, Duration::from_secs(3)).expect("speech starts");
    std::thread::sleep(Duration::from_millis(300));
    rig.kill_speechd();
    let killed = Instant::now();
    let captured = finish(&speaker, &rig, from);
    assert!(killed.elapsed() < Duration::from_secs(4), "waited {:?} for a dead daemon", killed.elapsed());
    let clip = tone(&windows(&captured), 440.0).len();
    assert!(clip >= 27, "the clip after the speech plays: {clip} windows of 30");
    let problems = speaker.problems();
    assert!(problems.iter().any(|p| matches!(p, SpeechProblem::NoSpeechDaemon(_))), "{problems:?}");

    // The daemon comes back (systemd restarts it): the next sentences are spoken, and the
    // staff notice clears. The speaker tries again at most every few seconds.
    rig.start_speechd();
    let back = Instant::now();
    let heard = loop {
        let from = rig.capture().len();
        speaker.play(vec![speak("您好", Language::Zh)], normal());
        let captured = finish(&speaker, &rig, from);
        if !sounds(&captured, LOUD, Duration::from_millis(100)).is_empty() {
            break back.elapsed();
        }
        assert!(back.elapsed() < Duration::from_secs(15), "speech never came back: {:?}", speaker.problems());
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!(heard < Duration::from_secs(8), "spoken again only after {heard:?}");
    let problems = speaker.problems();
    assert!(!problems.iter().any(|p| matches!(p, SpeechProblem::NoSpeechDaemon(_))), "{problems:?}");
}
