//! The core's view as the window's globals (ui/globals.slint), and the theme that follows
//! the resident's profile.

use kiosk_core::profile::Language;
use kiosk_core::prompts;
use kiosk_core::view::{self, View};
use kiosk_core::PrintProblem;
use slint::{ComponentHandle, ModelRc, VecModel};

use super::{
    AppWindow, Captions, EntryData, ItemData, KioskView, LineData, LineStyle, PageKind, Theme, TicketData, VoiceFocus,
};
use crate::fleet::DeviceTrouble;
use crate::speech::SpeechProblem;

/// Shows `view`; `shown` is the view on screen, whose unchanged lists are left as they are
/// (so they keep their scroll position).
pub fn view(window: &AppWindow, view: View, shown: Option<&View>) {
    let profile = view.profile;
    let focus_item = view.voice_focus.strip_prefix("item:");
    let focus_index = focus_item.and_then(|id| view.items.iter().position(|i| i.id == id));

    if shown.map(|v| v.profile.language) != Some(profile.language) {
        // The source strings are Chinese; "" selects them.
        let locale = match profile.language {
            Language::Zh => "",
            Language::En => profile.language.locale(),
        };
        if let Err(e) = slint::select_bundled_translation(locale) {
            eprintln!("kiosk: no translation for {locale}: {e}");
        }
    }

    let screen = window.global::<KioskView>();
    window.global::<Captions>().set_on(profile.captions);
    screen.set_page(page_kind(view.page));
    screen.set_page_title(view.title.shown.into());
    screen.set_prompt(view.prompt.shown.into());
    screen.set_error(view.error.shown.into());
    if shown.map(|v| &v.items) != Some(&view.items) {
        screen.set_items(model(view.items.into_iter().map(|i| ItemData {
            id: i.id.into(),
            label: i.label.shown.into(),
            detail: i.detail.shown.into(),
        })));
    }
    if shown.map(|v| &v.lines) != Some(&view.lines) {
        screen.set_lines(model(view.lines.into_iter().map(|l| LineData {
            style: match l.style {
                view::LineStyle::Heading => LineStyle::Heading,
                view::LineStyle::Body => LineStyle::Body,
                view::LineStyle::Field => LineStyle::Field,
                view::LineStyle::Instruction => LineStyle::Instruction,
            },
            text: l.text.shown.into(),
            value: l.value.shown.into(),
        })));
    }
    if let Some(entry) = view.entry {
        screen.set_entry(EntryData {
            shown: entry.shown.into(),
            expected_len: entry.expected_len as i32,
            allows_x: entry.allows_x,
            optional: entry.optional,
        });
    }
    if let Some(ticket) = view.ticket {
        screen.set_ticket(TicketData {
            number: ticket.number.shown.into(),
            service: ticket.service.shown.into(),
            window: ticket.window.shown.into(),
            people_ahead: ticket.people_ahead.shown.into(),
            wait: ticket.wait.shown.into(),
        });
    }
    screen.set_can_go_back(view.can_go_back);
    screen.set_in_video_call(view.in_video_call);
    screen.set_idle_seconds_left(view.idle_warning.map_or(-1, |s| s as i32));
    screen.set_text_size_name(prompts::text(profile.text_size.prompt_id(), profile.language).into());

    // The theme follows at once, so the next layout has the new size or contrast.
    let theme = window.global::<Theme>();
    theme.set_text_size_level(profile.text_size.level());
    theme.set_high_contrast(profile.high_contrast);

    let voice = window.global::<VoiceFocus>();
    voice.set_voice_on(profile.voice);
    voice.set_focus_item(focus_index.map_or(-1, |i| i as i32));
    voice.set_focus_id(view.voice_focus.into());
}

/// What keeps speech or a device from working, for the center's staff, in `language`.
pub fn staff_notice(window: &AppWindow, problems: &[SpeechProblem], trouble: DeviceTrouble, language: Language) {
    let speech = problems.iter().map(|problem| match problem {
        SpeechProblem::NoAudioDevice(_) => "notice.no-audio",
        SpeechProblem::NoSpeechDaemon(_) => "notice.no-speech-service",
        SpeechProblem::NoVoice(_) => "notice.no-voice",
        SpeechProblem::BadClip(_) => "notice.bad-clip",
        SpeechProblem::NoVoicePack => "notice.no-voice-pack",
    });
    let printer = trouble.printer.map(|problem| match problem {
        PrintProblem::PaperOut => "notice.printer.paper-out",
        PrintProblem::CoverOpen => "notice.printer.cover-open",
        PrintProblem::Offline => "notice.printer.offline",
    });
    let devices = [
        trouble.camera.then_some("notice.no-camera"),
        trouble.video.then_some("notice.no-video"),
        trouble.card_reader.then_some("notice.no-card-reader"),
        printer,
    ];
    let ids = speech.chain(devices.into_iter().flatten());
    let notice = ids.map(|id| prompts::text(id, language)).collect::<Vec<_>>().join("\n");
    let screen = window.global::<KioskView>();
    if screen.get_staff_notice() != notice.as_str() {
        screen.set_staff_notice(notice.into());
    }
}

fn model<T: Clone + 'static>(items: impl Iterator<Item = T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(items.collect::<Vec<_>>()))
}

fn page_kind(page: view::Page) -> PageKind {
    use view::Page;
    match page {
        Page::Home => PageKind::Home,
        Page::List => PageKind::List,
        Page::Info => PageKind::Info,
        Page::YesNo => PageKind::YesNo,
        Page::Entry => PageKind::Entry,
        Page::Confirm => PageKind::Confirm,
        Page::Ticket => PageKind::Ticket,
        Page::Guide => PageKind::Guide,
        Page::Message => PageKind::Message,
        Page::Busy => PageKind::Busy,
        Page::Scan => PageKind::Scan,
        Page::SelfView => PageKind::SelfView,
        Page::Face => PageKind::Face,
        Page::CameraCheck => PageKind::CameraCheck,
    }
}
