//! The PDF file: printpdf for pages, fonts (subset, with ToUnicode) and the
//! document information; lopdf for the three things printpdf 0.12 writes in a
//! way we cannot use (see [`finish`]).

use std::collections::BTreeMap;

use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use printpdf::{
    Actions, BorderArray, Codepoint, Color, ColorArray, FontId, HighlightingMode, Line as PdfLine,
    LinePoint, LinkAnnotation, Op, PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, Rect, TextItem,
};

use crate::PdfError;
use crate::fonts::Face;
use crate::layout::{Anchor, Geometry, Page, PlacedLine};
use crate::text::Rgb;

const RULE: Rgb = [0.75, 0.77, 0.80];

/// Document information written into every PDF.
pub struct Info {
    pub title: String,
    pub author: String,
    pub subject: String,
    pub keywords: String,
    /// (year, month, day) the CreationDate is taken from.
    pub date: Option<(i32, u8, u8)>,
    pub creator: String,
    pub producer: String,
    /// Stable identity of the input, for the file identifier.
    pub identity: String,
}

pub fn write(
    pages: &[Page],
    anchors: &[Anchor],
    geometry: &Geometry,
    info: &Info,
) -> Result<Vec<u8>, PdfError> {
    let faces = FaceTable::collect(pages);
    let mut doc = PdfDocument::new(&info.title);
    set_info(&mut doc, info);
    for (face, id) in faces.faces.iter().zip(&faces.ids) {
        doc.resources
            .fonts
            .map
            .insert(id.clone(), PdfFont::new(face.embeddable()?.clone()));
    }
    doc.pages = pages
        .iter()
        .map(|page| PdfPage {
            media_box: Rect::from_wh(Pt(geometry.width), Pt(geometry.height)),
            trim_box: Rect::from_wh(Pt(geometry.width), Pt(geometry.height)),
            crop_box: Rect::from_wh(Pt(geometry.width), Pt(geometry.height)),
            ops: page_ops(page, &faces),
        })
        .collect();

    let options = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut lopdf_doc = doc.to_lopdf_document(&options, &mut warnings);
    if let Some(error) = warnings
        .iter()
        .find(|w| matches!(w.severity, printpdf::PdfParseErrorSeverity::Error))
    {
        return Err(PdfError::Internal(format!("printpdf: {}", error.msg)));
    }
    finish(&mut lopdf_doc, anchors, info)?;
    compress_streams(&mut lopdf_doc)?;
    let mut bytes = Vec::new();
    lopdf_doc
        .save_to(&mut bytes)
        .map_err(|e| PdfError::Internal(format!("writing the PDF: {e}")))?;
    Ok(bytes)
}

fn set_info(doc: &mut PdfDocument, info: &Info) {
    let meta = &mut doc.metadata.info;
    meta.author = info.author.clone();
    meta.subject = info.subject.clone();
    // printpdf joins keywords with commas, which organisation names contain;
    // the list arrives joined with semicolons instead.
    meta.keywords = vec![info.keywords.clone()];
    meta.creator = info.creator.clone();
    meta.producer = info.producer.clone();
    if let Some((year, month, day)) = info.date {
        let date = printpdf::OffsetDateTime::new_in_offset(
            printpdf::Date { year, month, day },
            printpdf::Time {
                hour: 0,
                minute: 0,
                second: 0,
                millisecond: 0,
            },
            printpdf::Offset {
                hours: 0,
                minutes: 0,
                seconds: 0,
                milliseconds: 0,
            },
        );
        meta.creation_date = date;
        meta.modification_date = date;
        meta.metadata_date = date;
    }
}

/// The faces a document uses, each with its font resource name.
struct FaceTable {
    faces: Vec<&'static Face>,
    ids: Vec<FontId>,
    /// What each glyph stands for: one text per glyph for the whole document,
    /// because the ToUnicode map has one entry per glyph.
    texts: Vec<BTreeMap<u16, String>>,
}

impl FaceTable {
    fn collect(pages: &[Page]) -> FaceTable {
        let mut faces: Vec<&'static Face> = Vec::new();
        let mut texts: Vec<BTreeMap<u16, String>> = Vec::new();
        for placed in pages.iter().flat_map(|p| &p.lines) {
            for run in &placed.line.runs {
                let index = match faces.iter().position(|f| std::ptr::eq(*f, run.face)) {
                    Some(i) => i,
                    None => {
                        faces.push(run.face);
                        texts.push(BTreeMap::new());
                        faces.len() - 1
                    }
                };
                for glyph in &run.glyphs {
                    let text = &placed.line.text[glyph.text.clone()];
                    let entry = texts[index].entry(glyph.id).or_default();
                    if entry.is_empty() {
                        if glyph.reversed {
                            entry.extend(text.chars().rev());
                        } else {
                            entry.push_str(text);
                        }
                    }
                }
            }
        }
        // The resource name doubles as the subset tag printpdf puts before the
        // font name, which must be six capital letters; deriving it from the
        // glyphs used makes it both stable and different for different subsets.
        let mut ids: Vec<FontId> = Vec::new();
        for (face, glyphs) in faces.iter().zip(&texts) {
            let mut hash = fnv1a(face.name.as_bytes(), FNV_OFFSET);
            for gid in glyphs.keys() {
                hash = fnv1a(&gid.to_be_bytes(), hash);
            }
            let mut tag = subset_tag(hash);
            while ids.iter().any(|id| id.0 == tag) {
                hash = fnv1a(b"+", hash);
                tag = subset_tag(hash);
            }
            ids.push(FontId(tag));
        }
        FaceTable { faces, ids, texts }
    }

