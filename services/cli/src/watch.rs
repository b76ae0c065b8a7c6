//! `rapporteur watch DIR`: a drop folder for forum staff. Every summary put
//! in DIR is submitted as a job once its size and modification time have
//! stayed the same for the settle time (a file still being copied or
//! written slowly is not read half-way), and when its job ends the file
//! moves to `DIR/done/` or to `DIR/failed/` with `NAME.error.txt` beside it
//! giving the reason. Outputs appear in the workers' storage as for any job.
//!
//! Changes are seen through the `notify` crate: inotify on Linux, or with
//! `--poll SECONDS` its polling watcher for network shares (NFS, SMB), where
//! inotify hears nothing of other machines' writes. DIR is also listed
//! again every [`RESCAN`], so an event lost in an inotify queue overflow
//! delays a file but never strands it.
//!
//! What the watcher holds is in DIR itself: a file stays there until its
//! job has ended, so a watcher restarted after a crash submits it again.
//! Job ids are derived from the file's name and bytes, and the results
//! queue from DIR's path, so the resubmitted job is the same job and a
//! result that arrived while no watcher ran still counts.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use notify::Watcher;
use rapporteur_inputs::{Input, Limits};
use rapporteur_jobs::{JOB_CONTRACT_VERSION, JobRequest, JobResult, JobSource, JobStatus};
use rapporteur_untrusted::for_terminal;
use sha2::{Digest, Sha256};

use crate::WatchArgs;
use crate::link::Link;

/// How often DIR is listed again whatever the events say.
const RESCAN: Duration = Duration::from_secs(30);

/// How long the loop waits for a result before it looks at DIR again.
const TICK: Duration = Duration::from_millis(200);

/// The folders finished files move to, inside DIR.
const DONE: &str = "done";
const FAILED: &str = "failed";

/// The longest reason written to an `.error.txt` for one document: the
/// worker's messages are short, and a file must not grow with an archive.
const MAX_REASON_CHARS: usize = 2000;

/// What a file looked like when last seen: size and modification time.
type Snapshot = (u64, Option<SystemTime>);

/// A file that is being watched until it settles.
struct Settling {
    seen: Option<Snapshot>,
    since: Instant,
}

/// A file whose jobs were published and have not all ended.
struct Submitted {
    snapshot: Snapshot,
    /// The jobs still running.
    jobs: HashSet<String>,
    /// Why its documents failed, one line each (refused here or by a worker).
    failures: Vec<String>,
    converted: usize,
}

pub(crate) fn run(args: &WatchArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(watch(args))
}

