//! Archive jobs: one job for many documents, a `.zip` archive or a folder
//! in storage (`{"kind": "archive", "path": "inbox/2019.zip"}`).
//!
//! The worker that takes the job converts every document into its own set
//! under `<key>/<its path inside>`, a chunk at a time on every core, and
//! after each chunk records where it is in storage (the chunk's report rows
//! and a small state object) before it publishes a `job.progress` event. So
//! a worker that dies mid-archive leaves a job the next worker resumes from
//! the last recorded chunk: its documents' outputs are current and are
//! skipped, none is converted twice into different bytes, and progress
//! never goes back (events only ever follow a recorded state).
//!
//! A job works for at most a slice of time (a third of the job timeout),
//! then publishes itself again and is acked: long archives never hold one
//! delivery for hours (RabbitMQ's consumer timeout closes a channel after
//! 30 minutes) and share the workers with other jobs. The last slice joins
//! the rows into the report object `<key>.report.csv` and publishes one
//! result with the tally.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rapporteur_batch::{Document, Encoding, Row, Run, Status};
use rapporteur_inputs::{InputError, Limits, ZipDocuments};
use rapporteur_jobs::{
    ArchiveTally, JOB_CONTRACT_VERSION, JobProgress, JobRequest, JobResult, JobStatus,
};
use rapporteur_pipeline::{ConvertError, Converter, ErrorCode, Provenance};
use rapporteur_render::Format;
use rapporteur_storage::{OutputKey, ReadError, Storage, StorageError};
use rapporteur_untrusted::shown;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::Worker;
use crate::job::{permanent, read_failure, storage_failure};

/// How a slice of an archive job ended.
pub(crate) enum Sliced {
    /// Every document is done: the tally, with the report's name.
    Finished(ArchiveTally),
    /// Time is up with documents left: the job goes back on the queue.
    Continue,
}

/// What one archive job needs besides the worker.
pub(crate) struct ArchiveJob<'a> {
    pub request: &'a JobRequest,
    /// The archive or folder, under the storage root.
    pub path: &'a str,
    /// Where its documents' outputs go: `<key>/<path inside>`.
    pub key: &'a str,
    pub formats: &'a [Format],
    pub converter: &'a Converter,
    /// Called after each recorded chunk.
    pub progress: &'a (dyn Fn(JobProgress) + Sync),
    /// Set when the job's attempt was given up (its time ran out): stop.
    pub cancelled: &'a AtomicBool,
}

/// What is recorded after each chunk, as `.archive/<key>/state.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct State {
    job_id: String,
    /// What the documents were listed from: the archive's checksum, or the
    /// folder listing's. A different archive starts again from the top.
    fingerprint: String,
    /// Documents before this index are done (their rows recorded).
    next: u64,
    total: u64,
    converted: u64,
    skipped: u64,
    rejected: u64,
    /// The report is written: a redelivery only says so again.
    finished: bool,
}

/// Documents per chunk at first; later chunks are sized to last about
/// [`CHUNK_TIME`], so that a state and a progress event are written about
/// once a second, whatever a document costs.
const FIRST_CHUNK: usize = 16;
const CHUNK_TIME: Duration = Duration::from_secs(1);
const MAX_CHUNK: usize = 1024;

/// Largest archive taken: the zip is copied to local disk, never held in
/// memory, and its declared content is bounded by [`Limits`] anyway.
const MAX_ARCHIVE_BYTES: u64 = 4 << 30;

/// Publishes the job's progress: its counts as recorded.
fn progress(job: &ArchiveJob<'_>, counts: &ArchiveTally) {
    (job.progress)(progress_event(&job.request.job_id, counts));
}

/// The progress event of a job with these counts: the one wording of
/// `done` and `failed`.
fn progress_event(job_id: &str, counts: &ArchiveTally) -> JobProgress {
    JobProgress {
        version: JOB_CONTRACT_VERSION.to_string(),
        job_id: job_id.to_owned(),
        done: counts.converted + counts.skipped,
        failed: counts.rejected,
        total: counts.total,
    }
}

/// The progress event that says a finished archive job is complete, from
/// its result; `None` for any other result.
pub(crate) fn completed(result: &JobResult) -> Option<JobProgress> {
    let tally = result.archive.as_ref()?;
    (result.status == JobStatus::Succeeded).then(|| progress_event(&result.job_id, tally))
}

