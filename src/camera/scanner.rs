//! The camera work of the screens that show the camera: a live preview, and a [`FrameWork`] on
//! its own thread (QR decoding on the scan screen, face guidance on the pension face screen,
//! none for the interpreter's self-view).
//!
//! The camera thread reads frames as fast as the camera gives them and publishes the newest,
//! for the preview and in a one-slot mailbox for the work thread. A new frame replaces one
//! the work has not taken yet, so slow work skips frames instead of queueing them and always
//! works on what the camera sees now. Memory stays flat: at most a handful of frames exist
//! at once.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use image::RgbImage;

use super::qr::QrDecoder;
use super::{CameraProblem, FrameSource, OpenError};
use kiosk_core::FaceNews;

/// A payload seen again before it has been out of sight this long is not reported again, so a
/// code held still in front of the camera is reported once.
const REPEAT_QUIET: Duration = Duration::from_secs(3);

/// What the scanner tells the kiosk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScanEvent {
    /// A QR code was read.
    Read(String),
    /// The face guidance's news.
    Face(FaceNews),
    /// The camera stopped; the scanner has stopped too and released it.
    Failed(CameraProblem),
}

/// A camera frame and its sequence number (1 for the first frame).
pub type Frame = (u64, Arc<RgbImage>);

/// What is done with each camera frame, on the work thread.
pub trait FrameWork: Send {
    fn work(&mut self, frame: &RgbImage) -> Option<ScanEvent>;
}

/// Reads QR codes from a camera (or does other [`FrameWork`]) until dropped.
pub struct Scanner {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

struct Shared {
    preview: Mutex<Option<Frame>>,
    mailbox: Mailbox,
    work_panics: AtomicU64,
}

impl Scanner {
    /// Starts reading frames from `source` and decoding them with `decoder`. `on_event` is called
    /// on the decoder thread; it should hand the event over and return.
    pub fn start(
        source: Box<dyn FrameSource>,
        decoder: Box<dyn QrDecoder>,
        on_event: impl Fn(ScanEvent) + Send + 'static,
    ) -> Scanner {
        Scanner::open(move || Ok(source), decoder, on_event)
    }

    /// [`Scanner::open`] with any work on the frames.
    pub fn with_work(
        open: impl FnOnce() -> Result<Box<dyn FrameSource>, OpenError> + Send + 'static,
        work: Box<dyn FrameWork>,
        on_event: impl Fn(ScanEvent) + Send + 'static,
    ) -> Scanner {
        Scanner::spawn(open, Some(work), on_event)
    }

    /// [`Scanner::start`] with a camera that `open` opens on the camera thread, so a webcam
    /// that takes its time to open never holds up the screen. A camera that does not open is
    /// reported as `Failed(NotConnected)`.
    pub fn open(
        open: impl FnOnce() -> Result<Box<dyn FrameSource>, OpenError> + Send + 'static,
        decoder: Box<dyn QrDecoder>,
        on_event: impl Fn(ScanEvent) + Send + 'static,
    ) -> Scanner {
        Scanner::spawn(open, Some(Box::new(CodeReader { decoder, recent: RecentPayloads::default() })), on_event)
    }

    /// [`Scanner::open`] without decoding: the camera's picture only (a self-view), and its
    /// failure.
    pub fn preview(
        open: impl FnOnce() -> Result<Box<dyn FrameSource>, OpenError> + Send + 'static,
        on_event: impl Fn(ScanEvent) + Send + 'static,
    ) -> Scanner {
        Scanner::spawn(open, None, on_event)
    }

    fn spawn(
        open: impl FnOnce() -> Result<Box<dyn FrameSource>, OpenError> + Send + 'static,
        work: Option<Box<dyn FrameWork>>,
        on_event: impl Fn(ScanEvent) + Send + 'static,
    ) -> Scanner {
        let shared =
            Arc::new(Shared { preview: Mutex::new(None), mailbox: Mailbox::default(), work_panics: AtomicU64::new(0) });
        let camera = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("camera".into())
                .spawn(move || match open() {
                    Ok(source) => read_frames(source, &shared),
                    Err(e) => {
                        eprintln!("kiosk: camera: {e}");
                        let problem = CameraProblem::from(e);
                        shared.mailbox.update(|slot| slot.camera_problem = Some(problem));
                    }
                })
                .expect("cannot start the camera thread")
        };
        let working = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("frame-work".into())
                .spawn(move || work_on_frames(work, &shared, on_event))
                .expect("cannot start the frame work thread")
        };
        Scanner { shared, threads: vec![camera, working] }
    }

    /// The newest frame, for the preview; `None` before the first.
    pub fn latest_frame(&self) -> Option<Frame> {
        lock(&self.shared.preview).clone()
    }

    /// How many times the work (the decoder) panicked, each time on one frame, which was
    /// skipped.
    pub fn work_panics(&self) -> u64 {
        self.shared.work_panics.load(Ordering::Relaxed)
    }
}