    fn index(&self, face: &Face) -> usize {
        self.faces
            .iter()
            .position(|f| std::ptr::eq(*f, face))
            .expect("every face of the pages was collected")
    }
}

fn subset_tag(mut hash: u64) -> String {
    (0..6)
        .map(|_| {
            let letter = (b'A' + (hash % 26) as u8) as char;
            hash /= 26;
            letter
        })
        .collect()
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a(bytes: &[u8], mut hash: u64) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

fn rgb(color: Rgb) -> Color {
    Color::Rgb(printpdf::Rgb {
        r: color[0],
        g: color[1],
        b: color[2],
        icc_profile: None,
    })
}

fn page_ops(page: &Page, faces: &FaceTable) -> Vec<Op> {
    let mut ops = Vec::new();
    if !page.rules.is_empty() {
        ops.push(Op::SetOutlineColor { col: rgb(RULE) });
        ops.push(Op::SetOutlineThickness { pt: Pt(0.5) });
        for &(x0, x1, y) in &page.rules {
            let point = |x: f32| LinePoint {
                p: Point { x: Pt(x), y: Pt(y) },
                bezier: false,
            };
            ops.push(Op::DrawLine {
                line: PdfLine {
                    points: vec![point(x0), point(x1)],
                    is_closed: false,
                },
            });
        }
    }
    ops.push(Op::StartTextSection);
    let mut line_start = (0.0, 0.0);
    let mut font: Option<(usize, f32)> = None;
    let mut color: Option<Rgb> = None;
    for placed in &page.lines {
        for run in &placed.line.runs {
            let index = faces.index(run.face);
            if font != Some((index, run.size)) {
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(faces.ids[index].clone()),
                    size: Pt(run.size),
                });
                font = Some((index, run.size));
            }
            if color != Some(run.color) {
                ops.push(Op::SetFillColor {
                    col: rgb(run.color),
                });
                color = Some(run.color);
            }
            show_glyphs(&mut ops, &mut line_start, placed, run, &faces.texts[index]);
        }
    }
    ops.push(Op::EndTextSection);
    for placed in &page.lines {
        for link in &placed.line.links {
            ops.push(Op::LinkAnnotation {
                link: LinkAnnotation::new(
                    Rect::from_xywh(
                        Pt(placed.x + link.x0),
                        Pt(placed.baseline - 0.3 * link.size),
                        Pt(link.x1 - link.x0),
                        Pt(1.3 * link.size),
                    ),
                    Actions::Uri(link.target.clone()),
                    Some(BorderArray::Solid([0.0, 0.0, 0.0])),
                    Some(ColorArray::Transparent),
                    Some(HighlightingMode::Invert),
                ),
            });
        }
    }
    ops
}

/// Shows a run's glyphs at their set positions: one text-line move per
/// baseline change, and between glyphs the difference between the font's
/// advance (which the viewer applies) and the set position as a TJ kern.
///
/// Moves are relative (`Td`, from `line_start`, the start of the previous
/// text line) rather than absolute (`Tm`): printpdf takes a `Tm` before
/// glyphs as a cue to re-derive the kerns from each glyph's outline, work
/// the kerns written here already did.
fn show_glyphs(
    ops: &mut Vec<Op>,
    line_start: &mut (f32, f32),
    placed: &PlacedLine,
    run: &crate::text::GlyphRun,
    texts: &BTreeMap<u16, String>,
) {
    let size = run.size;
    let glyphs = &run.glyphs;
    let mut start = 0;
    while start < glyphs.len() {
        let y = glyphs[start].y;
        let end = start + glyphs[start..].iter().take_while(|g| g.y == y).count();
        let at = (placed.x + glyphs[start].x, placed.baseline + y);
        ops.push(Op::SetTextCursor {
            pos: Point {
                x: Pt(at.0 - line_start.0),
                y: Pt(at.1 - line_start.1),
            },
        });
        *line_start = at;
        let segment = &glyphs[start..end];
        let codepoints = segment
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let offset = match segment.get(i + 1) {
                    Some(next) => {
                        let pen = g.x + run.face.pdf_width(g.id) * size / 1000.0;
                        ((pen - next.x) * 1000.0 / size * 100.0).round() / 100.0
                    }
                    None => 0.0,
                };
                Codepoint {
                    gid: g.id,
                    offset,
                    cid: Some(texts.get(&g.id).cloned().unwrap_or_default()),
                }
            })
            .collect();
        ops.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(codepoints)],
        });
        start = end;
    }
}

