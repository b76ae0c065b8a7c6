//! The text layer of one page as glyphs: each shown character with where it
//! stands on the page, its size, and what its font says (bold, a symbol
//! font). This is a PDF content-stream interpreter for the text operators
//! only (text state, text positioning, text showing, `cm`, `q`/`Q`, form
//! XObjects); paths and colours are skipped, images only counted.
//!
//! Written by hand over lopdf's object model because no Rust crate gives
//! glyphs with their font: pdf-extract's `OutputDev` (the candidate) passes
//! a character, its matrix and size but not the font, so bold could not be
//! told, and it pins lopdf 0.42 beside the workspace's 0.44. lopdf bounds
//! the nesting depth of the objects it parses; the limits here bound
//! graphics-state nesting, form XObject depth, glyphs per page and the
//! bytes a page's content inflates to.

use std::collections::HashMap;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Encoding, Object, ObjectId};

/// One shown character (or the characters one glyph stands for, such as a
/// ligature), in page coordinates with y growing downwards from the top of
/// the media box.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub text: String,
    /// Left edge of the glyph's origin.
    pub x: f32,
    /// Baseline, from the top of the page.
    pub y: f32,
    /// Advance width in page units.
    pub width: f32,
    /// Font size in page units (the text matrix's scale included).
    pub size: f32,
    pub bold: bool,
    /// Set in a symbol font (OpenSymbol, Symbol, Wingdings): a bullet.
    pub symbol: bool,
}

/// What a page holds besides its glyphs.
#[derive(Debug, Default)]
pub struct PageText {
    pub glyphs: Vec<Glyph>,
    /// Images drawn on the page (image XObjects and inline images).
    pub images: usize,
    pub width: f32,
    pub height: f32,
}

/// Why a page could not be read.
#[derive(Debug)]
pub enum PageError {
    /// A content stream inflates past the limit.
    TooLarge(usize),
    /// The page's objects are not what a page needs.
    Corrupt(String),
}

/// Graphics-state nesting (`q`) deeper than this is hostile: real pages
/// nest a few levels.
const MAX_STATE_DEPTH: usize = 64;
/// Form XObjects inside form XObjects, at most this deep (a cycle would
/// otherwise never end).
const MAX_FORM_DEPTH: usize = 4;
/// Glyphs on one page beyond this are not read: a dense page of small print
/// holds about 10 000.
const MAX_GLYPHS_PER_PAGE: usize = 200_000;
/// Entries of a CID font's width array kept at most.
const MAX_WIDTH_ENTRIES: usize = 65_536;

