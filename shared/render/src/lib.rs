//! The output formats, and the one place that maps a format to its writer.
//!
//! Writers know only the model ([`EventSummary`]); the services ask this crate
//! for "the bytes of format F" and never format documents themselves. Adding a
//! format means adding a variant here and a writer crate, nothing else.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use rapporteur_model::{Dms, DocumentMetadata, EventSummary};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// The model's JSON contract (see `schema/event-summary.schema.json`).
    Json,
    /// A print-ready, searchable PDF (`rapporteur-render-pdf`).
    Pdf,
    /// A Word document an editor can keep working on (`rapporteur-render-docx`).
    Docx,
}

impl Format {
    pub const ALL: &[Format] = &[Format::Json, Format::Pdf, Format::Docx];

    /// File extension of outputs in this format, also its name on the command line.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Pdf => "pdf",
            Format::Docx => "docx",
        }
    }

    /// The media type of outputs in this format, as manifests record it
    /// and the API serves it.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Pdf => "application/pdf",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }

    /// Renders a summary in this format.
    pub fn render(
        self,
        summary: &EventSummary,
        options: &RenderOptions,
    ) -> Result<Vec<u8>, RenderError> {
        let metadata = || DocumentMetadata::filed(summary, options.dms.as_ref());
        let rendered = match self {
            Format::Json => return Ok(summary.to_json()),
            Format::Pdf => rapporteur_render_pdf::render_filed(
                summary,
                &rapporteur_render_pdf::PdfOptions {
                    page_millimetres: options.page_size.millimetres(),
                    font_dir: options.font_dir.as_deref(),
                },
                &metadata(),
            )
            .map_err(|error| error.to_string()),
            Format::Docx => rapporteur_render_docx::render_docx_filed(
                summary,
                options.page_size.millimetres(),
                &metadata(),
            )
            .map_err(|error| error.to_string()),
        };
        rendered.map_err(|message| RenderError {
            format: self,
            message,
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .iter()
            .copied()
            .find(|f| f.extension().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| UnknownFormat(name.to_string()))
    }
}

/// Choices that apply to every paged format.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderOptions {
    pub page_size: PageSize,
    /// Where fonts for scripts that are not bundled (CJK) are looked for;
    /// `None` means the platform default.
    pub font_dir: Option<PathBuf>,
    /// A DMS's own filing of the documents (a job's `metadata.dms`): its
    /// title, date, tags and fields go into the PDF and DOCX properties.
    pub dms: Option<Dms>,
}

/// Paper size of paged outputs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum PageSize {
    #[default]
    A4,
    Letter,
}

impl PageSize {
    /// The size's name on the command line and in manifests.
    pub fn name(self) -> &'static str {
        match self {
            PageSize::A4 => "a4",
            PageSize::Letter => "letter",
        }
    }

    /// Width and height in millimetres.
    pub fn millimetres(self) -> (f32, f32) {
        match self {
            PageSize::A4 => (210.0, 297.0),
            PageSize::Letter => (215.9, 279.4),
        }
    }
}

impl FromStr for PageSize {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.trim().to_ascii_lowercase().as_str() {
            "a4" => Ok(PageSize::A4),
            "letter" | "us-letter" => Ok(PageSize::Letter),
            other => Err(format!("unknown page size '{other}'; use a4 or letter")),
        }
    }
}

/// A format name this build does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown output format '{0}'; known formats: {known}", known = Format::ALL.iter().map(|f| f.extension()).collect::<Vec<_>>().join(", "))]
pub struct UnknownFormat(pub String);

/// A summary that a writer could not render.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot render {format}: {message}")]
pub struct RenderError {
    pub format: Format,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip_and_unknown_names_are_refused() {
        for &format in Format::ALL {
            assert_eq!(format.to_string().parse::<Format>(), Ok(format));
        }
        assert_eq!("JSON".parse::<Format>(), Ok(Format::Json));
        let error = "odt".parse::<Format>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown output format 'odt'; known formats: json, pdf, docx"
        );
    }
}
