//! `rapporteur submit`: every input becomes one job on the broker (or, with
//! `--as-archive`, every archive one archive job), published with confirms;
//! with `--wait`, the command follows the result events until every job it
//! submitted has ended.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use rapporteur_inputs::{Input, Limits};
use rapporteur_jobs::{
    JOB_CONTRACT_VERSION, JobProgress, JobRequest, JobResult, JobSource, JobStatus,
};
use rapporteur_pipeline::ErrorCode;
use rapporteur_untrusted::for_terminal;

use crate::SubmitArgs;
use crate::convert::Tally;
use crate::link::Link;
use crate::report;
use rapporteur_batch::{Row, Status};

pub(crate) fn run(args: &SubmitArgs) -> anyhow::Result<Tally> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(submit(args))
}

async fn submit(args: &SubmitArgs) -> anyhow::Result<Tally> {
    let metadata = crate::read_metadata(args.job.metadata.as_deref())?;
    let limits = Limits {
        max_document_bytes: args.job.max_input_bytes as u64,
        ..Limits::default()
    };
    let topology = args.job.broker.topology();
    let run_id = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    // Results come back through the jobs' reply_to, on a queue of this
    // run's own that outlives a lost connection.
    let replies = args
        .wait
        .then(|| topology.replies_queue(&format!("{run_id}-{}", std::process::id())));
    let mut link = Link::open(&args.job.broker, replies).await?;

    let discovered = if args.as_archive {
        Vec::new()
    } else {
        rapporteur_inputs::discover(&args.inputs, &limits)
    };
    let progress = ProgressBar::new(discovered.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}").expect("valid template"),
    );
    progress.set_message("submitting");
    let mut submitted = HashSet::new();
    // For the report: each job's input and key, and the inputs refused here.
    let mut inputs: HashMap<String, (String, String)> = HashMap::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut failed = 0;
    let mut skipped = 0;
    // With --storage: the workers' storage, and a converter with the
    // default render options and this run's DMS filing, to tell sets that
    // are already current.
    let current_check = match &args.storage {
        Some(location) => Some((
            rapporteur_storage::Storage::open(location)
                .context("cannot use the storage given as --storage")?,
            rapporteur_pipeline::Converter {
                render: rapporteur_render::RenderOptions {
                    dms: rapporteur_model::Dms::from_metadata(&metadata)?,
                    ..Default::default()
                },
                ..Default::default()
            },
        )),
        None => None,
    };
    for (index, found) in discovered.into_iter().enumerate() {
        progress.inc(1);
        let job = match found {
            Err(e) => Err((String::new(), String::new(), e.code(), e.to_string())),
            Ok(input) => job_for(
                &input,
                &limits,
                args,
                &metadata,
                format!("{run_id}-{index}"),
            )
            .map(|(job, bytes)| (input.name.clone(), input.key.clone(), job, bytes))
            .map_err(|(code, message)| (input.name.clone(), input.key.clone(), code, message)),
        };
        let (input_name, key, job, bytes) = match job {
            Ok(job) => job,
            Err((input_name, key, code, message)) => {
                rows.push(Row::refused(
                    &input_name,
                    &key,
                    Status::Rejected,
                    code,
                    None,
                    &message,
                ));
                let message = for_terminal(&message);
                progress.suspend(|| eprintln!("rapporteur: {message}"));
                failed += 1;
                continue;
            }
        };
        // A set already current in the workers' storage is not sent again
        // (a rerun after an interruption publishes only what is left).
        if let Some((storage, converter)) = &current_check
            && rapporteur_storage::OutputKey::new(&key).is_ok_and(|output_key| {
                converter.is_current(
                    &bytes,
                    &args.job.formats,
                    &output_key,
                    storage,
                    &job.metadata,
                )
            })
        {
            rows.push(Row::skipped(&input_name, &key));
            skipped += 1;
            continue;
        }
        inputs.insert(job.job_id.clone(), (input_name, key));
        link.publish_job(&job).await?;
        submitted.insert(job.job_id);
    }
    progress.finish_and_clear();
    let archive_storage = match &current_check {
        Some((storage, _)) if args.as_archive => Some(storage),
        _ => None,
    };
    if let Some(storage) = archive_storage {
        for path in &args.inputs {
            let job = archive_job(path, storage, args, &metadata)?;
            inputs.insert(
                job.job_id.clone(),
                (
                    path.display().to_string(),
                    job.key.clone().unwrap_or_default(),
                ),
            );
            link.publish_job(&job).await?;
            submitted.insert(job.job_id);
        }
    }
    eprintln!(
        "rapporteur: submitted {} jobs to {}, {skipped} already current",
        submitted.len(),
        topology.jobs_queue()
    );

    if !args.wait {
        link.close().await;
        // --report requires --wait (clap): without results there are no rows.
        return Ok(Tally {
            converted: submitted.len(),
            failed,
        });
    };
    let progress = ProgressBar::new(submitted.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}").expect("valid template"),
    );
    progress.set_message("waiting for results");
    let started = Instant::now();
    let mut succeeded = 0;
    let mut pending = submitted;
    while !pending.is_empty() {
        let Some(reply) = link
            .next_reply(Duration::from_secs(args.wait_timeout_secs))
            .await?
        else {
            anyhow::bail!(
                "no result for {} jobs after waiting {} s",
                pending.len(),
                args.wait_timeout_secs
            );
        };
        let Ok(result) = serde_json::from_slice::<JobResult>(&reply) else {
            if let Ok(step) = serde_json::from_slice::<JobProgress>(&reply)
                && pending.contains(&step.job_id)
            {
                progress.set_message(format!(
                    "archive: {} done, {} refused, of {}",
                    step.done, step.failed, step.total
                ));
            }
            continue;
        };
        // A redelivered job may report twice; count each job once.
        if !pending.remove(&result.job_id) {
            continue;
        }
        progress.inc(1);
        if let (Some(tally), Some((storage, _))) = (&result.archive, &current_check) {
            let line = for_terminal(&format!(
                "archive job {}: {} converted, {} already current, {} refused, of {}; report {}",
                result.job_id,
                tally.converted,
                tally.skipped,
                tally.rejected,
                tally.total,
                storage.describe(&tally.report)
            ));
            progress.suspend(|| eprintln!("rapporteur: {line}"));
            // The archive's own rows make the report; refused documents
            // make the run fail, as they do in `convert`.
            failed += tally.rejected as usize;
            if args.report.is_some() {
                rows.extend(archive_rows(storage, &tally.report)?);
            }
        } else if let Some((input_name, key)) = inputs.get(&result.job_id) {
            rows.push(row_for(input_name, key, &result));
        }
        match (&result.status, &result.error) {
            (JobStatus::Succeeded, _) => succeeded += 1,
            (JobStatus::Failed, error) => {
                failed += 1;
                let reason = error.as_ref().map_or("unknown error".to_string(), |e| {
                    format!("{} ({})", e.message, e.code)
                });
                // The event's id is one this command chose, but its message
                // quotes the document's name and the worker's words.
                let line = for_terminal(&format!("job {} failed: {reason}", result.job_id));
                progress.suspend(|| eprintln!("rapporteur: {line}"));
            }
        }
    }
    progress.finish_and_clear();
    eprintln!(
        "rapporteur: {succeeded} jobs succeeded, {failed} failed, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let lost = link.lost;
    link.close().await;
    if lost > 0 {
        eprintln!("rapporteur: rode out {lost} lost broker connections");
    }
    if let Some(path) = &args.report {
        report::write(path, rows)?;
    }
    Ok(Tally {
        converted: succeeded,
        failed,
    })
}

