//! Hostile Word documents: whatever a .docx holds, the reader returns a
//! summary's blocks or a typed [`ParseError`]; it never panics, aborts or
//! overflows its stack. Deep nesting and DOCTYPEs are refused before docx-rs
//! parses anything; property tests mutate a real document's zip and XML.

use std::io::{Cursor, Read, Write};

use docx_rs::{Docx, Paragraph, Run};
use proptest::prelude::*;
use rapporteur_parse::{ParseError, ParseOptions, RejectKind};
use rapporteur_read_docx::docx_document;
use zip::write::SimpleFileOptions;

/// A small, valid Word document made by docx-rs.
fn valid_docx() -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    Docx::new()
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("Workshop: Open Data")))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("Background")))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("Cities publish data.")))
        .build()
        .pack(&mut out)
        .unwrap();
    out.into_inner()
}

/// The parts of a zip, in order.
fn parts(docx: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(docx)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().to_string(), bytes)
        })
        .collect()
}

fn pack(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// The valid document with `word/document.xml` replaced.
fn with_document_xml(xml: &str) -> Vec<u8> {
    let mut parts = parts(&valid_docx());
    for (name, bytes) in &mut parts {
        if name == "word/document.xml" {
            *bytes = xml.as_bytes().to_vec();
        }
    }
    pack(&parts)
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// A body with `depth` tables each inside the one cell of the one before.
fn nested_tables(depth: usize) -> String {
    let open = "<w:tbl><w:tr><w:tc>";
    let close = "<w:p/></w:tc></w:tr></w:tbl>";
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document xmlns:w=\"{W}\"><w:body><w:p><w:r><w:t>Workshop</w:t></w:r></w:p>{}<w:p>\
         <w:r><w:t>deep</w:t></w:r></w:p>{}</w:body></w:document>",
        open.repeat(depth),
        close.repeat(depth)
    )
}

fn read(bytes: &[u8]) -> Result<rapporteur_parse::Document, ParseError> {
    docx_document("hostile.docx", bytes, &ParseOptions::default())
}

/// Defect 2 of issue 12: 150 nested tables (36 KB) overflowed the stack in
/// docx-rs's recursive reader and aborted the process. 1,000 levels take
/// 50 KB; they are refused, unparsed, with the depth reached.
#[test]
fn deeply_nested_tables_are_refused_before_parsing() {
    let hostile = with_document_xml(&nested_tables(1000));
    assert!(hostile.len() < 60 * 1024, "{} bytes", hostile.len());
    let error = read(&hostile).expect_err("refused");
    assert_eq!(error.kind, RejectKind::TooLarge, "{error}");
    assert!(
        error.message.contains("word/document.xml") && error.message.contains("nested"),
        "{error}"
    );
    // 150 levels, the size found in the attack, is refused too.
    let error = read(&with_document_xml(&nested_tables(150))).expect_err("refused");
    assert_eq!(error.kind, RejectKind::TooLarge, "{error}");
}

/// Tables nested a few levels deep, as forms are, still read.
#[test]
fn modestly_nested_tables_still_read() {
    let document = read(&with_document_xml(&nested_tables(6))).expect("read");
    let text: Vec<&str> = document.blocks.iter().map(|b| b.text.as_str()).collect();
    assert!(text.contains(&"Workshop"), "{text:?}");
}

/// A DOCTYPE is how external entities (XXE) and entity expansion ("billion
/// laughs") get into XML; Word never writes one.
#[test]
fn doctype_is_refused() {
    let xml = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE w:document [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\
         <w:document xmlns:w=\"{W}\"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    );
    let error = read(&with_document_xml(&xml)).expect_err("refused");
    assert_eq!(error.kind, RejectKind::CorruptDocument, "{error}");
    assert!(error.message.contains("DOCTYPE"), "{error}");
}

/// Very many elements (a document of a million empty paragraphs) are refused
/// before docx-rs builds a model of each.
/// Found by `other_parts_mutated_never_panic`: a part whose root element is
/// never closed made docx-rs wait for its end tag forever (the test hung).
#[test]
fn a_part_that_ends_inside_an_element_is_refused_not_read_forever() {
    for name in ["word/styles.xml", "word/document.xml"] {
        let mut parts = parts(&valid_docx());
        let part = parts
            .iter_mut()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("the fixture has {name}"));
        let text = String::from_utf8(part.1.clone()).unwrap();
        let end = text.rfind("</").expect("a closing tag");
        part.1 = text.as_bytes()[..end].to_vec();
        let error = read(&pack(&parts)).expect_err(name);
        assert_eq!(error.kind, RejectKind::CorruptDocument, "{name}: {error}");
        assert!(error.message.contains("never closed"), "{error}");
    }
    // An empty part is no document either.
    let mut parts = parts(&valid_docx());
    for part in parts.iter_mut().filter(|(n, _)| n == "word/styles.xml") {
        part.1.clear();
    }
    assert_eq!(
        read(&pack(&parts)).unwrap_err().kind,
        RejectKind::CorruptDocument
    );
}

/// Also found by the property tests: a .rels part whose styles
/// relationship lost its target (one byte changed between two attributes)
/// or leads to another part made docx-rs read that part as styles and wait
/// for a `</w:styles>` that never comes.
#[test]
fn a_relationship_to_the_wrong_part_is_refused_not_read_forever() {
    let rels = "word/_rels/document.xml.rels";
    let changes: [(&str, &str); 2] = [
        ("\" Target=\"styles.xml\"", "\"\u{dc}Target=\"styles.xml\""),
        ("Target=\"styles.xml\"", "Target=\"document.xml\""),
    ];
    for (from, to) in changes {
        let mut parts = parts(&valid_docx());
        let part = parts.iter_mut().find(|(n, _)| n == rels).expect("rels");
        let text = String::from_utf8(part.1.clone()).unwrap();
        assert!(text.contains(from), "{text}");
        part.1 = text.replacen(from, to, 1).into_bytes();
        let error = read(&pack(&parts)).expect_err(to);
        assert_eq!(error.kind, RejectKind::CorruptDocument, "{to}: {error}");
        assert!(error.message.contains("relationship"), "{error}");
    }
}

#[test]
fn too_many_elements_are_refused() {
    // Each paragraph carries a pseudo-random revision id, as Word's do, so
    // that the part does not deflate like a decompression bomb (which the
    // ratio check would refuse first).
    let mut state: u32 = 12345;
    let mut body = String::with_capacity(1_100_000 * 22);
    for _ in 0..1_100_000 {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
        body.push_str(&format!("<w:p w:rsidR=\"{state:08X}\"/>"));
    }
    let xml = format!("<w:document xmlns:w=\"{W}\"><w:body>{body}</w:body></w:document>");
    // Past the default input size, as --max-input-bytes allows.
    let options = ParseOptions {
        max_bytes: 64 * 1024 * 1024,
    };
    let error =
        docx_document("hostile.docx", &with_document_xml(&xml), &options).expect_err("refused");
    assert_eq!(error.kind, RejectKind::TooLarge, "{error}");
    assert!(error.message.contains("elements"), "{error}");
}

/// The outcome must be Ok or a typed error naming the input.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Err(error) = read(bytes) {
        prop_assert_eq!(error.source_name.as_str(), "hostile.docx");
        prop_assert!(!error.message.is_empty());
    }
    Ok(())
}

