//! Each layout pattern a PDF reader must handle, on a small PDF written in
//! the test (tests/common): two columns read left then right, running
//! headers, footers and page numbers dropped by where they sit, bold
//! speakers' names, words hyphenated at line ends, list markers, headings
//! by size, and the PDFs that are rejected with their reason (image-only,
//! encrypted, corrupt, over the limits).

mod common;

use std::time::Duration;

use common::{A4, Face, LETTER, lines, pdf, pdf_with, run, width};
use rapporteur_parse::{Block, ParseOptions, RejectKind, Role};
use rapporteur_read_pdf::{Limits, pdf_document, pdf_document_within, read_pdf_summary};
use rapporteur_test_tools::{Tool, available};

fn blocks(bytes: &[u8]) -> Vec<Block> {
    pdf_document("test.pdf", bytes, &ParseOptions::default())
        .unwrap()
        .blocks
}

fn texts(bytes: &[u8]) -> Vec<String> {
    blocks(bytes).into_iter().map(|b| b.text).collect()
}

#[test]
fn two_columns_are_read_left_column_first() {
    let mut page = vec![run(71.0, 90.0, 14.0, Face::Bold, "Key issues")];
    page.extend(lines(
        71.0,
        110.0,
        &[
            "Ms. Ana Ruiz said that the left",
            "column is read first, from the top",
            "to the bottom of the column.",
        ],
    ));
    page.extend(lines(
        71.0,
        160.0,
        &[
            "Mr. Bo Li added that a second",
            "paragraph stays in the left column.",
        ],
    ));
    page.extend(lines(
        308.0,
        110.0,
        &[
            "Dr. Eva Berg noted that the right",
            "column comes after the left one,",
            "however the lines stand side by",
            "side with those on the left.",
        ],
    ));
    let read = texts(&pdf(&[page], A4));
    assert_eq!(
        read,
        [
            "Key issues",
            "Ms. Ana Ruiz said that the left column is read first, from the top to the bottom of the column.",
            "Mr. Bo Li added that a second paragraph stays in the left column.",
            "Dr. Eva Berg noted that the right column comes after the left one, however the lines stand side by side with those on the left.",
        ]
    );
}

#[test]
fn a_two_column_form_gives_labels_and_answers_not_columns() {
    // Bold labels on the left stop far from the answers: a form, read row
    // by row, each label a label (as a Word form table is), an answer's
    // wrapped lines one paragraph, a label's wrapped words one label.
    let mut page = Vec::new();
    for (i, (label, value)) in [
        ("Session Type", "Workshop on open data and the cities"),
        ("Date & Time", "12 June 2023, 10:00-11:30 CEST, Room C"),
        (
            "Key Policy Questions and",
            "How do cities keep their data open",
        ),
    ]
    .iter()
    .enumerate()
    {
        let y = 100.0 + i as f32 * 20.0;
        page.push(run(71.0, y, 11.0, Face::Bold, label));
        page.push(run(300.0, y, 11.0, Face::Regular, value));
    }
    page.push(run(71.0, 154.7, 11.0, Face::Bold, "related issues"));
    page.push(run(
        300.0,
        154.7,
        11.0,
        Face::Regular,
        "once a project ends?",
    ));
    let read = blocks(&pdf(&[page], A4));
    let got: Vec<(Role, &str)> = read.iter().map(|b| (b.role, b.text.as_str())).collect();
    assert_eq!(
        got,
        [
            (Role::Label, "Session Type"),
            (Role::Text, "Workshop on open data and the cities"),
            (Role::Label, "Date & Time"),
            (Role::Text, "12 June 2023, 10:00-11:30 CEST, Room C"),
            (Role::Label, "Key Policy Questions and related issues"),
            (
                Role::Text,
                "How do cities keep their data open once a project ends?"
            ),
        ]
    );
}

#[test]
fn fields_at_tab_stops_that_are_no_form_stay_rows() {
    // One row with a gap: no table, the row read as one line of its own.
    let mut page = lines(71.0, 95.0, &["A paragraph of text above the row."]);
    page.push(run(71.0, 124.4, 11.0, Face::Regular, "Venue:"));
    page.push(run(300.0, 124.4, 11.0, Face::Regular, "Room C"));
    page.extend(lines(71.0, 139.1, &["Another paragraph below."]));
    assert_eq!(
        texts(&pdf(&[page], A4)),
        [
            "A paragraph of text above the row.",
            "Venue: Room C",
            "Another paragraph below."
        ]
    );
}