/// The report row of a job's result: converted (or skipped, when its set
/// was already current), rejected for a document to fix, failed for what
/// may pass (storage trouble).
fn row_for(input: &str, key: &str, result: &JobResult) -> Row {
    let checksum = |format: &str| {
        result
            .outputs
            .iter()
            .find(|o| o.format == format)
            .map(|o| o.sha256.clone())
    };
    let status = match (&result.status, &result.error) {
        (JobStatus::Succeeded, _) if result.unchanged == Some(true) => Status::Skipped,
        (JobStatus::Succeeded, _) => Status::Converted,
        (JobStatus::Failed, Some(error))
            if ErrorCode::parse(&error.code)
                .is_some_and(|c| c == ErrorCode::StorageUnavailable) =>
        {
            Status::Failed
        }
        (JobStatus::Failed, _) => Status::Rejected,
    };
    Row {
        input: input.to_string(),
        key: key.to_string(),
        status,
        error_code: result.error.as_ref().map(|e| e.code.clone()),
        line: result.error.as_ref().and_then(|e| e.line),
        message: result.error.as_ref().map(|e| e.message.clone()),
        warnings: result.warnings,
        json_sha256: checksum("json"),
        pdf_sha256: checksum("pdf"),
        docx_sha256: checksum("docx"),
    }
}

