//! The kiosk's braille guides (issue 7): the bezel label that says how to start speech
//! (Section 508 402.2.5), a kiosk overview, and one guide per service of the catalog, in
//! 国家通用盲文 (National Common Braille, liblouis `zhcn-cbs`) and UEB grade 2
//! (`en-ueb-g2`), as BRF (North American ASCII braille, 40 x 25, CRLF, form feeds) and as
//! Unicode braille text.
//!
//! Translation is liblouis itself, the Debian library (3.24), through the small FFI in
//! [`louis`]: the `liblouis` crate cuts output beyond 4x the input without a word, and
//! `louis-rs` reimplements liblouis in Rust (alpha) rather than being it. Our binding
//! grows its output buffer until liblouis has read the whole input.
//!
//! Chinese goes through [`chinese`] first: jieba-rs separates the words (分词连写), and a
//! reviewed list respells the words whose polyphonic characters the table reads wrong.

pub mod chinese;
pub mod layout;
pub mod louis;

use contract::model::{Bilingual, Catalog, MaterialForm, Service, WindowType};
use kiosk_core::layout::{JackPlace, KeypadPlace};
use layout::Block;
use std::path::Path;

/// The demo catalog every kiosk sees on the embedded service API.
pub const SEED_CATALOG: &str = include_str!("../../service-api/seed/catalog.json");

/// Display table for BRF: North American ASCII braille.
const BRF_DISPLAY: &str = "en-us-brf.dis";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Chinese,
    English,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::Chinese, Language::English];

    /// The folder of its outputs.
    pub fn code(self) -> &'static str {
        match self {
            Language::Chinese => "zh",
            Language::English => "en",
        }
    }

    /// The text of `bilingual` in this language.
    pub fn pick(self, bilingual: &Bilingual) -> String {
        match self {
            Language::Chinese => bilingual.zh.clone(),
            Language::English => bilingual.en.clone(),
        }
    }

    pub fn table(self) -> &'static str {
        match self {
            Language::Chinese => "zhcn-cbs.ctb",
            Language::English => "en-ueb-g2.ctb",
        }
    }

    /// Print text into braille cells (Unicode braille), as the guides translate it.
    /// A character the table has no braille for is an error that names it: the guides
    /// never carry liblouis's `\x4e2d` escapes.
    pub fn translate(self, text: &str) -> Result<Vec<char>, louis::Error> {
        let prepared = match self {
            Language::Chinese => chinese::prepare(text),
            Language::English => text.to_string(),
        };
        let undefined = louis::undefined_characters(self.table(), &prepared)?;
        if !undefined.is_empty() {
            return Err(louis::Error(format!(
                "{} has no braille for {:?} in {text:?}",
                self.table(),
                String::from_iter(undefined)
            )));
        }
        let cells = louis::translate_cells(self.table(), &prepared)?;
        // One blank between words: the Chinese table spaces punctuation and numbers itself.
        let mut out: Vec<char> = Vec::with_capacity(cells.len());
        for c in cells {
            if c != layout::BLANK || out.last().is_some_and(|&l| l != layout::BLANK) {
                out.push(c);
            }
        }
        while out.last() == Some(&layout::BLANK) {
            out.pop();
        }
        Ok(out)
    }
}

