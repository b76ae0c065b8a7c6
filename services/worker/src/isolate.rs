//! Conversions in a supervised child process, so that a job that crashes,
//! hangs or exhausts memory in the converter costs no other job anything.
//!
//! A worker converts a job's first delivery in its own process (no cost per
//! job). A job that killed a worker comes back redelivered, together with
//! every job that worker had in flight; each redelivery is then converted
//! alone in a child, `rapporteur-worker --convert-one`, which reads the job
//! message on stdin and prints its outcome as JSON on stdout, under an
//! address-space and CPU limit and a wall-clock timeout. The poison job
//! kills only its child and is dead-lettered with its own reason
//! (`converter_crashed`, `timeout`, `too_large`) and a `job.failed` event;
//! the others convert normally in theirs. `--isolate all` converts every
//! job in a child (see README for what that costs).

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use rapporteur_pipeline::ErrorCode;

use crate::Worker;
use crate::job::{self, Processed};

/// Which jobs are converted in a child process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum IsolateMode {
    /// Redelivered jobs only (a worker died or gave up with them in flight).
    Redelivered,
    /// Every job.
    All,
}

/// How isolated conversions run.
pub(crate) struct Isolation {
    pub mode: IsolateMode,
    /// Wall-clock budget of one conversion, in process or in a child.
    pub job_timeout: Duration,
    /// Address-space limit of a child, in bytes.
    pub child_memory: u64,
    /// The converter run for an isolated job and its arguments (this binary
    /// with `--convert-one` and the worker's conversion settings).
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

/// The most of a child's stderr kept to explain its failure.
const STDERR_KEPT: usize = 4096;

/// Converts one job alone in a child process and reads its outcome. Never
/// fails: a child that dies, overruns or cannot start is a failed result.
pub(crate) async fn convert_isolated(worker: &Arc<Worker>, body: &[u8], attempt: u32) -> Processed {
    // A child converts on a core like a job in this process: one slot.
    let _slot = worker
        .converting
        .clone()
        .acquire_owned()
        .await
        .expect("the conversion slots are never closed");
    let started = Instant::now();
    let isolation = &worker.isolation;
    let fail = |code: ErrorCode, message: String| {
        job::failed_outside(worker, body, code, message, attempt, started)
    };
    let child = tokio::process::Command::new(&isolation.program)
        .args(&isolation.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A timed-out child is killed when its future is dropped.
        .kill_on_drop(true)
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) => {
            // The worker itself is broken (no binary, no processes left):
            // transient, so the job is retried, not lost.
            let mut processed = fail(
                ErrorCode::ConverterUnavailable,
                format!("cannot start the converter: {error}"),
            );
            processed.transient = true;
            return processed;
        }
    };
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        unreachable!("all three streams are piped");
    };
    let run = async {
        let feed = async {
            // A child that dies early closes its stdin: its exit says why.
            let _ = stdin.write_all(body).await;
            drop(stdin);
        };
        let mut out = Vec::new();
        let mut err = Vec::new();
        let read_out = stdout.read_to_end(&mut out);
        let read_err = async {
            let mut buffer = [0u8; 8192];
            while let Ok(n) = stderr.read(&mut buffer).await {
                if n == 0 {
                    break;
                }
                err.extend_from_slice(&buffer[..n]);
                if err.len() > 2 * STDERR_KEPT {
                    err.drain(..err.len() - STDERR_KEPT);
                }
            }
        };
        let ((), _, ()) = tokio::join!(feed, read_out, read_err);
        let status = child.wait().await;
        (status, out, err)
    };
    let (status, out, err) = match tokio::time::timeout(isolation.job_timeout, run).await {
        Ok(done) => done,
        Err(_) => {
            return fail(
                ErrorCode::Timeout,
                format!(
                    "the conversion took longer than {} s and was stopped",
                    isolation.job_timeout.as_secs()
                ),
            );
        }
    };
    let status = match status {
        Ok(status) => status,
        Err(error) => {
            return fail(
                ErrorCode::ConverterCrashed,
                format!("the converter was lost: {error}"),
            );
        }
    };
    if status.success()
        && let Ok(mut processed) = serde_json::from_slice::<Processed>(&out)
    {
        processed.result.attempts = attempt;
        return processed;
    }
    let stderr = String::from_utf8_lossy(&err);
    // What Rust's allocation-failure handler prints before aborting, when
    // the address-space limit refuses memory.
    if stderr.contains("memory allocation of") {
        return fail(
            ErrorCode::TooLarge,
            format!(
                "the conversion needed more than the {} MB a job may use",
                isolation.child_memory / (1024 * 1024)
            ),
        );
    }
    let last_line = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    fail(
        ErrorCode::ConverterCrashed,
        format!(
            "the converter crashed ({status}){}{}",
            if last_line.is_empty() { "" } else { ": " },
            rapporteur_untrusted::shown(last_line)
        ),
    )
}

/// The child's side (`rapporteur-worker --convert-one`): limits itself, reads
/// one job message on stdin, converts it and prints the outcome on stdout.
pub(crate) fn convert_one(worker: &Worker, max_message: usize) -> anyhow::Result<()> {
    use rustix::process::{Resource, Rlimit, setrlimit};
    let limit = |value: u64| Rlimit {
        current: Some(value),
        maximum: Some(value),
    };
    // No core file for a crash that is expected and reported.
    setrlimit(Resource::Core, limit(0))?;
    setrlimit(Resource::As, limit(worker.isolation.child_memory))?;
    // CPU time as a backstop for the parent's wall-clock timeout.
    let cpu = worker
        .isolation
        .job_timeout
        .as_secs()
        .saturating_mul(2)
        .max(1);
    setrlimit(Resource::Cpu, limit(cpu))?;
    let mut body = Vec::new();
    std::io::stdin()
        .take(max_message as u64 + 1)
        .read_to_end(&mut body)?;
    // Attempt numbers are the parent's; it overwrites this one.
    // Progress events are the parent's to publish; a child has no broker.
    let cancelled = std::sync::atomic::AtomicBool::new(false);
    // Each set is synced as it is written: the parent's group commit
    // cannot reach into this process.
    let processed = job::process_blocking(worker, &worker.storage, &body, 1, &|_| {}, &cancelled);
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, &processed)?;
    stdout.flush()?;
    Ok(())
}
