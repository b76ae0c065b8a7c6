//! `rapporteur convert`: every input is read, parsed, rendered and written
//! independently, in parallel; one bad input never stops the others.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use rapporteur_batch::{Document, Row, Run, Status};
use rapporteur_inputs::{Input, Limits};
use rapporteur_parse::ParseOptions;
use rapporteur_pipeline::{Converter, ErrorCode, Provenance};
use rapporteur_render::RenderOptions;
use rapporteur_storage::{Storage, StorageError};
use rayon::prelude::*;

use crate::ConvertArgs;
use crate::report;

/// Documents converted between two group commits: a few seconds of work,
/// so that a commit's syncs cost little and an interruption loses little.
const COMMIT_EVERY: usize = 512;

/// The smallest commit: the last commit is the only one nobody converts
/// beside, so the chunks shrink towards the end of the run (see
/// [`commit_chunks`]).
const LAST_COMMIT: usize = 16;

/// The sizes of the run's commits, in order. Each commit runs while the
/// next chunk converts, except the last, which leaves the cores idle: so
/// the chunks halve towards the end (512, …, 488, 244, 122, … 16) and the
/// last commit is of a few documents. 2,000 seed copies: the last commit
/// of 464 documents took 0.15–0.2 s of the run's 3.3 s.
fn commit_chunks(total: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut left = total;
    while left > 0 {
        let size = if left <= LAST_COMMIT {
            left
        } else {
            (left / 2).clamp(LAST_COMMIT, COMMIT_EVERY)
        };
        sizes.push(size);
        left -= size;
    }
    sizes
}

/// How a run went.
pub(crate) struct Tally {
    pub converted: usize,
    pub failed: usize,
}

