//! Voice navigation alone: whole visits with the keypad and touch-and-confirm, checking what
//! the kiosk says (as prompt ids and values, before any audio).

use contract::model::Priority;

use super::*;
use crate::profile::Language;
use crate::speech::{Earcon, Part, Sound, VoiceSettings};
use crate::view::Page;
use crate::voice::NavKey;

fn press(kiosk: &mut Kiosk, key: NavKey) -> Vec<String> {
    said(&kiosk.handle(Event::Nav(key))).transcript()
}

/// A kiosk in voice mode on its home screen.
fn voice_kiosk() -> Kiosk {
    let mut kiosk = kiosk();
    kiosk.handle(Event::Nav(NavKey::Down));
    kiosk
}

/// Touch and confirm: touches an item twice.
fn choose(kiosk: &mut Kiosk, id: &str) -> Vec<Effect> {
    kiosk.handle(Event::Activate(id.into()));
    kiosk.handle(Event::Activate(id.into()))
}

/// Goes to the ID-number step by touch and confirm, and types `digits` on the keypad.
fn type_id_number(kiosk: &mut Kiosk, digits: &str) {
    for id in [home::TAKE_NUMBER, "residence-permit", action::NEXT, "normal", action::YES] {
        choose(kiosk, id);
    }
    for c in digits.chars() {
        kiosk.handle(Event::Nav(NavKey::Type(EntryKey::Char(c))));
    }
}

/// Presses Down until the stop saying `label` is in focus.
fn focus_on(kiosk: &mut Kiosk, label: &str) {
    for _ in 0..60 {
        if press(kiosk, NavKey::Down).contains(&label.to_string()) {
            return;
        }
    }
    panic!("no stop says {label:?}");
}

#[test]
fn any_key_starts_voice_mode_and_says_how_to_use_it() {
    let mut kiosk = kiosk();
    let effects = kiosk.handle(Event::Nav(NavKey::Enter));
    let words = said(&effects).transcript();
    assert_eq!(words[..3], ["voice.welcome", "home.title", "home.prompt"]);
    assert!(words.contains(&"voice.count".to_string()));
    assert!(kiosk.profile().voice);
    assert_eq!(kiosk.view().page, Page::Home, "the first key only starts voice mode");
}

#[test]
fn down_and_up_step_through_every_item_with_its_position() {
    let mut kiosk = voice_kiosk();
    let stops = voice::stops(&kiosk.view());
    let count = stops.len().to_string();
    let first = press(&mut kiosk, NavKey::Down);
    assert_eq!(first[0], "<Focus>");
    assert_eq!(first[first.len() - 3..], ["voice.position", "1", &count]);
    assert_eq!(kiosk.view().voice_focus, "title", "the focus ring follows the speech");
    let second = press(&mut kiosk, NavKey::Down);
    assert_eq!(second[1..3], ["home.take-number", "home.take-number.detail"]);
    assert_eq!(kiosk.view().voice_focus, "item:take-number");
    press(&mut kiosk, NavKey::Up);
    let wrapped = press(&mut kiosk, NavKey::Up);
    assert_eq!(wrapped[wrapped.len() - 2..], [count.clone(), count.clone()], "Up from the first goes to the last");
    assert!(wrapped.contains(&"bar.voice".to_string()), "the global bar is in reading order too");
}

