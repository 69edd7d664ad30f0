//! The kiosk's QR decoders on the generated set of webcam-like frames (tools/qr-testset):
//! a decode-rate floor just under the measured rate, no misread, no false positive, and no
//! image that panics the decoder.

use kiosk::camera::qr::{QrDecoder, RqrrDecoder};
use qr_testset::Sample;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const SEED: u64 = 1;

#[test]
fn rqrr_ladder_reads_generated_frames_without_misreads_or_false_positives() {
    // measured: 179 of 252 codes (71.0%), docs/qr-benchmark.md
    check("rqrr ladder", &mut RqrrDecoder::default(), 0.70);
}

#[cfg(feature = "zxing")]
#[test]
fn the_kiosk_decoder_reads_generated_frames_without_misreads_or_false_positives() {
    // measured: 242 of 252 codes (96.0%): zxing-cpp alone reads 238, zxing-cpp's Python
    // package 239; docs/qr-benchmark.md
    check("kiosk (zxing-cpp + rqrr)", kiosk::camera::qr::decoder().as_mut(), 0.955);
}

/// The set, written once per test run; kept in the target dir to look at after a failure.
fn test_set() -> &'static (PathBuf, Vec<Sample>) {
    static SET: OnceLock<(PathBuf, Vec<Sample>)> = OnceLock::new();
    SET.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("qr-set-{SEED}"));
        let samples = qr_testset::generate(&dir, SEED).expect("test set written");
        (dir, samples)
    })
}

fn check(name: &str, decoder: &mut dyn QrDecoder, rate_floor: f64) {
    let (dir, samples) = test_set();
    let (mut codes, mut decoded) = (0, 0);
    let mut problems = Vec::new();
    for sample in samples {
        let image = image::open(dir.join(&sample.file)).expect("generated image").to_luma8();
        let has_code = !sample.payload.is_empty();
        codes += usize::from(has_code);
        match panic::catch_unwind(AssertUnwindSafe(|| decoder.decode(&image))) {
            Err(_) => problems.push(format!("{}: the decoder panicked", sample.file)),
            Ok(None) => {}
            Ok(Some(payload)) if has_code && payload == sample.payload => decoded += 1,
            Ok(Some(payload)) if has_code => problems.push(format!("{}: misread as {payload:?}", sample.file)),
            Ok(Some(payload)) => problems.push(format!("{}: false positive {payload:?}", sample.file)),
        }
    }
    let rate = decoded as f64 / codes as f64;
    eprintln!("{name}: decoded {decoded} of {codes} codes ({:.1}%)", rate * 100.0);
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(rate >= rate_floor, "{name}: decode rate {rate:.3} fell below {rate_floor}");
}