/// How a font's codes become text.
enum Decoder {
    /// A ToUnicode CMap (owned, parsed by lopdf; its type is private to
    /// lopdf, so it is kept in the encoding that holds it).
    Cmap(Encoding<'static>),
    /// A single-byte encoding, every code decoded once.
    Table(Box<[Option<String>]>),
}

/// Glyph widths in thousandths of the font size.
enum Widths {
    Simple {
        first: u32,
        widths: Vec<f32>,
        missing: f32,
    },
    Cid {
        default: f32,
        /// (first code, last code, width), in the order given.
        ranges: Vec<(u32, u32, f32)>,
    },
}

/// A font as the reader needs it.
pub struct Font {
    decoder: Decoder,
    two_byte: bool,
    widths: Widths,
    bold: bool,
    symbol: bool,
    /// Codes decoded so far (CMap look-ups cost more than a hash).
    cache: HashMap<u32, String>,
}

/// Fonts by object id, kept from page to page: a document uses a handful.
#[derive(Default)]
pub struct FontCache {
    fonts: HashMap<ObjectId, Font>,
    /// Fonts written inline in a resource dictionary, by name (this
    /// page's only).
    inline: HashMap<Vec<u8>, Font>,
}

impl Font {
    fn from_dict(doc: &Document, dict: &Dictionary, limit: usize) -> Font {
        let subtype = dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .unwrap_or(b"");
        let two_byte = subtype == b"Type0";
        let base_name = String::from_utf8_lossy(
            dict.get(b"BaseFont")
                .and_then(Object::as_name)
                .unwrap_or(b""),
        )
        .into_owned();
        // "ABCDEF+DejaVuSans-Bold": the subset tag is not part of the name.
        let name = base_name
            .split_once('+')
            .map_or(base_name.as_str(), |(_, n)| n)
            .to_ascii_lowercase();
        let descendant = if two_byte {
            dict.get_deref(b"DescendantFonts", doc)
                .and_then(Object::as_array)
                .ok()
                .and_then(|a| a.first())
                .and_then(|o| doc.dereference(o).ok())
                .and_then(|(_, o)| o.as_dict().ok())
        } else {
            None
        };
        let descriptor = descendant
            .unwrap_or(dict)
            .get_deref(b"FontDescriptor", doc)
            .and_then(Object::as_dict)
            .ok();
        let weight = descriptor
            .and_then(|d| d.get(b"FontWeight").ok())
            .and_then(number);
        let flags = descriptor
            .and_then(|d| d.get(b"Flags").ok())
            .and_then(|o| o.as_i64().ok())
            .unwrap_or(0);
        let bold = ["bold", "black", "heavy", "semibold", "demi"]
            .iter()
            .any(|w| name.contains(w))
            || weight.is_some_and(|w| w >= 600.0)
            // ForceBold (bit 19).
            || flags & (1 << 18) != 0;
        let symbol = ["symbol", "wingding", "dingbat"]
            .iter()
            .any(|w| name.contains(w));
        let missing = descriptor
            .and_then(|d| d.get(b"MissingWidth").ok())
            .and_then(number)
            .unwrap_or(0.0);
        let widths = match descendant {
            Some(cid) => cid_widths(doc, cid),
            None => Widths::Simple {
                first: dict
                    .get(b"FirstChar")
                    .and_then(Object::as_i64)
                    .unwrap_or(0)
                    .clamp(0, 255) as u32,
                widths: dict
                    .get_deref(b"Widths", doc)
                    .and_then(Object::as_array)
                    .map(|a| {
                        a.iter()
                            .take(256)
                            .map(|o| number(o).unwrap_or(0.0))
                            .collect()
                    })
                    .unwrap_or_default(),
                // The standard 14 fonts carry no widths; half an em is
                // their average, close enough to tell words apart.
                missing: if missing > 0.0 { missing } else { 500.0 },
            },
        };
        Font {
            decoder: decoder(doc, dict, two_byte, limit),
            two_byte,
            widths,
            bold,
            symbol,
            cache: HashMap::new(),
        }
    }

    fn width(&self, code: u32) -> f32 {
        match &self.widths {
            Widths::Simple {
                first,
                widths,
                missing,
            } => code
                .checked_sub(*first)
                .and_then(|i| widths.get(i as usize))
                .copied()
                .filter(|w| *w > 0.0)
                .unwrap_or(*missing),
            Widths::Cid { default, ranges } => ranges
                .iter()
                .find(|(lo, hi, _)| (*lo..=*hi).contains(&code))
                .map_or(*default, |r| r.2),
        }
    }

