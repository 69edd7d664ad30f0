//! A resident who cannot see the screen finds an application's progress with their ID card
//! and takes a printed ticket for the window it needs: the real window driven by keypad keys
//! alone, a simulated GA 467 reader on a pseudo-terminal where the card is laid, a virtual
//! ESC/POS printer on loopback, the real voice pack and speaker on the audio rig's card, a
//! real speech-dispatcher, and the embedded service API. Each utterance is checked on the
//! captured audio (see `ear`).
//!
//! The testing backend's event loop can start once per process, so this file holds one test.

mod audio_rig;
mod common;
mod ear;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use slint::platform::Key;
use slint::{ComponentHandle, Model};

use audio_rig::{Part, Rig};
use common::{init_headless_platform, TestApi};
use ear::{check_hearing, fitted_kiosk_by_ear, Pace, Visit, SKIM};
use id_card::CardText;
use id_card_simulator::{sample_card, Simulator};
use kiosk::config::{PrinterConfig, PrinterPlace};
use kiosk::printer::EscPosPrinter;
use kiosk::ui::{Devices, KioskView, PageKind};
use kiosk_core::profile::Language;
use kiosk_core::{IdlePolicy, Kiosk};
use service_api::{EmbeddedServer, Role};
use virtual_printer::VirtualPrinter;

const STAFF: &str = "staff-token";
const PHONE: &str = "13655556666";

#[test]
fn a_resident_who_cannot_see_the_screen_finds_an_application_with_the_id_card_and_takes_a_printed_ticket() {
    let rig = Rig::start(Part::Present, Part::Present);
    init_headless_platform();
    let dir = tempfile::tempdir().unwrap();
    let server = EmbeddedServer::start(&dir.path().join("api.sqlite"), "kiosk-test", "secret").unwrap();
    let api = TestApi { server, dir };
    api.add_token(Role::Staff, "李明", STAFF);
    // The application's applicant is 张*明: the card's name fits it. (Not the sample card's
    // number: the demo seed has applications of its own for that one.)
    let card = CardText { name: "张小明".into(), id_number: "320102197503151236".into(), ..sample_card() };
    api.application_waiting_for_materials(STAFF, &card.id_number, PHONE);

    let reader = Simulator::start().unwrap();
    let printer = VirtualPrinter::start().unwrap();
    let reader_down = Arc::new(AtomicBool::new(false));
    let mut kiosk = Kiosk::new(Language::Zh, IdlePolicy { timeout_secs: 600, warning_secs: 30 }, "voice-card");
    kiosk.set_card_reader(true);
    kiosk.set_printer(true);
    let paper = PrinterConfig { place: PrinterPlace::Network(printer.addr().to_string()), paper_mm: 58 };
    let (ui, speaker, _close, log) = fitted_kiosk_by_ear(kiosk, &api.server.base_url, |devices| Devices {
        printer: Some(Box::new(EscPosPrinter::new(&paper, "幸福街道便民服务中心"))),
        card_reader_down: Some(reader_down.clone()),
        ..devices
    });
    kiosk::card_reader::watch(reader.path().to_string(), 115_200, ui.events(), reader_down);
    let window = &ui.window;
    let visit = Visit { rig: &rig, window, speaker: speaker.clone(), log: log.clone() };
    visit.run_until("the home tiles", Duration::from_secs(20), || {
        window.global::<KioskView>().get_items().row_count() == kiosk_core::home::TILES.len()
    });

    visit.press(Key::DownArrow, SKIM);
    visit.move_to(Key::DownArrow, "item:progress");
    visit.press(Key::Return, SKIM);
    visit.move_to(Key::DownArrow, "item:by-id-number");
    let asked = visit.press(Key::Return, Pace::Listen);

    // The card on the reader: no number typed, no phone asked; the application heard whole.
    let tapped = log.borrow().said.len();
    reader.place(card);
    visit.run_until("the application", Duration::from_secs(20), || {
        window.global::<KioskView>().get_page() == PageKind::Info
    });
    visit.listen();
    let application = (tapped..log.borrow().said.len())
        .find(|&i| log.borrow().said[i].utterance.heard().first().is_some_and(|w| w == "居住证办理"))
        .expect("the application said");
    visit.move_to(Key::DownArrow, "item:take-number");
    let busy = visit.press(Key::Return, Pace::Listen);
    let ticket = busy + 1;
    visit.run_until("the printer's answer", Duration::from_secs(20), || log.borrow().said.len() > ticket + 1);
    let printed = ticket + 1;
    visit.listen();

    // Busy pages may be cut short by the answer they wait for.
    let (table, wrong) = check_hearing(&visit, &[], &[tapped, busy]);
    eprintln!("{table}");
    let log = log.borrow();
    let transcript: Vec<Vec<String>> = log.said.iter().map(|s| s.utterance.heard()).collect();
    assert!(transcript[asked].contains(&"entry.prompt.id-number-or-card".to_string()), "{:?}", transcript[asked]);
    assert!(
        !transcript[tapped..].iter().flatten().any(|w| w == "progress.phone.title"),
        "the card is enough: no phone asked\n{table}"
    );
    assert!(transcript[application].contains(&"请带齐以下材料到3号窗口补正。".to_string()), "{table}");
    assert_eq!(transcript[printed], ["print.done"], "{table}");
    assert!(wrong.is_empty(), "{}\n{table}", wrong.join("\n"));
    // The printer answers within a second; its news waits for the ticket's announcement.
    for whole in [application, ticket, printed] {
        let said = &log.said[whole];
        assert!(said.waited_for.is_none() && !said.cut_short, "{whole} was heard to its end\n{table}");
    }
    let paper = virtual_printer::decode(&printer.captured()).unwrap();
    assert!(paper.paper_cut() && paper.image.width() == 384, "a 58 mm ticket, cut");
}