/// XML made of the pieces Word documents are made of, in any order and
/// nesting (unbalanced included).
fn xml_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<w:p>".to_string()),
        Just("</w:p>".to_string()),
        Just("<w:r>".to_string()),
        Just("</w:r>".to_string()),
        Just("<w:t>".to_string()),
        Just("</w:t>".to_string()),
        Just("<w:tbl><w:tr><w:tc>".to_string()),
        Just("</w:tc></w:tr></w:tbl>".to_string()),
        Just("<w:sdt><w:sdtContent>".to_string()),
        Just("</w:sdtContent></w:sdt>".to_string()),
        Just("<w:br/>".to_string()),
        Just("<w:b/>".to_string()),
        Just("<w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr>".to_string()),
        Just(
            "<w:numPr><w:ilvl w:val=\"99999999999\"/><w:numId w:val=\"-1\"/></w:numPr>".to_string()
        ),
        Just("<w:outlineLvl w:val=\"255\"/>".to_string()),
        Just("&amp;&lt;&#0;&#xFFFF;&bogus;".to_string()),
        Just("<![CDATA[x]]>".to_string()),
        "[a-zA-Z .:]{0,20}",
        "\\PC{0,8}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check(&bytes)?;
    }

    #[test]
    fn valid_zip_mutated_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = valid_docx();
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let keep = cut.index(bytes.len() + 1).max(bytes.len() / 2);
        bytes.truncate(keep);
        check(&bytes)?;
    }

    #[test]
    fn word_xml_pieces_never_panic(pieces in proptest::collection::vec(xml_piece(), 0..60)) {
        let xml = format!(
            "<w:document xmlns:w=\"{W}\"><w:body>{}</w:body></w:document>",
            pieces.concat()
        );
        check(&with_document_xml(&xml))?;
    }

    #[test]
    fn other_parts_mutated_never_panic(
        part in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut parts = parts(&valid_docx());
        let i = part.index(parts.len());
        let bytes = &mut parts[i].1;
        if !bytes.is_empty() {
            for (at, value) in edits {
                let j = at.index(bytes.len());
                bytes[j] = value;
            }
        }
        check(&pack(&parts))?;
    }
}
