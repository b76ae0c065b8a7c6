//! The PDF file, object by object: content streams written here from the
//! placed lines, font subsets from subsetter with printpdf's ToUnicode maps,
//! and lopdf (printpdf's own object library) for the objects and the
//! cross-reference table.
//!
//! printpdf's document serializer is not used: it turns every text operation
//! into a lopdf object and then back into text, re-parses each font subset
//! it has just made, and allocates a string per glyph. Measured on the seed
//! (`make bench`), that was 60% of a whole rendering, for a page whose
//! every glyph position was already known. It also could not be told a
//! stable file identifier or an outline in document order.

mod font;
mod page;

use std::collections::BTreeMap;

use lopdf::{Dictionary, Object, ObjectId, StringFormat};

use crate::PdfError;
use crate::fonts::Face;
use crate::layout::{Anchor, Geometry, Page};

/// Document information written into every PDF.
pub struct Info {
    pub title: String,
    pub author: String,
    pub subject: String,
    /// The speakers' organisations.
    pub keywords: Vec<String>,
    /// When the document was created: the session's date, or the DMS's.
    pub date: Option<Timestamp>,
    /// Rapporteur's own named properties (schema version, source checksum …).
    pub custom: Vec<(String, String)>,
    /// The DMS's own fields, in their own XMP namespace.
    pub dms_fields: Vec<(String, String)>,
    pub creator: String,
    pub producer: String,
    /// Stable identity of the input, for the file identifier.
    pub identity: String,
    /// The text's language (ISO 639), for screen readers and hyphenation
    /// in viewers that reflow.
    pub language: Option<String>,
}

/// A creation date, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl Timestamp {
    /// The PDF date form, `D:YYYYMMDDHHmmSSZ`.
    fn pdf(self) -> String {
        let Timestamp {
            year,
            month,
            day,
            hour,
            minute,
            second,
        } = self;
        format!("D:{year:04}{month:02}{day:02}{hour:02}{minute:02}{second:02}Z")
    }

    /// The XMP (ISO 8601) form.
    fn iso(self) -> String {
        let Timestamp {
            year,
            month,
            day,
            hour,
            minute,
            second,
        } = self;
        format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
    }
}

/// Where Rapporteur's own properties and a DMS's fields live in the XMP
/// packet: a namespace each, so neither can be taken for the other.
const RAPPORTEUR_NAMESPACE: &str = "https://rapporteur.invalid/ns/document/1.0/";
const DMS_NAMESPACE: &str = "https://rapporteur.invalid/ns/dms/1.0/";

impl Info {
    /// The keywords as one line; organisation names hold commas, so they are
    /// joined with semicolons.
    fn keyword_line(&self) -> String {
        self.keywords.join("; ")
    }
}

/// A PDF written page by page: each page's content stream is made and
/// compressed as soon as the page is full, and the page's set lines dropped,
/// so memory follows the output's size, not the millions of placed glyphs of
/// a very long summary (issue 12: 100,000 key issues took 422 MB).
///
/// What only the end knows comes last: each page's footer ("Page N of M")
/// is a second content stream of the page, written once the page count is
/// known; the fonts are subset once every glyph has been seen, their codes
/// given in the order glyphs are first shown.
pub struct Writer {
    sink: ObjectSink,
    geometry: Geometry,
    pages_id: ObjectId,
    resources_id: ObjectId,
    faces: FaceTable,
    /// Each page written: its object and its footer's content stream, whose
    /// number is taken when the page is written and filled in by `finish`.
    pages: Vec<(ObjectId, ObjectId)>,
}

impl Writer {
    pub fn new(geometry: &Geometry) -> Writer {
        let mut sink = ObjectSink::new();
        let pages_id = sink.doc.new_object_id();
        let resources_id = sink.doc.new_object_id();
        Writer {
            sink,
            geometry: *geometry,
            pages_id,
            resources_id,
            faces: FaceTable::default(),
            pages: Vec::new(),
        }
    }

