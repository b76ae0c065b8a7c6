//! The DOCX writer: an [`EventSummary`] as a Word document that an editor can
//! keep working on, built the way Word builds documents rather than as
//! formatted text. The title, date line and section headings carry the
//! built-in Title, Subtitle and Heading 1 styles (so they show in Word's
//! navigation pane and survive a change of theme), key issues and
//! recommendations are List Paragraphs driven by numbering definitions, the
//! page size and margins are explicit, the footer's "Page N of M" is made of
//! PAGE and NUMPAGES fields, and the document properties say what the
//! document is (title, subject, keywords, date, source checksum).
//!
//! Only the model is read. docx-rs builds the document parts; [`package`]
//! writes the property parts docx-rs cannot and packs the zip with fixed
//! timestamps and entry order, so a summary always gives the same bytes.
//! The body's paragraphs are streamed: each is built by docx-rs, written as
//! XML into the zip's compressor and dropped, so a summary of 100,000 key
//! issues never holds 100,000 docx-rs paragraphs (about 2 KB each) nor its
//! whole `document.xml` at once (see `make bench`).

mod package;
mod when;

use std::io::{self, Write};

use docx_rs::{
    AbstractNumbering, AlignmentType, BuildXML, Docx, Footer, IndentLevel, Level, LevelJc,
    LevelText, LineSpacing, LineSpacingType, NumPages, NumberFormat, Numbering, NumberingId,
    PageMargin, PageNum, Paragraph, Run, RunFonts, SpecialIndentType, Start, Style, StyleType,
};
use rapporteur_labels::Labels;
use rapporteur_model::{DocumentMetadata, EventSummary, KeyIssue};

use crate::package::Properties;

/// A summary that could not be written as DOCX.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    #[error(
        "cannot pack the .docx: {0}; this is a bug in rapporteur-render-docx, please report it with the input"
    )]
    Pack(#[from] zip::result::ZipError),
    #[error(
        "docx-rs wrote a document part without <w:body>; rapporteur-render-docx needs updating for this docx-rs version"
    )]
    NoBody,
    #[error(
        "docx-rs did not write the Normal style this renderer marks as the default; rapporteur-render-docx needs updating for this docx-rs version"
    )]
    NoNormalStyle,
}

/// Style ids of the built-in Word styles the document uses. Word, LibreOffice
/// and pandoc recognise them by these ids and by the names in [`styles`].
const TITLE: &str = "Title";
const SUBTITLE: &str = "Subtitle";
const HEADING: &str = "Heading1";
const LIST: &str = "ListParagraph";
const FOOTER: &str = "Footer";

/// Between the session type and the date in the Subtitle; the DOCX reader
/// splits the Subtitle at it.
const SUBTITLE_SEPARATOR: &str = " · ";

/// Numbering ids of the two lists. docx-rs writes a numbering of its own
/// with id 1, so ours start at 2.
const BULLETS: usize = 2;
const NUMBERED: usize = 3;

/// One inch of margin all round, the default of Word for both paper sizes.
const MARGIN_TWIPS: i32 = 1440;
const HEADER_FOOTER_TWIPS: i32 = 720;

/// Renders a summary as a .docx on paper of `page_mm` (width, height in
/// millimetres). The same summary always gives byte-identical output.
pub fn render_docx(summary: &EventSummary, page_mm: (f32, f32)) -> Result<Vec<u8>, DocxError> {
    render_docx_filed(summary, page_mm, &DocumentMetadata::of(summary))
}

