//! Word documents (.docx) as input. Organisers often submit the Word
//! template rather than text; this reader gives the summary reader what
//! Word says about each paragraph: Title, Subtitle and Heading styles
//! (recognised by name in English, French, Spanish and German, through
//! `basedOn`, or by outline level), list items (numbering, on the paragraph
//! or its style, with its level), bold runs (direct, or through a character
//! style such as LibreOffice's "Strong Emphasis"), and tables (a two-column
//! form's label cells as labels). A Word version of a summary then gives
//! the same model as its text version.
//!
//! A .docx is a zip archive of XML parts, and so gets the archive checks
//! the inputs crate applies to `.zip` files (entry count, total size,
//! compression ratio, encryption) before docx-rs reads it. Errors are the
//! parser's [`ParseError`], so callers handle one error type for all inputs.

use std::io::{BufRead, BufReader, Cursor, Read};

use docx_rs::{
    DocumentChild, Docx, Hyperlink, InsertChild, Paragraph, ParagraphChild, Run, RunChild,
    StructuredDataTagChild, Table, TableCellContent, TableChild, TableRowChild,
};
use quick_xml::events::Event;
use rapporteur_model::{EventSummary, SourceFormat};
use rapporteur_parse::{
    Block, Document, ParseError, ParseOptions, RejectKind, Role, read_document, source_of,
    table_blocks,
};
use zip::ZipArchive;

/// The parts of a Word document, unpacked, may not exceed this: the text of
/// the longest summaries takes a few hundred kilobytes of XML, and the limit
/// leaves room for embedded pictures.
const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// Word's parts rarely deflate beyond 20:1; decompression bombs reach 1000:1.
const MAX_COMPRESSION_RATIO: u64 = 100;
/// A document has a few dozen parts; thousands mean something else.
const MAX_PARTS: usize = 1000;
/// Tables inside tables deeper than this are read as text no further.
const MAX_TABLE_DEPTH: usize = 8;
/// XML elements nested deeper than this refuse the document before docx-rs
/// reads it (its reader recurses). Word's deepest ordinary structures (a
/// picture in a text box in a table cell) stay under 40 levels; docx-rs
/// overflowed a 2 MiB thread stack at about 450 (150 nested tables).
const MAX_XML_DEPTH: usize = 128;
/// Tables inside tables deeper than this refuse the document: forms nest
/// two or three, and each level costs docx-rs several stack frames.
const MAX_NESTED_TABLES: usize = 32;
/// More XML elements than this in one part refuse the document: a long
/// summary has a few tens of thousands; each becomes a docx-rs object.
const MAX_XML_ELEMENTS: usize = 1_000_000;

