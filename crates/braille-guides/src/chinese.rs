//! Chinese text made ready for liblouis's `zhcn-cbs` table, which reads character by
//! character: words separated by spaces (分词连写, GB/T 15720) and polyphonic characters
//! given the reading they have in the word.

use jieba_rs::Jieba;
use std::sync::OnceLock;

/// A word whose `zhcn-cbs` reading is wrong, and the same word spelled with characters
/// that have only the right reading, which liblouis then reads right.
pub struct Reading {
    pub word: &'static str,
    /// The right reading, for the reviewer.
    pub pinyin: &'static str,
    pub spelled: &'static str,
}

/// The reviewed override list (see braille-guides/README.md for how it was reviewed).
/// Every entry has a test that its braille is the syllables of `pinyin`.
#[rustfmt::skip]
pub const READINGS: &[Reading] = &[
    // The table reads 行 xíng and 长 cháng everywhere outside its own few words.
    Reading { word: "行长", pinyin: "háng zhǎng", spelled: "航掌" },
    // Debian 3.24's table reads these two right on their own; the entries keep them right
    // in any context and are checked like the others.
    Reading { word: "还款", pinyin: "huán kuǎn", spelled: "环款" },
    Reading { word: "长按", pinyin: "cháng àn", spelled: "常按" },
    // Found by reviewing every word of the guides (`braille-guides --review`): the table
    // reads 区 as the surname ōu, and 处 as chǔ (处理) where a place is chù.
    Reading { word: "区", pinyin: "qū", spelled: "躯" },
    Reading { word: "登记处", pinyin: "dēng jì chù", spelled: "登记触" },
    Reading { word: "办事处", pinyin: "bàn shì chù", spelled: "办事触" },
];

/// Single syllables written joined to the word before them (GB/T 15720): structural and
/// aspect particles, the plural suffix, and single-syllable locatives (屏幕上, 时限内,
/// 一分钟后).
const JOINED_TO_PREVIOUS: &[&str] =
    &["的", "地", "得", "了", "着", "过", "们", "上", "下", "里", "内", "外", "中", "前", "后"];

const NUMERALS: &[char] = &[
    '一', '二', '两', '三', '四', '五', '六', '七', '八', '九', '十', '几', '0', '1', '2', '3', '4', '5', '6', '7',
    '8', '9',
];

fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(|| {
        let mut jieba = Jieba::new();
        // Overridden words must stay whole to be found again after segmentation.
        for reading in READINGS {
            jieba.add_word(reading.word, Some(100_000), None);
        }
        jieba
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Word,
    Punctuation,
}

fn kind(token: &str) -> Kind {
    if token.chars().all(|c| c.is_ascii_punctuation() || is_cjk_punctuation(c)) {
        Kind::Punctuation
    } else {
        Kind::Word
    }
}

fn is_cjk_punctuation(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}' | '\u{FF5B}'..='\u{FF65}' | '\u{2010}'..='\u{2027}')
}

/// Words separated by single spaces; no space next to punctuation, which the table spaces
/// itself as the scheme says.
pub fn segment(text: &str) -> String {
    // Each word with its kind and whether a space comes before it.
    let mut words: Vec<(String, Kind, bool)> = Vec::new();
    let mut after_space = false;
    let tokens = jieba().cut(text, true);
    for (i, &token) in tokens.iter().enumerate() {
        if token.trim().is_empty() {
            after_space = !words.is_empty();
            continue;
        }
        let kind = kind(token);
        // 上一页, 下一步: before a numeral, 上 and 下 say "previous" and "next", not a place.
        let before_numeral =
            matches!(token, "上" | "下") && tokens.get(i + 1).is_some_and(|next| next.starts_with(NUMERALS));
        let join = !after_space
            && kind == Kind::Word
            && JOINED_TO_PREVIOUS.contains(&token)
            && !before_numeral
            && matches!(words.last(), Some((_, Kind::Word, _)));
        match words.last_mut() {
            Some((previous, _, _)) if join => previous.push_str(token),
            previous => {
                // Between two words, or where the text itself has a space.
                let space = after_space || (kind == Kind::Word && matches!(previous, Some((_, Kind::Word, _))));
                words.push((token.to_string(), kind, space));
            }
        }
        after_space = false;
    }
    let mut out = String::new();
    for (word, _, space) in words {
        if space {
            out.push(' ');
        }
        out.push_str(&word);
    }
    out
}

/// Overridden words respelled so that liblouis reads them right.
pub fn respell(segmented: &str) -> String {
    READINGS.iter().fold(segmented.to_string(), |text, r| text.replace(r.word, r.spelled))
}

/// What goes to `zhcn-cbs`: segmented, then respelled.
pub fn prepare(text: &str) -> String {
    respell(&segment(text))
}