/// Runs one slice of an archive job (blocking): from where the last one
/// stopped, until every document is done or the slice's time is up.
pub(crate) fn run_slice(worker: &Worker, job: &ArchiveJob<'_>) -> Result<Sliced, ConvertError> {
    let started = Instant::now();
    let slice = worker.isolation.job_timeout / 3;
    let prefix = OutputKey::new(job.key)
        .map_err(|e| permanent(ErrorCode::InvalidKey, format!("output key refused: {e}")))?;
    let limits = Limits {
        max_document_bytes: worker.converter.parse.max_bytes as u64,
        ..Limits::default()
    };
    let listed = list(&worker.storage, job.path, prefix.as_str(), &limits)?;
    let state_object = format!(".archive/{prefix}/state.json");
    let parts_prefix = format!(".archive/{prefix}/rows-");
    let mut state = match read_state(&worker.storage, &state_object)? {
        Some(state)
            if state.job_id == job.request.job_id && state.fingerprint == listed.fingerprint =>
        {
            state
        }
        _ => {
            // Another job (or another archive) under this key starts over:
            // rows it left must not join this job's report.
            for stale in worker
                .storage
                .list(&parts_prefix)
                .map_err(|e| storage_failure(&e))?
            {
                worker
                    .storage
                    .delete(&stale)
                    .map_err(|e| storage_failure(&e))?;
            }
            State {
                job_id: job.request.job_id.clone(),
                fingerprint: listed.fingerprint.clone(),
                total: listed.entries.len() as u64,
                ..State::default()
            }
        }
    };
    let report = format!("{prefix}.report.csv");
    let tally = |state: &State| ArchiveTally {
        total: state.total,
        converted: state.converted,
        skipped: state.skipped,
        rejected: state.rejected,
        report: report.clone(),
    };
    if state.finished {
        return Ok(Sliced::Finished(tally(&state)));
    }
    if listed.entries.is_empty() {
        return Err(permanent(
            ErrorCode::Empty,
            format!(
                "{}: holds no documents ({})",
                shown(job.path),
                rapporteur_inputs::DOCUMENT_EXTENSIONS.join(", ")
            ),
        ));
    }
    let total = listed.entries.len();
    let mut chunk = FIRST_CHUNK;
    // Whether this slice published a progress event.
    let mut announced = false;
    // Records a chunk whose commit is through: its counts, its rows (a
    // part of the report) and the state, then announces it.
    let mut record = |state: &mut State,
                      committed: Result<(), StorageError>,
                      rows: Vec<Row>,
                      to: usize|
     -> Result<(), ConvertError> {
        // Storage trouble: the job is tried again later (or the worker
        // pauses), from this chunk on.
        committed.map_err(|e| storage_failure(&e))?;
        if let Some(failed) = rows.iter().find(|r| r.status == Status::Failed) {
            return Err(ConvertError {
                code: ErrorCode::StorageUnavailable,
                message: failed.message.clone().unwrap_or_default(),
                line: None,
                transient: true,
            });
        }
        for row in &rows {
            match row.status {
                Status::Converted => state.converted += 1,
                Status::Skipped => state.skipped += 1,
                Status::Rejected | Status::Failed => state.rejected += 1,
            }
        }
        let part = format!("{parts_prefix}{:010}.csv", state.next);
        write(
            &worker.storage,
            &part,
            &rapporteur_batch::encode(&rows, Encoding::CsvRows),
        )?;
        state.next = to as u64;
        write(&worker.storage, &state_object, &state_bytes(state))?;
        progress(job, &tally(state));
        announced = true;
        Ok(())
    };
    // Each chunk's sets are written through a staged handle of its own
    // and committed (with the default group durability) on another thread
    // while the next chunk converts, as `convert` does: the syncs never
    // leave the cores idle. A chunk is recorded as done only once its
    // commit is through, and chunks are recorded in order, so progress
    // only ever follows what is durable.
    std::thread::scope(|scope| -> Result<(), ConvertError> {
        let mut committing = None;
        let mut next = state.next as usize;
        loop {
            let time_up = started.elapsed() >= slice || job.cancelled.load(Ordering::Relaxed);
            let converted = (next < total && !time_up).then(|| {
                let to = (next + chunk).min(total);
                let writes = worker.durability.writes_to(&worker.storage);
                let run = Run {
                    formats: job.formats,
                    storage: &writes,
                    converter: job.converter,
                    provenance: Provenance {
                        job_id: Some(&job.request.job_id),
                        metadata: Some(&job.request.metadata),
                        force: false,
                    },
                };
                let chunk_started = Instant::now();
                let rows: Vec<Row> = worker.archive_threads().install(|| {
                    listed.entries[next..to]
                        .par_iter()
                        .map(|entry| listed.convert(entry, &worker.storage, &limits, &run))
                        .collect()
                });
                chunk = next_chunk(chunk, chunk_started.elapsed());
                (writes, rows, to)
            });
            if let Some((commit, rows, to)) = committing.take() {
                record(&mut state, rapporteur_batch::joined(commit), rows, to)?;
            }
            let Some((writes, rows, to)) = converted else {
                return Ok(());
            };
            next = to;
            committing = Some((scope.spawn(move || writes.commit()), rows, to));
        }
    })?;
    if (state.next as usize) < total {
        return Ok(Sliced::Continue);
    }
    // A worker killed between recording its last chunk and announcing it
    // leaves nothing to convert: the complete count is announced here, so
    // the last progress event always says the whole archive is done.
    if !announced {
        progress(job, &tally(&state));
    }
    // The listing (about 600 bytes a document: the zip's directory and the
    // keys) is not needed for the report, which at 100,000 documents is
    // 26 MB itself: not both at once.
    drop(listed);
    // Every row is recorded: join the parts, in document order, into the
    // report, then say the job is finished.
    let mut joined = rapporteur_batch::csv_header();
    let parts = worker
        .storage
        .list(&parts_prefix)
        .map_err(|e| storage_failure(&e))?;
    for part in &parts {
        let bytes = worker
            .storage
            .read(part, u64::MAX)
            .map_err(|e| read_failure(part, e))?;
        joined.extend_from_slice(&bytes);
    }
    write(&worker.storage, &report, &joined)?;
    state.finished = true;
    write(&worker.storage, &state_object, &state_bytes(&state))?;
    for part in &parts {
        // Left behind, a part costs only room: the state says finished.
        let _ = worker.storage.delete(part);
    }
    Ok(Sliced::Finished(tally(&state)))
}

