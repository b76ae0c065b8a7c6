//! The job contracts between Rapporteur's services and their clients: the job
//! message a client publishes ([`JobRequest`]), the result event a worker
//! publishes when a job ends ([`JobResult`]), the progress events of an
//! archive job ([`JobProgress`]), and the names of the broker objects they
//! travel through ([`Topology`]).
//!
//! Both messages are versioned JSON with published JSON Schemas
//! (`schema/job-request.schema.json`, `schema/job-result.schema.json`), kept
//! equal to this code by a test. Like the summary JSON they only grow.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the job and result message contracts.
pub const JOB_CONTRACT_VERSION: &str = "1";

/// A request to convert one summary, as published on the jobs queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "JobRequest")]
pub struct JobRequest {
    /// Contract version, "1".
    pub version: String,
    /// Chosen by the client; echoed in the result event, every log line and
    /// the result's AMQP correlation id. 1 to 128 ASCII letters, digits and
    /// `-_.:@+=/` (a UUID, a ULID, a DMS id); see [`check_job_id`].
    #[schemars(
        length(min = 1, max = 128),
        regex(pattern = r"^[A-Za-z0-9._:@+=/-]{1,128}$")
    )]
    pub job_id: String,
    pub source: JobSource,
    /// Output formats ("json", "pdf", "docx"); all formats when absent.
    #[serde(default)]
    pub formats: Option<Vec<String>>,
    /// Output key: the job writes `<key>.<format>` under the storage root.
    /// Defaults to the source's file stem. Relative, '/'-separated, no "..".
    #[serde(default)]
    pub key: Option<String>,
    /// Free fields passed through to the result event untouched (DMS ids).
    #[serde(default)]
    pub metadata: serde_json::Map<String, serde_json::Value>,
}

/// Longest job id, in bytes. The id becomes the result's AMQP correlation id,
/// a short string of at most 255 bytes; a longer id used to panic the worker.
pub const MAX_JOB_ID_BYTES: usize = 128;

/// Why a job id is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobIdError {
    #[error("the job id is empty")]
    Empty,
    #[error("the job id is {0} bytes long, over the limit of {MAX_JOB_ID_BYTES}")]
    TooLong(usize),
    #[error(
        "the job id holds U+{code:04X} at byte {at}; only ASCII letters, digits and -_.:@+=/ are allowed",
        code = *.character as u32
    )]
    Character { at: usize, character: char },
}

/// Checks a job id: 1 to [`MAX_JOB_ID_BYTES`] bytes of ASCII letters, digits
/// and `-_.:@+=/`. Ids reach AMQP short strings, log lines and terminals, so
/// nothing invisible, no control or bidi character, and nothing long.
pub fn check_job_id(id: &str) -> Result<(), JobIdError> {
    if id.is_empty() {
        return Err(JobIdError::Empty);
    }
    if id.len() > MAX_JOB_ID_BYTES {
        return Err(JobIdError::TooLong(id.len()));
    }
    match id
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || "-_.:@+=/".contains(*c)))
    {
        Some((at, character)) => Err(JobIdError::Character { at, character }),
        None => Ok(()),
    }
}

/// Where the summary comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum JobSource {
    /// The summary's text inline.
    Text {
        /// File name the summary is known by ("side-event-12.txt").
        name: String,
        text: String,
    },
    /// A binary document (a `.docx` or a `.pdf`), base64-encoded.
    Base64 {
        /// File name, whose extension says what the bytes are.
        name: String,
        data: String,
    },
    /// A file under the storage root, by relative path.
    Path { path: String },
    /// Many documents under the storage root: a `.zip` archive, or a folder
    /// (any other path, "inbox/2019/"). Every document is converted with
    /// its own manifest under `<key>/<its path inside>`, the worker
    /// publishing `job.progress` events and, at the end, one result with
    /// the tally and the report object (README "Archive jobs").
    Archive { path: String },
}

impl JobSource {
    /// The name the source is known by: its file name or path.
    pub fn name(&self) -> &str {
        match self {
            JobSource::Text { name, .. } | JobSource::Base64 { name, .. } => name,
            JobSource::Path { path } | JobSource::Archive { path } => path,
        }
    }

