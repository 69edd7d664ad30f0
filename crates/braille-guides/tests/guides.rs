//! The generated guides: up to date in braille-guides/, laid out on 40 x 25 pages with no
//! word split, Chinese read right, long texts whole, and the command's --check.

use braille_guides::layout::{BLANK, CELLS, LINES};
use braille_guides::{braille_pages, documents, generate, louis, stale, Bezel, Language, LABELS, SEED_CATALOG};
use contract::model::Catalog;
use std::path::{Path, PathBuf};
use std::process::Command;

fn seed() -> Catalog {
    serde_json::from_str(SEED_CATALOG).unwrap()
}

fn committed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../braille-guides")
}

fn cells(s: &str) -> Vec<char> {
    s.chars().map(|c| if c == ' ' { BLANK } else { c }).collect()
}

#[test]
fn committed_guides_are_up_to_date() {
    let stale = stale(&committed(), &generate(&seed(), &Bezel::default()).unwrap());
    assert!(stale.is_empty(), "stale braille guides (run `cargo run -p braille-guides`): {stale:?}");
}

#[test]
fn every_guide_exists_in_both_languages_and_forms() {
    let catalog = seed();
    let paths: Vec<String> = generate(&catalog, &Bezel::default()).unwrap().into_iter().map(|o| o.path).collect();
    for language in ["zh", "en"] {
        let mut names = vec!["bezel".to_string(), "overview".to_string()];
        names.extend(catalog.services.iter().map(|s| format!("services/{}", s.code)));
        for name in names {
            for ext in ["brf", "txt"] {
                let path = format!("{language}/{name}.{ext}");
                assert!(paths.contains(&path), "{path} missing");
            }
        }
    }
    assert_eq!(paths.len(), 2 * 2 * (2 + catalog.services.len()));
}

#[test]
fn brf_pages_are_40_cells_by_25_lines_with_crlf_and_page_numbers() {
    for output in generate(&seed(), &Bezel::default()).unwrap().iter().filter(|o| o.path.ends_with(".brf")) {
        let path = &output.path;
        assert!(output.content.is_ascii(), "{path}: not ASCII");
        assert!(!output.content.replace("\r\n", "").contains('\n'), "{path}: a line end that is not CRLF");
        let pages: Vec<&str> = output.content.split('\x0C').collect();
        for (n, page) in pages.iter().enumerate() {
            let lines: Vec<&str> = page.strip_suffix("\r\n").unwrap().split("\r\n").collect();
            assert!(lines.len() <= LINES, "{path} page {}: {} lines", n + 1, lines.len());
            for line in &lines {
                assert!(line.len() <= CELLS, "{path}: {line:?} is over {CELLS} cells");
            }
            if !path.ends_with("bezel.brf") {
                assert_eq!(lines.len(), LINES, "{path}: every page is full length");
                let number = louis::translate("en-us-brf.dis,en-ueb-g2.ctb", &(n + 1).to_string()).unwrap();
                assert!(lines[LINES - 1].ends_with(&format!("  {number}")), "{path}: page number {}", n + 1);
            }
        }
    }
}

#[test]
fn unicode_text_is_six_dot_braille_in_the_same_layout() {
    for output in generate(&seed(), &Bezel::default()).unwrap().iter().filter(|o| o.path.ends_with(".txt")) {
        for line in output.content.split(['\n', '\x0C']) {
            assert!(line.chars().count() <= CELLS, "{}: {line}", output.path);
            assert!(line.chars().all(|c| ('\u{2800}'..='\u{283F}').contains(&c)), "{}: {line}", output.path);
        }
    }
}

#[test]
fn no_word_is_split_across_lines() {
    for document in documents(&seed(), &Bezel::default()) {
        let pages = braille_pages(&document.texts, document.language, document.numbered).unwrap();
        assert_eq!(pages.cut_words, 0, "{}: a word cut at a line end", document.name);
    }
}

#[test]
fn the_bezel_label_is_short() {
    for document in documents(&seed(), &Bezel::default()).iter().filter(|d| d.name.ends_with("bezel")) {
        let pages = braille_pages(&document.texts, document.language, false).unwrap();
        assert_eq!(pages.pages.len(), 1);
        assert!(pages.pages[0].len() <= 12, "{}: {} lines", document.name, pages.pages[0].len());
    }
}

