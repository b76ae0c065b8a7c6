//! Word documents (.docx) as input. Organisers often submit the Word
//! template rather than text; this reader turns its paragraphs into the
//! lightly-Markdown text the summary parser reads (Title and Heading styles
//! become heading lines, a session type in the Subtitle goes before the
//! title, bold runs `**…**`, numbered and bulleted paragraphs
//! `- ` items) and parses that, so a Word version of a summary gives the
//! same model as its text version.
//!
//! A .docx is a zip archive of XML parts, and so gets the archive checks
//! the inputs crate applies to `.zip` files (entry count, total size,
//! compression ratio, encryption) before docx-rs reads it. Errors are the
//! parser's [`ParseError`], so callers handle one error type for all inputs.

use std::io::{Cursor, Read};

use docx_rs::{
    Bold, DocumentChild, Docx, Hyperlink, InsertChild, Name, Paragraph, ParagraphChild, Run,
    RunChild, StructuredDataTagChild, Table, TableCellContent, TableChild, TableRowChild,
};
use rapporteur_model::{EventSummary, Source, SourceFormat};
use rapporteur_parse::{
    ParseError, ParseOptions, RejectKind, is_date_line, parse_summary, title_names_event_type,
};
use sha2::{Digest, Sha256};
use zip::ZipArchive;

/// The parts of a Word document, unpacked, may not exceed this: the text of
/// the longest summaries takes a few hundred kilobytes of XML, and the limit
/// leaves room for embedded pictures.
const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// Word's parts rarely deflate beyond 20:1; decompression bombs reach 1000:1.
const MAX_COMPRESSION_RATIO: u64 = 100;
/// A document has a few dozen parts; thousands mean something else.
const MAX_PARTS: usize = 1000;

/// How a Word file that is a password-protected document starts: the OLE
/// compound-file signature of the encrypted container Word writes instead
/// of a zip.
const OLE_SIGNATURE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Reads a summary with the reader its input needs: this crate's for Word
/// documents (a `.docx` name, or zip bytes whatever the name, which the text
/// parser could only call binary), the text parser for everything else.
pub fn read_summary(
    name: &str,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<EventSummary, ParseError> {
    let docx_name = std::path::Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("docx"));
    if docx_name || bytes.starts_with(b"PK\x03\x04") {
        read_docx_summary(name, bytes, options)
    } else {
        parse_summary(name, bytes, options)
    }
}

/// Reads a .docx summary. `name` is how the input is called in the model and
/// in errors. Line numbers in warnings and errors are paragraph numbers of
/// the document (every paragraph counts, empty ones and those in tables too).
pub fn read_docx_summary(
    name: &str,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<EventSummary, ParseError> {
    let reject = |kind, message: String| ParseError {
        source_name: name.to_string(),
        line: None,
        kind,
        message,
    };
    if bytes.len() > options.max_bytes {
        return Err(reject(
            RejectKind::TooLarge,
            format!(
                "the document is {} bytes, more than the {} allowed; raise --max-input-bytes if it is a genuine summary",
                bytes.len(),
                options.max_bytes
            ),
        ));
    }
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

    let text = DocumentText::of(&docx);
    let to_paragraph = |line: usize| text.paragraph_of_line(line);
    let mut summary = parse_summary(name, text.text.as_bytes(), options).map_err(|mut e| {
        e.line = e.line.map(to_paragraph);
        e
    })?;
    if text.event_type.is_some() {
        summary.event.kind = text.event_type.clone();
    }
    summary.source = Source {
        name: name.to_string(),
        sha256: format!("{:x}", Sha256::digest(bytes)),
        bytes: bytes.len() as u64,
        format: SourceFormat::Docx,
    };
    for warning in &mut summary.warnings {
        warning.line = to_paragraph(warning.line);
    }
    // Several lines can map to one paragraph; keep the parser's order and
    // uniqueness of warnings.
    summary.warnings.sort();
    summary.warnings.dedup();
    Ok(summary)
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
        // One byte over the limit tells "at the limit" from "over it".
        let size = std::io::copy(&mut (&mut entry).take(limit + 1), &mut std::io::sink())
            .map_err(|e| corrupt(format!("part {name:?}: {e}")))?;
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
    Ok(())
}

/// The document as the parser's text, with the paragraph each line came from.
struct DocumentText {
    text: String,
    /// Paragraph number (1-based) of each line (0-based); blank separator
    /// lines belong to the paragraph before them.
    line_paragraphs: Vec<usize>,
    /// The session type, when the Subtitle under the Title names it.
    event_type: Option<String>,
}

/// What a paragraph is, by its style and numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Title,
    Subtitle,
    Heading(usize),
    Item,
    Plain,
}

