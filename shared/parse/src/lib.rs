//! The summary reader: turns a session summary, as forums publish it and as
//! PDF or web extraction mangles it, into an [`EventSummary`].
//!
//! A format's reader gives a [`Document`]: blocks with what the format says
//! about them (this crate reads text and Markdown into one with [`text`];
//! Word, HTML and PDF have crates of their own). Then the stages run one
//! way, each in its own module: [`elements`] decides what each block is (a
//! title, a date line, a heading, a field, a speaker's name, an item, a
//! paragraph, or furniture) by weighing evidence; [`sections`] sends each to
//! the model's sections by meaning, splitting speakers ([`speaker`]) and
//! reading the line-up ([`lineup`]); [`accept`] decides whether the result
//! reports on a session at all. Everything repaired on the way becomes a
//! warning with its line number; what is not a summary is rejected with a
//! [`ParseError`] that says why. [`explain`] shows the whole reading.

mod accept;
mod decode;
pub mod document;
mod elements;
mod header;
mod lexicon;
mod lineup;
mod markup;
mod sections;
mod speaker;
mod text;
mod when;

pub use rapporteur_codes::ErrorCode;
use rapporteur_model::{EventSummary, SCHEMA_VERSION, Source, SourceFormat, Warning};
use sha2::{Digest, Sha256};

pub use document::{Block, Document, Role, Table, table_blocks};
pub use sections::Placement;

use crate::elements::{Element, Kind};

/// Limits and switches of the reader.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Inputs larger than this are rejected before any work is done.
    pub max_bytes: usize,
}

/// Summaries run to a few pages; 2 MiB leaves room for the longest without
/// letting a mistaken multi-gigabyte input near the parser.
pub const DEFAULT_MAX_BYTES: usize = 2 * 1024 * 1024;

