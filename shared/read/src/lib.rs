//! The reader side's one dispatcher, as `rapporteur-render` is the writers':
//! it tells an input's format ([`InputFormat`]) from its name and first
//! bytes and hands it to that format's reader, which gives the summary
//! reader a [`Document`]. Services call [`read_summary`] and [`explain`]
//! and never reach into a format's crate; adding a format is a variant
//! here and a crate of its own.

use rapporteur_model::{EventSummary, SourceFormat};
use rapporteur_parse::{Document, Explanation, ParseError, ParseOptions};

pub use rapporteur_parse::Placement;

/// The formats Rapporteur reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Text,
    Markdown,
    Docx,
    Html,
    Pdf,
}

/// The zip signature every .docx starts with.
const ZIP_SIGNATURE: &[u8] = b"PK\x03\x04";

impl InputFormat {
    /// Every format, for listings and tests.
    pub const ALL: [InputFormat; 5] = [
        InputFormat::Text,
        InputFormat::Markdown,
        InputFormat::Docx,
        InputFormat::Html,
        InputFormat::Pdf,
    ];

    /// The file extensions (lower case) of the format.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            InputFormat::Text => &["txt", "text"],
            InputFormat::Markdown => &["md", "markdown"],
            InputFormat::Docx => &["docx"],
            InputFormat::Html => &["html", "htm"],
            InputFormat::Pdf => &["pdf"],
        }
    }

    /// The format of an input by its name's extension, and for a name that
    /// says nothing, by its first bytes (a zip is a Word document: the text
    /// reader could only call it binary; `%PDF-` is a PDF; a page that
    /// starts `<!doctype html` or `<html` is a web page). Anything else is
    /// read as text.
    pub fn detect(name: &str, bytes: &[u8]) -> InputFormat {
        let extension = std::path::Path::new(name)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if let Some(extension) = extension
            && let Some(format) = InputFormat::ALL
                .into_iter()
                .find(|f| f.extensions().contains(&extension.as_str()))
        {
            return format;
        }
        if bytes.starts_with(ZIP_SIGNATURE) {
            InputFormat::Docx
        } else if bytes.starts_with(b"%PDF-") {
            InputFormat::Pdf
        } else if starts_as_html(bytes) {
            InputFormat::Html
        } else {
            InputFormat::Text
        }
    }

    /// The `source.format` of summaries read in this format.
    pub fn source_format(self) -> SourceFormat {
        match self {
            InputFormat::Text => SourceFormat::Text,
            InputFormat::Markdown => SourceFormat::Markdown,
            InputFormat::Docx => SourceFormat::Docx,
            InputFormat::Html => SourceFormat::Html,
            InputFormat::Pdf => SourceFormat::Pdf,
        }
    }

    fn document(
        self,
        name: &str,
        bytes: &[u8],
        options: &ParseOptions,
    ) -> Result<Document, ParseError> {
        match self {
            InputFormat::Text | InputFormat::Markdown => {
                rapporteur_parse::text_document(name, bytes, options)
            }
            InputFormat::Docx => rapporteur_read_docx::docx_document(name, bytes, options),
            InputFormat::Html => rapporteur_read_html::html_document(name, bytes, options),
            InputFormat::Pdf => rapporteur_read_pdf::pdf_document(name, bytes, options),
        }
    }
}

/// Whether the bytes open as a web page does: `<!doctype html` or `<html`,
/// in any case, after a UTF-8 byte order mark and whitespace.
fn starts_as_html(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes.trim_ascii_start();
    let opens = |prefix: &[u8]| {
        start.len() >= prefix.len() && start[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    opens(b"<!doctype html") || opens(b"<html")
}

/// Every extension a directory walk should take, in every format.
pub fn document_extensions() -> Vec<&'static str> {
    InputFormat::ALL
        .into_iter()
        .flat_map(|f| f.extensions().iter().copied())
        .collect()
}

/// Reads one summary with the reader its format needs.
pub fn read_summary(
    name: &str,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<EventSummary, ParseError> {
    explain(name, bytes, options).result
}

/// Reads one summary and keeps the reading: every block with what it became
/// and where it went (`rapporteur explain`).
pub fn explain(name: &str, bytes: &[u8], options: &ParseOptions) -> Explanation {
    let format = InputFormat::detect(name, bytes);
    match format.document(name, bytes, options) {
        Ok(document) => rapporteur_parse::explain_document(
            name,
            &document,
            rapporteur_parse::source_of(name, bytes, format.source_format()),
            options,
        ),
        Err(error) => Explanation {
            placements: Vec::new(),
            result: Err(error),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension_then_by_content() {
        assert_eq!(InputFormat::detect("a.MD", b""), InputFormat::Markdown);
        assert_eq!(InputFormat::detect("a.docx", b"text"), InputFormat::Docx);
        assert_eq!(
            InputFormat::detect("upload", b"PK\x03\x04..."),
            InputFormat::Docx
        );
        assert_eq!(InputFormat::detect("a.PDF", b""), InputFormat::Pdf);
        assert_eq!(
            InputFormat::detect("upload", b"%PDF-1.7\n..."),
            InputFormat::Pdf
        );
        assert_eq!(
            InputFormat::detect("notes.log", b"Summary"),
            InputFormat::Text
        );
        assert_eq!(InputFormat::detect("a.HTM", b""), InputFormat::Html);
        assert_eq!(
            InputFormat::detect("upload", b"\xEF\xBB\xBF\n  <!DOCTYPE HTML><p>x"),
            InputFormat::Html
        );
        assert_eq!(
            InputFormat::detect("upload", b"<Html lang=fr>"),
            InputFormat::Html
        );
        assert_eq!(
            InputFormat::detect("notes", b"<b>not a page</b>"),
            InputFormat::Text
        );
    }

    #[test]
    fn a_web_page_reaches_the_html_reader_by_name_or_by_content() {
        let page = "<!DOCTYPE html><html><body><nav>Home</nav><main>\
            <h1>Summary of Side Event: Rural Networks</h1><p>8 March 2023, 10:00-11:15 CET</p>\
            <h2>Key Issues discussed</h2><ul><li><strong>Ms. Ana Ruiz</strong>, Director, \
            Ministry of ICT explained the reform.</li></ul></main></body></html>";
        for name in ["page.html", "job-source"] {
            let summary =
                read_summary(name, page.as_bytes(), &ParseOptions::default()).expect("a summary");
            assert_eq!(summary.source.format, SourceFormat::Html);
            assert_eq!(summary.event.title, "Rural Networks");
        }
    }

    #[test]
    fn the_directory_walk_takes_every_format_read_here() {
        let mut walked: Vec<&str> = rapporteur_inputs::DOCUMENT_EXTENSIONS.to_vec();
        let mut read = document_extensions();
        walked.sort_unstable();
        read.sort_unstable();
        assert_eq!(walked, read);
    }
}
