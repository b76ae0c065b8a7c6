//! Web pages (.html, .htm) as input. Session reports are often kept as the
//! pages they were published on; this reader gives the summary reader what
//! the markup says about each paragraph, as the Word reader does for a
//! .docx: headings with their level, list items with their
//! depth, bold runs (speaker names in `<strong>`), labels (`<dt>`), line
//! breaks, and tables (a form's label cells as labels, a line-up's rows as
//! items). Only the page's main content is read, found by structure, with
//! menus, banners, sidebars, footers, scripts and share links left out
//! ([`walk`]'s doc says how).
//!
//! The page is decoded in the encoding it declares ([`charset`]), parsed by
//! html5ever (through scraper's arena tree) as a browser would, entities
//! included, after limits on size, element count and nesting depth
//! ([`guard`]). Errors are the parser's [`ParseError`], so callers handle one
//! error type for all inputs.

mod charset;
mod guard;
mod lines;
mod walk;

use rapporteur_model::{EventSummary, SourceFormat};
use rapporteur_parse::{Document, ParseError, ParseOptions, RejectKind, read_document, source_of};
use scraper::Html;

/// Start tags a page may have. A long report page holds a few thousand
/// elements (the corpus's pages about 150, a news site's article page with
/// all its chrome 3,000 to 10,000); more than this is not a summary.
pub const MAX_ELEMENTS: usize = 50_000;

/// How deeply elements may nest. Browsers stop nesting at 512 (Blink); real
/// pages, page builders included, stay under 100. The parser's work grows
/// with the square of the depth, so this is also its time limit.
pub const MAX_DEPTH: usize = 512;

/// Reads a web page summary. `name` is how the input is called in the model
/// and in errors. Line numbers in warnings and errors count the paragraphs
/// of the page's main content.
pub fn read_html_summary(
    name: &str,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<EventSummary, ParseError> {
    let document = html_document(name, bytes, options)?;
    read_document(
        name,
        &document,
        source_of(name, bytes, SourceFormat::Html),
        options,
    )
}

/// A web page's main content as the summary reader's blocks, after the
/// limits.
pub fn html_document(
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
    options.refuse_oversize(name, bytes, "the page")?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(reject(RejectKind::Empty, "the page is empty".to_string()));
    }
    let (text, _) = charset::decode(bytes);
    if text.contains('\0') {
        return Err(reject(
            RejectKind::Binary,
            "not a web page: the file holds binary data (NUL bytes); if it is a document, give it its own extension".to_string(),
        ));
    }
    let markup = guard::scan(&text, MAX_DEPTH, MAX_ELEMENTS);
    if markup.elements == 0 {
        return Err(reject(
            RejectKind::CorruptDocument,
            "not a web page: it has no HTML markup; if it is plain text, give it a .txt name"
                .to_string(),
        ));
    }
    if markup.elements > MAX_ELEMENTS {
        return Err(reject(
            RejectKind::TooLarge,
            format!(
                "the page has more than {MAX_ELEMENTS} elements; a summary page has a few thousand, so it was not read"
            ),
        ));
    }
    if markup.depth > MAX_DEPTH {
        return Err(reject(
            RejectKind::TooLarge,
            format!(
                "the page nests elements more than {MAX_DEPTH} deep, as no real page does; it was not read"
            ),
        ));
    }
    let html = Html::parse_document(&text);
    let blocks = walk::blocks(&html);
    if blocks.is_empty() {
        return Err(reject(
            RejectKind::Empty,
            "the page has no text in its main content (menus, banners and scripts are not read)"
                .to_string(),
        ));
    }
    Ok(Document {
        blocks,
        warnings: Vec::new(),
    })
}
