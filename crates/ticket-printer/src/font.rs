//! The CJK font tickets are drawn with.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use ab_glyph::FontVec;

/// One face of a font file: `.ttc`/`.otc` collections hold several, a `.ttf`/`.otf` has index 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontFace {
    /// The font file.
    pub path: PathBuf,
    /// The face's index in the file.
    pub index: u32,
}

/// A regular and a bold face. The center name, the number and the lines are bold (bold strokes
/// stay solid on thermal paper and read better to weak eyes); the time and footer are regular.
pub struct TicketFont {
    pub(crate) regular: FontVec,
    pub(crate) bold: FontVec,
}

impl fmt::Debug for TicketFont {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TicketFont")
    }
}

/// Why a font could not be loaded.
#[derive(Debug)]
pub enum FontError {
    /// [`find_noto_cjk`] found no Noto Sans CJK (Debian: `apt-get install fonts-noto-cjk`).
    NotFound,
    /// The file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file has no usable face at that index.
    Invalid(FontFace),
}

impl fmt::Display for FontError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FontError::NotFound => write!(f, "no Noto Sans CJK font found (Debian package fonts-noto-cjk)"),
            FontError::Read { path, source } => write!(f, "cannot read font {}: {source}", path.display()),
            FontError::Invalid(face) => write!(f, "no font face {} in {}", face.index, face.path.display()),
        }
    }
}

impl std::error::Error for FontError {}

impl TicketFont {
    /// Loads both faces. A font without a bold file can pass the same face twice.
    pub fn load(regular: &FontFace, bold: &FontFace) -> Result<TicketFont, FontError> {
        Ok(TicketFont { regular: load_face(regular)?, bold: load_face(bold)? })
    }

    /// Loads Noto Sans CJK SC, regular and bold, from where [`find_noto_cjk`] finds it.
    pub fn noto_cjk() -> Result<TicketFont, FontError> {
        let (regular, bold) = find_noto_cjk().ok_or(FontError::NotFound)?;
        TicketFont::load(&regular, &bold)
    }
}

fn load_face(face: &FontFace) -> Result<FontVec, FontError> {
    let data = std::fs::read(&face.path).map_err(|source| FontError::Read { path: face.path.clone(), source })?;
    FontVec::try_from_vec_and_index(data, face.index).map_err(|_| FontError::Invalid(face.clone()))
}

/// Folders where Linux distributions put Noto Sans CJK: Debian and Ubuntu, Arch, Fedora, and
/// by-hand installs.
const NOTO_CJK_DIRS: &[&str] = &[
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/noto-cjk",
    "/usr/share/fonts/google-noto-cjk",
    "/usr/local/share/fonts",
];

/// The Simplified Chinese face in Noto Sans CJK's collections (upstream order: JP, KR, SC,
/// TC, HK), so characters take their mainland shapes.
const NOTO_CJK_SC_INDEX: u32 = 2;

/// Finds Noto Sans CJK SC regular and bold (`NotoSansCJK-Regular.ttc`, `-Bold.ttc`) in the
/// usual folders; `None` when both files are not in one of them.
pub fn find_noto_cjk() -> Option<(FontFace, FontFace)> {
    NOTO_CJK_DIRS.iter().map(Path::new).find_map(|dir| {
        let face = |name: &str| {
            let path = dir.join(name);
            path.is_file().then_some(FontFace { path, index: NOTO_CJK_SC_INDEX })
        };
        Some((face("NotoSansCJK-Regular.ttc")?, face("NotoSansCJK-Bold.ttc")?))
    })
}
