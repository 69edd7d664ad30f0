//! How often a hint is said: a hint repeated every frame would be noise, and one that
//! flickers for a frame should not be said at all.

use std::time::{Duration, Instant};

use crate::Hint;

/// Decides when a hint is shown and spoken anew.
///
/// - A hint is said only once it has held for `settle` (detector jitter, a frame's blur);
/// - a different hint is said at least `change_gap` after the last one, so a sentence is not
///   cut by the next;
/// - the same hint is said again every `repeat` while it holds.
pub struct HintPacer {
    settle: Duration,
    change_gap: Duration,
    repeat: Duration,
    /// The hint seen in the latest frames, and since when.
    current: Option<(Hint, Instant)>,
    /// The hint said last, and when.
    said: Option<(Hint, Instant)>,
}

impl Default for HintPacer {
    /// Settles in 0.3 s, changes after 1.5 s, repeats every 2.5 s.
    fn default() -> HintPacer {
        HintPacer::new(Duration::from_millis(300), Duration::from_millis(1500), HintPacer::REPEAT)
    }
}

impl HintPacer {
    /// How often the default pacer says a hint that still holds: a hint's sentence must be
    /// shorter, or its repeat cuts it.
    pub const REPEAT: Duration = Duration::from_millis(2500);

    pub fn new(settle: Duration, change_gap: Duration, repeat: Duration) -> HintPacer {
        HintPacer { settle, change_gap, repeat, current: None, said: None }
    }

    /// Feed this frame's hint; returns it when it should be said (and shown) now.
    pub fn pace(&mut self, hint: Hint, now: Instant) -> Option<Hint> {
        let since = match self.current {
            Some((seen, since)) if seen == hint => since,
            _ => now,
        };
        self.current = Some((hint, since));
        if now.saturating_duration_since(since) < self.settle {
            return None;
        }
        let due = match self.said {
            None => true,
            Some((said, at)) => {
                let gap = if said == hint { self.repeat } else { self.change_gap };
                now.saturating_duration_since(at) >= gap
            }
        };
        if due {
            self.said = Some((hint, now));
            Some(hint)
        } else {
            None
        }
    }
}