impl ParseOptions {
    /// Refuses an input over `max_bytes` before a rich-text reader (Word,
    /// web page, PDF) unpacks it; `what` names it in the message ("the
    /// document", "the page").
    pub fn refuse_oversize(&self, name: &str, bytes: &[u8], what: &str) -> Result<(), ParseError> {
        if bytes.len() <= self.max_bytes {
            return Ok(());
        }
        Err(ParseError {
            source_name: name.to_string(),
            line: None,
            kind: RejectKind::TooLarge,
            message: format!(
                "{what} is {} bytes, more than the {} allowed; raise --max-input-bytes if it is a genuine summary",
                bytes.len(),
                self.max_bytes
            ),
        })
    }
}

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
    pub fn code(self) -> ErrorCode {
        match self {
            RejectKind::Empty => ErrorCode::Empty,
            RejectKind::TooLarge => ErrorCode::TooLarge,
            RejectKind::Binary => ErrorCode::Binary,
            RejectKind::InvalidEncoding => ErrorCode::InvalidEncoding,
            RejectKind::NotASummary => ErrorCode::NotASummary,
            RejectKind::EmptyTemplate => ErrorCode::EmptyTemplate,
            RejectKind::CorruptDocument => ErrorCode::CorruptDocument,
            RejectKind::Encrypted => ErrorCode::Encrypted,
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
    pub fn new(source_name: &str) -> Diagnostics {
        Diagnostics {
            source_name: source_name.to_string(),
            warnings: Vec::new(),
        }
    }

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
/// ("31 January 2023, 14:30–15:45 CET", "12 juin 2023").
pub fn is_date_line(line: &str) -> bool {
    when::parse_when(line).is_some()
}

/// The source of a summary read from `bytes`.
pub fn source_of(name: &str, bytes: &[u8], format: SourceFormat) -> Source {
    Source {
        name: name.to_string(),
        sha256: format!("{:x}", Sha256::digest(bytes)),
        bytes: bytes.len() as u64,
        format,
    }
}

/// Reads one text summary (plain text or Markdown). `name` is how the input
/// is called in the model and in errors (a file name, or an archive and entry).
pub fn parse_summary(
    name: &str,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<EventSummary, ParseError> {
    let format = text_format(name);
    let document = text_document(name, bytes, options)?;
    read_document(name, &document, source_of(name, bytes, format), options)
}

/// Markdown for `.md` and `.markdown` names, plain text otherwise; both are
/// read the same way.
fn text_format(name: &str) -> SourceFormat {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some("md" | "markdown") => SourceFormat::Markdown,
        _ => SourceFormat::Text,
    }
}

/// Decodes text (checking that it is text at all) and groups it into blocks.
pub fn text_document(
    name: &str,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<Document, ParseError> {
    let mut diag = Diagnostics::new(name);
    let text = decode::decode(bytes, options.max_bytes, &mut diag)?;
    if text.trim().is_empty() {
        return Err(diag.reject(RejectKind::Empty, None, "the input is empty".to_string()));
    }
    let mut document = text::document(&text, &mut diag);
    document.warnings = diag
        .warnings
        .into_iter()
        .map(|w| (w.line, w.message))
        .collect();
    Ok(document)
}

/// Reads a summary from a format reader's blocks.
pub fn read_document(
    name: &str,
    document: &Document,
    source: Source,
    _options: &ParseOptions,
) -> Result<EventSummary, ParseError> {
    reading(name, document, source, false).result
}

/// How a document was read: every block with what it became and where it
/// went, and the summary or the reason it was rejected.
#[derive(Debug)]
pub struct Explanation {
    pub placements: Vec<Placement>,
    pub result: Result<EventSummary, ParseError>,
}

/// Reads a summary from a format reader's blocks, keeping the reading.
pub fn explain_document(
    name: &str,
    document: &Document,
    source: Source,
    _options: &ParseOptions,
) -> Explanation {
    reading(name, document, source, true)
}

/// Reads the blocks; the placements are kept only when `explaining`.
fn reading(name: &str, document: &Document, source: Source, explaining: bool) -> Explanation {
    let mut diag = Diagnostics::new(name);
    for (line, message) in &document.warnings {
        diag.warn(*line, message.clone());
    }
    let first_line = document.blocks.first().map(|b| b.line);
    if document.blocks.iter().all(|b| b.text.trim().is_empty()) {
        return Explanation {
            placements: Vec::new(),
            result: Err(diag.reject(RejectKind::Empty, None, "the input is empty".to_string())),
        };
    }
    let elements = elements::partition(&document.blocks);
    let language = detect_language(&elements);
    let mut assembled = sections::assemble(&elements, &language, &mut diag, explaining);
    let placements = std::mem::take(&mut assembled.placements);
    let result = finish(
        name, &elements, assembled, language, source, first_line, diag,
    );
    Explanation { placements, result }
}

fn finish(
    name: &str,
    elements: &[Element],
    assembled: sections::Assembled,
    language: String,
    source: Source,
    first_line: Option<usize>,
    mut diag: Diagnostics,
) -> Result<EventSummary, ParseError> {
    check_filled(&assembled, first_line, &diag)?;
    accept::check(elements, &assembled, &diag)?;
    for text in assembled
        .background
        .iter()
        .chain(assembled.key_issues.iter().map(|k| &k.text))
        .chain(&assembled.recommendations)
    {
        if is_placeholder(text) {
            let line = elements
                .iter()
                .find(|e| e.source.contains(text.as_str()))
                .map_or(1, |e| e.line);
            diag.warn(
                line,
                format!("looks like unfilled template text: '{}'", excerpt(text)),
            );
        }
    }
    let mut event = assembled.event;
    if event.title.is_empty() {
        event.title = stem(name).to_string();
        diag.warn(
            assembled.title_line.or(first_line).unwrap_or(1),
            "no title line; the file name is used as the title",
        );
    }
    if event.date.is_none() && event.start_time.is_none() {
        diag.warn(
            assembled.title_line.unwrap_or(1),
            "no date or time line found",
        );
    }
    let mut warnings = diag.warnings;
    warnings.sort();
    warnings.dedup();
    Ok(EventSummary {
        schema_version: SCHEMA_VERSION.to_string(),
        event,
        language,
        background: assembled.background,
        key_issues: assembled.key_issues,
        recommendations: assembled.recommendations,
        other_sections: assembled.other_sections,
        lineup: assembled.lineup,
        source,
        warnings,
    })
}

/// Rejects a template whose headings have nothing but placeholders under them.
fn check_filled(
    assembled: &sections::Assembled,
    first_line: Option<usize>,
    diag: &Diagnostics,
) -> Result<(), ParseError> {
    let texts = assembled
        .background
        .iter()
        .chain(assembled.key_issues.iter().map(|i| &i.text))
        .chain(&assembled.recommendations)
        .chain(
            assembled
                .other_sections
                .iter()
                .flat_map(|s| s.paragraphs.iter().chain(&s.items)),
        )
        .collect::<Vec<_>>();
    if texts.iter().any(|t| !is_placeholder(t)) || assembled.headings.is_empty() {
        return Ok(());
    }
    let line = assembled
        .headings
        .first()
        .map(|&(line, _)| line)
        .or(first_line);
    Err(diag.reject(
        RejectKind::EmptyTemplate,
        line,
        "a template with nothing filled in: the section headings have no text under them"
            .to_string(),
    ))
}

/// Template filler: "[Insert text here]", "<name>", "…", "TBD", "Please describe …".
pub(crate) fn is_placeholder(text: &str) -> bool {
    let t = text.trim();
    // "Title of the session: [Title]": a label with nothing filled in.
    if t.len() < 200
        && let Some((label, value)) = t.rsplit_once(':')
        && !value.trim().is_empty()
        && label.split_whitespace().count() <= 6
        && value.trim() != t
        && is_placeholder(value)
    {
        return true;
    }
    // Placeholders are in their first words: only those are folded.
    let start: String = t.chars().take(40).collect();
    let folded = lexicon::fold(&start);
    // Word's content controls show these until someone types.
    if [
        "click or tap here",
        "click here to enter",
        "tap here to enter",
        "enter text here",
        "type here",
        "cliquez ou appuyez ici",
        "cliquez ici pour entrer",
        "haga clic o pulse aqui",
        "haga clic aqui para escribir",
    ]
    .iter()
    .any(|p| folded.starts_with(p))
    {
        return true;
    }
    // Placeholders are short; folding only the start keeps this cheap on long items.
    let lower = lexicon::fold(&t.chars().take(12).collect::<String>());
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
fn detect_language(elements: &[Element]) -> String {
    // A few hundred characters settle the language; reading the whole text
    // would make detection the most expensive step of a parse.
    const SAMPLE_CHARS: usize = 400;
    let mut prose = String::new();
    let mut title = String::new();
    for element in elements {
        match &element.kind {
            Kind::Paragraph(t) | Kind::Item(t) => {
                if prose.len() >= SAMPLE_CHARS {
                    break;
                }
                prose.push_str(&t.text);
                prose.push(' ');
            }
            Kind::Title(t) if title.is_empty() => title = t.title.clone(),
            _ => {}
        }
    }
    if prose.is_empty() {
        prose = title;
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

/// The first characters of a text, for messages.
pub(crate) fn excerpt(text: &str) -> String {
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
