//! The file camera and the scanner's threads, with fake sources and fake QR decoders.
//!
//! Frames carry their number in their pixels (four grey pixels, big-endian), so a fake decoder
//! knows which frame it was given. Timing bounds are generous: two cores are shared with builds.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use image::{GrayImage, Rgb, RgbImage};
use kiosk::camera::qr::QrDecoder;
use kiosk::camera::scanner::{ScanEvent, Scanner};
use kiosk::camera::{self, CameraChoice, CameraProblem, FileCamera, FrameSource, OpenError};

fn numbered(number: u32) -> RgbImage {
    let bytes = number.to_be_bytes();
    RgbImage::from_fn(4, 1, |x, _| Rgb([bytes[x as usize]; 3]))
}

fn number_of_rgb(image: &RgbImage) -> u32 {
    u32::from_be_bytes(std::array::from_fn(|x| image.get_pixel(x as u32, 0)[0]))
}

fn number_of_gray(image: &GrayImage) -> u32 {
    u32::from_be_bytes(std::array::from_fn(|x| image.get_pixel(x as u32, 0)[0]))
}

/// Writes `name.png` showing `number` for each pair, in the given order.
fn write_frames(dir: &Path, frames: &[(&str, u32)]) -> Vec<PathBuf> {
    frames
        .iter()
        .map(|&(name, number)| {
            let path = dir.join(format!("{name}.png"));
            numbered(number).save(&path).unwrap();
            path
        })
        .collect()
}

fn play(camera: &mut FileCamera, count: usize) -> Vec<Result<u32, CameraProblem>> {
    (0..count).map(|_| camera.next_frame().map(|frame| number_of_rgb(&frame))).collect()
}

#[test]
fn a_directory_plays_in_name_order_and_loops() {
    let dir = tempfile::tempdir().unwrap();
    write_frames(dir.path(), &[("b", 2), ("c", 3), ("a", 1)]);
    std::fs::write(dir.path().join("notes.txt"), "not an image").unwrap();
    let mut camera = FileCamera::open(dir.path()).unwrap().with_frame_rate(1000);
    assert_eq!(play(&mut camera, 7), [1, 2, 3, 1, 2, 3, 1].map(Ok));
}

#[test]
fn a_list_plays_in_its_order_and_once_then_stops() {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_frames(dir.path(), &[("c", 3), ("a", 1)]);
    let mut camera = FileCamera::from_files(&paths).unwrap().with_frame_rate(1000).play_once();
    assert_eq!(play(&mut camera, 4), [Ok(3), Ok(1), Err(CameraProblem::Stopped), Err(CameraProblem::Stopped)]);
}

#[test]
fn one_file_is_a_still_camera() {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_frames(dir.path(), &[("receipt", 7)]);
    let mut camera = camera::open(&CameraChoice::Files(paths[0].clone())).unwrap();
    for _ in 0..3 {
        assert_eq!(number_of_rgb(&camera.next_frame().unwrap()), 7);
    }
}

