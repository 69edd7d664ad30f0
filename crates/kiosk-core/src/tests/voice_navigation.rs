//! Voice navigation alone: whole visits with the keypad and touch-and-confirm, checking what
//! the kiosk says (as prompt ids and values, before any audio).

use contract::model::Priority;

use super::*;
use crate::profile::{Language, TextSize};
use crate::speech::{Earcon, Part, Sound, VoiceSettings};
use crate::view::{Page, View};
use crate::voice::NavKey;

/// What a key makes the kiosk say, as a bystander hears it (see [`Utterance::heard`]).
fn press(kiosk: &mut Kiosk, key: NavKey) -> Vec<String> {
    said(&kiosk.handle(Event::Nav(key))).heard()
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
        assert_eq!(echo, ["voice.star"], "the speaker never says an entry's digits");
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
fn no_digit_of_an_entry_reaches_the_speaker_and_headphones_hear_every_one() {
    let mut kiosk = voice_kiosk();
    type_id_number(&mut kiosk, "110105");
    // Touch and confirm on the on-screen keypad: the first touch names the key, the second
    // types it.
    let key = Event::Key(EntryKey::Char('1'));
    assert_eq!(said(&kiosk.handle(key.clone())).heard()[..2], ["<Focus>", "keypad.key"], "not which digit");
    assert_eq!(said(&kiosk.handle(key)).heard(), ["<Activate>", "voice.star"]);
    assert_eq!(press(&mut kiosk, NavKey::Type(EntryKey::Char('9'))), ["voice.star"], "nor from the keypad");
    assert_eq!(press(&mut kiosk, NavKey::ReadBack), ["entry.typed", "8", "18"], "read back: only how many");

    kiosk.handle(Event::Headphones { plugged: true, private: true });
    let key = Event::Key(EntryKey::Char('4'));
    assert_eq!(said(&kiosk.handle(key.clone())).heard()[..3], ["<Focus>", "personal", "4"], "in the headphones");
    assert_eq!(said(&kiosk.handle(key)).heard(), ["<Activate>", "personal", "4"]);
    assert_eq!(press(&mut kiosk, NavKey::ReadBack), ["personal", "entry.read-back", "110105194"]);
    assert_eq!(press(&mut kiosk, NavKey::Type(EntryKey::Delete)), ["keypad.delete"]);

    // The phone step: not masked on screen, and still never said on the speaker.
    kiosk.handle(Event::Headphones { plugged: false, private: false });
    press(&mut kiosk, NavKey::Type(EntryKey::Clear));
    for c in "11010519491231002X".chars() {
        kiosk.handle(Event::Nav(NavKey::Type(EntryKey::Char(c))));
    }
    focus_on(&mut kiosk, "entry.done");
    press(&mut kiosk, NavKey::Enter);
    assert_eq!(kiosk.view().entry.map(|e| e.masked), Some(false), "the phone step");
    assert_eq!(press(&mut kiosk, NavKey::Type(EntryKey::Char('1'))), ["voice.star"]);
    assert_eq!(press(&mut kiosk, NavKey::ReadBack), ["entry.typed", "1", "11"]);
}

#[test]
fn the_entry_field_reads_back_and_a_sighted_resident_may_show_a_masked_number() {
    let mut kiosk = kiosk();
    for id in [home::TAKE_NUMBER, "residence-permit", action::NEXT, "normal", action::YES] {
        activate(&mut kiosk, id);
    }
    assert_eq!(said(&activate(&mut kiosk, action::READ_BACK)).heard(), ["entry.empty"]);
    type_keys(&mut kiosk, "110105");
    assert_eq!(kiosk.view().entry.unwrap().shown, "******", "masked by default");
    let read_back = said(&activate(&mut kiosk, action::READ_BACK)).clone();
    assert_eq!(read_back.heard(), ["entry.typed", "6", "18"], "touching the field reads it back, voice mode or not");
    assert!(!kiosk.profile().voice, "without switching voice mode on");

    let show = |kiosk: &Kiosk| kiosk.view().items.into_iter().find(|i| i.id == action::SHOW_TYPED).unwrap();
    assert_eq!(show(&kiosk).label, "显示号码");
    activate(&mut kiosk, action::SHOW_TYPED);
    assert_eq!(kiosk.view().entry.unwrap().shown, "110105");
    assert_eq!(show(&kiosk).label, "隐藏号码");
    assert_eq!(said(&activate(&mut kiosk, action::READ_BACK)).heard(), read_back.heard(), "shown, still not said");
    activate(&mut kiosk, action::SHOW_TYPED);
    assert_eq!(kiosk.view().entry.unwrap().shown, "******");
}

/// Every page a visit can reach by touch: home, the lists, each kind of step, the ticket,
/// the scan and its keypad, the staff-call reasons, the pension steps, help and the
/// unavailable page.
fn pages() -> Vec<View> {
    let mut views = Vec::new();
    let mut kiosk = kiosk();
    views.push(kiosk.view());
    walk_to_confirm_keeping(&mut kiosk, &mut views);
    kiosk.handle(Event::TicketIssued(Ok(ticket(Priority::Elderly))));
    views.push(kiosk.view());

    let mut kiosk = super::kiosk();
    for id in [home::GUIDES, "household", "residence-permit"] {
        activate(&mut kiosk, id);
        views.push(kiosk.view());
    }
    let mut kiosk = super::kiosk();
    activate(&mut kiosk, home::SCAN_RECEIPT);
    views.push(kiosk.view());
    activate(&mut kiosk, action::ENTER_NUMBER);
    views.push(kiosk.view());
    let mut kiosk = super::kiosk();
    for id in [home::PENSION, action::AGREE] {
        activate(&mut kiosk, id);
        views.push(kiosk.view());
    }
    let mut kiosk = super::kiosk();
    activate(&mut kiosk, home::CALL_STAFF);
    views.push(kiosk.view());
    kiosk.handle(Event::Bar(BarAction::Help));
    views.push(kiosk.view());
    let mut kiosk = Kiosk::new(Language::Zh, IdlePolicy::default(), "k1");
    activate(&mut kiosk, home::TAKE_NUMBER);
    kiosk.handle(Event::CatalogLoaded(Err(ApiFailure::Unreachable("refused".into()))));
    views.push(kiosk.view());
    views
}

/// [`walk_to_confirm`], keeping each page's view.
fn walk_to_confirm_keeping(kiosk: &mut Kiosk, views: &mut Vec<View>) {
    for id in [home::TAKE_NUMBER, "residence-permit", action::NEXT, "elderly", action::YES] {
        activate(kiosk, id);
        views.push(kiosk.view());
    }
    type_keys(kiosk, "11010519491231002X");
    activate(kiosk, action::ENTRY_DONE);
    views.push(kiosk.view());
    activate(kiosk, action::ENTRY_SKIP);
    views.push(kiosk.view());
}

#[test]
fn help_on_every_item_of_every_page_says_what_that_item_does() {
    let mut pages_seen = std::collections::HashSet::new();
    for view in pages() {
        pages_seen.insert(format!("{:?}", view.page));
        for stop in voice::stops(&view).iter().filter(|stop| stop.target.is_some()) {
            let own = matches!(&stop.help.0[..], [Part::Prompt { id, .. }] if id.ends_with(".help"));
            assert!(own, "{} on {:?} has no help of its own", stop.focus_id, view.title.shown);
            for language in [Language::Zh, Language::En] {
                // An unknown prompt id panics here.
                assert!(!stop.help.render(language).is_empty(), "{} has no help", stop.focus_id);
            }
        }
    }
    assert!(pages_seen.len() >= 9, "the walk reaches every kind of page: {pages_seen:?}");
}

#[test]
fn personal_data_on_the_summary_is_marked_for_private_listening_only() {
    let mut kiosk = kiosk();
    super::tests::walk_to_confirm(&mut kiosk);
    let id_line = &kiosk.view().lines[3];
    assert_eq!(id_line.value, "**************002X");
    assert!(matches!(id_line.value.phrase.0[0], Part::Personal { .. }));
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
    assert_eq!(help[help.len() - 1], "home.guides.help", "what this item does");
    assert_eq!(press(&mut kiosk, NavKey::Help), ["voice.help.general"]);
    let here = press(&mut kiosk, NavKey::WhereAmI);
    assert_eq!(here[..2], ["home.title", "voice.position"]);
    assert_eq!(press(&mut kiosk, NavKey::Back), ["voice.no-back"]);
}

#[test]
fn rate_and_volume_change_in_steps_and_reset_for_the_next_resident() {
    let mut kiosk = voice_kiosk();
    assert_eq!(press(&mut kiosk, NavKey::RateUp), ["voice.faster"]);
    for _ in VoiceSettings::DEFAULT_VOLUME..VoiceSettings::LOUDEST {
        press(&mut kiosk, NavKey::VolumeUp);
    }
    assert_eq!(press(&mut kiosk, NavKey::VolumeUp), ["voice.limit"]);
    let effects = kiosk.handle(Event::Nav(NavKey::VolumeDown));
    let settings = VoiceSettings { rate: 1, volume: VoiceSettings::LOUDEST - 1 };
    assert_eq!(said(&effects).settings, settings, "spoken at the new level");
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
    let effects = kiosk.handle(Event::Headphones { plugged: true, private: true });
    let utterance = said(&effects);
    assert!(utterance.private);
    assert_eq!(utterance.transcript()[0], "voice.welcome");
    assert_eq!(said(&kiosk.handle(Event::Nav(NavKey::Down))).sounds[0], Sound::Earcon(Earcon::Focus));
}

#[test]
fn headphones_the_kiosk_could_not_make_private_start_voice_mode_but_say_nothing_personal() {
    let mut kiosk = kiosk();
    // Plugged in, but the speaker could not be switched off: the hall may hear.
    let effects = kiosk.handle(Event::Headphones { plugged: true, private: false });
    let utterance = said(&effects);
    assert!(!utterance.private);
    assert_eq!(utterance.transcript()[0], "voice.welcome");
    for id in [home::PENSION, action::AGREE] {
        activate(&mut kiosk, id); // touch and confirm
        activate(&mut kiosk, id);
    }
    let key = Event::Key(EntryKey::Char('4'));
    kiosk.handle(key.clone());
    assert_eq!(said(&kiosk.handle(key)).heard(), ["<Activate>", "voice.star"], "not the digit");
}

/// Presses Down until the stop `focus_id` is in focus, then Enter: the keypad alone.
fn enter_on(kiosk: &mut Kiosk, focus_id: &str) -> Vec<Effect> {
    for _ in 0..80 {
        if kiosk.view().voice_focus == focus_id {
            return kiosk.handle(Event::Nav(NavKey::Enter));
        }
        kiosk.handle(Event::Nav(NavKey::Down));
    }
    panic!("no stop {focus_id:?} on {:?}", kiosk.view().title.shown);
}

#[test]
fn every_feature_is_reached_and_used_with_the_keypad_alone() {
    let mut kiosk = voice_kiosk();

    // A receipt: the scan screen, then the number typed instead.
    enter_on(&mut kiosk, "item:scan-receipt");
    assert_eq!(kiosk.view().page, Page::Scan);
    enter_on(&mut kiosk, "item:enter-number");
    assert_eq!(kiosk.view().page, Page::Entry);
    for c in "12345".chars() {
        kiosk.handle(Event::Nav(NavKey::Type(EntryKey::Char(c))));
    }
    assert_eq!(kiosk.view().entry.unwrap().typed_len, 5);
    kiosk.handle(Event::Nav(NavKey::Back));
    kiosk.handle(Event::Nav(NavKey::Back));
    assert_eq!(kiosk.view().page, Page::Home);

    // The interpreter, and cancelling the call.
    enter_on(&mut kiosk, "bar:sign-language");
    assert_eq!(kiosk.view().page, Page::SelfView);
    kiosk.handle(Event::InterpreterCallUpdated(Ok(super::calls::call(contract::model::InterpreterCallStatus::Queued))));
    let effects = enter_on(&mut kiosk, "item:cancel");
    assert!(effects.iter().any(|e| matches!(e, Effect::HangUp { .. })), "{effects:?}");
    assert_eq!(kiosk.view().page, Page::Home);

    // Staff, for a reason.
    enter_on(&mut kiosk, "bar:call-staff");
    let effects = enter_on(&mut kiosk, "item:vision");
    assert!(effects.iter().any(|e| matches!(e, Effect::SendStaffCall { .. })));
    kiosk.handle(Event::Nav(NavKey::Back));
    enter_on(&mut kiosk, "bar:home");

    // The pension check: consent, the ID number, then the camera.
    enter_on(&mut kiosk, "item:pension");
    enter_on(&mut kiosk, "item:agree");
    for c in "11010519491231002X".chars() {
        kiosk.handle(Event::Nav(NavKey::Type(EntryKey::Char(c))));
    }
    enter_on(&mut kiosk, "item:entry-done");
    enter_on(&mut kiosk, "item:seated");
    let effects = enter_on(&mut kiosk, "item:nod");
    assert!(effects.iter().any(|e| matches!(e, Effect::OpenCamera(CameraUse::Face(_)))));
    enter_on(&mut kiosk, "item:cancel");
    enter_on(&mut kiosk, "bar:home");

    // Every setting, then help and its captions.
    for setting in ["bar:text-size", "bar:contrast", "bar:language"] {
        enter_on(&mut kiosk, setting);
    }
    let profile = kiosk.profile();
    assert_eq!((profile.text_size, profile.high_contrast, profile.language), (TextSize::Large, true, Language::En));
    press(&mut kiosk, NavKey::VolumeUp);
    press(&mut kiosk, NavKey::RateDown);
    let volume = VoiceSettings::DEFAULT_VOLUME + 1;
    assert_eq!(kiosk.profile().voice_settings, VoiceSettings { rate: -1, volume });
    enter_on(&mut kiosk, "bar:help");
    let captions = kiosk.profile().captions; // on since the interpreter call
    enter_on(&mut kiosk, "item:captions");
    assert_eq!(kiosk.profile().captions, !captions);
    enter_on(&mut kiosk, "item:close");
    enter_on(&mut kiosk, "bar:voice");
    assert!(!kiosk.profile().voice, "and voice mode ends from its own button");
}

#[test]
fn the_volume_page_is_one_step_from_every_screen_spans_24_db_and_leaves_voice_mode_off() {
    let mut kiosk = kiosk();
    kiosk.set_default_volume(4); // the center's level for its hall
    assert_eq!(kiosk.profile().voice_settings.volume, 4);
    walk_to_confirm(&mut kiosk);
    kiosk.handle(Event::Bar(BarAction::Help));
    let effects = activate(&mut kiosk, action::VOLUME);
    assert_eq!(kiosk.view().title, "音量");
    assert!(!utterances(&effects).is_empty(), "the page is said, so its level is heard");
    let louder = said(&activate(&mut kiosk, action::LOUDER)).clone();
    assert_eq!(louder.heard(), ["volume.level", "6", "9"]);
    assert_eq!(louder.settings.volume, 5, "said at the new level");
    assert!(!kiosk.profile().voice, "voice navigation stays off");
    for _ in 0..10 {
        activate(&mut kiosk, action::QUIETER);
    }
    let quietest = kiosk.profile().voice_settings;
    assert_eq!(quietest.volume, 0);
    assert_eq!(said(&activate(&mut kiosk, action::QUIETER)).heard(), ["voice.limit"]);
    for _ in 0..10 {
        activate(&mut kiosk, action::LOUDER);
    }
    let loudest = kiosk.profile().voice_settings;
    assert!(loudest.volume_db() - quietest.volume_db() >= 20.0, "a range of at least 20 dB");
    assert_eq!(loudest.volume_db(), 0.0, "the loudest level plays the recordings as they are");
    activate(&mut kiosk, action::CLOSE);
    activate(&mut kiosk, action::CLOSE);
    assert_eq!(kiosk.view().page, Page::Confirm, "back where the resident was");
    kiosk.handle(Event::Tick(200));
    assert_eq!(kiosk.profile().voice_settings.volume, 4, "the next resident has the center's level");
}
