//! The summary reader: turns the text of a session summary, as forums publish
//! it and as PDF or web extraction mangles it, into an [`EventSummary`].
//!
//! The stages run one way, each in its own module:
//! bytes → [`decode`] (encoding checks and repairs) → [`lines`] (extraction
//! debris) → [`header`] (title, date line) and [`blocks`] (headings, items,
//! paragraphs) → sections of the model, with [`speaker`] attributions split.
//! Everything repaired on the way becomes a warning with its line number;
//! input that is not a summary is rejected with a [`ParseError`].

mod blocks;
mod decode;
mod header;
mod headings;
mod lines;
mod speaker;
mod when;

use rapporteur_model::{
    EventSummary, KeyIssue, SCHEMA_VERSION, Section, Source, SourceFormat, Warning,
};
use sha2::{Digest, Sha256};

use crate::blocks::{Block, BlockKind};
use crate::headings::SectionKind;

/// Limits and switches of the reader.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Inputs larger than this are rejected before any work is done.
    pub max_bytes: usize,
}

/// Summaries run to a few pages; 2 MiB leaves room for the longest without
/// letting a mistaken multi-gigabyte input near the parser.
pub const DEFAULT_MAX_BYTES: usize = 2 * 1024 * 1024;

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// Why an input was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectKind {
    Empty,
    TooLarge,
    Binary,
    InvalidEncoding,
    NotASummary,
    EmptyTemplate,
    /// A document container (a .docx) that cannot be read.
    CorruptDocument,
    /// A password-protected document.
    Encrypted,
}

impl RejectKind {
    /// A stable, machine-readable code for result events and logs.
    pub fn code(self) -> &'static str {
        match self {
            RejectKind::Empty => "empty",
            RejectKind::TooLarge => "too_large",
            RejectKind::Binary => "binary",
            RejectKind::InvalidEncoding => "invalid_encoding",
            RejectKind::NotASummary => "not_a_summary",
            RejectKind::EmptyTemplate => "empty_template",
            RejectKind::CorruptDocument => "corrupt_document",
            RejectKind::Encrypted => "encrypted",
        }
    }
}

/// An input that is not a summary, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct ParseError {
    pub source_name: String,
    pub line: Option<usize>,
    pub kind: RejectKind,
    pub message: String,
}

/// Collects warnings while a document is read.
pub(crate) struct Diagnostics {
    source_name: String,
    warnings: Vec<Warning>,
}

impl Diagnostics {
    pub fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.warnings.push(Warning {
            line,
            message: message.into(),
        });
    }

    pub fn reject(&self, kind: RejectKind, line: Option<usize>, message: String) -> ParseError {
        ParseError {
            source_name: self.source_name.clone(),
            line,
            kind,
            message,
        }
    }
}

/// Whether `line` is a date-and-time line as this reader understands one
/// ("31 January 2023, 14:30–15:45 CET", "12 juin 2023"). Readers of other
/// formats use it to tell a date from a session type (a Word Subtitle holds
/// both).
pub fn is_date_line(line: &str) -> bool {
    when::parse_when(line).is_some()
}

/// Whether a title line names the session type itself ("Summary of Side
/// Event: …", "Workshop 12: …").
pub fn title_names_event_type(line: &str) -> bool {
    header::split_title(line).0.is_some()
}

