//! Converting many documents as one run: `rapporteur convert`, and the
//! worker's archive jobs. Each document is converted on its own (one bad
//! document never stops the others) into one [`Row`] an archivist can act
//! on: key, status, error code, line, message, warnings, output checksums.
//! The rows make the run's report, as CSV or JSON ([`encode`]).

use rapporteur_codes::ErrorCode;
use rapporteur_pipeline::{Converter, Provenance};
use rapporteur_render::Format;
use rapporteur_storage::{OutputKey, Storage, StorageError};
use serde::{Deserialize, Serialize};

/// What became of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Converted now.
    Converted,
    /// Its outputs were already current.
    Skipped,
    /// The document itself cannot be converted: the message says what to fix.
    Rejected,
    /// Storage trouble; converting again later may succeed.
    Failed,
}

/// One document's row of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
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
    /// A row for a document whose outputs were already current.
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

    /// A row for a document that was not converted.
    pub fn refused(
        input: &str,
        key: &str,
        status: Status,
        code: ErrorCode,
        line: Option<usize>,
        message: &str,
    ) -> Row {
        Row {
            status,
            error_code: Some(code.as_str().to_string()),
            line,
            message: Some(message.to_string()),
            ..Row::skipped(input, key)
        }
    }

    /// Whether the document ended well (converted, or already current).
    pub fn is_done(&self) -> bool {
        matches!(self.status, Status::Converted | Status::Skipped)
    }

    /// How many objects the row's document wrote: its outputs and manifest
    /// (none when nothing was written).
    pub fn objects_written(&self) -> usize {
        if self.status != Status::Converted {
            return 0;
        }
        [&self.json_sha256, &self.pdf_sha256, &self.docx_sha256]
            .iter()
            .filter(|c| c.is_some())
            .count()
            + 1
    }
}

/// One document of a run, as named to people and stored.
#[derive(Debug, Clone, Copy)]
pub struct Document<'a> {
    /// What messages and the report call it ("dir/a.txt", "inbox.zip:2023/a.txt").
    pub input: &'a str,
    /// Its name relative to what was named, as the outputs record it.
    pub source_name: &'a str,
    /// Its output key.
    pub key: &'a str,
}

/// The settings every document of a run is converted with.
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    pub formats: &'a [Format],
    pub storage: &'a Storage,
    pub converter: &'a Converter,
    pub provenance: Provenance<'a>,
}

/// The outcome of a chunk's commit run on a thread of its own while the
/// next chunk converts (`convert` and archive jobs both do): a panic in it
/// is a failed commit.
pub fn joined(
    commit: std::thread::ScopedJoinHandle<'_, Result<(), StorageError>>,
) -> Result<(), StorageError> {
    commit.join().unwrap_or_else(|_| {
        Err(StorageError::Object {
            operation: "commit",
            location: "the output storage".into(),
            message: "the commit panicked".into(),
            transient: true,
        })
    })
}

/// Converts one document (or finds its outputs current) and says what
/// became of it. `read` fetches its bytes, or says why it cannot be read.
pub fn convert_document(
    document: Document<'_>,
    read: impl FnOnce() -> Result<Vec<u8>, (ErrorCode, String)>,
    run: &Run<'_>,
) -> Row {
    let refused = |status, code: ErrorCode, line, message: &str| {
        Row::refused(document.input, document.key, status, code, line, message)
    };
    let bytes = match read() {
        Ok(bytes) => bytes,
        Err((code, message)) => return refused(Status::Rejected, code, None, &message),
    };
    let key = match OutputKey::new(document.key) {
        Ok(key) => key,
        Err(e) => {
            return refused(
                Status::Rejected,
                ErrorCode::InvalidKey,
                None,
                &format!("{}: {e}", document.input),
            );
        }
    };
    match run.converter.convert_for(
        document.source_name,
        &bytes,
        run.formats,
        &key,
        run.storage,
        run.provenance,
    ) {
        Ok(converted) => {
            let checksum = |format: Format| {
                converted
                    .outputs
                    .iter()
                    .find(|o| o.format == format)
                    .map(|o| o.sha256.clone())
            };
            Row {
                status: if converted.unchanged {
                    Status::Skipped
                } else {
                    Status::Converted
                },
                warnings: converted.warnings,
                json_sha256: checksum(Format::Json),
                pdf_sha256: checksum(Format::Pdf),
                docx_sha256: checksum(Format::Docx),
                ..Row::skipped(document.input, document.key)
            }
        }
        Err(e) => refused(
            if e.transient {
                Status::Failed
            } else {
                Status::Rejected
            },
            e.code,
            e.line,
            &e.message,
        ),
    }
}