/// The next chunk's size: as many documents as took about [`CHUNK_TIME`].
fn next_chunk(chunk: usize, took: Duration) -> usize {
    let per_second = chunk as f64 / took.as_secs_f64().max(1e-3);
    ((per_second * CHUNK_TIME.as_secs_f64()) as usize).clamp(FIRST_CHUNK, MAX_CHUNK)
}

fn state_bytes(state: &State) -> Vec<u8> {
    serde_json::to_vec(state).expect("a state always serializes")
}

fn read_state(storage: &Storage, object: &str) -> Result<Option<State>, ConvertError> {
    match storage.read(object, 1 << 20) {
        // A state this worker cannot read is started over, not trusted.
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        Err(ReadError::NotFound { .. }) => Ok(None),
        Err(e) => Err(read_failure(object, e)),
    }
}

fn write(storage: &Storage, object: &str, bytes: &[u8]) -> Result<(), ConvertError> {
    storage
        .write_objects(&[(object, bytes)])
        .map_err(|e| storage_failure(&e))
}

/// The documents of an archive or folder, in a fixed order.
/// Kept small, since an archive may hold 100,000 documents: an entry is
/// its name inside and its key; what people see is made when it is used.
struct Listed {
    entries: Vec<Entry>,
    fingerprint: String,
    /// What names an entry for people, before its name inside:
    /// "inbox/2019.zip:" or "inbox/2019/".
    label: String,
    /// The zip, downloaded to local disk while its entries are read, and
    /// its directory, parsed once for the whole slice.
    archive: Option<(tempfile::NamedTempFile, ZipDocuments)>,
}

/// One document to convert, or the reason it cannot be.
struct Entry {
    /// Its name inside the archive or folder ("2023/a.txt").
    source_name: String,
    /// Its output key.
    key: String,
    from: From,
}

enum From {
    /// Entry number N of the zip's central directory.
    Zip(usize),
    /// An object below the folder.
    Object,
    /// Listed, but refused: (code, message).
    Refused(ErrorCode, String),
}