/// Where a Subtitle names the session type before the date, as this
/// project's DOCX writer puts it ("Side Event · 31 January 2023, 14:30").
const SUBTITLE_SEPARATOR: &str = " · ";

/// A Subtitle's session type, if it names one: the part before the date,
/// or, with no date, a few words that are not a date either. A longer
/// subtitle without a date is a tagline, which stays text.
fn subtitle_event_type(subtitle: &str) -> Option<(&str, &str)> {
    let (head, rest) = subtitle
        .split_once(SUBTITLE_SEPARATOR)
        .unwrap_or((subtitle, ""));
    let names_type = !is_date_line(head)
        && if rest.is_empty() {
            head.split_whitespace().count() <= 5
        } else {
            is_date_line(rest)
        };
    names_type.then_some((head.trim(), rest.trim()))
}

impl DocumentText {
    fn of(docx: &Docx) -> DocumentText {
        let mut paragraphs = Vec::new();
        for child in &docx.document.children {
            match child {
                DocumentChild::Paragraph(p) => paragraphs.push(p.as_ref()),
                DocumentChild::Table(t) => table_paragraphs(t, &mut paragraphs),
                DocumentChild::StructuredDataTag(tag) => {
                    tag_paragraphs(&tag.children, &mut paragraphs)
                }
                _ => {}
            }
        }
        let mut read: Vec<(usize, Kind, String)> = Vec::new();
        for (index, paragraph) in paragraphs.into_iter().enumerate() {
            let kind = kind(docx, paragraph);
            let text = match kind {
                Kind::Plain | Kind::Item => marked_text(paragraph),
                Kind::Title | Kind::Subtitle | Kind::Heading(_) => plain_text(paragraph),
            };
            if !text.is_empty() {
                read.push((index + 1, kind, text));
            }
        }

        let mut out = DocumentText {
            text: String::new(),
            line_paragraphs: Vec::new(),
            event_type: None,
        };
        // A session type in the Subtitle goes where the parser looks for it,
        // in front of the title ("Summary of Side Event: …"); the exact words
        // are put back into the model after parsing.
        if let [(_, Kind::Title, title), (_, Kind::Subtitle, subtitle), ..] = read.as_mut_slice()
            && !title_names_event_type(title)
            && let Some((event_type, date)) = subtitle_event_type(subtitle)
        {
            *title = format!("Summary of {event_type}: {title}");
            out.event_type = Some(event_type.to_string());
            *subtitle = date.to_string();
        }
        let mut in_list = false;
        for (number, kind, text) in read {
            if text.is_empty() {
                continue;
            }
            // List items are consecutive lines; everything else is a
            // paragraph of its own, set off by blank lines.
            if in_list && kind != Kind::Item {
                out.line(String::new(), number - 1);
            }
            in_list = kind == Kind::Item;
            match kind {
                Kind::Title | Kind::Subtitle | Kind::Plain => out.line(text, number),
                Kind::Heading(level) => out.line(format!("{} {text}", "#".repeat(level)), number),
                Kind::Item => out.line(format!("- {text}"), number),
            }
            if !in_list {
                out.line(String::new(), number);
            }
        }
        out
    }