    /// A document carried in the job itself, as `submit`, `watch` and the
    /// API send one: its text when it is UTF-8 and not a format the
    /// readers take as binary (`.docx`, `.pdf`), else its bytes in base64.
    pub fn inline(name: String, bytes: Vec<u8>) -> JobSource {
        use base64::Engine;
        let binary_format = [".docx", ".pdf", ".zip"]
            .iter()
            .any(|e| name.to_ascii_lowercase().ends_with(e));
        match String::from_utf8(bytes) {
            Ok(text) if !binary_format => JobSource::Text { name, text },
            Ok(text) => JobSource::Base64 {
                name,
                data: base64::engine::general_purpose::STANDARD.encode(text),
            },
            Err(error) => JobSource::Base64 {
                name,
                data: base64::engine::general_purpose::STANDARD.encode(error.into_bytes()),
            },
        }
    }

    /// The output key a job gets when it names none: the source's file stem.
    pub fn default_key(&self) -> String {
        let file = self
            .name()
            .trim_end_matches('/')
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default();
        match file.rsplit_once('.') {
            Some((stem, _)) if !stem.is_empty() => stem.to_string(),
            _ => file.to_string(),
        }
    }
}

/// How a job ended, as published on the results exchange.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "JobResult")]
pub struct JobResult {
    /// Contract version, "1".
    pub version: String,
    /// The request's `job_id`, or "" when the message was not a readable job.
    pub job_id: String,
    /// The output key, when the job got far enough to have one.
    pub key: Option<String>,
    pub status: JobStatus,
    /// Every output written, in format order (empty for a failed job).
    pub outputs: Vec<OutputFile>,
    /// The set's manifest, by its name in storage
    /// ("2023/side-event.manifest.json"); absent for a failed job.
    pub manifest: Option<String>,
    /// The version of the key's output set: 1 for its first set, one more
    /// for each set that replaced another; absent for a failed job.
    pub set_version: Option<u32>,
    /// The version this set replaced (kept beside it while the storage
    /// keeps versions); absent for a first set and a failed job.
    pub replaces: Option<u32>,
    /// True when the set was already current (the same source, options and
    /// metadata converted before) and nothing was written; absent for a
    /// failed job.
    pub unchanged: Option<bool>,
    /// How many warnings the reader gave; absent when the document was not
    /// read (an unchanged set, a failed job).
    pub warnings: Option<usize>,
    /// How many times the job was tried, this one included.
    pub attempts: u32,
    /// Time spent on the final attempt, in milliseconds.
    pub duration_ms: u64,
    /// The request's metadata, untouched.
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Why the job failed (absent for a succeeded job).
    pub error: Option<JobError>,
    /// For an archive job: what became of its documents, and where the
    /// report is. Absent for other jobs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<ArchiveTally>,
}

/// What became of an archive job's documents.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchiveTally {
    /// Documents found in the archive or folder.
    pub total: u64,
    /// Converted by this job.
    pub converted: u64,
    /// Whose outputs were already current (converted before, or by an
    /// earlier attempt of this job).
    pub skipped: u64,
    /// Refused: the report says why, and what to fix.
    pub rejected: u64,
    /// The report: one row per document (key, status, error code, line,
    /// message, warnings, checksums), CSV, by its name in storage.
    pub report: String,
}

/// Where an archive job is, published on the results exchange with the
/// routing key `job.progress` (and to the request's `reply_to`). The counts
/// never go down, even across a worker that died mid-archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "JobProgress")]
pub struct JobProgress {
    /// Contract version, "1".
    pub version: String,
    pub job_id: String,
    /// Documents ended well: converted, or already current.
    pub done: u64,
    /// Documents refused.
    pub failed: u64,
    /// Documents in the archive.
    pub total: u64,
}

/// Routing key of archive progress events.
pub const PROGRESS_ROUTING_KEY: &str = "job.progress";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Succeeded,
    Failed,
}

impl JobStatus {
    /// Routing key of result events with this status.
    pub fn routing_key(self) -> &'static str {
        match self {
            JobStatus::Succeeded => "job.succeeded",
            JobStatus::Failed => "job.failed",
        }
    }
}

