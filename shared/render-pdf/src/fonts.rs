//! The faces text is drawn with, and the fallback chain that picks one per
//! character.
//!
//! Latin, Greek, Cyrillic, Arabic and Hebrew come from fonts compiled into the
//! binary (`fonts/`, SIL OFL); everything else (Chinese, Japanese, Korean,
//! Thai, Devanagari, Ethiopic …) from the fonts installed on the machine: the
//! font directory given (`--font-dir`) first, then the system's font
//! directories, searched recursively, files named for the character's script
//! ("NotoSansThai-Regular.ttf") before the others. A file is read only when a
//! document needs a character the faces before it lack; one that lacks it too
//! is remembered by its coverage, not its bytes. Every face is parsed once per
//! process and then shared by all documents and threads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::PdfError;

/// Where Debian's fonts-noto-cjk installs its fonts.
pub const DEFAULT_FONT_DIR: &str = "/usr/share/fonts/opentype/noto";

/// The system's font directories (fontconfig's defaults on Linux), searched
/// after the font directory.
const SYSTEM_FONT_DIRS: &[&str] = &["/usr/share/fonts", "/usr/local/share/fonts"];

/// How deep the font directories are searched: Debian's trees are three
/// levels deep (fonts/truetype/noto).
const FONT_DIR_DEPTH: usize = 6;

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
    /// The file's bytes, once a face of it is used (shared by all its faces).
    bytes: Option<&'static [u8]>,
    /// The characters the file's regional face covers, as sorted ranges,
    /// once read: a file that lacks a character is not read again for it.
    coverage: Option<Vec<(u32, u32)>>,
    /// Set when the file cannot be read or is not a font, so it is tried once.
    unusable: bool,
    faces: BTreeMap<u32, &'static Face>,
}

/// The font files of the font directory and the system's, listed once per
/// process.
struct FontDir {
    /// The directory given (or the default), for messages.
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
        let mut paths: Vec<PathBuf> = Vec::new();
        let roots =
            std::iter::once(path.to_path_buf()).chain(SYSTEM_FONT_DIRS.iter().map(PathBuf::from));
        for root in roots {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(&root)
                .max_depth(FONT_DIR_DEPTH)
                .into_iter()
                .flatten()
                .filter(|e| e.file_type().is_file())
                .map(|e| e.into_path())
                .filter(|p| {
                    p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| FONT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
                })
                .filter(|p| !paths.contains(p))
                .collect();
            // The same fonts in the same order on every run.
            found.sort();
            paths.extend(found);
        }
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

    /// The face of this file for `region` ("SC", "JP", …) if it can draw
    /// `c`: in a collection such as NotoSansCJK-Regular.ttc the face whose
    /// family name ends with the region, else the first.
    fn face(&self, region: &str, c: char) -> Option<&'static Face> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.unusable
            || state
                .coverage
                .as_ref()
                .is_some_and(|ranges| !covered(ranges, c))
        {
            return None;
        }
        let bytes: &'static [u8] = match state.bytes {
            Some(bytes) => bytes,
            None => {
                let data = match std::fs::read(&self.path) {
                    Ok(data) if ttf_parser::Face::parse(&data, 0).is_ok() => data,
                    _ => {
                        state.unusable = true;
                        return None;
                    }
                };
                let index = pick_face_index(&data, region);
                let ranges = coverage(&data, index);
                let has = covered(&ranges, c);
                state.coverage = Some(ranges);
                if !has {
                    // The bytes go; the coverage stays, so the file is
                    // read again only for a character it has.
                    return None;
                }
                // Kept for the rest of the process: every document that
                // needs this file shapes with it and subsets it.
                Box::leak(data.into_boxed_slice())
            }
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

/// The characters a face maps to glyphs, as sorted, merged ranges.
fn coverage(bytes: &[u8], index: u32) -> Vec<(u32, u32)> {
    let Ok(face) = ttf_parser::Face::parse(bytes, index) else {
        return Vec::new();
    };
    let mut points: Vec<u32> = Vec::new();
    if let Some(cmap) = face.tables().cmap {
        for subtable in cmap.subtables.into_iter().filter(|s| s.is_unicode()) {
            subtable.codepoints(|c| {
                if subtable.glyph_index(c).is_some_and(|g| g.0 != 0) {
                    points.push(c);
                }
            });
        }
    }
    points.sort_unstable();
    points.dedup();
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for c in points {
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == c => *end = c,
            _ => ranges.push((c, c)),
        }
    }
    ranges
}

fn covered(ranges: &[(u32, u32)], c: char) -> bool {
    let c = u32::from(c);
    ranges
        .binary_search_by(|&(start, end)| {
            if end < c {
                std::cmp::Ordering::Less
            } else if start > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The word font files of a script carry in their names ("NotoSansThai",
/// "NotoSansCJK"), to try them before the others.
fn script_hint(c: char) -> Option<&'static str> {
    use unicode_script::{Script, UnicodeScript};
    match c.script() {
        Script::Common | Script::Inherited | Script::Unknown | Script::Latin => None,
        Script::Han | Script::Hiragana | Script::Katakana | Script::Hangul | Script::Bopomofo => {
            Some("CJK")
        }
        script => Some(script.full_name()),
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
        // Installed fonts are searched once per character and process.
        type Chosen = BTreeMap<(PathBuf, &'static str, Weight, char), &'static Face>;
        static CHOSEN: OnceLock<Mutex<Chosen>> = OnceLock::new();
        let key = (self.dir.path.clone(), self.region, weight, c);
        let chosen = CHOSEN.get_or_init(Default::default);
        if let Some(face) = chosen.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Ok(face);
        }
        let face = self.find_face(weight, c)?;
        chosen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, face);
        Ok(face)
    }

    fn find_face(&self, weight: Weight, c: char) -> Result<&'static Face, PdfError> {
        // Files named for the character's script first, faces made for this
        // weight before the others; then every other font file.
        let suffix = weight.file_suffix();
        let hint = script_hint(c).map(|s| s.replace(' ', "_"));
        let rank = |f: &DirFile| {
            let stem = f.stem();
            let named = hint
                .as_deref()
                .is_some_and(|h| stem.replace(' ', "_").contains(h));
            // Sans faces match the bundled Noto Sans.
            (!named, !stem.contains("Sans"), !stem.ends_with(suffix))
        };
        let mut files: Vec<&DirFile> = self.dir.files.iter().collect();
        // Stable: within a rank, the listing's sorted order.
        files.sort_by_key(|f| rank(f));
        files
            .into_iter()
            .filter_map(|file| file.face(self.region, c))
            .find(|f| f.covers(c))
            .ok_or_else(|| PdfError::NoFontFor {
                characters: vec![c],
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
