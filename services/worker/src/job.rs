//! One job, from message body to result: decoding and checking the request,
//! fetching the source, and converting it through the shared pipeline (an
//! archive job's documents through `archive`). No broker here; `broker`
//! decides what happens to the message afterwards.

use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use base64::Engine;
use rapporteur_jobs::{
    ArchiveTally, JOB_CONTRACT_VERSION, JobError, JobProgress, JobRequest, JobResult, JobSource,
    JobStatus, OutputFile, check_job_id,
};
use rapporteur_pipeline::{ConvertError, Converter, ErrorCode};
use rapporteur_render::Format;
use rapporteur_storage::{OutputKey, ReadError, Storage, StorageError};
use rapporteur_untrusted::{bounded_message, shown};

use crate::Worker;
use crate::archive::{self, ArchiveJob, Sliced};

/// A finished attempt: the result event to publish, and whether a failure
/// could go away if the job were tried again. It is also what an isolated
/// conversion (`--convert-one`) prints on its stdout.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Processed {
    pub result: JobResult,
    pub transient: bool,
    /// An archive job's slice ended with documents left: the job goes back
    /// on the queue to go on (`result` is not published).
    #[serde(default)]
    pub continues: bool,
}

impl Processed {
    /// Whether this attempt ends the job: not an archive slice with
    /// documents left, nor a failure that a retry could cure while
    /// attempts remain. The one rule `settle` and the job record follow.
    pub(crate) fn is_final(&self, attempt: u32, max_attempts: u32) -> bool {
        !(self.continues || (self.transient && attempt < max_attempts))
    }
}

/// Records how a job ended, where the API reads job state
/// ([`rapporteur_jobs::job_result_object`]), through `writes`: staged with
/// the job's outputs and committed with them, so the record is durable
/// before the result event is published. Blocking. A record that cannot be
/// written fails the attempt as its outputs would (a transient storage
/// error is retried): a job never ends without its state.
pub(crate) fn record_end(
    writes: &Storage,
    processed: Processed,
    attempt: u32,
    max_attempts: u32,
) -> Processed {
    if processed.result.job_id.is_empty() || !processed.is_final(attempt, max_attempts) {
        return processed;
    }
    let object = rapporteur_jobs::job_result_object(&processed.result.job_id);
    let body = serde_json::to_vec(&processed.result).expect("a result always serializes");
    match writes.write_objects(&[(&object, &body)]) {
        Ok(()) => processed,
        Err(error) => uncommitted(processed, &error),
    }
}

/// Where an archive job's progress events go (nowhere in a child).
pub(crate) type Progress = Arc<dyn Fn(JobProgress) + Send + Sync>;

/// Runs one attempt of a job in this process, on a blocking thread, within
/// the job's time budget. `None` when the budget ran out: the caller returns
/// the message to the queue, and its redelivery is converted alone in a
/// child process that can be killed (a thread cannot be; this one is left to
/// finish, its outputs being whole and idempotent).
pub(crate) async fn process(
    worker: &Arc<Worker>,
    body: Vec<u8>,
    attempt: u32,
    progress: Progress,
) -> Option<Processed> {
    let job_worker = worker.clone();
    let cancelled = Arc::new(AtomicBool::new(false));
    let cancel = cancelled.clone();
    let writes = worker.durability.writes_to(&worker.storage);
    let job_writes = writes.clone();
    // The slot is held by the conversion itself: a thread that overruns
    // the time budget keeps it until it ends, since it still uses a core.
    let slot = worker
        .converting
        .clone()
        .acquire_owned()
        .await
        .expect("the conversion slots are never closed");
    // Parsing and rendering are CPU work: keep them off the async threads
    // that talk to the broker, on the converting threads.
    let (done, converting) = tokio::sync::oneshot::channel();
    worker.converters().spawn(move || {
        let _slot = slot;
        let processed = process_blocking(
            &job_worker,
            &job_writes,
            &body,
            attempt,
            &*progress,
            &cancel,
        );
        let _ = done.send(record_end(
            &job_writes,
            processed,
            attempt,
            job_worker.max_attempts,
        ));
    });
    match tokio::time::timeout(worker.isolation.job_timeout, converting).await {
        // Nothing is published or acked before the outputs are durable.
        Ok(Ok(processed)) => Some(match worker.commits.durable(writes).await {
            Ok(()) => processed,
            Err(error) => uncommitted(processed, &error),
        }),
        Ok(Err(_)) => {
            // process_blocking catches panics: one escaped it (the pool's
            // panic handler logged it). The job goes back for an isolated
            // attempt, as after a time-out.
            tracing::error!("the conversion ended without an outcome");
            None
        }
        Err(_) => {
            // An archive job stops at its next chunk; a document runs out.
            cancelled.store(true, Ordering::Relaxed);
            None
        }
    }
}