impl Drop for Scanner {
    /// Stops both threads and releases the camera before returning: this waits for the frame
    /// being read and the work in progress.
    fn drop(&mut self) {
        self.shared.mailbox.update(|slot| slot.stopping = true);
        for thread in self.threads.drain(..) {
            // A thread that panicked has said so on stderr; there is nothing left to stop.
            let _ = thread.join();
        }
    }
}

fn read_frames(mut source: Box<dyn FrameSource>, shared: &Shared) {
    let mut sequence = 0;
    while !shared.mailbox.is_stopping() {
        // A camera library that panics has stopped giving frames as surely as one that errs.
        let next = panic::catch_unwind(AssertUnwindSafe(|| source.next_frame()));
        match next.unwrap_or(Err(CameraProblem::Stopped)) {
            Ok(image) => {
                sequence += 1;
                let image = Arc::new(image);
                *lock(&shared.preview) = Some((sequence, Arc::clone(&image)));
                shared.mailbox.update(|slot| slot.frame = Some(image));
            }
            Err(problem) => {
                // Release the camera before saying it stopped: the kiosk may open it again.
                drop(source);
                shared.mailbox.update(|slot| slot.camera_problem = Some(problem));
                return;
            }
        }
    }
}

fn work_on_frames(mut work: Option<Box<dyn FrameWork>>, shared: &Shared, on_event: impl Fn(ScanEvent)) {
    loop {
        let frame = match shared.mailbox.wait() {
            Mail::Frame(frame) => frame,
            Mail::CameraFailed(problem) => {
                on_event(ScanEvent::Failed(problem));
                return;
            }
            Mail::Stop => return,
        };
        let Some(work) = work.as_mut() else { continue };
        // Decoders can panic on odd images (rqrr does): skip that frame, keep going.
        match panic::catch_unwind(AssertUnwindSafe(|| work.work(&frame))) {
            Ok(Some(event)) => on_event(event),
            Ok(None) => {}
            Err(_) => {
                shared.work_panics.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The scan screen's work: QR codes, each reported once while it stays in sight.
struct CodeReader {
    decoder: Box<dyn QrDecoder>,
    recent: RecentPayloads,
}

impl FrameWork for CodeReader {
    fn work(&mut self, frame: &RgbImage) -> Option<ScanEvent> {
        let gray = image::imageops::grayscale(frame);
        let payload = self.decoder.decode(&gray)?;
        self.recent.is_new(&payload, Instant::now()).then_some(ScanEvent::Read(payload))
    }
}

/// The work thread's one-slot mailbox.
#[derive(Default)]
struct Mailbox {
    slot: Mutex<Slot>,
    changed: Condvar,
}

#[derive(Default)]
struct Slot {
    frame: Option<Arc<RgbImage>>,
    camera_problem: Option<CameraProblem>,
    stopping: bool,
}

enum Mail {
    Frame(Arc<RgbImage>),
    CameraFailed(CameraProblem),
    Stop,
}

impl Mailbox {
    fn update(&self, change: impl FnOnce(&mut Slot)) {
        change(&mut lock(&self.slot));
        self.changed.notify_one();
    }

    fn is_stopping(&self) -> bool {
        lock(&self.slot).stopping
    }

    /// Waits for mail. A frame comes before the camera's failure, so the last frame is worked on.
    fn wait(&self) -> Mail {
        let mut slot = self
            .changed
            .wait_while(lock(&self.slot), |slot| {
                !slot.stopping && slot.frame.is_none() && slot.camera_problem.is_none()
            })
            .unwrap_or_else(PoisonError::into_inner);
        if slot.stopping {
            return Mail::Stop;
        }
        match slot.frame.take() {
            Some(frame) => Mail::Frame(frame),
            None => Mail::CameraFailed(slot.camera_problem.expect("woken with mail")),
        }
    }
}

/// The payloads seen in the last [`REPEAT_QUIET`], each with when it was last seen.
#[derive(Default)]
struct RecentPayloads(Vec<(String, Instant)>);

impl RecentPayloads {
    /// Whether `payload` is news, noting that it was seen `now`.
    fn is_new(&mut self, payload: &str, now: Instant) -> bool {
        self.0.retain(|(_, seen)| now.duration_since(*seen) < REPEAT_QUIET);
        match self.0.iter_mut().find(|(known, _)| known == payload) {
            Some((_, seen)) => {
                *seen = now;
                false
            }
            None => {
                self.0.push((payload.to_owned(), now));
                true
            }
        }
    }
}

/// Locks, ignoring poisoning: the data behind these locks is replaced whole, never half-written.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_is_news_again_only_after_three_quiet_seconds() {
        let start = Instant::now();
        let at = |seconds: f64| start + Duration::from_secs_f64(seconds);
        let mut recent = RecentPayloads::default();
        assert!(recent.is_new("A", at(0.0)));
        assert!(!recent.is_new("A", at(2.0)));
        assert!(recent.is_new("B", at(2.5)));
        // Still in sight at 2 s, so 4.5 s is only 2.5 s after.
        assert!(!recent.is_new("A", at(4.5)));
        assert!(recent.is_new("A", at(7.6)));
        assert_eq!(recent.0.len(), 1, "B, last seen at 2.5 s, is forgotten");
    }
}