/// The words of the kiosk's screens that the guides use, from prompts/catalog.toml (a
/// test checks that they still match it).
pub const LABELS: &[(&str, &str, &str)] = &[
    ("guide.department", "办理部门", "Department"),
    ("guide.materials", "需要带的材料", "Materials to bring"),
    ("guide.conditions", "办理条件", "Conditions"),
    ("guide.time-limit", "办理时限", "Time limit"),
    ("guide.fee", "收费标准", "Fee"),
    ("guide.window-type", "办件类型", "Type"),
    ("guide.immediate", "即办件：材料齐全当场办结", "Done on the spot when the materials are complete"),
    ("guide.promised", "承诺件：受理后在时限内办结", "Accepted now, done within the time limit"),
    ("material.line", "{0}. {1}（{2}，{3}，{4}）", "{0}. {1} ({2}, {3}, {4})"),
    ("material.required", "必须提供", "required"),
    ("material.optional", "如有请带上", "if you have it"),
    ("material.copies", "{0}份", "copies: {0}"),
    ("material.original", "原件", "original"),
    ("material.copy", "复印件", "photocopy"),
    ("material.original-and-copy", "原件和复印件", "original and photocopy"),
    ("bezel.keypad.below-screen", "键盘在屏幕下方", "Keypad below the screen"),
    ("bezel.keypad.right-of-screen", "键盘在屏幕右边", "Keypad right of the screen"),
    ("bezel.keypad.left-of-screen", "键盘在屏幕左边", "Keypad left of the screen"),
    ("bezel.jack.right-of-keypad", "耳机插孔在键盘右边", "headphone jack to its right"),
    ("bezel.jack.left-of-keypad", "耳机插孔在键盘左边", "headphone jack to its left"),
    ("bezel.jack.below-keypad", "耳机插孔在键盘下方", "headphone jack below it"),
];

/// Where the keypad, the headphone jack and the Help key are, for the bezel label: from the
/// kiosk's configuration (`keypad_place`, `jack_place`, and the `[bezel]` table of its
/// `keypad_file`), so the label tells what this kiosk has.
#[derive(Clone, Debug, PartialEq)]
pub struct Bezel {
    pub keypad: KeypadPlace,
    pub jack: JackPlace,
    /// Where the Help key is on the keypad, from the keypad file.
    pub help_key: Bilingual,
}

/// The kiosk's default keypad (EZ Access), for a kiosk whose configuration names none.
const DEFAULT_KEYPAD: &str = include_str!("../../../keypads/ez-access.toml");

impl Default for Bezel {
    fn default() -> Bezel {
        Bezel {
            keypad: KeypadPlace::BelowScreen,
            jack: JackPlace::RightOfKeypad,
            help_key: help_key(DEFAULT_KEYPAD).expect("the EZ Access keypad file says where Help is"),
        }
    }
}

impl Bezel {
    /// From a kiosk's configuration file (its other keys are the kiosk's business).
    pub fn from_kiosk_config(path: &Path) -> Result<Bezel, String> {
        let read = |path: &Path| std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()));
        let config: toml::Table = read(path)?.parse().map_err(|e| format!("{}: {e}", path.display()))?;
        let value = |key: &str| config.get(key).and_then(|v| v.as_str());
        let mut bezel = Bezel::default();
        let in_file = |key: &str, e: String| format!("{}: {key}: {e}", path.display());
        if let Some(name) = value("keypad_place") {
            bezel.keypad = KeypadPlace::parse(name).map_err(|e| in_file("keypad_place", e))?;
        }
        if let Some(name) = value("jack_place") {
            bezel.jack = JackPlace::parse(name).map_err(|e| in_file("jack_place", e))?;
        }
        if let Some(keypad) = value("keypad_file") {
            bezel.help_key = help_key(&read(Path::new(keypad))?).map_err(|e| format!("{keypad}: {e}"))?;
        }
        Ok(bezel)
    }

    /// The bezel label's source with its places filled in.
    fn fill(&self, source: &str, language: Language) -> String {
        let help_key = match language {
            Language::Chinese => &self.help_key.zh,
            Language::English => &self.help_key.en,
        };
        source
            .replace("{keypad}", label(language, &format!("bezel.keypad.{}", self.keypad.name())))
            .replace("{jack}", label(language, &format!("bezel.jack.{}", self.jack.name())))
            .replace("{help-key}", help_key)
    }
}