/// A page of body text with a running header and a footer, as LibreOffice
/// sets them in the page's margins.
fn page_with_furniture(
    paper: (f32, f32),
    number: usize,
    of: usize,
    body: &[&str],
) -> Vec<super_run::Run> {
    let mut page = vec![run(
        290.0,
        46.0,
        11.0,
        Face::Regular,
        "WSIS Forum 2023 — Outcome Document",
    )];
    page.extend(lines(71.0, 95.0, body));
    page.push(run(
        280.0,
        paper.1 - 38.0,
        11.0,
        Face::Regular,
        &format!("Page {number} of {of}"),
    ));
    page
}

mod super_run {
    pub use crate::common::Run;
}

#[test]
fn running_headers_footers_and_page_numbers_are_dropped_by_position() {
    for paper in [A4, LETTER] {
        let bytes = pdf(
            &[
                page_with_furniture(paper, 1, 2, &["The first page says one thing and"]),
                page_with_furniture(paper, 2, 2, &["carries on to the second page."]),
            ],
            paper,
        );
        let document = pdf_document("test.pdf", &bytes, &ParseOptions::default()).unwrap();
        let read: Vec<&str> = document.blocks.iter().map(|b| b.text.as_str()).collect();
        // The paragraph cut by the page break is one again.
        assert_eq!(
            read,
            ["The first page says one thing and carries on to the second page."]
        );
        assert!(
            document.warnings.iter().any(|(_, w)| w.contains(
                "dropped the running header, footer or page number of page 2: 'WSIS Forum 2023 — Outcome Document', 'Page 2 of 2'"
            )),
            "{:?}",
            document.warnings
        );
    }
    // On a single page nothing repeats: the margin tells.
    let single = pdf(
        &[page_with_furniture(A4, 1, 1, &["Only one page of text."])],
        A4,
    );
    assert_eq!(texts(&single), ["Only one page of text."]);
}

#[test]
fn a_page_number_alone_at_the_foot_of_the_text_is_dropped() {
    // Not in the margin band, not repeated: a bare number set apart.
    let mut page = lines(71.0, 95.0, &["Text of the page."]);
    page.push(run(290.0, 700.0, 11.0, Face::Regular, "- 3 -"));
    assert_eq!(texts(&pdf(&[page], A4)), ["Text of the page."]);
}

#[test]
fn a_large_title_near_the_top_edge_is_kept() {
    let page = vec![
        run(
            57.0,
            50.0,
            24.0,
            Face::Bold,
            "Summary of Thematic Workshop:",
        ),
        run(57.0, 78.0, 24.0, Face::Bold, "Open Data for Cities"),
    ]
    .into_iter()
    .chain(lines(
        57.0,
        110.0,
        &[
            "Some text in the body size, which",
            "most of the page is set in.",
        ],
    ))
    .collect();
    let read = blocks(&pdf(&[page], A4));
    assert_eq!(
        read[0].text,
        "Summary of Thematic Workshop: Open Data for Cities"
    );
    assert_eq!(read[0].role, Role::Heading(1));
}

#[test]
fn bold_speakers_names_are_told_from_the_font() {
    let name = "Ms. Ana Ruiz";
    let page = vec![
        run(
            71.0,
            95.0,
            20.0,
            Face::Bold,
            "Workshop: Open Data for Cities",
        ),
        run(
            71.0,
            125.0,
            11.0,
            Face::Regular,
            "12 June 2023, 10:00-11:30 CEST",
        ),
        run(71.0, 155.0, 14.0, Face::Bold, "Key issues"),
        run(71.0, 175.0, 11.0, Face::Bold, name),
        run(
            71.0 + width(name, 11.0) + 3.0,
            175.0,
            11.0,
            Face::Regular,
            "(Chief Data Officer, City of Lisbon) said that",
        ),
        run(
            71.0,
            189.7,
            11.0,
            Face::Regular,
            "open data needs owners in every city.",
        ),
    ];
    let bytes = pdf(&[page], A4);
    let read = blocks(&bytes);
    let issue = read.iter().find(|b| b.text.starts_with(name)).unwrap();
    assert_eq!(&issue.text[issue.bold[0].0..issue.bold[0].1], name);
    assert_eq!(issue.bold.len(), 1);
    let summary = read_pdf_summary("cities.pdf", &bytes, &ParseOptions::default()).unwrap();
    let speaker = summary.key_issues[0].speaker.as_ref().unwrap();
    assert_eq!(speaker.name, "Ana Ruiz");
    assert_eq!(speaker.role.as_deref(), Some("Chief Data Officer"));
    assert_eq!(summary.event.title, "Open Data for Cities");
}

