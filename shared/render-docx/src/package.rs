//! The .docx package: the parts docx-rs built, plus the document properties
//! it cannot write, zipped in a fixed order with fixed timestamps.
//!
//! docx-rs has no setters for the title, subject, keywords or language of a
//! document, and writes custom properties in hash-map order; both property
//! parts are therefore written here. Its own packer stamps entries with the
//! clock, so the zip is written here too.

use std::io::{Cursor, Write};

use docx_rs::XMLDocx;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::DocxError;

/// What the core and custom property parts say.
pub(crate) struct Properties {
    pub title: String,
    pub subject: String,
    pub creator: String,
    pub keywords: String,
    pub language: String,
    /// W3CDTF timestamp, also used as the modification time.
    pub created: Option<String>,
    /// Custom properties (name, text), in the order they are written.
    pub custom: Vec<(String, String)>,
}

/// The identifier every custom document property carries (from the OLE
/// property set format the part inherits).
const CUSTOM_PROPERTY_FMTID: &str = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}";

/// Parts up to this size are stored rather than deflated.
const COMPRESS_ABOVE_BYTES: usize = 2048;

/// Zips the parts in the order docx-rs's own packer uses, with the
/// properties replaced and the Normal style marked as the default. docx-rs
/// built the document part with an empty body: `write_body` writes the
/// body's paragraphs into it, straight into the compressor.
pub(crate) fn pack(
    parts: XMLDocx,
    properties: &Properties,
    write_body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<Vec<u8>, DocxError> {
    // The body's children go right after `<w:body>`, before the section
    // properties docx-rs wrote.
    const BODY: &[u8] = b"<w:body>";
    let body_at = parts
        .document
        .windows(BODY.len())
        .position(|w| w == BODY)
        .ok_or(DocxError::NoBody)?
        + BODY.len();
    let mut write_body = Some(write_body);
    let mut entries: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), parts.content_type),
        ("_rels/.rels".into(), parts.rels),
        ("docProps/app.xml".into(), parts.doc_props.app),
        (
            "docProps/core.xml".into(),
            core_xml(properties).into_bytes(),
        ),
        (
            "docProps/custom.xml".into(),
            custom_xml(properties).into_bytes(),
        ),
        ("word/_rels/document.xml.rels".into(), parts.document_rels),
        ("word/document.xml".into(), parts.document),
        ("word/styles.xml".into(), mark_normal_default(parts.styles)?),
        ("word/settings.xml".into(), parts.settings),
        ("word/fontTable.xml".into(), parts.font_table),
        ("word/comments.xml".into(), parts.comments),
        ("word/numbering.xml".into(), parts.numberings),
        ("word/commentsExtended.xml".into(), parts.comments_extended),
        ("word/footnotes.xml".into(), parts.footnotes),
    ];
    for (index, footer) in parts.footers.into_iter().enumerate() {
        let number = index + 1;
        entries.push((format!("word/footer{number}.xml"), footer));
        if let Some(rels) = parts.footer_rels.get(index) {
            entries.push((format!("word/_rels/footer{number}.xml.rels"), rels.clone()));
        }
    }

    let unpacked: usize = entries.iter().map(|(_, bytes)| bytes.len()).sum();
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(unpacked / 2)));
    // 1980-01-01 00:00, the earliest time a zip can record: no clock, so
    // converting the same summary twice gives the same bytes.
    let options = SimpleFileOptions::default()
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    for (name, bytes) in entries {
        let is_document = name == "word/document.xml";
        // Setting up a deflate stream costs more than compressing a small
        // part saves (it was most of the render time); only the document,
        // numbering and similar parts are worth it, and at level 1: as for
        // the PDF's streams, higher levels cost more time than the bytes
        // they save are worth.
        let options = if is_document || bytes.len() > COMPRESS_ABOVE_BYTES {
            options
                .compression_method(CompressionMethod::Deflated)
                .compression_level(Some(1))
        } else {
            options.compression_method(CompressionMethod::Stored)
        };
        zip.start_file(name, options)?;
        match write_body.take_if(|_| is_document) {
            Some(write_body) => {
                zip.write_all(&bytes[..body_at])
                    .and_then(|()| write_body(&mut zip))
                    .and_then(|()| zip.write_all(&bytes[body_at..]))
                    .map_err(zip::result::ZipError::Io)?;
            }
            None => zip.write_all(&bytes).map_err(zip::result::ZipError::Io)?,
        }
    }
    Ok(zip.finish()?.into_inner())
}

