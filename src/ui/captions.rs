//! The visual counterparts of speech (EN 301 549 5.1.5): the caption strip shows the words,
//! one phrase at a time at the pace of speech, and the window's border flashes with the error
//! and alert sounds.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::Duration;

use kiosk_core::profile::Language;
use kiosk_core::speech::{Earcon, Sound, Utterance};
use slint::ComponentHandle;

use super::{AppWindow, Captions, Flash, KioskView};

/// How long the window's border flashes with an alert or error sound.
const FLASH_FOR: Duration = Duration::from_millis(1500);

pub struct Captioner {
    window: slint::Weak<AppWindow>,
    /// The captions of the utterance being said, after the one shown.
    captions: RefCell<VecDeque<String>>,
    caption_clock: slint::Timer,
    flash_clock: slint::Timer,
}

impl Captioner {
    pub fn new(window: slint::Weak<AppWindow>) -> Captioner {
        Captioner {
            window,
            captions: RefCell::new(VecDeque::new()),
            caption_clock: slint::Timer::default(),
            flash_clock: slint::Timer::default(),
        }
    }

    /// Shows what `utterance` says, as it is said.
    pub fn show(self: &Rc<Self>, utterance: &Utterance) {
        let Some(window) = self.window.upgrade() else { return };
        *self.captions.borrow_mut() = utterance.captions().into();
        self.next_caption(utterance.language);
        let flash = utterance.sounds.iter().find_map(|sound| match sound {
            Sound::Earcon(Earcon::Error) => Some(Flash::Error),
            Sound::Earcon(Earcon::Alert) => Some(Flash::Alert),
            _ => None,
        });
        if let Some(flash) = flash {
            window.global::<KioskView>().set_flash(flash);
            let weak = self.window.clone();
            self.flash_clock.start(slint::TimerMode::SingleShot, FLASH_FOR, move || {
                if let Some(window) = weak.upgrade() {
                    window.global::<KioskView>().set_flash(Flash::None);
                }
            });
        }
    }

    /// Empties the strip, for a new screen.
    pub fn clear(&self) {
        self.caption_clock.stop();
        self.captions.borrow_mut().clear();
        if let Some(window) = self.window.upgrade() {
            window.global::<Captions>().set_text("".into());
        }
    }

    /// Shows the next caption, and the one after it once this one has had the time it takes
    /// to say; the last stays until something else is said or the screen changes.
    fn next_caption(self: &Rc<Self>, language: Language) {
        let Some(window) = self.window.upgrade() else { return };
        let Some(caption) = self.captions.borrow_mut().pop_front() else { return };
        if !self.captions.borrow().is_empty() {
            let c = Rc::downgrade(self);
            let shown_for = caption_time(&caption, language);
            self.caption_clock.start(slint::TimerMode::SingleShot, shown_for, move || {
                if let Some(c) = c.upgrade() {
                    c.next_caption(language);
                }
            });
        }
        window.global::<Captions>().set_text(caption.into());
    }
}

/// How long a caption shows before the next: about as long as saying it takes (Chinese
/// speech some 4-5 characters a second, English some 14), and never under 1.5 s.
fn caption_time(caption: &str, language: Language) -> Duration {
    let per_char = match language {
        Language::Zh => 220,
        Language::En => 70,
    };
    Duration::from_millis((caption.chars().count() as u64 * per_char).max(1500))
}
