//! PDF documents as input. Archives keep outcome documents and exported
//! reports as PDFs; this reader gives the summary reader what the page says
//! beyond the text: which lines are larger (headings, by size against the
//! body's), which words are set in a bold font (speakers' names), which
//! lines carry a list marker, where a column or a page ends. Glyphs are read
//! with their positions and fonts ([`glyphs`]), then laid out ([`layout`]):
//! columns read in order, running headers, footers and page numbers
//! dropped by where they sit, lines joined into paragraphs with words
//! hyphenated at line ends mended.
//!
//! Hostile or unreadable files are rejected with their reason: an
//! encrypted PDF, bytes that are not a PDF or whose objects do not parse,
//! a scan without a text layer ("run OCR first"). Pages are read one at a
//! time (only their text is kept), with limits on the page count, the
//! bytes each page inflates to and the time taken (checked between pages).

pub mod glyphs;
pub mod layout;

use std::time::{Duration, Instant};

use lopdf::{Document as PdfFile, LoadOptions};
use rapporteur_model::{EventSummary, SourceFormat};
use rapporteur_parse::{Document, ParseError, ParseOptions, RejectKind, read_document, source_of};

/// The limits a PDF is read within.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Pages read at most: summaries run to a few pages, reports to a few
    /// dozen; the bench reads 300.
    pub max_pages: usize,
    /// Bytes any one stream, and any one page's content, may inflate to.
    pub max_inflated: usize,
    /// Bytes all pages' content may inflate to together.
    pub max_total_inflated: usize,
    /// Time the reading may take, checked between pages.
    pub time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pages: 1000,
            // A dense page's content is about 50 KB; fonts' CMaps less.
            max_inflated: 16 * 1024 * 1024,
            max_total_inflated: 256 * 1024 * 1024,
            // The seed's 3 pages take a few milliseconds; 300 pages well
            // under a second (`make bench`).
            time: Duration::from_secs(20),
        }
    }
}

/// How every PDF starts (after at most a little junk, which readers allow).
const PDF_SIGNATURE: &[u8] = b"%PDF-";

/// Whether the bytes are a PDF: the signature within the first kilobyte.
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(1024)]
        .windows(PDF_SIGNATURE.len())
        .any(|w| w == PDF_SIGNATURE)
}