#[test]
fn the_bezel_label_says_where_this_kiosks_keypad_jack_and_help_key_are() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kiosk.toml");
    let keypad = concat!(env!("CARGO_MANIFEST_DIR"), "/../../keypads/numeric-17.toml");
    std::fs::write(
        &config,
        format!("kiosk_id = \"hall-2\"\nkeypad_place = \"right-of-screen\"\njack_place = \"below-keypad\"\nkeypad_file = \"{keypad}\"\n"),
    )
    .unwrap();
    let bezel = Bezel::from_kiosk_config(&config).unwrap();
    let label = |language: Language| {
        let documents = documents(&seed(), &bezel);
        let document = documents.iter().find(|d| d.language == language && d.name.ends_with("bezel")).unwrap();
        format!("{:?}", document.texts)
    };
    let zh = label(Language::Chinese);
    assert!(zh.contains("键盘在屏幕右边，耳机插孔在键盘下方。"), "{zh}");
    assert!(zh.contains("帮助键是除号键"), "{zh}");
    let en = label(Language::English);
    assert!(en.contains("Keypad right of the screen, headphone jack below it."), "{en}");
    assert!(en.contains("Help key: / (divide), top row."), "{en}");

    std::fs::write(&config, "jack_place = \"behind\"\n").unwrap();
    assert!(Bezel::from_kiosk_config(&config).unwrap_err().contains("jack_place"));
}

#[test]
fn brf_characters_are_liblouis_own_north_american_ascii() {
    let text = "Press any key or plug in headphones to start speech.";
    let cells = Language::English.translate(text).unwrap();
    assert_eq!(
        louis::cells_to_display("en-us-brf.dis", &cells).unwrap(),
        louis::translate("en-us-brf.dis,en-ueb-g2.ctb", text).unwrap()
    );
}

/// The override list gives these words the syllables of their reading (initial, final,
/// tone as the scheme writes them); the table alone reads 行长 as xíng cháng.
#[test]
fn polyphonic_words_are_read_right() {
    let cases = [
        ("行长", "⠓⠦⠌⠦⠄"),          // h-ang (tone 2 omitted) zh-ang-3
        ("银行行长", "⠣⠂⠓⠦ ⠓⠦⠌⠦⠄"), // y-in-2 h-ang, then 行长
        ("还款", "⠓⠻⠅⠻⠄"),          // h-uan k-uan-3
        ("请按时还款", "⠅⠡⠄ ⠧⠱⠂ ⠓⠻⠅⠻⠄"),
        ("长按", "⠟⠦⠧"), // ch-ang an
        ("长按帮助键", "⠟⠦⠧ ⠃⠦⠁⠌⠥ ⠛⠩"),
        ("本区", "⠃⠴⠄⠅⠬⠁"),               // b-en-3 q-ü-1 (the table alone: ōu)
        ("婚姻登记处", "⠓⠒⠁⠣⠁ ⠙⠼⠁⠛⠊⠟⠥⠆"), // ... d-eng-1 j-i ch-u-4 (alone: chǔ)
        ("街道办事处", "⠛⠑⠁⠙⠖ ⠃⠧⠱⠟⠥⠆"),
    ];
    for (text, braille) in cases {
        assert_eq!(Language::Chinese.translate(text).unwrap(), cells(braille), "{text}");
    }
    assert_eq!(louis::translate_cells("zhcn-cbs.ctb", "行长").unwrap(), cells("⠓⠡⠂⠟⠦"), "x-ing-2 ch-ang");
    assert_eq!(louis::translate_cells("zhcn-cbs.ctb", "区").unwrap(), cells("⠷⠁"), "ou-1");
    assert_eq!(louis::translate_cells("zhcn-cbs.ctb", "登记处").unwrap(), cells("⠙⠼⠁⠛⠊⠟⠥⠄"), "chu-3");
}

#[test]
fn every_override_is_read_as_its_respelling() {
    for reading in braille_guides::chinese::READINGS {
        assert_eq!(
            Language::Chinese.translate(reading.word).unwrap(),
            louis::translate_cells("zhcn-cbs.ctb", reading.spelled).unwrap(),
            "{} ({})",
            reading.word,
            reading.pinyin
        );
    }
}

#[test]
fn chinese_words_are_separated_digits_and_punctuation_per_the_table() {
    let braille: String =
        Language::Chinese.translate("请带齐以下材料，5个工作日内办结。").unwrap().into_iter().collect();
    // 请 带齐 以下 材料，5 个 工作日内 办结。: the locative 内 joined to its word; the table
    // writes the comma ⠐ and a blank, the number sign ⠼ and a blank after the number, the
    // full stop ⠐⠆, and leaves out the tones the scheme omits.
    assert_eq!(braille, "⠅⠡⠄⠀⠙⠪⠅⠊⠀⠊⠄⠓⠫⠀⠉⠪⠇⠜⠐⠀⠼⠑⠀⠛⠢⠀⠛⠲⠁⠵⠕⠚⠆⠝⠮⠆⠀⠃⠧⠛⠑⠂⠐⠆");
}

