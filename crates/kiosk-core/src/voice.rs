//! Voice navigation (EZ Access): the screen as a list of stops in reading order, stepped
//! through with Up and Down, activated with Enter (the green diamond) or by touching an item
//! twice, and explained with Help. This module says what a view's stops are and how each is
//! spoken, and handles the keypad's keys and the first touch; [`super::narration`] says what
//! changed after each event.

use super::speech::{Earcon, Phrase, Sound};
use super::view::{Page, TicketView, View};
use super::{action, BarAction, Effect, EntryKey, Event, Kiosk};

/// The keys of the tactile keypad (or a USB keyboard standing in for it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NavKey {
    Up,
    Down,
    /// The green diamond: activate the item in focus.
    Enter,
    /// Explain the item in focus; pressed twice, how the kiosk works.
    Help,
    Back,
    WhereAmI,
    Repeat,
    /// Pause or resume speech.
    Pause,
    RateDown,
    RateUp,
    VolumeDown,
    VolumeUp,
    /// A digit (or X, or delete) typed on the keypad: goes into the entry in progress.
    Type(EntryKey),
    /// Read back the entry in progress: each character in private listening, how many on
    /// the speaker.
    ReadBack,
    /// Call a sign-language interpreter, voice mode or not.
    SignLanguage,
    /// Call staff to the kiosk, voice mode or not.
    CallStaff,
}

impl NavKey {
    pub fn parse(name: &str) -> Option<NavKey> {
        Some(match name {
            "up" => NavKey::Up,
            "down" => NavKey::Down,
            "enter" => NavKey::Enter,
            "help" => NavKey::Help,
            "back" => NavKey::Back,
            "where-am-i" => NavKey::WhereAmI,
            "repeat" => NavKey::Repeat,
            "pause" => NavKey::Pause,
            "rate-down" => NavKey::RateDown,
            "rate-up" => NavKey::RateUp,
            "volume-down" => NavKey::VolumeDown,
            "volume-up" => NavKey::VolumeUp,
            "sign-language" => NavKey::SignLanguage,
            "call-staff" => NavKey::CallStaff,
            "read-back" => NavKey::ReadBack,
            _ => NavKey::Type(EntryKey::parse(name)?),
        })
    }
}

/// What activating a stop does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Item(String),
    Bar(BarAction),
    Key(EntryKey),
}

/// Something voice navigation stops on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stop {
    /// The id the screen draws the focus ring around.
    pub focus_id: String,
    /// What it says, in order.
    pub phrases: Vec<Phrase>,
    /// What activating it does; `None` for text to read.
    pub target: Option<Target>,
    /// What Help says it does.
    pub help: Phrase,
}

impl Stop {
    fn text(focus_id: impl Into<String>, phrases: Vec<Phrase>) -> Stop {
        Stop { focus_id: focus_id.into(), phrases, target: None, help: Phrase::prompt("voice.help.text") }
    }

    fn action(focus_id: impl Into<String>, phrases: Vec<Phrase>, target: Target, help: Phrase) -> Stop {
        Stop { focus_id: focus_id.into(), phrases, target: Some(target), help }
    }
}

/// The focus id of what activating `target` touches on screen.
pub fn focus_id(target: &Target) -> String {
    match target {
        Target::Item(id) => format!("item:{id}"),
        Target::Bar(action) => format!("bar:{}", action.name()),
        Target::Key(key) => format!("key:{}", key.name()),
    }
}

