//! The speaker: plays an utterance's segments in order on its own thread; each new utterance
//! interrupts the one before. Missing hardware never stops the kiosk: what cannot play is
//! skipped and listed in [`Speaker::problems`] for a staff notice.

use std::collections::VecDeque;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::earcon;
use super::output::{ClipOutput, LiveVoice, RodioOutput, Sound, SpeechDispatcherVoice};
use super::voice_pack::VoicePack;
use super::Segment;
use kiosk_core::profile::Language;
use kiosk_core::speech::{Utterance, VoiceSettings};

/// Something that keeps speech from working fully.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpeechProblem {
    /// No sound device: clips and earcons are silent.
    NoAudioDevice(String),
    /// No speech daemon, or it stopped answering: text outside the voice pack is not read.
    NoSpeechDaemon(String),
    /// The speech daemon has no voice for this language.
    NoVoice(Language),
    /// A voice-pack clip could not be read.
    BadClip(PathBuf),
    /// The kiosk started without a voice pack: utterances are not spoken.
    NoVoicePack,
}

impl fmt::Display for SpeechProblem {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            SpeechProblem::NoAudioDevice(why) => write!(f, "No sound device, the kiosk is silent ({why})"),
            SpeechProblem::NoSpeechDaemon(why) => {
                write!(f, "Speech service unavailable, names and dynamic text are not read aloud ({why})")
            }
            SpeechProblem::NoVoice(language) => write!(f, "No speech voice for language {}", language.locale()),
            SpeechProblem::BadClip(path) => write!(f, "Voice clip unreadable: {}", path.display()),
            SpeechProblem::NoVoicePack => write!(f, "No voice pack loaded, prompts are not spoken"),
        }
    }
}

