//! Word documents as input: the examples and parser fixtures, rendered to
//! DOCX and read back, give the model their text gave; Word-made structure
//! (Heading styles, numbering, bold runs) is read as the parser's markup,
//! with warnings on paragraph numbers; documents that are corrupt,
//! password-protected, decompression bombs or not summaries are rejected
//! with a message that says what to do.

use std::io::Write;
use std::path::PathBuf;

use docx_rs::{
    AbstractNumbering, Docx, IndentLevel, Level, LevelJc, LevelText, NumberFormat, Numbering,
    NumberingId, Paragraph, Run, Start, Style, StyleType,
};
use rapporteur_model::{EventSummary, SourceFormat};
use rapporteur_parse::{ParseError, ParseOptions, RejectKind, parse_summary};
use rapporteur_read_docx::read_docx_summary;
use rapporteur_render_docx::render_docx;
use rapporteur_test_tools::{examples, repo_root};

const A4: (f32, f32) = (210.0, 297.0);

fn read(name: &str, bytes: &[u8]) -> Result<EventSummary, ParseError> {
    read_docx_summary(name, bytes, &ParseOptions::default())
}

fn inputs() -> Vec<PathBuf> {
    let fixtures = repo_root().join("shared/parse/tests/fixtures");
    let mut paths = examples();
    paths.extend(
        [
            "pdf-debris.txt",
            "multilingual-names.txt",
            "crlf-bom-mojibake.txt",
        ]
        .iter()
        .map(|name| fixtures.join(name)),
    );
    paths
}

/// Everything but `source` (which describes the .docx, not the text) and
/// `warnings` (which are about repairs to the text, and on paragraphs)
/// must survive: schema version, the event (type, title, dates, times,
/// zone), language, background, key issues with their speakers' honorific,
/// name, role and organisation, recommendations, and other sections.
#[test]
fn rendered_summaries_read_back_to_the_same_model() {
    for path in inputs() {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        let from_text = parse_summary(&name, &bytes, &ParseOptions::default()).unwrap();
        let docx = render_docx(&from_text, A4).unwrap();
        let mut from_docx = read("summary.docx", &docx)
            .unwrap_or_else(|e| panic!("{name}: the rendered .docx is rejected: {e}"));

        assert_eq!(from_docx.source.name, "summary.docx");
        assert_eq!(from_docx.source.format, SourceFormat::Docx);
        assert_eq!(from_docx.source.bytes, docx.len() as u64);
        assert_eq!(from_docx.source.sha256.len(), 64);
        assert_ne!(from_docx.source.sha256, from_text.source.sha256);
        from_docx.source = from_text.source.clone();
        from_docx.warnings = from_text.warnings.clone();
        assert_eq!(from_docx, from_text, "{name}");
    }
}

/// Word's own way of building a summary, made with docx-rs rather than our
/// renderer: Title and "heading 1" styles under localised style ids, a
/// numbering definition, a bold speaker run split in two, an empty paragraph.
fn word_made_summary(background: &str) -> Vec<u8> {
    let heading = |text: &str| {
        Paragraph::new()
            .style("Titre1")
            .add_run(Run::new().add_text(text))
    };
    let item = |runs: Vec<Run>| {
        runs.into_iter().fold(
            Paragraph::new().numbering(NumberingId::new(5), IndentLevel::new(0)),
            Paragraph::add_run,
        )
    };
    let mut out = std::io::Cursor::new(Vec::new());
    Docx::new()
        .add_style(Style::new("Titre", StyleType::Paragraph).name("Title"))
        .add_style(Style::new("Titre1", StyleType::Paragraph).name("heading 1"))
        .add_abstract_numbering(AbstractNumbering::new(5).add_level(Level::new(
            0,
            Start::new(1),
            NumberFormat::new("bullet"),
            LevelText::new("•"),
            LevelJc::new("left"),
        )))
        .add_numbering(Numbering::new(5, 5))
        .add_paragraph(
            Paragraph::new()
                .style("Titre")
                .add_run(Run::new().add_text("Workshop: Open Data for Cities")),
        )
        .add_paragraph(
            Paragraph::new().add_run(Run::new().add_text("12 June 2023, 10:00-11:30 CEST")),
        )
        .add_paragraph(Paragraph::new())
        .add_paragraph(heading("Background"))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(background)))
        .add_paragraph(heading("Key issues"))
        .add_paragraph(item(vec![
            Run::new().add_text("Dr. Ana ").bold(),
            Run::new().add_text("Silva").bold(),
            Run::new().add_text(
                " (Chief Data Officer, City of Lisbon) said that open data needs owners.",
            ),
        ]))
        .add_paragraph(item(vec![
            Run::new().add_text("Budgets for data teams remain small."),
        ]))
        .add_paragraph(heading("Recommendations"))
        .add_paragraph(item(vec![
            Run::new().add_text("Publish data under open licences."),
        ]))
        .build()
        .pack(&mut out)
        .unwrap();
    out.into_inner()
}

