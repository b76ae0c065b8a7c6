//! One job, from message body to result: decoding and checking the request,
//! fetching the source, and converting it through the shared pipeline. No
//! broker here; `broker` decides what happens to the message afterwards.

use std::io::Read;
use std::sync::Arc;
use std::time::Instant;

use base64::Engine;
use rapporteur_jobs::{
    JOB_CONTRACT_VERSION, JobError, JobRequest, JobResult, JobSource, JobStatus, OutputFile,
};
use rapporteur_pipeline::ConvertError;
use rapporteur_render::Format;
use rapporteur_storage::OutputKey;

use crate::Worker;

/// A finished attempt: the result event to publish, and whether a failure
/// could go away if the job were tried again.
pub(crate) struct Processed {
    pub result: JobResult,
    pub transient: bool,
}

/// Runs one attempt of a job. Never panics on bad input: every problem becomes
/// a failed result with a code.
pub(crate) async fn process(worker: &Arc<Worker>, body: &[u8], attempt: u32) -> Processed {
    let started = Instant::now();
    let request = match decode(worker, body) {
        Ok(request) => request,
        Err(error) => {
            let job_id = peek_job_id(body).unwrap_or_default();
            return failed(job_id, None, Default::default(), error, attempt, started);
        }
    };
    let key = request
        .key
        .clone()
        .unwrap_or_else(|| request.source.default_key());
    let job_worker = worker.clone();
    let job = request.clone();
    let key_for_job = key.clone();
    // Parsing and rendering are CPU work: keep them off the async threads
    // that talk to the broker.
    let converted = tokio::task::spawn_blocking(move || convert(&job_worker, &job, &key_for_job))
        .await
        .unwrap_or_else(|panic| {
            Err(ConvertError {
                code: "internal_error",
                message: format!("the conversion crashed: {panic}"),
                line: None,
                transient: false,
            })
        });
    match converted {
        Ok(outputs) => Processed {
            result: JobResult {
                version: JOB_CONTRACT_VERSION.to_string(),
                job_id: request.job_id,
                key: Some(key),
                status: JobStatus::Succeeded,
                outputs,
                attempts: attempt,
                duration_ms: started.elapsed().as_millis() as u64,
                metadata: request.metadata,
                error: None,
            },
            transient: false,
        },
        Err(error) => failed(
            request.job_id,
            Some(key),
            request.metadata,
            error,
            attempt,
            started,
        ),
    }
}

/// The job id of a message that is not a valid job, if it has one, so that
/// even a rejected message's result event can be matched by the client.
pub(crate) fn peek_job_id(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value.get("job_id")?.as_str().map(str::to_string)
}

fn failed(
    job_id: String,
    key: Option<String>,
    metadata: serde_json::Map<String, serde_json::Value>,
    error: ConvertError,
    attempt: u32,
    started: Instant,
) -> Processed {
    Processed {
        transient: error.transient,
        result: JobResult {
            version: JOB_CONTRACT_VERSION.to_string(),
            job_id,
            key,
            status: JobStatus::Failed,
            outputs: Vec::new(),
            attempts: attempt,
            duration_ms: started.elapsed().as_millis() as u64,
            metadata,
            error: Some(JobError {
                code: error.code.to_string(),
                message: error.message,
                line: error.line,
            }),
        },
    }
}

fn permanent(code: &'static str, message: String) -> ConvertError {
    ConvertError {
        code,
        message,
        line: None,
        transient: false,
    }
}

/// Reads and checks the request before any work is done.
fn decode(worker: &Worker, body: &[u8]) -> Result<JobRequest, ConvertError> {
    // Base64 makes a document a third larger, and the JSON around it is small.
    let max_message = worker.converter.parse.max_bytes / 3 * 4 + 64 * 1024;
    if body.len() > max_message {
        return Err(permanent(
            "too_large",
            format!(
                "the job message is {} bytes, over the limit of {max_message} bytes",
                body.len()
            ),
        ));
    }
    let request: JobRequest = serde_json::from_slice(body).map_err(|e| {
        permanent(
            "bad_json",
            format!("the message is not a valid job request: {e}"),
        )
    })?;
    if request.version != JOB_CONTRACT_VERSION {
        return Err(permanent(
            "unsupported_version",
            format!(
                "job contract version '{}' is not supported; this worker reads version {JOB_CONTRACT_VERSION}",
                request.version
            ),
        ));
    }
    formats(&request)?;
    let key = request
        .key
        .clone()
        .unwrap_or_else(|| request.source.default_key());
    OutputKey::new(&key)
        .map_err(|e| permanent("invalid_key", format!("output key refused: {e}")))?;
    Ok(request)
}

