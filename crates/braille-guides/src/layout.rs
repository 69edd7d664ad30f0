//! Braille pages: 40 cells by 25 lines, lines broken only between words, a braille page
//! number at the right of the last line of each page.

/// Cells per line and lines per page of a BRF page (11 x 11.5 in paper, standard embossers).
pub const CELLS: usize = 40;
pub const LINES: usize = 25;

pub const BLANK: char = '\u{2800}';

/// A block of a document, already translated into cells (Unicode braille).
pub enum Block {
    /// Centred, followed by a blank line.
    Title(Vec<char>),
    /// At the margin after a blank line, kept on a page with the line that follows it.
    Heading(Vec<char>),
    /// First line indented two cells (cell 3), as both Chinese and English braille do.
    Paragraph(Vec<char>),
    /// List item: from cell 1, run-over lines from cell 3.
    Item(Vec<char>),
}

/// A laid-out document: pages of lines of cells, with no trailing blanks.
pub struct Pages {
    pub pages: Vec<Vec<Vec<char>>>,
    /// Words longer than a line that had to be cut (none in a good document).
    pub cut_words: usize,
}

/// Lays `blocks` out on pages. With `page_number`, the last line of each page carries the
/// page's braille number (made by the function), and every page is 25 lines; without
/// (a label), one page of as many lines as the text needs.
pub fn lay_out(blocks: &[Block], page_number: Option<&dyn Fn(usize) -> Vec<char>>) -> Pages {
    let mut cut_words = 0;
    // Lines of the whole document, with the blank lines and keep-with-next marks.
    let mut lines: Vec<(Vec<char>, bool)> = Vec::new();
    for block in blocks {
        match block {
            Block::Title(cells) => {
                for line in wrap(cells, 0, 0, &mut cut_words) {
                    let pad = (CELLS - line.len()) / 2;
                    lines.push((indent(pad, &line), true));
                }
                lines.push((Vec::new(), false));
            }
            Block::Heading(cells) => {
                if lines.last().is_some_and(|(l, _)| !l.is_empty()) {
                    lines.push((Vec::new(), false));
                }
                for line in wrap(cells, 0, 0, &mut cut_words) {
                    lines.push((line, true));
                }
            }
            Block::Paragraph(cells) => {
                for line in wrap(cells, 2, 0, &mut cut_words) {
                    lines.push((line, false));
                }
            }
            Block::Item(cells) => {
                for line in wrap(cells, 0, 2, &mut cut_words) {
                    lines.push((line, false));
                }
            }
        }
    }
    while lines.last().is_some_and(|(l, _)| l.is_empty()) {
        lines.pop();
    }

    let Some(page_number) = page_number else {
        return Pages { pages: vec![lines.into_iter().map(|(l, _)| l).collect()], cut_words };
    };
    let per_page = LINES - 1;
    let mut pages: Vec<Vec<Vec<char>>> = Vec::new();
    let mut page: Vec<Vec<char>> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (line, keep_with_next) = &lines[i];
        // A page never starts with a blank line, nor ends with a heading.
        let at_top = page.is_empty();
        if at_top && line.is_empty() {
            i += 1;
            continue;
        }
        let room = per_page - page.len();
        if *keep_with_next && room < 2 && !at_top {
            pages.push(std::mem::take(&mut page));
            continue;
        }
        page.push(line.clone());
        i += 1;
        if page.len() == per_page {
            pages.push(std::mem::take(&mut page));
        }
    }
    if !page.is_empty() || pages.is_empty() {
        pages.push(page);
    }
    for (n, page) in pages.iter_mut().enumerate() {
        page.resize(per_page, Vec::new());
        let number = page_number(n + 1);
        page.push(indent(CELLS - number.len(), &number));
    }
    Pages { pages, cut_words }
}

fn indent(cells: usize, line: &[char]) -> Vec<char> {
    let mut out = vec![BLANK; cells];
    out.extend_from_slice(line);
    out
}