/// The view's stops in reading order: the page's text, its entry or ticket, its buttons,
/// then the global bar.
pub fn stops(view: &View) -> Vec<Stop> {
    let mut stops = vec![Stop::text("title", vec![view.title.phrase.clone(), view.prompt.phrase.clone()])];
    if !view.error.is_empty() {
        stops.push(Stop::text("error", vec![view.error.phrase.clone()]));
    }
    for (n, line) in view.lines.iter().enumerate() {
        let mut phrases = vec![line.text.phrase.clone()];
        if !line.value.is_empty() {
            phrases.push(line.value.phrase.clone());
        }
        stops.push(Stop::text(format!("line:{n}"), phrases));
    }
    if let Some(ticket) = &view.ticket {
        stops.push(Stop::text("ticket", ticket_phrases(ticket)));
    }
    if let Some(entry) = &view.entry {
        // The entry itself reads back what is typed.
        let read_back = Target::Item(action::READ_BACK.into());
        let typed = vec![Phrase::prompt("entry.field"), typed_count(entry.typed_len, entry.expected_len)];
        stops.push(Stop::action("entry", typed, read_back, Phrase::prompt("entry.field.help")));
        // In the screen's order: 清空 beside the entry, then the keypad.
        let mut keys = vec![EntryKey::Clear];
        keys.extend("123456789".chars().map(EntryKey::Char));
        if entry.allows_x {
            keys.push(EntryKey::Char('X'));
        }
        keys.extend([EntryKey::Char('0'), EntryKey::Delete]);
        stops.extend(keys.into_iter().map(|key| {
            let target = Target::Key(key);
            Stop::action(focus_id(&target), vec![key_phrase(key)], target, key_help(key))
        }));
    }
    for item in &view.items {
        let mut phrases = vec![item.label.phrase.clone()];
        if !item.detail.is_empty() {
            phrases.push(item.detail.phrase.clone());
        }
        let target = Target::Item(item.id.clone());
        stops.push(Stop::action(focus_id(&target), phrases, target, item.help.clone()));
    }
    stops.extend(bar_stops(view));
    stops
}

/// The ticket in full, its number first.
fn ticket_phrases(ticket: &TicketView) -> Vec<Phrase> {
    let parts = [&ticket.number, &ticket.service, &ticket.window, &ticket.people_ahead, &ticket.wait];
    let mut phrases = vec![Phrase::prompt("ticket.number")];
    phrases.extend(parts.iter().map(|t| t.phrase.clone()));
    phrases
}

fn bar_stops(view: &View) -> Vec<Stop> {
    let profile = view.profile;
    let on_off = |on: bool| Phrase::prompt(if on { "bar.on" } else { "bar.off" });
    let mut bar = vec![(BarAction::Home, vec![])];
    if view.can_go_back {
        bar.push((BarAction::Back, vec![]));
    }
    bar.extend([
        (BarAction::Help, vec![]),
        (BarAction::SignLanguage, vec![]),
        (BarAction::CallStaff, vec![]),
        (BarAction::TextSize, vec![Phrase::prompt(profile.text_size.prompt_id())]),
        (BarAction::Contrast, vec![on_off(profile.high_contrast)]),
        (BarAction::Language, vec![]),
        (BarAction::Voice, vec![on_off(profile.voice)]),
    ]);
    bar.into_iter()
        .map(|(action, value)| {
            let target = Target::Bar(action);
            let name = match action {
                BarAction::SignLanguage if view.in_video_call => "end-call",
                _ => action.name(),
            };
            let mut phrases = vec![Phrase::prompt(format!("bar.{name}"))];
            phrases.extend(value);
            let help = Phrase::prompt(format!("bar.{name}.help"));
            Stop::action(focus_id(&target), phrases, target, help)
        })
        .collect()
}

/// A key of the entry keypad. Every entry holds personal data (an ID, phone or receipt
/// number), so a character key is named only in private listening: on the speaker, a
/// bystander would hear the number key by key.
fn key_phrase(key: EntryKey) -> Phrase {
    match key {
        EntryKey::Char(c) => Phrase::code(c.to_string()).personal_or(Phrase::prompt("keypad.key")),
        EntryKey::Delete => Phrase::prompt("keypad.delete"),
        EntryKey::Clear => Phrase::prompt("keypad.clear"),
    }
}

fn key_help(key: EntryKey) -> Phrase {
    Phrase::prompt(match key {
        EntryKey::Char(_) => "keypad.key.help",
        EntryKey::Delete => "keypad.delete.help",
        EntryKey::Clear => "keypad.clear.help",
    })
}

