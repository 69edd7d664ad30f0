//! Time per frame of detection plus guidance (what the kiosk runs on every camera frame), and
//! of the back model alone, at 640x480 and 1280x720. Run on one core:
//! `taskset -c 0 cargo bench -p face-guide`.

use std::time::{Duration, Instant};

use face_guide::{FaceDetector, Guide, GuideLimits};
use image::{imageops, Rgb, RgbImage};

const RUNS: usize = 200;

/// The test photo centred in a frame of the given size, face about 40% of its height.
fn frame(width: u32, height: u32) -> RgbImage {
    let photo =
        image::open(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/astronaut.png")).expect("test photo").to_rgb8();
    let side = (height as f32 * 0.4 / 0.184) as u32;
    let scaled = imageops::resize(&photo, side, side, imageops::FilterType::Triangle);
    let mut frame = RgbImage::from_pixel(width, height, Rgb([170, 170, 165]));
    let left = (width as f32 / 2.0 - 0.44 * side as f32) as i64;
    let top = (height as f32 * 0.45 - 0.25 * side as f32) as i64;
    imageops::replace(&mut frame, &scaled, left, top);
    frame
}

fn time(mut run: impl FnMut()) -> (Duration, Duration) {
    for _ in 0..10 {
        run();
    }
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[RUNS / 2], times[RUNS * 95 / 100])
}

fn main() {
    let detector = FaceDetector::load().expect("models load");
    let mut guide = Guide::new(GuideLimits::default());
    println!("{:<32} {:>10} {:>10}", "per frame", "median", "p95");
    for (width, height) in [(640, 480), (1280, 720)] {
        let frame = frame(width, height);
        let (median, p95) = time(|| {
            let face = detector.detect(&frame).first().copied();
            guide.assess(&frame, face.as_ref(), Instant::now());
        });
        println!("{:<32} {:>7.2} ms {:>7.2} ms", format!("detect + guide {width}x{height}"), ms(median), ms(p95));
        let (median, p95) = time(|| {
            detector.detect_back(&frame);
        });
        println!("{:<32} {:>7.2} ms {:>7.2} ms", format!("back model alone {width}x{height}"), ms(median), ms(p95));
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