/// Runs one attempt of a job, blocking. Never panics on bad input: every
/// problem becomes a failed result with a code.
pub(crate) fn process_blocking(
    worker: &Worker,
    writes: &Storage,
    body: &[u8],
    attempt: u32,
    progress: &(dyn Fn(JobProgress) + Sync),
    cancelled: &AtomicBool,
) -> Processed {
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
    let converted =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match &request.source {
            JobSource::Archive { path } => {
                let formats = formats(&request)?;
                let converter = converter_for(worker, &request)?;
                let job = ArchiveJob {
                    request: &request,
                    path,
                    key: &key,
                    formats: &formats,
                    converter: &converter,
                    progress,
                    cancelled,
                };
                archive::run_slice(worker, &job).map(|sliced| match sliced {
                    Sliced::Finished(tally) => Outcome::Archive(tally),
                    Sliced::Continue => Outcome::Continue,
                })
            }
            _ => convert(worker, writes, &request, &key).map(Outcome::Document),
        }))
        .unwrap_or_else(|_| {
            Err(ConvertError {
                code: ErrorCode::ConverterCrashed,
                message: "the conversion panicked".to_string(),
                line: None,
                transient: false,
            })
        });
    let succeeded = |key: String, metadata| {
        ended(
            request.job_id.clone(),
            Some(key),
            JobStatus::Succeeded,
            metadata,
            attempt,
            started,
        )
    };
    match converted {
        Ok(Outcome::Document(done)) => Processed {
            result: JobResult {
                outputs: done.outputs,
                manifest: Some(done.manifest),
                set_version: Some(done.version),
                replaces: done.replaces,
                unchanged: Some(done.unchanged),
                warnings: done.warnings,
                ..succeeded(key, request.metadata)
            },
            transient: false,
            continues: false,
        },
        Ok(Outcome::Archive(tally)) => Processed {
            result: JobResult {
                archive: Some(tally),
                ..succeeded(key, request.metadata)
            },
            transient: false,
            continues: false,
        },
        Ok(Outcome::Continue) => Processed {
            result: succeeded(key, request.metadata),
            transient: false,
            continues: true,
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

/// A failed attempt of `body` decided outside the conversion (the isolated
/// converter crashed, ran out of time or memory): the job's id, key and
/// metadata as far as the message gives them.
pub(crate) fn failed_outside(
    worker: &Worker,
    body: &[u8],
    code: ErrorCode,
    message: String,
    attempt: u32,
    started: Instant,
) -> Processed {
    let error = permanent(code, message);
    match decode(worker, body) {
        Ok(request) => {
            let key = request
                .key
                .clone()
                .unwrap_or_else(|| request.source.default_key());
            failed(
                request.job_id,
                Some(key),
                request.metadata,
                error,
                attempt,
                started,
            )
        }
        Err(_) => failed(
            peek_job_id(body).unwrap_or_default(),
            None,
            Default::default(),
            error,
            attempt,
            started,
        ),
    }
}

/// The job id of a message that is not a valid job, if it has a valid one,
/// so that even a rejected message's result event can be matched by the
/// client. An id that breaks the rule is never echoed (it could be 200 KB,
/// or spoof another id with bidi characters).
pub(crate) fn peek_job_id(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct JobId {
        job_id: String,
    }
    let id = serde_json::from_slice::<JobId>(body).ok()?.job_id;
    check_job_id(&id).is_ok().then_some(id)
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
        continues: false,
        result: JobResult {
            error: Some(JobError {
                code: error.code.to_string(),
                // The last guard: messages may quote client values through
                // errors of code we do not own (serde, the key checks).
                message: bounded_message(&error.message),
                line: error.line,
            }),
            ..ended(job_id, key, JobStatus::Failed, metadata, attempt, started)
        },
    }
}

/// A result event with what every job's has; the rest is filled in by
/// how it ended.
fn ended(
    job_id: String,
    key: Option<String>,
    status: JobStatus,
    metadata: serde_json::Map<String, serde_json::Value>,
    attempt: u32,
    started: Instant,
) -> JobResult {
    JobResult {
        version: JOB_CONTRACT_VERSION.to_string(),
        job_id,
        key,
        status,
        outputs: Vec::new(),
        manifest: None,
        set_version: None,
        replaces: None,
        unchanged: None,
        warnings: None,
        attempts: attempt,
        duration_ms: started.elapsed().as_millis() as u64,
        metadata,
        error: None,
        archive: None,
    }
}

pub(crate) fn permanent(code: ErrorCode, message: String) -> ConvertError {
    ConvertError {
        code,
        message,
        line: None,
        transient: false,
    }
}

/// The largest job message read: base64 makes a document a third larger, and
/// the JSON around it is small.
pub(crate) fn max_message(worker: &Worker) -> usize {
    worker.converter.parse.max_bytes / 3 * 4 + 64 * 1024
}

/// Reads and checks the request before any work is done.
fn decode(worker: &Worker, body: &[u8]) -> Result<JobRequest, ConvertError> {
    decode_within(max_message(worker), body)
}

/// [`decode`] with the message limit given: the pure core the property
/// tests below drive with hostile messages.
fn decode_within(max_message: usize, body: &[u8]) -> Result<JobRequest, ConvertError> {
    if body.len() > max_message {
        return Err(permanent(
            ErrorCode::TooLarge,
            format!(
                "the job message is {} bytes, over the limit of {max_message} bytes",
                body.len()
            ),
        ));
    }
    let request: JobRequest = serde_json::from_slice(body).map_err(|e| {
        permanent(
            ErrorCode::BadJson,
            format!("the message is not a valid job request: {e}"),
        )
    })?;
    check_job_id(&request.job_id).map_err(|e| permanent(ErrorCode::InvalidJobId, e.to_string()))?;
    if request.version != JOB_CONTRACT_VERSION {
        return Err(permanent(
            ErrorCode::UnsupportedVersion,
            format!(
                "job contract version '{}' is not supported; this worker reads version {JOB_CONTRACT_VERSION}",
                shown(&request.version)
            ),
        ));
    }
    formats(&request)?;
    let key = request
        .key
        .clone()
        .unwrap_or_else(|| request.source.default_key());
    OutputKey::new(&key)
        .map_err(|e| permanent(ErrorCode::InvalidKey, format!("output key refused: {e}")))?;
    Ok(request)
}

fn formats(request: &JobRequest) -> Result<Vec<Format>, ConvertError> {
    match &request.formats {
        None => Ok(Format::ALL.to_vec()),
        Some(names) if names.is_empty() => Err(permanent(
            ErrorCode::UnknownFormat,
            "the job asks for no formats".to_string(),
        )),
        Some(names) => names
            .iter()
            .map(|name| {
                name.parse::<Format>().map_err(|_| {
                    permanent(
                        ErrorCode::UnknownFormat,
                        format!(
                            "unknown output format '{}'; use json, pdf or docx",
                            shown(name)
                        ),
                    )
                })
            })
            .collect(),
    }
}

/// What an attempt came to.
enum Outcome {
    /// A document's set, written or found current.
    Document(Done),
    /// Every document of an archive job is done.
    Archive(ArchiveTally),
    /// An archive job's slice ended with documents left.
    Continue,
}

/// What a succeeded job wrote (or found current).
struct Done {
    outputs: Vec<OutputFile>,
    manifest: String,
    version: u32,
    replaces: Option<u32>,
    unchanged: bool,
    warnings: Option<usize>,
}

/// A job whose outputs could not be made durable: failed, with the
/// storage's reason (transient ones are retried, or pause the worker).
fn uncommitted(processed: Processed, error: &StorageError) -> Processed {
    let result = processed.result;
    failed(
        result.job_id,
        result.key,
        result.metadata,
        storage_failure(error),
        result.attempts,
        Instant::now(),
    )
}

/// A storage error as a job's error: its code, and whether it may pass.
pub(crate) fn storage_failure(error: &StorageError) -> ConvertError {
    ConvertError {
        code: error.code(),
        message: error.to_string(),
        line: None,
        transient: error.is_transient(),
    }
}

/// Fetches the source and converts it (blocking), writing through `writes`.
fn convert(
    worker: &Worker,
    writes: &Storage,
    request: &JobRequest,
    key: &str,
) -> Result<Done, ConvertError> {
    let formats = formats(request)?;
    let key = OutputKey::new(key)
        .map_err(|e| permanent(ErrorCode::InvalidKey, format!("output key refused: {e}")))?;
    let name = request.source.name();
    let converter = converter_for(worker, request)?;
    let bytes = source_bytes(worker, &request.source)?;
    // The manifest names the job and keeps its metadata; a redelivered job
    // whose set is already current writes nothing and reports that set.
    let provenance = rapporteur_pipeline::Provenance {
        job_id: Some(&request.job_id),
        metadata: Some(&request.metadata),
        force: false,
    };
    let converted = converter.convert_for(name, &bytes, &formats, &key, writes, provenance)?;
    if !converted.unchanged {
        for output in &converted.outputs {
            worker.metrics.output_written(output.format.extension());
        }
    }
    let outputs = converted
        .outputs
        .into_iter()
        .map(|output| OutputFile {
            format: output.format.extension().to_string(),
            path: output.object,
            bytes: output.bytes,
            sha256: output.sha256,
        })
        .collect();
    Ok(Done {
        outputs,
        manifest: converted.manifest,
        version: converted.version,
        replaces: converted.replaces,
        unchanged: converted.unchanged,
        warnings: converted.warnings,
    })
}

/// The worker's converter, filing with the job's DMS block if it has one:
/// `metadata.dms` is checked before any work and files this job's
/// documents only.
fn converter_for<'w>(
    worker: &'w Worker,
    request: &JobRequest,
) -> Result<Cow<'w, Converter>, ConvertError> {
    let dms = rapporteur_model::Dms::from_metadata(&request.metadata)
        .map_err(|e| permanent(ErrorCode::InvalidMetadata, e.to_string()))?;
    Ok(match dms {
        Some(dms) => {
            let mut own = worker.converter.clone();
            own.render.dms = Some(dms);
            Cow::Owned(own)
        }
        None => Cow::Borrowed(&worker.converter),
    })
}