#[test]
fn word_styles_numbering_and_bold_runs_read_as_the_text_form() {
    let text = "Workshop: Open Data for Cities\n\n12 June 2023, 10:00-11:30 CEST\n\n\
        # Background\n\nCities publish more data than ever.\n\n# Key issues\n\n\
        - **Dr. Ana Silva** (Chief Data Officer, City of Lisbon) said that open data needs owners.\n\
        - Budgets for data teams remain small.\n\n# Recommendations\n\n\
        - Publish data under open licences.\n";
    let expected = parse_summary("cities.txt", text.as_bytes(), &ParseOptions::default()).unwrap();
    let mut summary = read(
        "cities.docx",
        &word_made_summary("Cities publish more data than ever."),
    )
    .unwrap();
    let speaker = summary.key_issues[0].speaker.as_ref().unwrap();
    assert_eq!(
        (speaker.honorific.as_deref(), speaker.name.as_str()),
        (Some("Dr."), "Ana Silva")
    );
    summary.source = expected.source.clone();
    summary.warnings = expected.warnings.clone();
    assert_eq!(summary, expected);
}

/// A Word document with a Title, then a Subtitle (under a localised style
/// id) holding `subtitle`, then a background.
fn titled_summary(title: &str, subtitle: &str) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let styled = |style: &str, text: &str| {
        Paragraph::new()
            .style(style)
            .add_run(Run::new().add_text(text))
    };
    Docx::new()
        .add_style(Style::new("Titre", StyleType::Paragraph).name("Title"))
        .add_style(Style::new("Soustitre", StyleType::Paragraph).name("Subtitle"))
        .add_style(Style::new("Titre1", StyleType::Paragraph).name("heading 1"))
        .add_paragraph(styled("Titre", title))
        .add_paragraph(styled("Soustitre", subtitle))
        .add_paragraph(styled("Titre1", "Background"))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("Cities publish data.")))
        .build()
        .pack(&mut out)
        .unwrap();
    out.into_inner()
}

#[test]
fn the_subtitle_gives_the_session_type_and_the_date() {
    let summary = read(
        "cities.docx",
        &titled_summary(
            "Open Data: Who Owns It?",
            "High-Level Policy Session 4 · 12 June 2023, 10:00-11:30 CEST",
        ),
    )
    .unwrap();
    let event = &summary.event;
    assert_eq!(event.kind.as_deref(), Some("High-Level Policy Session"));
    assert_eq!(
        event.session_code.as_deref(),
        Some("High-Level Policy Session 4")
    );
    assert_eq!(event.title, "Open Data: Who Owns It?");
    assert_eq!(event.date.as_deref(), Some("2023-06-12"));
    assert_eq!(
        (event.start_time.as_deref(), event.end_time.as_deref()),
        (Some("10:00"), Some("11:30"))
    );
    assert_eq!(event.timezone.as_deref(), Some("CEST"));

    // A title that names its type keeps it; a subtitle that is only a date,
    // or a tagline, names none.
    let typed = read(
        "typed.docx",
        &titled_summary("Workshop: Open Data", "12 June 2023"),
    )
    .unwrap();
    assert_eq!(typed.event.kind.as_deref(), Some("Workshop"));
    assert_eq!(typed.event.title, "Open Data");
    assert_eq!(typed.event.date.as_deref(), Some("2023-06-12"));
    let tagline = read(
        "tagline.docx",
        &titled_summary("Open Data", "What every city should publish, and why"),
    )
    .unwrap();
    assert_eq!(tagline.event.kind, None);
    assert_eq!(tagline.event.title, "Open Data");
}

#[test]
fn warnings_name_the_paragraph() {
    // Paragraph 5 (counting the empty third one) is template filler.
    let summary = read(
        "template.docx",
        &word_made_summary("[Insert background here]"),
    )
    .unwrap();
    let lines: Vec<(usize, &str)> = summary
        .warnings
        .iter()
        .map(|w| (w.line, w.message.as_str()))
        .collect();
    assert!(
        lines.contains(&(
            5,
            "looks like unfilled template text: '[Insert background here]'"
        )),
        "{lines:?}"
    );
}