/// One file a job wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputFile {
    pub format: String,
    /// Path relative to the storage root ("2023/side-event.pdf").
    pub path: String,
    pub bytes: u64,
    /// Lower-case hex SHA-256 of the file.
    pub sha256: String,
}

/// Why a job failed: a stable code for machines and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobError {
    /// Stable, machine-readable: "bad_json", "unknown_format", "invalid_key",
    /// "not_a_summary", "too_large", "storage_unavailable", … (see README).
    pub code: String,
    pub message: String,
    /// Line of the source the error is about, for parse errors.
    pub line: Option<usize>,
}

/// The storage folder of a job's state: `.jobs/<sha-256 of the job id>`.
/// Hashed because a job id may hold `/` and `:`, and so that every job's
/// folder has one length whatever its id.
pub fn job_state_folder(job_id: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(job_id.as_bytes());
    let mut folder = String::with_capacity(6 + 64);
    folder.push_str(".jobs/");
    for byte in digest {
        folder.push_str(&format!("{byte:02x}"));
    }
    folder
}

/// Where the worker records how a job ended (its [`JobResult`] as JSON),
/// written with the job's outputs and before its result event is
/// published: the job state the API reports, whatever process or replica
/// asks. Only a final result is recorded (not a failure that will be
/// retried, nor an archive job's slice).
pub fn job_result_object(job_id: &str) -> String {
    format!("{}/result.json", job_state_folder(job_id))
}

/// Where the API records a job it accepted, before publishing it (so that
/// a job is "queued" from the moment its id is handed out).
pub fn job_request_object(job_id: &str) -> String {
    format!("{}/request.json", job_state_folder(job_id))
}

/// Names of the broker objects, all derived from one prefix so that several
/// deployments (or test runs) can share a broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    prefix: String,
}

impl Default for Topology {
    fn default() -> Self {
        Topology::new("summaries")
    }
}

impl Topology {
    pub fn new(prefix: &str) -> Topology {
        Topology {
            prefix: prefix.to_string(),
        }
    }

    /// The durable quorum queue clients publish jobs to.
    pub fn jobs_queue(&self) -> String {
        format!("{}.jobs", self.prefix)
    }

    /// Where jobs that can never succeed end up, with their reason.
    pub fn dead_letter_queue(&self) -> String {
        format!("{}.jobs.dead", self.prefix)
    }

    /// Holding queue for the retry after `attempt` failed; its TTL is the backoff.
    pub fn retry_queue(&self, attempt: u32) -> String {
        format!("{}.jobs.retry.{attempt}", self.prefix)
    }

    /// Whether `queue` is one of this topology's retry queues.
    pub fn is_retry_queue(&self, queue: &str) -> bool {
        queue
            .strip_prefix(&self.prefix)
            .and_then(|rest| rest.strip_prefix(".jobs.retry."))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    }

    /// A submitter's own queue of results (its jobs' `reply_to`), named
    /// by its run.
    pub fn replies_queue(&self, run: &str) -> String {
        format!("{}.replies.{run}", self.prefix)
    }

    /// The queue of result events the API's webhook dispatcher consumes
    /// (bound to `job.succeeded` and `job.failed`).
    pub fn webhook_events_queue(&self) -> String {
        format!("{}.webhooks", self.prefix)
    }

    /// Webhook deliveries due again (after their wait in a retry queue).
    pub fn webhook_deliveries_queue(&self) -> String {
        format!("{}.webhooks.deliveries", self.prefix)
    }

    /// Where a webhook delivery waits after its `attempt`-th failure.
    pub fn webhook_retry_queue(&self, attempt: u32) -> String {
        format!("{}.webhooks.retry.{attempt}", self.prefix)
    }

    /// Webhook deliveries that failed every attempt, with the last response.
    pub fn webhook_dead_queue(&self) -> String {
        format!("{}.webhooks.dead", self.prefix)
    }

    /// The topic exchange result events are published to.
    pub fn results_exchange(&self) -> String {
        format!("{}.results", self.prefix)
    }
}

