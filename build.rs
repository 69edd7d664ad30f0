//! Compiles the Slint UI with its translations bundled.
//!
//! The prompt catalog (`prompts/catalog.toml`) is the one source of every sentence. Slint
//! files name a prompt as `@tr("prompt.id" => "中文原文")`: the id is the gettext context and
//! the Chinese text the message id. This script checks each such string against the catalog
//! (a wrong or unknown id fails the build) and writes the English `.po` file from it.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[path = "crates/kiosk-core/src/prompt_file.rs"]
#[allow(dead_code)] // the spoken forms are read by the kiosk, not here
mod prompt_file;
use prompt_file::{CatalogFile, Prompt};

fn main() {
    println!("cargo:rerun-if-changed=prompts/catalog.toml");
    println!("cargo:rerun-if-changed=ui");

    let catalog: CatalogFile =
        toml::from_str(&std::fs::read_to_string("prompts/catalog.toml").expect("read prompts/catalog.toml"))
            .unwrap_or_else(|e| panic!("prompts/catalog.toml: {e}"));
    let prompts: HashMap<&str, &Prompt> = catalog.prompt.iter().map(|p| (p.id.as_str(), p)).collect();

    let mut used = Vec::new();
    for file in slint_files(Path::new("ui")) {
        let source = std::fs::read_to_string(&file).unwrap();
        for (id, zh) in tr_strings(&source) {
            match prompts.get(id.as_str()) {
                None => panic!("{}: @tr id \"{id}\" is not in prompts/catalog.toml", file.display()),
                Some(p) if p.zh != zh => panic!(
                    "{}: @tr(\"{id}\" => \"{zh}\") differs from the catalog's zh text \"{}\"",
                    file.display(),
                    p.zh
                ),
                Some(p) => used.push(*p),
            }
        }
    }
    used.sort_by(|a, b| a.id.cmp(&b.id));
    used.dedup_by(|a, b| a.id == b.id);

    let translations = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("translations");
    let po_dir = translations.join("en_US/LC_MESSAGES");
    std::fs::create_dir_all(&po_dir).unwrap();
    // Written only when it changes: slint-build watches this folder, and a new modification
    // time would run this script and rebuild the kiosk at every cargo command.
    let po_file = po_dir.join(format!("{}.po", env!("CARGO_PKG_NAME")));
    let po = english_po(&used);
    if std::fs::read_to_string(&po_file).ok().as_deref() != Some(po.as_str()) {
        std::fs::write(&po_file, po).unwrap();
    }

    let config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations(translations)
        // Element names and accessible labels for the headless UI tests.
        .with_debug_info(true);
    slint_build::compile_with_config("ui/app.slint", config).expect("compile ui/app.slint");
}

fn slint_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(slint_files(&path));
        } else if path.extension().is_some_and(|e| e == "slint") {
            files.push(path);
        }
    }
    files
}

/// Every `@tr("context" => "text"` in a Slint source, as (context, text).
fn tr_strings(source: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(start) = rest.find("@tr(") {
        rest = &rest[start + 4..];
        let Some((context, after)) = string_literal(rest) else {
            panic!("@tr without a string literal near: {}", &rest[..rest.len().min(60)])
        };
        let after = after.trim_start();
        let Some(after) = after.strip_prefix("=>") else {
            panic!("@tr(\"{context}\") needs a prompt id: write @tr(\"prompt.id\" => \"中文\")")
        };
        let (text, after) = string_literal(after).expect("@tr text");
        found.push((context, text));
        rest = after;
    }
    found
}

/// Parses a leading (whitespace-trimmed) Slint string literal; returns it unescaped and the rest.
fn string_literal(s: &str) -> Option<(String, &str)> {
    let s = s.trim_start().strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &s[i + 1..])),
            '\\' => out.push(chars.next()?.1),
            c => out.push(c),
        }
    }
    None
}

fn english_po(prompts: &[&Prompt]) -> String {
    let mut po = String::from(
        "msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n\"Language: en_US\\n\"\n\n",
    );
    for p in prompts {
        let _ = writeln!(
            po,
            "msgctxt \"{}\"\nmsgid \"{}\"\nmsgstr \"{}\"\n",
            po_escape(&p.id),
            po_escape(&p.zh),
            po_escape(&p.en)
        );
    }
    po
}

fn po_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