/// Renders a summary filed under `metadata` (the one mapping both writers
/// share, [`DocumentMetadata::filed`], with a DMS's own fields laid over).
pub fn render_docx_filed(
    summary: &EventSummary,
    page_mm: (f32, f32),
    metadata: &DocumentMetadata,
) -> Result<Vec<u8>, DocxError> {
    let labels = Labels::for_language(&summary.language);
    // The footer's paragraph is numbered first: the body's are written
    // after the other parts are built.
    let mut ids = ParagraphIds::default();
    let footer = footer(&mut ids, labels);

    let (width, height) = page_mm;
    let mut docx = Docx::new()
        .page_size(twips(width), twips(height))
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TWIPS)
                .bottom(MARGIN_TWIPS)
                .left(MARGIN_TWIPS)
                .right(MARGIN_TWIPS)
                .header(HEADER_FOOTER_TWIPS)
                .footer(HEADER_FOOTER_TWIPS)
                .gutter(0),
        )
        .default_fonts(fonts())
        .default_size(22)
        .default_line_spacing(
            // An explicit rule: LibreOffice reads a line height without one as exact.
            LineSpacing::new()
                .after(160)
                .line(276)
                .line_rule(LineSpacingType::Auto),
        )
        .add_abstract_numbering(list_definition(BULLETS, "bullet", "\u{2022}"))
        .add_numbering(Numbering::new(BULLETS, BULLETS))
        .add_abstract_numbering(list_definition(NUMBERED, "decimal", "%1."))
        .add_numbering(Numbering::new(NUMBERED, NUMBERED))
        .footer(Footer::new().add_paragraph(footer));
    for style in styles() {
        docx = docx.add_style(style);
    }
    // docx-rs links the numbering part when a paragraph it holds is
    // numbered; the body's paragraphs never pass through it, so say it here
    // (without the link, Word shows list items without their bullets).
    docx.document_rels.has_numberings = !summary.key_issues.is_empty()
        || !summary.recommendations.is_empty()
        || summary.other_sections.iter().any(|s| !s.items.is_empty());
    package::pack(
        docx.build(),
        &properties(summary, metadata),
        |out: &mut dyn Write| {
            let mut body = Body { ids, out };
            body.write(summary, labels)
        },
    )
}

impl Body<'_> {
    /// Writes every paragraph of the summary, in order.
    fn write(&mut self, summary: &EventSummary, labels: &Labels) -> io::Result<()> {
        let body = self;
        body.title(summary)?;
        if !summary.background.is_empty() {
            body.heading(labels.background)?;
            for paragraph in &summary.background {
                body.plain(paragraph)?;
            }
        }
        if !summary.key_issues.is_empty() {
            body.heading(labels.key_issues)?;
            for issue in &summary.key_issues {
                body.key_issue(issue)?;
            }
        }
        if !summary.recommendations.is_empty() {
            body.heading(labels.recommendations)?;
            for recommendation in &summary.recommendations {
                body.item(NUMBERED, recommendation)?;
            }
        }
        for section in &summary.other_sections {
            body.heading(&section.heading)?;
            for paragraph in &section.paragraphs {
                body.plain(paragraph)?;
            }
            for item in &section.items {
                body.item(BULLETS, item)?;
            }
        }
        Ok(())
    }
}

/// Paragraph ids (`w14:paraId`) numbered by this renderer: docx-rs numbers
/// paragraphs from a per-thread counter that other documents built or read
/// on the same thread advance, which would make the output depend on what a
/// worker thread did before.
#[derive(Default)]
struct ParagraphIds {
    last: u32,
}

impl ParagraphIds {
    /// A new paragraph of `style`, right-to-left when `text` is.
    fn paragraph(&mut self, style: &str, text: &str) -> Paragraph {
        self.last += 1;
        let mut paragraph = Paragraph::new()
            .id(format!("{:08X}", self.last))
            .style(style);
        if is_right_to_left(text) {
            paragraph.property = paragraph.property.bidi(true);
        }
        paragraph
    }
}

/// "Page N of M", with N and M as fields Word and LibreOffice fill in.
fn footer(ids: &mut ParagraphIds, labels: &Labels) -> Paragraph {
    ids.paragraph(FOOTER, labels.page)
        .align(AlignmentType::Center)
        .add_run(run(&format!("{} ", labels.page)))
        .add_page_num(PageNum::new())
        .add_run(run(&format!(" {} ", labels.of)))
        .add_num_pages(NumPages::new())
}

/// The body being written: each paragraph goes out as XML as it is made.
struct Body<'w> {
    ids: ParagraphIds,
    out: &'w mut dyn Write,
}