fn source_bytes(worker: &Worker, source: &JobSource) -> Result<Vec<u8>, ConvertError> {
    match source {
        JobSource::Text { text, .. } => Ok(text.clone().into_bytes()),
        JobSource::Base64 { name, data } => base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|e| {
                permanent(
                    ErrorCode::BadBase64,
                    format!(
                        "{}: the document's base64 data is invalid: {e}",
                        shown(name)
                    ),
                )
            }),
        JobSource::Path { path } => read_under_root(worker, path),
        JobSource::Archive { .. } => unreachable!("archive jobs are converted by `archive`"),
    }
}

/// Reads a `path` source from storage, through the same interface outputs
/// are written through: on a directory only a regular file inside the root
/// is read (a FIFO used to block its job forever), on any backend at most
/// the input limit.
fn read_under_root(worker: &Worker, path: &str) -> Result<Vec<u8>, ConvertError> {
    let checked = OutputKey::new(path)
        .map_err(|e| permanent(ErrorCode::InvalidPath, format!("source path refused: {e}")))?;
    let limit = worker.converter.parse.max_bytes as u64;
    worker
        .storage
        .read(checked.as_str(), limit)
        .map_err(|e| read_failure(path, e))
}

/// Why a source (a document, an archive) named by `path` could not be read
/// from storage, as a job's error.
pub(crate) fn read_failure(path: &str, e: ReadError) -> ConvertError {
    let shown_path = shown(path);
    match e {
        ReadError::NotFound { .. } => permanent(
            ErrorCode::SourceNotFound,
            format!("{shown_path}: no such file under the storage root"),
        ),
        ReadError::OutsideRoot { .. } => permanent(
            ErrorCode::InvalidPath,
            format!("{shown_path}: leads outside the storage root"),
        ),
        ReadError::Invalid { reason, .. } => permanent(
            ErrorCode::InvalidPath,
            format!("{shown_path}: source path refused: {reason}"),
        ),
        ReadError::NotAFile { .. } => permanent(
            ErrorCode::NotAFile,
            format!("{shown_path}: not a regular file (a directory, FIFO, socket or device)"),
        ),
        ReadError::TooLarge { limit, .. } => permanent(
            ErrorCode::TooLarge,
            format!("{shown_path}: larger than the limit of {limit} bytes"),
        ),
        // The path itself is wrong (a file where a directory should be,
        // a symlink loop): trying again cannot help. Classed as
        // storage's own errors are.
        ReadError::Unreadable {
            message, transient, ..
        } => ConvertError {
            code: if transient {
                ErrorCode::StorageUnavailable
            } else {
                ErrorCode::InvalidPath
            },
            message: format!("{shown_path}: cannot be read: {}", shown(&message)),
            line: None,
            transient,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every code `decode` may give.
    const DECODE_CODES: &[ErrorCode] = &[
        ErrorCode::TooLarge,
        ErrorCode::BadJson,
        ErrorCode::InvalidJobId,
        ErrorCode::UnsupportedVersion,
        ErrorCode::UnknownFormat,
        ErrorCode::InvalidKey,
    ];

    /// Checks one message: decoding never panics, a refusal has one of the
    /// decoder's codes and a bounded message, and the peeked id (echoed in
    /// the failure event) always keeps the job id rule.
    fn check(body: &[u8]) {
        match decode_within(64 * 1024, body) {
            Ok(request) => assert!(check_job_id(&request.job_id).is_ok()),
            Err(error) => {
                assert!(DECODE_CODES.contains(&error.code), "{}", error.code);
                assert!(error.message.len() <= 4096, "{} bytes", error.message.len());
                assert!(!error.transient);
            }
        }
        if let Some(id) = peek_job_id(body) {
            assert!(check_job_id(&id).is_ok());
        }
    }

    /// Pieces of job messages, valid and hostile, in any order.
    fn value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            "[\\PC\u{202e}\u{0}/.]{0,40}".prop_map(serde_json::Value::from),
            (0usize..3000).prop_map(|n| serde_json::Value::from("x".repeat(n))),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("version".to_string()),
                        Just("job_id".to_string()),
                        Just("source".to_string()),
                        Just("kind".to_string()),
                        Just("text".to_string()),
                        Just("name".to_string()),
                        Just("path".to_string()),
                        Just("data".to_string()),
                        Just("formats".to_string()),
                        Just("key".to_string()),
                        Just("metadata".to_string()),
                        "[a-z]{1,8}",
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_never_panic_the_decoder(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            check(&bytes);
        }

        #[test]
        fn job_shaped_messages_never_panic_the_decoder(value in value()) {
            check(&serde_json::to_vec(&value).unwrap());
        }

        #[test]
        fn a_valid_job_with_one_hostile_field_is_refused_or_read(
            field in prop_oneof![Just("version"), Just("job_id"), Just("key"), Just("formats"), Just("source")],
            replacement in value(),
        ) {
            let mut job = serde_json::json!({
                "version": "1", "job_id": "job-1",
                "source": {"kind": "text", "name": "a.txt", "text": "Summary"},
                "formats": ["json"], "key": "2023/a"
            });
            job[field] = replacement;
            check(&serde_json::to_vec(&job).unwrap());
        }
    }
}
