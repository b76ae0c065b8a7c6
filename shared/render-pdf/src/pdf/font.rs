//! One face of a document as PDF font objects: a Type 0 font over a subset
//! of the face, its glyph widths and a ToUnicode map.
//!
//! Subsets are cut by `subsetter` (typst's, made for PDF embedding) rather
//! than printpdf's allsorts-based subsetter, which parsed every glyph record
//! of a face for each subset, and whose CID-keyed CFF output needed
//! printpdf's extra repairs. Measured in alternating runs of `make bench` on
//! one machine, the seed went from 1.84 to 1.39 ms.
//! subsetter renumbers the kept glyphs from 1 (here in the order they are
//! first shown, so that pages can be written before the last glyph is
//! known) and makes CFF faces CID-keyed with CID = new glyph id, so one code
//! per glyph serves every kind of face; the codes run 1…n, so `/W` is one run.

use lopdf::{Dictionary, Object, ObjectId, StringFormat};

use super::ObjectSink;
use crate::PdfError;
use crate::fonts::Face;

/// Embeds the glyphs `remapper` numbers of `face` under the six-letter
/// subset `tag`; `coded` is (code, original glyph, the text it stands for)
/// for every glyph shown.
pub fn embed(
    sink: &mut ObjectSink,
    face: &Face,
    tag: &str,
    remapper: &subsetter::GlyphRemapper,
    mut coded: Vec<(u16, u16, &str)>,
) -> Result<ObjectId, PdfError> {
    let cannot =
        |why: String| PdfError::Internal(format!("cannot embed font {}: {why}", face.name));
    // Ascending by code, for /W and the CMap.
    coded.sort_unstable();
    let program =
        subsetter::subset(face.bytes, face.index, remapper).map_err(|e| cannot(e.to_string()))?;

    let (subtype, file_key, program) = if program.starts_with(b"OTTO") {
        // A bare CFF table is what every viewer reads CIDs from (an
        // OpenType wrapper is PDF 1.6 and not read so by all).
        let cff = ttf_parser::RawFace::parse(&program, 0)
            .ok()
            .and_then(|raw| raw.table(ttf_parser::Tag::from_bytes(b"CFF ")))
            .ok_or_else(|| cannot("its subset has no CFF table".to_string()))?
            .to_vec();
        let mut dict = Dictionary::new();
        dict.set("Subtype", Object::Name(b"CIDFontType0C".to_vec()));
        ("CIDFontType0", "FontFile3", sink.stream(dict, cff)?)
    } else {
        let mut dict = Dictionary::new();
        dict.set("Length1", Object::Integer(program.len() as i64));
        ("CIDFontType2", "FontFile2", sink.stream(dict, program)?)
    };

    let base_font = Object::Name(format!("{tag}+{}", postscript_name(face)).into_bytes());
    let mut descriptor = descriptor(face);
    descriptor.set("FontName", base_font.clone());
    descriptor.set(file_key, Object::Reference(program));
    let descriptor = sink.add(descriptor);

    let cmap = printpdf::ToUnicodeCMap {
        mappings: coded
            .iter()
            .map(|&(code, _, text)| (u32::from(code), text.chars().map(u32::from).collect()))
            .collect(),
    }
    .to_cmap_string(tag);
    let to_unicode = sink.stream(Dictionary::new(), cmap.into_bytes())?;

    let mut cid_font = Dictionary::new();
    cid_font.set("Type", Object::Name(b"Font".to_vec()));
    cid_font.set("Subtype", Object::Name(subtype.as_bytes().to_vec()));
    cid_font.set("BaseFont", base_font.clone());
    let mut system = Dictionary::new();
    system.set(
        "Registry",
        Object::String(b"Adobe".to_vec(), StringFormat::Literal),
    );
    system.set(
        "Ordering",
        Object::String(b"Identity".to_vec(), StringFormat::Literal),
    );
    system.set("Supplement", Object::Integer(0));
    cid_font.set("CIDSystemInfo", Object::Dictionary(system));
    cid_font.set("W", widths(face, &coded));
    cid_font.set("FontDescriptor", Object::Reference(descriptor));
    if subtype == "CIDFontType2" {
        cid_font.set("CIDToGIDMap", Object::Name(b"Identity".to_vec()));
    }

    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type0".to_vec()));
    font.set("BaseFont", base_font);
    font.set("Encoding", Object::Name(b"Identity-H".to_vec()));
    font.set(
        "DescendantFonts",
        Object::Array(vec![Object::Dictionary(cid_font)]),
    );
    font.set("ToUnicode", Object::Reference(to_unicode));
    Ok(sink.add(font))
}

/// The `/W` array: runs of consecutive codes with their widths, which are
/// the advances the text was set with ([`Face::pdf_width`]).
fn widths(face: &Face, coded: &[(u16, u16, &str)]) -> Object {
    let mut array = Vec::new();
    let mut run: Vec<Object> = Vec::new();
    let mut run_start = 0u16;
    for (i, &(code, glyph, _)) in coded.iter().enumerate() {
        if i > 0 && code != coded[i - 1].0 + 1 {
            array.push(Object::Integer(i64::from(run_start)));
            array.push(Object::Array(std::mem::take(&mut run)));
        }
        if run.is_empty() {
            run_start = code;
        }
        run.push(Object::Integer(face.pdf_width(glyph) as i64));
    }
    if !run.is_empty() {
        array.push(Object::Integer(i64::from(run_start)));
        array.push(Object::Array(run));
    }
    Object::Array(array)
}

/// The font descriptor's metrics, in thousandths of an em.
fn descriptor(face: &Face) -> Dictionary {
    let font = &face.shaper;
    let scale =
        |v: i16| Object::Integer((f32::from(v) * 1000.0 / face.units_per_em).round() as i64);
    let bbox = font.global_bounding_box();
    let italic_angle = font.italic_angle().round() as i64;
    // ISO 32000-1, table 123: nonsymbolic (6), italic (7).
    let flags = (1 << 5) | if italic_angle != 0 { 1 << 6 } else { 0 };
    // No font table holds the stem width; this is the usual estimate from
    // the weight class (88 at 400, 166 at 700).
    let stem_v = 50
        + (f32::from(font.weight().to_number()) / 65.0)
            .powi(2)
            .round() as i64;
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"FontDescriptor".to_vec()));
    dict.set("Flags", Object::Integer(flags));
    dict.set(
        "FontBBox",
        Object::Array(vec![
            scale(bbox.x_min),
            scale(bbox.y_min),
            scale(bbox.x_max),
            scale(bbox.y_max),
        ]),
    );
    dict.set("ItalicAngle", Object::Integer(italic_angle));
    dict.set("Ascent", scale(font.ascender()));
    dict.set("Descent", scale(font.descender()));
    dict.set(
        "CapHeight",
        scale(font.capital_height().unwrap_or(font.ascender())),
    );
    dict.set("StemV", Object::Integer(stem_v));
    dict
}

/// The face's PostScript name, which PDF font names are made of; the file
/// name (without what a name may not hold) when the face has none.
fn postscript_name(face: &Face) -> String {
    let from_table = face.shaper.names().into_iter().find_map(|name| {
        (name.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .then(|| name.to_string())
            .flatten()
    });
    from_table
        .unwrap_or_else(|| face.name.clone())
        .chars()
        .filter(|c| c.is_ascii_graphic() && !"()<>[]{}/%#".contains(*c))
        .collect()
}
