//! The core alone: whole visits driven by events, with no window, no sound and no server.
//! Each file holds one feature's visits; the helpers here serve them all.

mod admin;
mod calls;
mod devices;
mod pension;
mod progress;
mod rating;
mod receipts;
mod visits;
mod voice_navigation;

use contract::model::*;

use super::profile::Language;
use super::speech::{Phrase, Utterance};
use super::view::Page;
use super::*;

fn text(zh: &str, en: &str) -> Bilingual {
    Bilingual::new(zh, en)
}

/// A catalog with one service whose flow has every kind of step.
pub(crate) fn catalog() -> Catalog {
    let option = |id: &str, zh: &str, en: &str| ChoiceOption { id: id.into(), label: text(zh, en) };
    let service = Service {
        code: "residence-permit".into(),
        ticket_prefix: "H".into(),
        name: text("居住证办理", "Residence permit"),
        department: text("公安局", "Public Security Bureau"),
        category: "household".into(),
        materials: vec![Material {
            name: text("居民身份证", "Resident ID card"),
            required: true,
            copies: 1,
            form: MaterialForm::OriginalAndCopy,
        }],
        conditions: vec![text("在本市居住半年以上", "Lived here six months or more")],
        time_limit: text("15个工作日", "15 working days"),
        fee: text("免费", "Free"),
        window_type: WindowType::Promised,
        typical_minutes: 8,
        flow: vec![
            Step::Info {
                id: "remind".into(),
                title: text("请准备材料", "Get ready"),
                body: text("身份证\n照片", "ID card\nPhoto"),
            },
            Step::Choice {
                id: "priority".into(),
                title: text("是否需要优先办理？", "Priority?"),
                label: Some(text("优先办理", "Priority")),
                options: vec![
                    option("normal", "不需要", "No"),
                    option("elderly", "我是60岁以上老人", "I am 60 or older"),
                    option("disabled", "我是残疾人", "I have a disability"),
                ],
            },
            Step::YesNo { id: "first-time".into(), title: text("是否首次办理？", "First time?"), label: None },
            Step::Entry {
                id: "id-number".into(),
                title: text("身份证号码", "ID number"),
                label: None,
                entry: EntryKind::IdNumber,
                masked: true,
                optional: false,
            },
            Step::Entry {
                id: "phone".into(),
                title: text("手机号码", "Mobile number"),
                label: None,
                entry: EntryKind::Phone,
                masked: false,
                optional: true,
            },
            Step::Confirm { id: "confirm".into(), title: text("请确认", "Please confirm") },
            Step::Ticket { id: "ticket".into(), title: text("取号", "Ticket") },
        ],
    };
    Catalog {
        categories: vec![Category { code: "household".into(), name: text("户籍证照", "Household and IDs") }],
        services: vec![service],
    }
}

pub(crate) fn ticket(priority: Priority) -> Ticket {
    Ticket {
        id: "t1".into(),
        number: "H007".into(),
        service_code: "residence-permit".into(),
        service_name: text("居住证办理", "Residence permit"),
        priority,
        status: TicketStatus::Issued,
        people_ahead: 3,
        estimated_wait_minutes: 24,
        window: text("3号窗口", "Window 3"),
        window_number: Some(3),
        issued_at: 0,
    }
}

/// A kiosk on its home screen with the test catalog.
pub(crate) fn kiosk() -> Kiosk {
    let mut kiosk = Kiosk::new(Language::Zh, IdlePolicy::default(), "k1");
    assert_eq!(kiosk.view().page, Page::Home, "home needs no catalog: it shows at once");
    assert_eq!(kiosk.start(), vec![Effect::LoadCatalog]);
    kiosk.handle(Event::CatalogLoaded(Ok(catalog())));
    assert_eq!(kiosk.view().page, Page::Home);
    kiosk
}

pub(crate) fn activate(kiosk: &mut Kiosk, id: &str) -> Vec<Effect> {
    kiosk.handle(Event::Activate(id.into()))
}

pub(crate) fn type_keys(kiosk: &mut Kiosk, keys: &str) {
    for c in keys.chars() {
        kiosk.handle(Event::Key(EntryKey::Char(c)));
    }
}

/// Walks the flow up to the confirm page, answering as an elderly first-timer.
pub(crate) fn walk_to_confirm(kiosk: &mut Kiosk) {
    activate(kiosk, home::TAKE_NUMBER);
    activate(kiosk, "residence-permit");
    assert_eq!(kiosk.view().page, Page::Info);
    activate(kiosk, action::NEXT);
    activate(kiosk, "elderly");
    assert_eq!(kiosk.view().page, Page::YesNo);
    activate(kiosk, action::YES);
    type_keys(kiosk, "11010519491231002X");
    activate(kiosk, action::ENTRY_DONE);
    activate(kiosk, action::ENTRY_SKIP);
    assert_eq!(kiosk.view().page, Page::Confirm);
}

/// Everything the effects say, now or once the kiosk is quiet.
pub(crate) fn utterances(effects: &[Effect]) -> Vec<&Utterance> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Speak(u) | Effect::SpeakAfter(u) => Some(u),
            _ => None,
        })
        .collect()
}

/// What the effects say, as prompt ids and values.
pub(crate) fn spoken(effects: &[Effect]) -> Vec<String> {
    utterances(effects).iter().flat_map(|u| u.transcript()).collect()
}

/// The one utterance among the effects.
pub(crate) fn said(effects: &[Effect]) -> &Utterance {
    match utterances(effects)[..] {
        [utterance] => utterance,
        [] => panic!("nothing said: {effects:?}"),
        _ => panic!("one utterance per event: {effects:?}"),
    }
}