/// Reads a PDF summary. `name` is how the input is called in the model and
/// in errors. Line numbers in warnings and errors count the lines read, in
/// reading order, running headers and footers left out.
pub fn read_pdf_summary(
    name: &str,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<EventSummary, ParseError> {
    let document = pdf_document(name, bytes, options)?;
    read_document(
        name,
        &document,
        source_of(name, bytes, SourceFormat::Pdf),
        options,
    )
}

/// A PDF's paragraphs as the summary reader's blocks, within the default
/// [`Limits`].
pub fn pdf_document(
    name: &str,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<Document, ParseError> {
    pdf_document_within(name, bytes, options, &Limits::default())
}

/// [`pdf_document`] within the given limits.
pub fn pdf_document_within(
    name: &str,
    bytes: &[u8],
    options: &ParseOptions,
    limits: &Limits,
) -> Result<Document, ParseError> {
    let reject = |kind, message: String| ParseError {
        source_name: name.to_string(),
        line: None,
        kind,
        message,
    };
    let started = Instant::now();
    options.refuse_oversize(name, bytes, "the document")?;
    if !looks_like_pdf(bytes) {
        return Err(reject(
            RejectKind::CorruptDocument,
            "not a PDF (it does not start with %PDF-); if it is text, give it a .txt name"
                .to_string(),
        ));
    }
    if is_encrypted(bytes) {
        return Err(reject(
            RejectKind::Encrypted,
            "the PDF is encrypted; save or print it again without a password or restrictions (for example `qpdf --decrypt`) and convert the copy".to_string(),
        ));
    }
    let corrupt = |detail: String| {
        reject(
            RejectKind::CorruptDocument,
            format!(
                "not a readable PDF ({detail}); open it in a PDF viewer and save or print it again as PDF"
            ),
        )
    };
    let load = LoadOptions {
        max_decompressed_size: Some(limits.max_inflated),
        ..LoadOptions::default()
    };
    // lopdf indexes and unwraps in places while parsing; a malformed file
    // must be a rejected input, not a crashed worker.
    let file = std::panic::catch_unwind(|| PdfFile::load_mem_with_options(bytes, load))
        .map_err(|_| corrupt("the reader gave up on its objects".to_string()))?
        .map_err(|e| match e {
            lopdf::Error::Decompress(_) => reject(
                RejectKind::TooLarge,
                format!(
                    "a stream inflates to more than {} bytes, as decompression bombs do; it was not read",
                    limits.max_inflated
                ),
            ),
            e => corrupt(e.to_string()),
        })?;
    if file.is_encrypted() || file.was_encrypted() {
        return Err(reject(
            RejectKind::Encrypted,
            "the PDF is encrypted; save or print it again without a password or restrictions (for example `qpdf --decrypt`) and convert the copy".to_string(),
        ));
    }
    let pages = file.get_pages();
    if pages.is_empty() {
        return Err(corrupt("it has no pages".to_string()));
    }
    if pages.len() > limits.max_pages {
        return Err(reject(
            RejectKind::TooLarge,
            format!(
                "the PDF has {} pages, more than the {} read; a summary is a few pages long",
                pages.len(),
                limits.max_pages
            ),
        ));
    }
    let mut fonts = glyphs::FontCache::default();
    let mut rows = Vec::with_capacity(pages.len());
    let mut images = 0;
    let mut inflated_budget = limits.max_total_inflated;
    for (number, page_id) in pages {
        if started.elapsed() >= limits.time {
            return Err(reject(
                RejectKind::TooLarge,
                format!(
                    "reading the PDF took longer than {} s (stopped at page {number}); it is not a summary's size",
                    limits.time.as_secs()
                ),
            ));
        }
        let limit = limits.max_inflated.min(inflated_budget);
        let page = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            glyphs::page_text(&file, page_id, &mut fonts, limit)
        }))
        .map_err(|_| corrupt(format!("page {number} could not be read")))?
        .map_err(|e| match e {
            glyphs::PageError::TooLarge(limit) => reject(
                RejectKind::TooLarge,
                format!(
                    "page {number}'s content inflates to more than {limit} bytes, as decompression bombs do; it was not read"
                ),
            ),
            glyphs::PageError::Corrupt(detail) => corrupt(format!("page {number}: {detail}")),
        })?;
        inflated_budget =
            inflated_budget.saturating_sub(page.glyphs.iter().map(|g| g.text.len()).sum::<usize>());
        images += page.images;
        rows.push(layout::page_rows(&page.glyphs, page.width, page.height));
    }
    drop(file);
    if rows.iter().all(|p| p.rows.is_empty()) {
        return Err(if images > 0 {
            reject(
                RejectKind::Empty,
                "no text layer: run OCR first (the pages are images of text, such as a scan)"
                    .to_string(),
            )
        } else {
            reject(RejectKind::Empty, "the PDF has no text".to_string())
        });
    }
    Ok(document_of(rows))
}

/// Every page's rows, for looking at how a PDF is read (the `lines`
/// example); empty when the file does not load.
pub fn page_rows_of(bytes: &[u8]) -> Vec<layout::PageRows> {
    let Ok(file) = PdfFile::load_mem(bytes) else {
        return Vec::new();
    };
    let mut fonts = glyphs::FontCache::default();
    file.get_pages()
        .values()
        .filter_map(|id| glyphs::page_text(&file, *id, &mut fonts, usize::MAX).ok())
        .map(|page| layout::page_rows(&page.glyphs, page.width, page.height))
        .collect()
}

/// Blocks from the rows of every page.
pub fn document_of(mut pages: Vec<layout::PageRows>) -> Document {
    let mut warnings = Vec::new();
    let dropped = layout::drop_furniture(&mut pages);
    // The right edge of the text on the pages: where full lines end.
    let right_margin = pages
        .iter()
        .flat_map(|p| &p.rows)
        .map(|r| r.segments.last().map_or(0.0, |s| s.x1))
        .fold(0.0, f32::max);
    let mut lines = Vec::new();
    for (index, page) in pages.into_iter().enumerate() {
        lines.extend(layout::reading_order(page, index, right_margin));
    }
    let blocks = layout::blocks(&lines, &mut warnings);
    for (page, texts) in dropped.iter().enumerate() {
        if !texts.is_empty() {
            // The first line read after the page's top.
            let line = lines
                .iter()
                .position(|l| l.page >= page)
                .map_or(1, |i| i + 1);
            warnings.push((
                line,
                format!(
                    "dropped the running header, footer or page number of page {}: {}",
                    page + 1,
                    texts
                        .iter()
                        .map(|t| format!("'{t}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    warnings.sort_by_key(|w| w.0);
    Document { blocks, warnings }
}

/// Whether the file's trailer names an encryption dictionary: checked on
/// the bytes, since lopdf decrypts a file it can open with an empty
/// password and would read it.
fn is_encrypted(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(64 * 1024)..];
    let needle = b"/Encrypt";
    tail.windows(needle.len()).any(|w| w == needle)
}