/// Reads one summary. `name` is how the input is called in the model and in
/// errors (a file name, or an archive and entry).
pub fn parse_summary(
    name: &str,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<EventSummary, ParseError> {
    let mut diag = Diagnostics {
        source_name: name.to_string(),
        warnings: Vec::new(),
    };
    let text = decode::decode(bytes, options.max_bytes, &mut diag)?;
    if text.trim().is_empty() {
        return Err(diag.reject(RejectKind::Empty, None, "the input is empty".to_string()));
    }
    let lines = lines::clean_lines(&text, &mut diag);
    let headings = find_headings(&lines);
    let Some(&(first_heading, _)) = headings
        .first()
        .filter(|_| headings.iter().any(|&(_, k)| k != SectionKind::Other))
    else {
        let first = lines.iter().find(|l| !l.is_blank());
        return Err(diag.reject(
            RejectKind::NotASummary,
            first.map(|l| l.number),
            format!(
                "not a session summary: no 'Background', 'Key issues' or 'Recommendations' heading found (the text starts '{}')",
                first.map(|l| excerpt(&l.text)).unwrap_or_default()
            ),
        ));
    };
    let header = header::parse_header(&lines[..first_heading], &mut diag);
    let body = blocks::blocks(&lines[first_heading..], &mut diag);
    let mut summary = EventSummary {
        schema_version: SCHEMA_VERSION.to_string(),
        event: header.event,
        language: String::new(),
        background: Vec::new(),
        key_issues: Vec::new(),
        recommendations: Vec::new(),
        other_sections: header.details,
        source: Source {
            name: name.to_string(),
            sha256: format!("{:x}", Sha256::digest(bytes)),
            bytes: bytes.len() as u64,
            format: SourceFormat::Text,
        },
        warnings: Vec::new(),
    };
    for (line, paragraph) in header.paragraphs {
        diag.warn(
            line,
            "text between the title and the first heading taken as background",
        );
        summary.background.push(paragraph);
    }
    summary.language = detect_language(&summary.event.title, &body);
    fill_sections(&mut summary, &body, &mut diag);
    check_filled(&summary, &body, &diag)?;
    if summary.event.title.is_empty() {
        summary.event.title = stem(name).to_string();
        diag.warn(
            header.title_line.unwrap_or(1),
            "no title line; the file name is used as the title",
        );
    }
    if summary.event.date.is_none() && summary.event.start_time.is_none() {
        diag.warn(header.title_line.unwrap_or(1), "no date or time line found");
    }
    diag.warnings.sort();
    diag.warnings.dedup();
    summary.warnings = diag.warnings;
    Ok(summary)
}

/// Indexes and kinds of the heading lines. The first line of a document is
/// its title, and a heading only if it is nothing but a heading phrase: a title
/// such as "Way Forward for Digital Inclusion" must stay a title.
fn find_headings(lines: &[lines::Line]) -> Vec<(usize, SectionKind)> {
    let first_content = lines.iter().position(|l| !l.is_blank());
    (0..lines.len())
        .filter_map(|i| {
            let heading = blocks::heading_at(lines, i)?;
            let title = Some(i) == first_content && !headings::is_bare_phrase(&heading.label);
            (!title).then_some((i, heading.kind))
        })
        .collect()
}

/// Distributes the body's blocks to the model's sections.
fn fill_sections(summary: &mut EventSummary, body: &[Block], diag: &mut Diagnostics) {
    let mut current = SectionKind::Other;
    let mut heading_line = 0;
    let mut filled = true;
    for block in body {
        let text = || speaker::strip_bold(&block.text).0;
        match (&block.kind, current) {
            (BlockKind::Heading(heading), _) => {
                if !filled {
                    diag.warn(heading_line, "this section has no text under it");
                }
                current = heading.kind;
                heading_line = block.line;
                filled = heading.inline.is_some();
                match heading.kind {
                    SectionKind::Background => summary.background.extend(heading.inline.clone()),
                    SectionKind::KeyIssues => {
                        summary
                            .key_issues
                            .extend(heading.inline.as_deref().map(|t| KeyIssue {
                                speaker: None,
                                text: t.to_string(),
                            }))
                    }
                    SectionKind::Recommendations => {
                        summary.recommendations.extend(heading.inline.clone())
                    }
                    SectionKind::Other => summary.other_sections.push(Section {
                        heading: heading.label.clone(),
                        paragraphs: heading.inline.iter().cloned().collect(),
                        items: Vec::new(),
                    }),
                }
                continue;
            }
            (_, SectionKind::Background) => summary.background.push(text()),
            (_, SectionKind::KeyIssues) => {
                let casing = speaker::Casing::of_language(&summary.language);
                let (speaker, text) = speaker::split_attribution(&block.text, casing);
                summary.key_issues.push(KeyIssue { speaker, text });
            }
            (_, SectionKind::Recommendations) => summary.recommendations.push(text()),
            (kind, SectionKind::Other) => {
                let section = summary
                    .other_sections
                    .last_mut()
                    .expect("the body starts with a heading");
                match kind {
                    BlockKind::Item => section.items.push(text()),
                    _ => section.paragraphs.push(text()),
                }
            }
        }
        if is_placeholder(&block.text) {
            diag.warn(
                block.line,
                format!(
                    "looks like unfilled template text: '{}'",
                    excerpt(&block.text)
                ),
            );
        }
        filled = true;
    }
    if !filled {
        diag.warn(heading_line, "this section has no text under it");
    }
}

/// Rejects a template whose headings have nothing but placeholders under them.
fn check_filled(
    summary: &EventSummary,
    body: &[Block],
    diag: &Diagnostics,
) -> Result<(), ParseError> {
    let filled = summary
        .background
        .iter()
        .chain(summary.key_issues.iter().map(|i| &i.text))
        .chain(&summary.recommendations)
        .chain(
            summary
                .other_sections
                .iter()
                .flat_map(|s| s.paragraphs.iter().chain(&s.items)),
        )
        .any(|t| !is_placeholder(t));
    if filled {
        return Ok(());
    }
    Err(diag.reject(
        RejectKind::EmptyTemplate,
        body.first().map(|b| b.line),
        "a template with nothing filled in: the section headings have no text under them"
            .to_string(),
    ))
}

/// Template filler: "[Insert text here]", "<name>", "…", "TBD", "Please describe …".
fn is_placeholder(text: &str) -> bool {
    let t = text.trim();
    // Placeholders are short; folding only the start keeps this cheap on long items.
    let lower = headings::fold(&t.chars().take(12).collect::<String>());
    let bracketed =
        (t.starts_with('[') && t.ends_with(']')) || (t.starts_with('<') && t.ends_with('>'));
    let only_marks = t
        .chars()
        .all(|c| matches!(c, '-' | '–' | '—' | '•' | '*' | '…' | '.' | '_' | ' '));
    bracketed
        || only_marks
        || matches!(
            lower.as_str(),
            "..." | "…" | "tbd" | "tbc" | "n/a" | "xxx" | "-" | "lorem ipsum"
        )
        || [
            "please ",
            "insert ",
            "veuillez ",
            "por favor ",
            "indiquer ",
            "escriba ",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// Detects the language of the summary's prose (the title alone when there
/// is no prose).
fn detect_language(title: &str, body: &[Block]) -> String {
    // A few hundred characters settle the language; reading the whole text
    // would make detection the most expensive step of a parse.
    const SAMPLE_CHARS: usize = 400;
    let mut prose = String::new();
    for text in body
        .iter()
        .map(|b| b.text.as_str())
        .filter(|t| !t.is_empty())
    {
        if prose.chars().count() >= SAMPLE_CHARS {
            break;
        }
        prose.push_str(text);
        prose.push(' ');
    }
    if prose.is_empty() {
        prose = title.to_string();
    }
    static DETECTOR: std::sync::LazyLock<whatlang::Detector> = std::sync::LazyLock::new(|| {
        // Forums publish in the UN languages and a few others; scoring only
        // those is both faster and less prone to exotic near-misses.
        use whatlang::Lang::*;
        whatlang::Detector::with_allowlist(vec![
            Eng, Fra, Spa, Ara, Cmn, Rus, Por, Deu, Ita, Jpn, Kor, Heb, Ukr, Tur, Nld, Pol,
        ])
    });
    match DETECTOR.detect_lang(&prose) {
        Some(lang) => iso_639_1(lang).map_or_else(|| lang.code().to_string(), str::to_string),
        None => "und".to_string(),
    }
}

fn iso_639_1(lang: whatlang::Lang) -> Option<&'static str> {
    use whatlang::Lang::*;
    Some(match lang {
        Eng => "en",
        Fra => "fr",
        Spa => "es",
        Ara => "ar",
        Cmn => "zh",
        Rus => "ru",
        Por => "pt",
        Deu => "de",
        Ita => "it",
        Jpn => "ja",
        Kor => "ko",
        Heb => "he",
        Ukr => "uk",
        Tur => "tr",
        Nld => "nl",
        Pol => "pl",
        _ => return None,
    })
}

fn excerpt(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

fn stem(name: &str) -> &str {
    let file = name.rsplit(['/', '\\', ':']).next().unwrap_or(name);
    file.rsplit_once('.').map_or(file, |(stem, _)| stem)
}