    fn line(&mut self, text: String, paragraph: usize) {
        self.text.push_str(&text);
        self.text.push('\n');
        self.line_paragraphs.push(paragraph.max(1));
    }

    /// The paragraph of a 1-based line number of the text.
    fn paragraph_of_line(&self, line: usize) -> usize {
        let last = self.line_paragraphs.last().copied().unwrap_or(1);
        line.checked_sub(1)
            .and_then(|i| self.line_paragraphs.get(i))
            .copied()
            .unwrap_or(last)
    }
}

fn table_paragraphs<'a>(table: &'a Table, out: &mut Vec<&'a Paragraph>) {
    for TableChild::TableRow(row) in &table.rows {
        for TableRowChild::TableCell(cell) in &row.cells {
            for content in &cell.children {
                match content {
                    TableCellContent::Paragraph(p) => out.push(p),
                    TableCellContent::Table(t) => table_paragraphs(t, out),
                    TableCellContent::StructuredDataTag(tag) => tag_paragraphs(&tag.children, out),
                    TableCellContent::TableOfContents(_) => {}
                }
            }
        }
    }
}

/// Paragraphs inside content controls, which Word templates use for the
/// fields an organiser fills in.
fn tag_paragraphs<'a>(children: &'a [StructuredDataTagChild], out: &mut Vec<&'a Paragraph>) {
    for child in children {
        match child {
            StructuredDataTagChild::Paragraph(p) => out.push(p),
            StructuredDataTagChild::Table(t) => table_paragraphs(t, out),
            StructuredDataTagChild::StructuredDataTag(tag) => tag_paragraphs(&tag.children, out),
            _ => {}
        }
    }
}

/// A paragraph's kind: Title and Heading by the name of its style (names
/// are the same in every language of Word, style ids are not); an item if
/// the paragraph or its style has numbering (Word's List Bullet style
/// carries its numbering in the style).
fn kind(docx: &Docx, paragraph: &Paragraph) -> Kind {
    let style = paragraph
        .property
        .style
        .as_ref()
        .and_then(|s| docx.styles.find_style_by_id(&s.val));
    if let Some(style) = style {
        if style.name == Name::new("Title") {
            return Kind::Title;
        }
        if style.name == Name::new("Subtitle") {
            return Kind::Subtitle;
        }
        if style.name.is_heading() {
            return Kind::Heading(style.name.get_heading_number().unwrap_or(1).clamp(1, 6));
        }
    }
    let numbered = |numbering: Option<&docx_rs::NumberingProperty>| {
        numbering
            .and_then(|n| n.id.as_ref())
            .is_some_and(|id| id.id != 0)
    };
    if numbered(paragraph.property.numbering_property.as_ref())
        || style.is_some_and(|s| numbered(s.paragraph_property.numbering_property.as_ref()))
    {
        return Kind::Item;
    }
    Kind::Plain
}

/// A run of text with its weight.
struct Span {
    text: String,
    bold: bool,
}

/// The paragraph's visible text, runs in order (deleted text left out).
fn spans(paragraph: &Paragraph) -> Vec<Span> {
    let mut spans = Vec::new();
    for child in &paragraph.children {
        child_spans(child, &mut spans);
    }
    spans
}