/// The `help_key` of a keypad file's `[bezel]` table: `{ zh = "...", en = "..." }`.
fn help_key(keypad_file: &str) -> Result<Bilingual, String> {
    let file: toml::Table = keypad_file.parse().map_err(|e| format!("{e}"))?;
    let help = file.get("bezel").and_then(|b| b.get("help_key")).ok_or("no [bezel] help_key")?;
    let text = |language: &str| help.get(language).and_then(|t| t.as_str()).map(str::to_string);
    match (text("zh"), text("en")) {
        (Some(zh), Some(en)) => Ok(Bilingual::new(zh, en)),
        _ => Err("[bezel] help_key needs zh and en".into()),
    }
}

fn label(language: Language, id: &str) -> &'static str {
    let (_, zh, en) = LABELS.iter().find(|(i, _, _)| *i == id).expect("a label of LABELS");
    match language {
        Language::Chinese => zh,
        Language::English => en,
    }
}

/// A block of print text, before translation.
#[derive(Clone, Debug, PartialEq)]
pub enum Text {
    Title(String),
    Heading(String),
    Paragraph(String),
    Item(String),
}

/// Reads a guide source: `# ` title, `## ` heading, `- ` list item, other lines a
/// paragraph (a blank line ends it); a line `{services}` becomes the catalog's services.
pub fn parse_source(source: &str, language: Language, catalog: &Catalog) -> Vec<Text> {
    let joiner = if language == Language::English { " " } else { "" };
    let mut texts = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let end_paragraph = |paragraph: &mut Vec<&str>, texts: &mut Vec<Text>| {
        if !paragraph.is_empty() {
            texts.push(Text::Paragraph(paragraph.join(joiner)));
            paragraph.clear();
        }
    };
    for line in source.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with("- ") || line == "{services}" {
            end_paragraph(&mut paragraph, &mut texts);
        }
        if let Some(title) = line.strip_prefix("# ") {
            texts.push(Text::Title(title.to_string()));
        } else if let Some(heading) = line.strip_prefix("## ") {
            texts.push(Text::Heading(heading.to_string()));
        } else if let Some(item) = line.strip_prefix("- ") {
            texts.push(Text::Item(item.to_string()));
        } else if line == "{services}" {
            texts.extend(services(language, catalog));
        } else if !line.is_empty() {
            paragraph.push(line);
        }
    }
    end_paragraph(&mut paragraph, &mut texts);
    texts
}

/// One item per category: its name and the names of its services; services of a category
/// the catalog does not list come last, under "other", so that none is left out.
fn services(language: Language, catalog: &Catalog) -> Vec<Text> {
    let (colon, separator) = match language {
        Language::Chinese => ("：", "、"),
        Language::English => (": ", "; "),
    };
    let other = Bilingual::new("其他", "Other");
    let mut groups: Vec<(&Bilingual, Vec<String>)> = Vec::new();
    for category in &catalog.categories {
        let names = catalog.services.iter().filter(|s| s.category == category.code);
        groups.push((&category.name, names.map(|s| language.pick(&s.name)).collect()));
    }
    let uncategorised = catalog.services.iter().filter(|s| !catalog.categories.iter().any(|c| c.code == s.category));
    groups.push((&other, uncategorised.map(|s| language.pick(&s.name)).collect()));
    groups
        .into_iter()
        .filter(|(_, names)| !names.is_empty())
        .map(|(name, names)| Text::Item(format!("{}{colon}{}", language.pick(name), names.join(separator))))
        .collect()
}