/// Breaks `cells` into lines of at most [`CELLS`] at blank cells; a word longer than a
/// line is cut (and counted).
fn wrap(cells: &[char], first: usize, runover: usize, cut_words: &mut usize) -> Vec<Vec<char>> {
    let mut lines = Vec::new();
    let mut line = vec![BLANK; first];
    let mut margin = first;
    for word in cells.split(|&c| c == BLANK).filter(|w| !w.is_empty()) {
        let needed = if line.len() > margin { line.len() + 1 + word.len() } else { line.len() + word.len() };
        if needed > CELLS && line.len() > margin {
            lines.push(std::mem::replace(&mut line, vec![BLANK; runover]));
            margin = runover;
        }
        if line.len() > margin {
            line.push(BLANK);
        }
        let mut word = word;
        while line.len() + word.len() > CELLS {
            *cut_words += 1;
            let (head, tail) = word.split_at(CELLS - line.len());
            line.extend_from_slice(head);
            lines.push(std::mem::replace(&mut line, vec![BLANK; runover]));
            margin = runover;
            word = tail;
        }
        line.extend_from_slice(word);
    }
    if line.len() > margin {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(s: &str) -> Vec<char> {
        s.chars().map(|c| if c == ' ' { BLANK } else { c }).collect()
    }

    fn number(n: usize) -> Vec<char> {
        cells(&format!("⠼{}", "⠁⠃⠉⠙⠑⠋⠛⠓⠊"[..].chars().nth(n - 1).unwrap()))
    }

    #[test]
    fn lines_break_between_words_only() {
        let word = "⠁⠃⠉⠙⠑⠋⠛"; // 7 cells
        let text = vec![word; 20].join(" ");
        let mut cut = 0;
        let lines = wrap(&cells(&text), 2, 0, &mut cut);
        assert_eq!(cut, 0);
        for line in &lines {
            assert!(line.len() <= CELLS);
            assert!(line.last() != Some(&BLANK));
        }
        // 2 + 7, then 3 more words of 8: 33 cells; a fourth would make 41.
        assert_eq!(lines[0].len(), 2 + 7 + 3 * 8);
        let rejoined: Vec<String> =
            lines.iter().map(|l| l.iter().collect::<String>().trim_matches(BLANK).to_string()).collect();
        assert_eq!(rejoined.join("⠀"), cells(&text).iter().collect::<String>());
    }

    #[test]
    fn a_word_longer_than_a_line_is_cut_and_counted() {
        let mut cut = 0;
        let lines = wrap(&['⠁'; 50], 0, 2, &mut cut);
        assert_eq!(cut, 1);
        assert_eq!(lines.iter().map(|l| l.len()).collect::<Vec<_>>(), [40, 12]);
    }

    #[test]
    fn pages_are_25_lines_with_the_number_on_the_last() {
        let blocks: Vec<Block> = (0..60).map(|_| Block::Item(cells("⠁⠃⠉ ⠙⠑⠋"))).collect();
        let pages = lay_out(&blocks, Some(&number));
        assert_eq!(pages.pages.len(), 3);
        for (n, page) in pages.pages.iter().enumerate() {
            assert_eq!(page.len(), LINES);
            let last = page.last().unwrap();
            assert_eq!(last.len(), CELLS);
            assert!(last.ends_with(&number(n + 1)));
        }
        assert_eq!(pages.pages[2].iter().filter(|l| !l.is_empty()).count(), 60 - 48 + 1);
    }

    #[test]
    fn a_heading_is_never_last_on_a_page() {
        let mut blocks: Vec<Block> = (0..22).map(|_| Block::Item(cells("⠁"))).collect();
        blocks.push(Block::Heading(cells("⠓⠓")));
        blocks.push(Block::Item(cells("⠃")));
        let pages = lay_out(&blocks, Some(&number));
        assert_eq!(pages.pages[1][0], cells("⠓⠓"));
        assert!(pages.pages[0][22].is_empty());
    }

    #[test]
    fn a_label_has_no_page_number_and_no_padding() {
        let blocks = [Block::Title(cells("⠁⠃")), Block::Item(cells("⠉"))];
        let pages = lay_out(&blocks, None);
        assert_eq!(pages.pages, [vec![indent(19, &cells("⠁⠃")), vec![], cells("⠉")]]);
    }
}