/// The JSON Schemas of the messages, as published in the repo.
pub fn json_schemas() -> [(&'static str, String); 3] {
    let render = |schema: schemars::Schema| {
        let mut text = serde_json::to_string_pretty(&schema).expect("a schema is plain JSON");
        text.push('\n');
        text
    };
    [
        (
            "job-request.schema.json",
            render(schemars::schema_for!(JobRequest)),
        ),
        (
            "job-result.schema.json",
            render(schemars::schema_for!(JobResult)),
        ),
        (
            "job-progress.schema.json",
            render(schemars::schema_for!(JobProgress)),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_key_is_the_file_stem() {
        let text = |name: &str| JobSource::Text {
            name: name.to_string(),
            text: String::new(),
        };
        assert_eq!(text("side-event.txt").default_key(), "side-event");
        assert_eq!(text("a/b/c.summary.md").default_key(), "c.summary");
        assert_eq!(text("README").default_key(), "README");
        assert_eq!(
            JobSource::Path {
                path: "2023/x.docx".into()
            }
            .default_key(),
            "x"
        );
        let archive = |path: &str| JobSource::Archive { path: path.into() };
        assert_eq!(archive("inbox/2019.zip").default_key(), "2019");
        assert_eq!(archive("inbox/2019/").default_key(), "2019");
    }

    #[test]
    fn documents_go_inline_as_text_or_base64() {
        let source = JobSource::inline("a.txt".into(), b"Title".to_vec());
        assert_eq!(
            source,
            JobSource::Text {
                name: "a.txt".into(),
                text: "Title".into()
            }
        );
        // A Word file is binary even when its bytes happen to be UTF-8.
        let source = JobSource::inline("a.DOCX".into(), b"PK".to_vec());
        assert!(matches!(source, JobSource::Base64 { ref data, .. } if data == "UEs="));
        let source = JobSource::inline("a.txt".into(), vec![0xff, 0xfe]);
        assert!(matches!(source, JobSource::Base64 { ref data, .. } if data == "//4="));
    }

    #[test]
    fn a_jobs_state_has_one_folder_of_one_length() {
        let folder = job_state_folder("dms:2023/a@b");
        assert_eq!(folder.len(), ".jobs/".len() + 64);
        assert!(folder[6..].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(folder, job_state_folder("dms:2023/a@c"));
        assert_eq!(
            job_result_object("j1"),
            format!("{}/result.json", job_state_folder("j1"))
        );
        assert_eq!(
            job_request_object("j1"),
            format!("{}/request.json", job_state_folder("j1"))
        );
    }

    #[test]
    fn job_ids_have_a_length_and_character_rule() {
        for good in [
            "j1",
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            "01ARZ3NDEKTSV4RRFFQ69G5FAV",
            "dms:2023/side-event@igf+v2=x_y.z",
            &"a".repeat(MAX_JOB_ID_BYTES),
        ] {
            assert_eq!(check_job_id(good), Ok(()), "{good}");
        }
        assert_eq!(check_job_id(""), Err(JobIdError::Empty));
        assert_eq!(
            check_job_id(&"a".repeat(300)),
            Err(JobIdError::TooLong(300))
        );
        assert_eq!(
            check_job_id("evil\u{202e}fdp"),
            Err(JobIdError::Character {
                at: 4,
                character: '\u{202e}'
            })
        );
        for bad in ["a b", "a\nb", "a\x1b[2J", "é", "a\u{200b}", "a\"b", "a;b"] {
            assert!(check_job_id(bad).is_err(), "{bad:?}");
        }
        // The message names the character without echoing it.
        let message = check_job_id("x\u{202e}").unwrap_err().to_string();
        assert!(message.contains("U+202E") && !message.contains('\u{202e}'));
    }

    #[test]
    fn a_minimal_job_reads_with_defaults() {
        let job: JobRequest = serde_json::from_str(
            r#"{"version":"1","job_id":"j1","source":{"kind":"text","name":"a.txt","text":"x"}}"#,
        )
        .unwrap();
        assert_eq!(job.formats, None);
        assert_eq!(job.key, None);
        assert!(job.metadata.is_empty());
        let unknown =
            r#"{"version":"1","job_id":"j1","source":{"kind":"path","path":"a"},"colour":1}"#;
        assert!(serde_json::from_str::<JobRequest>(unknown).is_err());
    }
}