// An entry is no larger than what `ZipDocuments::list` gives, so that the
// listing is mapped into entries in place (`list_zip`).
const _: () = assert!(
    std::mem::size_of::<Entry>()
        <= std::mem::size_of::<Result<rapporteur_inputs::ZipDocument, InputError>>()
);

impl Listed {
    /// Converts one entry (or finds its outputs current) into its row.
    fn convert(&self, entry: &Entry, storage: &Storage, limits: &Limits, run: &Run<'_>) -> Row {
        let input = format!("{}{}", self.label, entry.source_name);
        let document = Document {
            input: &input,
            source_name: &entry.source_name,
            key: &entry.key,
        };
        let read = || match &entry.from {
            From::Zip(index) => {
                let (_, zip) = self.archive.as_ref().expect("a zip's entries come with it");
                zip.read(*index, &input, limits)
                    .map_err(|e| (e.code(), e.to_string()))
            }
            From::Object => storage
                .read(&input, limits.max_document_bytes)
                .map_err(|e| {
                    let e = read_failure(&input, e);
                    (e.code, e.message)
                }),
            From::Refused(code, message) => Err((*code, message.clone())),
        };
        rapporteur_batch::convert_document(document, read, run)
    }
}

/// Lists the documents of `path`: a `.zip` archive, or else a folder.
fn list(
    storage: &Storage,
    path: &str,
    prefix: &str,
    limits: &Limits,
) -> Result<Listed, ConvertError> {
    let checked = OutputKey::new(path.trim_end_matches('/'))
        .map_err(|e| permanent(ErrorCode::InvalidPath, format!("archive path refused: {e}")))?;
    let path = checked.as_str();
    let mut listed = if path.to_ascii_lowercase().ends_with(".zip") {
        list_zip(storage, path, prefix, limits)?
    } else {
        list_folder(storage, path, prefix)?
    };
    refuse_collisions(&mut listed.entries, &listed.label);
    Ok(listed)
}

fn list_zip(
    storage: &Storage,
    path: &str,
    prefix: &str,
    limits: &Limits,
) -> Result<Listed, ConvertError> {
    let (archive, fingerprint) = storage
        .download(path, MAX_ARCHIVE_BYTES)
        .map_err(|e| read_failure(path, e))?;
    let local_name = archive.path().display().to_string();
    // Messages name the archive as the client did, not the local copy.
    let named = |message: String| message.replace(&local_name, path);
    let whole = |e: InputError| permanent(e.code(), named(e.to_string()));
    let zip = ZipDocuments::open(archive.path()).map_err(whole)?;
    // Mapped in place (an entry is no larger than what it is made from):
    // a second list beside the first was 16 MB more at 100,000 documents.
    let entries = zip
        .list(Some(prefix), limits)
        .map_err(whole)?
        .into_iter()
        .map(|found| match found {
            Ok(document) => Entry {
                key: document.key,
                source_name: document.source_name,
                from: From::Zip(document.index),
            },
            Err(e) => Entry {
                // The message names the entry.
                source_name: "?".into(),
                key: String::new(),
                from: From::Refused(e.code(), named(e.to_string())),
            },
        })
        .collect();
    Ok(Listed {
        entries,
        fingerprint,
        label: format!("{path}:"),
        archive: Some((archive, zip)),
    })
}

fn list_folder(storage: &Storage, path: &str, prefix: &str) -> Result<Listed, ConvertError> {
    let folder = format!("{path}/");
    let outputs = format!("{prefix}/");
    if outputs.starts_with(&folder) || folder.starts_with(&outputs) {
        return Err(permanent(
            ErrorCode::InvalidKey,
            format!(
                "the outputs ({}) and the folder ({}) overlap, so outputs would be read as documents; give the job a key outside the folder",
                shown(&outputs),
                shown(&folder)
            ),
        ));
    }
    let objects = storage.list(&folder).map_err(|e| storage_failure(&e))?;
    let mut entries = Vec::new();
    for object in &objects {
        let relative = &object[folder.len()..];
        // Hidden folders and files (kept versions, job state) are not
        // documents; nor is anything of another type.
        if relative.split('/').any(|part| part.starts_with('.')) {
            continue;
        }
        let Some((stem, extension)) = relative.rsplit_once('.') else {
            continue;
        };
        if !rapporteur_inputs::DOCUMENT_EXTENSIONS
            .iter()
            .any(|e| e.eq_ignore_ascii_case(extension))
            || stem.ends_with('/')
        {
            continue;
        }
        entries.push(Entry {
            source_name: relative.to_string(),
            key: format!("{prefix}/{stem}"),
            from: From::Object,
        });
    }
    let fingerprint = {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for object in &objects {
            hasher.update(object.as_bytes());
            hasher.update(b"\n");
        }
        format!("{:x}", hasher.finalize())
    };
    Ok(Listed {
        entries,
        fingerprint,
        label: folder,
        archive: None,
    })
}