#[test]
fn words_hyphenated_at_line_ends_are_mended() {
    let page = lines(
        71.0,
        95.0,
        &[
            "Participants discussed how commu-",
            "nication policies reach the Director of E-",
            "Government and her staff.",
        ],
    );
    let document = pdf_document("test.pdf", &pdf(&[page], A4), &ParseOptions::default()).unwrap();
    assert_eq!(
        document.blocks[0].text,
        "Participants discussed how communication policies reach the Director of E-Government and her staff."
    );
    assert!(
        document.warnings.contains(&(
            2,
            "joined 'commu-' and 'nication' hyphenated across lines".to_string()
        )),
        "{:?}",
        document.warnings
    );
}

#[test]
fn lines_become_paragraphs_by_spacing_and_by_what_fits() {
    let mut page = lines(
        71.0,
        95.0,
        &["A first paragraph that runs over the", "whole width."],
    );
    // No extra space, but "Short" would have fitted after "width.": a new
    // paragraph.
    page.extend(lines(71.0, 124.4, &["Short second paragraph."]));
    page.extend(lines(71.0, 160.0, &["A third after a gap."]));
    let read = blocks(&pdf(&[page], A4));
    let got: Vec<(&str, bool)> = read
        .iter()
        .map(|b| (b.text.as_str(), b.gap_before))
        .collect();
    assert_eq!(
        got,
        [
            ("A first paragraph that runs over the whole width.", true),
            ("Short second paragraph.", false),
            ("A third after a gap.", true),
        ]
    );
}

#[test]
fn list_markers_are_kept_as_items_with_their_level() {
    let page = vec![
        run(71.0, 95.0, 11.0, Face::Symbol, "•"),
        run(
            89.0,
            95.0,
            11.0,
            Face::Regular,
            "A bulleted item, the longest line, that wraps onto",
        ),
        run(89.0, 109.7, 11.0, Face::Regular, "a second line."),
        run(107.0, 124.4, 11.0, Face::Symbol, "•"),
        run(125.0, 124.4, 11.0, Face::Regular, "A nested item."),
        run(71.0, 139.1, 11.0, Face::Regular, "1."),
        run(89.0, 139.1, 11.0, Face::Regular, "A numbered item."),
        run(
            71.0,
            153.8,
            11.0,
            Face::Regular,
            "2. Typed with a space, left as written.",
        ),
    ];
    let read = blocks(&pdf(&[page], A4));
    let got: Vec<(Role, u8, &str)> = read
        .iter()
        .map(|b| (b.role, b.level, b.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                Role::Item,
                0,
                "A bulleted item, the longest line, that wraps onto a second line."
            ),
            (Role::Item, 1, "A nested item."),
            (Role::Item, 0, "A numbered item."),
            (Role::Text, 0, "2. Typed with a space, left as written."),
        ]
    );
}

#[test]
fn headings_are_told_by_size_against_the_body() {
    let mut page = vec![run(71.0, 80.0, 20.0, Face::Bold, "The Title")];
    page.push(run(71.0, 110.0, 14.0, Face::Bold, "A Section"));
    page.extend(lines(71.0, 130.0, &["Body text in the body size."]));
    page.push(run(71.0, 160.0, 12.5, Face::Bold, "A Sub-section"));
    page.extend(lines(71.0, 180.0, &["More body text."]));
    let read = blocks(&pdf(&[page], A4));
    let roles: Vec<Role> = read.iter().map(|b| b.role).collect();
    assert_eq!(
        roles,
        [
            Role::Heading(1),
            Role::Heading(2),
            Role::Text,
            Role::Heading(3),
            Role::Text
        ]
    );
}

fn rejection(bytes: &[u8]) -> rapporteur_parse::ParseError {
    pdf_document("test.pdf", bytes, &ParseOptions::default()).unwrap_err()
}