async fn watch(args: &WatchArgs) -> anyhow::Result<()> {
    let dir = std::fs::canonicalize(&args.dir)
        .with_context(|| format!("cannot watch {}", args.dir.display()))?;
    anyhow::ensure!(dir.is_dir(), "{} is not a directory", dir.display());
    for folder in [DONE, FAILED] {
        std::fs::create_dir_all(dir.join(folder))
            .with_context(|| format!("cannot create {}", dir.join(folder).display()))?;
    }
    let metadata = crate::read_metadata(args.job.metadata.as_deref())?;
    let limits = Limits {
        max_document_bytes: args.job.max_input_bytes as u64,
        ..Limits::default()
    };
    let formats: Vec<String> = args.job.formats.iter().map(|f| f.to_string()).collect();

    // Events only say "look at this name"; what a file is, is read from
    // the file system when it is looked at.
    let (events, mut changed) = tokio::sync::mpsc::unbounded_channel::<PathBuf>();
    let handler = move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            for path in event.paths {
                let _ = events.send(path);
            }
        }
    };
    let mut watcher: Box<dyn Watcher> = match args.poll {
        Some(seconds) => Box::new(notify::PollWatcher::new(
            handler,
            notify::Config::default().with_poll_interval(poll_interval(seconds)?),
        )?),
        None => Box::new(notify::RecommendedWatcher::new(
            handler,
            notify::Config::default(),
        )?),
    };
    watcher
        .watch(&dir, notify::RecursiveMode::NonRecursive)
        .with_context(|| format!("cannot watch {}", dir.display()))?;

    let stop = Arc::new(AtomicBool::new(false));
    tokio::spawn(stop_on_signal(stop.clone()));

    // One results queue per watched folder (see the module doc).
    let folder_id = format!("{:x}", Sha256::digest(dir.as_os_str().as_encoded_bytes()));
    let folder_id = &folder_id[..32];
    let replies = args
        .job
        .broker
        .topology()
        .replies_queue(&format!("watch-{folder_id}"));
    let mut link = Link::open(&args.job.broker, Some(replies)).await?;
    eprintln!(
        "rapporteur: watching {} (settle {} ms{})",
        for_terminal(&dir.display().to_string()),
        args.settle_ms,
        args.poll
            .map(|s| format!(", polling every {s} s"))
            .unwrap_or_default()
    );

    let settle = Duration::from_millis(args.settle_ms);
    let mut settling: HashMap<String, Settling> = HashMap::new();
    let mut submitted: HashMap<String, Submitted> = HashMap::new();
    let mut owner: HashMap<String, String> = HashMap::new();
    // Files whose job ended but which could not be moved, as they were
    // then: left where they are until they change.
    let mut held: HashMap<String, Snapshot> = HashMap::new();
    let mut next_scan = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        while let Ok(path) = changed.try_recv() {
            if let Some(name) = watched_name(&dir, &path) {
                settling.entry(name).or_insert_with(Settling::new);
            }
        }
        if Instant::now() >= next_scan {
            for name in list(&dir)? {
                settling.entry(name).or_insert_with(Settling::new);
            }
            next_scan = Instant::now() + RESCAN;
        }
        let mut ready = Vec::new();
        settling.retain(|name, state| {
            let Some(snapshot) = snapshot(&dir.join(name)) else {
                return false; // gone, or not a regular file
            };
            if submitted
                .get(name)
                .is_some_and(|job| job.snapshot == snapshot)
                || held.get(name) == Some(&snapshot)
            {
                return false; // already on its way, or held, unchanged
            }
            if state.seen != Some(snapshot) {
                *state = Settling {
                    seen: Some(snapshot),
                    since: Instant::now(),
                };
                return true;
            }
            if state.since.elapsed() < settle {
                return true;
            }
            ready.push((name.clone(), snapshot));
            false
        });
        for (name, snapshot) in ready {
            let mut file = Submitted {
                snapshot,
                jobs: HashSet::new(),
                failures: Vec::new(),
                converted: 0,
            };
            for found in rapporteur_inputs::discover(&[dir.join(&name)], &limits) {
                match found.and_then(|input| {
                    let bytes = input.read(&limits)?;
                    Ok(job_for(&input, bytes, &formats, &metadata))
                }) {
                    Ok(job) => {
                        link.publish_job(&job).await?;
                        owner.insert(job.job_id.clone(), name.clone());
                        file.jobs.insert(job.job_id);
                    }
                    Err(error) => {
                        file.failures
                            .push(format!("{} ({})", error, error.code().as_str()))
                    }
                }
            }
            if file.jobs.is_empty() {
                finish_or_hold(&dir, &name, &file, &mut held);
            } else {
                submitted.insert(name, file);
            }
        }

        let Some(reply) = link.next_reply(TICK).await? else {
            continue;
        };
        // Progress events and anything else on the queue are not results.
        let Ok(result) = serde_json::from_slice::<JobResult>(&reply) else {
            continue;
        };
        // Results of jobs this watcher no longer waits for (a duplicate
        // delivery, a file that changed since) are dropped.
        let Some(name) = owner.remove(&result.job_id) else {
            continue;
        };
        let Some(file) = submitted.get_mut(&name) else {
            continue;
        };
        file.jobs.remove(&result.job_id);
        match (&result.status, &result.error) {
            (JobStatus::Succeeded, _) => file.converted += 1,
            (JobStatus::Failed, error) => file.failures.push(error.as_ref().map_or_else(
                || "the job failed without a reason".to_string(),
                |e| match e.line {
                    Some(line) => format!("line {line}: {} ({})", e.message, e.code),
                    None => format!("{} ({})", e.message, e.code),
                },
            )),
        }
        if file.jobs.is_empty() {
            let file = submitted.remove(&name).expect("just seen");
            // A file replaced while its job ran is submitted again as the
            // new file, not moved as the old one.
            if snapshot(&dir.join(&name)) == Some(file.snapshot) {
                finish_or_hold(&dir, &name, &file, &mut held);
            } else {
                settling.insert(name, Settling::new());
            }
        }
    }
    eprintln!(
        "rapporteur: stopped watching; {} files were still converting and stay in the folder",
        submitted.len()
    );
    link.close().await;
    Ok(())
}

