//! Job state, kept in the shared storage so that any number of API
//! replicas answer the same and a restart loses nothing: the API writes a
//! request record before it publishes a job, the worker writes the result
//! record (`rapporteur_jobs::job_result_object`) before it publishes the
//! result event. A job with a result record has ended; one with only a
//! request record is queued; one with neither is unknown.

use rapporteur_jobs::{JobResult, JobStatus, job_request_object, job_result_object};
use rapporteur_storage::{ReadError, Storage};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most a record may hold (a result lists a few outputs).
const MAX_RECORD_BYTES: u64 = 1 << 20;

/// What the API knows of a job it accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub job_id: String,
    /// The API key's name that submitted it (only it may see the job).
    pub owner: String,
    pub key: String,
    pub formats: Vec<String>,
    /// Where the job's events are sent (its own webhook, then its key's).
    #[serde(default)]
    pub webhooks: Vec<String>,
    /// Seconds since the Unix epoch.
    pub submitted_at: u64,
}

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Queued,
    Succeeded,
    Failed,
}

/// A job as `GET /v1/jobs/{id}` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct JobView {
    pub job_id: String,
    pub status: State,
    /// The output key: outputs are `<key>.<format>` in storage.
    pub key: String,
    pub formats: Vec<String>,
    /// Seconds since the Unix epoch.
    pub submitted_at: u64,
    /// The version of the key's output set this job wrote or found current.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// The version it replaced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces: Option<u32>,
    /// True when the set was already current and nothing was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unchanged: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warnings: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    pub outputs: Vec<OutputView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorView>,
    /// For an archive job: what became of its documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive: Option<ArchiveView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OutputView {
    pub format: String,
    pub bytes: u64,
    /// Lower-case hex SHA-256 (the download's ETag).
    pub sha256: String,
    /// Where to download it: `/v1/jobs/{id}/outputs/{format}`.
    pub href: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ErrorView {
    /// A code of README's "Error codes".
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ArchiveView {
    pub total: u64,
    pub converted: u64,
    pub skipped: u64,
    pub rejected: u64,
    /// The report (CSV) by its name in storage.
    pub report: String,
}

/// A job found in storage: what was asked, and how it ended if it has.
pub struct Found {
    pub request: RequestRecord,
    pub result: Option<JobResult>,
}

impl Found {
    pub fn view(&self) -> JobView {
        let request = &self.request;
        let href = |format: &str| format!("/v1/jobs/{}/outputs/{format}", request.job_id);
        let mut view = JobView {
            job_id: request.job_id.clone(),
            status: State::Queued,
            key: request.key.clone(),
            formats: request.formats.clone(),
            submitted_at: request.submitted_at,
            version: None,
            replaces: None,
            unchanged: None,
            warnings: None,
            attempts: None,
            outputs: Vec::new(),
            error: None,
            archive: None,
        };
        let Some(result) = &self.result else {
            return view;
        };
        view.status = match result.status {
            JobStatus::Succeeded => State::Succeeded,
            JobStatus::Failed => State::Failed,
        };
        view.version = result.set_version;
        view.replaces = result.replaces;
        view.unchanged = result.unchanged;
        view.warnings = result.warnings;
        view.attempts = Some(result.attempts);
        view.outputs = result
            .outputs
            .iter()
            .map(|output| OutputView {
                format: output.format.clone(),
                bytes: output.bytes,
                sha256: output.sha256.clone(),
                href: href(&output.format),
            })
            .collect();
        view.error = result.error.as_ref().map(|e| ErrorView {
            code: e.code.clone(),
            message: e.message.clone(),
            line: e.line,
        });
        view.archive = result.archive.as_ref().map(|a| ArchiveView {
            total: a.total,
            converted: a.converted,
            skipped: a.skipped,
            rejected: a.rejected,
            report: a.report.clone(),
        });
        view
    }
}

/// A record that could not be read (storage trouble, or one that is not
/// what we write).
#[derive(Debug, thiserror::Error)]
#[error("the job's record cannot be read: {0}")]
pub struct Unreadable(String);

/// Reads a JSON record; `None` when it is not there. Blocking.
fn read_json<T: serde::de::DeserializeOwned>(
    storage: &Storage,
    object: &str,
) -> Result<Option<T>, Unreadable> {
    match storage.read(object, MAX_RECORD_BYTES) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Unreadable(e.to_string())),
        Err(ReadError::NotFound { .. }) => Ok(None),
        Err(e) => Err(Unreadable(e.to_string())),
    }
}

/// The job's records, if it is one the API accepted. Blocking.
pub fn find(storage: &Storage, job_id: &str) -> Result<Option<Found>, Unreadable> {
    let Some(request) = read_json::<RequestRecord>(storage, &job_request_object(job_id))? else {
        return Ok(None);
    };
    let result = read_json::<JobResult>(storage, &job_result_object(job_id))?;
    Ok(Some(Found { request, result }))
}

/// Writes the request record of a job about to be published. Blocking.
pub fn write_request(storage: &Storage, record: &RequestRecord) -> Result<(), String> {
    let body = serde_json::to_vec(record).expect("a record always serializes");
    storage
        .write_objects(&[(&job_request_object(&record.job_id), &body)])
        .map_err(|e| e.to_string())
}