/// The entry read back: each character in private listening, how many on the speaker (and
/// always for a secret).
pub fn read_back(typed: &str, expected: usize, secret: bool) -> Vec<Sound> {
    if typed.is_empty() {
        return vec![Sound::Say(Phrase::prompt("entry.empty"))];
    }
    let count = typed_count(typed.len(), expected);
    if secret {
        return vec![Sound::Say(count)];
    }
    vec![Sound::Say(Phrase::prompt_with("entry.read-back", vec![Phrase::code(typed)]).personal_or(count))]
}

fn typed_count(typed: usize, expected: usize) -> Phrase {
    Phrase::prompt_with("entry.typed", vec![Phrase::number(typed as u64), Phrase::number(expected as u64)])
}

/// The idle warning, which any key or touch dismisses.
fn idle_warning(seconds: u32) -> Vec<Phrase> {
    let seconds = Phrase::prompt_with("idle.seconds", vec![Phrase::number(seconds.into())]);
    vec![Phrase::prompt("idle.title"), seconds, Phrase::prompt("voice.any-key")]
}

/// What a stop says when voice navigation reaches it: its text and where it is.
pub fn describe(stops: &[Stop], index: usize) -> Vec<Sound> {
    let mut sounds: Vec<Sound> = stops[index].phrases.iter().cloned().map(Sound::Say).collect();
    sounds.push(Sound::Say(position(index, stops.len())));
    sounds
}

/// "第2项，共5项".
pub fn position(index: usize, count: usize) -> Phrase {
    Phrase::prompt_with("voice.position", vec![Phrase::number(index as u64 + 1), Phrase::number(count as u64)])
}

/// What a screen says on arrival in voice navigation: its [`summary`] and how many stops it
/// has.
pub fn announce(view: &View, stops: &[Stop]) -> Vec<Sound> {
    if let Some(seconds) = view.idle_warning {
        return idle_warning(seconds).into_iter().map(Sound::Say).collect();
    }
    let mut sounds = summary(view);
    if view.page != Page::Busy {
        sounds.push(Sound::Say(Phrase::prompt_with("voice.count", vec![Phrase::number(stops.len() as u64)])));
    }
    sounds
}

/// A screen in brief: its title, the ticket in full (its number first, before anything
/// else), what to do, what went wrong, what is typed, and a ticket page's lines (the
/// materials a receipt still lacks).
pub fn summary(view: &View) -> Vec<Sound> {
    let mut phrases = vec![view.title.phrase.clone()];
    if let Some(ticket) = &view.ticket {
        phrases.extend(ticket_phrases(ticket));
    }
    phrases.push(view.prompt.phrase.clone());
    phrases.push(view.error.phrase.clone());
    if let Some(entry) = &view.entry {
        phrases.push(typed_count(entry.typed_len, entry.expected_len));
    }
    if view.page == Page::Ticket {
        phrases.extend(view.lines.iter().map(|line| line.text.phrase.clone()));
    }
    phrases.into_iter().filter(|p| !p.is_empty()).map(Sound::Say).collect()
}

/// The item a touch event lands on.
pub(super) fn touched(event: &Event) -> Option<Target> {
    Some(match event {
        Event::Activate(id) => Target::Item(id.clone()),
        Event::Bar(action) => Target::Bar(*action),
        Event::Key(key) => Target::Key(*key),
        _ => return None,
    })
}

impl Kiosk {
    // --- the keys and touches of voice navigation ---

    /// A first touch of an item in voice mode: focus it and say it. `None` when it is
    /// already in focus (so the touch activates it) or is not on the screen.
    pub(super) fn touch(&mut self, target: Target) -> Option<Vec<Effect>> {
        let stops = stops(&self.view());
        let index = stops.iter().position(|s| s.target.as_ref() == Some(&target))?;
        if self.session.focus.as_deref() == Some(stops[index].focus_id.as_str()) {
            return None;
        }
        Some(self.focus(&stops, index))
    }