impl Settling {
    fn new() -> Settling {
        Settling {
            seen: None,
            since: Instant::now(),
        }
    }
}

/// The job for one document of a dropped file. Its id is derived from the
/// name and bytes, so the same file dropped again (or submitted again by a
/// restarted watcher) is the same job.
fn job_for(
    input: &Input,
    bytes: Vec<u8>,
    formats: &[String],
    metadata: &serde_json::Map<String, serde_json::Value>,
) -> JobRequest {
    let mut hasher = Sha256::new();
    hasher.update(input.name.as_bytes());
    hasher.update([0]);
    hasher.update(&bytes);
    let digest = format!("{:x}", hasher.finalize());
    let job_id = format!("watch-{}", &digest[..32]);
    let mut metadata = metadata.clone();
    metadata.insert("input".to_string(), input.name.clone().into());
    JobRequest {
        version: JOB_CONTRACT_VERSION.to_string(),
        job_id,
        source: JobSource::inline(input.source_name.clone(), bytes),
        formats: Some(formats.to_vec()),
        key: Some(input.key.clone()),
        metadata,
    }
}

/// Moves a finished file to `done/`, or to `failed/` with its reasons in
/// `NAME.error.txt` (written first: a crash between the two leaves the
/// file in DIR, to be submitted again, never a failed file without reason).
/// [`finish`], or, when the file cannot be moved, a line saying why and the
/// file held where it is: one file's trouble does not stop the watcher.
fn finish_or_hold(dir: &Path, name: &str, file: &Submitted, held: &mut HashMap<String, Snapshot>) {
    if let Err(error) = finish(dir, name, file) {
        eprintln!(
            "rapporteur: {}",
            for_terminal(&format!(
                "{name}: {error:#}; left in the folder until it changes"
            ))
        );
        held.insert(name.to_string(), file.snapshot);
    }
}

fn finish(dir: &Path, name: &str, file: &Submitted) -> anyhow::Result<()> {
    let source = dir.join(name);
    let (folder, said) = if file.failures.is_empty() {
        (DONE, format!("{name}: converted → {DONE}/"))
    } else {
        (
            FAILED,
            format!("{name}: failed → {FAILED}/: {}", file.failures.join("; ")),
        )
    };
    // Made again if someone tidied the folder away.
    let folder = dir.join(folder);
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("cannot create {}", folder.display()))?;
    let target = free_name(&folder, name);
    if !file.failures.is_empty() {
        let mut reason = file.failures.join("\n");
        if reason.chars().count() > MAX_REASON_CHARS {
            reason = reason.chars().take(MAX_REASON_CHARS).collect::<String>() + "…";
        }
        let path = error_file(&target);
        std::fs::write(&path, format!("{reason}\n"))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    std::fs::rename(&source, &target)
        .with_context(|| format!("cannot move {} to {}", source.display(), target.display()))?;
    eprintln!("rapporteur: {}", for_terminal(&said));
    Ok(())
}

/// `folder/name`, or `folder/stem-2.ext`, `-3`… when a file of that name
/// is already there (the same summary dropped twice keeps both).
fn free_name(folder: &Path, name: &str) -> PathBuf {
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => (stem, format!(".{extension}")),
        _ => (name, String::new()),
    };
    let mut candidate = folder.join(name);
    let mut n = 2;
    while candidate.exists() || error_file(&candidate).exists() {
        candidate = folder.join(format!("{stem}-{n}{extension}"));
        n += 1;
    }
    candidate
}

fn error_file(path: &Path) -> PathBuf {
    let mut file = path.as_os_str().to_owned();
    file.push(".error.txt");
    PathBuf::from(file)
}

/// The regular files directly in DIR that are watched.
fn list(dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        if let Some(name) = watched_name(dir, &entry?.path()) {
            names.push(name);
        }
    }
    Ok(names)
}