    /// Writes the next page (without its footer).
    pub fn page(&mut self, page: &Page) -> Result<(), PdfError> {
        self.faces.record(page);
        let body = self
            .sink
            .stream(Dictionary::new(), page::content(page, &self.faces))?;
        let footer = self.sink.doc.new_object_id();
        let geometry = &self.geometry;
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"Page".to_vec()));
        dict.set("Parent", Object::Reference(self.pages_id));
        dict.set(
            "MediaBox",
            Object::Array(vec![
                Object::Integer(0),
                Object::Integer(0),
                Object::Real(geometry.width),
                Object::Real(geometry.height),
            ]),
        );
        dict.set("Resources", Object::Reference(self.resources_id));
        dict.set(
            "Contents",
            Object::Array(vec![Object::Reference(body), Object::Reference(footer)]),
        );
        let links = link_annotations(page);
        if !links.is_empty() {
            dict.set("Annots", Object::Array(links));
        }
        let id = self.sink.add(dict);
        self.pages.push((id, footer));
        Ok(())
    }

    /// How many pages were written.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Writes every page's footer, which `footer` makes from the page's
    /// index (from 0), then the fonts, the outline, the metadata and the
    /// file's structure.
    pub fn finish(
        mut self,
        anchors: &[Anchor],
        info: &Info,
        footer: &mut dyn FnMut(usize) -> Result<Page, PdfError>,
    ) -> Result<Vec<u8>, PdfError> {
        for index in 0..self.pages.len() {
            let page = footer(index)?;
            self.faces.record(&page);
            let content = page::content(&page, &self.faces);
            let id = self.pages[index].1;
            self.sink.stream_at(id, Dictionary::new(), content)?;
        }
        let mut sink = self.sink;
        let mut fonts = Dictionary::new();
        for (index, font) in self.faces.embed(&mut sink)?.into_iter().enumerate() {
            fonts.set(page::resource_name(index), Object::Reference(font));
        }
        let mut resources = Dictionary::new();
        resources.set("Font", Object::Dictionary(fonts));
        sink.doc
            .objects
            .insert(self.resources_id, Object::Dictionary(resources));

        let page_ids: Vec<ObjectId> = self.pages.iter().map(|&(page, _)| page).collect();
        let mut tree = Dictionary::new();
        tree.set("Type", Object::Name(b"Pages".to_vec()));
        tree.set("Count", Object::Integer(page_ids.len() as i64));
        tree.set(
            "Kids",
            Object::Array(page_ids.iter().copied().map(Object::Reference).collect()),
        );
        sink.doc
            .objects
            .insert(self.pages_id, Object::Dictionary(tree));

        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference(self.pages_id));
        if let Some(language) = &info.language {
            catalog.set("Lang", text_string(language));
        }
        // Viewers show the event's title in their window, not the file name.
        let mut preferences = Dictionary::new();
        preferences.set("DisplayDocTitle", Object::Boolean(true));
        catalog.set("ViewerPreferences", Object::Dictionary(preferences));
        if let Some(outline) = outline(&mut sink, anchors, &page_ids)? {
            catalog.set("Outlines", Object::Reference(outline));
            catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
        }
        catalog.set("Metadata", Object::Reference(xmp_metadata(&mut sink, info)));
        let catalog = sink.add(catalog);
        let info_id = sink.add(info_dictionary(info));

        let mut doc = sink.doc;
        doc.trailer.set("Root", Object::Reference(catalog));
        doc.trailer.set("Info", Object::Reference(info_id));
        // The file identifier comes from the input, not from a clock or a
        // counter, so that the same summary always gives the same bytes.
        let id = {
            let a = fnv1a(info.identity.as_bytes(), FNV_OFFSET);
            let b = fnv1a(info.identity.as_bytes(), a);
            let mut bytes = a.to_be_bytes().to_vec();
            bytes.extend(b.to_be_bytes());
            Object::String(bytes, StringFormat::Hexadecimal)
        };
        doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes)
            .map_err(|e| PdfError::Internal(format!("writing the PDF: {e}")))?;
        Ok(bytes)
    }
}

/// The document being built, and the compressor its streams go through.
pub struct ObjectSink {
    doc: lopdf::Document,
    deflate: flate2::Compress,
}

impl ObjectSink {
    fn new() -> ObjectSink {
        ObjectSink {
            doc: lopdf::Document::with_version("1.7"),
            deflate: flate2::Compress::new(flate2::Compression::new(STREAM_DEFLATE_LEVEL), true),
        }
    }

    pub fn add(&mut self, dict: Dictionary) -> ObjectId {
        self.doc.add_object(Object::Dictionary(dict))
    }

    /// Adds a stream, deflated unless that would make it longer. One
    /// compressor serves all streams of a document: setting one up costs
    /// more than deflating a small stream.
    pub fn stream(&mut self, dict: Dictionary, content: Vec<u8>) -> Result<ObjectId, PdfError> {
        let id = self.doc.new_object_id();
        self.stream_at(id, dict, content)?;
        Ok(id)
    }