#[test]
fn labels_match_the_prompt_catalog() {
    let prompts =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../prompts/catalog.toml")).unwrap();
    for (id, zh, en) in LABELS {
        let entry = format!("id = \"{id}\"\nzh = \"{zh}\"\nen = \"{en}\"\n");
        assert!(prompts.contains(&entry), "prompts/catalog.toml has no\n{entry}");
    }
}

/// liblouis's own command-line tool, one line at a time (it cuts lines at 2047 characters).
fn lou_translate(tables: &str, lines: &[String]) -> Vec<String> {
    let mut child = Command::new("lou_translate")
        .arg(tables)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("lou_translate (liblouis-bin, scripts/install-system-packages)");
    use std::io::Write;
    child.stdin.take().unwrap().write_all((lines.join("\n") + "\n").as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8(output.stdout).unwrap().lines().map(String::from).collect()
}

#[test]
fn long_texts_are_translated_whole() {
    // 400 sentences, about 12,000 cells: beyond any fixed buffer the binding starts with.
    let zh: Vec<String> = (0..400).map(|i| format!("第{i}项：请带齐居民身份证和户口簿原件。")).collect();
    let ours = louis::translate("unicode.dis,zhcn-cbs.ctb", &zh.concat()).unwrap();
    assert_eq!(ours, lou_translate("unicode.dis,zhcn-cbs.ctb", &zh).concat());
    assert!(ours.chars().count() > 10_000);

    // More than 4 cells a character (where the `liblouis` crate would cut): characters the
    // table lacks come out as escapes.
    let odd: Vec<String> = (0..300).map(|_| "请😀😀".to_string()).collect();
    let ours = louis::translate("unicode.dis,zhcn-cbs.ctb", &odd.concat()).unwrap();
    assert_eq!(ours, lou_translate("unicode.dis,zhcn-cbs.ctb", &odd).concat());
    assert!(ours.chars().count() > 4 * odd.concat().chars().count());

    let en: Vec<String> =
        (0..300).map(|i| format!("Item {i}: bring your resident ID card and the household register.")).collect();
    let ours = louis::translate("en-ueb-g2.ctb", &en.join(" ")).unwrap();
    assert_eq!(ours, lou_translate("en-ueb-g2.ctb", &en).join(" "));
}

#[test]
fn the_command_checks_writes_and_checks_again() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("guides");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_braille-guides")).args(args).arg("--out").arg(&out).output().unwrap()
    };

    let check = run(&["--check"]);
    assert!(!check.status.success());
    assert!(String::from_utf8_lossy(&check.stderr).contains("zh/bezel.brf"));

    assert!(run(&[]).status.success());
    assert!(run(&["--check"]).status.success());

    // A file no longer generated is stale, and removed by the next run.
    std::fs::write(out.join("en/services/withdrawn.brf"), "old").unwrap();
    assert!(!run(&["--check"]).status.success());
    assert!(run(&[]).status.success());
    assert!(!out.join("en/services/withdrawn.brf").exists());
}

#[test]
fn a_center_prints_the_guides_of_its_own_api() {
    let dir = tempfile::tempdir().unwrap();
    let server = service_api::EmbeddedServer::start(&dir.path().join("api.sqlite"), "kiosk-braille", "secret").unwrap();
    let out = dir.path().join("guides");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_braille-guides")).args(args).arg("--out").arg(&out).output().unwrap()
    };

    let refused = run(&["--api", &server.base_url, "--token", "wrong"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("/v1/catalog"));

    assert!(run(&["--api", &server.base_url, "--token", "secret"]).status.success());
    // The embedded API serves the seed catalog: the same guides as the committed ones.
    let seed_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../service-api/seed/catalog.json");
    assert!(run(&["--check", "--catalog", seed_file.to_str().unwrap()]).status.success());
}

#[test]
fn the_overview_lists_every_service() {
    let mut catalog = seed();
    catalog.services[0].category = "not-a-category".into();
    for language in Language::ALL {
        let overview = documents(&catalog, &Bezel::default())
            .into_iter()
            .find(|d| d.language == language && d.name.ends_with("overview"))
            .unwrap();
        let text = format!("{:?}", overview.texts);
        for service in &catalog.services {
            assert!(text.contains(&language.pick(&service.name)), "{:?} missing", service.name);
        }
        assert!(text.contains(if language == Language::Chinese { "其他：" } else { "Other: " }));
    }
}

#[test]
fn a_character_without_braille_is_an_error_that_names_it() {
    let error = Language::Chinese.translate("请带😀身份证").unwrap_err().to_string();
    assert!(error.contains("😀") && error.contains("zhcn-cbs.ctb"), "{error}");
    let error = Language::English.translate("Press 帮助").unwrap_err().to_string();
    assert!(error.contains("帮助"), "{error}");
    assert!(louis::undefined_characters("en-ueb-g2.ctb", "Press Help").unwrap().is_empty());
}
