//! liblouis's own braille-spec cases (tests/braille-specs/*.yaml of liblouis 3.24) run
//! through this crate's binding, as `lou_checkyaml` runs them: see braille-specs/README.md.

use braille_guides::louis;
use yaml_rust2::parser::{Event, EventReceiver, Parser};

/// A YAML node; mappings keep their order and repeated keys (the spec files repeat
/// `table:` and `tests:`).
#[derive(Debug)]
enum Node {
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<(Node, Option<String>)>,
    root: Option<Node>,
}

impl Builder {
    fn add(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some((Node::Seq(items), _)) => items.push(node),
            Some((Node::Map(entries), key)) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => match node {
                    Node::Scalar(k) => *key = Some(k),
                    other => panic!("a mapping key that is not a scalar: {other:?}"),
                },
            },
            Some((Node::Scalar(_), _)) => unreachable!(),
        }
    }
}

impl EventReceiver for Builder {
    fn on_event(&mut self, event: Event) {
        match event {
            Event::Scalar(value, ..) => self.add(Node::Scalar(value)),
            Event::SequenceStart(..) => self.stack.push((Node::Seq(Vec::new()), None)),
            Event::MappingStart(..) => self.stack.push((Node::Map(Vec::new()), None)),
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, _) = self.stack.pop().expect("an open collection");
                self.add(node);
            }
            _ => {}
        }
    }
}

fn parse(text: &str) -> Node {
    let mut builder = Builder::default();
    Parser::new_from_str(text).load(&mut builder, false).expect("valid YAML");
    builder.root.expect("a document")
}

fn scalar(node: &Node) -> &str {
    match node {
        Node::Scalar(s) => s,
        other => panic!("expected a scalar, got {other:?}"),
    }
}

fn entries(node: &Node) -> &[(String, Node)] {
    match node {
        Node::Map(entries) => entries,
        other => panic!("expected a mapping, got {other:?}"),
    }
}

/// liblouis's escapes in test strings (`\\` and `\xHHHH`, as lou_checkyaml reads them).
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('x') => {
                let hex: String = std::iter::from_fn(|| chars.next_if(|c| c.is_ascii_hexdigit())).take(4).collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).expect("hex")).expect("a character"));
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The table a spec names: a file list, or metadata that liblouis resolves itself.
fn table(node: &Node) -> String {
    match node {
        Node::Scalar(list) => list.clone(),
        Node::Map(entries) => {
            let query: Vec<String> = entries
                .iter()
                .filter(|(k, _)| !k.starts_with("__"))
                .map(|(k, v)| format!("{k}:{}", scalar(v)))
                .collect();
            let found = louis::find_table(&query.join(" ")).expect("liblouis finds the table");
            let name = found.rsplit('/').next().unwrap().to_string();
            if let Some((_, expected)) = entries.iter().find(|(k, _)| k == "__assert-match") {
                assert_eq!(name, scalar(expected), "table found for {query:?}");
            }
            name
        }
        other => panic!("a table that is neither a list nor a query: {other:?}"),
    }
}

struct Outcome {
    passed: usize,
    skipped: usize,
    failures: Vec<String>,
}

/// Runs every forward case of a spec file through the binding and through the cell path.
fn run(file: &str) -> Outcome {
    let path = format!("{}/tests/braille-specs/{file}", env!("CARGO_MANIFEST_DIR"));
    let spec = parse(&std::fs::read_to_string(&path).expect("the spec file"));
    let mut display: Option<String> = None;
    let mut tables = String::new();
    let mut forward = true;
    let mut outcome = Outcome { passed: 0, skipped: 0, failures: Vec::new() };
    for (key, value) in entries(&spec) {
        match key.as_str() {
            "display" => display = Some(scalar(value).to_string()),
            "table" => tables = table(value),
            "flags" => {
                for (flag, v) in entries(value) {
                    assert_eq!(flag, "testmode", "unknown flag in {file}");
                    forward = matches!(scalar(v), "forward" | "bothDirections");
                }
            }
            "tests" => {
                let Node::Seq(cases) = value else { panic!("tests is a list") };
                for case in cases {
                    let Node::Seq(parts) = case else { panic!("a case is a list") };
                    let options = parts.get(2).map(entries).unwrap_or_default();
                    if !forward || options.iter().any(|(k, _)| k == "typeform") {
                        outcome.skipped += 1;
                        continue;
                    }
                    let xfail = options.iter().any(|(k, v)| k == "xfail" && scalar(v) != "false");
                    assert!(options.iter().all(|(k, _)| k == "xfail"), "unknown option in {file}: {options:?}");
                    let input = unescape(scalar(&parts[0]));
                    let expected = unescape(scalar(&parts[1]));
                    let display_list = display.clone().unwrap_or_else(|| tables.clone());
                    let with_display = format!("{display_list},{tables}");
                    let direct = louis::translate(if display.is_some() { &with_display } else { &tables }, &input)
                        .expect("translates");
                    let cells = louis::translate_cells(&tables, &input).expect("translates");
                    let via_cells = louis::cells_to_display(&display_list, &cells).expect("displays");
                    let matched = direct == expected && via_cells == expected;
                    if matched == xfail {
                        outcome.failures.push(format!(
                            "{file} [{tables}] {input:?}: expected {expected:?}{}, got {direct:?} (cells: {via_cells:?})",
                            if xfail { " to fail" } else { "" }
                        ));
                    } else {
                        outcome.passed += 1;
                    }
                }
            }
            _ => {}
        }
    }
    outcome
}

/// `expected_passed`: the cases lou_checkyaml counts in the file, less those skipped.
fn check(file: &str, expected_passed: usize) {
    assert!(
        louis::version().starts_with("3.24."),
        "the spec files are liblouis 3.24's; liblouis is {}",
        louis::version()
    );
    let outcome = run(file);
    assert!(outcome.failures.is_empty(), "{} failures:\n{}", outcome.failures.len(), outcome.failures.join("\n"));
    // The counts guard against a parser that silently drops cases.
    assert_eq!(outcome.passed, expected_passed, "{file}: cases run ({} skipped)", outcome.skipped);
}

#[test]
fn zhcn_cbs() {
    check("zhcn-cbs.yaml", 44);
}

#[test]
fn en_ueb_stand_alone() {
    check("en-ueb-02-stand_alone.yaml", 71);
}

#[test]
fn en_ueb_symbols() {
    check("en-ueb-03-symbols.yaml", 95);
}

#[test]
fn en_ueb_grade_1_mode() {
    check("en-ueb-05-grade_1_mode.yaml", 51);
}

#[test]
fn en_ueb_numeric_mode() {
    check("en-ueb-06-numeric_mode.yaml", 95);
}

#[test]
fn en_ueb_capitalization() {
    check("en-ueb-08-capitalization.yaml", 77);
}

#[test]
fn en_ueb_contractions_10_7() {
    check("en-ueb-10-07-contractions.yaml", 740);
}

#[test]
fn en_ueb_contractions_10_13() {
    check("en-ueb-10-13-contractions.yaml", 187);
}
