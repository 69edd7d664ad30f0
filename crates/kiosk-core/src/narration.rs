//! Narration: what the kiosk says, and when. With voice navigation on, every change of
//! screen is announced and every action confirmed; with it off, the screens a resident may not
//! be looking at, the news they wait for, and every problem are still said.

use super::calls::Screen as Calls;
use super::pension::Screen as Pension;
use super::profile::Profile;
use super::progress::Screen as Progress;
use super::rating::Screen as Rating;
use super::receipts::Screen as Receipts;
use super::speech::{Earcon, Phrase, Sound, Utterance};
use super::view::{Page, View};
use super::{voice, CameraUse, Effect, Kiosk, Screen};

/// What voice navigation compares before and after an event.
pub(super) struct Snapshot {
    pub voice: bool,
    profile: Profile,
    screen: Screen,
    error: Option<&'static str>,
    typed: String,
    pub idle: bool,
    pub camera: Option<CameraUse>,
    news: Option<News>,
}

/// What a feature's screen tells as it comes, without being asked; when it changes, it is
/// said (see [`news`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum News {
    /// A hint or instruction (a prompt id) and how many times it came: one that comes again
    /// is said again.
    Hint(&'static str, u32),
    /// The new state (a prompt id) of what the resident waits for: announced with the alert
    /// sound, then the screen's prompt and lines.
    Status(&'static str),
    /// News that must not cut short what is being said (a ticket printed while its number is
    /// read): said once the kiosk is quiet; a `problem` with the error sound.
    Aside { prompt: &'static str, problem: bool },
}

impl Snapshot {
    pub fn of(kiosk: &Kiosk) -> Snapshot {
        let s = &kiosk.session;
        Snapshot {
            voice: s.profile.voice,
            profile: s.profile,
            screen: s.screen.clone(),
            error: s.error,
            typed: s.typed.clone(),
            idle: s.idle_secs >= kiosk.idle.timeout_secs,
            camera: kiosk.camera_use(),
            news: kiosk.news(),
        }
    }
}

/// What is said of a change on the same screen, with voice navigation on or off: a new
/// problem (with the error sound), or the screen's [`News`].
fn news(before: &Snapshot, now: &Snapshot, view: &View) -> Option<Vec<Sound>> {
    // An aside's problem is in the page's banner too: said once, as the aside.
    if let Some(News::Aside { prompt, problem }) = now.news.filter(|_| aside(before, now)) {
        let earcon = problem.then_some(Sound::Earcon(Earcon::Error));
        return Some(earcon.into_iter().chain([Sound::Say(Phrase::prompt(prompt))]).collect());
    }
    if now.error != before.error && now.error.is_some() {
        return Some(vec![Sound::Earcon(Earcon::Error), Sound::Say(view.error.phrase.clone())]);
    }
    match now.news.filter(|_| now.news != before.news)? {
        News::Hint(prompt, _) => Some(vec![Sound::Say(Phrase::prompt(prompt))]),
        News::Status(_) => {
            let mut sounds = vec![Sound::Earcon(Earcon::Alert), Sound::Say(view.prompt.phrase.clone())];
            sounds.extend(view.lines.iter().map(|line| Sound::Say(line.text.phrase.clone())));
            Some(sounds)
        }
        News::Aside { .. } => None, // said above
    }
}

/// Whether what changed is news that waits for the kiosk to be quiet ([`News::Aside`]).
fn aside(before: &Snapshot, now: &Snapshot) -> bool {
    now.news != before.news && matches!(now.news, Some(News::Aside { .. }))
}

/// The screens said on arrival with voice navigation off: those a resident may not be looking
/// at (the scan screen, held at a camera), a receipt's result, the calls for help, the pension
/// face authentication (explained, guided and answered by voice), the volume page (to hear
/// the level), and every problem.
pub(super) fn speaks_unasked(screen: &Screen) -> bool {
    matches!(
        screen,
        Screen::Receipts(Receipts::Scan(_) | Receipts::NoCamera(..) | Receipts::Redeemed(_))
            | Screen::Calls(Calls::Interpreter | Calls::StaffCall)
            | Screen::Pension(
                Pension::Intro
                    | Pension::Posture
                    | Pension::Movement
                    | Pension::Face(_)
                    | Pension::Problem(_)
                    | Pension::Submitted(_)
            )
            // A window evaluator's question comes unasked; thanks are a result.
            | Screen::Rating(Rating::Levels | Rating::Thanks | Rating::AlreadyRated)
            // What was found, like a receipt's result.
            | Screen::Progress(Progress::Application(_) | Progress::NotFound)
            | Screen::Volume
            | Screen::Refused(_)
            | Screen::Unavailable
    )
}

impl Kiosk {
    /// The news of the feature on screen.
    fn news(&self) -> Option<News> {
        match &self.session.screen {
            Screen::Receipts(_) => self.scan_hint().map(|hint| News::Hint(hint, 0)).or(self.print_news()),
            Screen::Ticket(_) => self.print_news(),
            Screen::Calls(screen) => self.calls_news(screen),
            Screen::Pension(screen) => self.pension_news(screen),
            Screen::Admin(screen) => self.admin_news(screen),
            _ => None,
        }
    }

    /// What voice navigation says after an event changed something on screen.
    pub(super) fn follow(&mut self, before: Snapshot) -> Vec<Effect> {
        // The speech test is said in place of whatever the screen would say.
        if let Some(test) = self.take_speech_test() {
            return self.say(test);
        }
        let voice = self.session.profile.voice;
        let view = self.view();
        if !voice {
            let mut effects = if before.voice { vec![Effect::StopSpeech] } else { vec![] };
            let sounds = self.unasked(&before, &view);
            if aside(&before, &Snapshot::of(self)) {
                effects.extend(self.say_after(sounds));
            } else if !sounds.is_empty() {
                effects.extend(self.say(sounds));
            }
            return effects;
        }
        let stops = voice::stops(&view);
        let mut sounds = Vec::new();
        if self.acted {
            sounds.push(Sound::Earcon(Earcon::Activate));
        }
        let now = Snapshot::of(self);
        let language_changed = now.profile.language != before.profile.language;
        if !before.voice || now.screen != before.screen || language_changed || now.idle != before.idle {
            self.session.focus = None;
            if !before.voice {
                sounds.push(Sound::Say(Phrase::prompt("voice.welcome")));
            }
            sounds.extend(voice::announce(&view, &stops));
        } else if let Some(news) = news(&before, &now, &view) {
            if aside(&before, &now) {
                return self.say_after(news);
            }
            sounds = news;
        } else if now.typed != before.typed {
            sounds.push(Sound::Say(self.typed_echo(&before.typed)));
        } else if let Some(index) =
            self.session.focus.as_ref().and_then(|id| stops.iter().position(|s| &s.focus_id == id))
        {
            if !self.acted && now.profile == before.profile {
                return vec![];
            }
            sounds.extend(voice::describe(&stops, index)); // a setting changed: say its new value
        } else {
            return vec![];
        }
        self.say(sounds)
    }

    /// What the kiosk says with voice navigation off: the screens a resident may not be
    /// looking at (the scan screen, held at a camera, and its hints), a receipt's result,
    /// the calls for help and their news, the pension face authentication (explained,
    /// guided and answered by voice), and every problem.
    fn unasked(&self, before: &Snapshot, view: &View) -> Vec<Sound> {
        let now = Snapshot::of(self);
        if now.screen != before.screen && speaks_unasked(&self.session.screen) {
            let mut sounds = voice::summary(view);
            // A message's lines are part of it (the pension steps, an interpreter's absence).
            if view.page == Page::Message {
                sounds.extend(view.lines.iter().map(|line| Sound::Say(line.text.phrase.clone())));
            }
            sounds
        } else {
            news(before, &now, view).unwrap_or_default()
        }
    }

    /// What typing on the keypad says: the character typed in private listening, and only
    /// "star" on the speaker (every entry is an ID, phone or receipt number) or for a secret.
    fn typed_echo(&self, before: &str) -> Phrase {
        let typed = &self.session.typed;
        let secret = self.entry_kind().is_some_and(|entry| entry.is_secret());
        match typed.chars().last() {
            _ if typed.is_empty() && !before.is_empty() => Phrase::prompt("keypad.clear"),
            _ if typed.len() < before.len() => Phrase::prompt("keypad.delete"),
            Some(_) if secret => Phrase::prompt("voice.star"),
            Some(c) => Phrase::code(c.to_string()).personal_or(Phrase::prompt("voice.star")),
            None => Phrase::prompt("voice.star"),
        }
    }

    pub(super) fn say_prompt(&mut self, id: &str) -> Vec<Effect> {
        self.say(vec![Sound::Say(Phrase::prompt(id))])
    }

    pub(super) fn say(&mut self, sounds: Vec<Sound>) -> Vec<Effect> {
        vec![Effect::Speak(self.utterance(sounds))]
    }

    /// Says `sounds` once what is being said has ended.
    fn say_after(&mut self, sounds: Vec<Sound>) -> Vec<Effect> {
        vec![Effect::SpeakAfter(self.utterance(sounds))]
    }

    fn utterance(&mut self, sounds: Vec<Sound>) -> Utterance {
        self.session.last_said = sounds.clone();
        let profile = self.session.profile;
        Utterance { language: profile.language, settings: profile.voice_settings, private: self.private(), sounds }
    }
}
