//! A whole visit by a resident who cannot see the screen (issue 3, voice navigation): the real
//! window on Slint's testing backend, driven by keypad keys alone (arrows, Enter, digits), the
//! real voice pack and speaker playing on the audio rig's sound card, a real speech-dispatcher
//! for the catalog's text, and the embedded service API. What the kiosk asks to say is
//! recorded on its way to the speaker (`Recorder`), and each utterance is checked on the
//! captured audio: sound, for as long as its clips and speech last.
//!
//! The resident takes a number for a service whose flow has a masked ID-number entry, hears
//! the ticket in full, then switches to English with the bar's language button and hears the
//! ticket begin again in English. The visit goes as a resident who knows the kiosk goes: the
//! services page, each typed character's echo and the ticket are heard to their end; for the
//! rest (the welcome, the other pages, each Up and Down while looking for an item) the next
//! key comes once 0.3 s of it has been heard, and cuts it short, as on the kiosk. Every
//! utterance heard to its end, the visit would take over three minutes (the welcome and home
//! page alone 22 s, the ticket 21 s, each item 2 to 7 s).
//!
//! The testing backend's event loop can start once per process, so this file holds one test.

mod audio_rig;
mod common;
mod ear;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use slint::platform::Key;
use slint::{ComponentHandle, Model};

use audio_rig::{Part, Rig};
use common::init_headless_platform;
use contract::model::{Bilingual, Catalog, EntryKind, Step};
use ear::{check_hearing, clip, kiosk_by_ear, voices, Pace, Visit, SKIM};
use kiosk::speech::{Segment, Speaker};
use kiosk::ui::{KioskView, PageKind, VoiceFocus};
use kiosk_core::profile::Language;
use kiosk_core::{IdlePolicy, Kiosk};
use service_api::EmbeddedServer;

/// The service of the visit; its flow gets a masked ID-number entry (the seed has none).
const SERVICE: &str = "pension-eligibility-certification";
const SERVICE_NAME: &str = "养老金资格认证";
/// A valid resident ID number (its check digit is X).
const ID_NUMBER: &str = "11010519491231002X";

/// The embedded service API on the seed catalog, whose service [`SERVICE`] gets a masked
/// ID-number entry after its priority choice (no seed service has one; this visit's
/// database only).
fn start_api(dir: &Path) -> EmbeddedServer {
    let db = dir.join("api.sqlite");
    let server = EmbeddedServer::start(&db, "kiosk-test", "secret").unwrap();
    let catalog: Catalog = serde_json::from_str(include_str!("../crates/service-api/seed/catalog.json")).unwrap();
    let mut service = catalog.services.into_iter().find(|s| s.code == SERVICE).expect("the seed's service");
    let after_priority = service.flow.iter().position(|s| s.id() == "priority").expect("a priority step") + 1;
    let id_number = Step::Entry {
        id: "id-number".into(),
        title: Bilingual::new("身份证号码", "ID card number"),
        label: None,
        entry: EntryKind::IdNumber,
        masked: true,
        optional: false,
    };
    service.flow.insert(after_priority, id_number);
    // The server reads the catalog from its database on each request.
    let update = "import sqlite3, sys\n\
                  db = sqlite3.connect(sys.argv[1], timeout=10)\n\
                  n = db.execute('UPDATE services SET body = ? WHERE code = ?', (sys.stdin.read(), sys.argv[2])).rowcount\n\
                  db.commit()\n\
                  sys.exit(0 if n == 1 else 1)\n";
    let mut python = Command::new("python3")
        .args(["-c", update])
        .arg(&db)
        .arg(SERVICE)
        .stdin(Stdio::piped())
        .spawn()
        .expect("python3");
    python.stdin.take().unwrap().write_all(serde_json::to_string(&service).unwrap().as_bytes()).unwrap();
    assert!(python.wait().unwrap().success(), "the service's flow was not updated");
    server
}