/// How a report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// A header line, then one line per row.
    Csv,
    /// The rows only, for a report written in parts (an archive job's).
    CsvRows,
    /// One JSON array.
    Json,
}

impl Encoding {
    /// JSON for a file named `*.json`, else CSV.
    pub fn for_file(name: &str) -> Encoding {
        let json = name
            .rsplit_once('.')
            .is_some_and(|(_, e)| e.eq_ignore_ascii_case("json"));
        if json { Encoding::Json } else { Encoding::Csv }
    }
}

/// The report of `rows`, in the order given (callers sort, so that the same
/// run gives the same report).
pub fn encode(rows: &[Row], encoding: Encoding) -> Vec<u8> {
    if encoding == Encoding::Json {
        let mut bytes = serde_json::to_vec_pretty(rows).expect("rows always serialize");
        bytes.push(b'\n');
        return bytes;
    }
    let mut writer = csv::WriterBuilder::new()
        .has_headers(encoding == Encoding::Csv)
        .from_writer(Vec::new());
    if rows.is_empty() && encoding == Encoding::Csv {
        // The header alone: serde writes it with the first row only.
        writer
            .write_record(CSV_HEADER)
            .expect("writing to memory cannot fail");
    }
    for row in rows {
        writer
            .serialize(row)
            .expect("writing to memory cannot fail");
    }
    writer.into_inner().expect("writing to memory cannot fail")
}

/// The rows of a CSV report (as [`encode`] writes it).
pub fn decode_csv(bytes: &[u8]) -> Result<Vec<Row>, csv::Error> {
    csv::Reader::from_reader(bytes).deserialize().collect()
}

/// The CSV header line of a report, for one written in parts.
pub fn csv_header() -> Vec<u8> {
    let mut line = CSV_HEADER.join(",").into_bytes();
    line.push(b'\n');
    line
}

/// The report's columns, in [`Row`]'s field order.
const CSV_HEADER: [&str; 10] = [
    "input",
    "key",
    "status",
    "error_code",
    "line",
    "message",
    "warnings",
    "json_sha256",
    "pdf_sha256",
    "docx_sha256",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<Row> {
        vec![
            Row {
                status: Status::Converted,
                warnings: Some(2),
                json_sha256: Some("ab".into()),
                ..Row::skipped("a.txt", "a")
            },
            Row::refused(
                "b, \"quoted\".txt",
                "b",
                Status::Rejected,
                ErrorCode::NotASummary,
                Some(3),
                "b: no title, line 3",
            ),
        ]
    }

    #[test]
    fn a_report_in_parts_equals_the_report_written_whole() {
        let rows = rows();
        let mut parts = csv_header();
        parts.extend(encode(&rows[..1], Encoding::CsvRows));
        parts.extend(encode(&rows[1..], Encoding::CsvRows));
        assert_eq!(parts, encode(&rows, Encoding::Csv));
        assert_eq!(decode_csv(&parts).unwrap(), rows);
        // The header the serializer writes is the one written by hand.
        assert!(encode(&rows, Encoding::Csv).starts_with(&csv_header()));
        assert_eq!(encode(&[], Encoding::Csv), csv_header());
    }

    #[test]
    fn json_reports_are_chosen_by_extension() {
        assert_eq!(Encoding::for_file("run.JSON"), Encoding::Json);
        assert_eq!(Encoding::for_file("run.csv"), Encoding::Csv);
        assert_eq!(Encoding::for_file("run"), Encoding::Csv);
        let read: Vec<Row> = serde_json::from_slice(&encode(&rows(), Encoding::Json)).unwrap();
        assert_eq!(read, rows());
        assert_eq!(rows()[0].objects_written(), 2);
        assert!(!rows()[1].is_done());
    }
}