#[test]
fn frames_come_at_the_frame_rate() {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_frames(dir.path(), &[("a", 1), ("b", 2)]);
    let timed = |camera: &mut FileCamera, frames: usize| {
        let started = Instant::now();
        play(camera, frames);
        started.elapsed()
    };
    // 31 frames at 30 fps: 30 intervals, 1 s.
    let elapsed = timed(&mut FileCamera::from_files(&paths).unwrap().with_frame_rate(30), 31);
    assert!(elapsed > Duration::from_millis(950) && elapsed < Duration::from_secs(3), "{elapsed:?}");
    // The default is 15 fps: 8 frames, 7 intervals, 0.47 s.
    let elapsed = timed(&mut FileCamera::from_files(&paths).unwrap(), 8);
    assert!(elapsed > Duration::from_millis(440) && elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[test]
fn a_slow_reader_gets_no_burst_of_overdue_frames() {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_frames(dir.path(), &[("a", 1)]);
    let mut camera = FileCamera::from_files(&paths).unwrap().with_frame_rate(10);
    camera.next_frame().unwrap();
    thread::sleep(Duration::from_millis(500));
    camera.next_frame().unwrap();
    let started = Instant::now();
    camera.next_frame().unwrap();
    assert!(started.elapsed() > Duration::from_millis(80), "{:?}", started.elapsed());
}

#[test]
fn unreadable_files_name_the_file_and_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.png");
    let error = FileCamera::open(&missing).err().unwrap().to_string();
    assert!(error.starts_with(&format!("{}: ", missing.display())), "{error}");
    assert!(error.contains("No such file"), "{error}");

    let broken = dir.path().join("broken.png");
    std::fs::write(&broken, "not a PNG").unwrap();
    let error = camera::open(&CameraChoice::Files(broken.clone())).err().unwrap();
    assert!(error.to_string().starts_with(&format!("{}: ", broken.display())), "{error}");
    assert_eq!(CameraProblem::from(error), CameraProblem::NotConnected);

    let empty = tempfile::tempdir().unwrap();
    let error = FileCamera::open(empty.path()).err().unwrap().to_string();
    assert_eq!(error, format!("{}: no PNG or JPEG images in this directory", empty.path().display()));
}

/// Numbered frames at a frame rate; fails after `fail_after` frames if set; flags its drop.
struct CountingSource {
    sent: u32,
    interval: Duration,
    fail_after: Option<u32>,
    dropped: Arc<AtomicBool>,
}

impl CountingSource {
    fn new(fps: u32) -> (CountingSource, Arc<AtomicBool>) {
        let dropped = Arc::new(AtomicBool::new(false));
        let source = CountingSource {
            sent: 0,
            interval: Duration::from_secs(1) / fps,
            fail_after: None,
            dropped: Arc::clone(&dropped),
        };
        (source, dropped)
    }
}

impl FrameSource for CountingSource {
    fn next_frame(&mut self) -> Result<RgbImage, CameraProblem> {
        thread::sleep(self.interval);
        if Some(self.sent) == self.fail_after {
            return Err(CameraProblem::Stopped);
        }
        self.sent += 1;
        Ok(numbered(self.sent))
    }
}

impl Drop for CountingSource {
    fn drop(&mut self) {
        self.dropped.store(true, Ordering::SeqCst);
    }
}

/// A decoder that takes `delay` per frame, notes which frames it saw and answers `answer(n)`
/// for frame n.
struct FakeDecoder<F> {
    delay: Duration,
    seen: Arc<Mutex<Vec<u32>>>,
    answer: F,
}

impl<F: FnMut(u32) -> Option<String> + Send> QrDecoder for FakeDecoder<F> {
    fn decode(&mut self, image: &GrayImage) -> Option<String> {
        let number = number_of_gray(image);
        self.seen.lock().unwrap().push(number);
        thread::sleep(self.delay);
        (self.answer)(number)
    }
}

fn fake_decoder(
    delay: Duration,
    answer: impl FnMut(u32) -> Option<String> + Send + 'static,
) -> (Box<dyn QrDecoder>, Arc<Mutex<Vec<u32>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    (Box::new(FakeDecoder { delay, seen: Arc::clone(&seen), answer }), seen)
}

fn start(source: impl FrameSource + 'static, decoder: Box<dyn QrDecoder>) -> (Scanner, Receiver<ScanEvent>) {
    let (events, received) = mpsc::channel();
    let scanner = Scanner::start(Box::new(source), decoder, move |event| {
        let _ = events.send(event);
    });
    (scanner, received)
}

#[test]
fn the_decoder_takes_the_newest_frame_and_never_a_backlog() {
    let (source, _) = CountingSource::new(30);
    let (decoder, seen) = fake_decoder(Duration::from_millis(100), |_| None);
    let (scanner, _events) = start(source, decoder);
    let started = Instant::now();
    thread::sleep(Duration::from_millis(1500));
    let elapsed = started.elapsed();
    let newest = scanner.latest_frame().unwrap().0;
    let seen = seen.lock().unwrap().clone();
    drop(scanner);

    let expected_calls = elapsed.as_millis() as usize / 100;
    assert!(
        seen.len() >= expected_calls / 2 && seen.len() <= expected_calls + 2,
        "{} calls in {elapsed:?}",
        seen.len()
    );
    assert!(seen.windows(2).all(|pair| pair[0] < pair[1]), "frames seen out of order or twice: {seen:?}");
    // At 30 fps a 100 ms decode misses about two frames each time.
    let mean_step = f64::from(seen.last().unwrap() - seen[0]) / (seen.len() - 1) as f64;
    assert!(mean_step >= 2.0, "the decoder worked through old frames: {seen:?}");
    assert!(u64::from(*seen.last().unwrap()) + 10 >= newest, "fell behind: saw {seen:?}, newest {newest}");
}

#[test]
fn the_preview_runs_at_the_camera_rate_while_the_decoder_is_slow() {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_frames(dir.path(), &[("a", 1), ("b", 2), ("c", 3)]);
    let camera = FileCamera::from_files(&paths).unwrap().with_frame_rate(30);
    let (decoder, _) = fake_decoder(Duration::from_millis(200), |_| None);
    let (scanner, _events) = start(camera, decoder);
    thread::sleep(Duration::from_millis(200));
    let (first, _) = scanner.latest_frame().expect("a frame within 200 ms");
    thread::sleep(Duration::from_secs(1));
    let (last, frame) = scanner.latest_frame().unwrap();
    assert!(last - first >= 15, "{} preview frames in 1 s", last - first);
    assert_eq!(frame.dimensions(), (4, 1));
}

fn events_within(events: &Receiver<ScanEvent>, time: Duration) -> Vec<ScanEvent> {
    let deadline = Instant::now() + time;
    let mut received = Vec::new();
    while let Ok(event) = events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        received.push(event);
    }
    received
}