/// Adds `w:default="1"` to docx-rs's Normal style, which it writes without
/// one; Word and LibreOffice take the default paragraph style from it.
fn mark_normal_default(styles: Vec<u8>) -> Result<Vec<u8>, DocxError> {
    const NORMAL: &str = r#"<w:style w:type="paragraph" w:styleId="Normal">"#;
    const DEFAULT_NORMAL: &str = r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal">"#;
    let text = String::from_utf8(styles).map_err(|_| DocxError::NoNormalStyle)?;
    if text.matches(NORMAL).count() != 1 {
        return Err(DocxError::NoNormalStyle);
    }
    Ok(text.replacen(NORMAL, DEFAULT_NORMAL, 1).into_bytes())
}

fn core_xml(p: &Properties) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
    );
    for (element, value) in [
        ("dc:title", &p.title),
        ("dc:subject", &p.subject),
        ("dc:creator", &p.creator),
        ("cp:keywords", &p.keywords),
        ("dc:language", &p.language),
        ("cp:lastModifiedBy", &p.creator),
    ] {
        if !value.is_empty() {
            xml.push_str(&format!("<{element}>{}</{element}>", escape(value)));
        }
    }
    xml.push_str("<cp:revision>1</cp:revision>");
    if let Some(created) = &p.created {
        for element in ["dcterms:created", "dcterms:modified"] {
            xml.push_str(&format!(
                r#"<{element} xsi:type="dcterms:W3CDTF">{}</{element}>"#,
                escape(created)
            ));
        }
    }
    xml.push_str("</cp:coreProperties>");
    xml
}

fn custom_xml(p: &Properties) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">"#,
    );
    // Property ids 0 and 1 are reserved by the property set format.
    for ((name, value), pid) in p.custom.iter().zip(2..) {
        xml.push_str(&format!(
            r#"<property fmtid="{CUSTOM_PROPERTY_FMTID}" pid="{pid}" name="{}"><vt:lpwstr>{}</vt:lpwstr></property>"#,
            escape(name),
            escape(value)
        ));
    }
    xml.push_str("</Properties>");
    xml
}

/// `text` escaped for XML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in xml_chars(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` without the characters XML 1.0 cannot hold (control characters
/// other than tab and line breaks, U+FFFE, U+FFFF): one of them would make
/// Word refuse the whole file.
pub(crate) fn xml_chars(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || !(c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_text_is_escaped_and_cleaned() {
        assert_eq!(
            escape("R&D <\"Q'\u{1}\u{FFFF}>"),
            "R&amp;D &lt;&quot;Q&apos;&gt;"
        );
        assert_eq!(xml_chars("a\tb\u{0}c\u{7f}"), "a\tbc\u{7f}");
    }

    #[test]
    fn a_styles_part_without_the_normal_style_is_an_error() {
        let styles =
            br#"<w:styles><w:style w:type="paragraph" w:styleId="Normal"></w:style></w:styles>"#;
        let marked = String::from_utf8(mark_normal_default(styles.to_vec()).unwrap()).unwrap();
        assert!(marked.contains(r#"w:default="1" w:styleId="Normal""#));
        assert!(matches!(
            mark_normal_default(b"<w:styles/>".to_vec()),
            Err(DocxError::NoNormalStyle)
        ));
    }
}
