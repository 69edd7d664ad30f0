//! Writes the QR test set: `qr-testset DIR [SEED]` (seed 1 by default).

use std::path::PathBuf;
use std::time::Instant;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: qr-testset DIR [SEED]");
        std::process::exit(2);
    };
    let seed = args.next().map_or(1, |s| s.parse().expect("SEED is a number"));
    let start = Instant::now();
    let samples = qr_testset::generate(&dir, seed)?;
    eprintln!("{} images in {} ({:.1} s)", samples.len(), dir.display(), start.elapsed().as_secs_f32());
    Ok(())
}
