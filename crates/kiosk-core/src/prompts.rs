//! The prompt catalog (`prompts/catalog.toml`): every sentence the kiosk shows, by id, in
//! both languages. The Slint files use the same ids through `@tr` (see build.rs).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::profile::Language;
use super::prompt_file::{CatalogFile, Prompt};

fn catalog() -> &'static HashMap<String, Prompt> {
    static CATALOG: OnceLock<HashMap<String, Prompt>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let file: CatalogFile = toml::from_str(include_str!("../../../prompts/catalog.toml"))
            .expect("prompts/catalog.toml is checked at build time");
        file.prompt.into_iter().map(|p| (p.id.clone(), p)).collect()
    })
}

fn prompt(id: &str) -> &'static Prompt {
    catalog().get(id).unwrap_or_else(|| panic!("prompt id {id:?} is not in prompts/catalog.toml"))
}

/// The text of prompt `id` in `language`. Every id the code uses is covered by the core's
/// tests, which fail on an unknown one.
pub fn text(id: &str, language: Language) -> String {
    let prompt = prompt(id);
    match language {
        Language::Zh => prompt.zh.clone(),
        Language::En => prompt.en.clone(),
    }
}

/// What speech says for prompt `id`: its spoken form where it has one, else its text.
pub fn spoken(id: &str, language: Language) -> String {
    let prompt = prompt(id);
    let spoken = match language {
        Language::Zh => &prompt.spoken_zh,
        Language::En => &prompt.spoken_en,
    };
    spoken.clone().unwrap_or_else(|| text(id, language))
}

/// Every prompt id of the catalog.
pub fn ids() -> impl Iterator<Item = &'static str> {
    catalog().keys().map(String::as_str)
}

/// [`text`] with `{0}`, `{1}`, ... replaced by `args` in order.
pub fn format(id: &str, language: Language, args: &[&str]) -> String {
    fill(text(id, language), args)
}

/// [`spoken`] with its placeholders filled like [`format`]'s.
pub fn format_spoken(id: &str, language: Language, args: &[&str]) -> String {
    fill(spoken(id, language), args)
}

fn fill(template: String, args: &[&str]) -> String {
    args.iter().enumerate().fold(template, |s, (i, arg)| s.replace(&format!("{{{i}}}"), arg))
}