/// How a Word file that is a password-protected document starts: the OLE
/// compound-file signature of the encrypted container Word writes instead
/// of a zip.
const OLE_SIGNATURE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads a .docx summary. `name` is how the input is called in the model and
/// in errors. Line numbers in warnings and errors are paragraph numbers of
/// the document (every paragraph counts, empty ones and those in tables too).
pub fn read_docx_summary(
    name: &str,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<EventSummary, ParseError> {
    let document = docx_document(name, bytes, options)?;
    read_document(
        name,
        &document,
        source_of(name, bytes, SourceFormat::Docx),
        options,
    )
}

/// A .docx's paragraphs as the summary reader's blocks, after the package
/// checks.
pub fn docx_document(
    name: &str,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<Document, ParseError> {
    let reject = |kind, message: String| ParseError {
        source_name: name.to_string(),
        line: None,
        kind,
        message,
    };
    options.refuse_oversize(name, bytes, "the document")?;
    if bytes.starts_with(OLE_SIGNATURE) {
        return Err(ole_rejection(bytes, reject));
    }
    check_package(bytes).map_err(|(kind, message)| reject(kind, message))?;
    // docx-rs unwraps and indexes freely while reading XML; a malformed part
    // must be a rejected input, not a crashed worker.
    let docx = std::panic::catch_unwind(|| docx_rs::read_docx(bytes))
        .map_err(|_| "the reader gave up on its XML".to_string())
        .and_then(|read| read.map_err(|e| e.to_string()))
        .map_err(|reason| {
            reject(
                RejectKind::CorruptDocument,
                format!(
                    "not a readable Word document ({reason}); open it in Word or LibreOffice and save it again as .docx"
                ),
            )
        })?;
    Ok(Reader::new(&docx).document())
}

/// An OLE file is what Word writes for a password-protected document (its
/// `EncryptedPackage` stream holds the real .docx), and also the format of
/// old Word 97–2003 `.doc` files.
fn ole_rejection(bytes: &[u8], reject: impl Fn(RejectKind, String) -> ParseError) -> ParseError {
    let stream_name: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    if bytes.windows(stream_name.len()).any(|w| w == stream_name) {
        reject(
            RejectKind::Encrypted,
            "the document is password-protected; remove the password in Word (File › Info › Protect Document) and convert it again".to_string(),
        )
    } else {
        reject(
            RejectKind::CorruptDocument,
            "an old Word 97–2003 document or another OLE file, not a .docx; open it in Word or LibreOffice and save it as .docx".to_string(),
        )
    }
}

/// Checks the zip container before docx-rs inflates anything: entry count,
/// encryption, and the sizes actually inflated (not only those declared,
/// which a hostile file can fake), total and per part.
fn check_package(bytes: &[u8]) -> Result<(), (RejectKind, String)> {
    let corrupt = |detail: String| {
        (
            RejectKind::CorruptDocument,
            format!(
                "not a readable Word document ({detail}); if it is text, give it a .txt name, else save it again as .docx"
            ),
        )
    };
    let mut zip = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| corrupt(format!("a .docx is a zip archive and this is not one: {e}")))?;
    if zip.len() > MAX_PARTS {
        return Err((
            RejectKind::TooLarge,
            format!(
                "the document has {} parts, more than the {MAX_PARTS} a Word document has; it is not a summary",
                zip.len()
            ),
        ));
    }
    let mut unpacked: u64 = 0;
    let mut roots: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut relationships: Vec<(String, String, String)> = Vec::new();
    for index in 0..zip.len() {
        let entry = zip
            .by_index_raw(index)
            .map_err(|e| corrupt(e.to_string()))?;
        if entry.encrypted() {
            return Err((
                RejectKind::Encrypted,
                format!(
                    "part {:?} is encrypted; save the document again without a password",
                    entry.name()
                ),
            ));
        }
        drop(entry);
        let mut entry = zip.by_index(index).map_err(|e| corrupt(e.to_string()))?;
        let name = entry.name().to_string();
        let ratio_limit = entry
            .compressed_size()
            .max(1)
            .saturating_mul(MAX_COMPRESSION_RATIO);
        let limit = ratio_limit.min(MAX_UNPACKED_BYTES - unpacked);
        let (size, facts) = inflate_part(&mut entry, &name, limit)?;
        if let Some(facts) = facts {
            if let Some(root) = facts.root {
                roots.insert(name.clone(), root);
            }
            relationships.extend(
                facts
                    .relationships
                    .into_iter()
                    .map(|(kind, target)| (name.clone(), kind, target)),
            );
        }
        if size > limit {
            return Err((
                RejectKind::TooLarge,
                format!(
                    "part {name:?} unpacks to more than {limit} bytes (at most {MAX_COMPRESSION_RATIO} times its packed size and {MAX_UNPACKED_BYTES} bytes in all), as decompression bombs do; it was not read"
                ),
            ));
        }
        unpacked += size;
    }
    check_relationships(&relationships, &roots)
}

/// The root element each part docx-rs reads by relationship must have:
/// docx-rs's part readers loop until their root's end tag, so a styles
/// relationship aimed at another part (or at a folder entry, which reads
/// as nothing) made it spin forever; the hostile-input property tests
/// found it with one changed byte in a .rels part.
const RELATIONSHIP_ROOTS: &[(&str, &str)] = &[
    ("officeDocument", "document"),
    ("styles", "styles"),
    ("numbering", "numbering"),
    ("settings", "settings"),
    ("webSettings", "webSettings"),
    ("comments", "comments"),
    ("commentsExtended", "commentsEx"),
    ("custom-properties", "Properties"),
    ("header", "hdr"),
    ("footer", "ftr"),
    ("theme", "theme"),
];

/// Every relationship of a kind docx-rs reads must lead to a part with the
/// root that kind has.
fn check_relationships(
    relationships: &[(String, String, String)],
    roots: &std::collections::HashMap<String, String>,
) -> Result<(), (RejectKind, String)> {
    for (rels, kind, target) in relationships {
        let kind_name = kind.rsplit('/').next().unwrap_or(kind);
        let Some((_, root)) = RELATIONSHIP_ROOTS.iter().find(|(k, _)| *k == kind_name) else {
            continue;
        };
        // "word/_rels/document.xml.rels" speaks of parts in "word/".
        let base = rels
            .rsplit_once("_rels/")
            .map(|(folder, _)| folder)
            .unwrap_or("");
        let part = match target.strip_prefix('/') {
            Some(absolute) => absolute.to_string(),
            None => format!("{base}{target}"),
        };
        match roots.get(&part) {
            Some(found) if found == root => {}
            found => {
                return Err((
                    RejectKind::CorruptDocument,
                    format!(
                        "not a readable Word document: its {kind_name} relationship leads to {}, not to a part with a <{root}> element; save it again as .docx",
                        match found {
                            Some(other) => format!("a <{other}> part"),
                            None => "no XML part".to_string(),
                        }
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// What the package check keeps of an XML part: its root element's local
/// name and, for a relationships part, each relationship's type and target.
#[derive(Default)]
struct PartFacts {
    root: Option<String>,
    relationships: Vec<(String, String)>,
}

/// Inflates one part within `limit` bytes (reading one byte more, which
/// tells "at the limit" from "over it") and returns how many bytes it has;
/// an XML part is streamed through [`check_xml`] on the way.
fn inflate_part(
    entry: &mut impl Read,
    name: &str,
    limit: u64,
) -> Result<(u64, Option<PartFacts>), (RejectKind, String)> {
    let corrupt = |detail: String| {
        (
            RejectKind::CorruptDocument,
            format!(
                "not a readable Word document (part {name:?}: {detail}); save it again as .docx"
            ),
        )
    };
    let mut limited = entry.take(limit + 1);
    if is_xml_part(name) {
        let mut buffered = BufReader::new(&mut limited);
        let checked = check_xml(&mut buffered, name);
        // What the XML reader left unread (after the root element) counts too.
        std::io::copy(&mut buffered, &mut std::io::sink()).map_err(|e| corrupt(e.to_string()))?;
        drop(buffered);
        let size = limit + 1 - limited.limit();
        // A part cut off at the limit is judged by its size (the caller
        // refuses it as a bomb), not by the XML it was cut in.
        if size > limit {
            return Ok((size, None));
        }
        return Ok((size, Some(checked?)));
    } else {
        std::io::copy(&mut limited, &mut std::io::sink()).map_err(|e| corrupt(e.to_string()))?;
    }
    Ok((limit + 1 - limited.limit(), None))
}

/// Whether docx-rs may parse the part as XML.
fn is_xml_part(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xml") || lower.ends_with(".rels")
}

/// Checks an XML part as it streams by, before docx-rs builds anything from
/// it: docx-rs reads tables (and other elements) recursively, so a 36 KB
/// document of 150 nested tables overflowed the stack and aborted the whole
/// process (issue 12); a DOCTYPE is how external entities (XXE) and entity
/// expansion come in, and Word never writes one; and millions of tiny
/// elements would each become a model object. quick-xml reads without
/// building anything, so this costs one pass over bytes already inflated for
/// the size checks. Malformed XML is refused here too, so that no reader
/// more lenient than quick-xml gets past a check that stopped early.
fn check_xml(xml: &mut impl BufRead, name: &str) -> Result<PartFacts, (RejectKind, String)> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut facts = PartFacts::default();
    let corrupt_attribute = || {
        (
            RejectKind::CorruptDocument,
            format!(
                "not a readable Word document: part {name:?} has a malformed relationship; save it again as .docx"
            ),
        )
    };
    let mut buffer = Vec::new();
    let (mut depth, mut tables, mut elements, mut roots) = (0usize, 0usize, 0usize, 0usize);
    let too_deep = |what: String| {
        (
            RejectKind::TooLarge,
            format!(
                "part {name:?} has {what}; Word documents are far shallower, and a reader would run out of stack; it was not read"
            ),
        )
    };
    loop {
        let event = match reader.read_event_into(&mut buffer) {
            Ok(event) => event,
            Err(error) => {
                return Err((
                    RejectKind::CorruptDocument,
                    format!(
                        "not a readable Word document: part {name:?} is not well-formed XML (at byte {}: {error}); save it again as .docx",
                        reader.error_position()
                    ),
                ));
            }
        };
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                elements += 1;
                if depth == 0 {
                    roots += 1;
                    if facts.root.is_none() {
                        facts.root =
                            Some(String::from_utf8_lossy(start.local_name().as_ref()).into_owned());
                    }
                }
                if start.local_name().as_ref() == b"Relationship" {
                    let (mut kind, mut target) = (None, None);
                    for attribute in start.attributes().with_checks(true) {
                        let attribute = attribute.map_err(|_| corrupt_attribute())?;
                        let value = attribute
                            .decoded_and_normalized_value(
                                quick_xml::XmlVersion::default(),
                                reader.decoder(),
                            )
                            .map_err(|_| corrupt_attribute())?
                            .into_owned();
                        match attribute.key.local_name().as_ref() {
                            b"Type" => kind = Some(value),
                            b"Target" => target = Some(value),
                            _ => {}
                        }
                    }
                    match (kind, target) {
                        (Some(kind), Some(target)) => facts.relationships.push((kind, target)),
                        _ => return Err(corrupt_attribute()),
                    }
                }
                if matches!(event, Event::Empty(_)) {
                    continue;
                }
                depth += 1;
                if start.local_name().as_ref() == b"tbl" {
                    tables += 1;
                }
                if depth > MAX_XML_DEPTH {
                    return Err(too_deep(format!(
                        "elements nested more than {MAX_XML_DEPTH} deep"
                    )));
                }
                if tables > MAX_NESTED_TABLES {
                    return Err(too_deep(format!(
                        "tables nested more than {MAX_NESTED_TABLES} deep"
                    )));
                }
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                if end.local_name().as_ref() == b"tbl" {
                    tables = tables.saturating_sub(1);
                }
            }
            Event::DocType(_) => {
                return Err((
                    RejectKind::CorruptDocument,
                    format!(
                        "not a readable Word document: part {name:?} has a DOCTYPE, which Word never writes and which can make a reader fetch files (XXE); save it again as .docx from Word or LibreOffice"
                    ),
                ));
            }
            // quick-xml ends quietly inside an open element; docx-rs's part
            // readers then wait forever for their root's end tag (a hang
            // the hostile-input property tests found: one byte changed in
            // styles.xml). A part must be one closed root element.
            Event::Eof if depth == 0 && roots > 0 => return Ok(facts),
            Event::Eof => {
                return Err((
                    RejectKind::CorruptDocument,
                    format!(
                        "not a readable Word document: part {name:?} ends before its XML does (an element is never closed); save it again as .docx"
                    ),
                ));
            }
            _ => {}
        }
        if elements > MAX_XML_ELEMENTS {
            return Err((
                RejectKind::TooLarge,
                format!(
                    "part {name:?} has more than {MAX_XML_ELEMENTS} XML elements, far more than a summary needs; it was not read"
                ),
            ));
        }
        buffer.clear();
    }
}

/// Walks a document's body into blocks.
struct Reader<'a> {
    docx: &'a Docx,
    /// Paragraphs seen so far, empty ones and those in tables included.
    paragraphs: usize,
}

/// What a paragraph is, by its style and numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Title,
    Subtitle,
    Heading(u8),
    Item(u8),
    Plain,
}

impl<'a> Reader<'a> {
    fn new(docx: &'a Docx) -> Reader<'a> {
        Reader {
            docx,
            paragraphs: 0,
        }
    }

    fn document(mut self) -> Document {
        let mut blocks = Vec::new();
        for child in &self.docx.document.children {
            match child {
                DocumentChild::Paragraph(p) => blocks.extend(self.paragraph(p)),
                DocumentChild::Table(t) => blocks.extend(self.table(t, 0)),
                DocumentChild::StructuredDataTag(tag) => blocks.extend(self.tag(&tag.children, 0)),
                _ => {}
            }
        }
        Document {
            blocks,
            warnings: Vec::new(),
        }
    }

    fn table(&mut self, table: &Table, depth: usize) -> Vec<Block> {
        let mut rows = Vec::new();
        for TableChild::TableRow(row) in &table.rows {
            let mut cells = Vec::new();
            for TableRowChild::TableCell(cell) in &row.cells {
                let mut blocks = Vec::new();
                for content in &cell.children {
                    match content {
                        TableCellContent::Paragraph(p) => blocks.extend(self.paragraph(p)),
                        TableCellContent::Table(t) if depth < MAX_TABLE_DEPTH => {
                            blocks.extend(self.table(t, depth + 1))
                        }
                        TableCellContent::StructuredDataTag(tag) => {
                            blocks.extend(self.tag(&tag.children, depth))
                        }
                        _ => {}
                    }
                }
                cells.push(blocks);
            }
            rows.push(cells);
        }
        table_blocks(rows)
    }

    /// Paragraphs inside content controls, which Word templates use for the
    /// fields an organiser fills in.
    fn tag(&mut self, children: &[StructuredDataTagChild], depth: usize) -> Vec<Block> {
        let mut blocks = Vec::new();
        for child in children {
            match child {
                StructuredDataTagChild::Paragraph(p) => blocks.extend(self.paragraph(p)),
                StructuredDataTagChild::Table(t) if depth < MAX_TABLE_DEPTH => {
                    blocks.extend(self.table(t, depth + 1))
                }
                StructuredDataTagChild::StructuredDataTag(tag) if depth < MAX_TABLE_DEPTH => {
                    blocks.extend(self.tag(&tag.children, depth + 1))
                }
                _ => {}
            }
        }
        blocks
    }

    /// One paragraph as blocks: usually one, more where a manual line break
    /// starts a typed list item ("<br>- item").
    fn paragraph(&mut self, paragraph: &Paragraph) -> Vec<Block> {
        self.paragraphs += 1;
        let line = self.paragraphs;
        let kind = self.kind(paragraph);
        let role = match kind {
            Kind::Title => Role::Title,
            Kind::Subtitle => Role::Subtitle,
            Kind::Heading(level) => Role::Heading(level),
            Kind::Item(_) => Role::Item,
            Kind::Plain => Role::Text,
        };
        let level = match kind {
            Kind::Item(level) => level,
            _ => 0,
        };
        let style_bold = self.style_bold(paragraph);
        let mut spans = Vec::new();
        for child in &paragraph.children {
            self.child_spans(child, style_bold, &mut spans);
        }
        let mut blocks = Vec::new();
        for (index, piece) in split_lines(spans).into_iter().enumerate() {
            let (text, bold) = join(&piece);
            if text.is_empty() {
                continue;
            }
            blocks.push(Block {
                line,
                role: if index == 0 { role } else { Role::Text },
                text,
                bold,
                level,
                gap_before: index == 0,
            });
        }
        blocks
    }

    /// A paragraph's kind: Title, Subtitle and Heading by the name of its
    /// style or a style it is based on (names are stable across Word's
    /// languages only in English; French, Spanish and German names are known
    /// too), or by outline level; an item if the paragraph or its style has
    /// numbering.
    fn kind(&self, paragraph: &Paragraph) -> Kind {
        let style_id = paragraph.property.style.as_ref().map(|s| s.val.as_str());
        let mut id = style_id;
        for _ in 0..8 {
            let Some(style) = id.and_then(|id| self.docx.styles.find_style_by_id(id)) else {
                break;
            };
            let name = serde_json::to_value(&style.name)
                .ok()
                .and_then(|v| v.as_str().map(str::to_lowercase))
                .unwrap_or_default();
            if let Some(kind) = kind_of_style_name(&name) {
                return kind;
            }
            if let Some(level) = style.paragraph_property.outline_lvl.as_ref() {
                return Kind::Heading((level.v + 1).clamp(1, 6) as u8);
            }
            id = style
                .based_on
                .as_ref()
                .and_then(|b| serde_json::to_value(b).ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .and_then(|b| {
                    self.docx
                        .styles
                        .find_style_by_id(&b)
                        .map(|s| s.style_id.as_str())
                });
        }
        if let Some(level) = paragraph.property.outline_lvl.as_ref()
            && level.v < 9
        {
            return Kind::Heading((level.v + 1).clamp(1, 6) as u8);
        }
        let numbered = |numbering: Option<&docx_rs::NumberingProperty>| {
            numbering
                .filter(|n| n.id.as_ref().is_some_and(|id| id.id != 0))
                .map(|n| n.level.as_ref().map_or(0, |l| l.val.min(8) as u8))
        };
        let style = style_id.and_then(|id| self.docx.styles.find_style_by_id(id));
        numbered(paragraph.property.numbering_property.as_ref())
            .or_else(|| {
                style.and_then(|s| numbered(s.paragraph_property.numbering_property.as_ref()))
            })
            .map_or(Kind::Plain, Kind::Item)
    }

    /// Whether the paragraph's style makes its text bold.
    fn style_bold(&self, paragraph: &Paragraph) -> bool {
        paragraph
            .property
            .style
            .as_ref()
            .and_then(|s| self.docx.styles.find_style_by_id(&s.val))
            .is_some_and(|s| s.run_property.bold.as_ref().is_some_and(is_on))
    }

    fn child_spans(&self, child: &ParagraphChild, style_bold: bool, out: &mut Vec<Span>) {
        match child {
            ParagraphChild::Run(run) => self.run_spans(run, style_bold, out),
            ParagraphChild::Insert(insert) => {
                for child in &insert.children {
                    if let InsertChild::Run(run) = child {
                        self.run_spans(run, style_bold, out);
                    }
                }
            }
            ParagraphChild::Hyperlink(Hyperlink { children, .. }) => {
                for child in children {
                    self.child_spans(child, style_bold, out);
                }
            }
            ParagraphChild::StructuredDataTag(tag) => {
                for child in &tag.children {
                    match child {
                        StructuredDataTagChild::Run(run) => self.run_spans(run, style_bold, out),
                        StructuredDataTagChild::Paragraph(p) => {
                            for child in &p.children {
                                self.child_spans(child, style_bold, out);
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn run_spans(&self, run: &Run, style_bold: bool, out: &mut Vec<Span>) {
        let property = &run.run_property;
        let character_style_bold = property
            .style
            .as_ref()
            .and_then(|s| self.docx.styles.find_style_by_id(&s.val))
            .is_some_and(|s| s.run_property.bold.as_ref().is_some_and(is_on));
        let bold = match property.bold.as_ref() {
            Some(b) => is_on(b),
            None => character_style_bold || style_bold,
        };
        let mut text = String::new();
        for child in &run.children {
            match child {
                RunChild::Text(t) => text.push_str(&t.text),
                RunChild::Tab(_) | RunChild::PTab(_) => text.push(' '),
                RunChild::Break(_) => {
                    out.push(Span {
                        text: std::mem::take(&mut text),
                        bold,
                    });
                    out.push(Span {
                        text: "\n".into(),
                        bold: false,
                    });
                }
                _ => {}
            }
        }
        out.push(Span { text, bold });
    }
}

fn is_on(bold: &docx_rs::Bold) -> bool {
    serde_json::to_value(bold)
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(true)
}

/// Style names, lower-cased, in the languages Word and LibreOffice ship.
fn kind_of_style_name(name: &str) -> Option<Kind> {
    const TITLES: &[&str] = &["title", "titre", "título", "titulo", "titel", "titolo"];
    const SUBTITLES: &[&str] = &[
        "subtitle",
        "sous-titre",
        "subtítulo",
        "subtitulo",
        "untertitel",
        "sottotitolo",
    ];
    const HEADINGS: &[&str] = &[
        "heading",
        "titre",
        "título",
        "titulo",
        "encabezado",
        "überschrift",
        "titolo",
    ];
    if TITLES.contains(&name) {
        return Some(Kind::Title);
    }
    if SUBTITLES.contains(&name) {
        return Some(Kind::Subtitle);
    }
    let (word, number) = name.rsplit_once(' ')?;
    let level: u8 = number.parse().ok()?;
    HEADINGS
        .contains(&word)
        .then(|| Kind::Heading(level.clamp(1, 6)))
}

use rapporteur_parse::document::{Span, join_spans as join};

/// Splits a paragraph's spans at manual line breaks where the next line is
/// a list item of its own ("- item") or the line before is all bold (a
/// label): other breaks are a layout choice and read as a space.
fn split_lines(spans: Vec<Span>) -> Vec<Vec<Span>> {
    let mut lines: Vec<Vec<Span>> = vec![Vec::new()];
    for span in spans {
        if span.text == "\n" {
            lines.push(Vec::new());
        } else {
            lines.last_mut().expect("one line at least").push(span);
        }
    }
    let mut out: Vec<Vec<Span>> = Vec::new();
    for line in lines {
        let text: String = line.iter().map(|s| s.text.as_str()).collect();
        let starts_item = text.trim_start().starts_with(['-', '•', '*', '–', '·'])
            || text
                .trim_start()
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
                && text
                    .trim_start()
                    .chars()
                    .nth(1)
                    .is_some_and(|c| matches!(c, '.' | ')'));
        let previous_bold = out.last().is_some_and(|prev| {
            prev.iter().any(|s| s.bold && !s.text.trim().is_empty())
                && prev.iter().all(|s| s.bold || s.text.trim().is_empty())
        });
        match out.last_mut() {
            Some(prev) if !(starts_item || previous_bold) => {
                prev.push(Span {
                    text: " ".into(),
                    bold: false,
                });
                prev.extend(line);
            }
            _ => out.push(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bold_runs_merge_and_markers_hug_the_words() {
        let spans = vec![
            Span {
                text: " Ms. Awa ".into(),
                bold: true,
            },
            Span {
                text: "Diallo".into(),
                bold: true,
            },
            Span {
                text: " (ITU) said".into(),
                bold: false,
            },
        ];
        let (text, bold) = join(&spans);
        assert_eq!(text, "Ms. Awa Diallo (ITU) said");
        assert_eq!(&text[bold[0].0..bold[0].1], "Ms. Awa Diallo");
    }

    #[test]
    fn style_names_in_several_languages() {
        assert_eq!(kind_of_style_name("titre"), Some(Kind::Title));
        assert_eq!(kind_of_style_name("titre 1"), Some(Kind::Heading(1)));
        assert_eq!(kind_of_style_name("encabezado 2"), Some(Kind::Heading(2)));
        assert_eq!(kind_of_style_name("heading 3"), Some(Kind::Heading(3)));
        assert_eq!(kind_of_style_name("sous-titre"), Some(Kind::Subtitle));
        assert_eq!(kind_of_style_name("normal"), None);
        assert_eq!(kind_of_style_name("list bullet"), None);
    }

    #[test]
    fn line_breaks_split_only_before_typed_items_and_after_labels() {
        let span = |text: &str, bold: bool| Span {
            text: text.into(),
            bold,
        };
        let lines = split_lines(vec![
            span("Key issues", true),
            span("\n", false),
            span("- first", false),
            span("\n", false),
            span("goes on", false),
        ]);
        let texts: Vec<String> = lines.iter().map(|l| join(l).0).collect();
        assert_eq!(texts, ["Key issues", "- first goes on"]);
    }
}
