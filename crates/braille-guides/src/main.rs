//! `braille-guides`: regenerates the braille guides from a service catalog, or checks that
//! the files in the output folder are up to date (`--check`).

use braille_guides::{generate, review, stale, write, Bezel, SEED_CATALOG};
use clap::Parser;
use contract::model::Catalog;
use contract::ApiClient;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(about = "Braille guides of the kiosk (BRF and Unicode braille, Chinese and English)")]
struct Args {
    /// Catalog JSON file (default: the demo catalog, crates/service-api/seed/catalog.json)
    #[arg(long, conflicts_with = "api")]
    catalog: Option<PathBuf>,
    /// Service API to read the catalog from (GET {URL}/v1/catalog)
    #[arg(long, requires = "token")]
    api: Option<String>,
    /// The bearer token for --api
    #[arg(long)]
    token: Option<String>,
    /// The kiosk's configuration (kiosk.toml): the bezel label says where its keypad
    /// (`keypad_place`), headphone jack (`jack_place`) and Help key (its `keypad_file`) are
    /// [default: below the screen, to the keypad's right, EZ Access]
    #[arg(long, value_name = "FILE")]
    kiosk_config: Option<PathBuf>,
    /// Output folder
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../braille-guides"))]
    out: PathBuf,
    /// Write nothing; list the files that are stale and fail if there are any
    #[arg(long)]
    check: bool,
    /// Write nothing; print every Chinese word of the guides with its braille and the
    /// syllables the braille spells, to review polyphonic readings
    #[arg(long, conflicts_with = "check")]
    review: bool,
}

fn catalog(args: &Args) -> Result<Catalog, String> {
    if let Some(url) = &args.api {
        let api = ApiClient::new(url, args.token.as_deref().unwrap_or_default());
        return api.catalog().map_err(|e| format!("{}/v1/catalog: {e}", url.trim_end_matches('/')));
    }
    let text = match &args.catalog {
        Some(path) => std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?,
        None => SEED_CATALOG.to_string(),
    };
    serde_json::from_str(&text).map_err(|e| format!("catalog: {e}"))
}

fn run(args: &Args) -> Result<bool, String> {
    let catalog = catalog(args)?;
    if args.review {
        for line in review(&catalog).map_err(|e| e.to_string())? {
            println!("{line}");
        }
        return Ok(true);
    }
    let bezel = match &args.kiosk_config {
        Some(path) => Bezel::from_kiosk_config(path)?,
        None => Bezel::default(),
    };
    let outputs = generate(&catalog, &bezel).map_err(|e| e.to_string())?;
    if args.check {
        let stale = stale(&args.out, &outputs);
        for path in &stale {
            eprintln!("stale: {}", args.out.join(path).display());
        }
        if !stale.is_empty() {
            eprintln!("regenerate with: cargo run -p braille-guides");
        }
        return Ok(stale.is_empty());
    }
    write(&args.out, &outputs).map_err(|e| format!("{}: {e}", args.out.display()))?;
    println!("{} files in {}", outputs.len(), args.out.display());
    Ok(true)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("braille-guides: {e}");
            ExitCode::FAILURE
        }
    }
}