    /// Adds a stream under a number taken before (see [`ObjectSink::stream`]).
    fn stream_at(
        &mut self,
        id: ObjectId,
        mut dict: Dictionary,
        content: Vec<u8>,
    ) -> Result<(), PdfError> {
        self.deflate.reset();
        let mut deflated = Vec::with_capacity(content.len() / 2 + 64);
        loop {
            let read = self.deflate.total_in() as usize;
            let status = self
                .deflate
                .compress_vec(
                    &content[read..],
                    &mut deflated,
                    flate2::FlushCompress::Finish,
                )
                .map_err(|e| PdfError::Internal(format!("compressing a stream: {e}")))?;
            if status == flate2::Status::StreamEnd {
                break;
            }
            deflated.reserve(deflated.capacity().max(1024));
        }
        let content = if deflated.len() < content.len() {
            dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            // Held until the file is written: without this, the room made
            // for the compressed page (half the page, where a third is
            // used) was a third of the memory of a 5,000-page document.
            deflated.shrink_to_fit();
            deflated
        } else {
            content
        };
        self.doc
            .objects
            .insert(id, Object::Stream(lopdf::Stream::new(dict, content)));
        Ok(())
    }
}

/// Deflate level of the streams. Measured on the seed (`make bench`, zlib-rs):
/// level 1 (zlib-ng's quick strategy) takes about 0.3 ms of a 1.7 ms
/// rendering for a 46 kB file, level 2 0.6 ms for 38 kB; level 9 (lopdf's
/// own) took longer than all the rest of the rendering.
const STREAM_DEFLATE_LEVEL: u32 = 1;

/// The faces a document shows, in the order first shown (face `i` is the
/// resource [`page::resource_name`]`(i)`), with what is known of each
/// glyph shown so far.
#[derive(Default)]
pub struct FaceTable {
    faces: Vec<FaceUse>,
}

struct FaceUse {
    face: &'static Face,
    /// What each glyph stands for: one text per glyph for the whole
    /// document, because the ToUnicode map has one entry per glyph.
    texts: BTreeMap<u16, String>,
    /// Glyphs already given a text: most glyphs recur many times.
    done: Vec<bool>,
    /// The subset's glyph numbering, in the order glyphs are first shown.
    remapper: subsetter::GlyphRemapper,
    /// For each glyph of the face (by id), the code the content stream
    /// shows it with (its number in the subset; 0 until shown): looked up
    /// for every glyph shown, hence a table.
    codes: Vec<u16>,
}

impl FaceUse {
    fn code_of(&self, glyph: u16) -> u16 {
        self.codes.get(usize::from(glyph)).copied().unwrap_or(0)
    }
}

impl FaceTable {
    /// Notes every glyph of `page`: its face, its code, its text.
    fn record(&mut self, page: &Page) {
        for placed in &page.lines {
            for run in &placed.line.runs {
                let index = self.index_or_add(run.face);
                let used = &mut self.faces[index];
                for glyph in &run.glyphs {
                    let id = usize::from(glyph.id);
                    if let Some(code @ 0) = used.codes.get_mut(id) {
                        *code = used.remapper.remap(glyph.id);
                    }
                    if used.done.get(id).copied().unwrap_or(false) {
                        continue;
                    }
                    let text =
                        &placed.line.text[glyph.text.start as usize..glyph.text.end as usize];
                    let entry = used.texts.entry(glyph.id).or_default();
                    if glyph.reversed {
                        entry.extend(text.chars().rev());
                    } else {
                        entry.push_str(text);
                    }
                    // The second and later glyphs of a character stand for
                    // nothing here; a later use of the glyph may give it text.
                    if let Some(flag) = used.done.get_mut(id) {
                        *flag = !entry.is_empty();
                    }
                }
            }
        }
    }

    fn index_or_add(&mut self, face: &'static Face) -> usize {
        if let Some(index) = self.faces.iter().position(|f| std::ptr::eq(f.face, face)) {
            return index;
        }
        let glyphs = usize::from(face.shaper.number_of_glyphs());
        self.faces.push(FaceUse {
            face,
            texts: BTreeMap::new(),
            done: vec![false; glyphs],
            remapper: subsetter::GlyphRemapper::new(),
            codes: vec![0; glyphs],
        });
        self.faces.len() - 1
    }

    /// The face's index, for a face [`FaceTable::record`] has seen.
    fn index(&self, face: &Face) -> usize {
        self.faces
            .iter()
            .position(|f| std::ptr::eq(f.face, face))
            .expect("every face of the page was recorded")
    }

    /// The code glyph `glyph` of face `index` is shown with.
    fn code(&self, index: usize, glyph: u16) -> u16 {
        self.faces[index].code_of(glyph)
    }