    fn text(&mut self, code: u32) -> &str {
        let Font {
            cache,
            decoder,
            two_byte,
            ..
        } = self;
        cache.entry(code).or_insert_with(|| match decoder {
            Decoder::Cmap(cmap) => {
                let bytes = code.to_be_bytes();
                let bytes = if *two_byte { &bytes[2..] } else { &bytes[3..] };
                cmap.bytes_to_string(bytes)
                    .unwrap_or_default()
                    .replace('\u{FFFD}', "")
            }
            Decoder::Table(table) => table
                .get(code as usize)
                .cloned()
                .flatten()
                .unwrap_or_default(),
        })
    }
}

/// A CID font's widths: `/DW` and the `/W` array (`c [w1 w2 …]` and
/// `cfirst clast w`).
fn cid_widths(doc: &Document, cid: &Dictionary) -> Widths {
    let default = cid.get(b"DW").ok().and_then(number).unwrap_or(1000.0);
    let mut ranges = Vec::new();
    if let Ok(array) = cid.get_deref(b"W", doc).and_then(Object::as_array) {
        let mut items = array.iter().map(|o| doc.dereference(o).map(|(_, o)| o));
        while let Some(Ok(first)) = items.next() {
            let Ok(first) = first.as_i64() else { break };
            let first = first.clamp(0, u32::MAX as i64) as u32;
            match items.next() {
                Some(Ok(Object::Array(widths))) => {
                    for (i, w) in widths.iter().enumerate() {
                        ranges.push((
                            first.saturating_add(i as u32),
                            first.saturating_add(i as u32),
                            number(w).unwrap_or(default),
                        ));
                    }
                }
                Some(Ok(last)) => {
                    let Ok(last) = last.as_i64() else { break };
                    let width = items
                        .next()
                        .and_then(Result::ok)
                        .and_then(number)
                        .unwrap_or(default);
                    ranges.push((first, last.clamp(0, u32::MAX as i64) as u32, width));
                }
                _ => break,
            }
            if ranges.len() > MAX_WIDTH_ENTRIES {
                break;
            }
        }
    }
    Widths::Cid { default, ranges }
}

/// The font's text: its ToUnicode CMap when it has one (the only mapping a
/// subset font's codes have), else its encoding.
fn decoder(doc: &Document, dict: &Dictionary, two_byte: bool, limit: usize) -> Decoder {
    if dict.has(b"ToUnicode") {
        // lopdf parses a ToUnicode CMap only for a font without /Encoding,
        // so ask it about a copy without one.
        let mut plain = dict.clone();
        plain.remove(b"Encoding");
        if let Ok(Encoding::UnicodeMapEncoding(cmap)) =
            plain.get_font_encoding_with_limit(doc, limit)
        {
            return Decoder::Cmap(Encoding::UnicodeMapEncoding(cmap));
        }
    }
    let mut table = vec![None; 256].into_boxed_slice();
    if !two_byte && let Ok(encoding) = dict.get_font_encoding_with_limit(doc, limit) {
        for (code, slot) in table.iter_mut().enumerate() {
            *slot = encoding
                .bytes_to_string(&[code as u8])
                .ok()
                .filter(|s| !s.is_empty() && s != "\u{FFFD}");
        }
    }
    Decoder::Table(table)
}

fn number(object: &Object) -> Option<f32> {
    match object {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

fn numbers(operands: &[Object]) -> Vec<f64> {
    operands
        .iter()
        .map(|o| number(o).map_or(0.0, f64::from))
        .collect()
}

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m × n` for PDF's row-vector matrices.
fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

#[derive(Clone)]
struct State {
    ctm: Matrix,
    /// Key of the current font in `Interpreter::fonts_in_use`.
    font: Option<FontKey>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scale: f64,
    leading: f64,
    rise: f64,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum FontKey {
    Object(ObjectId),
    Inline(Vec<u8>),
}

struct Interpreter<'a> {
    doc: &'a Document,
    cache: &'a mut FontCache,
    limit: usize,
    /// Bytes of content decompressed on this page so far (forms included).
    inflated: usize,
    page: PageText,
    /// Top of the media box, to turn y upwards into y downwards.
    top: f64,
    left: f64,
}

/// Reads one page's glyphs. `limit` bounds the content (and fonts' CMaps)
/// inflated for the page.
pub fn page_text(
    doc: &Document,
    page_id: ObjectId,
    cache: &mut FontCache,
    limit: usize,
) -> Result<PageText, PageError> {
    let page = doc
        .get_dictionary(page_id)
        .map_err(|e| PageError::Corrupt(e.to_string()))?;
    let media_box = media_box(doc, page);
    let content = doc
        .get_page_content_with_limit(page_id, limit)
        .map_err(|e| match e {
            lopdf::Error::Decompress(_) => PageError::TooLarge(limit),
            other => PageError::Corrupt(other.to_string()),
        })?;
    // Fonts written inline are known only by their name on this page.
    cache.inline.clear();
    let fonts: HashMap<Vec<u8>, FontKey> = page_font_keys(doc, page_id);
    let resources = page_resources(doc, page_id);
    let mut interpreter = Interpreter {
        doc,
        cache,
        limit,
        inflated: content.len(),
        page: PageText {
            width: (media_box[2] - media_box[0]).abs() as f32,
            height: (media_box[3] - media_box[1]).abs() as f32,
            ..PageText::default()
        },
        top: media_box[1].max(media_box[3]),
        left: media_box[0].min(media_box[2]),
    };
    let operations = Content::decode(&content)
        .map_err(|e| PageError::Corrupt(format!("its content stream does not parse: {e}")))?
        .operations;
    drop(content);
    interpreter.run(&operations, &fonts, resources.as_ref(), IDENTITY, 0)?;
    Ok(interpreter.page)
}

fn media_box(doc: &Document, page: &Dictionary) -> [f64; 4] {
    // The media box may be inherited from the page tree.
    let mut node = Some(page);
    for _ in 0..16 {
        let Some(dict) = node else { break };
        if let Ok(array) = dict.get_deref(b"MediaBox", doc).and_then(Object::as_array)
            && array.len() == 4
        {
            let v = numbers(array);
            return [v[0], v[1], v[2], v[3]];
        }
        node = dict
            .get_deref(b"Parent", doc)
            .and_then(Object::as_dict)
            .ok();
    }
    // A4, the most common paper.
    [0.0, 0.0, 595.0, 842.0]
}

fn page_font_keys(doc: &Document, page_id: ObjectId) -> HashMap<Vec<u8>, FontKey> {
    let mut keys = HashMap::new();
    let (direct, inherited) = doc
        .get_page_resources(page_id)
        .unwrap_or((None, Vec::new()));
    let mut dicts: Vec<&Dictionary> = inherited
        .iter()
        .rev()
        .filter_map(|id| doc.get_dictionary(*id).ok())
        .collect();
    dicts.extend(direct);
    for resources in dicts {
        keys.extend(font_keys(doc, resources));
    }
    keys
}

fn font_keys(doc: &Document, resources: &Dictionary) -> HashMap<Vec<u8>, FontKey> {
    let mut keys = HashMap::new();
    if let Ok(fonts) = resources.get_deref(b"Font", doc).and_then(Object::as_dict) {
        for (name, object) in fonts.iter() {
            let key = match object {
                Object::Reference(id) => FontKey::Object(*id),
                Object::Dictionary(_) => FontKey::Inline(name.clone()),
                _ => continue,
            };
            keys.insert(name.clone(), key);
        }
    }
    keys
}

/// The page's resource dictionary (its own or the nearest inherited one),
/// for XObjects.
fn page_resources(doc: &Document, page_id: ObjectId) -> Option<Dictionary> {
    let (direct, inherited) = doc.get_page_resources(page_id).ok()?;
    direct.cloned().or_else(|| {
        inherited
            .first()
            .and_then(|id| doc.get_dictionary(*id).ok().cloned())
    })
}

impl Interpreter<'_> {
    fn run(
        &mut self,
        operations: &[lopdf::content::Operation],
        fonts: &HashMap<Vec<u8>, FontKey>,
        resources: Option<&Dictionary>,
        ctm: Matrix,
        depth: usize,
    ) -> Result<(), PageError> {
        let mut state = State {
            ctm,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        };
        let mut saved: Vec<State> = Vec::new();
        let mut text_matrix = IDENTITY;
        let mut line_matrix = IDENTITY;
        for op in operations {
            let args = &op.operands;
            match op.operator.as_str() {
                "q" if saved.len() < MAX_STATE_DEPTH => saved.push(state.clone()),
                "Q" => {
                    if let Some(previous) = saved.pop() {
                        state = previous;
                    }
                }
                "cm" if args.len() == 6 => {
                    let v = numbers(args);
                    state.ctm = mul(&[v[0], v[1], v[2], v[3], v[4], v[5]], &state.ctm);
                }
                "BT" => {
                    text_matrix = IDENTITY;
                    line_matrix = IDENTITY;
                }
                "Tf" if args.len() == 2 => {
                    state.font = args[0]
                        .as_name()
                        .ok()
                        .and_then(|name| fonts.get(name))
                        .cloned();
                    state.size = number(&args[1]).map_or(0.0, f64::from);
                    if let Some(FontKey::Inline(name)) = &state.font {
                        self.load_inline_font(name, resources);
                    }
                }
                "Tc" if args.len() == 1 => state.char_spacing = numbers(args)[0],
                "Tw" if args.len() == 1 => state.word_spacing = numbers(args)[0],
                "Tz" if args.len() == 1 => state.scale = numbers(args)[0] / 100.0,
                "TL" if args.len() == 1 => state.leading = numbers(args)[0],
                "Ts" if args.len() == 1 => state.rise = numbers(args)[0],
                "Td" | "TD" if args.len() == 2 => {
                    let v = numbers(args);
                    if op.operator == "TD" {
                        state.leading = -v[1];
                    }
                    line_matrix = mul(&[1.0, 0.0, 0.0, 1.0, v[0], v[1]], &line_matrix);
                    text_matrix = line_matrix;
                }
                "Tm" if args.len() == 6 => {
                    let v = numbers(args);
                    line_matrix = [v[0], v[1], v[2], v[3], v[4], v[5]];
                    text_matrix = line_matrix;
                }
                "T*" => {
                    line_matrix = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -state.leading], &line_matrix);
                    text_matrix = line_matrix;
                }
                "Tj" | "'" | "\"" | "TJ" => {
                    if op.operator == "'" || op.operator == "\"" {
                        if op.operator == "\"" && args.len() == 3 {
                            let v = numbers(&args[..2]);
                            state.word_spacing = v[0];
                            state.char_spacing = v[1];
                        }
                        line_matrix = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -state.leading], &line_matrix);
                        text_matrix = line_matrix;
                    }
                    let items: &[Object] = match op.operator.as_str() {
                        "TJ" => args
                            .first()
                            .and_then(|a| a.as_array().ok())
                            .map_or(&[], |a| a),
                        _ => args.last().map_or(&[], std::slice::from_ref),
                    };
                    for item in items {
                        match item {
                            Object::String(bytes, _) => {
                                self.show(bytes, &state, &mut text_matrix);
                            }
                            other => {
                                if let Some(n) = number(other) {
                                    let tx = -f64::from(n) / 1000.0 * state.size * state.scale;
                                    text_matrix = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &text_matrix);
                                }
                            }
                        }
                    }
                }
                "Do" if args.len() == 1 => {
                    if let Ok(name) = args[0].as_name() {
                        self.xobject(name, resources, &state, depth)?;
                    }
                }
                "BI" | "ID" => self.page.images += 1,
                _ => {}
            }
            if self.page.glyphs.len() > MAX_GLYPHS_PER_PAGE {
                break;
            }
        }
        Ok(())
    }

    fn load_inline_font(&mut self, name: &[u8], resources: Option<&Dictionary>) {
        if self.cache.inline.contains_key(name) {
            return;
        }
        let dict = resources
            .and_then(|r| {
                r.get_deref(b"Font", self.doc)
                    .and_then(Object::as_dict)
                    .ok()
            })
            .and_then(|f| f.get(name).and_then(Object::as_dict).ok());
        if let Some(dict) = dict {
            let font = Font::from_dict(self.doc, dict, self.limit);
            self.cache.inline.insert(name.to_vec(), font);
        }
    }

    fn font(&mut self, key: &FontKey) -> Option<&mut Font> {
        match key {
            FontKey::Object(id) => {
                if !self.cache.fonts.contains_key(id) {
                    let dict = self.doc.get_dictionary(*id).ok()?;
                    let font = Font::from_dict(self.doc, dict, self.limit);
                    self.cache.fonts.insert(*id, font);
                }
                self.cache.fonts.get_mut(id)
            }
            FontKey::Inline(name) => self.cache.inline.get_mut(name),
        }
    }

    /// Shows a string: one glyph per code, each moved by its width.
    fn show(&mut self, bytes: &[u8], state: &State, text_matrix: &mut Matrix) {
        let Some(key) = state.font.clone() else {
            return;
        };
        let (top, left) = (self.top, self.left);
        let mut shown = Vec::new();
        {
            let Some(font) = self.font(&key) else { return };
            let step = if font.two_byte { 2 } else { 1 };
            for code_bytes in bytes.chunks(step) {
                let code = code_bytes.iter().fold(0u32, |c, b| c << 8 | u32::from(*b));
                let width = f64::from(font.width(code)) / 1000.0;
                let text = font.text(code).to_string();
                let render = [
                    state.size * state.scale,
                    0.0,
                    0.0,
                    state.size,
                    0.0,
                    state.rise,
                ];
                let at = mul(&render, &mul(text_matrix, &state.ctm));
                let space = !font.two_byte && code == 32;
                let advance = (width * state.size
                    + state.char_spacing
                    + if space { state.word_spacing } else { 0.0 })
                    * state.scale;
                let user = mul(text_matrix, &state.ctm);
                // Rotated text (a watermark, a vertical margin note) is
                // not part of the reading.
                let upright = user[1].abs() <= 0.1 * user[0].abs() && user[0] > 0.0;
                if upright && !text.is_empty() {
                    shown.push(Glyph {
                        text,
                        x: (at[4] - left) as f32,
                        y: (top - at[5]) as f32,
                        width: (advance * user[0]).abs() as f32,
                        size: (state.size * (user[2].powi(2) + user[3].powi(2)).sqrt()).abs()
                            as f32,
                        bold: font.bold,
                        symbol: font.symbol,
                    });
                }
                *text_matrix = mul(&[1.0, 0.0, 0.0, 1.0, advance, 0.0], text_matrix);
            }
        }
        self.page.glyphs.extend(shown);
    }

    fn xobject(
        &mut self,
        name: &[u8],
        resources: Option<&Dictionary>,
        state: &State,
        depth: usize,
    ) -> Result<(), PageError> {
        let Some(stream) = resources
            .and_then(|r| {
                r.get_deref(b"XObject", self.doc)
                    .and_then(Object::as_dict)
                    .ok()
            })
            .and_then(|x| x.get_deref(name, self.doc).and_then(Object::as_stream).ok())
        else {
            return Ok(());
        };
        match stream.dict.get(b"Subtype").and_then(Object::as_name) {
            Ok(b"Image") => self.page.images += 1,
            Ok(b"Form") if depth < MAX_FORM_DEPTH => {
                let remaining = self.limit.saturating_sub(self.inflated);
                let content = stream
                    .decompressed_content_with_limit(remaining)
                    .map_err(|_| PageError::TooLarge(self.limit))?;
                self.inflated += content.len();
                let Ok(content) = Content::decode(&content) else {
                    return Ok(());
                };
                let matrix = stream
                    .dict
                    .get(b"Matrix")
                    .and_then(Object::as_array)
                    .ok()
                    .filter(|a| a.len() == 6)
                    .map(|a| {
                        let v = numbers(a);
                        [v[0], v[1], v[2], v[3], v[4], v[5]]
                    })
                    .unwrap_or(IDENTITY);
                let own = stream
                    .dict
                    .get_deref(b"Resources", self.doc)
                    .and_then(Object::as_dict)
                    .ok()
                    .cloned();
                let resources = own.as_ref().or(resources);
                let fonts = resources
                    .map(|r| font_keys(self.doc, r))
                    .unwrap_or_default();
                let resources = resources.cloned();
                self.run(
                    &content.operations,
                    &fonts,
                    resources.as_ref(),
                    mul(&matrix, &state.ctm),
                    depth + 1,
                )?;
            }
            _ => {}
        }
        Ok(())
    }
}
