//! The output formats, and the one place that maps a format to its writer.
//!
//! Writers know only the model ([`EventSummary`]); the services ask this crate
//! for "the bytes of format F" and never format documents themselves. Adding a
//! format means adding a variant here and a writer crate, nothing else.

use std::fmt;
use std::str::FromStr;

use rapporteur_model::EventSummary;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// The model's JSON contract (see `schema/event-summary.schema.json`).
    Json,
}

impl Format {
    pub const ALL: &[Format] = &[Format::Json];

    /// File extension of outputs in this format, also its name on the command line.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
        }
    }

    /// Renders a summary in this format.
    pub fn render(self, summary: &EventSummary) -> Result<Vec<u8>, RenderError> {
        match self {
            Format::Json => Ok(summary.to_json()),
        }
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
            "unknown output format 'odt'; known formats: json"
        );
    }
}