/// Refuses a document whose key an earlier one has ("a.txt" and "a.md"):
/// its outputs would overwrite the first's.
fn refuse_collisions(entries: &mut [Entry], label: &str) {
    // (later, earlier): found with the keys borrowed, not copied (an
    // archive may list 100,000), then refused.
    let mut collisions = Vec::new();
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
    for (at, entry) in entries.iter().enumerate() {
        if matches!(entry.from, From::Refused(..)) {
            continue;
        }
        match first.entry(entry.key.as_str()) {
            std::collections::hash_map::Entry::Occupied(earlier) => {
                collisions.push((at, *earlier.get()))
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(at);
            }
        }
    }
    drop(first);
    for (at, earlier) in collisions {
        let message = format!(
            "{label}{}: its outputs would overwrite those of {label}{} (both are named '{}'); rename one of them",
            entries[at].source_name, entries[earlier].source_name, entries[at].key
        );
        entries[at].from = From::Refused(ErrorCode::KeyCollision, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_sized_to_about_a_second() {
        assert_eq!(next_chunk(16, Duration::from_millis(100)), 160);
        assert_eq!(next_chunk(16, Duration::from_secs(10)), FIRST_CHUNK);
        assert_eq!(next_chunk(1000, Duration::from_millis(1)), MAX_CHUNK);
    }

    fn folder_with(files: &[&str]) -> (tempfile::TempDir, Storage) {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::open_dir(dir.path()).unwrap();
        for file in files {
            storage.write_objects(&[(file, b"Title\n")]).unwrap();
        }
        (dir, storage)
    }

    #[test]
    fn a_folder_lists_its_documents_in_order_with_keys_under_the_prefix() {
        let (_dir, storage) = folder_with(&[
            "inbox/2019/b.txt",
            "inbox/2019/a/x.md",
            "inbox/2019/a/x.txt",
            "inbox/2019/.versions/old.txt",
            "inbox/2019/notes.csv",
            "inbox/2020/c.txt",
        ]);
        let listed = list(&storage, "inbox/2019/", "out", &Limits::default()).unwrap();
        let keys: Vec<(&str, &str)> = listed
            .entries
            .iter()
            .map(|e| (e.source_name.as_str(), e.key.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("a/x.md", "out/a/x"),
                ("a/x.txt", "out/a/x"),
                ("b.txt", "out/b")
            ]
        );
        // The second document of one key is refused, the first kept.
        assert!(matches!(listed.entries[0].from, From::Object));
        assert!(matches!(
            listed.entries[1].from,
            From::Refused(ErrorCode::KeyCollision, _)
        ));
        // The same listing, the same fingerprint; another, another.
        let again = list(&storage, "inbox/2019", "out", &Limits::default()).unwrap();
        assert_eq!(again.fingerprint, listed.fingerprint);
        storage
            .write_objects(&[("inbox/2019/d.txt", b"Title\n")])
            .unwrap();
        let changed = list(&storage, "inbox/2019", "out", &Limits::default()).unwrap();
        assert_ne!(changed.fingerprint, listed.fingerprint);
    }

    #[test]
    fn outputs_may_not_be_written_inside_the_folder_read() {
        let (_dir, storage) = folder_with(&["inbox/a.txt"]);
        for (folder, prefix) in [("inbox", "inbox/out"), ("inbox/2019", "inbox")] {
            let Err(error) = list(&storage, folder, prefix, &Limits::default()) else {
                panic!("{folder} and {prefix} overlap");
            };
            assert_eq!(error.code, ErrorCode::InvalidKey);
        }
        assert!(list(&storage, "inbox", "inbox2", &Limits::default()).is_ok());
        let Err(error) = list(&storage, "../x", "out", &Limits::default()) else {
            panic!("a path leaving the root is refused");
        };
        assert_eq!(error.code, ErrorCode::InvalidPath);
    }
}
