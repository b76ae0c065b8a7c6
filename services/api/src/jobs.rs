//! `/v1/jobs`: submitting jobs (JSON or multipart uploads, idempotent
//! retries, an optional bounded wait), their state, and their outputs.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rapporteur_codes::ErrorCode;
use rapporteur_jobs::{JOB_CONTRACT_VERSION, JobRequest, JobSource, check_job_id};
use rapporteur_render::Format;
use rapporteur_storage::{OutputKey, ReadError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::{Caller, hex_sha256};
use crate::problem::{Problem, ProblemDocument};
use crate::records::{self, JobView, RequestRecord};

/// Most documents one request may submit (a zip's included).
pub const MAX_DOCUMENTS: usize = 1000;

/// Longest `Idempotency-Key`, in bytes.
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// A job submission as JSON: one document (`source`) or several
/// (`documents`), with what applies to all of them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitJson {
    /// One document: a source as in the job contract
    /// (`schema/job-request.schema.json`): `{"kind": "text", "name", "text"}`,
    /// `{"kind": "base64", "name", "data"}`, `{"kind": "path", "path"}` or
    /// `{"kind": "archive", "path"}`.
    #[schema(value_type = Option<Object>)]
    pub source: Option<JobSource>,
    /// Several documents, one job each.
    pub documents: Option<Vec<DocumentJson>>,
    /// Output key of the single document (default: its file stem).
    pub key: Option<String>,
    /// Output formats (default: json, pdf and docx).
    pub formats: Option<Vec<String>>,
    /// Passed to the outputs and result events; its `dms` block files the
    /// PDF and DOCX (README "DMS metadata").
    #[serde(default)]
    #[schema(value_type = Object)]
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Where the job's `job.succeeded` / `job.failed` events are POSTed.
    pub webhook: Option<WebhookJson>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentJson {
    #[schema(value_type = Object)]
    pub source: JobSource,
    pub key: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookJson {
    /// An http(s) URL; internal addresses are refused (README "Webhooks").
    pub url: String,
}

/// The multipart form of `POST /v1/jobs` (for the OpenAPI document).
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct SubmitForm {
    /// One or more files; a `.zip` gives one job per document inside.
    #[schema(value_type = Vec<String>, format = Binary)]
    file: Vec<Vec<u8>>,
    /// Comma-separated formats.
    formats: Option<String>,
    /// Output key of a single file, or folder of a zip's documents.
    key: Option<String>,
    /// A JSON object, as `metadata` in the JSON form.
    metadata: Option<String>,
    /// A JSON object `{"url": …}`.
    webhook: Option<String>,
}

/// One document to submit.
#[derive(Debug, Serialize)]
struct Document {
    source: JobSource,
    key: String,
}

/// A request, read and checked, whatever its form.
#[derive(Debug, Serialize)]
struct Submission {
    documents: Vec<Document>,
    formats: Vec<String>,
    metadata: serde_json::Map<String, serde_json::Value>,
    webhook: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitQuery {
    /// Wait up to this many seconds (at most the server's `--max-wait-secs`)
    /// for the jobs to end, answering 200 with their state if they do.
    pub wait: Option<u64>,
}

/// The answer to a submission.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Accepted {
    pub jobs: Vec<AcceptedJob>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AcceptedJob {
    pub job_id: String,
    pub key: String,
    /// `/v1/jobs/{id}`.
    pub href: String,
}

/// A submission's answer after `?wait`: the jobs' state.
#[derive(Debug, Serialize, ToSchema)]
pub struct Waited {
    pub jobs: Vec<JobView>,
}

/// What an `Idempotency-Key` recorded: the request's hash and the answer.
#[derive(Serialize, Deserialize)]
struct IdempotencyRecord {
    request_sha256: String,
    accepted: Accepted,
}

fn bad(code: ErrorCode, detail: impl AsRef<str>) -> Problem {
    Problem::new(code, detail)
}

fn unavailable(detail: impl AsRef<str>) -> Problem {
    Problem::new(ErrorCode::StorageUnavailable, detail).retry_after(5)
}

/// Submit jobs.
///
/// JSON (the job contract's sources) or `multipart/form-data` uploads.
/// Answers 202 with the job ids (and `Location` of the first); with
/// `Idempotency-Key`, a retried request answers what the first did
/// without creating jobs; with `?wait=N`, 200 and the jobs' state if they
/// end within N seconds.
#[utoipa::path(
    post,
    path = "/v1/jobs",
    params(WaitQuery, ("Idempotency-Key" = Option<String>, Header, description = "1 to 255 visible ASCII characters")),
    request_body(content(
        (SubmitJson = "application/json"),
        (SubmitForm = "multipart/form-data"),
    )),
    responses(
        (status = 202, description = "Accepted: the jobs are queued", body = Accepted),
        (status = 200, description = "With ?wait: every job ended", body = Waited),
        (status = 400, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 413, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 415, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 429, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 503, body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn submit(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<WaitQuery>,
    request: Request,
) -> Result<Response, Problem> {
    let idempotency_key = idempotency_key(request.headers())?;
    let submission = read_submission(&state, request).await?;
    let submission = check(&state, &caller, submission).await?;
    let request_sha256 = hex_sha256(&serde_json::to_vec(&submission).expect("serializes"));
    let idempotency_object = idempotency_key.as_ref().map(|key| {
        format!(
            ".api/idempotency/{}.json",
            hex_sha256(format!("{}\0{key}", caller.name).as_bytes())
        )
    });
    if let Some(object) = &idempotency_object {
        let storage = state.storage.clone();
        let object = object.clone();
        let earlier = tokio::task::spawn_blocking(move || storage.read(&object, 1 << 20))
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        match earlier {
            Ok(bytes) => {
                let record: IdempotencyRecord = serde_json::from_slice(&bytes)
                    .map_err(|e| unavailable(format!("idempotency record unreadable: {e}")))?;
                if record.request_sha256 != request_sha256 {
                    return Err(bad(
                        ErrorCode::IdempotencyConflict,
                        "this Idempotency-Key was used for a different request",
                    ));
                }
                return answer(&state, record.accepted, query.wait).await;
            }
            Err(ReadError::NotFound { .. }) => {}
            Err(e) => return Err(unavailable(e.to_string())),
        }
    }
    // Ids a retry with the same Idempotency-Key gets again, even when two
    // copies of the request race: the same jobs, converted idempotently.
    let job_id = |index: usize| match &idempotency_key {
        Some(key) => format!(
            "api-{}",
            &hex_sha256(format!("{}\0{key}\0{index}", caller.name).as_bytes())[..32]
        ),
        None => format!("api-{}", uuid::Uuid::new_v4().simple()),
    };
    let submitted_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let mut webhooks: Vec<String> = submission.webhook.iter().cloned().collect();
    webhooks.extend(caller.webhook.iter().cloned());
    let jobs: Vec<JobRequest> = submission
        .documents
        .into_iter()
        .enumerate()
        .map(|(index, document)| JobRequest {
            version: JOB_CONTRACT_VERSION.to_string(),
            job_id: job_id(index),
            source: document.source,
            formats: Some(submission.formats.clone()),
            key: Some(document.key),
            metadata: submission.metadata.clone(),
        })
        .collect();
    let records: Vec<RequestRecord> = jobs
        .iter()
        .map(|job| RequestRecord {
            job_id: job.job_id.clone(),
            owner: caller.name.clone(),
            key: job.key.clone().unwrap_or_default(),
            formats: submission.formats.clone(),
            webhooks: webhooks.clone(),
            submitted_at,
        })
        .collect();
    let accepted = Accepted {
        jobs: records
            .iter()
            .map(|record| AcceptedJob {
                job_id: record.job_id.clone(),
                key: record.key.clone(),
                href: format!("/v1/jobs/{}", record.job_id),
            })
            .collect(),
    };
    // Recorded before publishing: a job is "queued" from the moment its
    // id exists, and its result finds the webhooks to call.
    let storage = state.storage.clone();
    tokio::task::spawn_blocking(move || {
        records
            .iter()
            .try_for_each(|record| records::write_request(&storage, record))
    })
    .await
    .map_err(|e| unavailable(e.to_string()))?
    .map_err(unavailable)?;
    state
        .publisher
        .publish(&jobs)
        .await
        .map_err(|e| Problem::new(ErrorCode::BrokerUnavailable, e.to_string()).retry_after(5))?;
    state.metrics.jobs_submitted.inc_by(jobs.len() as u64);
    if let Some(object) = idempotency_object {
        let body = serde_json::to_vec(&IdempotencyRecord {
            request_sha256,
            accepted: accepted.clone(),
        })
        .expect("serializes");
        let storage = state.storage.clone();
        tokio::task::spawn_blocking(move || storage.write_objects(&[(&object, &body)]))
            .await
            .map_err(|e| unavailable(e.to_string()))?
            .map_err(|e| unavailable(e.to_string()))?;
    }
    answer(&state, accepted, query.wait).await
}

/// 202 with the jobs and the first one's `Location`; or, after a wait in
/// which they all ended, 200 with their state.
async fn answer(
    state: &AppState,
    accepted: Accepted,
    wait: Option<u64>,
) -> Result<Response, Problem> {
    if let Some(wait) = wait.filter(|w| *w > 0) {
        let wait = Duration::from_secs(wait.min(state.limits.max_wait_secs));
        let ids: Vec<String> = accepted.jobs.iter().map(|j| j.job_id.clone()).collect();
        if state.ended.wait_for(&state.storage, &ids, wait).await {
            let storage = state.storage.clone();
            let views = tokio::task::spawn_blocking(move || {
                ids.iter()
                    .filter_map(|id| records::find(&storage, id).ok().flatten())
                    .map(|found| found.view())
                    .collect::<Vec<_>>()
            })
            .await
            .map_err(|e| unavailable(e.to_string()))?;
            return Ok((StatusCode::OK, axum::Json(Waited { jobs: views })).into_response());
        }
    }
    let location = accepted
        .jobs
        .first()
        .map(|job| job.href.clone())
        .unwrap_or_default();
    let mut response = (StatusCode::ACCEPTED, axum::Json(accepted)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().ok().filter(|key| {
        !key.is_empty()
            && key.len() <= MAX_IDEMPOTENCY_KEY
            && key.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
    });
    key.map(|key| Some(key.to_string())).ok_or_else(|| {
        bad(
            ErrorCode::BadRequest,
            "an Idempotency-Key is 1 to 255 visible ASCII characters",
        )
    })
}

/// Reads the body within the size limit (413 past it) as JSON or a
/// multipart form (415 for anything else).
async fn read_submission(state: &AppState, request: Request) -> Result<Submission, Problem> {
    let limit = state.limits.max_body_bytes;
    let too_large = || {
        bad(
            ErrorCode::TooLarge,
            format!("the request body is over the limit of {limit} bytes"),
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large())?;
    if content_type.starts_with("application/json") {
        let json: SubmitJson = serde_json::from_slice(&bytes).map_err(|e| {
            bad(
                ErrorCode::BadJson,
                format!("the body is not a job submission: {e}"),
            )
        })?;
        return from_json(json);
    }
    if content_type.starts_with("multipart/form-data") {
        let request = Request::from_parts(parts, Body::from(bytes));
        let multipart = Multipart::from_request(request, &())
            .await
            .map_err(|e| bad(ErrorCode::BadRequest, e.body_text()))?;
        return from_form(multipart).await;
    }
    Err(bad(
        ErrorCode::UnsupportedMediaType,
        "send application/json or multipart/form-data",
    ))
}

fn from_json(json: SubmitJson) -> Result<Submission, Problem> {
    let documents = match (json.source, json.documents) {
        (Some(source), None) => {
            let key = json.key.unwrap_or_else(|| source.default_key());
            vec![Document { source, key }]
        }
        (None, Some(documents)) if json.key.is_none() => documents
            .into_iter()
            .map(|d| Document {
                key: d.key.unwrap_or_else(|| d.source.default_key()),
                source: d.source,
            })
            .collect(),
        (None, Some(_)) => {
            return Err(bad(
                ErrorCode::BadRequest,
                "`key` is for a single `source`; give each document its own",
            ));
        }
        _ => {
            return Err(bad(
                ErrorCode::BadRequest,
                "give either `source` (one document) or `documents`",
            ));
        }
    };
    Ok(Submission {
        documents,
        formats: json.formats.unwrap_or_default(),
        metadata: json.metadata,
        webhook: json.webhook.map(|w| w.url),
    })
}

/// Reads an upload form: `file` parts (a `.zip` expanded to its
/// documents, with the limits `convert` applies), and the optional
/// `formats`, `key`, `metadata` and `webhook` fields.
async fn from_form(mut multipart: Multipart) -> Result<Submission, Problem> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut formats = Vec::new();
    let mut key = None;
    let mut metadata = serde_json::Map::new();
    let mut webhook = None;
    let malformed = |e: axum::extract::multipart::MultipartError| {
        bad(
            ErrorCode::BadRequest,
            format!("malformed form: {}", e.body_text()),
        )
    };
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or("upload.txt").to_string();
                let bytes = field.bytes().await.map_err(malformed)?;
                files.push((base_name(&file_name), bytes.to_vec()));
            }
            "formats" | "key" | "metadata" | "webhook" => {
                let text = field.text().await.map_err(malformed)?;
                match name.as_str() {
                    "formats" => {
                        formats = text
                            .split(',')
                            .map(|f| f.trim().to_string())
                            .filter(|f| !f.is_empty())
                            .collect()
                    }
                    "key" => key = Some(text),
                    "metadata" => {
                        metadata = serde_json::from_str(&text).map_err(|e| {
                            bad(
                                ErrorCode::InvalidMetadata,
                                format!("`metadata` is not a JSON object: {e}"),
                            )
                        })?
                    }
                    _ => {
                        let parsed: WebhookJson = serde_json::from_str(&text).map_err(|e| {
                            bad(
                                ErrorCode::WebhookRefused,
                                format!("`webhook` is not {{\"url\": …}}: {e}"),
                            )
                        })?;
                        webhook = Some(parsed.url);
                    }
                }
            }
            other => {
                return Err(bad(
                    ErrorCode::BadRequest,
                    format!(
                        "unknown form field `{}`; use file, formats, key, metadata, webhook",
                        rapporteur_untrusted::shown(other)
                    ),
                ));
            }
        }
    }
    if files.is_empty() {
        return Err(bad(ErrorCode::BadRequest, "the form has no `file` part"));
    }
    let mut documents = Vec::new();
    let single = files.len() == 1 && !is_zip(&files[0].0);
    for (name, bytes) in files {
        if is_zip(&name) {
            let folder = key.clone();
            let expanded = tokio::task::spawn_blocking(move || expand_zip(&name, &bytes))
                .await
                .map_err(|e| unavailable(e.to_string()))??;
            documents.extend(expanded.into_iter().map(|mut d| {
                if let Some(folder) = &folder {
                    d.key = format!("{}/{}", folder.trim_end_matches('/'), d.key);
                }
                d
            }));
        } else {
            let source = JobSource::inline(name, bytes);
            let document_key = match (&key, single) {
                (Some(key), true) => key.clone(),
                (Some(folder), false) => {
                    format!("{}/{}", folder.trim_end_matches('/'), source.default_key())
                }
                (None, _) => source.default_key(),
            };
            documents.push(Document {
                source,
                key: document_key,
            });
        }
    }
    Ok(Submission {
        documents,
        formats,
        metadata,
        webhook,
    })
}

fn is_zip(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".zip")
}

/// The last component of a client's file name (no folders, no `..`).
fn base_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    if base.is_empty() || base == "." || base == ".." {
        "upload.txt".to_string()
    } else {
        base.to_string()
    }
}

/// A zip's documents, found and read with `convert`'s rules and limits
/// (bombs, unsafe names, duplicate entries refused). Blocking.
fn expand_zip(name: &str, bytes: &[u8]) -> Result<Vec<Document>, Problem> {
    let folder = tempfile::tempdir().map_err(|e| unavailable(e.to_string()))?;
    let path = folder.path().join(name);
    std::fs::write(&path, bytes).map_err(|e| unavailable(e.to_string()))?;
    let limits = rapporteur_inputs::Limits {
        max_archive_entries: MAX_DOCUMENTS * 4,
        ..rapporteur_inputs::Limits::default()
    };
    let mut documents = Vec::new();
    for found in rapporteur_inputs::discover(&[path], &limits) {
        let input = found.map_err(|e| bad(e.code(), e.to_string()))?;
        let bytes = input
            .read(&limits)
            .map_err(|e| bad(e.code(), e.to_string()))?;
        if documents.len() == MAX_DOCUMENTS {
            return Err(bad(
                ErrorCode::TooLarge,
                format!("over {MAX_DOCUMENTS} documents in one request; use an archive job"),
            ));
        }
        documents.push(Document {
            source: JobSource::inline(input.source_name.clone(), bytes),
            key: input.key,
        });
    }
    if documents.is_empty() {
        return Err(bad(
            ErrorCode::Empty,
            format!("{} holds no document", rapporteur_untrusted::shown(name)),
        ));
    }
    Ok(documents)
}

/// Checks what the worker would refuse anyway, so the client hears it now
/// with a 422: formats, keys, the number of documents, the webhook.
async fn check(
    state: &AppState,
    caller: &Caller,
    mut submission: Submission,
) -> Result<Submission, Problem> {
    if submission.documents.is_empty() {
        return Err(bad(ErrorCode::BadRequest, "no document to convert"));
    }
    if submission.documents.len() > MAX_DOCUMENTS {
        return Err(bad(
            ErrorCode::TooLarge,
            format!("over {MAX_DOCUMENTS} documents in one request; use an archive job"),
        ));
    }
    if submission.formats.is_empty() {
        submission.formats = Format::ALL.iter().map(|f| f.to_string()).collect();
    }
    for format in &submission.formats {
        Format::from_str(format).map_err(|e| bad(ErrorCode::UnknownFormat, e.to_string()))?;
    }
    let mut keys = std::collections::BTreeSet::new();
    for document in &submission.documents {
        OutputKey::new(&document.key).map_err(|e| bad(ErrorCode::InvalidKey, e.to_string()))?;
        if !keys.insert(document.key.as_str()) {
            return Err(bad(
                ErrorCode::KeyCollision,
                format!(
                    "two documents would write `{}`",
                    rapporteur_untrusted::shown(&document.key)
                ),
            ));
        }
    }
    if let Some(url) = &submission.webhook {
        state
            .guard
            .check(url)
            .await
            .map_err(|why| bad(ErrorCode::WebhookRefused, why))?;
    }
    let _ = caller;
    Ok(submission)
}

/// A job the caller may see, or the problem.
async fn owned(state: &AppState, caller: &Caller, id: &str) -> Result<records::Found, Problem> {
    let not_found = || bad(ErrorCode::JobNotFound, "no such job");
    if check_job_id(id).is_err() {
        return Err(not_found());
    }
    let storage = state.storage.clone();
    let job_id = id.to_string();
    let found = tokio::task::spawn_blocking(move || records::find(&storage, &job_id))
        .await
        .map_err(|e| unavailable(e.to_string()))?
        .map_err(|e| unavailable(e.to_string()))?
        .ok_or_else(not_found)?;
    if found.request.owner != caller.name {
        return Err(bad(
            ErrorCode::Forbidden,
            "this job was submitted with another API key",
        ));
    }
    Ok(found)
}

/// A job's state.
///
/// `queued` until the worker records how it ended, then `succeeded` (with
/// its outputs, their checksums and the set's version) or `failed` (with
/// the error code, message and line). Read from the shared storage: every
/// replica answers the same.
#[utoipa::path(
    get,
    path = "/v1/jobs/{id}",
    params(("id" = String, Path, description = "The job id")),
    responses(
        (status = 200, body = JobView),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn status(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<axum::Json<JobView>, Problem> {
    Ok(axum::Json(owned(&state, &caller, &id).await?.view()))
}

/// One output of a succeeded job.
///
/// The file with its media type, `Content-Disposition`, `ETag` (its
/// SHA-256) and single range requests. A set replaced by a later job is
/// served from its kept version while the storage keeps it.
#[utoipa::path(
    get,
    path = "/v1/jobs/{id}/outputs/{format}",
    params(
        ("id" = String, Path, description = "The job id"),
        ("format" = String, Path, description = "json, pdf or docx"),
        ("Range" = Option<String>, Header, description = "One byte range"),
    ),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 206, description = "Part of the file"),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 307, description = "With --presign-secs on object storage: a presigned URL of the file, in Location"),
        (status = 401, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 403, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 404, body = ProblemDocument, content_type = "application/problem+json"),
        (status = 416, body = ProblemDocument, content_type = "application/problem+json"),
    ),
    security(("api_key" = []))
)]
pub async fn output(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path((id, format)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let found = owned(&state, &caller, &id).await?;
    let missing = || {
        bad(
            ErrorCode::OutputNotFound,
            "the job has no output in this format",
        )
    };
    let format = Format::from_str(&format).map_err(|_| missing())?;
    let Some(result) = &found.result else {
        return Err(bad(ErrorCode::OutputNotFound, "the job has not ended yet"));
    };
    let output = result
        .outputs
        .iter()
        .find(|o| o.format == format.extension())
        .ok_or_else(missing)?
        .clone();
    let etag = format!("\"{}\"", output.sha256);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let kept = result
        .set_version
        .zip(OutputKey::new(&found.request.key).ok())
        .map(|(version, key)| {
            let file = output.path.rsplit('/').next().unwrap_or_default();
            format!("{}{file}", rapporteur_manifest::kept_folder(&key, version))
        });
    let storage = state.storage.clone();
    let (path, sha256, size) = (output.path.clone(), output.sha256.clone(), output.bytes);
    let presign = state.limits.presign;
    // The current object if it is still this job's bytes, else the kept
    // copy of this job's version; with --presign-secs on object storage,
    // a presigned URL of the object whose bytes were just checked.
    let found = tokio::task::spawn_blocking(move || {
        for object in std::iter::once(path).chain(kept) {
            match storage.read(&object, size + 1) {
                Ok(bytes) if hex_sha256(&bytes) == sha256 => {
                    let url = match presign {
                        Some(expires_in) => storage
                            .presigned_url(&object, expires_in)
                            .map_err(|e| e.to_string())?,
                        None => None,
                    };
                    return Ok(Some((bytes, url)));
                }
                Ok(_) | Err(ReadError::NotFound { .. }) | Err(ReadError::TooLarge { .. }) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok(None)
    })
    .await
    .map_err(|e| unavailable(e.to_string()))?
    .map_err(unavailable)?
    .ok_or_else(|| {
        bad(
            ErrorCode::OutputNotFound,
            "a later job replaced this output and its version is no longer kept",
        )
    })?;
    let (bytes, presigned) = found;
    if let Some(url) = presigned {
        // The client fetches the bytes from the object store itself.
        let mut response = (StatusCode::TEMPORARY_REDIRECT, [(header::ETAG, etag)]).into_response();
        if let Ok(location) = HeaderValue::from_str(&url) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Ok(response);
    }
    let file_name = output
        .path
        .rsplit('/')
        .next()
        .unwrap_or("output")
        .to_string();
    let disposition = format!(
        "attachment; filename=\"{}\"",
        file_name.replace(['"', '\\'], "_")
    );
    let total = bytes.len() as u64;
    let mut response_headers = vec![
        (header::CONTENT_TYPE, format.media_type().to_string()),
        (header::CONTENT_DISPOSITION, disposition),
        (header::ETAG, etag),
        (header::ACCEPT_RANGES, "bytes".to_string()),
    ];
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let Some(range) = range else {
        return Ok((StatusCode::OK, headers_of(response_headers), bytes).into_response());
    };
    let unsatisfiable = || {
        let mut problem = bad(
            ErrorCode::RangeNotSatisfiable,
            format!("the range is outside the file's {total} bytes"),
        )
        .into_response();
        if let Ok(value) = HeaderValue::from_str(&format!("bytes */{total}")) {
            problem.headers_mut().insert(header::CONTENT_RANGE, value);
        }
        problem
    };
    let ranges = match http_range_header::parse_range_header(range) {
        Ok(parsed) => match parsed.validate(total) {
            Ok(ranges) => ranges,
            Err(_) => return Ok(unsatisfiable()),
        },
        // A Range header we do not understand is ignored (RFC 9110 14.2).
        Err(_) => return Ok((StatusCode::OK, headers_of(response_headers), bytes).into_response()),
    };
    match ranges.as_slice() {
        [one] => {
            let (start, end) = (*one.start(), *one.end());
            response_headers.push((
                header::CONTENT_RANGE,
                format!("bytes {start}-{end}/{total}"),
            ));
            let part = bytes[start as usize..=end as usize].to_vec();
            Ok((
                StatusCode::PARTIAL_CONTENT,
                headers_of(response_headers),
                part,
            )
                .into_response())
        }
        // Several ranges: the whole file, as RFC 9110 allows.
        _ => Ok((StatusCode::OK, headers_of(response_headers), bytes).into_response()),
    }
}

fn headers_of(pairs: Vec<(header::HeaderName, String)>) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            map.insert(name, value);
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_file_names_lose_their_folders() {
        assert_eq!(base_name("../../etc/passwd"), "passwd");
        assert_eq!(
            base_name("C:\\Users\\a\\side-event.docx"),
            "side-event.docx"
        );
        assert_eq!(base_name(".."), "upload.txt");
        assert_eq!(base_name(""), "upload.txt");
    }

    #[test]
    fn one_source_or_documents_but_not_both() {
        let json = |text: &str| from_json(serde_json::from_str(text).unwrap());
        let one = json(r#"{"source":{"kind":"text","name":"a/b.txt","text":"x"}}"#).unwrap();
        assert_eq!(one.documents[0].key, "b");
        let many = json(r#"{"documents":[{"source":{"kind":"path","path":"in/a.txt"}},{"source":{"kind":"path","path":"in/b.txt"},"key":"k"}]}"#).unwrap();
        let keys: Vec<&str> = many.documents.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(keys, ["a", "k"]);
        for refused in [
            r#"{}"#,
            r#"{"source":{"kind":"path","path":"a"},"documents":[]}"#,
            r#"{"documents":[{"source":{"kind":"path","path":"a"}}],"key":"k"}"#,
        ] {
            assert_eq!(
                json(refused).unwrap_err().code().as_str(),
                "bad_request",
                "{refused}"
            );
        }
    }
}