impl SpeechProblem {
    /// Problems of the same kind about the same thing replace each other.
    fn same_kind(&self, other: &SpeechProblem) -> bool {
        use SpeechProblem::*;
        match (self, other) {
            (NoVoice(a), NoVoice(b)) => a == b,
            (BadClip(a), BadClip(b)) => a == b,
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

enum Command {
    Say(Utterance),
    Play(Vec<Segment>, VoiceSettings),
    Stop,
    Pause,
    Resume,
}

/// Speaks utterances without blocking the caller.
pub struct Speaker {
    commands: Option<Sender<Command>>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Shared {
    problems: Mutex<Vec<SpeechProblem>>,
    /// Commands sent and not yet taken up, and whether the thread has anything to play:
    /// together they say whether the speaker is busy, without a gap between `say` and the
    /// thread picking it up.
    pending: AtomicUsize,
    active: AtomicBool,
}

impl Shared {
    fn report(&self, problem: SpeechProblem) {
        let mut problems = self.problems.lock().unwrap();
        problems.retain(|p| !p.same_kind(&problem));
        problems.push(problem);
    }

    fn resolved(&self, solved: impl Fn(&SpeechProblem) -> bool) {
        self.problems.lock().unwrap().retain(|p| !solved(p));
    }
}

/// How long the speaker's thread waits, unless asked to speak sooner, before it reads the
/// voice pack and opens the sound device and speech-dispatcher. At start they would compete
/// with drawing the first screen: ALSA probing its plugins takes some 30 ms (holding the
/// dynamic loader's lock the window's libraries also need) and the pack's manifest some
/// 10 ms, which on two cores delayed the first screen by 10-20 ms.
const OPEN_AFTER: Duration = Duration::from_millis(500);

impl Speaker {
    /// The default sound device and speech-dispatcher, with the voice pack that
    /// `load_voice_pack` gives, all made on the speaker's thread. Never fails: whatever is
    /// missing is reported by [`Speaker::problems`] and its sounds are skipped.
    pub fn open(load_voice_pack: impl FnOnce() -> Option<VoicePack> + Send + 'static) -> Speaker {
        let shared = Arc::new(Shared::default());
        let (commands, receiver) = mpsc::channel();
        let thread_shared = shared.clone();
        // The outputs are made on the speaker's thread: `tts` must stay on the thread that
        // made it.
        let thread = std::thread::Builder::new()
            .name("speaker".into())
            .spawn(move || {
                let first = match receiver.recv_timeout(OPEN_AFTER) {
                    Ok(command) => Some(command),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                };
                let voice_pack = load_voice_pack();
                if voice_pack.is_none() {
                    thread_shared.report(SpeechProblem::NoVoicePack);
                }
                let clips = match RodioOutput::open() {
                    Ok(output) => Some(Box::new(output) as Box<dyn ClipOutput>),
                    Err(problem) => {
                        thread_shared.report(problem);
                        None
                    }
                };
                let (voice, connected) = SpeechDispatcherVoice::new();
                if let Err(problem) = connected {
                    thread_shared.report(problem);
                }
                Worker::new(voice_pack, clips, Box::new(voice), thread_shared).run(first, receiver);
            })
            .expect("spawn the speaker thread");
        Speaker { commands: Some(commands), shared, thread: Some(thread) }
    }

    /// Speaks the utterance (from the voice pack's clips and live speech), interrupting
    /// whatever is being said.
    pub fn say(&self, utterance: &Utterance) {
        self.send(Command::Say(utterance.clone()));
    }

    /// Plays segments as they are, interrupting whatever is being said.
    pub fn play(&self, segments: Vec<Segment>, settings: VoiceSettings) {
        self.send(Command::Play(segments, settings));
    }

    pub fn stop(&self) {
        self.send(Command::Stop);
    }

    pub fn pause(&self) {
        self.send(Command::Pause);
    }

    /// Goes on where [`Speaker::pause`] stopped; a live-speech sentence starts again.
    pub fn resume(&self) {
        self.send(Command::Resume);
    }

    /// Whether something is being said (or is paused mid-utterance).
    pub fn is_speaking(&self) -> bool {
        self.shared.pending.load(Ordering::SeqCst) > 0 || self.shared.active.load(Ordering::SeqCst)
    }

    /// What keeps speech from working fully now, for a staff notice.
    pub fn problems(&self) -> Vec<SpeechProblem> {
        self.shared.problems.lock().unwrap().clone()
    }

    fn send(&self, command: Command) {
        self.shared.pending.fetch_add(1, Ordering::SeqCst);
        let sender = self.commands.as_ref().expect("present until drop");
        if sender.send(command).is_err() {
            self.shared.pending.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        self.commands = None; // ends the thread's loop
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// How often the thread checks whether the current sound ended (rodio itself acts on its
/// controls every 5 ms).
const POLL: Duration = Duration::from_millis(5);

enum Current {
    Sounds,
    Speech { text: String, language: Language },
}

struct Worker {
    voice_pack: Option<VoicePack>,
    clips: Option<Box<dyn ClipOutput>>,
    voice: Box<dyn LiveVoice>,
    shared: Arc<Shared>,
    queue: VecDeque<Segment>,
    settings: VoiceSettings,
    current: Option<Current>,
    paused: bool,
}

impl Worker {
    fn new(
        voice_pack: Option<VoicePack>,
        clips: Option<Box<dyn ClipOutput>>,
        voice: Box<dyn LiveVoice>,
        shared: Arc<Shared>,
    ) -> Worker {
        Worker {
            voice_pack,
            clips,
            voice,
            shared,
            queue: VecDeque::new(),
            settings: VoiceSettings::default(),
            current: None,
            paused: false,
        }
    }

    /// Handles `first` (taken before the outputs were opened), then the commands.
    fn run(mut self, mut first: Option<Command>, commands: Receiver<Command>) {
        loop {
            let waiting = self.current.is_some() && !self.paused;
            let command = match first.take() {
                Some(command) => Ok(command),
                None if waiting => commands.recv_timeout(POLL),
                None => commands.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            let handled = match command {
                Ok(command) => {
                    self.handle(command);
                    true
                }
                Err(RecvTimeoutError::Timeout) => false,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            self.advance();
            let active = self.current.is_some() || !self.queue.is_empty();
            self.shared.active.store(active, Ordering::SeqCst);
            // only now, so that `is_speaking` never sees neither the command nor its effect
            if handled {
                self.shared.pending.fetch_sub(1, Ordering::SeqCst);
            }
        }
        self.stop();
    }

    fn handle(&mut self, command: Command) {
        match command {
            Command::Say(utterance) => match &self.voice_pack {
                Some(pack) => self.handle(Command::Play(pack.segments(&utterance), utterance.settings)),
                None => self.stop(),
            },
            Command::Play(segments, settings) => {
                self.stop();
                self.queue = segments.into();
                self.settings = settings;
            }
            Command::Stop => self.stop(),
            Command::Pause => {
                self.paused = true;
                match self.current.take() {
                    Some(Current::Sounds) => {
                        self.current = Some(Current::Sounds);
                        self.clips.as_mut().expect("sounds play on a device").pause();
                    }
                    // speech-dispatcher's pause is not reachable through `tts`: the sentence
                    // is read again from its start on resume
                    Some(Current::Speech { text, language }) => {
                        self.voice.stop();
                        self.queue.push_front(Segment::Speak { text, language });
                    }
                    None => {}
                }
            }
            Command::Resume => {
                self.paused = false;
                if let (Some(Current::Sounds), Some(clips)) = (&self.current, &mut self.clips) {
                    clips.resume();
                }
            }
        }
    }

    fn stop(&mut self) {
        match self.current.take() {
            Some(Current::Sounds) => self.clips.as_mut().expect("sounds play on a device").stop(),
            Some(Current::Speech { .. }) => self.voice.stop(),
            None => {}
        }
        self.queue.clear();
        self.paused = false;
    }

    /// Moves on to the next segments once the current ones ended.
    fn advance(&mut self) {
        if self.paused {
            return;
        }
        let ended = match &self.current {
            None => true,
            Some(Current::Sounds) => !self.clips.as_ref().is_some_and(|c| c.is_playing()),
            Some(Current::Speech { .. }) => match self.voice.is_speaking() {
                Ok(speaking) => !speaking,
                Err(problem) => {
                    self.shared.report(problem);
                    true
                }
            },
        };
        if !ended {
            return;
        }
        self.current = None;
        while self.current.is_none() {
            match self.queue.pop_front() {
                None => return,
                Some(Segment::Speak { text, language }) => self.speak(text, language),
                Some(first) => self.play_sounds(first),
            }
        }
    }

    fn speak(&mut self, text: String, language: Language) {
        match self.voice.speak(&text, language, self.settings) {
            Ok(()) => {
                self.shared.resolved(|p| {
                    matches!(p, SpeechProblem::NoSpeechDaemon(_)) || *p == SpeechProblem::NoVoice(language)
                });
                self.current = Some(Current::Speech { text, language });
            }
            Err(problem) => self.shared.report(problem),
        }
    }

    /// Plays `first` and the clips and earcons right after it as one gapless run.
    fn play_sounds(&mut self, first: Segment) {
        let mut sounds = vec![self.sound(first)];
        while let Some(Segment::Clip(_) | Segment::Earcon(_)) = self.queue.front() {
            let next = self.queue.pop_front().expect("front exists");
            sounds.push(self.sound(next));
        }
        let Some(clips) = &mut self.clips else { return };
        if let Err(problem) = clips.play(sounds, gain(self.settings)) {
            self.shared.report(problem);
        }
        self.current = Some(Current::Sounds);
    }

    fn sound(&self, segment: Segment) -> Sound {
        match segment {
            Segment::Clip(path) => Sound::File { path, speed: speed(self.settings.rate) },
            Segment::Earcon(earcon) => Sound::Samples { rate: earcon::SAMPLE_RATE, samples: earcon::samples(earcon) },
            Segment::Speak { .. } => unreachable!("speech is not a sound"),
        }
    }
}

/// Linear gain of a volume level: the loudest plays the clips as recorded (peaks at -1 dBFS,
/// so louder would clip), each level below 3 dB quieter.
fn gain(settings: VoiceSettings) -> f32 {
    10f32.powf(settings.volume_db() / 20.0)
}

/// Playback speed of a rate step: 8% a step (a speed change also shifts pitch, so the range
/// stays narrow).
fn speed(step: i8) -> f32 {
    1.0 + 0.08 * step as f32
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;
    use kiosk_core::speech::Earcon;

    /// What the fake outputs were asked to do, and whether they are still playing.
    #[derive(Default)]
    struct Log {
        calls: Vec<String>,
        playing: bool,
    }

    struct FakeClips(Rc<RefCell<Log>>);
    struct FakeVoice(Rc<RefCell<Log>>);

    impl ClipOutput for FakeClips {
        fn play(&mut self, sounds: Vec<Sound>, gain: f32) -> Result<(), SpeechProblem> {
            let mut log = self.0.borrow_mut();
            log.calls.push(format!("play {} sounds at {gain:.2}", sounds.len()));
            log.playing = true;
            Ok(())
        }
        fn pause(&mut self) {
            self.0.borrow_mut().calls.push("pause".into());
        }
        fn resume(&mut self) {
            self.0.borrow_mut().calls.push("resume".into());
        }
        fn stop(&mut self) {
            self.0.borrow_mut().calls.push("stop".into());
        }
        fn is_playing(&self) -> bool {
            self.0.borrow().playing
        }
    }

    impl LiveVoice for FakeVoice {
        fn speak(&mut self, text: &str, _: Language, _: VoiceSettings) -> Result<(), SpeechProblem> {
            let mut log = self.0.borrow_mut();
            log.calls.push(format!("speak {text}"));
            log.playing = true;
            Ok(())
        }
        fn stop(&mut self) {
            self.0.borrow_mut().calls.push("stop speech".into());
        }
        fn is_speaking(&mut self) -> Result<bool, SpeechProblem> {
            Ok(self.0.borrow().playing)
        }
    }

    fn worker() -> (Worker, Rc<RefCell<Log>>) {
        let log = Rc::new(RefCell::new(Log::default()));
        let worker = Worker::new(
            None,
            Some(Box::new(FakeClips(log.clone()))),
            Box::new(FakeVoice(log.clone())),
            Arc::new(Shared::default()),
        );
        (worker, log)
    }

    fn step(worker: &mut Worker, command: Option<Command>) {
        if let Some(command) = command {
            worker.handle(command);
        }
        worker.advance();
    }

    fn finish_current(worker: &mut Worker, log: &Rc<RefCell<Log>>) {
        log.borrow_mut().playing = false;
        step(worker, None);
    }

    #[test]
    fn clips_next_to_each_other_play_as_one_run_and_speech_waits_for_them() {
        let (mut worker, log) = worker();
        let segments = vec![
            Segment::Earcon(Earcon::Focus),
            Segment::Clip("a.ogg".into()),
            Segment::Speak { text: "服务".into(), language: Language::Zh },
            Segment::Clip("b.ogg".into()),
        ];
        step(&mut worker, Some(Command::Play(segments, VoiceSettings { rate: 0, volume: VoiceSettings::LOUDEST - 3 })));
        assert_eq!(log.borrow().calls, ["play 2 sounds at 0.35"]);
        step(&mut worker, None);
        assert_eq!(log.borrow().calls.len(), 1, "nothing new while the clips play");
        finish_current(&mut worker, &log);
        finish_current(&mut worker, &log);
        finish_current(&mut worker, &log);
        assert_eq!(log.borrow().calls, ["play 2 sounds at 0.35", "speak 服务", "play 1 sounds at 0.35"]);
        assert!(worker.current.is_none() && worker.queue.is_empty());
    }

    #[test]
    fn a_sentence_paused_is_read_again_on_resume_and_clips_go_on_where_they_were() {
        let (mut worker, log) = worker();
        let speech = Segment::Speak { text: "您好".into(), language: Language::Zh };
        step(&mut worker, Some(Command::Play(vec![speech, Segment::Clip("a.ogg".into())], VoiceSettings::default())));
        step(&mut worker, Some(Command::Pause));
        log.borrow_mut().playing = false;
        step(&mut worker, None);
        step(&mut worker, Some(Command::Resume));
        finish_current(&mut worker, &log);
        step(&mut worker, Some(Command::Pause));
        step(&mut worker, Some(Command::Resume));
        let calls = &log.borrow().calls;
        assert_eq!(calls, &["speak 您好", "stop speech", "speak 您好", "play 1 sounds at 0.50", "pause", "resume"]);
    }

    #[test]
    fn a_new_utterance_stops_the_old_one_first() {
        let (mut worker, log) = worker();
        step(&mut worker, Some(Command::Play(vec![Segment::Clip("a.ogg".into())], VoiceSettings::default())));
        step(&mut worker, Some(Command::Play(vec![Segment::Clip("b.ogg".into())], VoiceSettings::default())));
        step(&mut worker, Some(Command::Stop));
        assert_eq!(log.borrow().calls, ["play 1 sounds at 0.50", "stop", "play 1 sounds at 0.50", "stop"]);
    }
}
