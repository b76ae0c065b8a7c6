//! The job contracts between Rapporteur's services and their clients: the job
//! message a client publishes ([`JobRequest`]), the result event a worker
//! publishes when a job ends ([`JobResult`]), and the names of the broker
//! objects they travel through ([`Topology`]).
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
    /// Chosen by the client; echoed in the result event and every log line.
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
}

impl JobSource {
    /// The name the source is known by: its file name or path.
    pub fn name(&self) -> &str {
        match self {
            JobSource::Text { name, .. } | JobSource::Base64 { name, .. } => name,
            JobSource::Path { path } => path,
        }
    }

    /// The output key a job gets when it names none: the source's file stem.
    pub fn default_key(&self) -> String {
        let file = self.name().rsplit(['/', '\\']).next().unwrap_or_default();
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
    /// How many times the job was tried, this one included.
    pub attempts: u32,
    /// Time spent on the final attempt, in milliseconds.
    pub duration_ms: u64,
    /// The request's metadata, untouched.
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Why the job failed (absent for a succeeded job).
    pub error: Option<JobError>,
}

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

    /// The topic exchange result events are published to.
    pub fn results_exchange(&self) -> String {
        format!("{}.results", self.prefix)
    }
}

/// The JSON Schemas of the two messages, as published in the repo.
pub fn json_schemas() -> [(&'static str, String); 2] {
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