#[test]
fn an_image_only_pdf_is_rejected_with_run_ocr_first() {
    let scan = pdf_with(&[vec![], vec![]], A4, true);
    let error = rejection(&scan);
    assert_eq!(error.kind, RejectKind::Empty);
    assert!(
        error.message.starts_with("no text layer: run OCR first"),
        "{error}"
    );
    // Without images it has no text at all.
    let blank = rejection(&pdf(&[vec![]], A4));
    assert_eq!(blank.message, "the PDF has no text");
}

#[test]
fn corrupt_bytes_are_rejected() {
    let not_pdf = rejection(b"Background\n\nJust text with a .pdf name.");
    assert_eq!(not_pdf.kind, RejectKind::CorruptDocument);
    assert!(
        not_pdf
            .message
            .contains("if it is text, give it a .txt name"),
        "{not_pdf}"
    );
    let garbage = rejection(b"%PDF-1.7\n\x00\x01garbage that is no object at all");
    assert_eq!(garbage.kind, RejectKind::CorruptDocument);
    assert!(
        garbage.message.starts_with("not a readable PDF"),
        "{garbage}"
    );
    // Truncated files, at every tenth of their length, are rejected or
    // read, never a panic.
    let whole = pdf(&[lines(71.0, 95.0, &["Some text."])], A4);
    for tenth in 1..10 {
        let cut = &whole[..whole.len() * tenth / 10];
        let _ = pdf_document("cut.pdf", cut, &ParseOptions::default());
    }
}

#[test]
fn encrypted_pdfs_are_rejected() {
    if !available(&[Tool::Qpdf]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.pdf");
    std::fs::write(&plain, pdf(&[lines(71.0, 95.0, &["Secret text."])], A4)).unwrap();
    for (user, name) in [("secret", "locked.pdf"), ("", "restricted.pdf")] {
        let locked = dir.path().join(name);
        rapporteur_test_tools::run(std::process::Command::new("qpdf").args([
            "--encrypt",
            user,
            "owner",
            "256",
            "--",
            plain.to_str().unwrap(),
            locked.to_str().unwrap(),
        ]));
        let error = rejection(&std::fs::read(&locked).unwrap());
        assert_eq!(error.kind, RejectKind::Encrypted, "{name}: {error}");
        assert!(error.message.starts_with("the PDF is encrypted"), "{error}");
    }
}

#[test]
fn limits_on_size_pages_and_time_are_kept() {
    let two_pages = pdf(
        &[lines(71.0, 95.0, &["One."]), lines(71.0, 95.0, &["Two."])],
        A4,
    );
    let pages = pdf_document_within(
        "long.pdf",
        &two_pages,
        &ParseOptions::default(),
        &Limits {
            max_pages: 1,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert_eq!(pages.kind, RejectKind::TooLarge);
    assert!(
        pages.message.contains("has 2 pages, more than the 1 read"),
        "{pages}"
    );
    // The deadline is checked between pages.
    let slow = pdf_document_within(
        "slow.pdf",
        &two_pages,
        &ParseOptions::default(),
        &Limits {
            time: Duration::ZERO,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert_eq!(slow.kind, RejectKind::TooLarge);
    assert!(slow.message.contains("took longer than"), "{slow}");
    let big = pdf_document("big.pdf", &two_pages, &ParseOptions { max_bytes: 100 }).unwrap_err();
    assert_eq!(big.kind, RejectKind::TooLarge);
}

#[test]
fn a_decompression_bomb_is_refused() {
    // A page whose content stream inflates to 64 MiB of spaces.
    let mut doc = lopdf::Document::load_mem(&pdf(&[lines(71.0, 95.0, &["x"])], A4)).unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    let content = doc.get_page_contents(page)[0];
    let mut stream = lopdf::Stream::new(lopdf::Dictionary::new(), vec![b' '; 64 * 1024 * 1024]);
    stream.compress().unwrap();
    assert!(stream.content.len() < 1024 * 1024);
    doc.objects.insert(content, lopdf::Object::Stream(stream));
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    let error = rejection(&bytes);
    assert_eq!(error.kind, RejectKind::TooLarge, "{error}");
    assert!(
        error.message.contains("as decompression bombs do"),
        "{error}"
    );
}
