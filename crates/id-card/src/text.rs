//! The card's 256-byte text block: UCS-2 little-endian, fixed-width fields padded with spaces.

use std::fmt;

/// A calendar date, as the card writes it (`YYYYMMDD`). Orders by year, then month, then day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year, e.g. 1949.
    pub year: u16,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, from 1.
    pub day: u8,
}

impl Date {
    /// The date, if it exists in the Gregorian calendar.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&day).then_some(Date { year, month, day })
    }

    /// Parses the card's `YYYYMMDD`.
    fn parse(text: &str) -> Option<Date> {
        if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Date::new(text[0..4].parse().ok()?, text[4..6].parse().ok()?, text[6..8].parse().ok()?)
    }

    fn card_text(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }
}

/// `YYYY-MM-DD`.
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The last day a card is valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValidUntil {
    /// Valid up to and including this day.
    Date(Date),
    /// Long-term (长期): cards issued at 46 or older do not expire.
    LongTerm,
}

/// What the card writes for a long-term validity.
const LONG_TERM: &str = "长期";

/// Sex, coded as in GB/T 2261.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    /// Code `1`.
    Male,
    /// Code `2`.
    Female,
    /// Code `0`: not known.
    Unknown,
    /// Code `9`: not stated.
    NotStated,
}

impl Sex {
    fn from_code(code: &str) -> Option<Sex> {
        match code {
            "1" => Some(Sex::Male),
            "2" => Some(Sex::Female),
            "0" => Some(Sex::Unknown),
            "9" => Some(Sex::NotStated),
            _ => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Sex::Male => "1",
            Sex::Female => "2",
            Sex::Unknown => "0",
            Sex::NotStated => "9",
        }
    }
}

/// The nationalities (民族) by their two-digit code (GB 3304), with the names printed on the card.
const NATIONS: [(&str, &str); 58] = [
    ("01", "汉"),
    ("02", "蒙古"),
    ("03", "回"),
    ("04", "藏"),
    ("05", "维吾尔"),
    ("06", "苗"),
    ("07", "彝"),
    ("08", "壮"),
    ("09", "布依"),
    ("10", "朝鲜"),
    ("11", "满"),
    ("12", "侗"),
    ("13", "瑶"),
    ("14", "白"),
    ("15", "土家"),
    ("16", "哈尼"),
    ("17", "哈萨克"),
    ("18", "傣"),
    ("19", "黎"),
    ("20", "傈僳"),
    ("21", "佤"),
    ("22", "畲"),
    ("23", "高山"),
    ("24", "拉祜"),
    ("25", "水"),
    ("26", "东乡"),
    ("27", "纳西"),
    ("28", "景颇"),
    ("29", "柯尔克孜"),
    ("30", "土"),
    ("31", "达斡尔"),
    ("32", "仫佬"),
    ("33", "羌"),
    ("34", "布朗"),
    ("35", "撒拉"),
    ("36", "毛南"),
    ("37", "仡佬"),
    ("38", "锡伯"),
    ("39", "阿昌"),
    ("40", "普米"),
    ("41", "塔吉克"),
    ("42", "怒"),
    ("43", "乌孜别克"),
    ("44", "俄罗斯"),
    ("45", "鄂温克"),
    ("46", "德昂"),
    ("47", "保安"),
    ("48", "裕固"),
    ("49", "京"),
    ("50", "塔塔尔"),
    ("51", "独龙"),
    ("52", "鄂伦春"),
    ("53", "赫哲"),
    ("54", "门巴"),
    ("55", "珞巴"),
    ("56", "基诺"),
    ("97", "其他"),
    ("98", "外国血统"),
];

/// A field of the text block could not be read or written. Names the field only: its content
/// is a resident's personal data and must not reach a log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextError {
    /// The field's name, e.g. `"birth date"`.
    pub field: &'static str,
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "the {} in the card's text block is not valid", self.field)
    }
}

impl std::error::Error for TextError {}

