//! The one vocabulary of error codes: every code a reader, the pipeline,
//! `convert`'s report, the worker's result events and dead letters or the
//! HTTP API give is a variant here, and nowhere else is a code spelled.
//! README's list of error codes is tested against [`ErrorCode::ALL`], so
//! the two cannot drift. Adding a code: a variant, its name in [`ErrorCode::as_str`] and
//! in `ALL`, and a line in README's list.

use std::fmt;

/// A stable, machine-readable reason why an input or a job did not
/// convert. Its string form (`as_str`) is part of the public contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    // The job message.
    BadJson,
    InvalidJobId,
    UnsupportedVersion,
    UnknownFormat,
    InvalidKey,
    InvalidMetadata,
    // The source.
    InvalidPath,
    SourceNotFound,
    NotAFile,
    BadBase64,
    BadArchive,
    UnreadableInput,
    KeyCollision,
    TooLarge,
    // The reader.
    Empty,
    Binary,
    InvalidEncoding,
    NotASummary,
    EmptyTemplate,
    CorruptDocument,
    Encrypted,
    // The writers and storage.
    RenderFailed,
    OutputBlocked,
    StorageUnavailable,
    // The isolated converter.
    ConverterCrashed,
    ConverterUnavailable,
    Timeout,
    // The HTTP API's own (rapporteur-api).
    Unauthorized,
    Forbidden,
    JobNotFound,
    OutputNotFound,
    RateLimited,
    UnsupportedMediaType,
    BadRequest,
    IdempotencyConflict,
    WebhookRefused,
    BrokerUnavailable,
    RequestTimeout,
    RangeNotSatisfiable,
}

impl ErrorCode {
    /// Every code, in README's order.
    pub const ALL: &[ErrorCode] = &[
        ErrorCode::BadJson,
        ErrorCode::InvalidJobId,
        ErrorCode::UnsupportedVersion,
        ErrorCode::UnknownFormat,
        ErrorCode::InvalidKey,
        ErrorCode::InvalidMetadata,
        ErrorCode::InvalidPath,
        ErrorCode::SourceNotFound,
        ErrorCode::NotAFile,
        ErrorCode::BadBase64,
        ErrorCode::BadArchive,
        ErrorCode::UnreadableInput,
        ErrorCode::KeyCollision,
        ErrorCode::TooLarge,
        ErrorCode::Empty,
        ErrorCode::Binary,
        ErrorCode::InvalidEncoding,
        ErrorCode::NotASummary,
        ErrorCode::EmptyTemplate,
        ErrorCode::CorruptDocument,
        ErrorCode::Encrypted,
        ErrorCode::RenderFailed,
        ErrorCode::OutputBlocked,
        ErrorCode::StorageUnavailable,
        ErrorCode::ConverterCrashed,
        ErrorCode::ConverterUnavailable,
        ErrorCode::Timeout,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::JobNotFound,
        ErrorCode::OutputNotFound,
        ErrorCode::RateLimited,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::BadRequest,
        ErrorCode::IdempotencyConflict,
        ErrorCode::WebhookRefused,
        ErrorCode::BrokerUnavailable,
        ErrorCode::RequestTimeout,
        ErrorCode::RangeNotSatisfiable,
    ];

    /// The code as result events, dead-letter headers and reports give it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadJson => "bad_json",
            ErrorCode::InvalidJobId => "invalid_job_id",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::UnknownFormat => "unknown_format",
            ErrorCode::InvalidKey => "invalid_key",
            ErrorCode::InvalidMetadata => "invalid_metadata",
            ErrorCode::InvalidPath => "invalid_path",
            ErrorCode::SourceNotFound => "source_not_found",
            ErrorCode::NotAFile => "not_a_file",
            ErrorCode::BadBase64 => "bad_base64",
            ErrorCode::BadArchive => "bad_archive",
            ErrorCode::UnreadableInput => "unreadable_input",
            ErrorCode::KeyCollision => "key_collision",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::Empty => "empty",
            ErrorCode::Binary => "binary",
            ErrorCode::InvalidEncoding => "invalid_encoding",
            ErrorCode::NotASummary => "not_a_summary",
            ErrorCode::EmptyTemplate => "empty_template",
            ErrorCode::CorruptDocument => "corrupt_document",
            ErrorCode::Encrypted => "encrypted",
            ErrorCode::RenderFailed => "render_failed",
            ErrorCode::OutputBlocked => "output_blocked",
            ErrorCode::StorageUnavailable => "storage_unavailable",
            ErrorCode::ConverterCrashed => "converter_crashed",
            ErrorCode::ConverterUnavailable => "converter_unavailable",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::JobNotFound => "job_not_found",
            ErrorCode::OutputNotFound => "output_not_found",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::IdempotencyConflict => "idempotency_conflict",
            ErrorCode::WebhookRefused => "webhook_refused",
            ErrorCode::BrokerUnavailable => "broker_unavailable",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::RangeNotSatisfiable => "range_not_satisfiable",
        }
    }

    /// The code of a string form, for clients reading events back.
    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_reads_back() {
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        assert_eq!(ErrorCode::parse("nonsense"), None);
    }

    /// README's "Error codes" item names exactly the codes there are.
    #[test]
    fn readme_lists_exactly_these_codes() {
        let readme = include_str!("../../../README.md");
        let start = readme
            .find("- Error codes")
            .expect("README has an error-code list");
        let item: String = readme[start..]
            .lines()
            .enumerate()
            .take_while(|(i, line)| *i == 0 || line.starts_with("  "))
            .map(|(_, line)| line)
            .collect::<Vec<_>>()
            .join(" ");
        let listed: std::collections::BTreeSet<&str> = item
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|name| !name.contains("::"))
            .collect();
        let known: std::collections::BTreeSet<&str> =
            ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            listed, known,
            "README's error codes and ErrorCode::ALL differ"
        );
    }
}