/// The archive job for a `.zip` input: the archive is uploaded to the
/// workers' storage under its checksum, so that submitting it again names
/// the same object and the same job (whose worker then resumes or only
/// reports again).
fn archive_job(
    path: &std::path::Path,
    storage: &rapporteur_storage::Storage,
    args: &SubmitArgs,
    metadata: &serde_json::Map<String, serde_json::Value>,
) -> anyhow::Result<JobRequest> {
    use sha2::{Digest, Sha256};
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| n.to_ascii_lowercase().ends_with(".zip"))
        .with_context(|| {
            format!(
                "{}: --as-archive takes .zip archives (with UTF-8 names)",
                path.display()
            )
        })?;
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let checksum = format!("{:x}", Sha256::digest(&bytes));
    let object = format!("inbox/{}/{file_name}", &checksum[..16]);
    storage
        .write_objects(&[(&object, &bytes)])
        .with_context(|| format!("cannot upload {} to {}", path.display(), storage.location()))?;
    let source = JobSource::Archive { path: object };
    let key = source.default_key();
    Ok(JobRequest {
        version: JOB_CONTRACT_VERSION.to_string(),
        job_id: format!("archive-{}", &checksum[..32]),
        source,
        formats: Some(format_names(args)),
        key: Some(key),
        metadata: metadata.clone(),
    })
}

/// The formats a job asks for, by name.
fn format_names(args: &SubmitArgs) -> Vec<String> {
    args.job
        .formats
        .iter()
        .map(|f| f.extension().to_string())
        .collect()
}

/// The rows of an archive job's report object.
fn archive_rows(storage: &rapporteur_storage::Storage, report: &str) -> anyhow::Result<Vec<Row>> {
    let bytes = storage.read(report, u64::MAX).with_context(|| {
        format!(
            "cannot read the archive's report {}",
            storage.describe(report)
        )
    })?;
    rapporteur_batch::decode_csv(&bytes).with_context(|| {
        format!(
            "the archive's report {} is not readable",
            storage.describe(report)
        )
    })
}

/// The job for one input: text inline, other documents as base64
/// ([`JobSource::inline`]).
fn job_for(
    input: &Input,
    limits: &Limits,
    args: &SubmitArgs,
    metadata: &serde_json::Map<String, serde_json::Value>,
    job_id: String,
) -> Result<(JobRequest, Vec<u8>), (ErrorCode, String)> {
    let bytes = input.read(limits).map_err(|e| (e.code(), e.to_string()))?;
    let source = JobSource::inline(input.source_name.clone(), bytes.clone());
    let mut metadata = metadata.clone();
    metadata.insert("input".to_string(), input.name.clone().into());
    Ok((
        JobRequest {
            version: JOB_CONTRACT_VERSION.to_string(),
            job_id,
            source,
            formats: Some(format_names(args)),
            key: Some(input.key.clone()),
            metadata,
        },
        bytes,
    ))
}