#[test]
fn a_panicking_decoder_does_not_stop_the_scan() {
    let (source, _) = CountingSource::new(30);
    let (decoder, _) = fake_decoder(Duration::ZERO, |number| {
        assert!(number % 2 == 0, "a decoder bug on frame {number}");
        Some(format!("receipt {number}"))
    });
    let (scanner, events) = start(source, decoder);
    let reads = events_within(&events, Duration::from_millis(800));
    assert!(reads.len() >= 3, "{reads:?}");
    assert!(scanner.work_panics() >= 3, "{} panics", scanner.work_panics());
}

#[test]
fn a_code_held_still_is_reported_once() {
    let (source, _) = CountingSource::new(30);
    // A, then B, then A again, each for about 10 frames, all within 3 s.
    let (decoder, seen) =
        fake_decoder(Duration::ZERO, |number| Some(if (11..=20).contains(&number) { "B" } else { "A" }.to_string()));
    let (_scanner, events) = start(source, decoder);
    let reads = events_within(&events, Duration::from_millis(1500));
    assert!(seen.lock().unwrap().len() > 25, "the decoder was hardly called: {:?}", seen.lock().unwrap());
    assert_eq!(reads, ["A", "B"].map(|text| ScanEvent::Read(text.into())));
}

#[test]
fn a_camera_stopping_mid_scan_is_reported_once_after_it_is_released() {
    let (mut source, dropped) = CountingSource::new(30);
    source.fail_after = Some(10);
    let (decoder, seen) = fake_decoder(Duration::ZERO, |_| None);
    let (events_sent, events) = mpsc::channel();
    let _scanner = Scanner::start(Box::new(source), decoder, move |event| {
        let _ = events_sent.send((event, dropped.load(Ordering::SeqCst)));
    });
    let received: Vec<_> = std::iter::from_fn(|| events.recv_timeout(Duration::from_secs(2)).ok()).collect();
    assert_eq!(received, [(ScanEvent::Failed(CameraProblem::Stopped), true)]);
    assert_eq!(seen.lock().unwrap().last(), Some(&10), "the last frame is decoded");
}

struct PanickingSource;

impl FrameSource for PanickingSource {
    fn next_frame(&mut self) -> Result<RgbImage, CameraProblem> {
        panic!("a camera library bug");
    }
}

#[test]
fn a_panicking_camera_is_a_stopped_camera() {
    let (decoder, _) = fake_decoder(Duration::ZERO, |_| None);
    let (_scanner, events) = start(PanickingSource, decoder);
    let received: Vec<_> = std::iter::from_fn(|| events.recv_timeout(Duration::from_secs(2)).ok()).collect();
    assert_eq!(received, [ScanEvent::Failed(CameraProblem::Stopped)]);
}

#[test]
fn dropping_the_scanner_releases_the_camera_promptly() {
    let (source, dropped) = CountingSource::new(30);
    let (decoder, _) = fake_decoder(Duration::from_millis(100), |_| None);
    let (scanner, events) = start(source, decoder);
    thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    drop(scanner);
    // One frame read (33 ms) or one decode (100 ms), whichever is longer, plus slack.
    assert!(started.elapsed() < Duration::from_millis(600), "drop took {:?}", started.elapsed());
    assert!(dropped.load(Ordering::SeqCst), "the camera was not released");
    assert!(events.try_iter().next().is_none(), "no Failed when the kiosk stops the scan");
}

#[test]
fn a_camera_that_does_not_open_is_reported_from_the_camera_thread() {
    let (decoder, _) = fake_decoder(Duration::ZERO, |_| None);
    let (events_sent, events) = mpsc::channel();
    let opening_thread = std::thread::current().id();
    let _scanner = Scanner::open(
        move || {
            assert_ne!(std::thread::current().id(), opening_thread, "opened off the caller's thread");
            Err(OpenError("camera 0: no such device".into()))
        },
        decoder,
        move |event| drop(events_sent.send(event)),
    );
    let received: Vec<_> = std::iter::from_fn(|| events.recv_timeout(Duration::from_secs(2)).ok()).collect();
    assert_eq!(received, [ScanEvent::Failed(CameraProblem::NotConnected)]);
}
