//! A small binding to the system's liblouis (Debian `liblouis-dev`, 3.24): only the calls
//! this crate needs, with an output buffer that grows until the whole input is translated.
//!
//! Why not a crate: `liblouis` 0.4 sizes its output at 4x the input and silently drops the
//! rest, and `louis-rs` is a pure-Rust reimplementation (alpha), not liblouis itself.

use std::ffi::{c_char, c_int, c_uint, CStr, CString};
use std::sync::Mutex;

/// liblouis's `widechar`: Debian builds it with 32-bit characters (`lou_charSize() == 4`).
type Widechar = c_uint;

/// `translationModes` of liblouis.h: output dot patterns, as Unicode braille.
const DOTS_IO: c_int = 4;
const UC_BRL: c_int = 64;
/// ... and leave out characters the table has no braille for (instead of `\x1234` escapes).
const NO_UNDEFINED: c_int = 128;
/// `LOU_LOG_ERROR`: the Chinese tables log harmless warnings on every load.
const LOG_ERROR: c_int = 40000;

#[link(name = "louis")]
extern "C" {
    fn lou_version() -> *const c_char;
    fn lou_charSize() -> c_int;
    fn lou_setLogLevel(level: c_int);
    fn lou_translateString(
        table_list: *const c_char,
        inbuf: *const Widechar,
        inlen: *mut c_int,
        outbuf: *mut Widechar,
        outlen: *mut c_int,
        typeform: *mut u16,
        spacing: *mut c_char,
        mode: c_int,
    ) -> c_int;
    fn lou_dotsToChar(
        table_list: *const c_char,
        inbuf: *const Widechar,
        outbuf: *mut Widechar,
        length: c_int,
        mode: c_int,
    ) -> c_int;
    fn lou_findTable(query: *const c_char) -> *mut c_char;
}

/// liblouis keeps its tables and buffers in globals: one call at a time in this process.
static LIBLOUIS: Mutex<()> = Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    let guard = LIBLOUIS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // SAFETY: plain calls with no arguments or with a constant.
    unsafe {
        assert_eq!(lou_charSize() as usize, size_of::<Widechar>(), "liblouis widechar size");
        lou_setLogLevel(LOG_ERROR);
    }
    guard
}

#[derive(Debug)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// The liblouis version, e.g. "3.24.0".
pub fn version() -> String {
    let _guard = lock();
    // SAFETY: liblouis returns a static NUL-terminated string.
    unsafe { CStr::from_ptr(lou_version()) }.to_string_lossy().into_owned()
}

/// Translates `text` with a liblouis table list (e.g. `"unicode.dis,zhcn-cbs.ctb"`) into
/// the characters of the list's display table, as `lou_translate` prints them.
pub fn translate(table_list: &str, text: &str) -> Result<String, Error> {
    let out = translate_raw(table_list, text, 0)?;
    Ok(out.iter().map(|&c| char::from_u32(c).unwrap_or('\u{FFFD}')).collect())
}

/// Translates `text` into braille cells as Unicode braille (U+2800 + dots), whatever the
/// table's display: the form the layout works on.
pub fn translate_cells(table: &str, text: &str) -> Result<Vec<char>, Error> {
    let out = translate_raw(table, text, DOTS_IO | UC_BRL)?;
    Ok(as_cells(&out))
}

/// The characters of `text` that `table` has no braille for (liblouis would write them
/// as escapes such as `\x4e2d`, which mean nothing to a reader).
pub fn undefined_characters(table: &str, text: &str) -> Result<Vec<char>, Error> {
    let differs = |text: &str| -> Result<bool, Error> {
        Ok(translate_raw(table, text, DOTS_IO | UC_BRL)?
            != translate_raw(table, text, DOTS_IO | UC_BRL | NO_UNDEFINED)?)
    };
    if !differs(text)? {
        return Ok(Vec::new());
    }
    let mut chars: Vec<char> = text.chars().collect();
    chars.sort();
    chars.dedup();
    let mut undefined = Vec::new();
    for c in chars {
        if differs(&c.to_string())? {
            undefined.push(c);
        }
    }
    Ok(undefined)
}