/// Runs a conversion; `Err` only for problems with the run itself (output
/// directory unusable), never for a bad input.
pub(crate) fn run(args: &ConvertArgs) -> anyhow::Result<Tally> {
    let started = Instant::now();
    let storage = Storage::open(&args.out).context("cannot use the output storage")?;
    let limits = Limits {
        max_document_bytes: args.max_input_bytes as u64,
        ..Limits::default()
    };
    let metadata = crate::read_metadata(args.metadata.as_deref())?;
    let converter = Converter {
        parse: ParseOptions {
            max_bytes: args.max_input_bytes,
        },
        render: RenderOptions {
            page_size: args.page_size,
            font_dir: args.font_dir.clone(),
            dms: rapporteur_model::Dms::from_metadata(&metadata)?,
        },
        keep_versions: args.keep_versions,
    };
    let mut formats = args.formats.clone();
    formats.sort();
    formats.dedup();

    let discovered = rapporteur_inputs::discover(&args.inputs, &limits);
    let total = discovered.len();
    let progress = ProgressBar::new(discovered.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {wide_msg}")
            .expect("valid template"),
    );
    let say = |message: String| {
        let message = rapporteur_untrusted::for_terminal(&message);
        progress.suspend(|| eprintln!("rapporteur: {message}"))
    };
    let mut jobs = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    let mut keys: HashMap<String, String> = HashMap::new();
    for found in discovered {
        let refusal = match found {
            Err(e) => Row::refused("", "", Status::Rejected, e.code(), None, &e.to_string()),
            Ok(input) => match keys.insert(input.key.clone(), input.name.clone()) {
                None => {
                    jobs.push(input);
                    continue;
                }
                Some(first) => Row::refused(
                    &input.name,
                    &input.key,
                    Status::Rejected,
                    ErrorCode::KeyCollision,
                    None,
                    &format!(
                        "{}: its outputs would overwrite those of {first} (both are named '{}'); convert them into different --out directories",
                        input.name, input.key
                    ),
                ),
            },
        };
        say(refusal.message.clone().unwrap_or_default());
        progress.inc(1);
        rows.push(refusal);
    }

    let provenance = Provenance {
        job_id: None,
        metadata: Some(&metadata),
        force: args.force,
    };
    let convert_all = |chunk: &[Input], run: &Run<'_>| {
        chunk
            .par_iter()
            .map(|input| {
                let row = convert_one(input, &limits, run);
                progress.inc(1);
                if let Some(message) = &row.message {
                    say(message.clone());
                }
                row
            })
            .collect::<Vec<Row>>()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()?;
    // Each chunk is written through a staged handle of its own (with
    // --sync group) and committed on another thread while the next chunk
    // converts: the syncs never leave the cores idle. Chunks never share a
    // key (collisions are refused above), so their commits cannot cross.
    // Nothing is counted before it is durable: a chunk whose commit fails
    // reports its documents as failed (a rerun redoes them).
    let settle = |commit: Result<(), StorageError>, mut converted: Vec<Row>| {
        if let Err(e) = commit {
            say(format!("{e}"));
            for row in converted
                .iter_mut()
                .filter(|r| r.status == Status::Converted)
            {
                *row = Row::refused(
                    &row.input,
                    &row.key,
                    Status::Failed,
                    e.code(),
                    None,
                    &format!("{}: {e}", row.input),
                );
            }
        }
        converted
    };
    std::thread::scope(|scope| {
        let mut committing = None;
        let mut rest = &jobs[..];
        for size in commit_chunks(jobs.len()) {
            let (chunk, after) = rest.split_at(size);
            rest = after;
            let writes = args.sync.writes_to(&storage);
            let run = Run {
                formats: &formats,
                storage: &writes,
                converter: &converter,
                provenance,
            };
            let converted = pool.install(|| convert_all(chunk, &run));
            if let Some((commit, earlier)) = committing.take() {
                rows.extend(settle(rapporteur_batch::joined(commit), earlier));
            }
            committing = Some((scope.spawn(move || writes.commit()), converted));
        }
        if let Some((commit, last)) = committing.take() {
            rows.extend(settle(rapporteur_batch::joined(commit), last));
        }
    });
    progress.finish_and_clear();

    let count = |status: Status| rows.iter().filter(|r| r.status == status).count();
    let skipped = count(Status::Skipped);
    let failed = count(Status::Rejected) + count(Status::Failed);
    let written: usize = rows.iter().map(Row::objects_written).sum();
    if let Some(path) = &args.report {
        report::write(path, rows)?;
    }
    let tally = Tally {
        converted: total - failed,
        failed,
    };
    eprintln!(
        "rapporteur: converted {} of {total} inputs, {} rejected, {skipped} already current; wrote {} files to {} in {:.2} s",
        tally.converted,
        tally.failed,
        written,
        storage.location(),
        started.elapsed().as_secs_f64()
    );
    Ok(tally)
}

/// Converts one input to every format (or finds its outputs current), and
/// says what became of it.
fn convert_one(input: &Input, limits: &Limits, run: &Run<'_>) -> Row {
    let document = Document {
        input: &input.name,
        source_name: &input.source_name,
        key: &input.key,
    };
    let read = || input.read(limits).map_err(|e| (e.code(), e.to_string()));
    rapporteur_batch::convert_document(document, read, run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_cover_the_run_and_shrink_towards_its_end() {
        for total in [0, 1, 15, 16, 17, 100, 511, 512, 1000, 2000, 100_000] {
            let sizes = commit_chunks(total);
            assert_eq!(sizes.iter().sum::<usize>(), total, "{total}: {sizes:?}");
            assert!(
                sizes.iter().all(|&s| s > 0 && s <= COMMIT_EVERY),
                "{sizes:?}"
            );
            if let Some(last) = sizes.last() {
                assert!(*last <= LAST_COMMIT, "{total}: the last commit is {last}");
            }
            // Never growing once they shrink, so only the last few are small.
            assert!(sizes.windows(2).all(|w| w[1] <= w[0]), "{sizes:?}");
        }
        assert_eq!(
            commit_chunks(2000),
            [512, 512, 488, 244, 122, 61, 30, 16, 15]
        );
    }
}