/// A service's guide, with the same headings and material lines as the kiosk's guide page.
pub fn service_guide(service: &Service, language: Language) -> Vec<Text> {
    let heading = |id: &str| Text::Heading(label(language, id).to_string());
    let mut texts = vec![
        Text::Title(language.pick(&service.name)),
        heading("guide.department"),
        Text::Paragraph(language.pick(&service.department)),
        heading("guide.materials"),
    ];
    for (i, material) in service.materials.iter().enumerate() {
        let need = if material.required { "material.required" } else { "material.optional" };
        let form = match material.form {
            MaterialForm::Original => "material.original",
            MaterialForm::Copy => "material.copy",
            MaterialForm::OriginalAndCopy => "material.original-and-copy",
        };
        let line = label(language, "material.line")
            .replace("{0}", &(i + 1).to_string())
            .replace("{1}", &language.pick(&material.name))
            .replace("{2}", label(language, need))
            .replace("{3}", label(language, form))
            .replace("{4}", &label(language, "material.copies").replace("{0}", &material.copies.to_string()));
        texts.push(Text::Item(line));
    }
    if !service.conditions.is_empty() {
        texts.push(heading("guide.conditions"));
        texts.extend(service.conditions.iter().map(|c| Text::Item(language.pick(c))));
    }
    texts.push(heading("guide.time-limit"));
    texts.push(Text::Paragraph(language.pick(&service.time_limit)));
    texts.push(heading("guide.fee"));
    texts.push(Text::Paragraph(language.pick(&service.fee)));
    texts.push(heading("guide.window-type"));
    let window_type = match service.window_type {
        WindowType::Immediate => "guide.immediate",
        WindowType::Promised => "guide.promised",
    };
    texts.push(Text::Paragraph(label(language, window_type).to_string()));
    texts
}

/// Translates and lays out a document: pages of lines of Unicode braille cells.
pub fn braille_pages(texts: &[Text], language: Language, numbered: bool) -> Result<layout::Pages, louis::Error> {
    let blocks = texts
        .iter()
        .map(|text| {
            Ok(match text {
                Text::Title(t) => Block::Title(language.translate(t)?),
                Text::Heading(t) => Block::Heading(language.translate(t)?),
                Text::Paragraph(t) => Block::Paragraph(language.translate(t)?),
                Text::Item(t) => Block::Item(language.translate(t)?),
            })
        })
        .collect::<Result<Vec<_>, louis::Error>>()?;
    let number = |n: usize| language.translate(&n.to_string()).expect("digits translate");
    Ok(layout::lay_out(&blocks, numbered.then_some(&number as &dyn Fn(usize) -> Vec<char>)))
}

/// Unicode braille text: LF line ends, a form feed between pages.
pub fn unicode_text(pages: &[Vec<Vec<char>>]) -> String {
    pages
        .iter()
        .map(|page| page.iter().map(|line| line.iter().collect::<String>() + "\n").collect::<String>())
        .collect::<Vec<_>>()
        .join("\x0C")
}

/// BRF: North American ASCII braille through liblouis's `en-us-brf.dis`, CRLF line ends,
/// a form feed between pages.
pub fn brf(pages: &[Vec<Vec<char>>]) -> Result<String, louis::Error> {
    let mut out = Vec::new();
    for page in pages {
        let mut text = String::new();
        for line in page {
            text.push_str(louis::cells_to_display(BRF_DISPLAY, line)?.trim_end());
            text.push_str("\r\n");
        }
        out.push(text);
    }
    Ok(out.join("\x0C"))
}

/// One generated file: its path under the output folder and its content.
#[derive(Debug, PartialEq)]
pub struct Output {
    pub path: String,
    pub content: String,
}

/// The bezel label's and the overview's sources in a language (braille-guides/src/).
fn sources(language: Language) -> (&'static str, &'static str) {
    match language {
        Language::Chinese => (
            include_str!("../../../braille-guides/src/bezel.zh.txt"),
            include_str!("../../../braille-guides/src/overview.zh.txt"),
        ),
        Language::English => (
            include_str!("../../../braille-guides/src/bezel.en.txt"),
            include_str!("../../../braille-guides/src/overview.en.txt"),
        ),
    }
}