#[test]
fn a_blind_resident_takes_a_number_with_the_keypad_alone_and_hears_the_ticket() {
    let mut kiosk = voice_kiosk();
    focus_on(&mut kiosk, "home.take-number");
    let services = press(&mut kiosk, NavKey::Enter);
    assert_eq!(services[..2], ["<Activate>", "services.title"]);

    focus_on(&mut kiosk, "居住证办理");
    assert_eq!(press(&mut kiosk, NavKey::Enter)[1], "请准备材料");
    focus_on(&mut kiosk, "step.next");
    press(&mut kiosk, NavKey::Enter);
    focus_on(&mut kiosk, "我是60岁以上老人");
    press(&mut kiosk, NavKey::Enter);
    focus_on(&mut kiosk, "step.yes");
    let entry = press(&mut kiosk, NavKey::Enter);
    assert!(entry.contains(&"entry.prompt.id-number".to_string()), "{entry:?}");

    for c in "11010519491231002X".chars() {
        let echo = press(&mut kiosk, NavKey::Type(EntryKey::Char(c)));
        assert_eq!(echo, ["voice.star"], "a masked entry never speaks its digits");
    }
    focus_on(&mut kiosk, "entry.done");
    press(&mut kiosk, NavKey::Enter);
    focus_on(&mut kiosk, "entry.skip");
    let confirm = press(&mut kiosk, NavKey::Enter);
    assert!(confirm.contains(&"confirm.prompt".to_string()), "{confirm:?}");
    focus_on(&mut kiosk, "confirm.button");
    let effects = kiosk.handle(Event::Nav(NavKey::Enter));
    assert!(effects.iter().any(|e| matches!(e, Effect::IssueTicket { .. })));

    let effects = kiosk.handle(Event::TicketIssued(Ok(ticket(Priority::Elderly))));
    let ticket = said(&effects).transcript();
    for expected in [
        "ticket.title",
        "ticket.number",
        "H007",
        "居住证办理",
        "ticket.window-number",
        "ticket.people-ahead",
        "3",
        "ticket.wait",
        "24",
    ] {
        assert!(ticket.contains(&expected.to_string()), "the ticket is spoken in full: {expected} in {ticket:?}");
    }
    assert_eq!(press(&mut kiosk, NavKey::Repeat), ticket, "and can be repeated");
}

#[test]
fn touch_and_confirm_says_an_item_first_and_activates_it_on_the_second_touch() {
    let mut kiosk = voice_kiosk();
    let first = said(&kiosk.handle(Event::Activate(home::GUIDES.into()))).transcript();
    assert_eq!(first[..2], ["<Focus>", "home.guides"]);
    assert_eq!(kiosk.view().page, Page::Home);
    let second = said(&kiosk.handle(Event::Activate(home::GUIDES.into()))).transcript();
    assert_eq!(second[..2], ["<Activate>", "guides.title"]);

    // The bar works the same way: the first touch of the contrast button only says it.
    kiosk.handle(Event::Bar(BarAction::Contrast));
    assert!(!kiosk.profile().high_contrast);
    let toggled = said(&kiosk.handle(Event::Bar(BarAction::Contrast))).transcript();
    assert!(kiosk.profile().high_contrast);
    assert_eq!(toggled[1..3], ["bar.contrast", "bar.on"], "a setting says its new value");
}

#[test]
fn typing_speaks_digits_only_in_private_listening_and_never_for_masked_entries() {
    let mut kiosk = voice_kiosk();
    type_id_number(&mut kiosk, "11010519491231002X");
    kiosk.handle(Event::Nav(NavKey::Enter)); // focus at the start: says the page again
    focus_on(&mut kiosk, "entry.done");
    press(&mut kiosk, NavKey::Enter);
    assert_eq!(kiosk.view().entry.map(|e| e.masked), Some(false), "the phone step");

    assert_eq!(press(&mut kiosk, NavKey::Type(EntryKey::Char('1'))), ["voice.star"], "on the speaker");
    kiosk.handle(Event::Headphones(true));
    assert_eq!(press(&mut kiosk, NavKey::Type(EntryKey::Char('3'))), ["3"], "in the headphones");
    assert_eq!(press(&mut kiosk, NavKey::Type(EntryKey::Delete)), ["keypad.delete"]);
}

#[test]
fn personal_data_on_the_summary_is_marked_for_private_listening_only() {
    let mut kiosk = kiosk();
    super::tests::walk_to_confirm(&mut kiosk);
    let id_line = &kiosk.view().lines[3];
    assert_eq!(id_line.value, "**************002X");
    assert!(matches!(id_line.value.phrase.0[0], Part::Personal(_)));
}