/// The text on a resident ID card. Its `Debug` prints `CardText { .. }`: the fields are
/// personal data and must never reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct CardText {
    /// Name (姓名), up to 15 characters.
    pub name: String,
    /// Sex (性别).
    pub sex: Sex,
    /// Nationality (民族), as printed on the card: `汉`, `蒙古`, …
    pub nation: String,
    /// Date of birth (出生).
    pub birth_date: Date,
    /// Address (住址), up to 35 characters.
    pub address: String,
    /// Citizen ID number (公民身份号码), 18 characters.
    pub id_number: String,
    /// Issuing authority (签发机关), up to 15 characters.
    pub issuing_authority: String,
    /// First day of validity (有效期限).
    pub valid_from: Date,
    /// Last day of validity.
    pub valid_until: ValidUntil,
}

impl fmt::Debug for CardText {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("CardText { .. }")
    }
}

/// The fields in their order in the block: name and width in bytes. The last 36 bytes are
/// reserved.
const FIELDS: [(&str, usize); 9] = [
    ("name", 30),
    ("sex", 2),
    ("nation", 4),
    ("birth date", 16),
    ("address", 70),
    ("ID number", 36),
    ("issuing authority", 30),
    ("valid-from date", 16),
    ("valid-until date", 16),
];

/// The size of the text block.
pub const TEXT_LEN: usize = 256;

impl CardText {
    /// Reads the text block of a "read basic information" response.
    pub fn parse(block: &[u8; TEXT_LEN]) -> Result<CardText, TextError> {
        let mut fields = Vec::with_capacity(FIELDS.len());
        let mut at = 0;
        for (field, width) in FIELDS {
            let units = block[at..at + width].chunks_exact(2).map(|pair| u16::from_le_bytes([pair[0], pair[1]]));
            let text = String::from_utf16(&units.collect::<Vec<_>>()).map_err(|_| TextError { field })?;
            // Cards pad with spaces; NULs are tolerated as padding too.
            fields.push(text.trim_end_matches([' ', '\0']).to_string());
            at += width;
        }
        let invalid = |field| TextError { field };
        let [name, sex, nation, birth, address, id_number, authority, from, until] =
            <[String; 9]>::try_from(fields).map_err(|_| invalid("text block"))?;
        let nation = NATIONS.iter().find(|(code, _)| *code == nation).ok_or(invalid("nation"))?.1;
        let valid_until = match until.as_str() {
            LONG_TERM => ValidUntil::LongTerm,
            date => ValidUntil::Date(Date::parse(date).ok_or(invalid("valid-until date"))?),
        };
        Ok(CardText {
            name,
            sex: Sex::from_code(&sex).ok_or(invalid("sex"))?,
            nation: nation.to_string(),
            birth_date: Date::parse(&birth).ok_or(invalid("birth date"))?,
            address,
            id_number,
            issuing_authority: authority,
            valid_from: Date::parse(&from).ok_or(invalid("valid-from date"))?,
            valid_until,
        })
    }