fn as_cells(out: &[Widechar]) -> Vec<char> {
    out.iter()
        .map(|&c| match c {
            0x20 => '\u{2800}',
            c => char::from_u32(c).filter(|c| is_cell(*c)).unwrap_or('\u{2800}'),
        })
        .collect()
}

fn is_cell(c: char) -> bool {
    ('\u{2800}'..='\u{28FF}').contains(&c)
}

fn translate_raw(table_list: &str, text: &str, mode: c_int) -> Result<Vec<Widechar>, Error> {
    let tables = CString::new(table_list).map_err(|_| Error("NUL in table list".into()))?;
    let input: Vec<Widechar> = text.chars().map(|c| c as Widechar).collect();
    if input.is_empty() {
        return Ok(Vec::new());
    }
    let _guard = lock();
    // Start small (Chinese needs about 3 cells a character, so this grows for real text)
    // and double until liblouis has consumed the whole input.
    let mut capacity = input.len() * 2 + 16;
    loop {
        let mut output: Vec<Widechar> = vec![0; capacity];
        let mut inlen = input.len() as c_int;
        let mut outlen = capacity as c_int;
        // SAFETY: the buffers are as long as the lengths passed; liblouis writes at most
        // `outlen` characters and sets both lengths to what it used.
        let ok = unsafe {
            lou_translateString(
                tables.as_ptr(),
                input.as_ptr(),
                &mut inlen,
                output.as_mut_ptr(),
                &mut outlen,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                mode,
            )
        };
        if ok == 0 {
            return Err(Error(format!("liblouis could not translate with {table_list}")));
        }
        if (inlen as usize) == input.len() && (outlen as usize) < capacity {
            output.truncate(outlen as usize);
            return Ok(output);
        }
        if capacity > input.len() * 64 + 1024 {
            return Err(Error(format!("liblouis output does not end ({table_list})")));
        }
        capacity *= 2;
    }
}

/// Unicode braille cells as the characters of a display table (`en-us-brf.dis`: North
/// American ASCII braille), through liblouis's own `lou_dotsToChar`.
pub fn cells_to_display(display_table: &str, cells: &[char]) -> Result<String, Error> {
    if cells.is_empty() {
        return Ok(String::new());
    }
    let tables = CString::new(display_table).map_err(|_| Error("NUL in table list".into()))?;
    let input: Vec<Widechar> = cells.iter().map(|&c| c as Widechar).collect();
    let mut output: Vec<Widechar> = vec![0; input.len()];
    let _guard = lock();
    // SAFETY: both buffers hold `length` characters.
    let ok =
        unsafe { lou_dotsToChar(tables.as_ptr(), input.as_ptr(), output.as_mut_ptr(), input.len() as c_int, UC_BRL) };
    if ok == 0 {
        return Err(Error(format!("liblouis could not read the display table {display_table}")));
    }
    Ok(output.iter().map(|&c| char::from_u32(c).unwrap_or('?')).collect())
}

/// The table file liblouis picks for a metadata query such as `"language:en grade:2"`
/// (how liblouis's YAML tests name their tables).
pub fn find_table(query: &str) -> Option<String> {
    let query = CString::new(query).ok()?;
    let _guard = lock();
    // SAFETY: liblouis returns NULL or a malloc'ed NUL-terminated path that we free.
    unsafe {
        let found = lou_findTable(query.as_ptr());
        if found.is_null() {
            return None;
        }
        let path = CStr::from_ptr(found).to_string_lossy().into_owned();
        libc_free(found.cast());
        Some(path)
    }
}

extern "C" {
    #[link_name = "free"]
    fn libc_free(ptr: *mut std::ffi::c_void);
}