    /// Reads back the entry on screen, asked by its key or by touching the entry field.
    pub(super) fn read_back(&mut self) -> Vec<Effect> {
        match self.entry_kind() {
            Some(kind) => self.say(read_back(&self.session.typed, super::entry::expected_len(kind), kind.is_secret())),
            None => self.say_prompt("voice.no-entry"),
        }
    }

    fn focus(&mut self, stops: &[Stop], index: usize) -> Vec<Effect> {
        self.session.focus = Some(stops[index].focus_id.clone());
        let mut sounds = vec![Sound::Earcon(Earcon::Focus)];
        sounds.extend(describe(stops, index));
        self.say(sounds)
    }

    pub(super) fn nav(&mut self, key: NavKey) -> Vec<Effect> {
        let profile = &mut self.session.profile;
        // Help from a person comes at once, voice mode or not: a deaf resident needs no speech.
        let for_help = matches!(key, NavKey::SignLanguage | NavKey::CallStaff);
        if !profile.voice && !for_help {
            profile.voice = true; // any key starts voice mode; `follow` welcomes the resident
            return vec![];
        }
        if key != NavKey::Help {
            self.session.help_presses = 0;
        }
        let view = self.view();
        let stops = stops(&view);
        let focused = self.session.focus.as_ref().and_then(|id| stops.iter().position(|s| &s.focus_id == id));
        let last = stops.len() - 1;
        let settings = &mut self.session.profile.voice_settings;
        let (stepped, said) = match key {
            NavKey::Down => return self.focus(&stops, focused.map_or(0, |i| if i == last { 0 } else { i + 1 })),
            NavKey::Up => return self.focus(&stops, focused.map_or(last, |i| if i == 0 { last } else { i - 1 })),
            NavKey::Enter => {
                return match focused.and_then(|i| stops[i].target.clone()) {
                    Some(target) => self.perform(target),
                    None => {
                        let sounds = match focused {
                            Some(i) => describe(&stops, i),
                            None => announce(&view, &stops),
                        };
                        self.say(sounds)
                    }
                };
            }
            NavKey::Back if view.can_go_back => return self.perform(Target::Bar(BarAction::Back)),
            NavKey::Back => return self.say_prompt("voice.no-back"),
            NavKey::Help => {
                self.session.help_presses += 1;
                if self.session.help_presses >= 2 {
                    self.session.help_presses = 0;
                    return self.say_prompt("voice.help.general");
                }
                let stop = &stops[focused.unwrap_or(0)];
                let mut sounds: Vec<Sound> = stop.phrases.iter().cloned().map(Sound::Say).collect();
                sounds.push(Sound::Say(stop.help.clone()));
                return self.say(sounds);
            }
            NavKey::WhereAmI => {
                let here = match focused {
                    Some(i) => position(i, stops.len()),
                    None => Phrase::prompt("voice.at-start"),
                };
                return self.say(vec![Sound::Say(view.title.phrase.clone()), Sound::Say(here)]);
            }
            NavKey::Repeat => {
                let sounds = self.session.last_said.clone();
                return self.say(sounds);
            }
            NavKey::Pause => {
                self.session.speech_paused = !self.session.speech_paused;
                return vec![if self.session.speech_paused { Effect::PauseSpeech } else { Effect::ResumeSpeech }];
            }
            NavKey::Type(key) => {
                self.key(key);
                return vec![];
            }
            NavKey::ReadBack => return self.read_back(),
            NavKey::SignLanguage => return self.perform(Target::Bar(BarAction::SignLanguage)),
            NavKey::CallStaff => return self.perform(Target::Bar(BarAction::CallStaff)),
            NavKey::RateDown => (settings.step_rate(-1), "voice.slower"),
            NavKey::RateUp => (settings.step_rate(1), "voice.faster"),
            NavKey::VolumeDown => (settings.step_volume(-1), "voice.quieter"),
            NavKey::VolumeUp => (settings.step_volume(1), "voice.louder"),
        };
        self.say_prompt(if stepped { said } else { "voice.limit" })
    }
}