fn formats(request: &JobRequest) -> Result<Vec<Format>, ConvertError> {
    match &request.formats {
        None => Ok(Format::ALL.to_vec()),
        Some(names) if names.is_empty() => Err(permanent(
            "unknown_format",
            "the job asks for no formats".to_string(),
        )),
        Some(names) => names
            .iter()
            .map(|name| {
                name.parse::<Format>()
                    .map_err(|e| permanent("unknown_format", e.to_string()))
            })
            .collect(),
    }
}

/// Fetches the source and converts it (blocking).
fn convert(
    worker: &Worker,
    request: &JobRequest,
    key: &str,
) -> Result<Vec<OutputFile>, ConvertError> {
    let formats = formats(request)?;
    let key = OutputKey::new(key)
        .map_err(|e| permanent("invalid_key", format!("output key refused: {e}")))?;
    let name = request.source.name();
    // A DMS's filing (`metadata.dms`) is checked before any work and files
    // this job's documents only.
    let dms = rapporteur_model::Dms::from_metadata(&request.metadata)
        .map_err(|e| permanent("invalid_metadata", e.to_string()))?;
    let bytes = source_bytes(worker, &request.source)?;
    let filed;
    let converter = match dms {
        Some(dms) => {
            let mut own = worker.converter.clone();
            own.render.dms = Some(dms);
            filed = own;
            &filed
        }
        None => &worker.converter,
    };
    let written = converter.convert(name, &bytes, &formats, &key, &worker.storage)?;
    for output in &written {
        worker.metrics.output_written(output.format.extension());
    }
    Ok(written
        .into_iter()
        .map(|output| OutputFile {
            format: output.format.extension().to_string(),
            path: output
                .path
                .strip_prefix(worker.storage.root())
                .unwrap_or(&output.path)
                .display()
                .to_string(),
            bytes: output.bytes,
            sha256: output.sha256,
        })
        .collect())
}

fn source_bytes(worker: &Worker, source: &JobSource) -> Result<Vec<u8>, ConvertError> {
    match source {
        JobSource::Text { text, .. } => Ok(text.clone().into_bytes()),
        JobSource::Base64 { name, data } => base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|e| {
                permanent(
                    "bad_base64",
                    format!("{name}: the document's base64 data is invalid: {e}"),
                )
            }),
        JobSource::Path { path } => read_under_root(worker, path),
    }
}

/// Reads a source file by path relative to the storage root, refusing paths
/// that lead outside it (through "..", absolute paths or symlinks).
fn read_under_root(worker: &Worker, path: &str) -> Result<Vec<u8>, ConvertError> {
    let checked = OutputKey::new(path)
        .map_err(|e| permanent("invalid_path", format!("source path refused: {e}")))?;
    let root = worker.storage.root();
    let full = root.join(checked.as_str());
    let resolved = full.canonicalize().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => permanent(
            "source_not_found",
            format!("{path}: no such file under the storage root"),
        ),
        _ => ConvertError {
            code: "storage_unavailable",
            message: format!("{path}: cannot be read: {e}"),
            line: None,
            transient: true,
        },
    })?;
    if !resolved.starts_with(root) {
        return Err(permanent(
            "invalid_path",
            format!("{path}: leads outside the storage root"),
        ));
    }
    let limit = worker.converter.parse.max_bytes as u64;
    let mut bytes = Vec::new();
    std::fs::File::open(&resolved)
        .and_then(|file| file.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| ConvertError {
            code: "storage_unavailable",
            message: format!("{path}: cannot be read: {e}"),
            line: None,
            transient: true,
        })?;
    if bytes.len() as u64 > limit {
        return Err(permanent(
            "too_large",
            format!("{path}: larger than the limit of {limit} bytes"),
        ));
    }
    Ok(bytes)
}