#[test]
fn errors_are_spoken_with_the_error_sound() {
    let mut kiosk = voice_kiosk();
    type_id_number(&mut kiosk, "110105194912310021");
    let error = said(&choose(&mut kiosk, action::ENTRY_DONE)).transcript();
    assert_eq!(error, ["<Error>", "entry.error.id-check-digit"]);
}

#[test]
fn help_explains_the_item_then_the_kiosk_and_where_am_i_tells_the_place() {
    let mut kiosk = voice_kiosk();
    focus_on(&mut kiosk, "home.guides");
    let help = press(&mut kiosk, NavKey::Help);
    assert_eq!(help[help.len() - 1], "voice.help.action");
    assert_eq!(press(&mut kiosk, NavKey::Help), ["voice.help.general"]);
    let here = press(&mut kiosk, NavKey::WhereAmI);
    assert_eq!(here[..2], ["home.title", "voice.position"]);
    assert_eq!(press(&mut kiosk, NavKey::Back), ["voice.no-back"]);
}

#[test]
fn rate_and_volume_change_in_steps_and_reset_for_the_next_resident() {
    let mut kiosk = voice_kiosk();
    assert_eq!(press(&mut kiosk, NavKey::RateUp), ["voice.faster"]);
    for _ in 0..VoiceSettings::STEPS {
        press(&mut kiosk, NavKey::VolumeUp);
    }
    assert_eq!(press(&mut kiosk, NavKey::VolumeUp), ["voice.limit"]);
    let effects = kiosk.handle(Event::Nav(NavKey::VolumeDown));
    assert_eq!(said(&effects).settings, VoiceSettings { rate: 1, volume: 2 }, "spoken at the new level");
    assert_eq!(kiosk.handle(Event::Nav(NavKey::Pause)), [Effect::PauseSpeech]);
    assert_eq!(kiosk.handle(Event::Nav(NavKey::Pause)), [Effect::ResumeSpeech]);

    let effects = kiosk.handle(Event::Tick(90));
    assert!(effects.contains(&Effect::StopSpeech), "the session reset silences the kiosk: {effects:?}");
    assert_eq!(kiosk.profile().voice_settings, VoiceSettings::default());
    assert!(!kiosk.profile().voice);
}

#[test]
fn the_spoken_language_follows_the_screen() {
    let mut kiosk = voice_kiosk();
    focus_on(&mut kiosk, "bar.language");
    let effects = kiosk.handle(Event::Nav(NavKey::Enter));
    let utterance = said(&effects);
    assert_eq!(utterance.language, Language::En);
    assert_eq!(utterance.transcript()[1], "home.title", "the screen is announced again, in English");
}

#[test]
fn the_idle_warning_is_spoken_and_any_key_dismisses_it() {
    let mut kiosk = voice_kiosk();
    let effects = kiosk.handle(Event::Tick(60));
    assert_eq!(said(&effects).transcript(), ["idle.title", "idle.seconds", "30", "voice.any-key"]);
    assert_eq!(kiosk.handle(Event::Tick(1)), [], "the countdown is not read every second");
    let back = press(&mut kiosk, NavKey::Down);
    assert_eq!(back[0], "home.title", "the screen is announced again");
    assert_eq!(kiosk.view().idle_warning, None);
}

#[test]
fn the_voice_button_turns_speech_off() {
    let mut kiosk = voice_kiosk();
    focus_on(&mut kiosk, "bar.voice");
    let effects = kiosk.handle(Event::Nav(NavKey::Enter));
    assert_eq!(effects, [Effect::StopSpeech]);
    assert!(!kiosk.profile().voice);
    assert_eq!(kiosk.view().voice_focus, "", "no focus ring without voice mode");
}

#[test]
fn headphones_start_voice_mode_in_private_listening() {
    let mut kiosk = kiosk();
    let effects = kiosk.handle(Event::Headphones(true));
    let utterance = said(&effects);
    assert!(utterance.private);
    assert_eq!(utterance.transcript()[0], "voice.welcome");
    assert_eq!(said(&kiosk.handle(Event::Nav(NavKey::Down))).sounds[0], Sound::Earcon(Earcon::Focus));
}