fn child_spans(child: &ParagraphChild, out: &mut Vec<Span>) {
    match child {
        ParagraphChild::Run(run) => out.push(run_span(run)),
        ParagraphChild::Insert(insert) => {
            for child in &insert.children {
                if let InsertChild::Run(run) = child {
                    out.push(run_span(run));
                }
            }
        }
        ParagraphChild::Hyperlink(Hyperlink { children, .. }) => {
            for child in children {
                child_spans(child, out);
            }
        }
        ParagraphChild::StructuredDataTag(tag) => {
            for child in &tag.children {
                match child {
                    StructuredDataTagChild::Run(run) => out.push(run_span(run)),
                    StructuredDataTagChild::Paragraph(p) => {
                        out.extend(spans(p));
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

fn run_span(run: &Run) -> Span {
    let mut text = String::new();
    for child in &run.children {
        match child {
            RunChild::Text(t) => text.push_str(&t.text),
            // One paragraph is one line of the parser's text, so tabs and
            // line breaks inside a paragraph become spaces.
            RunChild::Tab(_) | RunChild::PTab(_) | RunChild::Break(_) => text.push(' '),
            _ => {}
        }
    }
    Span {
        text,
        bold: run.run_property.bold == Some(Bold::new()),
    }
}

/// The text without markup, whitespace collapsed.
fn plain_text(paragraph: &Paragraph) -> String {
    let text: String = spans(paragraph).into_iter().map(|s| s.text).collect();
    collapse(&text)
}

/// The text with bold spans as `**…**`, the parser's mark of a speaker's name.
fn marked_text(paragraph: &Paragraph) -> String {
    let mut merged: Vec<Span> = Vec::new();
    for span in spans(paragraph) {
        let text = collapse_inner(&span.text);
        // Bold spaces carry no meaning; treating them as plain lets
        // "**Name** **(ITU)**" merge into one span.
        let bold = span.bold && !text.trim().is_empty();
        match merged.last_mut() {
            Some(last) if last.bold == bold => last.text.push_str(&text),
            _ => merged.push(Span { text, bold }),
        }
    }
    let mut out = String::new();
    for span in merged {
        if span.bold {
            // Markers hug the words: "** Name **" is not bold to the parser.
            let trimmed = span.text.trim();
            let lead = &span.text[..span.text.len() - span.text.trim_start().len()];
            let trail = &span.text[span.text.trim_end().len()..];
            out.push_str(&format!("{lead}**{trimmed}**{trail}"));
        } else {
            out.push_str(&span.text);
        }
    }
    collapse(&out)
}

/// Runs of whitespace as one space, without trimming.
fn collapse_inner(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

fn collapse(text: &str) -> String {
    collapse_inner(text).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_collapses_and_bold_markers_hug_the_words() {
        assert_eq!(collapse(" a \t b\u{a0} c "), "a b c");
        let paragraph = Paragraph::new()
            .add_run(Run::new().add_text(" Ms. Awa ").bold())
            .add_run(Run::new().add_text("Diallo").bold())
            .add_run(Run::new().add_text(" ").bold())
            .add_run(Run::new().add_text("(ITU) said"));
        assert_eq!(marked_text(&paragraph), "**Ms. Awa Diallo** (ITU) said");
    }

    #[test]
    fn a_subtitle_names_the_session_type_before_its_date() {
        assert_eq!(
            subtitle_event_type("Side Event · 31 January 2023, 14:30–15:45 CET"),
            Some(("Side Event", "31 January 2023, 14:30–15:45 CET"))
        );
        assert_eq!(
            subtitle_event_type("Atelier · 12 juin 2023"),
            Some(("Atelier", "12 juin 2023"))
        );
        assert_eq!(subtitle_event_type("Workshop"), Some(("Workshop", "")));
        // A date alone, a tagline, and a type-like part before something
        // that is not a date are no session types.
        assert_eq!(
            subtitle_event_type("31 January 2023, 14:30–15:45 CET"),
            None
        );
        assert_eq!(
            subtitle_event_type("How cities can share what they know about data"),
            None
        );
        assert_eq!(subtitle_event_type("Data · the new oil"), None);
    }

    #[test]
    fn lines_map_back_to_paragraphs() {
        let text = DocumentText {
            text: "a\n\n- b\n- c\n\n".to_string(),
            line_paragraphs: vec![1, 1, 3, 4, 4],
            event_type: None,
        };
        assert_eq!(
            (1..=6)
                .map(|l| text.paragraph_of_line(l))
                .collect::<Vec<_>>(),
            [1, 1, 3, 4, 4, 4]
        );
    }
}