/// What printpdf 0.12 cannot be told to do, done on its lopdf document before
/// it is written:
/// - the file identifier: printpdf draws it from a process-wide counter, so two
///   renderings of one summary would differ; it is derived from the input here;
/// - the outline: printpdf sorts bookmarks by page and then by *name* (so two
///   sections on one page come out alphabetically) and points them at the top of
///   the page; here they follow the document and point at their heading;
/// - the document information: printpdf always writes a PDF/X version key
///   (a false claim of conformance) and, for a summary without a date, a
///   creation date of 1970; both are removed.
fn finish(doc: &mut lopdf::Document, anchors: &[Anchor], info: &Info) -> Result<(), PdfError> {
    let internal = |what: &str, e: lopdf::Error| PdfError::Internal(format!("{what}: {e}"));
    let id = {
        let a = fnv1a(info.identity.as_bytes(), FNV_OFFSET);
        let b = fnv1a(info.identity.as_bytes(), a);
        let mut bytes = a.to_be_bytes().to_vec();
        bytes.extend(b.to_be_bytes());
        bytes
    };
    doc.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(id.clone(), StringFormat::Hexadecimal),
            Object::String(id, StringFormat::Hexadecimal),
        ]),
    );

    let info_id = doc
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .map_err(|e| internal("finding the document information", e))?;
    let dict = doc
        .get_dictionary_mut(info_id)
        .map_err(|e| internal("finding the document information", e))?;
    // Written for every document, these claim PDF/X conformance it does not have.
    dict.remove(b"GTS_PDFXVersion");
    dict.remove(b"Identifier");
    if info.date.is_none() {
        dict.remove(b"CreationDate");
        dict.remove(b"ModDate");
    }

    if !anchors.is_empty() {
        let pages = doc.get_pages();
        let outline_id = doc.new_object_id();
        let item_ids: Vec<ObjectId> = anchors.iter().map(|_| doc.new_object_id()).collect();
        for (i, anchor) in anchors.iter().enumerate() {
            let page = *pages.get(&(anchor.page as u32 + 1)).ok_or_else(|| {
                PdfError::Internal("an outline entry points past the last page".into())
            })?;
            let mut item = Dictionary::new();
            item.set(
                "Title",
                Object::String(utf16be(&anchor.title), StringFormat::Hexadecimal),
            );
            item.set("Parent", Object::Reference(outline_id));
            item.set(
                "Dest",
                Object::Array(vec![
                    Object::Reference(page),
                    Object::Name(b"XYZ".to_vec()),
                    Object::Null,
                    Object::Real(anchor.top),
                    Object::Null,
                ]),
            );
            if i > 0 {
                item.set("Prev", Object::Reference(item_ids[i - 1]));
            }
            if let Some(next) = item_ids.get(i + 1) {
                item.set("Next", Object::Reference(*next));
            }
            doc.objects.insert(item_ids[i], Object::Dictionary(item));
        }
        let mut outline = Dictionary::new();
        outline.set("Type", Object::Name(b"Outlines".to_vec()));
        outline.set("First", Object::Reference(item_ids[0]));
        outline.set("Last", Object::Reference(item_ids[item_ids.len() - 1]));
        outline.set("Count", Object::Integer(item_ids.len() as i64));
        doc.objects.insert(outline_id, Object::Dictionary(outline));
        let catalog = doc
            .catalog_mut()
            .map_err(|e| internal("finding the catalog", e))?;
        catalog.set("Outlines", Object::Reference(outline_id));
        catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
    }
    Ok(())
}

/// Deflates every stream that may be compressed. lopdf's own `compress`
/// works at zlib's level 9; measured on the seed (`make bench`), that was
/// half of the time of a whole rendering, level 6 still a third, while
/// level 1 costs a tenth of it for files about 14% larger (44 kB for the
/// seed instead of 39 kB).
fn compress_streams(doc: &mut lopdf::Document) -> Result<(), PdfError> {
    use std::io::Write;
    for object in doc.objects.values_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.has(b"Filter") {
            continue;
        }
        let mut encoder = flate2::write::ZlibEncoder::new(
            Vec::with_capacity(stream.content.len() / 2),
            flate2::Compression::new(STREAM_DEFLATE_LEVEL),
        );
        let compressed = encoder
            .write_all(&stream.content)
            .and_then(|()| encoder.finish())
            .map_err(|e| PdfError::Internal(format!("compressing a stream: {e}")))?;
        // Tiny streams can come out longer; they stay as they are.
        if compressed.len() < stream.content.len() {
            stream
                .dict
                .set("Filter", Object::Name(b"FlateDecode".to_vec()));
            stream.set_content(compressed);
        }
    }
    Ok(())
}

const STREAM_DEFLATE_LEVEL: u32 = 1;

/// A PDF text string in UTF-16BE with its byte-order mark.
fn utf16be(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        bytes.extend(unit.to_be_bytes());
    }
    bytes
}