    /// Writes the text block, the inverse of [`CardText::parse`]. Fails when a field is too
    /// long for its width or the nation is not in the table.
    pub fn encode(&self) -> Result<[u8; TEXT_LEN], TextError> {
        let nation = NATIONS.iter().find(|(_, name)| *name == self.nation).ok_or(TextError { field: "nation" })?.0;
        let until = match self.valid_until {
            ValidUntil::Date(date) => date.card_text(),
            ValidUntil::LongTerm => LONG_TERM.to_string(),
        };
        let values = [
            self.name.as_str(),
            self.sex.code(),
            nation,
            &self.birth_date.card_text(),
            &self.address,
            &self.id_number,
            &self.issuing_authority,
            &self.valid_from.card_text(),
            &until,
        ];
        let mut block = [0u8; TEXT_LEN];
        // Everything, the reserved bytes included, starts as space padding.
        for pair in block.chunks_exact_mut(2) {
            pair.copy_from_slice(&u16::from(b' ').to_le_bytes());
        }
        let mut at = 0;
        for ((field, width), value) in FIELDS.into_iter().zip(values) {
            let bytes: Vec<u8> = value.encode_utf16().flat_map(u16::to_le_bytes).collect();
            if bytes.len() > width {
                return Err(TextError { field });
            }
            block[at..at + bytes.len()].copy_from_slice(&bytes);
            at += width;
        }
        Ok(block)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> CardText {
        CardText {
            name: "阿依古丽·买买提".to_string(),
            sex: Sex::Female,
            nation: "维吾尔".to_string(),
            birth_date: Date { year: 1949, month: 12, day: 31 },
            // 35 characters: the whole width of the field.
            address: "新疆维吾尔自治区乌鲁木齐市天山区解放南路一百二十号附三号楼二单元五〇一".to_string(),
            id_number: "11010519491231002X".to_string(),
            issuing_authority: "乌鲁木齐市公安局天山分局".to_string(),
            valid_from: Date { year: 2016, month: 2, day: 29 },
            valid_until: ValidUntil::LongTerm,
        }
    }

    #[test]
    fn a_text_block_with_chinese_names_and_long_term_validity_survives_a_round_trip() {
        let card = card();
        let block = card.encode().unwrap();
        assert_eq!(CardText::parse(&block).unwrap(), card);
    }

    #[test]
    fn the_text_block_is_ucs2_little_endian_at_the_fixed_offsets() {
        let block = card().encode().unwrap();
        // 阿 is U+963F; the sex field starts at byte 30, the nation at 32.
        assert_eq!(&block[0..2], &[0x3F, 0x96]);
        assert_eq!(&block[30..32], &[b'2', 0]);
        assert_eq!(&block[32..36], &[b'0', 0, b'5', 0]);
        // 长期 at 204, then spaces up to the end of the reserved bytes.
        assert_eq!(&block[204..208], &[0x7F, 0x95, 0x1F, 0x67]);
        assert!(block[208..].chunks(2).all(|pair| pair == [b' ', 0]));
    }

    #[test]
    fn a_dated_validity_is_read_as_a_date() {
        let mut card = card();
        card.valid_until = ValidUntil::Date(Date { year: 2036, month: 2, day: 29 });
        assert_eq!(CardText::parse(&card.encode().unwrap()).unwrap().valid_until, card.valid_until);
    }

    #[test]
    fn every_nationality_code_is_known_and_read_back() {
        for (code, name) in NATIONS {
            let mut card = card();
            card.nation = name.to_string();
            let block = card.encode().unwrap();
            let written: Vec<u8> = code.bytes().flat_map(|b| [b, 0]).collect();
            assert_eq!(&block[32..36], written.as_slice());
            assert_eq!(CardText::parse(&block).unwrap().nation, name);
        }
        assert_eq!(NATIONS.iter().filter(|(code, _)| code.as_bytes()[0] <= b'5').count(), 56);
    }

    #[test]
    fn a_bad_field_is_named_without_its_content() {
        let mut block = card().encode().unwrap();
        block[36..38].copy_from_slice(&[b'x', 0]);
        let error = CardText::parse(&block).unwrap_err();
        assert_eq!(error, TextError { field: "birth date" });
        assert_eq!(error.to_string(), "the birth date in the card's text block is not valid");

        let mut block = card().encode().unwrap();
        block[32..36].copy_from_slice(&[b'9', 0, b'9', 0]);
        assert_eq!(CardText::parse(&block).unwrap_err().field, "nation");

        let mut card = card();
        card.name = "名".repeat(16);
        assert_eq!(card.encode().unwrap_err().field, "name");
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(Date::parse("19491231"), Some(Date { year: 1949, month: 12, day: 31 }));
        assert_eq!(Date::parse("20000229"), Date::new(2000, 2, 29));
        for text in ["19000229", "20230431", "20231301", "20230100", "2023011", "2023-1-1"] {
            assert_eq!(Date::parse(text), None, "{text}");
        }
    }

    #[test]
    fn debug_does_not_print_personal_data() {
        assert_eq!(format!("{:?}", card()), "CardText { .. }");
        assert_eq!(format!("{:#?}", Some(card())), "Some(\n    CardText { .. },\n)");
    }

    #[test]
    fn dates_order_by_year_month_day_and_display_with_dashes() {
        assert!(Date { year: 2020, month: 1, day: 31 } < Date { year: 2020, month: 2, day: 1 });
        assert!(Date { year: 2019, month: 12, day: 31 } < Date { year: 2020, month: 1, day: 1 });
        assert_eq!(Date { year: 2020, month: 3, day: 1 }.to_string(), "2020-03-01");
    }
}
