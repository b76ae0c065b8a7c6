//! `--report FILE`: one row per input an archivist can act on (key, status,
//! error code, line, message, warnings, output checksums), as CSV or JSON by
//! the file's extension. Rows are sorted by input, so the same run gives the
//! same report, and the file is written whole (temporary file, rename).

use std::path::Path;

use anyhow::Context;
use rapporteur_pipeline::ErrorCode;
use serde::Serialize;

/// What became of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    /// Converted now.
    Converted,
    /// Its outputs were already current.
    Skipped,
    /// The input itself cannot be converted: the message says what to fix.
    Rejected,
    /// Storage trouble; converting again later may succeed.
    Failed,
}

/// One input's row.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Row {
    pub input: String,
    pub key: String,
    pub status: Status,
    pub error_code: Option<String>,
    pub line: Option<usize>,
    pub message: Option<String>,
    pub warnings: Option<usize>,
    pub json_sha256: Option<String>,
    pub pdf_sha256: Option<String>,
    pub docx_sha256: Option<String>,
}

impl Row {
    /// A row for an input whose outputs were already current.
    pub fn skipped(input: &str, key: &str) -> Row {
        Row {
            input: input.to_string(),
            key: key.to_string(),
            status: Status::Skipped,
            error_code: None,
            line: None,
            message: None,
            warnings: None,
            json_sha256: None,
            pdf_sha256: None,
            docx_sha256: None,
        }
    }

    /// A row for an input that was not converted.
    pub fn refused(
        input: &str,
        key: &str,
        status: Status,
        code: ErrorCode,
        line: Option<usize>,
        message: &str,
    ) -> Row {
        Row {
            input: input.to_string(),
            key: key.to_string(),
            status,
            error_code: Some(code.as_str().to_string()),
            line,
            message: Some(message.to_string()),
            warnings: None,
            json_sha256: None,
            pdf_sha256: None,
            docx_sha256: None,
        }
    }
}

/// Writes the rows to `path`: JSON (an array) for `.json`, else CSV.
pub(crate) fn write(path: &Path, mut rows: Vec<Row>) -> anyhow::Result<()> {
    rows.sort_by(|a, b| (&a.input, &a.key).cmp(&(&b.input, &b.key)));
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let bytes = if json {
        let mut bytes = serde_json::to_vec_pretty(&rows)?;
        bytes.push(b'\n');
        bytes
    } else {
        let mut writer = csv::Writer::from_writer(Vec::new());
        for row in &rows {
            writer.serialize(row)?;
        }
        writer
            .into_inner()
            .context("cannot finish the CSV report")?
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write the report in {}", dir.display()))?;
    std::io::Write::write_all(&mut temp, &bytes)?;
    temp.persist(path)
        .with_context(|| format!("cannot write the report {}", path.display()))?;
    Ok(())
}
