//! Decodes QR codes in the images whose paths come on stdin, one a line, and prints
//! `path<TAB>payload<TAB>microseconds` for each (payload empty when none is found; tab,
//! newline and backslash in it escaped as \t, \n, \\). The time covers decoding only, not
//! loading the file. With no option it is the kiosk's own decoder (`kiosk::camera::qr::decoder`);
//! `--rqrr` is rqrr with its default ladder, `--ladder work-rqrr,full-adaptive,...` rqrr with
//! another ladder, and `--zxing` (built with the `zxing` feature) zxing-cpp alone.

use kiosk::camera::qr::{QrDecoder, RqrrDecoder, Rung};
use std::io::{self, BufRead, Write};
use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut decoder: Box<dyn QrDecoder> = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] => kiosk::camera::qr::decoder(),
        ["--rqrr"] => Box::new(RqrrDecoder::default()),
        ["--ladder", list] => {
            let ladder = list.split(',').map(str::parse::<Rung>).collect::<Result<Vec<_>, _>>();
            Box::new(RqrrDecoder::with_ladder(ladder.unwrap_or_else(|e| usage(&e))))
        }
        #[cfg(feature = "zxing")]
        ["--zxing"] => Box::new(kiosk::camera::qr::ZxingDecoder),
        _ => usage(&format!("unexpected arguments {args:?}")),
    };
    let mut out = io::stdout().lock();
    for path in io::stdin().lock().lines() {
        let path = path.expect("stdin is text");
        let image = match image::open(&path) {
            Ok(image) => image.to_luma8(),
            Err(e) => {
                eprintln!("{path}: {e}");
                writeln!(out, "{path}\t\t0").expect("stdout");
                continue;
            }
        };
        let start = Instant::now();
        // The kiosk's scanner worker guards every decoder the same way: rqrr can panic.
        let payload = panic::catch_unwind(AssertUnwindSafe(|| decoder.decode(&image))).unwrap_or_else(|_| {
            eprintln!("{path}: the decoder panicked");
            None
        });
        let micros = start.elapsed().as_micros();
        let escaped = payload.unwrap_or_default().replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n");
        writeln!(out, "{path}\t{escaped}\t{micros}").expect("stdout");
        out.flush().expect("stdout");
    }
}

fn usage(problem: &str) -> ! {
    eprintln!("{problem}\nusage: qr-decode [--rqrr | --ladder RUNG,RUNG... | --zxing] < paths\nrungs: SCALE-THRESHOLD, SCALE work|full|double, THRESHOLD rqrr|adaptive|inverted");
    std::process::exit(2)
}