fn rejection(name: &str, bytes: &[u8]) -> ParseError {
    read(name, bytes).expect_err("the document is rejected")
}

#[test]
fn corrupt_documents_are_rejected_with_what_to_do() {
    let seed = std::fs::read(repo_root().join("examples/wsis-cooperation-sdgs.txt")).unwrap();
    let summary = parse_summary("seed.txt", &seed, &ParseOptions::default()).unwrap();
    let docx = render_docx(&summary, A4).unwrap();

    let truncated = rejection("cut.docx", &docx[..docx.len() / 2]);
    assert_eq!(truncated.kind, RejectKind::CorruptDocument);
    assert_eq!(truncated.kind.code(), "corrupt_document");
    assert!(
        truncated.to_string().starts_with(
            "cut.docx: not a readable Word document (a .docx is a zip archive and this is not one"
        ),
        "{truncated}"
    );

    let text = rejection("notes.docx", b"Background\n\nJust text with a .docx name.");
    assert_eq!(text.kind, RejectKind::CorruptDocument);
    assert!(
        text.message.contains("if it is text, give it a .txt name"),
        "{text}"
    );

    // A zip that is not a Word document: no document part.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("hello.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"hello").unwrap();
    let not_word = rejection("archive.docx", &zip.finish().unwrap().into_inner());
    assert_eq!(not_word.kind, RejectKind::CorruptDocument);
    assert!(
        not_word.message.contains("save it again as .docx"),
        "{not_word}"
    );
}

/// The start of an OLE compound file with the given directory entry name
/// (UTF-16LE, as OLE stores stream names).
fn ole_file(stream: &str) -> Vec<u8> {
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(1024, 0);
    bytes.extend(stream.encode_utf16().flat_map(u16::to_le_bytes));
    bytes.resize(2048, 0);
    bytes
}

#[test]
fn password_protected_documents_and_old_doc_files_are_told_apart() {
    let encrypted = rejection("secret.docx", &ole_file("EncryptedPackage"));
    assert_eq!(encrypted.kind, RejectKind::Encrypted);
    assert_eq!(encrypted.kind.code(), "encrypted");
    assert_eq!(
        encrypted.to_string(),
        "secret.docx: the document is password-protected; remove the password in Word (File › Info › Protect Document) and convert it again"
    );
    let old = rejection("old.docx", &ole_file("WordDocument"));
    assert_eq!(old.kind, RejectKind::CorruptDocument);
    assert!(old.message.contains("Word 97–2003"), "{old}");
}

#[test]
fn decompression_bombs_are_refused_before_docx_rs_reads_them() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(&vec![b' '; 40 * 1024 * 1024]).unwrap();
    let bomb = zip.finish().unwrap().into_inner();
    assert!(bomb.len() < 1024 * 1024);
    let error = rejection("bomb.docx", &bomb);
    assert_eq!(error.kind, RejectKind::TooLarge);
    assert!(
        error
            .message
            .contains("\"word/document.xml\" unpacks to more than")
            && error.message.contains("as decompression bombs do"),
        "{error}"
    );
}

#[test]
fn documents_that_are_not_summaries_are_rejected_like_text() {
    let mut out = std::io::Cursor::new(Vec::new());
    Docx::new()
        .add_paragraph(Paragraph::new())
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text("PRESS RELEASE: ITU welcomes new members")),
        )
        .add_paragraph(Paragraph::new().add_run(
            Run::new().add_text(
                "Geneva, 3 May 2023. The Union today announced three new sector members.",
            ),
        ))
        .build()
        .pack(&mut out)
        .unwrap();
    let error = rejection("press.docx", &out.into_inner());
    assert_eq!(error.kind, RejectKind::NotASummary);
    // The text starts on the second paragraph.
    assert_eq!(error.line, Some(2));
    assert!(
        error
            .to_string()
            .starts_with("press.docx: line 2: not a session summary"),
        "{error}"
    );
}

#[test]
fn oversize_documents_are_refused_unread() {
    let options = ParseOptions { max_bytes: 100 };
    let error = read_docx_summary("big.docx", &[0u8; 101], &options).unwrap_err();
    assert_eq!(error.kind, RejectKind::TooLarge);
    assert!(error.message.contains("raise --max-input-bytes"), "{error}");
}