    /// Embeds a subset of every face, in order, of the glyphs shown.
    fn embed(self, sink: &mut ObjectSink) -> Result<Vec<ObjectId>, PdfError> {
        // A tag derived from the glyphs used is both stable and different
        // for different subsets, as a subset tag should be.
        let mut tags: Vec<String> = Vec::new();
        for used in &self.faces {
            let mut hash = fnv1a(used.face.name.as_bytes(), FNV_OFFSET);
            for gid in used.texts.keys() {
                hash = fnv1a(&gid.to_be_bytes(), hash);
            }
            let mut tag = subset_tag(hash);
            while tags.contains(&tag) {
                hash = fnv1a(b"+", hash);
                tag = subset_tag(hash);
            }
            tags.push(tag);
        }
        self.faces
            .iter()
            .zip(tags)
            .map(|(used, tag)| {
                let coded = used
                    .texts
                    .iter()
                    .map(|(&glyph, text)| (used.code_of(glyph), glyph, text.as_str()))
                    .collect();
                font::embed(sink, used.face, &tag, &used.remapper, coded)
            })
            .collect()
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

fn link_annotations(page: &Page) -> Vec<Object> {
    let mut annotations = Vec::new();
    for placed in &page.lines {
        for link in &placed.line.links {
            let x = placed.x + link.x0;
            let y = placed.baseline - 0.3 * link.size;
            let mut action = Dictionary::new();
            action.set("S", Object::Name(b"URI".to_vec()));
            action.set(
                "URI",
                Object::String(uri_bytes(&link.target), StringFormat::Literal),
            );
            let mut annotation = Dictionary::new();
            annotation.set("Type", Object::Name(b"Annot".to_vec()));
            annotation.set("Subtype", Object::Name(b"Link".to_vec()));
            annotation.set(
                "Rect",
                Object::Array(
                    [x, y, x + link.x1 - link.x0, y + 1.3 * link.size]
                        .into_iter()
                        .map(Object::Real)
                        .collect(),
                ),
            );
            annotation.set("Border", Object::Array(vec![0.into(), 0.into(), 0.into()]));
            annotation.set("H", Object::Name(b"I".to_vec()));
            annotation.set("A", Object::Dictionary(action));
            annotations.push(Object::Dictionary(annotation));
        }
    }
    annotations
}

/// A link target as a URI action wants it: 7-bit ASCII (ISO 32000-1,
/// 12.6.4.7), so an address written with other letters has its UTF-8 bytes
/// percent-encoded, as browsers do.
fn uri_bytes(target: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(target.len());
    for &b in target.as_bytes() {
        if b.is_ascii_graphic() {
            bytes.push(b);
        } else {
            bytes.extend(format!("%{b:02X}").bytes());
        }
    }
    bytes
}

/// One outline entry per section, in document order, each pointing at the
/// top of its heading.
fn outline(
    sink: &mut ObjectSink,
    anchors: &[Anchor],
    page_ids: &[ObjectId],
) -> Result<Option<ObjectId>, PdfError> {
    if anchors.is_empty() {
        return Ok(None);
    }
    let outline_id = sink.doc.new_object_id();
    let item_ids: Vec<ObjectId> = anchors.iter().map(|_| sink.doc.new_object_id()).collect();
    for (i, anchor) in anchors.iter().enumerate() {
        let page = *page_ids.get(anchor.page).ok_or_else(|| {
            PdfError::Internal("an outline entry points past the last page".into())
        })?;
        let mut item = Dictionary::new();
        item.set("Title", text_string(&anchor.title));
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
        sink.doc
            .objects
            .insert(item_ids[i], Object::Dictionary(item));
    }
    let mut outline = Dictionary::new();
    outline.set("Type", Object::Name(b"Outlines".to_vec()));
    outline.set("First", Object::Reference(item_ids[0]));
    outline.set("Last", Object::Reference(item_ids[item_ids.len() - 1]));
    outline.set("Count", Object::Integer(item_ids.len() as i64));
    sink.doc
        .objects
        .insert(outline_id, Object::Dictionary(outline));
    Ok(Some(outline_id))
}

fn info_dictionary(info: &Info) -> Dictionary {
    let mut dict = Dictionary::new();
    let keywords = info.keyword_line();
    for (key, value) in [
        ("Title", &info.title),
        ("Author", &info.author),
        ("Subject", &info.subject),
        ("Keywords", &keywords),
        ("Creator", &info.creator),
        ("Producer", &info.producer),
    ] {
        if !value.is_empty() {
            dict.set(key, text_string(value));
        }
    }
    // A summary without a date gets no creation date rather than a made-up one.
    // Named properties go into the dictionary as well, where `pdfinfo
    // -custom` and most DMS importers read them; the model allows only names
    // that are PDF names as they stand.
    for (name, value) in info.custom.iter().chain(&info.dms_fields) {
        dict.set(name.as_bytes(), text_string(value));
    }
    if let Some(timestamp) = info.date {
        let date = timestamp.pdf();
        for key in ["CreationDate", "ModDate"] {
            dict.set(
                key,
                Object::String(date.clone().into_bytes(), StringFormat::Literal),
            );
        }
    }
    dict
}

/// The document information again as an XMP packet, which document
/// management systems and PDF 2.0 readers take the metadata from. Left
/// uncompressed, as XMP asks, so that tools that do not read PDF find it.
fn xmp_metadata(sink: &mut ObjectSink, info: &Info) -> ObjectId {
    let text = |value: &str| {
        // XML 1.0 has no place for control characters other than these.
        let legal: String = value
            .chars()
            .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
            .collect();
        quick_xml::escape::escape(legal.as_str()).into_owned()
    };
    let alternative = |value: &str| {
        format!(
            r#"<rdf:Alt><rdf:li xml:lang="x-default">{}</rdf:li></rdf:Alt>"#,
            text(value)
        )
    };
    let mut fields = vec![
        "<dc:format>application/pdf</dc:format>".to_string(),
        format!("<dc:title>{}</dc:title>", alternative(&info.title)),
        format!(
            "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>",
            text(&info.author)
        ),
        format!("<xmp:CreatorTool>{}</xmp:CreatorTool>", text(&info.creator)),
        format!("<pdf:Producer>{}</pdf:Producer>", text(&info.producer)),
    ];
    if !info.subject.is_empty() {
        fields.push(format!(
            "<dc:description>{}</dc:description>",
            alternative(&info.subject)
        ));
    }
    if !info.keywords.is_empty() {
        let items: String = info
            .keywords
            .iter()
            .map(|k| format!("<rdf:li>{}</rdf:li>", text(k)))
            .collect();
        fields.push(format!(
            "<dc:subject><rdf:Bag>{items}</rdf:Bag></dc:subject>"
        ));
        fields.push(format!(
            "<pdf:Keywords>{}</pdf:Keywords>",
            text(&info.keyword_line())
        ));
    }
    if let Some(language) = &info.language {
        fields.push(format!(
            "<dc:language><rdf:Bag><rdf:li>{}</rdf:li></rdf:Bag></dc:language>",
            text(language)
        ));
    }
    for (prefix, properties) in [("rapporteur", &info.custom), ("dms", &info.dms_fields)] {
        for (name, value) in properties {
            fields.push(format!(
                "<{prefix}:{name}>{}</{prefix}:{name}>",
                text(value)
            ));
        }
    }
    if let Some(timestamp) = info.date {
        let date = timestamp.iso();
        fields.push(format!("<xmp:CreateDate>{date}</xmp:CreateDate>"));
        fields.push(format!("<xmp:ModifyDate>{date}</xmp:ModifyDate>"));
    }
    let packet = format!(
        concat!(
            "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n",
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n",
            "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n",
            "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" ",
            "xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" ",
            "xmlns:rapporteur=\"{}\" xmlns:dms=\"{}\">\n",
            "{}\n</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"r\"?>"
        ),
        RAPPORTEUR_NAMESPACE,
        DMS_NAMESPACE,
        fields.join("\n")
    );
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"Metadata".to_vec()));
    dict.set("Subtype", Object::Name(b"XML".to_vec()));
    sink.doc.add_object(Object::Stream(lopdf::Stream::new(
        dict,
        packet.into_bytes(),
    )))
}

/// A PDF text string: as is when it is printable ASCII, else UTF-16BE with
/// its byte-order mark.
fn text_string(text: &str) -> Object {
    if text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return Object::String(text.as_bytes().to_vec(), StringFormat::Literal);
    }
    let mut bytes = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        bytes.extend(unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

#[cfg(test)]
mod tests {
    use super::uri_bytes;

    #[test]
    fn link_targets_are_ascii() {
        assert_eq!(
            uri_bytes("https://www.itu.int/wsis?a=1&b=(2)"),
            b"https://www.itu.int/wsis?a=1&b=(2)"
        );
        assert_eq!(
            uri_bytes("https://fr.example.org/résumé"),
            b"https://fr.example.org/r%C3%A9sum%C3%A9"
        );
    }
}