impl Body<'_> {
    fn paragraph(&mut self, style: &str, text: &str) -> Paragraph {
        self.ids.paragraph(style, text)
    }

    /// Writes a finished paragraph and lets it go.
    fn emit(&mut self, paragraph: Paragraph) -> io::Result<()> {
        self.out.write_all(&paragraph.build())
    }

    fn push(&mut self, style: &str, text: &str) -> io::Result<()> {
        let paragraph = self.paragraph(style, text).add_run(run(text));
        self.emit(paragraph)
    }

    /// The title alone, and under it a Subtitle with the session type and
    /// when it took place ("Side Event · 31 January 2023, 14:30–15:45 CET"),
    /// the type first so that a reader of the document can tell it from the
    /// date.
    fn title(&mut self, summary: &EventSummary) -> io::Result<()> {
        let event = &summary.event;
        self.push(TITLE, &event.title)?;
        let subtitle: Vec<String> = [
            event.kind.clone().filter(|k| !k.trim().is_empty()),
            when::when(event, Labels::for_language(&summary.language)),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !subtitle.is_empty() {
            self.push(SUBTITLE, &subtitle.join(SUBTITLE_SEPARATOR))?;
        }
        Ok(())
    }

    fn heading(&mut self, text: &str) -> io::Result<()> {
        self.push(HEADING, text)
    }

    fn plain(&mut self, text: &str) -> io::Result<()> {
        self.push("Normal", text)
    }

    fn item(&mut self, list: usize, text: &str) -> io::Result<()> {
        let paragraph = self
            .paragraph(LIST, text)
            .numbering(NumberingId::new(list), IndentLevel::new(0))
            .add_run(run(text));
        self.emit(paragraph)
    }

    /// A bullet with the speaker's honorific and name in bold, their role
    /// and organisation in parentheses, then the statement.
    fn key_issue(&mut self, issue: &KeyIssue) -> io::Result<()> {
        let Some(speaker) = &issue.speaker else {
            return self.item(BULLETS, &issue.text);
        };
        let name = match &speaker.honorific {
            Some(honorific) => format!("{honorific} {}", speaker.name),
            None => speaker.name.clone(),
        };
        let affiliation: Vec<&str> = [&speaker.role, &speaker.organization]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let rest = match affiliation.as_slice() {
            [] => format!(" {}", issue.text),
            parts => format!(" ({}) {}", parts.join(", "), issue.text),
        };
        let paragraph = self
            .paragraph(LIST, &format!("{name}{rest}"))
            .numbering(NumberingId::new(BULLETS), IndentLevel::new(0))
            .add_run(run(&name).bold())
            .add_run(run(&rest));
        self.emit(paragraph)
    }
}

fn run(text: &str) -> Run {
    Run::new().add_text(package::xml_chars(text))
}

/// Paragraph direction by the first letter with a strong direction, as the
/// Unicode bidirectional algorithm decides it: Hebrew and Arabic letters
/// make a paragraph right-to-left.
fn is_right_to_left(text: &str) -> bool {
    text.chars()
        .find_map(|c| match c {
            '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}' => {
                Some(true)
            }
            c if c.is_alphabetic() => Some(false),
            _ => None,
        })
        .unwrap_or(false)
}

fn twips(millimetres: f32) -> u32 {
    (millimetres * 1440.0 / 25.4).round() as u32
}

/// Calibri for Latin, Cyrillic and Greek, Arial for complex scripts (Arabic,
/// Hebrew): both ship with Word, and LibreOffice substitutes metric-compatible
/// fonts where it has them.
fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii("Calibri")
        .hi_ansi("Calibri")
        .east_asia("Calibri")
        .cs("Arial")
}

/// The built-in styles, with Word's own names so that Word treats them as
/// its Title, Subtitle, Heading 1, List Paragraph and Footer.
fn styles() -> Vec<Style> {
    let title = Style::new(TITLE, StyleType::Paragraph)
        .name("Title")
        .size(52)
        .color("1F3864")
        .line_spacing(LineSpacing::new().after(80));
    let subtitle = Style::new(SUBTITLE, StyleType::Paragraph)
        .name("Subtitle")
        .size(26)
        .color("595959")
        .line_spacing(LineSpacing::new().after(320));
    let mut heading = Style::new(HEADING, StyleType::Paragraph)
        .name("heading 1")
        .size(30)
        .bold()
        .color("1F3864")
        .outline_lvl(0)
        .line_spacing(LineSpacing::new().before(360).after(120));
    heading.paragraph_property = heading.paragraph_property.keep_next(true);
    let list = Style::new(LIST, StyleType::Paragraph)
        .name("List Paragraph")
        .line_spacing(LineSpacing::new().after(80));
    let footer = Style::new(FOOTER, StyleType::Paragraph)
        .name("footer")
        .size(18)
        .color("7F7F7F");
    vec![title, subtitle, heading, list, footer]
}