/// The syllables that `zhcn-cbs` cells spell, in pinyin letters with the tone as a digit
/// when the braille writes it (`qü1 she hui4 bao xian`), numbers as `#12`: for reviewing
/// readings. Other cells (punctuation, letters) are shown as they are.
pub fn syllables(cells: &[char]) -> String {
    #[rustfmt::skip]
    const INITIALS: &[(char, &str)] = &[
        ('⠃', "b"), ('⠏', "p"), ('⠍', "m"), ('⠋', "f"), ('⠙', "d"), ('⠞', "t"), ('⠝', "n"),
        ('⠇', "l"), ('⠛', "g"), ('⠅', "k"), ('⠓', "h"), ('⠌', "zh"), ('⠟', "ch"), ('⠱', "sh"),
        ('⠚', "r"), ('⠵', "z"), ('⠉', "c"), ('⠎', "s"),
    ];
    #[rustfmt::skip]
    const FINALS: &[(char, &str)] = &[
        ('⠔', "a"), ('⠢', "e"), ('⠊', "i"), ('⠥', "u"), ('⠬', "ü"), ('⠪', "ai"), ('⠮', "ei"),
        ('⠖', "ao"), ('⠷', "ou"), ('⠧', "an"), ('⠴', "en"), ('⠦', "ang"), ('⠼', "eng"),
        ('⠲', "ong"), ('⠫', "ia"), ('⠑', "ie"), ('⠜', "iao"), ('⠳', "iu"), ('⠩', "ian"),
        ('⠣', "in"), ('⠭', "iang"), ('⠡', "ing"), ('⠹', "iong"), ('⠿', "ua"), ('⠕', "uo"),
        ('⠽', "uai"), ('⠺', "ui"), ('⠻', "uan"), ('⠒', "un"), ('⠶', "uang"), ('⠾', "üe"),
        ('⠯', "üan"), ('⠸', "ün"), ('⠗', "er"),
    ];
    const TONES: &[(char, &str)] = &[('⠁', "1"), ('⠂', "2"), ('⠄', "3"), ('⠆', "4")];
    // The scheme's one-cell words: 的 他 你 么 (zhi chi shi ri zi ci si are an initial alone).
    const ALONE: &[(char, &str)] = &[('⠙', "de"), ('⠞', "ta"), ('⠝', "ni"), ('⠍', "me")];
    let find = |table: &[(char, &'static str)], c: Option<&char>| {
        c.and_then(|c| table.iter().find(|(k, _)| k == c).map(|(_, v)| *v))
    };
    const DIGITS: &str = "⠚⠁⠃⠉⠙⠑⠋⠛⠓⠊⠲";
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < cells.len() {
        if cells[i] == '⠼' {
            let digits: String = cells[i + 1..]
                .iter()
                .map_while(|c| DIGITS.chars().position(|d| d == *c))
                .map(|d| "0123456789.".chars().nth(d).unwrap())
                .collect();
            i += 1 + digits.len();
            out.push(format!("#{digits}"));
            continue;
        }
        let initial = find(INITIALS, cells.get(i));
        let final_ = find(FINALS, cells.get(i + usize::from(initial.is_some())));
        if initial.is_none() && final_.is_none() {
            out.push(cells[i].to_string());
            i += 1;
            continue;
        }
        let start = i;
        i += usize::from(initial.is_some()) + usize::from(final_.is_some());
        let mut syllable = match (initial, final_) {
            (Some(ini), Some(fin)) if fin.starts_with(['i', 'ü']) => {
                let palatal = match ini {
                    "g" => "j",
                    "k" => "q",
                    "h" => "x",
                    other => other,
                };
                format!("{palatal}{fin}")
            }
            (Some(ini), Some(fin)) => format!("{ini}{fin}"),
            (None, Some(fin)) => fin.to_string(),
            (Some(ini), None) if matches!(ini, "zh" | "ch" | "sh" | "r" | "z" | "c" | "s") => {
                format!("{ini}i")
            }
            (Some(ini), None) => find(ALONE, cells.get(start)).unwrap_or(ini).to_string(),
            (None, None) => unreachable!(),
        };
        if let Some(tone) = find(TONES, cells.get(i)) {
            syllable.push_str(tone);
            i += 1;
        }
        out.push(syllable);
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_separated_and_particles_joined() {
        assert_eq!(segment("今天的天气不错"), "今天的 天气 不错");
        assert_eq!(segment("请带齐以下材料到窗口办理"), "请 带齐 以下 材料 到 窗口 办理");
        assert_eq!(segment("社保参保登记"), "社保 参保 登记");
        assert_eq!(segment("长按屏幕上的“帮助”"), "长按 屏幕上的“帮助”");
        assert_eq!(segment("受理后在时限内办结"), "受理后 在 时限内 办结");
        assert_eq!(segment("上、下方向键"), "上、下 方向键");
        assert_eq!(segment("Esc键：返回上一页。"), "Esc 键：返回 上 一页。");
        assert_eq!(segment("首页的五个大按钮"), "首页的 五个 大 按钮");
    }

    #[test]
    fn no_space_beside_punctuation_or_inside_numbers() {
        assert_eq!(segment("居民身份证、户口簿。"), "居民身份证、户口簿。");
        assert_eq!(segment("请按“帮助”键"), "请 按“帮助”键");
        assert_eq!(segment("5个工作日"), "5 个 工作日");
        assert_eq!(segment("1. 居民身份证（必须提供）"), "1. 居民身份证（必须 提供）");
    }

    #[test]
    fn overridden_words_stay_whole() {
        for r in READINGS {
            assert!(segment(&format!("请{}", r.word)).contains(r.word), "{}", r.word);
        }
        assert_eq!(prepare("找行长"), "找 航掌");
    }

    #[test]
    fn syllables_are_spelled_back_from_cells() {
        let cells = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(syllables(&cells("⠓⠦⠌⠦⠄")), "hang zhang3");
        assert_eq!(syllables(&cells("⠅⠬⠁⠱⠢⠓⠺⠆")), "qü1 she hui4");
        assert_eq!(syllables(&cells("⠱⠂⠙⠐⠆")), "shi2 de ⠐ ⠆");
        assert_eq!(syllables(&cells("⠼⠃⠚⠲⠀⠓⠥⠆")), "#20. ⠀ hu4");
    }
}
