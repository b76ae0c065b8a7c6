//! The faces text is drawn with, and the fallback chain that picks one per
//! character.
//!
//! Latin, Greek, Cyrillic, Arabic and Hebrew come from fonts compiled into the
//! binary (`fonts/`, SIL OFL); everything else (in practice Chinese, Japanese
//! and Korean) from the font directory, read only when a document needs a
//! character the bundled faces lack. Every face is parsed once per process and
//! then shared by all documents and threads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::PdfError;

/// Where Debian's fonts-noto-cjk installs its fonts.
pub const DEFAULT_FONT_DIR: &str = "/usr/share/fonts/opentype/noto";

/// The three weights/slants the layout asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weight {
    Regular,
    Bold,
    Italic,
}

impl Weight {
    /// The file-name suffix that marks a font-directory face as made for this
    /// weight ("NotoSansCJK-Bold.ttc"); italic falls back to the upright face,
    /// since CJK fonts have no italics.
    fn file_suffix(self) -> &'static str {
        match self {
            Weight::Bold => "-Bold",
            Weight::Regular | Weight::Italic => "-Regular",
        }
    }
}

/// One face: the shaper over the font file's bytes, which are also what a
/// subset of it is cut from.
pub struct Face {
    /// File name (and face index in a collection), for messages and subset tags.
    pub name: String,
    pub shaper: rustybuzz::Face<'static>,
    pub units_per_em: f32,
    /// The whole font file (a collection holds several faces).
    pub bytes: &'static [u8],
    /// This face's index in a collection, 0 otherwise.
    pub index: u32,
}

impl Face {
    fn new(name: String, bytes: &'static [u8], index: u32) -> Option<Face> {
        let shaper = rustybuzz::Face::from_slice(bytes, index)?;
        let units_per_em = shaper.units_per_em() as f32;
        Some(Face {
            name,
            shaper,
            units_per_em,
            bytes,
            index,
        })
    }

    pub fn covers(&self, c: char) -> bool {
        self.shaper.glyph_index(c).is_some_and(|g| g.0 != 0)
    }

    /// The advance of a glyph in the PDF's glyph space (thousandths of an em):
    /// the width the font's `/W` array gives it, so that positions derived
    /// from it land where the viewer draws the glyph.
    pub fn pdf_width(&self, glyph: u16) -> f32 {
        let advance = self
            .shaper
            .glyph_hor_advance(ttf_parser::GlyphId(glyph))
            .unwrap_or(0);
        (advance as f32 * 1000.0 / self.units_per_em).trunc()
    }
}

/// The bundled faces, in fallback order for each weight.
struct Bundled {
    regular: Vec<Face>,
    bold: Vec<Face>,
    italic: Vec<Face>,
    /// For each weight and ASCII character, the index of the first face of
    /// the chain that has it.
    ascii: [[Option<u8>; 128]; 3],
}

impl Bundled {
    fn chain(&self, weight: Weight) -> &[Face] {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
            Weight::Italic => &self.italic,
        }
    }

    fn with_ascii_index(mut self) -> Bundled {
        for weight in [Weight::Regular, Weight::Bold, Weight::Italic] {
            let mut table = [None; 128];
            for (code, slot) in table.iter_mut().enumerate() {
                *slot = self
                    .chain(weight)
                    .iter()
                    .position(|f| f.covers(char::from(code as u8)))
                    .map(|i| i as u8);
            }
            self.ascii[weight as usize] = table;
        }
        self
    }
}

fn bundled() -> &'static Bundled {
    static BUNDLED: OnceLock<Bundled> = OnceLock::new();
    macro_rules! face {
        ($file:literal) => {
            Face::new(
                $file.to_string(),
                include_bytes!(concat!("../fonts/", $file)),
                0,
            )
            .expect(concat!("the bundled font ", $file, " parses"))
        };
    }
    BUNDLED.get_or_init(|| {
        Bundled {
            regular: vec![
                face!("NotoSans-Regular.ttf"),
                face!("NotoSansArabic-Regular.ttf"),
                face!("NotoSansHebrew-Regular.ttf"),
            ],
            bold: vec![
                face!("NotoSans-Bold.ttf"),
                face!("NotoSansArabic-Bold.ttf"),
                face!("NotoSansHebrew-Bold.ttf"),
            ],
            // Arabic and Hebrew have no italics; their upright faces stand in.
            italic: vec![
                face!("NotoSans-Italic.ttf"),
                face!("NotoSansArabic-Regular.ttf"),
                face!("NotoSansHebrew-Regular.ttf"),
            ],
            ascii: [[None; 128]; 3],
        }
        .with_ascii_index()
    })
}

/// A font file of the font directory, read on first need.
struct DirFile {
    path: PathBuf,
    state: Mutex<DirState>,
}

#[derive(Default)]
struct DirState {
    /// The file's bytes, once read (shared by all its faces).
    bytes: Option<&'static [u8]>,
    /// Set when the file cannot be read or is not a font, so it is tried once.
    unusable: bool,
    faces: BTreeMap<u32, &'static Face>,
}