/// A file name from a service code (codes come from a center's API, so nothing but
/// letters, digits, `-` and `_` reaches the file system).
fn file_stem(code: &str) -> String {
    code.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// A guide to translate: its language, its name (the file path without extension) and
/// its text; a label (the bezel) has no page numbers.
pub struct Document {
    pub language: Language,
    pub name: String,
    pub texts: Vec<Text>,
    pub numbered: bool,
}

/// Every guide in both languages: `zh/bezel`, `en/overview`, `zh/services/<code>`, ...
pub fn documents(catalog: &Catalog, places: &Bezel) -> Vec<Document> {
    let mut documents = Vec::new();
    for language in Language::ALL {
        let (bezel, overview) = sources(language);
        let bezel = places.fill(bezel, language);
        let document = |name: String, texts, numbered| Document {
            language,
            name: format!("{}/{name}", language.code()),
            texts,
            numbered,
        };
        documents.push(document("bezel".into(), parse_source(&bezel, language, catalog), false));
        documents.push(document("overview".into(), parse_source(overview, language, catalog), true));
        for service in &catalog.services {
            let name = format!("services/{}", file_stem(&service.code));
            documents.push(document(name, service_guide(service, language), true));
        }
    }
    documents
}

/// Every guide as BRF and as Unicode braille text.
pub fn generate(catalog: &Catalog, bezel: &Bezel) -> Result<Vec<Output>, louis::Error> {
    let mut outputs = Vec::new();
    for document in documents(catalog, bezel) {
        let pages = braille_pages(&document.texts, document.language, document.numbered)?;
        outputs.push(Output { path: format!("{}.brf", document.name), content: brf(&pages.pages)? });
        outputs.push(Output { path: format!("{}.txt", document.name), content: unicode_text(&pages.pages) });
    }
    Ok(outputs)
}

/// Every distinct Chinese word of the guides with its braille and the syllables the braille
/// spells (`word<TAB>cells<TAB>syllables`), for reviewing readings (`--review`).
pub fn review(catalog: &Catalog) -> Result<Vec<String>, louis::Error> {
    let mut words: Vec<String> = Vec::new();
    for document in documents(catalog, &Bezel::default()).iter().filter(|d| d.language == Language::Chinese) {
        for text in &document.texts {
            let (Text::Title(t) | Text::Heading(t) | Text::Paragraph(t) | Text::Item(t)) = text;
            words.extend(chinese::segment(t).split(' ').map(String::from));
        }
    }
    words.sort();
    words.dedup();
    words
        .into_iter()
        .map(|word| {
            let cells = louis::translate_cells(Language::Chinese.table(), &chinese::respell(&word))?;
            Ok(format!("{word}\t{}\t{}", cells.iter().collect::<String>(), chinese::syllables(&cells)))
        })
        .collect()
}

/// Generated files found in `dir` (`.brf`, `.txt` under `zh/` and `en/`).
fn existing(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for language in Language::ALL {
        for sub in [language.code().to_string(), format!("{}/services", language.code())] {
            let Ok(entries) = std::fs::read_dir(dir.join(&sub)) else { continue };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.ends_with(".brf") || name.ends_with(".txt") {
                    found.push(format!("{sub}/{name}"));
                }
            }
        }
    }
    found.sort();
    found
}

/// Files of `dir` that differ from `outputs`, are missing, or are no longer generated.
pub fn stale(dir: &Path, outputs: &[Output]) -> Vec<String> {
    let mut stale: Vec<String> = outputs
        .iter()
        .filter(|o| std::fs::read_to_string(dir.join(&o.path)).ok().as_deref() != Some(o.content.as_str()))
        .map(|o| o.path.clone())
        .collect();
    stale.extend(existing(dir).into_iter().filter(|path| !outputs.iter().any(|o| &o.path == path)));
    stale
}

/// Writes `outputs` into `dir` and removes generated files that no longer belong there.
pub fn write(dir: &Path, outputs: &[Output]) -> std::io::Result<()> {
    for path in existing(dir) {
        if !outputs.iter().any(|o| o.path == path) {
            std::fs::remove_file(dir.join(path))?;
        }
    }
    for output in outputs {
        let path = dir.join(&output.path);
        std::fs::create_dir_all(path.parent().expect("a folder"))?;
        std::fs::write(path, &output.content)?;
    }
    Ok(())
}
