//! One document's way through Rapporteur: read → model → render → storage.
//!
//! The CLI and the worker both convert documents through [`Converter`], so a
//! job's outputs are byte-identical to `rapporteur convert`'s, and every
//! failure carries a stable code and whether trying again could help.

use std::path::PathBuf;

use rapporteur_model::EventSummary;
use rapporteur_parse::{ParseError, ParseOptions};
use rapporteur_render::{Format, RenderOptions};
use rapporteur_storage::{OutputKey, Storage};
use sha2::{Digest, Sha256};

/// Settings shared by every conversion of a process.
#[derive(Debug, Clone, Default)]
pub struct Converter {
    pub parse: ParseOptions,
    pub render: RenderOptions,
}

/// A file a conversion wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenOutput {
    pub format: Format,
    pub path: PathBuf,
    pub bytes: u64,
    pub sha256: String,
}

/// Why a document could not be converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertError {
    /// Stable and machine-readable: the parser's reject codes, "render_failed",
    /// "invalid_key", "storage_unavailable".
    pub code: &'static str,
    /// For people: names the document and says what to do.
    pub message: String,
    /// Line of the source, for parse errors.
    pub line: Option<usize>,
    /// Whether the same document could succeed later (storage trouble), as
    /// opposed to never (the document itself is the problem).
    pub transient: bool,
}

impl std::fmt::Display for ConvertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<ParseError> for ConvertError {
    fn from(error: ParseError) -> Self {
        ConvertError {
            code: error.kind.code(),
            message: error.to_string(),
            line: error.line,
            transient: false,
        }
    }
}

impl Converter {
    /// Reads a document (text, or a Word file) into the model.
    pub fn read(&self, name: &str, bytes: &[u8]) -> Result<EventSummary, ConvertError> {
        Ok(rapporteur_read::read_summary(name, bytes, &self.parse)?)
    }

    /// Converts one document and writes `<key>.<format>` for every format.
    /// Everything is rendered before anything is written, so a failure
    /// leaves no partial set of outputs behind.
    pub fn convert(
        &self,
        name: &str,
        bytes: &[u8],
        formats: &[Format],
        key: &OutputKey,
        storage: &Storage,
    ) -> Result<Vec<WrittenOutput>, ConvertError> {
        let summary = self.read(name, bytes)?;
        let rendered = formats
            .iter()
            .map(|&format| Ok((format, format.render(&summary, &self.render)?)))
            .collect::<Result<Vec<_>, rapporteur_render::RenderError>>()
            .map_err(|e| ConvertError {
                code: "render_failed",
                message: format!("{name}: {e}"),
                line: None,
                transient: false,
            })?;
        let outputs: Vec<(&str, &[u8])> = rendered
            .iter()
            .map(|(format, bytes)| (format.extension(), bytes.as_slice()))
            .collect();
        let paths = storage
            .write_all_atomic(key, &outputs)
            .map_err(|e| ConvertError {
                code: if e.is_transient() {
                    "storage_unavailable"
                } else {
                    "invalid_key"
                },
                message: format!("{name}: {e}"),
                line: None,
                transient: e.is_transient(),
            })?;
        Ok(rendered
            .into_iter()
            .zip(paths)
            .map(|((format, bytes), path)| WrittenOutput {
                format,
                path,
                bytes: bytes.len() as u64,
                sha256: format!("{:x}", Sha256::digest(&bytes)),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &[u8] = include_bytes!("../../../examples/wsis-cooperation-sdgs.txt");

    #[test]
    fn writes_every_format_and_reports_checksums() {
        let root = tempfile::tempdir().unwrap();
        let storage = Storage::open(root.path()).unwrap();
        let key = OutputKey::new("2023/seed").unwrap();
        let written = Converter::default()
            .convert("seed.txt", SEED, &[Format::Json], &key, &storage)
            .unwrap();
        assert_eq!(written.len(), 1);
        let on_disk = std::fs::read(root.path().join("2023/seed.json")).unwrap();
        assert_eq!(written[0].bytes, on_disk.len() as u64);
        assert_eq!(written[0].sha256, format!("{:x}", Sha256::digest(&on_disk)));
    }

    #[test]
    fn parse_rejections_are_permanent_and_storage_trouble_is_transient() {
        let root = tempfile::tempdir().unwrap();
        let storage = Storage::open(root.path()).unwrap();
        let converter = Converter::default();
        let key = OutputKey::new("press").unwrap();
        let error = converter
            .convert(
                "press.txt",
                b"FOR IMMEDIATE RELEASE\n",
                &[Format::Json],
                &key,
                &storage,
            )
            .unwrap_err();
        assert_eq!(
            (error.code, error.line, error.transient),
            ("not_a_summary", Some(1), false)
        );

        // A regular file where the key's directory should be: the disk, not
        // the document, is at fault.
        std::fs::write(root.path().join("blocked"), b"").unwrap();
        let key = OutputKey::new("blocked/seed").unwrap();
        let error = converter
            .convert("seed.txt", SEED, &[Format::Json], &key, &storage)
            .unwrap_err();
        assert_eq!((error.code, error.transient), ("storage_unavailable", true));
        assert!(error.message.starts_with("seed.txt: "), "{}", error.message);
    }
}