#[test]
fn a_resident_who_cannot_see_the_screen_takes_a_number_with_the_keypad_and_hears_the_ticket() {
    let started = Instant::now();
    let rig = Rig::start(Part::Present, Part::Present);
    init_headless_platform();
    let dir = tempfile::tempdir().unwrap();
    let server = start_api(dir.path());
    let kiosk = Kiosk::new(Language::Zh, IdlePolicy { timeout_secs: 600, warning_secs: 30 }, "voice-visit");
    let (ui, speaker, _close, log) = kiosk_by_ear(kiosk, &server.base_url);
    let window = &ui.window;
    let visit = Visit { rig: &rig, window, speaker: speaker.clone(), log: log.clone() };
    visit.run_until("the home tiles", Duration::from_secs(20), || {
        window.global::<KioskView>().get_items().row_count() == kiosk_core::home::TILES.len()
    });
    assert!(log.borrow().said.is_empty(), "the kiosk is silent until a key is pressed");

    // The first key starts voice navigation: the welcome and the home screen.
    let welcome = visit.press(Key::DownArrow, SKIM);
    assert!(window.global::<VoiceFocus>().get_voice_on());
    visit.move_to(Key::DownArrow, "item:take-number");
    let services = visit.press(Key::Return, Pace::Listen);
    visit.move_to(Key::DownArrow, &format!("item:{SERVICE}"));
    let materials = visit.press(Key::Return, SKIM);
    visit.move_to(Key::DownArrow, "item:next");
    let priority = visit.press(Key::Return, SKIM);
    visit.move_to(Key::DownArrow, "item:normal");
    let entry = visit.press(Key::Return, SKIM);
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Entry);

    // The ID number on the keypad's digits (and X): each echo is the neutral "星号".
    let echoes: Vec<usize> = ID_NUMBER.chars().map(|c| visit.press(c.to_string(), Pace::Listen)).collect();
    assert_eq!(window.global::<KioskView>().get_entry().shown.as_str(), "*".repeat(18));
    visit.move_to(Key::UpArrow, "item:entry-done");
    let confirm = visit.press(Key::Return, SKIM);
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Confirm, "the ID number was accepted");
    visit.move_to(Key::DownArrow, "item:confirm");
    let busy = visit.press(Key::Return, Pace::Listen);
    assert_eq!(window.global::<KioskView>().get_page(), PageKind::Ticket);
    let ticket = busy + 1;
    let shown = window.global::<KioskView>().get_ticket();

    // The language button of the bar, then the ticket again, in English.
    visit.move_to(Key::UpArrow, "bar:language");
    let english = visit.press(Key::Return, Pace::Hear(1.5));
    let visit_took = started.elapsed();

    let log = log.borrow();
    let said = &log.said;
    let transcript: Vec<Vec<String>> = said.iter().map(|s| s.utterance.heard()).collect();
    let report = || {
        said.iter()
            .zip(&transcript)
            .enumerate()
            .map(|(i, (s, w))| format!("{i} {:?}{}: {}", s.key, if s.cut_short { " (cut)" } else { "" }, w.join(" ")))
            .collect::<Vec<_>>()
            .join("\n")
    };
    // The audio: each utterance was heard, for as long as its clips and speech last, or, when
    // the resident went on, for as long as they waited.
    let (table, wrong) = check_hearing(&visit, &echoes, &[busy]);
    let heard = visit.heard();

    eprintln!("{table}\nthe visit took {visit_took:?}");

    assert_eq!(said.len(), english + 1, "one utterance a key, and the ticket:\n{}", report());
    assert_eq!(log.stops, 0, "nothing in the visit turns speech off");

    // The screens, in the order a resident hears them.
    let starts = |index: usize, head: &[&str]| {
        assert_eq!(transcript[index][..head.len()], *head, "utterance {index}:\n{}", report());
        assert_eq!(transcript[index].iter().filter(|w| *w == "voice.count").count(), usize::from(index != busy));
    };
    starts(welcome, &["voice.welcome", "home.title", "home.prompt", "voice.count"]);
    starts(services, &["<Activate>", "services.title", "services.prompt", "voice.count"]);
    starts(materials, &["<Activate>", "请准备以下材料", SERVICE_NAME, "voice.count"]);
    starts(priority, &["<Activate>", "请问您是否需要优先办理？", "step.choose", "voice.count"]);
    starts(entry, &["<Activate>", "身份证号码", "entry.prompt.id-number", "entry.typed", "0", "18", "voice.count"]);
    starts(confirm, &["<Activate>", "请确认您的取号信息", "confirm.prompt", "voice.count"]);
    starts(busy, &["<Activate>", "busy.title", "busy.prompt"]);
    let announced: Vec<usize> = (0..said.len()).filter(|&i| transcript[i].iter().any(|w| w == "voice.count")).collect();
    assert_eq!(announced, [welcome, services, materials, priority, entry, confirm, ticket, english], "{}", report());
    // Every other key moved the focus and said where it is, or echoed a typed character.
    for (i, words) in transcript.iter().enumerate() {
        if announced.contains(&i) || i == busy || echoes.contains(&i) {
            continue;
        }
        assert_eq!(words[0], "<Focus>", "utterance {i}:\n{}", report());
        assert_eq!(words[words.len() - 3], "voice.position", "utterance {i}:\n{}", report());
    }

    // The ticket in full, number first, as the screen shows it: number, service, window (its
    // number from digit clips), people ahead, wait; then what to do.
    let spoken = &transcript[ticket];
    assert_eq!(said[ticket].key, None, "said when the ticket came from the API");
    assert_eq!(spoken[..4], ["ticket.title", "ticket.number", shown.number.as_str(), SERVICE_NAME]);
    assert!(shown.number.starts_with('C'), "a number of the service's queue: {}", shown.number);
    let (window, ahead, wait) = (&spoken[6], &spoken[8], &spoken[10]);
    assert_eq!(
        [&spoken[4], &spoken[5], &spoken[7], &spoken[9], &spoken[11], &spoken[12]],
        ["ticket.window", "ticket.window-number", "ticket.people-ahead", "ticket.wait", "ticket.prompt", "voice.count"]
    );
    assert!(shown.window.contains(&format!("{window}号窗口")), "{window}");
    assert!(shown.people_ahead.contains(ahead.as_str()) && shown.wait.contains(wait.as_str()), "{spoken:?}");

    // Masked entry: only the neutral clip for each character, never a digit.
    for &i in &echoes {
        assert_eq!(transcript[i], ["voice.star"], "echo {i}");
        assert_eq!(said[i].segments, [clip("zh", "voice.star")], "echo {i} plays the star clip alone");
    }
    // ...and its summary line says that it is hidden, not how it ends.
    let id_line = (confirm..busy).find(|&i| transcript[i].get(1).map(String::as_str) == Some("身份证号码"));
    let id_line = &said[id_line.expect("the ID number's line on the confirm page was heard")];
    assert!(id_line.segments.contains(&clip("zh", "voice.hidden")), "{:?}", id_line.segments);
    assert!(!id_line.segments.contains(&clip("zh", "letter.X")), "{:?}", id_line.segments);

    // English: the same ticket, in English clips and the English voice.
    let english_said = &said[english];
    assert_eq!(english_said.utterance.language, Language::En);
    assert_eq!(
        transcript[english][..5],
        ["<Activate>", "ticket.title", "ticket.number", shown.number.as_str(), "Pension eligibility certification"]
    );
    for segment in &english_said.segments {
        match segment {
            Segment::Clip(path) => assert!(path.starts_with(voices().join("en")), "{}", path.display()),
            Segment::Speak { language, text } => assert_eq!(*language, Language::En, "{text}"),
            Segment::Earcon(_) => {}
        }
    }
    let english_text: Vec<&str> = english_said
        .segments
        .iter()
        .filter_map(|s| match s {
            Segment::Speak { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert!(english_text.iter().any(|t| t.contains("Pension eligibility certification")), "{english_text:?}");

    assert!(wrong.is_empty(), "{}\n{table}", wrong.join("\n"));
    for whole in [services, ticket].iter().chain(&echoes) {
        assert!(said[*whole].waited_for.is_none() && !said[*whole].cut_short, "{whole} was heard to its end\n{table}");
    }
    assert!(heard[english].loud > 1.0, "the English ticket is heard\n{table}");
    let problems = speaker.with(Speaker::problems);
    assert!(problems.is_empty(), "the speaker had everything it needs: {problems:?}");
}