/// The font files of one font directory, listed once per process.
struct FontDir {
    path: PathBuf,
    files: Vec<DirFile>,
}

fn listed_font_dir(path: &Path) -> &'static FontDir {
    static DIRS: OnceLock<Mutex<BTreeMap<PathBuf, &'static FontDir>>> = OnceLock::new();
    let mut dirs = DIRS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    dirs.entry(path.to_path_buf()).or_insert_with(|| {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .filter(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| FONT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            })
            .collect();
        paths.sort();
        let files = paths
            .into_iter()
            .map(|path| DirFile {
                path,
                state: Mutex::default(),
            })
            .collect();
        Box::leak(Box::new(FontDir {
            path: path.to_path_buf(),
            files,
        }))
    })
}

const FONT_EXTENSIONS: [&str; 4] = ["ttf", "otf", "ttc", "otc"];

impl DirFile {
    fn stem(&self) -> &str {
        self.path.file_stem().and_then(|s| s.to_str()).unwrap_or("")
    }

    /// The face of this file for `region` ("SC", "JP", …): in a collection
    /// such as NotoSansCJK-Regular.ttc the face whose family name ends with
    /// it, else the first.
    fn face(&self, region: &str) -> Option<&'static Face> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.unusable {
            return None;
        }
        let bytes: &'static [u8] = match state.bytes {
            Some(bytes) => bytes,
            None => match std::fs::read(&self.path) {
                // Kept for the rest of the process: every document that
                // needs this file shapes with it and subsets it.
                Ok(data) if ttf_parser::Face::parse(&data, 0).is_ok() => {
                    Box::leak(data.into_boxed_slice())
                }
                _ => {
                    state.unusable = true;
                    return None;
                }
            },
        };
        state.bytes = Some(bytes);
        let index = pick_face_index(bytes, region);
        if let Some(face) = state.faces.get(&index) {
            return Some(face);
        }
        let name = format!("{}#{index}", self.path.display());
        let Some(face) = Face::new(name, bytes, index) else {
            state.unusable = state.faces.is_empty();
            return None;
        };
        let face: &'static Face = Box::leak(Box::new(face));
        state.faces.insert(index, face);
        Some(face)
    }
}

fn pick_face_index(bytes: &[u8], region: &str) -> u32 {
    let count = ttf_parser::fonts_in_collection(bytes).unwrap_or(1);
    (0..count)
        .find(|&i| {
            ttf_parser::Face::parse(bytes, i).is_ok_and(|face| {
                face.names().into_iter().any(|name| {
                    name.name_id == ttf_parser::name_id::FAMILY
                        && name
                            .to_string()
                            .is_some_and(|family| family.ends_with(&format!(" {region}")))
                })
            })
        })
        .unwrap_or(0)
}

/// The fonts one document may use: the bundled chain, then the font directory.
pub struct Fonts {
    dir: &'static FontDir,
    region: &'static str,
}

impl Fonts {
    /// `language` (ISO 639) chooses the regional face of a CJK collection, since
    /// Chinese, Japanese and Korean draw the same code point differently.
    pub fn new(font_dir: Option<&Path>, language: &str) -> Fonts {
        let region = match language {
            "ja" => "JP",
            "ko" => "KR",
            _ => "SC",
        };
        Fonts {
            dir: listed_font_dir(font_dir.unwrap_or(Path::new(DEFAULT_FONT_DIR))),
            region,
        }
    }

    /// The first face of `weight`'s chain that can draw `c`.
    pub fn face_for(&self, weight: Weight, c: char) -> Result<&'static Face, PdfError> {
        let bundled = bundled();
        let chain = bundled.chain(weight);
        // Most characters are ASCII; their face is looked up once per process.
        if let Some(&index) = c
            .is_ascii()
            .then(|| &bundled.ascii[weight as usize][c as usize])
            .and_then(Option::as_ref)
        {
            return Ok(&chain[usize::from(index)]);
        }
        if let Some(face) = chain.iter().find(|f| f.covers(c)) {
            return Ok(face);
        }
        // Faces made for this weight first, then any other face of the directory.
        let suffix = weight.file_suffix();
        let (preferred, others): (Vec<&DirFile>, Vec<&DirFile>) = self
            .dir
            .files
            .iter()
            .partition(|f| f.stem().ends_with(suffix));
        preferred
            .into_iter()
            .chain(others)
            .filter_map(|file| file.face(self.region))
            .find(|f| f.covers(c))
            .ok_or_else(|| PdfError::NoFontFor {
                character: c,
                font_dir: self.dir.path.clone(),
                dir_exists: self.dir.path.is_dir(),
            })
    }

    /// The face used for characters that draw nothing of their own (spaces
    /// before any text, joiners): the first regular face.
    pub fn primary(weight: Weight) -> &'static Face {
        &bundled().chain(weight)[0]
    }
}