/// One list level: the marker (`format`, `text`) hanging in the margin of an
/// indented paragraph.
fn list_definition(id: usize, format: &str, text: &str) -> AbstractNumbering {
    AbstractNumbering::new(id).add_level(
        Level::new(
            0,
            Start::new(1),
            NumberFormat::new(format),
            LevelText::new(text),
            LevelJc::new("left"),
        )
        .indent(Some(720), Some(SpecialIndentType::Hanging(360)), None, None),
    )
}

/// The document properties: what Word shows under File › Info and what
/// document-management systems index, from the one mapping both writers
/// share.
fn properties(summary: &EventSummary, metadata: &DocumentMetadata) -> Properties {
    let metadata = metadata.clone();
    let keywords = metadata.keyword_line();
    Properties {
        title: metadata.title,
        subject: metadata.subject,
        creator: metadata.author,
        keywords,
        language: summary.language.clone(),
        // The date of the session, not of the conversion: the same summary
        // must give the same file whenever it is converted.
        created: metadata.created.map(|date| {
            if date.contains('T') {
                date
            } else {
                format!("{date}T00:00:00Z")
            }
        }),
        custom: metadata
            .custom
            .into_iter()
            .chain(metadata.dms_fields)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> EventSummary {
        rapporteur_parse::parse_summary(
            "seed.txt",
            include_bytes!("../../../examples/wsis-cooperation-sdgs.txt"),
            &rapporteur_parse::ParseOptions::default(),
        )
        .unwrap()
    }

    /// One part of a .docx, as text.
    fn part(docx: Vec<u8>, name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
        text
    }

    /// Lists are numbered through `numbering.xml`, which the document's
    /// relationships must name.
    #[test]
    fn lists_link_their_numbering_part() {
        let seed = seed();
        let docx = render_docx(&seed, (210.0, 297.0)).unwrap();
        let rels = part(docx, "word/_rels/document.xml.rels");
        assert!(rels.contains(r#"Target="numbering.xml""#), "{rels}");
    }

    /// The body is spliced into docx-rs's document part paragraph by
    /// paragraph: that is only right if a paragraph written alone is the
    /// same XML docx-rs writes for it inside a document, and if the
    /// paragraphs land where docx-rs would put them.
    #[test]
    fn a_streamed_body_is_the_document_docx_rs_would_write() {
        let mut ids = ParagraphIds::default();
        let paragraphs = [
            ids.paragraph(TITLE, "Title").add_run(run("Title")),
            ids.paragraph(LIST, "مرحبا")
                .numbering(NumberingId::new(BULLETS), IndentLevel::new(0))
                .add_run(run("Dr. A").bold())
                .add_run(run(" said <this> & \u{1} that")),
            footer(&mut ids, Labels::for_language("fr")),
        ];
        let whole = paragraphs
            .iter()
            .fold(Docx::new(), |docx, p| docx.add_paragraph(p.clone()))
            .build()
            .document;
        let empty = Docx::new().build();
        let seed = seed();
        let streamed = package::pack(
            empty,
            &properties(&seed, &DocumentMetadata::of(&seed)),
            |out: &mut dyn Write| {
                paragraphs
                    .iter()
                    .try_for_each(|p| out.write_all(&p.build()))
            },
        )
        .unwrap();
        assert_eq!(
            part(streamed, "word/document.xml"),
            String::from_utf8(whole).unwrap()
        );
    }

    #[test]
    fn paper_sizes_convert_to_the_twips_word_uses() {
        assert_eq!((twips(210.0), twips(297.0)), (11906, 16838));
        assert_eq!((twips(215.9), twips(279.4)), (12240, 15840));
    }

    #[test]
    fn direction_follows_the_first_strong_letter() {
        assert!(is_right_to_left("«مرحبا» said"));
        assert!(is_right_to_left("2023 שלום"));
        assert!(!is_right_to_left("ITU: مرحبا"));
        assert!(!is_right_to_left("2023"));
    }
}