/// The name of a path directly in DIR that is watched: not in a
/// subfolder (`done/`, `failed/`), not hidden, not a partial download or
/// an editor's temporary file (`.part`, `.crdownload`, `.tmp`, `~`).
fn watched_name(dir: &Path, path: &Path) -> Option<String> {
    if path.parent() != Some(dir) {
        return None;
    }
    let name = path.file_name()?.to_str()?;
    let temporary = name.starts_with('.')
        || name.ends_with('~')
        || [".part", ".crdownload", ".tmp", ".swp"]
            .iter()
            .any(|suffix| name.to_ascii_lowercase().ends_with(suffix));
    (!temporary).then(|| name.to_string())
}

/// A regular file's size and modification time; `None` when it is gone or
/// is not a regular file (a folder, a FIFO, a link: only regular files
/// are read, `symlink_metadata` so a link is not followed).
fn snapshot(path: &Path) -> Option<Snapshot> {
    let metadata = std::fs::symlink_metadata(path).ok()?;
    metadata
        .is_file()
        .then(|| (metadata.len(), metadata.modified().ok()))
}

/// `--poll`'s interval: at least a tenth of a second (polling a share
/// faster only loads it), at most a day.
fn poll_interval(seconds: f64) -> anyhow::Result<Duration> {
    anyhow::ensure!(
        (0.1..=86_400.0).contains(&seconds),
        "--poll takes 0.1 to 86400 seconds, not {seconds}"
    );
    Ok(Duration::from_secs_f64(seconds))
}

/// Sets `stop` on SIGINT or SIGTERM: the loop ends after its current step.
async fn stop_on_signal(stop: Arc<AtomicBool>) {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("a SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    stop.store(true, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subfolders_hidden_and_partial_files_are_not_watched() {
        let dir = Path::new("/drop");
        assert_eq!(
            watched_name(dir, Path::new("/drop/a.txt")).as_deref(),
            Some("a.txt")
        );
        for ignored in [
            "/drop/done/a.txt",
            "/drop/.a.txt",
            "/drop/a.txt.part",
            "/drop/a.docx.crdownload",
            "/drop/a.txt~",
            "/drop/.a.txt.swp",
            "/elsewhere/a.txt",
        ] {
            assert_eq!(watched_name(dir, Path::new(ignored)), None, "{ignored}");
        }
    }

    #[test]
    fn a_name_already_taken_gets_a_number() {
        let folder = tempfile::tempdir().unwrap();
        assert_eq!(
            free_name(folder.path(), "a.txt"),
            folder.path().join("a.txt")
        );
        std::fs::write(folder.path().join("a.txt"), "").unwrap();
        assert_eq!(
            free_name(folder.path(), "a.txt"),
            folder.path().join("a-2.txt")
        );
        // An error file left without its document also takes the name.
        std::fs::write(folder.path().join("a-2.txt.error.txt"), "").unwrap();
        assert_eq!(
            free_name(folder.path(), "a.txt"),
            folder.path().join("a-3.txt")
        );
        assert_eq!(
            free_name(folder.path(), "notes"),
            folder.path().join("notes")
        );
    }

    #[test]
    fn poll_intervals_are_bounded() {
        assert_eq!(poll_interval(0.5).unwrap(), Duration::from_millis(500));
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e9] {
            assert!(poll_interval(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_same_file_is_the_same_job() {
        let input = Input {
            name: "a.txt".into(),
            source_name: "a.txt".into(),
            key: "a".into(),
            origin: rapporteur_inputs::Origin::File("/drop/a.txt".into()),
        };
        let formats = vec!["json".to_string()];
        let one = job_for(&input, b"x".to_vec(), &formats, &Default::default());
        let two = job_for(&input, b"x".to_vec(), &formats, &Default::default());
        let other = job_for(&input, b"y".to_vec(), &formats, &Default::default());
        assert_eq!(one.job_id, two.job_id);
        assert_ne!(one.job_id, other.job_id);
        assert_eq!(rapporteur_jobs::check_job_id(&one.job_id), Ok(()));
        assert_eq!(one.key.as_deref(), Some("a"));
    }
}
